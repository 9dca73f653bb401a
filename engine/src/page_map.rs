//! The sparse map of a disk's written pages.
//!
//! A [`PageMap`] is an ordered map from a first page to an [`Extent`]: a run
//! of consecutive pages and the payload it holds. Pages in no extent were
//! never written or were cleared, and read as zeros (rule A11: page blobs are
//! sparse). Only written ranges cost memory, so a 32 TiB disk with one write
//! is one entry.
//!
//! The map is persistent (`imbl::OrdMap`, a B-tree with structural sharing):
//! cloning it is O(1), and a clone that is later changed copies only the
//! touched nodes. That is what lets a snapshot keep the disk's map as it was
//! without copying a million ranges.
//!
//! A map read from a checkpoint may also be *pending*: its encoded bytes
//! (already checked when the checkpoint was opened) and how to decode them,
//! decoded on first access through any accessor below. Opening a large lab
//! then costs nothing for the maps a command never reads (`az group list`
//! reads none); [`decoded_maps`] counts the decodes so tests can see it.

use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use imbl::OrdMap;

use crate::payload::Payload;
use crate::units::PAGE_SIZE;

/// A run of written pages holding consecutive pages of one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extent {
    /// Number of pages in the run (at least one).
    pub pages: u64,
    /// What the pages hold.
    pub payload: Payload,
    /// Which page of the payload the run's first page is.
    pub origin: u64,
}

/// A half-open range of pages, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageRange {
    pub start: u64,
    pub end: u64,
}

impl PageRange {
    pub fn new(start: u64, end: u64) -> Self {
        debug_assert!(start <= end);
        PageRange { start, end }
    }
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

#[derive(Clone, Default)]
pub struct PageMap {
    /// The extents, unless `pending` is set (then this is empty, unused).
    extents: OrdMap<u64, Extent>,
    /// Kept up to date on every change so "used size" is O(1); a pending
    /// map knows it without decoding (the checkpoint stores it).
    written_pages: u64,
    /// Shared by clones, so a map decoded through one clone is decoded for
    /// all (and keeps the structural sharing the decode builds).
    pending: Option<Arc<Pending>>,
}

type Decode = Box<dyn Fn() -> PageMap + Send + Sync>;

struct Pending {
    /// The extents and their written pages, once decoded.
    decoded: OnceLock<(OrdMap<u64, Extent>, u64)>,
    decode: Decode,
}

thread_local! {
    static DECODED: Cell<u64> = const { Cell::new(0) };
}

/// How many pending maps this thread has decoded so far: what opening a lab
/// and running a command cost in page maps (per thread, so tests running in
/// parallel do not see each other's).
pub fn decoded_maps() -> u64 {
    DECODED.with(Cell::get)
}

impl std::fmt::Debug for PageMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageMap")
            .field("extents", self.extents())
            .field("written_pages", &self.written_pages())
            .finish()
    }
}

impl PartialEq for PageMap {
    fn eq(&self, other: &Self) -> bool {
        self.written_pages() == other.written_pages() && self.extents() == other.extents()
    }
}

impl Eq for PageMap {}

impl PageMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// A map of `written_pages` that `decode` builds when first read.
    /// `decode` must not fail (its input was checked before) and must build
    /// a map of exactly `written_pages`.
    pub fn pending(
        written_pages: u64,
        decode: impl Fn() -> PageMap + Send + Sync + 'static,
    ) -> Self {
        PageMap {
            extents: OrdMap::new(),
            written_pages,
            pending: Some(Arc::new(Pending {
                decoded: OnceLock::new(),
                decode: Box::new(decode),
            })),
        }
    }

    /// Whether this map is still encoded (nothing has read it yet).
    pub fn is_pending(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.decoded.get().is_none())
    }

    /// The extents, decoding a pending map on first use.
    fn extents(&self) -> &OrdMap<u64, Extent> {
        match &self.pending {
            None => &self.extents,
            Some(pending) => &Self::decoded(pending).0,
        }
    }

    fn decoded(pending: &Pending) -> &(OrdMap<u64, Extent>, u64) {
        pending.decoded.get_or_init(|| {
            DECODED.with(|n| n.set(n.get() + 1));
            let map = (pending.decode)();
            (map.extents().clone(), map.written_pages)
        })
    }

    /// Makes the map an ordinary one before it changes (O(1) once decoded).
    /// The decoded count wins over the stored one: the bookkeeping of
    /// `remove` must match the extents it removes.
    fn settle(&mut self) {
        if let Some(pending) = self.pending.take() {
            let (extents, written) = Self::decoded(&pending).clone();
            self.extents = extents;
            self.written_pages = written;
        }
    }

    /// How many pages hold data.
    pub fn written_pages(&self) -> u64 {
        match self.pending.as_ref().and_then(|p| p.decoded.get()) {
            Some((_, written)) => *written,
            None => self.written_pages,
        }
    }

    /// How many extents the map holds (the "written ranges" of the benchmarks).
    pub fn extent_count(&self) -> usize {
        self.extents().len()
    }

    /// Records that `range` now holds pages `origin..` of `payload`,
    /// replacing whatever was there.
    pub fn write(&mut self, range: PageRange, payload: Payload, origin: u64) {
        if range.is_empty() {
            return;
        }
        self.settle();
        self.remove(range);
        self.extents.insert(
            range.start,
            Extent {
                pages: range.len(),
                payload,
                origin,
            },
        );
        self.written_pages += range.len();
    }

    /// Forgets the pages of `range`: they read as zeros again (TRIM, rule A10).
    pub fn clear(&mut self, range: PageRange) {
        self.settle();
        self.remove(range);
    }

    /// Fills `out` (a whole number of pages) with the contents of the pages
    /// starting at `first_page`; unwritten pages read as zeros.
    pub fn read_into(&self, first_page: u64, out: &mut [u8]) {
        let page = PAGE_SIZE as usize;
        debug_assert_eq!(out.len() % page, 0);
        out.fill(0);
        let wanted = PageRange::new(first_page, first_page + (out.len() / page) as u64);
        for (start, extent) in self.overlapping(wanted) {
            let from = start.max(wanted.start);
            let to = (start + extent.pages).min(wanted.end);
            for p in from..to {
                let at = ((p - wanted.start) as usize) * page;
                extent
                    .payload
                    .materialise_page(extent.origin + (p - start), &mut out[at..at + page]);
            }
        }
    }

    /// The written ranges in offset order, adjacent ones merged.
    pub fn written_ranges(&self) -> Vec<PageRange> {
        let mut out: Vec<PageRange> = Vec::new();
        for (&start, extent) in self.extents().iter() {
            let end = start + extent.pages;
            match out.last_mut() {
                Some(last) if last.end == start => last.end = end,
                _ => out.push(PageRange::new(start, end)),
            }
        }
        out
    }

    /// The blobs of real bytes that pages in `range` hold.
    pub fn blobs_in(&self, range: PageRange) -> std::collections::BTreeSet<u64> {
        self.overlapping(range)
            .filter_map(|(_, extent)| extent.payload.blob())
            .collect()
    }

    /// Every blob the map refers to (visits every extent: use for deletions only).
    pub fn all_blobs(&self) -> std::collections::BTreeSet<u64> {
        self.extents()
            .values()
            .filter_map(|extent| extent.payload.blob())
            .collect()
    }

    /// Extents that share at least one page with `range`, in offset order.
    pub fn overlapping(&self, range: PageRange) -> impl Iterator<Item = (u64, &Extent)> + '_ {
        // The extent that starts before `range` may still reach into it.
        let extents = self.extents();
        let before = extents
            .range(..range.start)
            .next_back()
            .filter(|(start, extent)| *start + extent.pages > range.start);
        before
            .into_iter()
            .chain(extents.range(range.start..range.end))
            .map(|(start, extent)| (*start, extent))
    }

    /// Removes every written page in `range`, splitting extents that stick out.
    fn remove(&mut self, range: PageRange) {
        if range.is_empty() {
            return;
        }
        self.split_at(range.start);
        self.split_at(range.end);
        let doomed: Vec<u64> = self
            .extents
            .range(range.start..range.end)
            .map(|(start, _)| *start)
            .collect();
        for start in doomed {
            if let Some(extent) = self.extents.remove(&start) {
                self.written_pages -= extent.pages;
            }
        }
    }

    /// Makes `page` the first page of an extent if an extent covers it.
    fn split_at(&mut self, page: u64) {
        let Some((&start, extent)) = self.extents.range(..page).next_back() else {
            return;
        };
        if start + extent.pages <= page {
            return;
        }
        let head = page - start;
        let tail = Extent {
            pages: extent.pages - head,
            payload: extent.payload.clone(),
            origin: extent.origin + head,
        };
        if let Some(first) = self.extents.get_mut(&start) {
            first.pages = head;
        }
        self.extents.insert(page, tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::PatternKind;

    fn fill(byte: u8) -> Payload {
        Payload::pattern(PatternKind::Fill, byte as u64)
    }

    fn read(map: &PageMap, first: u64, pages: u64) -> Vec<u8> {
        let mut out = vec![0xEE; (pages * PAGE_SIZE) as usize];
        map.read_into(first, &mut out);
        out
    }

    #[test]
    fn unwritten_pages_read_as_zeros() {
        let map = PageMap::new();
        assert_eq!(read(&map, 1_000_000, 2), vec![0u8; 1024]);
        assert_eq!(map.written_pages(), 0);
    }

    #[test]
    fn overwriting_the_middle_splits_an_extent() {
        let mut map = PageMap::new();
        map.write(PageRange::new(0, 10), fill(1), 0);
        map.write(PageRange::new(4, 6), fill(2), 0);
        assert_eq!(map.extent_count(), 3);
        assert_eq!(map.written_pages(), 10);
        let bytes = read(&map, 0, 10);
        assert!(bytes[..4 * 512].iter().all(|&b| b == 1));
        assert!(bytes[4 * 512..6 * 512].iter().all(|&b| b == 2));
        assert!(bytes[6 * 512..].iter().all(|&b| b == 1));
        assert_eq!(map.written_ranges(), vec![PageRange::new(0, 10)]);
    }

    #[test]
    fn split_bytes_extent_keeps_its_origin() {
        let mut data = Vec::new();
        for page in 0..4u8 {
            data.extend(std::iter::repeat_n(page + 10, 512));
        }
        let mut map = PageMap::new();
        map.write(PageRange::new(100, 104), Payload::bytes(1, data), 0);
        map.clear(PageRange::new(101, 102));
        assert_eq!(map.written_pages(), 3);
        assert_eq!(read(&map, 100, 1), vec![10u8; 512]);
        assert_eq!(read(&map, 101, 1), vec![0u8; 512]);
        assert_eq!(read(&map, 102, 1), vec![12u8; 512]);
        assert_eq!(read(&map, 103, 1), vec![13u8; 512]);
        assert_eq!(
            map.written_ranges(),
            vec![PageRange::new(100, 101), PageRange::new(102, 104)]
        );
    }

    #[test]
    fn a_pending_map_decodes_once_for_all_its_clones_and_settles_on_change() {
        let pending = PageMap::pending(10, || {
            let mut map = PageMap::new();
            map.write(PageRange::new(0, 10), fill(3), 0);
            map
        });
        let start = decoded_maps();
        let mut changed = pending.clone();
        assert_eq!(pending.written_pages(), 10);
        assert!(pending.is_pending());
        assert_eq!(decoded_maps(), start, "the count needs no decode");
        assert_eq!(read(&pending, 9, 1), vec![3u8; 512]);
        assert_eq!(decoded_maps(), start + 1);
        changed.clear(PageRange::new(0, 5));
        assert_eq!(decoded_maps(), start + 1, "the clone shares the decode");
        assert_eq!(changed.written_pages(), 5);
        assert_eq!(read(&changed, 0, 1), vec![0u8; 512]);
        assert_eq!(read(&pending, 0, 1), vec![3u8; 512]);
    }

    #[test]
    fn a_clone_is_unaffected_by_later_writes() {
        let mut map = PageMap::new();
        map.write(PageRange::new(0, 1), fill(7), 0);
        let frozen = map.clone();
        map.write(PageRange::new(0, 1), fill(8), 0);
        assert_eq!(read(&frozen, 0, 1), vec![7u8; 512]);
        assert_eq!(read(&map, 0, 1), vec![8u8; 512]);
    }
}
