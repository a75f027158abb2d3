//! Offset paging arithmetic, independent of HTTP so it can be tested exhaustively.
//!
//! Strategy: read offset 0 first; its `total_count` tells which further offsets exist, and those
//! are fetched concurrently by the caller but fed back here in offset order. Reading ends at the
//! first empty or short page, or when the highest reported total is covered. When the total
//! grows during the read, full pages keep the read going up to the new total; when a full page
//! reaches beyond every reported total, the read goes on one page at a time until an empty or
//! short page; never beyond [`MAX_PAGES`]. Items seen twice (pages shift when backups are
//! created or deleted meanwhile) are kept once, at their first offset, and every irregularity
//! becomes a [`Warning`] rather than an error: the caller gets the best list the API would give.
//! Nothing is invented: a missing `total_count` stays missing.

use std::collections::{BTreeSet, HashSet};

use crate::warning::Warning;

/// Items requested per page: the API maximum, so that a list needs as few requests as possible.
pub const PAGE_SIZE: u64 = 100;
/// Hard bound on pages per list, so a misbehaving server cannot make a read endless.
pub const MAX_PAGES: u64 = 1000;
/// Ids or offsets quoted in a warning; the rest are only counted.
const MAX_QUOTED: usize = 5;

/// What the caller should do after feeding a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Keep feeding pages of the current batch.
    Continue,
    /// The read is over: pages of the batch beyond this one are not needed.
    Stop,
}

/// The assembled result of a paged read.
#[derive(Clone, Debug, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
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
pub struct Pager<T> {
    items: Vec<T>,
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
    hit_page_limit: bool,
}

impl<T> Default for Pager<T> {
    fn default() -> Self {
        Pager {
            items: Vec::new(),
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
            hit_page_limit: false,
        }
    }
}

impl<T> Pager<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Offsets to request next, in order (the first call returns `[0]`). Empty once the read is
    /// complete. The caller fetches them (possibly concurrently) and feeds each to
    /// [`Pager::accept`] in this order until it returns [`Step::Stop`] or the batch ends.
    pub fn next_batch(&mut self) -> Vec<u64> {
        if self.finished {
            return Vec::new();
        }
        if self.pages == 0 {
            return vec![0];
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
                self.hit_page_limit = true;
                break;
            }
            batch.push(offset);
            offset = offset.saturating_add(PAGE_SIZE);
        }
        if batch.is_empty() {
            self.finished = true;
        }
        batch
    }

    /// Feeds the page read at `offset` with its reported `total_count` and items. `id` extracts
    /// the identity used to drop duplicates (items without one are always kept).
    pub fn accept<F>(&mut self, offset: u64, total: Option<u64>, page: Vec<T>, id: F) -> Step
    where
        F: Fn(&T) -> Option<&str>,
    {
        if self.finished {
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
        for item in page {
            if let Some(item_id) = id(&item)
                && !self.seen_ids.insert(item_id.to_owned())
            {
                self.duplicate_ids.push(item_id.to_owned());
                continue;
            }
            self.items.push(item);
        }
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

    /// The assembled items and the warnings describing anything irregular.
    pub fn finish(self) -> Paged<T> {
        let mut warnings = Vec::new();
        let mut changes = Vec::new();
        if self.totals_seen.len() > 1 {
            let totals: Vec<String> = self.totals_seen.iter().map(u64::to_string).collect();
            changes.push(format!(
                "The number of backups changed while the list was being read (total_count \
                 values seen: {}); backups were probably created or deleted meanwhile, so the \
                 list may be incomplete.",
                totals.join(", ")
            ));
        }
        if !self.duplicate_ids.is_empty() {
            changes.push(format!(
                "{} backup(s) appeared on more than one page and are listed once: {}.",
                self.duplicate_ids.len(),
                quote_some(&self.duplicate_ids)
            ));
        }
        if let (Some((offset, len)), Some(max_total)) = (self.short_page, self.max_total) {
            let read_up_to = offset.saturating_add(len as u64);
            if read_up_to < max_total {
                changes.push(format!(
                    "The API reported total_count {max_total} but the page at offset {offset} \
                     held only {len} backup(s); the list may be incomplete."
                ));
            }
        }
        if !changes.is_empty() {
            warnings.push(Warning::new(Warning::BACKUPS_CHANGED, changes.join("\n")));
        }
        if let Some(overrun) = self.overrun {
            warnings.push(Warning::new(
                Warning::TOTAL_COUNT_TOO_LOW,
                format!(
                    "The API reported total_count {} but returned more backups: the page at \
                     offset {} reached position {}. Further pages were read until an empty or \
                     short page.",
                    overrun.total, overrun.offset, overrun.end
                ),
            ));
        }
        if !self.total_missing_at.is_empty() {
            let offsets: Vec<String> = self.total_missing_at.iter().map(u64::to_string).collect();
            warnings.push(Warning::new(
                Warning::TOTAL_COUNT_MISSING,
                format!(
                    "The API response did not include total_count (page(s) at offset {}); \
                     pages were read until a short page.",
                    quote_some(&offsets)
                ),
            ));
        }
        if self.hit_page_limit {
            warnings.push(Warning::new(
                Warning::PAGE_LIMIT_REACHED,
                format!(
                    "Stopped after reading {MAX_PAGES} pages ({} backups); the list may be \
                     incomplete.",
                    self.items.len()
                ),
            ));
        }
        Paged {
            items: self.items,
            total_count: self.first_total,
            warnings,
            pages: self.pages,
        }
    }
}

/// The first few of `values`, comma-separated, with a count of the rest.
fn quote_some(values: &[String]) -> String {
    let quoted: Vec<&str> = values.iter().take(MAX_QUOTED).map(String::as_str).collect();
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

    /// Runs the pager against `server(offset, request_number)`; returns result and requests.
    fn read_all(mut server: impl FnMut(u64, usize) -> FakePage) -> (Paged<String>, Vec<u64>) {
        let mut pager = Pager::new();
        let mut requested = Vec::new();
        loop {
            let batch = pager.next_batch();
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
            for (offset, (total, ids)) in pages {
                if pager.accept(offset, total, ids, |id| Some(id.as_str())) == Step::Stop {
                    break;
                }
            }
        }
        (pager.finish(), requested)
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

    /// The warnings with `summary`.
    fn with_summary<'a>(paged: &'a Paged<String>, summary: &str) -> Vec<&'a Warning> {
        paged
            .warnings
            .iter()
            .filter(|w| w.summary == summary)
            .collect()
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
        assert_eq!(paged.warnings[0].summary, Warning::BACKUPS_CHANGED);
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
        assert_eq!(paged.warnings[0].summary, Warning::BACKUPS_CHANGED);
        assert!(paged.warnings[0].detail.contains("offset 100 held only 0"));
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
        assert_eq!(paged.warnings[0].summary, Warning::BACKUPS_CHANGED);
        assert!(paged.warnings[0].detail.contains("200, 201"));
        assert!(paged.warnings[0].detail.contains("listed once: b100."));
    }

    #[test]
    fn ever_growing_total_is_bounded() {
        let (paged, requested) = read_all(|offset, _| {
            (
                Some(offset + 10 * PAGE_SIZE),
                ids(offset..offset + PAGE_SIZE),
            )
        });
        assert_eq!(requested.len() as u64, MAX_PAGES);
        assert_eq!(paged.pages, MAX_PAGES);
        let limit = with_summary(&paged, Warning::PAGE_LIMIT_REACHED);
        assert_eq!(limit.len(), 1, "{:?}", paged.warnings);
        assert!(limit[0].detail.contains("1000 pages"));
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
        assert_eq!(paged.warnings[0].summary, Warning::TOTAL_COUNT_MISSING);
        assert!(paged.warnings[0].detail.contains("0, 100, 200"));
    }

    #[test]
    fn repeated_ids_within_a_page_are_dropped() {
        let (paged, _) = read_all(|_, _| (Some(3), vec!["a".into(), "b".into(), "a".into()]));
        assert_eq!(paged.items, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(paged.warnings.len(), 1, "{:?}", paged.warnings);
        assert_eq!(paged.warnings[0].summary, Warning::BACKUPS_CHANGED);
        assert!(paged.warnings[0].detail.contains("1 backup(s)"));
    }

    #[test]
    fn items_without_id_are_kept() {
        let mut pager: Pager<Option<String>> = Pager::new();
        assert_eq!(pager.next_batch(), vec![0]);
        let step = pager.accept(0, Some(2), vec![None, None], |item| item.as_deref());
        assert_eq!(step, Step::Stop);
        assert!(pager.next_batch().is_empty());
        assert_eq!(pager.finish().items.len(), 2);
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
        assert_eq!(paged.warnings[0].summary, Warning::BACKUPS_CHANGED);
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
        assert_eq!(warning.summary, Warning::TOTAL_COUNT_TOO_LOW);
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
            with_summary(&paged, Warning::TOTAL_COUNT_TOO_LOW).len(),
            1,
            "{:?}",
            paged.warnings
        );
        assert!(with_summary(&paged, Warning::BACKUPS_CHANGED).is_empty());
    }

    #[test]
    fn full_pages_beyond_the_total_are_bounded_by_the_page_limit() {
        let (paged, requested) = read_all(|offset, _| (Some(150), ids(offset..offset + PAGE_SIZE)));
        assert_eq!(requested.len() as u64, MAX_PAGES);
        assert_eq!(paged.pages, MAX_PAGES);
        assert_eq!(with_summary(&paged, Warning::PAGE_LIMIT_REACHED).len(), 1);
        assert_eq!(with_summary(&paged, Warning::TOTAL_COUNT_TOO_LOW).len(), 1);
    }

    #[test]
    fn missing_total_on_the_first_page_only_is_not_invented() {
        let (paged, requested) = read_all(|offset, _| match offset {
            0 => (None, ids(0..100)),
            _ => (Some(150), ids(100..150)),
        });
        assert_eq!(requested, vec![0, 100]);
        assert_eq!(paged.total_count, None);
        let missing = with_summary(&paged, Warning::TOTAL_COUNT_MISSING);
        assert_eq!(missing.len(), 1, "{:?}", paged.warnings);
        assert!(missing[0].detail.contains("offset 0)"), "{missing:?}");
    }
}
