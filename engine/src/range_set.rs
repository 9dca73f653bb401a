//! A set of pages kept as sorted, non-overlapping, non-adjacent ranges.
//!
//! Used for "what changed": the pages a disk has written or cleared since its
//! last incremental snapshot, and the pages each snapshot changed relative to
//! the one before it. Persistent (`imbl::OrdMap`), so handing a disk's set to
//! a new snapshot is O(1).
//!
//! A set read from a checkpoint may be *pending*, as a page map may (see
//! `page_map`): its page and range counts are known, its ranges decoded on
//! first access. A day's oldest snapshot changed as many ranges as the day
//! wrote, and opening a lab must not build them (issue 20 item 9).

use std::sync::{Arc, OnceLock};

use imbl::OrdMap;

use crate::page_map::PageRange;

#[derive(Clone, Default)]
pub struct RangeSet {
    /// start page → end page (exclusive); unused while `pending` is set.
    ranges: OrdMap<u64, u64>,
    pages: u64,
    /// Shared by clones, so one decode serves them all.
    pending: Option<Arc<Pending>>,
}

struct Pending {
    decoded: OnceLock<OrdMap<u64, u64>>,
    decode: Box<dyn Fn() -> RangeSet + Send + Sync>,
    count: usize,
}

impl std::fmt::Debug for RangeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangeSet")
            .field("ranges", self.ranges())
            .field("pages", &self.pages)
            .finish()
    }
}

impl PartialEq for RangeSet {
    fn eq(&self, other: &Self) -> bool {
        self.pages == other.pages && self.ranges() == other.ranges()
    }
}

impl Eq for RangeSet {}

impl RangeSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of `count` ranges and `pages` pages that `decode` builds when
    /// first read. `decode` must not fail (its input was checked before)
    /// and must build exactly that many ranges and pages.
    pub fn pending(
        count: usize,
        pages: u64,
        decode: impl Fn() -> RangeSet + Send + Sync + 'static,
    ) -> Self {
        RangeSet {
            ranges: OrdMap::new(),
            pages,
            pending: Some(Arc::new(Pending {
                decoded: OnceLock::new(),
                decode: Box::new(decode),
                count,
            })),
        }
    }

    /// Whether this set is still encoded (nothing has read its ranges).
    pub fn is_pending(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.decoded.get().is_none())
    }

    /// The ranges, decoding a pending set on first use.
    fn ranges(&self) -> &OrdMap<u64, u64> {
        match &self.pending {
            None => &self.ranges,
            Some(p) => p.decoded.get_or_init(|| (p.decode)().ranges().clone()),
        }
    }

    /// Makes the set an ordinary one before it changes.
    fn settle(&mut self) {
        if self.pending.is_some() {
            self.ranges = self.ranges().clone();
            self.pending = None;
        }
    }

    pub fn from_ranges(ranges: impl IntoIterator<Item = PageRange>) -> Self {
        let mut set = RangeSet::new();
        let mut last_end = None;
        for range in ranges {
            if range.is_empty() {
                continue;
            }
            // Sorted and apart from the last (as a page map's written
            // ranges come): nothing to merge, so no lookups. Else merged.
            if last_end.is_some_and(|end| range.start > end) || set.ranges.is_empty() {
                set.ranges.insert(range.start, range.end);
                set.pages += range.end - range.start;
                last_end = Some(range.end);
            } else {
                set.insert(range);
                last_end = set.ranges.iter().next_back().map(|(_, e)| *e);
            }
        }
        set
    }

    /// Pages in the set.
    pub fn page_count(&self) -> u64 {
        self.pages
    }

    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// Number of separate ranges.
    pub fn range_count(&self) -> usize {
        match &self.pending {
            Some(p) if p.decoded.get().is_none() => p.count,
            _ => self.ranges().len(),
        }
    }

    /// Adds `range`, merging it with any range it touches.
    pub fn insert(&mut self, range: PageRange) {
        self.settle();
        if range.is_empty() {
            return;
        }
        let (mut start, mut end) = (range.start, range.end);
        // A range starting at or before `start` that reaches it (touching counts).
        if let Some((&s, &e)) = self.ranges.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
            }
        }
        // Every range starting inside [start, end] is swallowed.
        let swallowed: Vec<(u64, u64)> = self
            .ranges
            .range(start..=end)
            .map(|(s, e)| (*s, *e))
            .collect();
        for (s, e) in swallowed {
            self.ranges.remove(&s);
            self.pages -= e - s;
            end = end.max(e);
        }
        self.ranges.insert(start, end);
        self.pages += end - start;
    }

    /// Adds every range of `other`. The smaller set is merged into the
    /// larger (a persistent clone of the larger is O(1)), so the work
    /// follows the smaller one.
    pub fn union_with(&mut self, other: &RangeSet) {
        if other.range_count() > self.range_count() {
            let small = std::mem::replace(self, other.clone());
            for range in small.iter() {
                self.insert(range);
            }
        } else {
            for range in other.iter() {
                self.insert(range);
            }
        }
    }

    /// The pages in both sets; the work follows the set with fewer ranges
    /// (and the parts of the other it overlaps).
    pub fn intersection(&self, other: &RangeSet) -> RangeSet {
        let (small, large) = if self.range_count() <= other.range_count() {
            (self, other)
        } else {
            (other, self)
        };
        let mut out = RangeSet::new();
        for range in small.iter() {
            for piece in large.clipped(range) {
                out.insert(piece);
            }
        }
        out
    }

    /// The ranges in offset order.
    pub fn iter(&self) -> impl Iterator<Item = PageRange> + '_ {
        self.ranges().iter().map(|(s, e)| PageRange::new(*s, *e))
    }

    /// The parts of the set inside `window`, clipped to it.
    pub fn clipped(&self, window: PageRange) -> impl Iterator<Item = PageRange> + '_ {
        let ranges = self.ranges();
        let before = ranges
            .range(..window.start)
            .next_back()
            .filter(|(_, e)| **e > window.start);
        before
            .into_iter()
            .chain(ranges.range(window.start..window.end))
            .map(move |(s, e)| PageRange::new((*s).max(window.start), (*e).min(window.end)))
            .filter(|r| !r.is_empty())
    }

    pub fn contains(&self, page: u64) -> bool {
        self.ranges()
            .range(..=page)
            .next_back()
            .is_some_and(|(_, e)| *e > page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u64, end: u64) -> PageRange {
        PageRange::new(start, end)
    }

    #[test]
    fn inserts_merge_overlapping_and_touching_ranges() {
        let mut set = RangeSet::new();
        set.insert(r(10, 20));
        set.insert(r(30, 40));
        assert_eq!(set.page_count(), 20);
        set.insert(r(20, 25)); // touches 10..20
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![r(10, 25), r(30, 40)]);
        set.insert(r(5, 35)); // swallows both
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![r(5, 40)]);
        assert_eq!(set.page_count(), 35);
        set.insert(r(6, 7)); // inside
        assert_eq!(set.page_count(), 35);
        assert!(set.contains(39) && !set.contains(40) && !set.contains(4));
    }

    proptest::proptest! {
        /// The fast path for sorted input builds exactly what inserting one
        /// by one builds, sorted, touching, overlapping or shuffled.
        #[test]
        fn from_ranges_is_one_insert_after_another(
            ranges in proptest::collection::vec((0u64..200, 0u64..12), 0..40),
            sort in proptest::prelude::any::<bool>(),
        ) {
            let mut ranges: Vec<PageRange> = ranges.into_iter().map(|(s, n)| r(s, s + n)).collect();
            if sort {
                ranges.sort_by_key(|r| r.start);
            }
            let mut one_by_one = RangeSet::new();
            for range in &ranges {
                one_by_one.insert(*range);
            }
            proptest::prop_assert_eq!(RangeSet::from_ranges(ranges), one_by_one);
        }
    }

    #[test]
    fn clipped_returns_only_the_window() {
        let set = RangeSet::from_ranges([r(0, 10), r(20, 30), r(40, 50)]);
        assert_eq!(
            set.clipped(r(5, 45)).collect::<Vec<_>>(),
            vec![r(5, 10), r(20, 30), r(40, 45)]
        );
        assert_eq!(set.clipped(r(10, 20)).count(), 0);
    }
}
