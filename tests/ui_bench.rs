//! In-browser UI benchmark: `bash scripts/bench-browser.sh` runs it (release
//! build, headless Chromium) and prints, from one run:
//! - the block map's frame time (classify + draw) for a 32 TiB disk with
//!   1,000,000 written ranges, whole-disk and while panning (target < 16 ms);
//! - the time from a command (a click) to the updated view (target < 100 ms);
//! - opening a stored lab of 1,000 / 10,000 / 100,000 operations (a training
//!   day: scattered writes, snapshots rotated 20 deep, clock advances) until
//!   the disk shows (target: 100k ≤ 3× 1k, under 1 s);
//! - a click ("+1 min") to the updated view at 100 vs 10,000 operations
//!   (target ≤ 2×, under 100 ms).
//!
//! Times are `performance.now()` (sub-millisecond), not `Date.now()`.
#![cfg(target_arch = "wasm32")]

use snaplab::block_cells::{classify, View};
use snaplab::components::block_map::{draw, COLUMNS, ROWS};
use snaplab_engine::page_map::{PageMap, PageRange};
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::{PatternKind, Payload};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

async fn until(mut ready: impl FnMut() -> bool) {
    while !ready() {
        gloo_timers::future::TimeoutFuture::new(1).await;
    }
}

fn text_of(id: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .text_content()
}

fn button(label: &str) -> web_sys::HtmlElement {
    let buttons = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector_all("button")
        .unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|n| n.unchecked_into::<web_sys::HtmlElement>())
        .find(|b| b.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("a {label} button"))
}

/// Stores a lab of `ops` operations, mounts the app on it and returns the
/// app, the time until the disk showed, and the median time of 5 clicks on
/// "+1 min" until the simulated time shown changed.
async fn open_and_click(ops: usize) -> (f64, f64) {
    use snaplab::state::{START_DISK, START_GROUP};
    let mut log = snaplab::state::starter_commands();
    // Writes on 500 places (each visited before any twice): the live state
    // is the same at every size from 1,000 on, so
    // what grows is the history alone.
    let day = snaplab_engine::testkit::workload::training_day_on(START_GROUP, START_DISK, ops, 500);
    log.extend(day.into_iter().skip(2)); // its own group and disk are the starter's
    let log_len = log.len();
    let (records, _) = snaplab_engine::store::records_for(log).unwrap();
    snaplab::storage::IdbStore::delete(snaplab::storage::LAB_DB)
        .await
        .unwrap();
    let db = snaplab::storage::IdbStore::open(snaplab::storage::LAB_DB)
        .await
        .unwrap();
    db.replace_all(&records).await.unwrap();
    // What the app does: the checkpoint and the log after it, then (the
    // lab showing) the log before it.
    let start = now_ms();
    let loaded = db.load_recent().await.unwrap();
    let read = now_ms() - start;
    let start = now_ms();
    let mut opened = snaplab_engine::store::Journal::open(&loaded).unwrap();
    let replay = now_ms() - start;
    let base = opened.journal.lab().log_base();
    let start = now_ms();
    let older = db.load_older(base).await.unwrap();
    let read_older = now_ms() - start;
    let start = now_ms();
    opened.journal.attach_older(&older).unwrap();
    let attach = now_ms() - start;
    assert_eq!(opened.journal.lab().log().len(), log_len);
    drop((loaded, opened, older));
    console_log!(
        "  {ops} operations: reading {read:.1} ms, opening from the checkpoint {replay:.1} ms; then the older {base}: reading {read_older:.0} ms, attaching {attach:.0} ms"
    );
    db.close();

    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let start = now_ms();
    let app = yew::Renderer::<snaplab::app::App>::with_root(root.clone()).render();
    until(|| text_of("disk-disk1-used").is_some()).await;
    let open = now_ms() - start;
    let plus_minute = button("+1 min");
    let mut clicks = Vec::new();
    for _ in 0..5 {
        let before = text_of("clock-now");
        let start = now_ms();
        plus_minute.click();
        until(|| text_of("clock-now") != before).await;
        clicks.push(now_ms() - start);
    }
    app.destroy();
    root.remove();
    (open, median(clicks))
}

/// Lab sizes opened, in operations.
const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[wasm_bindgen_test]
async fn block_map_and_command_to_view_benchmark() {
    let document = web_sys::window().unwrap().document().unwrap();

    // A 32 TiB disk with 1,000,000 written ranges spread over it, and 10,000 changed.
    let pages: u64 = 32_767 * 2 * 1024 * 1024;
    let mut map = PageMap::new();
    let stride = pages / 1_000_000;
    for i in 0..1_000_000u64 {
        map.write(
            PageRange::new(i * stride, i * stride + 1),
            Payload::pattern(PatternKind::Fill, 1),
            0,
        );
    }
    let changed = RangeSet::from_ranges(
        (0..10_000u64).map(|i| PageRange::new(i * stride * 100, i * stride * 100 + 1)),
    );
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width((COLUMNS as f64 * snaplab::components::block_map::CELL_PX) as u32);
    canvas.set_height((ROWS as f64 * snaplab::components::block_map::CELL_PX) as u32);
    document.body().unwrap().append_child(&canvas).unwrap();

    let whole = View::whole(pages, COLUMNS * ROWS);
    let whole_ms = median(
        (0..9)
            .map(|_| {
                let start = now_ms();
                let cells = classify(&map, &changed, &whole);
                draw(&canvas, &cells);
                now_ms() - start
            })
            .collect(),
    );
    // Zoomed in twice (each cell 1/256 of the whole-disk cell), panning half a view at a time.
    let mut view = whole
        .zoom_in(COLUMNS * ROWS / 2)
        .zoom_in(COLUMNS * ROWS / 2);
    let pan_ms = median(
        (0..40)
            .map(|i| {
                view = view.pan(if i % 20 < 10 { 768 } else { -768 });
                let start = now_ms();
                let cells = classify(&map, &changed, &view);
                draw(&canvas, &cells);
                now_ms() - start
            })
            .collect(),
    );

    // Command to view: click "Write 1 MiB" in the mounted app and wait for the used size to change.
    snaplab::storage::IdbStore::delete(snaplab::storage::LAB_DB)
        .await
        .unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<snaplab::app::App>::with_root(root.clone()).render();
    while document.get_element_by_id("disk-disk1-used").is_none() {
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
    let button = document.query_selector_all("button").unwrap();
    let write: web_sys::HtmlElement = (0..button.length())
        .filter_map(|i| button.item(i))
        .map(|n| n.unchecked_into::<web_sys::HtmlElement>())
        .find(|b| b.text_content().as_deref() == Some("Write 1 MiB"))
        .expect("the Write 1 MiB button");
    let mut to_view = Vec::new();
    for _ in 0..10 {
        let used = |d: &web_sys::Document| {
            d.get_element_by_id("disk-disk1-used")
                .unwrap()
                .text_content()
                .unwrap()
        };
        let before = used(&document);
        let start = now_ms();
        write.click();
        while used(&document) == before {
            gloo_timers::future::TimeoutFuture::new(1).await;
        }
        to_view.push(now_ms() - start);
    }

    console_log!("snaplab UI benchmark (headless Chromium, one run)");
    console_log!(
        "block map, 32 TiB disk with 1,000,000 written ranges: whole disk {:.1} ms a frame | panning zoomed in {:.1} ms a frame (target < 16 ms)",
        whole_ms,
        pan_ms
    );
    console_log!("command to updated view (click Write 1 MiB → used size shown): median {:.1} ms of 10 (target < 100 ms)", median(to_view));
    app.destroy();
    root.remove();

    let mut open = Vec::new();
    let mut click = Vec::new();
    for ops in SIZES {
        let (o, c) = open_and_click(ops).await;
        console_log!("  {ops} operations: open {o:.0} ms, click {c:.1} ms");
        open.push(o);
        click.push(c);
    }
    console_log!(
        "open a stored lab until the disk shows: 1,000 ops {:.0} ms | 10,000 ops {:.0} ms | 100,000 ops {:.0} ms | ratio 100k/1k {:.1} (target ≤ 3, under 1 s)",
        open[1], open[2], open[3], open[3] / open[1]
    );
    console_log!(
        "click +1 min to updated view: 100 ops {:.1} ms | 10,000 ops {:.1} ms | ratio {:.2} (target ≤ 2, under 100 ms); 100,000 ops {:.1} ms",
        click[0], click[2], click[2] / click[0], click[3]
    );

    // A pasted script of 1,000 commands (writes, snapshots, clock, deletes)
    // on the 100,000-operation lab left by the last open: end to end, from
    // Run until its last line shows, stored as one batch.
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<snaplab::app::App>::with_root(root.clone()).render();
    until(|| text_of("disk-disk1-used").is_some()).await;
    let script = "made=0\nfor i in $(seq 1 250); do\n  sim write -g rg-snaplab --disk disk1 --offset $((i * 1048576)) --length 4K -o none\n  az snapshot create -g rg-snaplab -n paste-$i --source disk1 --incremental true -o none && made=$((made + 1))\n  sim clock advance 1m -o none\n  az snapshot delete -g rg-snaplab -n paste-$i\ndone\necho \"pasted: $made made, $(az snapshot list -g rg-snaplab --query \"length([?starts_with(name, 'paste-')])\" -o tsv) left\"";
    let input: web_sys::HtmlTextAreaElement = document
        .get_element_by_id("console-input")
        .unwrap()
        .unchecked_into();
    input.set_value(script);
    // Bubbling, as typing's does: Yew listens at its root.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    gloo_timers::future::TimeoutFuture::new(50).await;
    let start = now_ms();
    self::button("Run").click();
    until(|| text_of("console-output").is_some_and(|t| t.contains("pasted: "))).await;
    let pasted = now_ms() - start;
    let output = text_of("console-output").unwrap_or_default();
    assert!(output.contains("pasted: 250 made, 0 left"), "{output}");
    console_log!(
        "a pasted script of 1,000 commands on a lab of 100,000 operations: {pasted:.0} ms from Run to its last line (target < 5 s)"
    );
    app.destroy();
    root.remove();
}
