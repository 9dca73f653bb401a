//! What the block map shows: each cell of the map is a run of pages, and its
//! state says what those pages hold. Pure logic, tested natively; the
//! component in `components/block_map.rs` only draws it.
//!
//! The map aggregates: a 32 TiB disk has 68 billion pages, so a cell may
//! stand for billions of them. One pass over the written extents and the
//! changed ranges inside the view classifies every cell, whatever the zoom.

use snaplab_engine::page_map::{PageMap, PageRange};
use snaplab_engine::range_set::RangeSet;

/// A cell's state, in order of precedence when its pages differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellState {
    /// No page holds data and none changed since the last snapshot.
    Never,
    /// Pages hold data that the last incremental snapshot already has.
    Snapshotted,
    /// Pages were cleared (TRIM) since the last snapshot and hold nothing.
    Cleared,
    /// Pages were written since the last snapshot (the next one will hold them).
    Changed,
}

/// Which pages the map shows and how many pages a cell stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub first_page: u64,
    pub pages_per_cell: u64,
    pub cells: u64,
    pub disk_pages: u64,
}

/// How much one zoom step multiplies or divides the pages per cell.
pub const ZOOM_STEP: u64 = 16;

impl View {
    /// The whole disk in `cells` cells.
    pub fn whole(disk_pages: u64, cells: u64) -> View {
        View {
            first_page: 0,
            pages_per_cell: disk_pages.div_ceil(cells).max(1),
            cells,
            disk_pages,
        }
    }

    pub fn last_page(&self) -> u64 {
        (self.first_page + self.pages_per_cell * self.cells).min(self.disk_pages)
    }

    /// The pages of cell `i` (clipped to the disk; empty past its end).
    pub fn cell_range(&self, i: u64) -> PageRange {
        let start = (self.first_page + i * self.pages_per_cell).min(self.disk_pages);
        PageRange::new(start, (start + self.pages_per_cell).min(self.disk_pages))
    }

    /// The cell holding `page`, if it is in view.
    pub fn cell_of(&self, page: u64) -> Option<u64> {
        (page >= self.first_page && page < self.last_page())
            .then(|| (page - self.first_page) / self.pages_per_cell)
    }

    /// The closest view that shows all of `pages` (the data on a disk), with
    /// a margin of a tenth on each side: "zoom to the data", so a trainer's
    /// 64 MiB on a 32 TiB disk is cells, not a speck. None when `pages` is empty.
    pub fn around(&self, pages: PageRange) -> Option<View> {
        if pages.is_empty() {
            return None;
        }
        let margin = pages.len() / 10;
        let want = PageRange::new(
            pages.start.saturating_sub(margin),
            (pages.end + margin).min(self.disk_pages),
        );
        let per = want.len().div_ceil(self.cells).max(1);
        // Cells start at multiples of their size: widen until the window,
        // aligned down, still reaches the end of the data.
        let mut per = per;
        loop {
            let first = want.start / per * per;
            if first + per * self.cells >= want.end || per >= self.disk_pages {
                return Some(self.with(per, first));
            }
            per += per.div_ceil(8);
        }
    }

    /// Zooms in around cell `i`, down to one page a cell.
    pub fn zoom_in(&self, i: u64) -> View {
        let per = (self.pages_per_cell / ZOOM_STEP).max(1);
        let center = self.cell_range(i).start + self.pages_per_cell / 2;
        self.with(per, center.saturating_sub(per * self.cells / 2))
    }

    /// Zooms out around the middle of the view, up to the whole disk.
    pub fn zoom_out(&self) -> View {
        let whole = View::whole(self.disk_pages, self.cells);
        let per = (self.pages_per_cell * ZOOM_STEP).min(whole.pages_per_cell);
        let center = self.first_page + self.pages_per_cell * self.cells / 2;
        self.with(per, center.saturating_sub(per * self.cells / 2))
    }

    /// The same zoom, starting at (about) `first_page`.
    pub fn moved_to(&self, first_page: u64) -> View {
        self.with(self.pages_per_cell, first_page)
    }

    /// Moves the view by `cells` cells (negative: towards the start).
    pub fn pan(&self, cells: i64) -> View {
        let delta = cells.unsigned_abs() * self.pages_per_cell;
        let first = if cells < 0 {
            self.first_page.saturating_sub(delta)
        } else {
            self.first_page + delta
        };
        self.with(self.pages_per_cell, first)
    }

    fn with(&self, pages_per_cell: u64, first_page: u64) -> View {
        let span = pages_per_cell * self.cells;
        // The last cells may reach past the end of the disk (they show as empty).
        let max_first =
            (self.disk_pages.div_ceil(pages_per_cell) * pages_per_cell).saturating_sub(span);
        // Cells start at multiples of their size, so a cell's contents do not shift while panning.
        let first_page = first_page.min(max_first) / pages_per_cell * pages_per_cell;
        View {
            first_page,
            pages_per_cell,
            cells: self.cells,
            disk_pages: self.disk_pages,
        }
    }
}

/// Per-cell page counts, from which the state follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    written_changed: u64,
    written_unchanged: u64,
    cleared_changed: u64,
}

/// Classifies every cell of `view` from a disk's page map and its set of
/// pages changed since the last incremental snapshot.
pub fn classify(map: &PageMap, changed: &RangeSet, view: &View) -> Vec<CellState> {
    let window = PageRange::new(view.first_page, view.last_page());
    let mut counts = vec![Counts::default(); view.cells as usize];
    let mut add = |start: u64, end: u64, written: bool, is_changed: bool| {
        // A segment may cover many cells (zoomed in) or part of one (zoomed out).
        let mut at = start;
        while at < end {
            let cell = (at - view.first_page) / view.pages_per_cell;
            let cell_end = (view.first_page + (cell + 1) * view.pages_per_cell).min(end);
            let n = cell_end - at;
            let c = &mut counts[cell as usize];
            match (written, is_changed) {
                (true, true) => c.written_changed += n,
                (true, false) => c.written_unchanged += n,
                (false, true) => c.cleared_changed += n,
                (false, false) => {}
            }
            at = cell_end;
        }
    };

    // Sweep the written extents and the changed ranges together, in page
    // order. Both are sorted and non-overlapping already, so this is one
    // linear merge: no sorting, no buffers, O(extents + changes + cells).
    let mut written = map
        .overlapping(window)
        .map(|(start, e)| {
            PageRange::new(start.max(window.start), (start + e.pages).min(window.end))
        })
        .peekable();
    let mut changes = changed.clipped(window).peekable();
    let mut pos = window.start;
    while pos < window.end {
        while written.peek().is_some_and(|r| r.end <= pos) {
            written.next();
        }
        while changes.peek().is_some_and(|r| r.end <= pos) {
            changes.next();
        }
        let (w, c) = (written.peek().copied(), changes.peek().copied());
        let in_written = w.is_some_and(|r| r.start <= pos);
        let in_changed = c.is_some_and(|r| r.start <= pos);
        // The next place where either set starts or ends.
        let boundary = |r: Option<PageRange>, inside: bool| match r {
            Some(r) if inside => r.end,
            Some(r) => r.start,
            None => window.end,
        };
        let next = boundary(w, in_written)
            .min(boundary(c, in_changed))
            .min(window.end);
        if in_written || in_changed {
            add(pos, next, in_written, in_changed);
        }
        pos = next;
    }

    counts
        .into_iter()
        .map(|c| {
            if c.written_changed > 0 {
                CellState::Changed
            } else if c.cleared_changed > 0 {
                CellState::Cleared
            } else if c.written_unchanged > 0 {
                CellState::Snapshotted
            } else {
                CellState::Never
            }
        })
        .collect()
}

#[cfg(test)]
mod around_tests {
    use super::*;

    #[test]
    fn zoom_to_the_data_shows_all_of_it_in_most_of_the_cells() {
        let whole = View::whole(68_719_476_736 / 512 * 1024, 64 * 20); // 32 TiB
                                                                       // 64 MiB at 1 TiB.
        let data = PageRange::new(2 << 30, (2 << 30) + 131_072);
        let v = whole.around(data).unwrap();
        assert!(
            v.first_page <= data.start && v.last_page() >= data.end,
            "{v:?}"
        );
        let used_cells = data.len().div_ceil(v.pages_per_cell);
        assert!(
            used_cells * 10 >= v.cells * 6,
            "the data fills most of the map: {used_cells} of {}",
            v.cells
        );
        assert!(whole.around(PageRange::new(5, 5)).is_none());
        // A single page zooms to one page a cell.
        let one = whole.around(PageRange::new(7, 8)).unwrap();
        assert_eq!(one.pages_per_cell, 1);
        assert!(one.cell_of(7).is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snaplab_engine::{PatternKind, Payload};

    fn fill() -> Payload {
        Payload::pattern(PatternKind::Fill, 1)
    }

    #[test]
    fn cells_show_written_snapshotted_changed_and_cleared_pages() {
        let mut map = PageMap::new();
        map.write(PageRange::new(0, 10), fill(), 0); // snapshotted
        map.write(PageRange::new(20, 25), fill(), 0); // changed since
        let changed = RangeSet::from_ranges([PageRange::new(20, 25), PageRange::new(30, 35)]); // 30..35 cleared
        let view = View {
            first_page: 0,
            pages_per_cell: 10,
            cells: 5,
            disk_pages: 50,
        };
        use CellState::*;
        assert_eq!(
            classify(&map, &changed, &view),
            vec![Snapshotted, Never, Changed, Cleared, Never]
        );
    }

    #[test]
    fn a_cell_with_mixed_pages_shows_the_most_important_state() {
        let mut map = PageMap::new();
        map.write(PageRange::new(0, 5), fill(), 0);
        map.write(PageRange::new(7, 8), fill(), 0);
        let changed = RangeSet::from_ranges([PageRange::new(7, 9)]);
        let view = View {
            first_page: 0,
            pages_per_cell: 10,
            cells: 1,
            disk_pages: 10,
        };
        assert_eq!(classify(&map, &changed, &view), vec![CellState::Changed]);
    }

    #[test]
    fn a_32_tib_disk_aggregates_and_zooms_down_to_single_pages() {
        let pages = 32_767 * 2 * 1024 * 1024; // 32,767 GiB in 512-byte pages
        let mut map = PageMap::new();
        map.write(PageRange::new(pages - 3, pages - 2), fill(), 0);
        let changed = RangeSet::new();
        let whole = View::whole(pages, 2048);
        let cells = classify(&map, &changed, &whole);
        assert_eq!(cells.len(), 2048);
        assert_eq!(
            cells
                .iter()
                .filter(|c| **c == CellState::Snapshotted)
                .count(),
            1
        );
        assert_eq!(*cells.last().unwrap(), CellState::Snapshotted);

        // Zoom in on the last cell until a cell is one page.
        let mut view = whole;
        while view.pages_per_cell > 1 {
            view = view.zoom_in(view.cell_of(pages - 3).expect("in view"));
        }
        assert_eq!(view.pages_per_cell, 1);
        let cells = classify(&map, &changed, &view);
        let i = view.cell_of(pages - 3).unwrap() as usize;
        assert_eq!(cells[i], CellState::Snapshotted);
        assert_eq!(cells[i + 1], CellState::Never);
        assert!(view.last_page() <= pages);
        // And back out to the whole disk.
        let mut out = view;
        for _ in 0..20 {
            out = out.zoom_out();
        }
        assert_eq!(out, whole);
    }

    #[test]
    fn panning_stays_inside_the_disk() {
        let whole = View::whole(1 << 20, 256);
        let zoomed = whole.zoom_in(0);
        assert_eq!(zoomed.first_page, 0);
        assert_eq!(zoomed.pan(-5).first_page, 0);
        let far = zoomed.pan(1 << 40);
        assert_eq!(far.last_page(), 1 << 20);
        assert!(far.first_page + far.pages_per_cell * far.cells >= 1 << 20);
        assert_eq!(
            far.pan(-1).first_page,
            far.first_page - zoomed.pages_per_cell
        );
    }
}
