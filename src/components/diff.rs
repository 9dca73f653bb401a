//! The diff: pick two snapshots of a family and see the page ranges the REST
//! API returns (PageRange / ClearRange, inclusive End), as XML or JSON, with
//! byte and page counts; a refused diff shows why.

use snaplab_engine::diff::{PageList, PageRangesRequest, RangeKind};
use snaplab_engine::units::{group_thousands, human_bytes};
use yew::prelude::*;

use super::LabAt;
use crate::block_cells::{classify, CellState, View};
use crate::components::block_map::{draw, CELL_PX, COLUMNS, ROWS};
use crate::i18n::{tr, use_t, Lang};
use snaplab_engine::page_map::{PageMap, PageRange};
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::{PatternKind, Payload};

#[derive(Properties, PartialEq)]
pub struct DiffProps {
    pub lab: LabAt,
    /// Tells the app the diff on show, so the disk's own block map draws it.
    #[prop_or_default]
    pub on_overlay: Callback<Option<DiffOverlay>>,
}

/// A diff drawn on the disk's block map: whose disk, and its ranges in pages
/// (true: PageRange, written; false: ClearRange, cleared).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOverlay {
    /// The `uniqueId` of the disk the snapshots were taken of.
    pub disk_unique_id: String,
    pub ranges: std::rc::Rc<Vec<(bool, PageRange)>>,
}

/// The diff on a map of the disk: PageRange cells as changed, ClearRange
/// as cleared.
fn diff_map_cells(list: &PageList, disk_pages: u64) -> Vec<CellState> {
    let mut written = PageMap::new();
    let mut all = RangeSet::new();
    for r in &list.ranges {
        let pages = PageRange::new(r.start / 512, (r.end + 1) / 512);
        all.insert(pages);
        if r.kind == RangeKind::PageRange {
            written.write(pages, Payload::pattern(PatternKind::Fill, 0), 0);
        }
    }
    classify(&written, &all, &View::whole(disk_pages, COLUMNS * ROWS))
}

/// The same changes, counted as other trackers count them.
fn compare_html(lang: Lang, list: &PageList) -> Html {
    let t = |key: &str| tr(lang, key);
    let byte_ranges: Vec<(u64, u64)> = list.ranges.iter().map(|r| (r.start, r.end)).collect();
    let comparison: Vec<(&str, u64, u64)> = crate::granularity::TRACKERS
        .iter()
        .map(|(name, unit)| {
            let (n, bytes) = crate::granularity::units_touched(&byte_ranges, *unit);
            (*name, n, bytes)
        })
        .collect();
    html! {
        <>
            <h3>{ t("diff.compare") }</h3>
            <table class="compare" id="diff-compare">
                <thead><tr><th scope="col">{ t("diff.tracker") }</th><th scope="col">{ t("diff.unit") }</th><th scope="col">{ t("diff.units") }</th><th scope="col">{ t("diff.toCopy") }</th></tr></thead>
                <tbody>
                    { for comparison.iter().zip(crate::granularity::TRACKERS).map(|((name, n, bytes), (_, unit))| html! {
                        <tr><th scope="row">{ *name }</th><td class="num">{ human_bytes(unit) }</td><td class="num">{ group_thousands(*n) }</td><td class="num">{ human_bytes(*bytes) }</td></tr>
                    }) }
                </tbody>
            </table>
            <p class="hint">{ t("diff.compareHint") }</p>
        </>
    }
}

#[function_component(DiffView)]
pub fn diff_view(props: &DiffProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let mut snapshots: Vec<_> = props.lab.snapshots().collect();
    snapshots.sort_by_key(|s| s.seq);
    let newer = use_state(|| None::<String>);
    let older = use_state(|| None::<String>);
    let xml = use_state(|| true);
    let names: Vec<String> = snapshots.iter().map(|s| s.at.name.clone()).collect();
    let newest = names.last().cloned();
    let newer_name = newer
        .as_ref()
        .filter(|n| names.contains(n))
        .cloned()
        .or(newest);
    let select = |state: UseStateHandle<Option<String>>| {
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let v = s.value();
                state.set(if v.is_empty() { None } else { Some(v) });
            }
        })
    };
    let toggle = {
        let xml = xml.clone();
        Callback::from(move |_| xml.set(!*xml))
    };
    let canvas = use_node_ref();
    let overlay = use_mut_ref(Vec::<CellState>::new);
    {
        let (canvas, overlay) = (canvas.clone(), overlay.clone());
        use_effect(move || {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                draw(&c, &overlay.borrow());
            }
        });
    }
    let result = newer_name.as_ref().map(|newer| {
        let s = snapshots
            .iter()
            .find(|s| &s.at.name == newer)
            .expect("listed");
        props.lab.page_ranges(
            &s.at.group,
            newer,
            older.as_deref(),
            &PageRangesRequest::default(),
        )
    });
    // The diff on show goes to the disk's block map; none when this panel closes.
    {
        let overlay = match &result {
            Some(Ok(list)) => newer_name
                .as_ref()
                .and_then(|n| snapshots.iter().find(|s| &s.at.name == n))
                .map(|s| DiffOverlay {
                    disk_unique_id: s.origin.source_unique_id.clone(),
                    ranges: std::rc::Rc::new(
                        list.ranges
                            .iter()
                            .map(|r| {
                                (
                                    r.kind == RangeKind::PageRange,
                                    PageRange::new(r.start / 512, (r.end + 1) / 512),
                                )
                            })
                            .collect(),
                    ),
                }),
            _ => None,
        };
        let on_overlay = props.on_overlay.clone();
        use_effect_with(
            (props.lab.revision, newer_name.clone(), (*older).clone()),
            move |_| {
                on_overlay.emit(overlay);
            },
        );
        let on_overlay = props.on_overlay.clone();
        use_effect_with((), move |_| move || on_overlay.emit(None));
    }
    let body = match result {
        None => html! { <p class="hint">{ t("snapshots.none") }</p> },
        Some(Err(err)) => html! {
            <div class="refusal" role="alert" id="diff-result">
                <strong>{ format!("({}) ", err.code()) }</strong>{ err.to_string() }
            </div>
        },
        Some(Ok(list)) => {
            // The ranges on a map of the disk: PageRange cells as changed, ClearRange as cleared.
            let disk_pages = snapshots
                .iter()
                .find(|s| Some(&s.at.name) == newer_name.as_ref())
                .map_or(1, |s| s.disk_size_bytes / 512);
            *overlay.borrow_mut() = diff_map_cells(&list, disk_pages);
            let pages = |kind| {
                list.ranges
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| r.bytes() / 512)
                    .sum::<u64>()
            };
            let text = if *xml {
                crate::granularity::pretty_xml(&list.to_xml())
            } else {
                serde_json::to_string_pretty(&list.to_json()).unwrap_or_default()
            };
            html! {
                <div id="diff-result">
                    <p id="diff-summary">{ format!("{} {} · {} {} ({} {}) · {} {} ({} {})",
                        list.ranges.len(), t("diff.ranges"),
                        human_bytes(list.page_bytes()), t("diff.written"), group_thousands(pages(RangeKind::PageRange)), t("diff.pages"),
                        human_bytes(list.clear_bytes()), t("diff.cleared"), group_thousands(pages(RangeKind::ClearRange)), t("diff.pages")) }</p>
                    <p class="hint">{ t("diff.map") }</p>
                    <canvas id="diff-map" ref={canvas.clone()} width={(COLUMNS as f64 * CELL_PX).to_string()} height={(ROWS as f64 * CELL_PX).to_string()}
                        role="img" aria-label={t("diff.map")} />
                    <pre class="json" id="diff-body">{ text }</pre>
                    { compare_html(lang, &list) }
                </div>
            }
        }
    };
    html! {
        <section class="card diff" aria-labelledby="diff-title">
            <h2 id="diff-title">{ t("diff.title") }</h2>
            <div class="actions">
                <label>{ t("diff.newer") }{ " " }
                    <select id="diff-newer" onchange={select(newer.clone())}>
                        { for names.iter().map(|n| html! { <option value={n.clone()} selected={Some(n) == newer_name.as_ref()}>{ n }</option> }) }
                    </select>
                </label>
                <label>{ t("diff.older") }{ " " }
                    <select id="diff-older" onchange={select(older.clone())}>
                        <option value="" selected={older.is_none()}>{ t("diff.none") }</option>
                        { for names.iter().map(|n| html! { <option value={n.clone()} selected={Some(n) == older.as_ref()}>{ n }</option> }) }
                    </select>
                </label>
                <button type="button" onclick={toggle} aria-pressed={(!*xml).to_string()}>{ format!("{}: {}", t("diff.format"), if *xml { "XML" } else { "JSON" }) }</button>
            </div>
            { body }
        </section>
    }
}
