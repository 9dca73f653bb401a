//! The block map of a disk, drawn on a `<canvas>`: one cell per run of
//! pages, coloured and patterned by state (so it reads without colour too),
//! with a legend, zoom down to single 512-byte pages, and a tooltip with the
//! byte range under the pointer. Never one DOM node per page.

use std::cell::RefCell;
use std::rc::Rc;

use snaplab_engine::model::Disk;
use snaplab_engine::page_map::{PageMap, PageRange};
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::units::{group_thousands, human_bytes, PAGE_SIZE};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::At;
use crate::block_cells::{classify, CellState, View};
use crate::gesture::Gesture;
use crate::i18n::{tr, use_t, Lang};

pub const COLUMNS: u64 = 64;
pub const ROWS: u64 = 20;
pub const CELL_PX: f64 = 10.0;
/// Height of one layer of the snapshot chain under the map.
pub const LAYER_PX: f64 = 14.0;

/// One row of the snapshot chain: the pages a snapshot holds (its own
/// changes, for an incremental one; everything, for a full one), or the
/// disk's changes not yet in any snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub label: String,
    pub kind: LayerKind,
    /// The pages the layer covers: written ones are drawn filled, cleared
    /// ones (TRIM, a ClearRange in a diff) as an outline.
    pub pages: RangeSet,
    /// What those pages hold.
    pub content: PageMap,
    /// Used size, for the label.
    pub used: u64,
    /// While a restore is previewed: does this layer make up the restored
    /// disk? (`None`: no preview.) The others are drawn faint.
    pub composes: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Incremental,
    Full,
    /// The disk's changes since its last snapshot: what the next one holds.
    Pending,
}

/// Width of the minimap's drawing, in pixels (it is stretched to the map's width).
pub const MINIMAP_PX: u64 = 640;

/// The whole disk in `MINIMAP_PX` columns: for each, 0 (nothing), 1 (written)
/// or 2 (changed since the last snapshot). Visits each range once.
pub fn minimap_columns(disk: &Disk) -> Vec<u8> {
    let pages = disk.data.page_count().max(1);
    let mut cols = vec![0u8; MINIMAP_PX as usize];
    let mut mark = |range: PageRange, value: u8| {
        let a = (range.start as u128 * MINIMAP_PX as u128 / pages as u128) as usize;
        let b = ((range.end.max(range.start + 1) as u128 * MINIMAP_PX as u128)
            .div_ceil(pages as u128)) as usize;
        for c in &mut cols[a.min(MINIMAP_PX as usize - 1)..b.clamp(a + 1, MINIMAP_PX as usize)] {
            *c = (*c).max(value);
        }
    };
    for r in disk.data.page_map().written_ranges() {
        mark(r, 1);
    }
    for r in disk.changed.iter() {
        mark(r, 2);
    }
    cols
}

/// Draws a diff over the map: a PageRange cell green with a plus, a
/// ClearRange cell white with a red minus (colour and shape, so it reads
/// without colour too).
fn draw_diff(canvas: &HtmlCanvasElement, diff: &[u8]) {
    if diff.is_empty() {
        return;
    }
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let s = CELL_PX - 1.0;
    for (i, d) in diff.iter().enumerate() {
        if *d == 0 {
            continue;
        }
        let (x, y) = (
            (i as u64 % COLUMNS) as f64 * CELL_PX,
            (i as u64 / COLUMNS) as f64 * CELL_PX,
        );
        let (fill, mark) = if *d == 1 {
            ("#2da44e", "#ffffff")
        } else {
            ("#ffffff", "#cf222e")
        };
        ctx.set_fill_style_str(fill);
        ctx.fill_rect(x, y, s, s);
        ctx.set_stroke_style_str(mark);
        ctx.set_line_width(1.5);
        ctx.begin_path();
        ctx.move_to(x + 2.0, y + s / 2.0);
        ctx.line_to(x + s - 2.0, y + s / 2.0);
        if *d == 1 {
            ctx.move_to(x + s / 2.0, y + 2.0);
            ctx.line_to(x + s / 2.0, y + s - 2.0);
        }
        ctx.stroke();
        if *d == 2 {
            ctx.set_stroke_style_str("#cf222e");
            ctx.stroke_rect(x + 0.5, y + 0.5, s - 1.0, s - 1.0);
        }
    }
}

/// Outlines `cells` in bright yellow: the change a command just made.
fn flash(canvas: &HtmlCanvasElement, cells: &[u64]) {
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    ctx.set_stroke_style_str("#ffd33d");
    ctx.set_line_width(3.0);
    for i in cells {
        let (col, row) = (i % COLUMNS, i / COLUMNS);
        ctx.stroke_rect(
            col as f64 * CELL_PX + 1.0,
            row as f64 * CELL_PX + 1.0,
            CELL_PX - 3.0,
            CELL_PX - 3.0,
        );
    }
}

fn draw_minimap(canvas: &HtmlCanvasElement, cols: &[u8], view: &View) {
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    ctx.set_fill_style_str("#eef1f4");
    ctx.fill_rect(0.0, 0.0, w, h);
    for (x, c) in cols.iter().enumerate() {
        match c {
            1 => ctx.set_fill_style_str("#1f6feb"),
            2 => ctx.set_fill_style_str("#f0883e"),
            _ => continue,
        }
        ctx.fill_rect(x as f64, 2.0, 1.0, h - 4.0);
    }
    // The part of the disk the map shows.
    let pages = view.disk_pages.max(1) as f64;
    let x0 = view.first_page as f64 / pages * w;
    let x1 = (view.last_page() as f64 / pages * w).max(x0 + 2.0);
    ctx.set_stroke_style_str("#1b1f24");
    ctx.set_line_width(2.0);
    ctx.stroke_rect(x0 + 1.0, 1.0, (x1 - x0 - 2.0).max(1.0), h - 2.0);
}

/// Draws the layers for the pages of `window`, one row each.
pub fn draw_layers(canvas: &HtmlCanvasElement, layers: &[Layer], window: PageRange) {
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let width = canvas.width() as f64;
    ctx.clear_rect(0.0, 0.0, width, canvas.height() as f64);
    let span = window.len().max(1) as f64;
    let x = |page: u64| (page.saturating_sub(window.start)) as f64 * width / span;
    for (row, layer) in layers.iter().enumerate() {
        let y = row as f64 * LAYER_PX;
        ctx.set_global_alpha(if layer.composes == Some(false) {
            0.2
        } else {
            1.0
        });
        ctx.set_fill_style_str("#f6f8fa");
        ctx.fill_rect(0.0, y + 1.0, width, LAYER_PX - 2.0);
        let (fill, outline) = match layer.kind {
            LayerKind::Incremental => ("#1f6feb", "#1f6feb"),
            LayerKind::Full => ("#8250df", "#8250df"),
            LayerKind::Pending => ("#f0883e", "#bc4c00"),
        };
        for range in layer.pages.clipped(window) {
            // Cleared pages of the layer: an outline.
            let (x0, x1) = (x(range.start), x(range.end).max(x(range.start) + 1.0));
            ctx.set_stroke_style_str(outline);
            ctx.stroke_rect(x0 + 0.5, y + 2.5, (x1 - x0 - 1.0).max(0.5), LAYER_PX - 5.0);
            // Written pages: filled.
            ctx.set_fill_style_str(fill);
            for (start, extent) in layer.content.overlapping(range) {
                let a = start.max(range.start);
                let b = (start + extent.pages).min(range.end);
                if b > a {
                    // At least 2 px, so a small change stays visible on a big disk.
                    let (x0, x1) = (x(a), x(b).max(x(a) + 2.0));
                    ctx.fill_rect(x0, y + 2.0, x1 - x0, LAYER_PX - 4.0);
                }
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct BlockMapProps {
    /// The disk as of the lab's revision (keyed by its id).
    pub disk: At<Disk>,
    /// The snapshot chain, drawn under the map for the same pages (keyed
    /// by the disk and the restore being previewed).
    pub layers: At<Vec<Layer>>,
    /// A diff to draw over the map (PageRange true, ClearRange false).
    #[prop_or_default]
    pub diff: Option<Rc<Vec<(bool, PageRange)>>>,
}

/// The canvas's 2D drawing context.
fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// Fill colour and pattern for a state: colour-blind viewers get the pattern.
fn paint(ctx: &CanvasRenderingContext2d, state: CellState, x: f64, y: f64) {
    let s = CELL_PX - 1.0;
    let (fill, mark) = match state {
        CellState::Never => ("#eef1f4", None),
        CellState::Snapshotted => ("#1f6feb", None),
        CellState::Changed => ("#f0883e", Some("diagonal")),
        CellState::Cleared => ("#ffffff", Some("cross")),
    };
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(x, y, s, s);
    ctx.set_stroke_style_str("#57606a");
    ctx.set_line_width(1.0);
    match mark {
        Some("diagonal") => {
            ctx.begin_path();
            ctx.move_to(x, y + s);
            ctx.line_to(x + s, y);
            ctx.stroke();
        }
        Some(_) => {
            ctx.begin_path();
            ctx.move_to(x + 2.0, y + 2.0);
            ctx.line_to(x + s - 2.0, y + s - 2.0);
            ctx.move_to(x + s - 2.0, y + 2.0);
            ctx.line_to(x + 2.0, y + s - 2.0);
            ctx.stroke();
        }
        None => {}
    }
}

pub fn draw(canvas: &HtmlCanvasElement, cells: &[CellState]) {
    draw_with_cursor(canvas, cells, None);
}

/// Draws the cells and, when the map has the keyboard, the cursor's cell.
pub fn draw_with_cursor(canvas: &HtmlCanvasElement, cells: &[CellState], cursor: Option<u64>) {
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    for (i, state) in cells.iter().enumerate() {
        let (col, row) = (i as u64 % COLUMNS, i as u64 / COLUMNS);
        paint(&ctx, *state, col as f64 * CELL_PX, row as f64 * CELL_PX);
    }
    if let Some(i) = cursor {
        let (col, row) = (i % COLUMNS, i / COLUMNS);
        ctx.set_stroke_style_str("#ffb000");
        ctx.set_line_width(2.0);
        ctx.stroke_rect(
            col as f64 * CELL_PX,
            row as f64 * CELL_PX,
            CELL_PX - 1.0,
            CELL_PX - 1.0,
        );
    }
}

/// The diff on show, per cell: 1 a PageRange touches it, 2 only a ClearRange.
fn diff_cells(ranges: &[(bool, PageRange)], view: &View) -> Vec<u8> {
    let mut out = vec![0u8; (COLUMNS * ROWS) as usize];
    let window = PageRange::new(view.first_page, view.last_page());
    for (page, r) in ranges.iter() {
        let (a, b) = (r.start.max(window.start), r.end.min(window.end));
        if b <= a {
            continue;
        }
        let (first, last) = (view.cell_of(a), view.cell_of(b - 1));
        if let (Some(first), Some(last)) = (first, last) {
            for c in &mut out[first as usize..=last as usize] {
                // A cell with any written page shows as PageRange.
                *c = if *page || *c == 1 { 1 } else { 2 };
            }
        }
    }
    out
}

/// Where the data is: the span of written pages and pages changed since
/// the last snapshot.
fn data_span(disk: &Disk) -> Option<PageRange> {
    let written = disk.data.page_map().written_ranges();
    let mut span: Option<PageRange> = None;
    for r in written
        .first()
        .into_iter()
        .chain(written.last())
        .copied()
        .chain(disk.changed.iter().next())
        .chain(disk.changed.iter().last())
    {
        span = Some(match span {
            None => r,
            Some(s) => PageRange::new(s.start.min(r.start), s.end.max(r.end)),
        });
    }
    span
}

/// What cell `i` is, in words: for the tooltip and for screen readers.
fn describe_cell(lang: Lang, view: &View, cells: &[CellState], i: u64) -> Option<String> {
    let r = view.cell_range(i);
    (!r.is_empty()).then(|| {
        let state = match cells[i as usize] {
            CellState::Never => tr(lang, "map.never"),
            CellState::Snapshotted => tr(lang, "map.snapshotted"),
            CellState::Changed => tr(lang, "map.changed"),
            CellState::Cleared => tr(lang, "map.cleared"),
        };
        format!(
            "{} {} · {} {}–{} · {} {}–{} · {state}",
            tr(lang, "map.cellWord"),
            i + 1,
            tr(lang, "map.pagesWord"),
            group_thousands(r.start),
            group_thousands(r.end - 1),
            tr(lang, "map.bytesWord"),
            group_thousands(r.start * PAGE_SIZE),
            group_thousands(r.end * PAGE_SIZE - 1),
        )
    })
}

/// The cell under the pointer: the canvas scales with the screen, so the
/// pointer is mapped back to cells.
fn cell_at(e: &MouseEvent) -> u64 {
    let scale = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.client_width() as f64 / (COLUMNS as f64 * CELL_PX))
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0);
    let col = (e.offset_x().max(0) as f64 / (CELL_PX * scale)) as u64;
    let row = (e.offset_y().max(0) as f64 / (CELL_PX * scale)) as u64;
    row.min(ROWS - 1) * COLUMNS + col.min(COLUMNS - 1)
}

/// The tooltip of the cell under the pointer.
fn hover_text(view: &View, cells: &[CellState], i: u64) -> Option<String> {
    let r = view.cell_range(i);
    (!r.is_empty()).then(|| {
        format!(
            "pages {}–{} · bytes {}–{} · {:?}",
            group_thousands(r.start),
            group_thousands(r.end - 1),
            group_thousands(r.start * PAGE_SIZE),
            group_thousands(r.end * PAGE_SIZE - 1),
            cells[i as usize]
        )
    })
}

/// A key on the map: the cell the cursor moves to, and the view it zooms
/// to (if it zooms); `None` for a key the map does not use.
fn key_move(key: &str, at: u64, view: &View) -> Option<(u64, Option<View>)> {
    let last = COLUMNS * ROWS - 1;
    Some(match key {
        "ArrowRight" => ((at + 1).min(last), None),
        "ArrowLeft" => (at.saturating_sub(1), None),
        "ArrowDown" => ((at + COLUMNS).min(last), None),
        "ArrowUp" => (at.saturating_sub(COLUMNS), None),
        "Home" => (0, None),
        "End" => (last, None),
        "Enter" | "+" => (COLUMNS * ROWS / 2, Some(view.zoom_in(at))),
        "-" => (at, Some(view.zoom_out())),
        _ => return None,
    })
}

/// A click on the map zooms in at the cell clicked. A finger has no hover,
/// so a tap first shows the cell's pages (and puts the cursor on it); a
/// second tap on the same cell zooms in there.
#[hook]
fn use_tap(
    view: &UseStateHandle<View>,
    cursor: &UseStateHandle<Option<u64>>,
    hover: &UseStateHandle<Option<String>>,
    describe: impl Fn(u64) -> Option<String> + 'static,
    lang: Lang,
) -> (Pointers, Callback<MouseEvent>) {
    // The pointer of the click to come, and the cell a finger last tapped.
    let touch = use_mut_ref(|| false);
    let tapped = use_mut_ref(|| None::<u64>);
    let gesture = use_mut_ref(Gesture::default);
    let pointers = use_gestures(view, &gesture, &touch);
    let (view, cursor, hover) = (view.clone(), cursor.clone(), hover.clone());
    let on_click = Callback::from(move |e: MouseEvent| {
        // The click a browser sends after a drag or a pinch is not a tap.
        if gesture.borrow_mut().take_moved() {
            return;
        }
        let i = cell_at(&e);
        if !*touch.borrow() || *tapped.borrow() == Some(i) {
            tapped.replace(None);
            view.set(view.zoom_in(i));
            return;
        }
        tapped.replace(Some(i));
        cursor.set(Some(i));
        hover.set(describe(i).map(|d| format!("{d} · {}", tr(lang, "map.tapAgain"))));
    });
    (pointers, on_click)
}

/// The Pointer Event handlers of a canvas that pans and zooms the view.
#[derive(Clone, PartialEq)]
struct Pointers {
    down: Callback<PointerEvent>,
    moved: Callback<PointerEvent>,
    up: Callback<PointerEvent>,
}

/// Drag to pan, pinch to zoom (see `gesture.rs`), on the map and on the
/// chain alike: both draw the same pages.
#[hook]
fn use_gestures(
    view: &UseStateHandle<View>,
    gesture: &Rc<RefCell<Gesture>>,
    touch: &Rc<RefCell<bool>>,
) -> Pointers {
    let at = |e: &PointerEvent| (e.offset_x() as f64, e.offset_y() as f64);
    let width = |e: &PointerEvent| {
        e.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| el.client_width() as f64)
            .unwrap_or(COLUMNS as f64 * CELL_PX)
    };
    let down = {
        let (view, gesture, touch) = (view.clone(), gesture.clone(), touch.clone());
        Callback::from(move |e: PointerEvent| {
            *touch.borrow_mut() = e.pointer_type() == "touch";
            // Moves outside the canvas still belong to this gesture.
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            let (x, y) = at(&e);
            gesture.borrow_mut().down(e.pointer_id(), x, y, *view);
        })
    };
    let moved = {
        let (view, gesture) = (view.clone(), gesture.clone());
        Callback::from(move |e: PointerEvent| {
            let next =
                gesture
                    .borrow_mut()
                    .moved(e.pointer_id(), at(&e), *view, width(&e), COLUMNS);
            if let Some(next) = next.filter(|n| n != &*view) {
                view.set(next);
            }
        })
    };
    let up = {
        let gesture = gesture.clone();
        Callback::from(move |e: PointerEvent| gesture.borrow_mut().up(e.pointer_id()))
    };
    Pointers { down, moved, up }
}

/// A diff's ranges in pages (true: PageRange, false: ClearRange).
type DiffRanges = Option<Rc<Vec<(bool, PageRange)>>>;

/// Cells whose state a command changed flash for a moment (same view only:
/// a zoom is not a change of the disk); the map is drawn with the cursor
/// and the diff. Returns how many cells flashed last.
#[hook]
fn use_drawn_map(
    canvas: &NodeRef,
    cells: Rc<Vec<CellState>>,
    diff_cells: Vec<u8>,
    key: (u64, View, Option<u64>, DiffRanges),
) -> u32 {
    let previous = use_mut_ref(|| None::<(View, Vec<CellState>)>);
    let flashed = use_state(|| 0u32);
    {
        let (canvas, flashed) = (canvas.clone(), flashed.clone());
        use_effect_with(key, move |(_, view, cursor, _)| {
            let changed: Vec<u64> = match &*previous.borrow() {
                Some((v, before)) if v == view && before.len() == cells.len() => cells
                    .iter()
                    .zip(before)
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(i, _)| i as u64)
                    .collect(),
                _ => Vec::new(),
            };
            *previous.borrow_mut() = Some((*view, (*cells).clone()));
            let timer = canvas.cast::<HtmlCanvasElement>().map(|c| {
                draw_with_cursor(&c, &cells, *cursor);
                draw_diff(&c, &diff_cells);
                flash(&c, &changed);
                if !changed.is_empty() {
                    flashed.set(changed.len() as u32);
                }
                let cursor = *cursor;
                gloo::timers::callback::Timeout::new(700, move || {
                    draw_with_cursor(&c, &cells, cursor);
                    draw_diff(&c, &diff_cells);
                })
            });
            move || drop(timer)
        });
    }
    *flashed
}

/// The minimap (where on the disk the data is) and its click, which moves
/// the view there at the same zoom.
#[hook]
fn use_minimap(disk: &At<Disk>, view: &UseStateHandle<View>) -> (NodeRef, Callback<MouseEvent>) {
    let minimap = use_node_ref();
    {
        let (minimap, disk) = (minimap.clone(), disk.clone());
        let cols = use_memo(disk.clone(), |disk| minimap_columns(disk));
        use_effect_with((disk, **view), move |(_, view)| {
            if let Some(c) = minimap.cast::<HtmlCanvasElement>() {
                draw_minimap(&c, &cols, view);
            }
        });
    }
    let view = view.clone();
    let on_click = Callback::from(move |e: MouseEvent| {
        let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let fraction = (e.offset_x().max(0) as f64 / el.client_width().max(1) as f64).min(1.0);
        let page = (fraction * view.disk_pages as f64) as u64;
        let half = view.pages_per_cell * view.cells / 2;
        view.set(view.pan(0).moved_to(page.saturating_sub(half)));
    });
    (minimap, on_click)
}

/// What the view shows, and the tooltip (read out as it changes).
fn status_html(lang: Lang, id: &str, view: &View, hover: Option<&str>) -> Html {
    let t = |key: &str| tr(lang, key);
    let shown = (view.last_page() - view.first_page) * PAGE_SIZE;
    html! {
        <p class="map-status" id={format!("{id}-status")}>
            { format!("{} {} ({} – {}) · {} {} ({} {})",
                t("map.view"), human_bytes(shown),
                human_bytes(view.first_page * PAGE_SIZE), human_bytes(view.last_page() * PAGE_SIZE),
                t("map.cell"), human_bytes(view.pages_per_cell * PAGE_SIZE),
                group_thousands(view.pages_per_cell), t("disk.pages")) }
            <span class="map-tooltip" id={format!("{id}-tooltip")} aria-live="polite">{ hover.map(|h| format!(" · {h}")).unwrap_or_default() }</span>
        </p>
    }
}

/// The zoom and pan buttons.
fn controls(lang: Lang, view: &UseStateHandle<View>, data: Option<PageRange>) -> Html {
    let t = |key: &str| tr(lang, key);
    let set = |make: fn(&View) -> View| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(make(&view)))
    };
    let zoom_to_data = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(v) = data.and_then(|d| view.around(d)) {
                view.set(v);
            }
        })
    };
    // Zoom in around the data in view, not the middle of the disk.
    let zoom_in = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            let centre = data
                .map(|d| (d.start + d.end) / 2)
                .and_then(|p| view.cell_of(p))
                .unwrap_or(view.cells / 2);
            view.set(view.zoom_in(centre));
        })
    };
    html! {
        <div class="map-controls" role="group" aria-label={t("map.title")}>
            <button type="button" onclick={zoom_to_data} disabled={data.is_none()}>{ t("map.toData") }</button>
            <button type="button" onclick={zoom_in}>{ t("map.zoomIn") }</button>
            <button type="button" onclick={set(|v| v.zoom_out())}>{ t("map.zoomOut") }</button>
            <button type="button" onclick={set(|v| View::whole(v.disk_pages, v.cells))}>{ t("map.whole") }</button>
            <button type="button" onclick={set(|v| v.pan(-(v.cells as i64) / 2))}>{ t("map.left") }</button>
            <button type="button" onclick={set(|v| v.pan(v.cells as i64 / 2))}>{ t("map.right") }</button>
        </div>
    }
}

/// The snapshot chain's canvas, drawn for the pages in view.
#[hook]
fn use_chain(layers: &At<Vec<Layer>>, view: View) -> NodeRef {
    let chain = use_node_ref();
    let window = PageRange::new(view.first_page, view.last_page());
    let (canvas, layers) = (chain.clone(), layers.clone());
    use_effect_with((layers.clone(), view), move |_| {
        if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
            draw_layers(&c, &layers, window);
        }
    });
    chain
}

/// The snapshot chain under the map, and its labels.
fn chain_html(lang: Lang, id: &str, layers: &[Layer], chain: NodeRef, pointers: Pointers) -> Html {
    let t = |key: &str| tr(lang, key);
    if layers.is_empty() {
        return html! { <p class="hint chain-none">{ t("chain.none") }</p> };
    }
    html! {
        <>
            <canvas class="chain-canvas" id={format!("{id}-chain")} ref={chain}
                width={(COLUMNS as f64 * CELL_PX).to_string()}
                height={(layers.len() as f64 * LAYER_PX).to_string()}
                style={format!("height: {}px", layers.len() as f64 * LAYER_PX)}
                role="img" aria-describedby={format!("{id}-chain-summary")}
                aria-label={format!("{}: {}", t("chain.title"), layers.iter().map(|l| format!("{} {}", l.label, human_bytes(l.used))).collect::<Vec<_>>().join("; "))}
                data-layers={layers.len().to_string()}
                onpointerdown={pointers.down} onpointermove={pointers.moved}
                onpointerup={pointers.up.clone()} onpointercancel={pointers.up} />
            <ol class="chain-labels" aria-hidden="true">
                { for layers.iter().map(|l| html! {
                    <li class={classes!("layer", match l.kind { LayerKind::Incremental => "incremental", LayerKind::Full => "full", LayerKind::Pending => "pending" },
                        match l.composes { Some(true) => Some("composes"), Some(false) => Some("faint"), None => None })}>
                        <span class="layer-name">{ if l.kind == LayerKind::Pending { format!("→ {}", t("chain.next")) } else { l.label.clone() } }</span>{ " " }<span class="layer-used">{ human_bytes(l.used) }</span>
                    </li>
                }) }
            </ol>
        </>
    }
}

/// The diff's legend (when one is on show) and the map's.
fn legends(lang: Lang, id: &str, diff: Option<(usize, usize)>) -> Html {
    let t = |key: &str| tr(lang, key);
    html! {
        <>
            if let Some((pages, clears)) = diff {
                <p class="diff-legend" id={format!("{id}-diff")}>
                    <span class="swatch diff-page"></span>{ format!("{} ({})", t("map.diffPage"), pages) }
                    <span class="swatch diff-clear"></span>{ format!("{} ({})", t("map.diffClear"), clears) }
                </p>
            }
            <ul class="legend" aria-label={t("map.legend")}>
                <li><span class="swatch never"></span>{ t("map.never") }</li>
                <li><span class="swatch snapshotted"></span>{ t("map.snapshotted") }</li>
                <li><span class="swatch changed"></span>{ t("map.changed") }{ " ╱" }</li>
                <li><span class="swatch cleared"></span>{ t("map.cleared") }{ " ✕" }</li>
            </ul>
        </>
    }
}

#[function_component(BlockMap)]
pub fn block_map(props: &BlockMapProps) -> Html {
    let t = use_t();
    let disk = &props.disk;
    let disk_pages = disk.data.page_count();
    let view = use_state(|| View::whole(disk_pages, COLUMNS * ROWS));
    // A resize changes the disk's pages: start again from the whole disk.
    if view.disk_pages != disk_pages {
        view.set(View::whole(disk_pages, COLUMNS * ROWS));
    }
    let canvas = use_node_ref();
    let hover = use_state(|| None::<String>);
    // Classified only when the lab or the view changes, not on every render
    // (a tooltip update re-renders, and a whole 32 TiB disk with a million
    // ranges takes tens of milliseconds to classify).
    let cells = use_memo((disk.clone(), *view), |(disk, view)| {
        classify(disk.data.page_map(), &disk.changed, view)
    });
    // The diff on show, per cell: 1 a PageRange touches it, 2 only a ClearRange.
    let diff_cells = props
        .diff
        .as_ref()
        .map(|ranges| diff_cells(ranges, &view))
        .unwrap_or_default();
    let diff_counts = (
        diff_cells.iter().filter(|c| **c == 1).count(),
        diff_cells.iter().filter(|c| **c == 2).count(),
    );
    let count = |s: CellState| cells.iter().filter(|c| **c == s).count();
    let (changed, snapshotted, cleared) = (
        count(CellState::Changed),
        count(CellState::Snapshotted),
        count(CellState::Cleared),
    );

    // The keyboard's cell, while the map has focus.
    let cursor = use_state(|| None::<u64>);
    // Success is shown as change: cells whose state a command changed flash.
    let flashed = use_drawn_map(
        &canvas,
        cells.clone(),
        diff_cells,
        (disk.revision, *view, *cursor, props.diff.clone()),
    );
    let (minimap, on_minimap) = use_minimap(disk, &view);
    let chain = use_chain(&props.layers, *view);

    // The canvas scales with the screen: map the pointer back to cells.
    let on_move = {
        let (view, hover, cells) = (view.clone(), hover.clone(), cells.clone());
        Callback::from(move |e: MouseEvent| hover.set(hover_text(&view, &cells, cell_at(&e))))
    };
    // What a cell is, in words: for the tooltip and for screen readers.
    let lang = use_context::<Lang>().unwrap_or_default();
    let describe = {
        let (view, cells) = (*view, cells.clone());
        move |i: u64| describe_cell(lang, &view, &cells, i)
    };
    let on_key = {
        let (view, cursor, hover, describe) = (
            view.clone(),
            cursor.clone(),
            hover.clone(),
            describe.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            if let Some((i, zoomed)) = key_move(&e.key(), cursor.unwrap_or(0), &view) {
                if let Some(v) = zoomed {
                    view.set(v);
                }
                e.prevent_default();
                cursor.set(Some(i));
                hover.set(describe(i));
            }
        })
    };
    let on_focus = {
        let (cursor, hover, describe) = (cursor.clone(), hover.clone(), describe.clone());
        Callback::from(move |_: FocusEvent| {
            let i = cursor.unwrap_or(0);
            cursor.set(Some(i));
            hover.set(describe(i));
        })
    };
    let on_blur = {
        let cursor = cursor.clone();
        Callback::from(move |_: FocusEvent| cursor.set(None))
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let (pointers, on_click) = use_tap(&view, &cursor, &hover, describe.clone(), lang);
    let data = data_span(disk);
    let id = format!("map-{}", disk.at.name.to_lowercase());
    html! {
        <div class="block-map">
            { controls(lang, &view, data) }
            // The map and the snapshot chain share one grid column, so both
            // canvases scale alike and each layer lines up with the map.
            <div class="map-grid">
                <canvas class="minimap" ref={minimap} id={format!("{id}-minimap")}
                    width={MINIMAP_PX.to_string()} height="12" style="height: 12px"
                    role="img" aria-label={t("map.minimap")} onclick={on_minimap} />
                <div class="map-side" aria-hidden="true"></div>
                <canvas
                    class="map-canvas"
                    id={id.clone()}
                    ref={canvas}
                    width={(COLUMNS as f64 * CELL_PX).to_string()}
                    height={(ROWS as f64 * CELL_PX).to_string()}
                    role="img"
                    aria-label={format!("{}: {changed} {}, {snapshotted} {}, {cleared} {}", t("map.title"), t("map.changed"), t("map.snapshotted"), t("map.cleared"))}
                    data-changed-cells={changed.to_string()}
                    data-snapshotted-cells={snapshotted.to_string()}
                    data-cleared-cells={cleared.to_string()}
                    data-pages-per-cell={view.pages_per_cell.to_string()}
                    data-first-page={view.first_page.to_string()}
                    data-flashed-cells={flashed.to_string()}
                    data-diff-page-cells={diff_counts.0.to_string()}
                    data-diff-clear-cells={diff_counts.1.to_string()}
                    onmousemove={on_move}
                    onmouseleave={on_leave}
                    onpointerdown={pointers.down.clone()}
                    onpointermove={pointers.moved.clone()}
                    onpointerup={pointers.up.clone()}
                    onpointercancel={pointers.up.clone()}
                    onclick={on_click}
                    tabindex="0"
                    aria-describedby={format!("{id}-summary {id}-tooltip")}
                    onkeydown={on_key}
                    onfocus={on_focus}
                    onblur={on_blur}
                />
                <div class="map-side" aria-hidden="true"></div>
                { chain_html(lang, &id, &props.layers, chain, pointers) }
            </div>
            { status_html(lang, &id, &view, hover.as_deref()) }
            { legends(lang, &id, props.diff.is_some().then_some(diff_counts)) }
            { super::map_text::described(lang, &id, disk, &props.layers) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use snaplab_engine::{cmd, Command, Lab, PatternKind, WriteData};

    /// A lab with group `rg` and a Premium SSD `d` of `size_gib`.
    fn lab_with_disk(size_gib: u64) -> Lab {
        snaplab_engine::testkit::lab_with_disk("rg", "d", size_gib)
    }

    /// A MiB written to `d` at `offset`.
    fn write(offset: u64) -> Command {
        Command::Write(cmd::Write {
            group: "rg".into(),
            disk: "d".into(),
            offset,
            data: WriteData::Pattern {
                pattern: PatternKind::Fill,
                seed: 1,
                length: 1 << 20,
            },
        })
    }

    #[test]
    fn the_minimap_marks_data_where_it_is_on_the_disk() {
        let mut lab = lab_with_disk(64);
        lab.execute(write(48 << 30)).unwrap();
        let cols = super::minimap_columns(lab.find_disk("rg", "d").unwrap());
        assert_eq!(cols.len(), super::MINIMAP_PX as usize);
        // 48 GiB of 64: three quarters along, marked as changed (not yet in a snapshot).
        let marked: Vec<usize> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(marked, vec![480]);
        assert_eq!(cols[480], 2);
    }

    fn lab_with_chain() -> Lab {
        let mut lab = lab_with_disk(4);
        let snap = |name: &str, incremental: bool| {
            if incremental {
                snaplab_engine::testkit::snapshot("rg", name, "d")
            } else {
                snaplab_engine::testkit::full_snapshot("rg", name, "d")
            }
        };
        for c in [
            write(0),
            snap("s1", true),
            write(1 << 20),
            snap("full", false),
            snap("s2", true),
            write(2 << 20),
            snap("s3", true),
            write(3 << 20),
        ] {
            lab.execute(c).unwrap();
        }
        lab
    }

    #[test]
    fn a_restore_is_composed_of_its_family_up_to_it_and_a_full_snapshot_of_itself() {
        let lab = lab_with_chain();
        let disk = lab.find_disk("rg", "d").unwrap();
        let marks = |name: Option<&str>| -> Vec<(String, Option<bool>)> {
            crate::components::chain::chain_layers_previewing(&lab, disk, name)
                .into_iter()
                .map(|l| (l.label, l.composes))
                .collect()
        };
        let none: Vec<(String, Option<bool>)> = marks(None);
        assert!(none.iter().all(|(_, c)| c.is_none()));
        let s2: Vec<Option<bool>> = marks(Some("s2")).into_iter().map(|(_, c)| c).collect();
        // s1, full, s2, s3, and the pending changes.
        assert_eq!(
            s2,
            vec![
                Some(true),
                Some(false),
                Some(true),
                Some(false),
                Some(false)
            ]
        );
        let full: Vec<Option<bool>> = marks(Some("full")).into_iter().map(|(_, c)| c).collect();
        assert_eq!(
            full,
            vec![
                Some(false),
                Some(true),
                Some(false),
                Some(false),
                Some(false)
            ]
        );
    }
}
