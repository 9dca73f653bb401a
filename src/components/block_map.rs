//! The block map of a disk, drawn on a `<canvas>`: one cell per run of
//! pages, coloured and patterned by state (so it reads without colour too),
//! with a legend, zoom down to single 512-byte pages, and a tooltip with the
//! byte range under the pointer. Never one DOM node per page.

use snaplab_engine::model::Disk;
use snaplab_engine::units::{group_thousands, human_bytes, PAGE_SIZE};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::block_map::{classify, CellState, View};
use crate::i18n::use_t;

pub const COLUMNS: u64 = 64;
pub const ROWS: u64 = 24;
pub const CELL_PX: f64 = 11.0;

#[derive(Properties)]
pub struct BlockMapProps {
    pub disk: Disk,
    /// Changes whenever the lab changes (the log length): redraw then.
    pub revision: u64,
}

impl PartialEq for BlockMapProps {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
            && self.disk.unique_id == other.disk.unique_id
            && self.disk.data.size_bytes() == other.disk.data.size_bytes()
    }
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
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    for (i, state) in cells.iter().enumerate() {
        let (col, row) = (i as u64 % COLUMNS, i as u64 / COLUMNS);
        paint(&ctx, *state, col as f64 * CELL_PX, row as f64 * CELL_PX);
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
    let cells = {
        let disk = disk.clone();
        use_memo(
            (props.revision, *view, disk.unique_id.clone()),
            move |(_, view, _)| classify(disk.data.page_map(), &disk.changed, view),
        )
    };
    let cells: Vec<CellState> = (*cells).clone();
    let count = |s: CellState| cells.iter().filter(|c| **c == s).count();
    let (changed, snapshotted, cleared) = (
        count(CellState::Changed),
        count(CellState::Snapshotted),
        count(CellState::Cleared),
    );

    {
        let (canvas, cells) = (canvas.clone(), cells.clone());
        use_effect_with((props.revision, *view), move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                draw(&c, &cells);
            }
        });
    }

    let cell_at = |e: &MouseEvent| -> u64 {
        let col = (e.offset_x().max(0) as f64 / CELL_PX) as u64;
        let row = (e.offset_y().max(0) as f64 / CELL_PX) as u64;
        row.min(ROWS - 1) * COLUMNS + col.min(COLUMNS - 1)
    };
    let on_move = {
        let (view, hover, cells) = (view.clone(), hover.clone(), cells.clone());
        Callback::from(move |e: MouseEvent| {
            let i = cell_at(&e);
            let r = view.cell_range(i);
            if r.is_empty() {
                hover.set(None);
                return;
            }
            let state = cells[i as usize];
            hover.set(Some(format!(
                "pages {}–{} · bytes {}–{} · {:?}",
                group_thousands(r.start),
                group_thousands(r.end - 1),
                group_thousands(r.start * PAGE_SIZE),
                group_thousands(r.end * PAGE_SIZE - 1),
                state
            )));
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let on_click = {
        let view = view.clone();
        Callback::from(move |e: MouseEvent| view.set(view.zoom_in(cell_at(&e))))
    };
    let set = |make: fn(&View) -> View| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(make(&view)))
    };
    let id = format!("map-{}", disk.at.name.to_lowercase());
    let shown = (view.last_page() - view.first_page) * PAGE_SIZE;
    html! {
        <div class="block-map">
            <div class="map-controls" role="group" aria-label={t("map.title")}>
                <button type="button" onclick={set(|v| v.zoom_in(v.cells / 2))}>{ t("map.zoomIn") }</button>
                <button type="button" onclick={set(|v| v.zoom_out())}>{ t("map.zoomOut") }</button>
                <button type="button" onclick={set(|v| View::whole(v.disk_pages, v.cells))}>{ t("map.whole") }</button>
                <button type="button" onclick={set(|v| v.pan(-(v.cells as i64) / 2))}>{ t("map.left") }</button>
                <button type="button" onclick={set(|v| v.pan(v.cells as i64 / 2))}>{ t("map.right") }</button>
            </div>
            <canvas
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
                onmousemove={on_move}
                onmouseleave={on_leave}
                onclick={on_click}
            />
            <p class="map-status" id={format!("{id}-status")}>
                { format!("{} {} ({} – {}) · {} {} ({} {})",
                    t("map.view"), human_bytes(shown),
                    human_bytes(view.first_page * PAGE_SIZE), human_bytes(view.last_page() * PAGE_SIZE),
                    t("map.cell"), human_bytes(view.pages_per_cell * PAGE_SIZE),
                    group_thousands(view.pages_per_cell), t("disk.pages")) }
            </p>
            <p class="map-tooltip" aria-live="polite">{ hover.as_deref().unwrap_or("\u{a0}") }</p>
            <ul class="legend" aria-label={t("map.legend")}>
                <li><span class="swatch never"></span>{ t("map.never") }</li>
                <li><span class="swatch snapshotted"></span>{ t("map.snapshotted") }</li>
                <li><span class="swatch changed"></span>{ t("map.changed") }{ " ╱" }</li>
                <li><span class="swatch cleared"></span>{ t("map.cleared") }{ " ✕" }</li>
            </ul>
        </div>
    }
}
