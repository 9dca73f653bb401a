//! Touch gestures on the block map and its chain: a drag pans the view, a
//! pinch zooms it. Pure logic over pointer positions, tested natively; the
//! component feeds it Pointer Events and sets the view it returns.
//!
//! Positions are in the canvas's CSS pixels; the map is `columns` cells
//! wide, so one cell is `width / columns` pixels. A sideways drag across the
//! whole map moves the view by one screenful (all its cells), so a learner
//! pages through a disk with a few swipes rather than 64 per screen. A pinch
//! zooms one step (the map's `ZOOM_STEP`) each time the fingers' distance
//! grows or shrinks by half again, around the cell between them. Vertical
//! swipes are left to the browser (`touch-action: pan-y`), so the page still
//! scrolls over the map.

use crate::block_cells::View;

/// How far (CSS px) a finger moves before a press becomes a drag, not a tap.
pub const DRAG_SLOP: f64 = 8.0;
/// The change of the fingers' distance that makes one zoom step.
pub const PINCH_STEP: f64 = 1.5;

/// The pointers down on the canvas, and where the gesture started.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gesture {
    /// (pointer id, x, y) of each pointer down, oldest first.
    pointers: Vec<(i32, f64, f64)>,
    /// The drag's origin: x where it started and the view then.
    drag_from: Option<(f64, View)>,
    /// The pinch's distance at its last zoom step.
    pinch_from: Option<f64>,
    /// Did the pointers move enough to be a drag or a pinch? The click a
    /// browser may still send after such a press must not act as a tap.
    moved: bool,
}

impl Gesture {
    /// A pointer touched the canvas.
    pub fn down(&mut self, id: i32, x: f64, y: f64, view: View) {
        self.pointers.retain(|p| p.0 != id);
        self.pointers.push((id, x, y));
        match self.pointers.len() {
            1 => {
                self.drag_from = Some((x, view));
                self.moved = false;
            }
            2 => {
                self.drag_from = None;
                self.pinch_from = Some(self.distance());
            }
            _ => {}
        }
    }

    /// A pointer moved: the view to show instead of `view`, if the gesture
    /// changes it. `width` is the canvas's width in CSS px, `columns` its
    /// cells a row.
    pub fn moved(
        &mut self,
        id: i32,
        at: (f64, f64),
        view: View,
        width: f64,
        columns: u64,
    ) -> Option<View> {
        let (x, y) = at;
        let p = self.pointers.iter_mut().find(|p| p.0 == id)?;
        (p.1, p.2) = (x, y);
        if let Some(from) = self.pinch_from {
            return self.pinch(from, view, width, columns);
        }
        let (x0, view) = self.drag_from?;
        let dx = x - x0;
        if !self.moved && dx.abs() < DRAG_SLOP {
            return None;
        }
        self.moved = true;
        let cells = (dx / width.max(1.0) * view.cells as f64).round() as i64;
        // Dragging right brings earlier pages into view.
        Some(view.pan(-cells))
    }

    /// A pointer left the canvas (up, cancelled or lost).
    pub fn up(&mut self, id: i32) {
        self.pointers.retain(|p| p.0 != id);
        self.drag_from = None;
        if self.pointers.len() < 2 {
            self.pinch_from = None;
        }
    }

    /// Was the last press a drag or a pinch (not a tap)? Asking forgets it.
    pub fn take_moved(&mut self) -> bool {
        std::mem::take(&mut self.moved)
    }

    fn distance(&self) -> f64 {
        match self.pointers.as_slice() {
            [(_, x1, y1), (_, x2, y2), ..] => ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt(),
            _ => 0.0,
        }
    }

    fn pinch(&mut self, from: f64, view: View, width: f64, columns: u64) -> Option<View> {
        let now = self.distance();
        let [(_, x1, y1), (_, x2, y2), ..] = self.pointers.as_slice() else {
            return None;
        };
        let cell_px = width.max(1.0) / columns.max(1) as f64;
        let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let middle = (cy / cell_px).floor().max(0.0) as u64 * columns
            + ((cx / cell_px).floor().max(0.0) as u64).min(columns - 1);
        let next = if now >= from * PINCH_STEP {
            view.zoom_in(middle.min(view.cells - 1))
        } else if now * PINCH_STEP <= from {
            view.zoom_out()
        } else {
            return None;
        };
        self.moved = true;
        self.pinch_from = Some(now);
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: u64 = 64;
    const WIDTH: f64 = 640.0; // 10 px a cell

    /// 1,000,000 pages in 64 × 20 cells, zoomed in so there is room to pan.
    fn view() -> View {
        let whole = View::whole(1_000_000, COLS * 20);
        whole.zoom_in(640)
    }

    #[test]
    fn a_press_that_stays_put_is_a_tap_not_a_drag() {
        let mut g = Gesture::default();
        g.down(1, 100.0, 50.0, view());
        assert_eq!(
            g.moved(1, (105.0, 52.0), view(), WIDTH, COLS),
            None,
            "within the slop"
        );
        g.up(1);
        assert!(!g.take_moved());
    }

    #[test]
    fn a_sideways_drag_across_the_map_pages_by_a_screenful() {
        let v = view();
        let mut g = Gesture::default();
        g.down(1, 600.0, 50.0, v);
        // Leftwards by half the map: half a screen of later pages.
        let half = g.moved(1, (280.0, 50.0), v, WIDTH, COLS).expect("a drag");
        assert_eq!(half, v.pan(v.cells as i64 / 2));
        assert!(half.first_page > v.first_page);
        // Back to where it started: the view it started from, not a sum of steps.
        assert_eq!(g.moved(1, (600.0, 50.0), half, WIDTH, COLS), Some(v));
        g.up(1);
        assert!(g.take_moved(), "the click after a drag is not a tap");
        assert!(!g.take_moved(), "asked once");
    }

    #[test]
    fn dragging_right_at_the_start_of_the_disk_stays_there() {
        let whole = View::whole(1_000_000, COLS * 20).zoom_in(0);
        let mut g = Gesture::default();
        g.down(1, 10.0, 50.0, whole);
        assert_eq!(
            g.moved(1, (400.0, 50.0), whole, WIDTH, COLS)
                .unwrap()
                .first_page,
            0
        );
    }

    #[test]
    fn spreading_two_fingers_zooms_in_around_the_cell_between_them() {
        let whole = View::whole(1_000_000, COLS * 20);
        let mut g = Gesture::default();
        g.down(1, 300.0, 55.0, whole);
        g.down(2, 340.0, 55.0, whole);
        // Not yet half again as far apart.
        assert_eq!(g.moved(2, (355.0, 55.0), whole, WIDTH, COLS), None);
        let zoomed = g
            .moved(2, (365.0, 55.0), whole, WIDTH, COLS)
            .expect("a zoom step");
        // Between the fingers: x 332 → column 33, y 55 → row 5.
        assert_eq!(zoomed, whole.zoom_in(5 * COLS + 33));
        assert!(zoomed.pages_per_cell < whole.pages_per_cell);
        // The next step needs the distance to grow by half again from here.
        assert_eq!(g.moved(2, (380.0, 55.0), zoomed, WIDTH, COLS), None);
        g.up(2);
        g.up(1);
        assert!(g.take_moved());
    }

    #[test]
    fn pinching_two_fingers_together_zooms_out() {
        let v = view();
        let mut g = Gesture::default();
        g.down(1, 100.0, 50.0, v);
        g.down(2, 400.0, 50.0, v);
        assert_eq!(
            g.moved(2, (250.0, 50.0), v, WIDTH, COLS),
            Some(v.zoom_out())
        );
    }

    #[test]
    fn lifting_one_finger_of_a_pinch_does_not_start_a_drag() {
        let v = view();
        let mut g = Gesture::default();
        g.down(1, 100.0, 50.0, v);
        g.down(2, 400.0, 50.0, v);
        g.up(2);
        assert_eq!(g.moved(1, (300.0, 50.0), v, WIDTH, COLS), None);
        assert_eq!(
            g.moved(7, (300.0, 50.0), v, WIDTH, COLS),
            None,
            "an unknown pointer"
        );
    }
}
