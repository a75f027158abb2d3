//! Offset paging arithmetic, independent of HTTP so it can be tested exhaustively.
//!
//! Strategy: read offset 0 first; its `total_count` tells which further offsets exist, and those
//! are fetched concurrently by the caller but fed back here in offset order. Reading ends at the
//! first empty or short page, or when the highest reported total is covered. When the total
//! grows during the read, full pages keep the read going up to the new total; when a full page
//! reaches beyond every reported total, the read goes on one page at a time until an empty or
//! short page. Items seen twice (pages shift when backups are created or deleted meanwhile) are
//! kept once, at their first offset, and every irregularity becomes a [`Warning`] rather than an
//! error: the caller gets the best list the API would give. Nothing is invented: a missing
//! `total_count` stays missing.
//!
//! The pager keeps no items: `Pager::accept` leaves in each page only the items not seen
//! before, for the caller to use at once, so a long list never has to be held whole here.
//!
//! A list that needs more than [`MAX_PAGES`] pages is an error ([`PageLimitExceeded`]), never a
//! partial list: filters and "most recent" applied to a part would give a wrong answer.

use std::collections::{BTreeSet, HashSet};

use crate::warning::{Warning, WarningKind};

/// Items requested per page: the API maximum, so that a list needs as few requests as possible.
pub const PAGE_SIZE: u64 = 100;
/// Hard bound on pages per list, so a misbehaving server cannot make a read endless.
pub const MAX_PAGES: u64 = 1000;
/// The most backups one list can hold: [`MAX_PAGES`] full pages.
pub const MAX_ITEMS: u64 = MAX_PAGES * PAGE_SIZE;
/// Ids or offsets quoted in a warning; the rest are only counted.
const MAX_QUOTED: usize = 5;

/// What the caller should do after feeding a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Keep feeding pages of the current batch.
    Continue,
    /// The read is over: pages of the batch beyond this one are not needed.
    Stop,
}

/// The list needs more than [`MAX_PAGES`] pages: more items than one read may list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimitExceeded {
    /// What the list holds, plural and lowercase (`backups`, `instances`).
    pub items: &'static str,
    /// The highest `total_count` the API reported; `None` when no page reported one.
    pub reported_total: Option<u64>,
    /// Pages accepted before the read stopped.
    pub pages_read: u64,
}

/// What is known at the end of a paged read (the items went to the caller page by page).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Paged {
    /// Items handed to the caller (each id once).
    pub kept: u64,
    /// `total_count` of the first page (offset 0); `None` when that page had none.
    pub total_count: Option<u64>,
    pub warnings: Vec<Warning>,
    /// Pages accepted.
    pub pages: u64,
}

/// A page that reached beyond the highest `total_count` reported so far.
#[derive(Clone, Copy, Debug)]
struct Overrun {
    offset: u64,
    /// `offset` plus the items on the page.
    end: u64,
    total: u64,
}

/// Assembles pages fed in increasing offset order and decides which offsets to read next.
#[derive(Debug)]
pub(crate) struct Pager {
    /// What the list holds, plural and lowercase, for warnings and errors.
    items: &'static str,
    kept: u64,
    seen_ids: HashSet<String>,
    duplicate_ids: Vec<String>,
    first_total: Option<u64>,
    max_total: Option<u64>,
    totals_seen: BTreeSet<u64>,
    /// Offsets of the pages that came without `total_count`.
    total_missing_at: Vec<u64>,
    next_offset: u64,
    pages: u64,
    finished: bool,
    short_page: Option<(u64, usize)>,
    /// First page that reached beyond the reported total.
    overrun: Option<Overrun>,
    /// The last page was full and reached beyond every reported total: read on.
    beyond_total: bool,
}

impl Pager {
    pub fn new(items: &'static str) -> Self {
        Pager {
            items,
            kept: 0,
            seen_ids: HashSet::new(),
            duplicate_ids: Vec::new(),
            first_total: None,
            max_total: None,
            totals_seen: BTreeSet::new(),
            total_missing_at: Vec::new(),
            next_offset: 0,
            pages: 0,
            finished: false,
            short_page: None,
            overrun: None,
            beyond_total: false,
        }
    }

    /// Offsets to request next, in order (the first call returns `[0]`). Empty once the read is
    /// complete. The caller fetches them (possibly concurrently) and feeds each to
    /// [`Pager::accept`] in this order until it returns [`Step::Stop`] or the batch ends.
    ///
    /// Fails as soon as the read is known to need more than [`MAX_PAGES`] pages: at once when
    /// a reported total is beyond [`MAX_ITEMS`] (no page is read in vain), else when page
    /// [`MAX_PAGES`] was full and the read would have to go on.
    pub fn next_batch(&mut self) -> Result<Vec<u64>, PageLimitExceeded> {
        if self.finished {
            return Ok(Vec::new());
        }
        if self.pages == 0 {
            return Ok(vec![0]);
        }
        // Without a total, or past it after a full page, read one page at a time until a short
        // (or empty) page.
        let one_more = self.next_offset.saturating_add(1);
        let end = match self.max_total {
            Some(total) if self.beyond_total => total.max(one_more),
            Some(total) => total,
            None => one_more,
        };
        let mut batch = Vec::new();
        let mut offset = self.next_offset;
        while offset < end {
            if self.pages + batch.len() as u64 >= MAX_PAGES {
                self.finished = true;
                return Err(PageLimitExceeded {
                    items: self.items,
                    reported_total: self.max_total,
                    pages_read: self.pages,
                });
            }
            batch.push(offset);
            offset = offset.saturating_add(PAGE_SIZE);
        }
        if batch.is_empty() {
            self.finished = true;
        }
        Ok(batch)
    }

    /// Feeds the page read at `offset` with its reported `total_count` and items, and leaves in
    /// `page` only the items to use: those not seen before, in page order (none once the read
    /// is over). `id` extracts the identity used to drop duplicates (items without one are
    /// always kept).
    pub fn accept<T, F>(
        &mut self,
        offset: u64,
        total: Option<u64>,
        page: &mut Vec<T>,
        id: F,
    ) -> Step
    where
        F: Fn(&T) -> Option<&str>,
    {
        if self.finished {
            page.clear();
            return Step::Stop;
        }
        if self.pages == 0 {
            self.first_total = total;
        }
        match total {
            Some(total) => {
                self.max_total = Some(self.max_total.map_or(total, |max| max.max(total)));
                self.totals_seen.insert(total);
            }
            None => self.total_missing_at.push(offset),
        }
        let len = page.len();
        page.retain(|item| match id(item) {
            Some(item_id) if !self.seen_ids.insert(item_id.to_owned()) => {
                self.duplicate_ids.push(item_id.to_owned());
                false
            }
            _ => true,
        });
        self.kept += page.len() as u64;
        self.pages += 1;
        self.next_offset = offset.saturating_add(PAGE_SIZE);
        let end = offset.saturating_add(len as u64);
        let full = len as u64 >= PAGE_SIZE;
        self.beyond_total = false;
        if let Some(max_total) = self.max_total
            && end > max_total
        {
            self.overrun.get_or_insert(Overrun {
                offset,
                end,
                total: max_total,
            });
            self.beyond_total = full;
        }
        if !full {
            self.short_page = Some((offset, len));
            self.finished = true;
            return Step::Stop;
        }
        Step::Continue
    }

    /// What the read saw, and the warnings describing anything irregular.
    pub fn finish(self) -> Paged {
        let mut warnings = Vec::new();
        let mut changes = Vec::new();
        if self.totals_seen.len() > 1 {
            let totals: Vec<String> = self.totals_seen.iter().map(u64::to_string).collect();
            changes.push(format!(
                "The number of {items} changed while the list was being read (total_count \
                 values seen: {}); {items} were probably created or deleted meanwhile, so the \
                 list may be incomplete.",
                totals.join(", "),
                items = self.items
            ));
        }
        if !self.duplicate_ids.is_empty() {
            changes.push(format!(
                "{} of the {} appeared on more than one page and are listed once: {}.",
                self.duplicate_ids.len(),
                self.items,
                quote_some(&self.duplicate_ids)
            ));
        }
        if let (Some((offset, len)), Some(max_total)) = (self.short_page, self.max_total) {
            let read_up_to = offset.saturating_add(len as u64);
            if read_up_to < max_total {
                changes.push(format!(
                    "The API reported total_count {max_total} but the page at offset {offset} \
                     held only {len} {}; the list may be incomplete.",
                    self.items
                ));
            }
        }
        if !changes.is_empty() {
            warnings.push(Warning::new(
                WarningKind::ListChanged,
                self.items,
                changes.join("\n"),
            ));
        }
        if let Some(overrun) = self.overrun {
            warnings.push(Warning::new(
                WarningKind::TotalCountTooLow,
                self.items,
                format!(
                    "The API reported total_count {} but returned more {}: the page at offset \
                     {} reached position {}. Further pages were read until an empty or short \
                     page.",
                    overrun.total, self.items, overrun.offset, overrun.end
                ),
            ));
        }
        if !self.total_missing_at.is_empty() {
            let offsets: Vec<String> = self.total_missing_at.iter().map(u64::to_string).collect();
            warnings.push(Warning::new(
                WarningKind::TotalCountMissing,
                self.items,
                format!(
                    "The API response did not include total_count (page(s) at offset {}); \
                     pages were read until a short page.",
                    quote_some(&offsets)
                ),
            ));
        }
        Paged {
            kept: self.kept,
            total_count: self.first_total,
            warnings,
            pages: self.pages,
        }
    }
}

/// The first few of `values`, comma-separated, with a count of the rest.
fn quote_some(values: &[String]) -> String {
    // The values are ids the server sent: untrusted text, shown escaped and cut.
    let quoted: Vec<String> = values
        .iter()
        .take(MAX_QUOTED)
        .map(|value| crate::untrusted::sanitize(value))
        .collect();
    let more = values.len().saturating_sub(MAX_QUOTED);
    if more > 0 {
        format!("{} and {more} more", quoted.join(", "))
    } else {
        quoted.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as a fake server returns it: total and item ids.
    type FakePage = (Option<u64>, Vec<String>);

    /// What a read gave: the items handed out, in order, and what the pager reported.
    struct Listed {
        items: Vec<String>,
        total_count: Option<u64>,
        warnings: Vec<Warning>,
        pages: u64,
    }

    /// Runs the pager against `server(offset, request_number)`; returns the outcome and the
    /// offsets requested.
    fn try_read_all(
        mut server: impl FnMut(u64, usize) -> FakePage,
    ) -> (Result<Listed, PageLimitExceeded>, Vec<u64>) {
        let mut pager = Pager::new("backups");
        let mut requested = Vec::new();
        let mut items = Vec::new();
        loop {
            let batch = match pager.next_batch() {
                Ok(batch) => batch,
                Err(exceeded) => return (Err(exceeded), requested),
            };
            if batch.is_empty() {
                break;
            }
            // All offsets of a batch are requested (concurrently) before any answer is used.
            let pages: Vec<(u64, FakePage)> = batch
                .iter()
                .map(|&offset| {
                    requested.push(offset);
                    (offset, server(offset, requested.len()))
                })
                .collect();
            for (offset, (total, mut ids)) in pages {
                let step = pager.accept(offset, total, &mut ids, |id| Some(id.as_str()));
                items.append(&mut ids);
                if step == Step::Stop {
                    break;
                }
            }
        }
        let paged = pager.finish();
        assert_eq!(
            paged.kept,
            items.len() as u64,
            "kept counts what was handed out"
        );
        let listed = Listed {
            items,
            total_count: paged.total_count,
            warnings: paged.warnings,
            pages: paged.pages,
        };
        (Ok(listed), requested)
    }

    /// [`try_read_all`] of a read that must succeed.
    fn read_all(server: impl FnMut(u64, usize) -> FakePage) -> (Listed, Vec<u64>) {
        let (listed, requested) = try_read_all(server);
        match listed {
            Ok(listed) => (listed, requested),
            Err(exceeded) => panic!("the read failed: {exceeded:?}"),
        }
    }

    fn ids(range: std::ops::Range<u64>) -> Vec<String> {
        range.map(|i| format!("b{i}")).collect()
    }

    /// A consistent server holding `total` items.
    fn stable(total: u64) -> impl FnMut(u64, usize) -> FakePage {
        move |offset, _| {
            let end = (offset + PAGE_SIZE).min(total);
            (Some(total), ids(offset.min(total)..end))
        }
    }

    /// The warnings of `kind`.
    fn of_kind(paged: &Listed, kind: WarningKind) -> Vec<&Warning> {
        paged.warnings.iter().filter(|w| w.kind == kind).collect()
    }

    #[test]
    fn stable_lists_need_exactly_the_ceiling_of_pages() {
        for (total, expected) in [
            (0, vec![0]),
            (1, vec![0]),
            (100, vec![0]),
            (101, vec![0, 100]),
        ] {
            let (paged, requested) = read_all(stable(total));
            assert_eq!(requested, expected, "total {total}");
            assert_eq!(paged.items, ids(0..total));
            assert_eq!(paged.total_count, Some(total));
            assert!(paged.warnings.is_empty(), "{:?}", paged.warnings);
        }
        let (paged, requested) = read_all(stable(250));
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..250));
        assert_eq!(paged.pages, 3);
        let (_, requested) = read_all(stable(300));
        assert_eq!(requested, vec![0, 100, 200]);
    }

    #[test]
    fn short_page_ends_the_read_and_is_reported() {
        // Claims 300 but the page at 100 holds only 10: offset 200 was requested concurrently
        // but its answer is ignored.
        let (paged, requested) = read_all(|offset, _| match offset {
            0 => (Some(300), ids(0..100)),
            100 => (Some(300), ids(100..110)),
            _ => (Some(300), ids(500..600)),
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..110));
        assert_eq!(paged.warnings.len(), 1);
        assert_eq!(paged.warnings[0].kind, WarningKind::ListChanged);
        assert!(paged.warnings[0].detail.contains("total_count 300"));
        assert!(paged.warnings[0].detail.contains("offset 100"));
    }

    #[test]
    fn empty_page_ends_the_read() {
        let (paged, requested) = read_all(|offset, _| match offset {
            0 => (Some(250), ids(0..100)),
            _ => (Some(250), Vec::new()),
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items.len(), 100);
        assert_eq!(paged.warnings.len(), 1);
        assert_eq!(paged.warnings[0].kind, WarningKind::ListChanged);
        assert!(paged.warnings[0].detail.contains("offset 100 held only 0"));
    }

    #[test]
    fn duplicate_ids_are_quoted_as_untrusted_text() {
        // A hostile server repeats an id that would paint a fake line into a terminal.
        let hostile = format!("\u{1b}[2K\rApply complete!{}", "x".repeat(1000));
        let (paged, _) = read_all(|offset, _| match offset {
            0 => (
                Some(101),
                std::iter::once(hostile.clone())
                    .chain(ids(1..100))
                    .collect(),
            ),
            _ => (Some(101), vec![hostile.clone()]),
        });
        assert_eq!(paged.items.len(), 100, "the repeated id is listed once");
        let detail = &paged.warnings[0].detail;
        assert!(
            !detail.contains('\u{1b}') && !detail.contains('\r'),
            "{detail}"
        );
        assert!(detail.contains("\\x1b[2K\\x0dApply complete!"), "{detail}");
        assert!(detail.contains("[cut: "), "{detail}");
        assert!(detail.len() < 600, "{detail}");
    }

    #[test]
    fn total_growth_with_shifted_items_drops_duplicates_and_warns() {
        // One backup is created at the front after the first page: everything shifts by one.
        let (paged, requested) = read_all(|offset, request| {
            if request == 1 {
                (Some(200), ids(1..101))
            } else {
                let all: Vec<String> = std::iter::once("b0".to_owned())
                    .chain(ids(1..201))
                    .collect();
                let start = offset as usize;
                let end = (start + PAGE_SIZE as usize).min(all.len());
                (Some(201), all[start..end].to_vec())
            }
        });
        // 0 and 100 (first plan), then 200 because the total grew to 201 and page 100 was full.
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(1..201));
        assert_eq!(paged.total_count, Some(200));
        // Total change and duplicates: one warning of that kind, both facts in the detail.
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        assert_eq!(paged.warnings[0].kind, WarningKind::ListChanged);
        assert!(paged.warnings[0].detail.contains("200, 201"));
        assert!(paged.warnings[0].detail.contains("listed once: b100."));
    }

    #[test]
    fn ever_growing_total_fails_once_it_passes_the_limit() {
        let (outcome, requested) = try_read_all(|offset, _| {
            (
                Some(offset + 10 * PAGE_SIZE),
                ids(offset..offset + PAGE_SIZE),
            )
        });
        let Err(exceeded) = outcome else {
            panic!("a total beyond the limit must fail the read")
        };
        assert!(requested.len() as u64 <= MAX_PAGES, "{}", requested.len());
        let reported = exceeded.reported_total.expect("totals were reported");
        assert!(reported > MAX_ITEMS, "{exceeded:?}");
        assert_eq!(exceeded.pages_read, requested.len() as u64);
    }

    #[test]
    fn a_first_total_beyond_the_limit_fails_before_reading_further() {
        let (outcome, requested) = try_read_all(stable(MAX_ITEMS + 1));
        assert_eq!(requested, vec![0]);
        assert_eq!(
            outcome.err(),
            Some(PageLimitExceeded {
                items: "backups",
                reported_total: Some(MAX_ITEMS + 1),
                pages_read: 1
            })
        );
    }

    #[test]
    fn exactly_the_limit_is_listed_whole() {
        let (listed, requested) = read_all(stable(MAX_ITEMS));
        assert_eq!(requested.len() as u64, MAX_PAGES);
        assert_eq!(listed.items.len() as u64, MAX_ITEMS);
        assert!(listed.warnings.is_empty(), "{:?}", listed.warnings);
    }

    #[test]
    fn missing_total_reads_sequentially_until_short_page() {
        let (paged, requested) = read_all(|offset, _| {
            let end = (offset + PAGE_SIZE).min(230);
            (None, ids(offset..end))
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..230));
        // Never invented from the number of items.
        assert_eq!(paged.total_count, None);
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        assert_eq!(paged.warnings[0].kind, WarningKind::TotalCountMissing);
        assert!(paged.warnings[0].detail.contains("0, 100, 200"));
    }

    #[test]
    fn repeated_ids_within_a_page_are_dropped() {
        let (paged, _) = read_all(|_, _| (Some(3), vec!["a".into(), "b".into(), "a".into()]));
        assert_eq!(paged.items, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        assert_eq!(paged.warnings[0].kind, WarningKind::ListChanged);
        assert!(
            paged.warnings[0]
                .detail
                .contains("1 of the backups appeared on more than one page")
        );
    }

    #[test]
    fn items_without_id_are_kept() {
        let mut pager = Pager::new("backups");
        assert_eq!(pager.next_batch(), Ok(vec![0]));
        let mut page: Vec<Option<String>> = vec![None, None];
        let step = pager.accept(0, Some(2), &mut page, |item| item.as_deref());
        assert_eq!(step, Step::Stop);
        assert_eq!(page.len(), 2);
        assert_eq!(pager.next_batch(), Ok(Vec::new()));
        assert_eq!(pager.finish().kept, 2);
    }

    #[test]
    fn shrinking_total_warns() {
        let (paged, requested) = read_all(|offset, request| {
            if request == 1 {
                (Some(250), ids(0..100))
            } else {
                let end = (offset + PAGE_SIZE).min(240);
                (Some(240), ids(offset..end))
            }
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..240));
        assert_eq!(paged.total_count, Some(250));
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        assert_eq!(paged.warnings[0].kind, WarningKind::ListChanged);
        assert!(paged.warnings[0].detail.contains("240, 250"));
    }

    #[test]
    fn full_page_beyond_the_reported_total_reads_on() {
        // Claims 150 but holds 230: the full page at 100 reaches 200 > 150, so 200 is read too.
        let (paged, requested) = read_all(|offset, _| {
            let end = (offset + PAGE_SIZE).min(230);
            (Some(150), ids(offset.min(230)..end))
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..230));
        assert_eq!(paged.total_count, Some(150), "the API's count, not ours");
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        let warning = &paged.warnings[0];
        assert_eq!(warning.kind, WarningKind::TotalCountTooLow);
        assert!(
            warning
                .detail
                .contains("The API reported total_count 150 but returned more backups"),
            "{warning:?}"
        );
        assert!(warning.detail.contains("offset 100"), "{warning:?}");
    }

    #[test]
    fn full_page_beyond_the_total_stops_at_the_first_empty_page() {
        // Claims 100 (exactly one page) but page 100 is full too; page 200 is empty.
        let (paged, requested) = read_all(|offset, _| match offset {
            0 | 100 => (Some(100), ids(offset..offset + PAGE_SIZE)),
            _ => (Some(100), Vec::new()),
        });
        // 100 is not requested for the total alone (0..100 covers it)...
        assert_eq!(requested, vec![0]);
        assert_eq!(paged.items, ids(0..100));
        assert!(paged.warnings.is_empty(), "{:?}", paged.warnings);

        // ...but once a full page reaches past the total, reading goes on until an empty page.
        let (paged, requested) = read_all(|offset, _| match offset {
            0 => (Some(150), ids(0..100)),
            100 | 200 => (Some(150), ids(offset..offset + PAGE_SIZE)),
            _ => (Some(150), Vec::new()),
        });
        assert_eq!(requested, vec![0, 100, 200, 300]);
        assert_eq!(paged.items, ids(0..300));
        assert_eq!(
            of_kind(&paged, WarningKind::TotalCountTooLow).len(),
            1,
            "{:?}",
            paged.warnings
        );
        assert!(of_kind(&paged, WarningKind::ListChanged).is_empty());
    }

    #[test]
    fn full_pages_beyond_the_total_fail_at_the_page_limit() {
        let (outcome, requested) =
            try_read_all(|offset, _| (Some(150), ids(offset..offset + PAGE_SIZE)));
        assert_eq!(requested.len() as u64, MAX_PAGES);
        assert_eq!(
            outcome.err(),
            Some(PageLimitExceeded {
                items: "backups",
                reported_total: Some(150),
                pages_read: MAX_PAGES
            })
        );
    }

    #[test]
    fn a_short_page_within_the_limit_ends_the_read_without_error() {
        // Full pages beyond the total, but the last page the limit allows is short.
        let (listed, requested) = read_all(|offset, _| {
            let end = (offset + PAGE_SIZE).min(MAX_ITEMS - 1);
            (Some(150), ids(offset..end))
        });
        assert_eq!(requested.len() as u64, MAX_PAGES);
        assert_eq!(listed.items.len() as u64, MAX_ITEMS - 1);
    }

    #[test]
    fn missing_total_on_the_first_page_only_is_not_invented() {
        let (paged, requested) = read_all(|offset, _| match offset {
            0 => (None, ids(0..100)),
            _ => (Some(150), ids(100..150)),
        });
        assert_eq!(requested, vec![0, 100]);
        assert_eq!(paged.total_count, None);
        let missing = of_kind(&paged, WarningKind::TotalCountMissing);
        assert_eq!(missing.len(), 1, "{:?}", paged.warnings);
        assert!(missing[0].detail.contains("offset 0)"), "{missing:?}");
    }
}
