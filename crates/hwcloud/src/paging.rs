//! Offset paging arithmetic, independent of HTTP so it can be tested exhaustively.
//!
//! Strategy: read offset 0 first; its `total_count` tells which further offsets exist, and those
//! are fetched concurrently by the caller but fed back here in offset order. Reading ends at the
//! first empty or short page, or when the highest reported total is covered. When the total
//! grows during the read, full pages keep the read going up to the new total, but never beyond
//! [`MAX_PAGES`]. Items seen twice (pages shift when backups are created or deleted meanwhile)
//! are kept once, at their first offset, and every irregularity becomes a human warning rather
//! than an error: the caller gets the best list the API would give.

use std::collections::{BTreeSet, HashSet};

/// Items requested per page: the API maximum, so that a list needs as few requests as possible.
pub const PAGE_SIZE: u64 = 100;
/// Hard bound on pages per list, so a misbehaving server cannot make a read endless.
pub const MAX_PAGES: u64 = 1000;
/// Duplicate ids quoted in a warning; the rest are only counted.
const MAX_QUOTED_IDS: usize = 5;

/// Pages needed for `total` items (0 for 0 items; the first request is always made anyway).
pub fn page_count(total: u64) -> u64 {
    total.div_ceil(PAGE_SIZE)
}

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
    /// `total_count` of the first page; the number of items when the API never reported one.
    pub total_count: u64,
    pub warnings: Vec<String>,
    /// Pages accepted.
    pub pages: u64,
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
    total_missing: bool,
    next_offset: u64,
    pages: u64,
    finished: bool,
    short_page: Option<(u64, usize)>,
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
            total_missing: false,
            next_offset: 0,
            pages: 0,
            finished: false,
            short_page: None,
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
        let end = match self.max_total {
            Some(total) => total,
            // Without a total, read one page at a time until a short page.
            None => self.next_offset.saturating_add(1),
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
        match total {
            Some(total) => {
                self.first_total.get_or_insert(total);
                self.max_total = Some(self.max_total.map_or(total, |max| max.max(total)));
                self.totals_seen.insert(total);
            }
            None => self.total_missing = true,
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
        if (len as u64) < PAGE_SIZE {
            self.short_page = Some((offset, len));
            self.finished = true;
            return Step::Stop;
        }
        Step::Continue
    }

    /// The assembled items and the warnings describing anything irregular.
    pub fn finish(self) -> Paged<T> {
        let mut warnings = Vec::new();
        if self.totals_seen.len() > 1 {
            let totals: Vec<String> = self.totals_seen.iter().map(u64::to_string).collect();
            warnings.push(format!(
                "The number of backups changed while the list was being read (total_count \
                 values seen: {}); backups were probably created or deleted meanwhile, so the \
                 list may be incomplete.",
                totals.join(", ")
            ));
        }
        if !self.duplicate_ids.is_empty() {
            let quoted: Vec<&str> = self
                .duplicate_ids
                .iter()
                .take(MAX_QUOTED_IDS)
                .map(String::as_str)
                .collect();
            let more = self.duplicate_ids.len().saturating_sub(MAX_QUOTED_IDS);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            warnings.push(format!(
                "{} backup(s) appeared on more than one page and are listed once: {}{more}.",
                self.duplicate_ids.len(),
                quoted.join(", ")
            ));
        }
        if let (Some((offset, len)), Some(max_total)) = (self.short_page, self.max_total) {
            let read_up_to = offset.saturating_add(len as u64);
            if read_up_to < max_total {
                warnings.push(format!(
                    "The API reported total_count {max_total} but the page at offset {offset} \
                     held only {len} backup(s); the list may be incomplete."
                ));
            }
        }
        if self.total_missing {
            warnings.push(
                "The API response did not include total_count; pages were read until a \
                 short page."
                    .to_owned(),
            );
        }
        if self.hit_page_limit {
            warnings.push(format!(
                "Stopped after reading {MAX_PAGES} pages; the list may be incomplete."
            ));
        }
        let total_count = self.first_total.unwrap_or(self.items.len() as u64);
        Paged {
            items: self.items,
            total_count,
            warnings,
            pages: self.pages,
        }
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

    #[test]
    fn page_count_is_ceiling() {
        assert_eq!(page_count(0), 0);
        assert_eq!(page_count(1), 1);
        assert_eq!(page_count(100), 1);
        assert_eq!(page_count(101), 2);
        assert_eq!(page_count(250), 3);
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
            assert_eq!(paged.total_count, total);
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
        assert!(paged.warnings[0].contains("total_count 300"));
        assert!(paged.warnings[0].contains("offset 100"));
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
        assert_eq!(paged.total_count, 200);
        assert_eq!(paged.warnings.len(), 2, "{:?}", paged.warnings);
        assert!(paged.warnings[0].contains("200, 201"));
        assert!(paged.warnings[1].contains("b100"));
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
        assert!(paged.warnings.iter().any(|w| w.contains("Stopped after")));
    }

    #[test]
    fn missing_total_reads_sequentially_until_short_page() {
        let (paged, requested) = read_all(|offset, _| {
            let end = (offset + PAGE_SIZE).min(230);
            (None, ids(offset..end))
        });
        assert_eq!(requested, vec![0, 100, 200]);
        assert_eq!(paged.items, ids(0..230));
        assert_eq!(paged.total_count, 230);
        assert!(
            paged
                .warnings
                .iter()
                .any(|w| w.contains("did not include total_count"))
        );
    }

    #[test]
    fn repeated_ids_within_a_page_are_dropped() {
        let (paged, _) = read_all(|_, _| (Some(3), vec!["a".into(), "b".into(), "a".into()]));
        assert_eq!(paged.items, vec!["a".to_owned(), "b".to_owned()]);
        assert!(paged.warnings.iter().any(|w| w.contains("1 backup(s)")));
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
        assert!(paged.warnings[0].contains("240, 250"));
    }
}
