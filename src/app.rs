//! The components. They get data and callbacks; state lives in [`AppState`],
//! and I/O (IndexedDB, the storage manager, files) happens only in effects
//! and event handlers here.

use std::rc::Rc;

use snaplab_engine::billing::PriceTable;
use snaplab_engine::clock::Span;
use snaplab_engine::model::{Disk, Snapshot};
use snaplab_engine::store::{self, Journal};
use snaplab_engine::units::{group_thousands, human_bytes, MIB};
use snaplab_engine::{Command, PatternKind, WriteData};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::state::{starter_commands, Action, AppState, Phase, Refusal, StorageFacts};
use crate::storage::{self, IdbStore, LAB_DB};

type Store = Rc<IdbStore>;

/// Reads the storage manager's figures into the state.
fn refresh_storage(dispatch: Callback<Action>, persisted: Option<bool>) {
    spawn_local(async move {
        let estimate = storage::estimate().await;
        dispatch.emit(Action::Storage(StorageFacts { usage: estimate.map(|e| e.usage), quota: estimate.map(|e| e.quota), persisted }));
    });
}

/// Reads the lab from `store` and replays it, finishing any recovery; a new
/// (or just reset) lab gets its starter group and disk.
async fn load_lab(store: &IdbStore) -> Result<Journal, String> {
    let records = store.load().await.map_err(|e| e.to_string())?;
    let opened = Journal::open(&records).map_err(|e| format!("({}) {e}", e.code()))?;
    if !opened.recovery.puts.is_empty() || !opened.recovery.deletes.is_empty() {
        store.commit(&opened.recovery).await.map_err(|e| e.to_string())?;
    }
    let mut journal = opened.journal;
    if journal.lab().log().len() == 0 {
        for command in starter_commands() {
            let prepared = journal.prepare(command);
            store.commit(&prepared.batch).await.map_err(|e| e.to_string())?;
            journal.accept(&prepared).map_err(|e| e.to_string())?;
        }
    }
    Ok(journal)
}

/// Opens the lab's database and replays it.
async fn open_lab() -> Result<(Store, Journal), String> {
    let store = IdbStore::open(LAB_DB).await.map_err(|e| e.to_string())?;
    let journal = load_lab(&store).await?;
    Ok((Rc::new(store), journal))
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let store = use_mut_ref(|| None::<Store>);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: Action| state.dispatch(action))
    };

    // Open the lab once.
    {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                let persisted = storage::request_persistence().await;
                match open_lab().await {
                    Ok((opened, journal)) => {
                        *store.borrow_mut() = Some(opened);
                        dispatch.emit(Action::Loaded(journal));
                    }
                    Err(message) => dispatch.emit(Action::LoadFailed(message)),
                }
                refresh_storage(dispatch, Some(persisted));
            });
        });
    }

    // Commit whatever operation is in flight; the reducer waits for the answer.
    {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        let flight = state.in_flight.clone();
        let persisted = state.storage.persisted;
        use_effect_with(flight.as_ref().map(|(n, _)| *n), move |_| {
            if let (Some((n, prepared)), Some(store)) = (flight, store.borrow().clone()) {
                spawn_local(async move {
                    match store.commit(&prepared.batch).await {
                        Ok(()) => dispatch.emit(Action::Committed(n)),
                        Err(e) => dispatch.emit(Action::CommitFailed(n, e.to_string())),
                    }
                    refresh_storage(dispatch, persisted);
                });
            }
        });
    }

    let submit = {
        let dispatch = dispatch.clone();
        Callback::from(move |command: Command| dispatch.emit(Action::Submit(command)))
    };

    let body = match &state.phase {
        Phase::Loading => html! { <p class="card" role="status">{ "Opening your lab…" }</p> },
        Phase::Failed(message) => html! {
            <section class="card refusal" role="alert">
                <h2>{ "Your stored lab could not be opened" }</h2>
                <p>{ message }</p>
                <StoragePanel facts={state.storage} log_len={state.lab().log().len()} store={store.clone()} dispatch={dispatch.clone()} />
            </section>
        },
        Phase::Ready => {
            let lab = state.lab();
            html! {
                <>
                    <ClockBar now={lab.now().to_azure_string()} busy={state.busy()} submit={submit.clone()} />
                    if let Some(refusal) = &state.last_refusal {
                        <RefusalNotice refusal={refusal.clone()} />
                    }
                    if let Some(message) = &state.last_message {
                        <p class="notice" role="status">{ message }</p>
                    }
                    <div class="disks">
                        { for lab.disks().map(|disk| html! {
                            <DiskCard key={disk.id()} disk={disk.clone()} next_snapshot={next_snapshot_name(lab, &disk.at.name)} submit={submit.clone()} />
                        }) }
                    </div>
                    <SnapshotTable snapshots={sorted_snapshots(lab)} now={lab.now().0} submit={submit.clone()} taken={lab.disks().map(|d| d.at.name.to_lowercase()).collect::<Vec<_>>()} />
                    <StoragePanel facts={state.storage} log_len={state.lab().log().len()} store={store.clone()} dispatch={dispatch.clone()} />
                </>
            }
        }
    };

    html! {
        <>
            <header class="app-header">
                <h1>{ "Snaplab" }</h1>
                <p class="tagline">{ "Azure managed-disk incremental snapshots, simulated in your browser" }</p>
            </header>
            <main class="app-main">{ body }</main>
            <footer class="app-footer">
                { "Engine: snaplab-engine, compiled to WebAssembly; your lab is kept in this browser (IndexedDB). No Azure account is used." }
            </footer>
        </>
    }
}

/// `disk1-snap3`: the first free name after the disk's snapshots so far.
fn next_snapshot_name(lab: &snaplab_engine::Lab, disk: &str) -> String {
    let taken: std::collections::BTreeSet<String> = lab.snapshots().map(|s| s.at.name.to_lowercase()).collect();
    let of_disk = lab.snapshots().filter(|s| s.origin.source_resource_id.to_lowercase().ends_with(&format!("/{}", disk.to_lowercase()))).count();
    (of_disk + 1..).map(|n| format!("{disk}-snap{n}")).find(|name| !taken.contains(&name.to_lowercase())).expect("a free name exists")
}

fn sorted_snapshots(lab: &snaplab_engine::Lab) -> Vec<Snapshot> {
    let mut list: Vec<Snapshot> = lab.snapshots().cloned().collect();
    list.sort_by_key(|s| s.seq);
    list
}

#[derive(Properties, PartialEq)]
pub struct ClockProps {
    pub now: String,
    pub busy: bool,
    pub submit: Callback<Command>,
}

/// The simulated time, and buttons to move it.
#[function_component(ClockBar)]
pub fn clock_bar(props: &ClockProps) -> Html {
    let advance = |label: &'static str, span: Span| {
        let submit = props.submit.clone();
        let onclick = Callback::from(move |_| submit.emit(Command::AdvanceClock { millis: span.as_millis() }));
        html! { <button type="button" {onclick}>{ label }</button> }
    };
    html! {
        <section class="card clock" aria-label="Simulated clock">
            <span>{ "Simulated time " }<strong id="clock-now">{ &props.now }</strong></span>
            { advance("+1 min", Span::minutes(1)) }
            { advance("+5 min", Span::minutes(5)) }
            { advance("+1 h", Span::hours(1)) }
            { advance("+1 day", Span::days(1)) }
            if props.busy { <span class="saving" role="status">{ "saving…" }</span> }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct DiskCardProps {
    pub disk: Disk,
    /// The name the next snapshot of this disk gets.
    pub next_snapshot: String,
    pub submit: Callback<Command>,
}

/// One disk: what the engine says about it, and what can be done to it.
#[function_component(DiskCard)]
pub fn disk_card(props: &DiskCardProps) -> Html {
    let disk = &props.disk;
    let name = disk.at.name.clone();
    let group = disk.at.group.clone();
    let ranges = disk.data.page_map().written_ranges();
    // New writes go after the last written range, so each one is visible on its own.
    let next_offset = ranges.last().map_or(0, |r| r.end * 512);
    let text = use_state(String::new);
    let id = |what: &str| format!("disk-{}-{what}", name.to_lowercase());

    let command = |make: Rc<dyn Fn() -> Command>| {
        let submit = props.submit.clone();
        Callback::from(move |_: MouseEvent| submit.emit(make()))
    };
    let write_mib = |mib: u64| {
        let (group, name) = (group.clone(), name.clone());
        // A different seed for every write, so rewrites hold new bytes.
        let seed = next_offset / 512 + disk.changed.page_count() + disk.data.used_bytes();
        command(Rc::new(move || Command::Write {
            group: group.clone(),
            disk: name.clone(),
            offset: next_offset,
            data: WriteData::Pattern { pattern: PatternKind::Random, seed, length: mib * MIB },
        }))
    };
    let trim = {
        let (group, name) = (group.clone(), name.clone());
        let offset = next_offset.saturating_sub(MIB);
        command(Rc::new(move || Command::Clear { group: group.clone(), disk: name.clone(), offset, length: MIB }))
    };
    let snapshot = |incremental: bool| {
        let (group, name) = (group.clone(), name.clone());
        let snap = props.next_snapshot.clone();
        command(Rc::new(move || Command::CreateSnapshot {
            group: group.clone(),
            name: snap.clone(),
            source: name.clone(),
            incremental,
            sku: None,
            location: None,
            copy_start: false,
        }))
    };
    let write_text = {
        let (group, name, text) = (group.clone(), name.clone(), text.clone());
        let submit = props.submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if text.is_empty() {
                return;
            }
            // Real bytes, padded with zeros to whole 512-byte pages.
            let mut bytes = text.as_bytes().to_vec();
            bytes.resize(bytes.len().div_ceil(512) * 512, 0);
            submit.emit(Command::Write { group: group.clone(), disk: name.clone(), offset: next_offset, data: WriteData::bytes(bytes) });
            text.set(String::new());
        })
    };
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                text.set(input.value());
            }
        })
    };

    html! {
        <section class="card disk-card" aria-labelledby={id("title")}>
            <h2 id={id("title")}>{ format!("Disk {name}") }</h2>
            <dl class="facts">
                <dt>{ "Size" }</dt><dd id={id("size")}>{ human_bytes(disk.data.size_bytes()) }</dd>
                <dt>{ "512-byte pages" }</dt><dd id={id("pages")}>{ group_thousands(disk.data.page_count()) }</dd>
                <dt>{ "SKU" }</dt><dd>{ disk.sku.name() }</dd>
                <dt>{ "Used (written pages)" }</dt><dd id={id("used")}>{ human_bytes(disk.data.used_bytes()) }</dd>
                <dt>{ "Written ranges" }</dt><dd id={id("ranges")}>{ group_thousands(ranges.len() as u64) }</dd>
                <dt>{ "Changed since last incremental snapshot" }</dt><dd id={id("changed")}>{ human_bytes(disk.changed.page_count() * 512) }</dd>
                <dt>{ "diskState" }</dt><dd>{ disk.disk_state() }</dd>
            </dl>
            <div class="actions" role="group" aria-label={format!("Write to {name}")}>
                <button type="button" onclick={write_mib(1)}>{ "Write 1 MiB" }</button>
                <button type="button" onclick={write_mib(64)}>{ "Write 64 MiB" }</button>
                <button type="button" onclick={trim}>{ "TRIM last 1 MiB" }</button>
            </div>
            <form class="actions" onsubmit={write_text}>
                <label for={id("text")}>{ "Text to write" }</label>
                <input id={id("text")} type="text" value={(*text).clone()} oninput={on_text} />
                <button type="submit">{ "Write text" }</button>
            </form>
            <div class="actions" role="group" aria-label={format!("Snapshot {name}")}>
                <button type="button" onclick={snapshot(true)}>{ "Create incremental snapshot" }</button>
                <button type="button" onclick={snapshot(false)}>{ "Create full snapshot" }</button>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SnapshotTableProps {
    pub snapshots: Vec<Snapshot>,
    /// Milliseconds of simulated time, for completion percentages.
    pub now: u64,
    pub submit: Callback<Command>,
    /// Disk names already used (lower case), to name restored disks.
    pub taken: Vec<String>,
}

/// Every snapshot, oldest first, with its used size and what can be done with it.
#[function_component(SnapshotTable)]
pub fn snapshot_table(props: &SnapshotTableProps) -> Html {
    let now = snaplab_engine::clock::Instant(props.now);
    let prices = PriceTable::default();
    if props.snapshots.is_empty() {
        return html! { <section class="card" aria-label="Snapshots"><h2>{ "Snapshots" }</h2><p class="hint">{ "No snapshots yet: create one from a disk." }</p></section> };
    }
    let row = |s: &Snapshot| {
        let bill = snaplab_engine::billing::snapshot_bill(s, &prices);
        let (group, name) = (s.at.group.clone(), s.at.name.clone());
        let mut target = format!("{name}-disk");
        let mut n = 2;
        while props.taken.contains(&target.to_lowercase()) {
            target = format!("{name}-disk{n}");
            n += 1;
        }
        let restore = {
            let (submit, group, name, target) = (props.submit.clone(), group.clone(), name.clone(), target.clone());
            Callback::from(move |_| {
                submit.emit(Command::CreateDiskFromSnapshot { group: group.clone(), name: target.clone(), source: name.clone(), sku: None, size_gib: None })
            })
        };
        let delete = {
            let (submit, group, name) = (props.submit.clone(), group.clone(), name.clone());
            Callback::from(move |_| submit.emit(Command::DeleteSnapshot { group: group.clone(), name: name.clone() }))
        };
        let source_disk = s.origin.source_resource_id.rsplit('/').next().unwrap_or_default().to_string();
        html! {
            <tr id={format!("snapshot-{}", name.to_lowercase())}>
                <th scope="row">{ &name }</th>
                <td>{ if s.incremental { "Incremental" } else { "Full" } }</td>
                <td>{ source_disk }</td>
                <td class="num">{ human_bytes(s.used_bytes()) }</td>
                <td class="num">{ format!("{:.4}", bill.daily_quantity) }</td>
                <td class="time" title={s.time_created.to_azure_string()}>{ format!("{} {}", s.time_created.date(), s.time_created.hms()) }</td>
                <td class="num">{ format!("{}%", s.completion_percent(now)) }</td>
                <td>
                    <button type="button" onclick={restore} aria-label={format!("Restore {name} to a new disk")}>{ "Restore" }</button>
                    <button type="button" onclick={delete} aria-label={format!("Delete {name}")}>{ "Delete" }</button>
                </td>
            </tr>
        }
    };
    html! {
        <section class="card" aria-label="Snapshots">
            <h2>{ "Snapshots" }</h2>
            <table class="snapshots">
                <thead><tr>
                    <th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Source disk" }</th>
                    <th scope="col">{ "Used size" }</th><th scope="col">{ "Daily quantity (GiB/31)" }</th>
                    <th scope="col">{ "timeCreated" }</th><th scope="col">{ "completionPercent" }</th><th scope="col">{ "Actions" }</th>
                </tr></thead>
                <tbody>{ for props.snapshots.iter().map(row) }</tbody>
            </table>
        </section>
    }
}

#[derive(Properties)]
pub struct StoragePanelProps {
    pub facts: StorageFacts,
    pub log_len: usize,
    pub store: Rc<std::cell::RefCell<Option<Store>>>,
    pub dispatch: Callback<Action>,
}

impl PartialEq for StoragePanelProps {
    fn eq(&self, other: &Self) -> bool {
        self.facts == other.facts && self.log_len == other.log_len && Rc::ptr_eq(&self.store, &other.store) && self.dispatch == other.dispatch
    }
}

/// Browser storage: usage, persistence, export, import and reset.
#[function_component(StoragePanel)]
pub fn storage_panel(props: &StoragePanelProps) -> Html {
    let facts = props.facts;
    let store = props.store.clone();
    let dispatch = props.dispatch.clone();

    let export = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        Callback::from(move |_| {
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            let Some(store) = store else { return };
            spawn_local(async move {
                let result = match store.load().await {
                    Ok(records) => {
                        let file = store::export(&records);
                        storage::download("snaplab-lab.snaplab", &file)
                            .map(|_| format!("Exported the lab: {} in {} records", human_bytes(file.len() as u64), records.len()))
                            .map_err(|e| Refusal { code: "ExportFailed".into(), message: e.to_string(), rule: None })
                    }
                    Err(e) => Err(Refusal { code: "ExportFailed".into(), message: e.to_string(), rule: None }),
                };
                dispatch.emit(Action::Notice(result));
            });
        })
    };

    let import = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            let Some(store) = store else { return };
            spawn_local(async move {
                let refused = |code: &str, message: String| Action::Notice(Err(Refusal { code: code.into(), message, rule: None }));
                let bytes = match storage::read_file(&file).await {
                    Ok(bytes) => bytes,
                    Err(e) => return dispatch.emit(refused("ImportFailed", e.to_string())),
                };
                // Checked whole (format, checksum, replay) before anything is changed.
                let records = match store::import(&bytes) {
                    Ok(records) => records,
                    Err(e) => return dispatch.emit(refused(e.code(), format!("{e} Your lab was not changed."))),
                };
                let journal = match Journal::open(&records) {
                    Ok(opened) => opened.journal,
                    Err(e) => return dispatch.emit(refused(e.code(), e.to_string())),
                };
                if let Err(e) = store.replace_all(&records).await {
                    return dispatch.emit(refused("QuotaExceeded", format!("{e}. Your lab was not changed.")));
                }
                dispatch.emit(Action::Loaded(journal));
                dispatch.emit(Action::Notice(Ok(format!("Imported {} ({} records)", file.name(), records.len()))));
            });
        })
    };

    let reset = {
        let (store, dispatch) = (store.clone(), dispatch.clone());
        Callback::from(move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message("Reset the lab? Every disk, snapshot and byte stored in this browser is deleted.").ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (store, dispatch) = (store.borrow().clone(), dispatch.clone());
            spawn_local(async move {
                let result = async {
                    let store = match store {
                        Some(store) => store,
                        None => Rc::new(IdbStore::open(LAB_DB).await.map_err(|e| e.to_string())?),
                    };
                    store.wipe().await.map_err(|e| e.to_string())?;
                    let journal = load_lab(&store).await?;
                    Ok::<_, String>(journal)
                }
                .await;
                match result {
                    Ok(journal) => {
                        dispatch.emit(Action::Loaded(journal));
                        dispatch.emit(Action::Notice(Ok("The lab was reset".into())));
                    }
                    Err(message) => dispatch.emit(Action::Notice(Err(Refusal { code: "ResetFailed".into(), message, rule: None }))),
                }
            });
        })
    };

    let usage = match (facts.usage, facts.quota) {
        (Some(u), Some(q)) => format!("{} of {} ({:.2}%)", human_bytes(u as u64), human_bytes(q as u64), if q > 0.0 { u / q * 100.0 } else { 0.0 }),
        _ => "unknown".into(),
    };
    html! {
        <section class="card storage" aria-labelledby="storage-title">
            <h2 id="storage-title">{ "Browser storage" }</h2>
            <dl class="facts">
                <dt>{ "Used by this site" }</dt><dd id="storage-usage">{ usage }</dd>
                <dt>{ "Persistent" }</dt>
                <dd id="storage-persisted">{ match facts.persisted { Some(true) => "yes", Some(false) => "no (the browser may evict it under pressure)", None => "unknown" } }</dd>
                <dt>{ "Operations in the log" }</dt><dd id="storage-log">{ props.log_len }</dd>
            </dl>
            <div class="actions">
                <button type="button" onclick={export}>{ "Export lab" }</button>
                <label class="file-button">{ "Import lab" }<input id="import-lab" type="file" accept=".snaplab" onchange={import} /></label>
                <button type="button" class="danger" onclick={reset}>{ "Reset lab" }</button>
            </div>
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
            if let Some(rule) = &props.refusal.rule { <span class="rule">{ format!(" Rule {rule}.") }</span> }
        </div>
    }
}
