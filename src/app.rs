//! The components. They get data and callbacks; state lives in [`Lab`].

use snaplab_engine::units::{group_thousands, human_bytes};
use yew::prelude::*;

use crate::state::{Action, Lab, Refusal};

#[function_component(App)]
pub fn app() -> Html {
    let lab = use_reducer(Lab::default);
    let on_action = {
        let lab = lab.clone();
        Callback::from(move |action: Action| lab.dispatch(action))
    };
    html! {
        <>
            <header class="app-header">
                <h1>{ "Snaplab" }</h1>
                <p class="tagline">{ "Azure managed-disk incremental snapshots, simulated in your browser" }</p>
            </header>
            <main class="app-main">
                <DiskCard lab={lab.clone()} />
                <DiskActions on_action={on_action} />
                if let Some(refusal) = &lab.last_refusal {
                    <RefusalNotice refusal={refusal.clone()} />
                }
            </main>
            <footer class="app-footer">
                { "Engine: snaplab-engine, compiled to WebAssembly. No Azure account is used." }
            </footer>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct DiskCardProps {
    pub lab: UseReducerHandle<Lab>,
}

/// What the engine says about the disk: size, pages, used bytes, ranges.
#[function_component(DiskCard)]
pub fn disk_card(props: &DiskCardProps) -> Html {
    let disk = &props.lab.disk;
    let ranges = disk.page_map().written_ranges().len() as u64;
    html! {
        <section class="card disk-card" aria-labelledby="disk-title">
            <h2 id="disk-title">{ format!("Disk {}", props.lab.disk_name) }</h2>
            <dl class="facts">
                <dt>{ "Size" }</dt>
                <dd id="disk-size">{ human_bytes(disk.size_bytes()) }</dd>
                <dt>{ "512-byte pages" }</dt>
                <dd id="disk-pages">{ group_thousands(disk.page_count()) }</dd>
                <dt>{ "Logical sector size" }</dt>
                <dd id="disk-sector">{ format!("{} B", disk.logical_sector_size()) }</dd>
                <dt>{ "Used (written pages)" }</dt>
                <dd id="disk-used">{ human_bytes(disk.used_bytes()) }</dd>
                <dt>{ "Written ranges" }</dt>
                <dd id="disk-ranges">{ group_thousands(ranges) }</dd>
            </dl>
            <p class="hint">
                { "Only written pages cost memory: the disk is sparse, like the page blob behind a managed disk." }
            </p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct DiskActionsProps {
    pub on_action: Callback<Action>,
}

#[function_component(DiskActions)]
pub fn disk_actions(props: &DiskActionsProps) -> Html {
    let button = |label: &'static str, action: Action| {
        let on_action = props.on_action.clone();
        html! {
            <button type="button" onclick={Callback::from(move |_| on_action.emit(action.clone()))}>{ label }</button>
        }
    };
    html! {
        <section class="card actions" aria-label="Write to the disk">
            { button("Write 1 MiB", Action::WriteMib(1)) }
            { button("Write 64 MiB", Action::WriteMib(64)) }
            { button("TRIM last write", Action::TrimLastWrite) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RefusalProps {
    pub refusal: Refusal,
}

/// A refused action, announced to screen readers where the user acted.
#[function_component(RefusalNotice)]
pub fn refusal_notice(props: &RefusalProps) -> Html {
    html! {
        <div class="refusal" role="alert">
            <strong>{ format!("({}) ", props.refusal.code) }</strong>
            { &props.refusal.message }
        </div>
    }
}
