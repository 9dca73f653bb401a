//! The app: opens the lab, lays out the components, and runs the effects.
//! State lives in [`AppState`] (a pure reducer); all I/O on the lab's
//! database goes through the storage service ([`LabStore`]), called only
//! from the effects and callbacks here. Components get data and callbacks.

use std::rc::Rc;

use snaplab_console::Language;
use snaplab_engine::cmd;
use snaplab_engine::model::Snapshot;
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::units::human_bytes;
use snaplab_engine::{Command, Lab};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::billing::Billing;
use crate::components::block_map::{Layer, LayerKind};
use crate::components::clock::ClockBar;
use crate::components::console::ConsolePanel;
use crate::components::diff::DiffView;
use crate::components::disk_card::DiskCard;
use crate::components::faults::Faults;
use crate::components::history::History;
use crate::components::lessons::Lessons;
use crate::components::manage::Manage;
use crate::components::presenter::Presenter;
use crate::components::resource_tree::ResourceTree;
use crate::components::snapshots::Snapshots;
use crate::components::storage_panel::StoragePanel;
use crate::components::template::TemplateBlade;
use crate::components::violations::Violations;
use crate::components::walkthrough::WalkthroughPanel;
use crate::i18n::{tr, Lang};
use crate::services::lab_store::LabStore;
use crate::state::{
    Action, AppState, Flight, Origin, Phase, Refusal, Replacement, StorageFacts, Work,
};
use crate::storage;

/// Reads the storage manager's figures into the state.
pub fn refresh_storage(dispatch: Callback<Action>, persisted: Option<bool>) {
    spawn_local(async move {
        let estimate = storage::estimate().await;
        dispatch.emit(Action::Storage(StorageFacts {
            usage: estimate.map(|e| e.usage),
            quota: estimate.map(|e| e.quota),
            persisted,
        }));
    });
}

/// Opens a share link (`#lab=…` in the address) after asking: its operation
/// log replaces the stored lab, queued like any other replacement. A damaged
/// or tampered link is refused. Declined, it is kept: a banner offers it.
fn open_share_link(dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let Some(payload) = hash.strip_prefix("#lab=") else {
        return;
    };
    open_shared_payload(payload, true, dispatch);
}

/// Opens a share link's payload (asking first, when `ask`).
fn open_shared_payload(payload: &str, ask: bool, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Opened or refused, the link is consumed: a reload shows the stored lab.
    if let Ok(history) = window.history() {
        let path = window.location().pathname().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    let refused = |e: snaplab_engine::EngineError| {
        Action::Notice(Err(Refusal {
            code: e.code().into(),
            message: e.to_string(),
            rule: None,
        }))
    };
    // Everything is checked before asking: a link that cannot be opened is
    // refused at once, and the stored lab is never touched.
    let opened = match snaplab_engine::share::open(payload) {
        Ok(opened) => opened,
        Err(e) => return dispatch.emit(refused(e)),
    };
    if ask
        && !window
            .confirm_with_message(tr(Lang::default(), "share.confirm"))
            .unwrap_or(false)
    {
        dispatch.emit(Action::PendingShare(Some(payload.to_string())));
        return;
    }
    dispatch.emit(Action::PendingShare(None));
    let (records, journal) = opened;
    dispatch.emit(Action::Queue(Work::Replace(Rc::new(Replacement {
        records,
        journal,
        notice: tr(Lang::default(), "share.opened").into(),
        locks: Some(snaplab_console::Locks::none()),
    }))));
}

/// `disk1-snap3`: the first free name after the disk's snapshots so far.
pub fn next_snapshot_name(lab: &Lab, disk: &str) -> String {
    let taken: std::collections::BTreeSet<String> =
        lab.snapshots().map(|s| s.at.name.to_lowercase()).collect();
    let suffix = format!("/{}", disk.to_lowercase());
    let of_disk = lab
        .snapshots()
        .filter(|s| {
            s.origin
                .source_resource_id
                .to_lowercase()
                .ends_with(&suffix)
        })
        .count();
    (of_disk + 1..)
        .map(|n| format!("{disk}-snap{n}"))
        .find(|name| !taken.contains(&name.to_lowercase()))
        .expect("a free name exists")
}

fn sorted_snapshots(lab: &Lab) -> Vec<Snapshot> {
    let mut list: Vec<Snapshot> = lab.snapshots().cloned().collect();
    list.sort_by_key(|s| s.seq);
    list
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let store = use_state(LabStore::default);
    let lang = use_state(Lang::default);
    let presenter = use_state(|| false);
    let lesson = use_state(|| None::<String>);
    let shortcuts = use_state(|| false);
    let next_step = use_state(|| 0u32);
    let crash_next = use_state(|| Rc::new(std::cell::Cell::new(false)));
    let selected = use_state(|| None::<String>);
    let current_tab = use_state(|| Tab::Snapshots);
    let notes_open = use_state(|| false);
    let notes_seen = use_state(|| 1u64);
    let dock_height = use_state(|| 210u32);
    let dock_dragging = use_state(|| false);
    // The diff the Diff panel shows, drawn on the disk's own block map.
    let diff_overlay = use_state(|| None::<crate::components::diff::DiffOverlay>);
    // Pointing at a snapshot's Restore: its layers light up in the chain.
    let restore_preview = use_state(|| None::<String>);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: Action| state.dispatch(action))
    };

    // Open the lab once.
    {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        let language = *lang;
        use_effect_with((), move |_| {
            // Other tabs may hold the database (opening waits: say which)
            // or take it away (an upgrade or a deletion: this tab closes
            // its connection for them, and says so).
            store.set_watch(crate::storage::Watch {
                blocked: {
                    let dispatch = dispatch.clone();
                    Callback::from(move |()| dispatch.emit(Action::OpenBlocked))
                },
                closed: {
                    let dispatch = dispatch.clone();
                    Callback::from(move |deleted: bool| {
                        let key = if deleted {
                            "app.deletedElsewhere"
                        } else {
                            "app.upgradedElsewhere"
                        };
                        dispatch.emit(Action::LetGo(tr(language, key).into()))
                    })
                },
            });
            spawn_local(async move {
                let persisted = storage::request_persistence().await;
                match store.open().await {
                    Ok(journal) => {
                        dispatch.emit(Action::Loaded(journal));
                        open_share_link(&dispatch);
                    }
                    Err(message) => dispatch.emit(Action::LoadFailed(message)),
                }
                refresh_storage(dispatch, Some(persisted));
            });
        });
    }

    // Other tabs on the same lab: hear their changes, announce ours.
    let tabs = use_memo((), {
        let dispatch = dispatch.clone();
        move |_| crate::services::tabs::Tabs::listen(dispatch)
    });
    {
        // Follow another tab's change once nothing is in flight here.
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        let follow = state.stale && !state.busy() && state.phase == Phase::Ready;
        use_effect_with(follow, move |follow| {
            if *follow {
                spawn_local(async move {
                    match store.open().await {
                        Ok(journal) => dispatch.emit(Action::Followed(journal)),
                        Err(message) => dispatch.emit(Action::LoadFailed(message)),
                    }
                });
            }
        });
    }

    // A lab opened from its checkpoint shows at once; the log before the
    // checkpoint is read when something needs it (the History tab, undo).
    {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        let wanted = state.wants_older().map(|base| (state.lineage, base));
        use_effect_with(wanted, move |wanted| {
            if let Some((_, base)) = *wanted {
                spawn_local(async move {
                    let read = store.load_older(base).await.map(Rc::new);
                    dispatch.emit(Action::OlderHistory(read));
                });
            }
        });
    }

    // Store whatever work is in flight; the reducer waits for the answer.
    {
        let tabs = tabs.clone();
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        let flight = state.in_flight.clone();
        let persisted = state.storage.persisted;
        let crash = (*crash_next).clone();
        use_effect_with(flight.as_ref().map(|(n, _)| *n), move |_| {
            if let Some((n, flight)) = flight {
                if let Flight::Run(_) = &*flight {
                    // A script runs first; what it did is stored when it ends.
                    spawn_local(async move {
                        if let Flight::Run(running) = &*flight {
                            crate::services::script::run(n, running, dispatch).await;
                        }
                    });
                    return;
                }
                if crash.replace(false) {
                    // Fault injection: the tab "closes" after the operation's data is
                    // stored but before its commit record; the reload recovers.
                    spawn_local(async move {
                        store.store_only_chunks(&flight).await;
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    });
                    return;
                }
                spawn_local(async move {
                    match store.store(&flight).await {
                        Ok(()) => {
                            dispatch.emit(Action::Committed(n));
                            if let Some(tabs) = tabs.as_ref() {
                                tabs.announce();
                            }
                        }
                        Err(e) => dispatch.emit(Action::CommitFailed(n, e)),
                    }
                    refresh_storage(dispatch, persisted);
                });
            }
        });
    }

    // A click: queued behind the work in flight, run through the same
    // execution point as the console (so a lesson's locks apply).
    let submit = {
        let dispatch = dispatch.clone();
        Callback::from(move |command: Command| dispatch.emit(Action::Submit(command)))
    };
    let run_console = {
        let dispatch = dispatch.clone();
        Callback::from(move |(language, script): (Language, String)| {
            dispatch.emit(Action::Queue(Work::Script {
                origin: Origin::Console,
                language,
                script,
            }))
        })
    };
    let stop_script = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: ()| dispatch.emit(Action::Stop))
    };
    let run_presenter = {
        let dispatch = dispatch.clone();
        Callback::from(move |(language, script): (Language, String)| {
            dispatch.emit(Action::Queue(Work::Script {
                origin: Origin::Presenter,
                language,
                script,
            }))
        })
    };
    let clear_console = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: ()| dispatch.emit(Action::ClearConsole))
    };
    let export = {
        let (store, dispatch) = ((*store).clone(), dispatch.clone());
        Callback::from(move |_: ()| {
            let (store, dispatch) = (store.clone(), dispatch.clone());
            spawn_local(async move {
                let result = match store.export().await {
                    Ok((file, records)) => storage::download("snaplab-lab.snaplab", &file)
                        .map(|_| {
                            format!(
                                "Exported the lab: {} in {records} records",
                                human_bytes(file.len() as u64)
                            )
                        })
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                dispatch.emit(Action::Notice(result.map_err(|message| Refusal {
                    code: "ExportFailed".into(),
                    message,
                    rule: None,
                })));
            });
        })
    };
    let fail_next_put = {
        let store = (*store).clone();
        Callback::from(move |_: ()| store.fail_next_put())
    };
    let t = |key: &str| tr(*lang, key);
    // Keyboard shortcuts (listed under `?`); not while typing in a field.
    {
        let (presenter, shortcuts, next_step, submit) = (
            presenter.clone(),
            shortcuts.clone(),
            next_step.clone(),
            submit.clone(),
        );
        use_effect_with((*presenter, *shortcuts, *next_step), move |(p, sc, n)| {
            let (p, sc, n) = (*p, *sc, *n);
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    let typing = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| {
                            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        });
                    if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    match e.key().as_str() {
                        "?" => shortcuts.set(!sc),
                        "Escape" => shortcuts.set(false),
                        "p" => presenter.set(!p),
                        "n" => next_step.set(n + 1),
                        "+" => {
                            submit.emit(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }))
                        }
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }
    let toggle_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |_| presenter.set(!*presenter))
    };
    let close_shortcuts = {
        let shortcuts = shortcuts.clone();
        Callback::from(move |_| shortcuts.set(false))
    };
    let switch_lang = {
        let lang = lang.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                lang.set(if s.value() == "sv" {
                    Lang::Sv
                } else {
                    Lang::En
                });
            }
        })
    };
    let storage_panel = html! {
        <StoragePanel facts={state.storage} log_len={state.lab().operations()} export={export} dispatch={dispatch.clone()} />
    };

    // The dialog's command: its result comes back to the dialog.
    let create_snapshot = {
        let dispatch = dispatch.clone();
        Callback::from(move |command: Command| {
            dispatch.emit(Action::Queue(Work::CommandFrom(Origin::Wizard, command)))
        })
    };
    let pick_tab = |tab: Tab| {
        let current = current_tab.clone();
        Callback::from(move |_| current.set(tab))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |id: String| selected.set(Some(id)))
    };
    let toggle_notes = {
        let (open, seen, newest) = (
            notes_open.clone(),
            notes_seen.clone(),
            state.next_notification,
        );
        Callback::from(move |_| {
            open.set(!*open);
            seen.set(newest);
        })
    };
    // Is the lesson in progress solved? Checked when the lab changes only.
    let lesson_solved: Option<String> = {
        let lab = state.lab().clone();
        (*use_memo(((*lesson).clone(), state.revision), move |(id, _)| {
            let lesson = snaplab_console::lessons::by_id().remove(id.as_ref()?)?;
            lesson.solved(&lab).then(|| lesson.title.clone())
        }))
        .clone()
        .map(|title| {
            if *lang == Lang::Sv {
                title.sv
            } else {
                title.en
            }
        })
    };
    let unseen = state
        .notifications
        .iter()
        .filter(|n| n.serial >= *notes_seen)
        .count();

    // The resizable console dock (as Cloud Shell's): drag its top edge, or
    // use the arrow keys on it.
    {
        let (dragging, height) = (dock_dragging.clone(), dock_height.clone());
        use_effect_with(*dock_dragging, move |on| {
            let listeners = on.then(|| {
                let window = web_sys::window().expect("a window");
                let h = height.clone();
                let moving = gloo::events::EventListener::new(&window, "pointermove", move |e| {
                    if let (Some(e), Some(w)) =
                        (e.dyn_ref::<web_sys::PointerEvent>(), web_sys::window())
                    {
                        let vh = w
                            .inner_height()
                            .ok()
                            .and_then(|v| v.as_f64())
                            .unwrap_or(768.0);
                        let wanted = vh - e.client_y() as f64;
                        h.set(wanted.clamp(96.0, vh * 0.7) as u32);
                    }
                });
                let d = dragging.clone();
                let up =
                    gloo::events::EventListener::new(&window, "pointerup", move |_| d.set(false));
                (moving, up)
            });
            move || drop(listeners)
        });
    }
    let start_drag = {
        let dragging = dock_dragging.clone();
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let dock_keys = {
        let height = dock_height.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowUp" => height.set((*height + 24).min(600)),
            "ArrowDown" => height.set(height.saturating_sub(24).max(96)),
            _ => {}
        })
    };

    let body = match &state.phase {
        Phase::Loading => html! {
            <p class="loading" role="status">
                { t("app.loading") }
                if state.blocked { <br /><strong id="open-blocked">{ t("app.blocked") }</strong> }
            </p>
        },
        Phase::Failed(message) => html! {
            <section class="card refusal failed" role="alert">
                <h2>{ if state.let_go { t("app.letGo") } else { t("app.failed") } }</h2>
                <p>{ message }</p>
                if state.let_go {
                    <p><button type="button" class="primary" id="reload-tab" onclick={Callback::from(|_| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    })}>{ t("app.reload") }</button></p>
                }
                { storage_panel }
            </section>
        },
        Phase::Ready => {
            let lab = state.lab();
            let revision = state.revision;
            let groups: Vec<String> = lab.groups().map(|g| g.name.clone()).collect();
            let mut disks: Vec<_> = lab
                .disks()
                .filter(|d| d.at.subscription == lab.current_subscription().id)
                .collect();
            disks.sort_by_key(|d| (d.at.group.to_lowercase(), d.at.name.to_lowercase()));
            let disk = selected
                .as_ref()
                .and_then(|id| disks.iter().find(|d| &d.id() == id))
                .or_else(|| disks.first())
                .copied();
            let layers = Rc::new(
                disk.map(|d| chain_layers_previewing(lab, d, restore_preview.as_deref()))
                    .unwrap_or_default(),
            );
            let tab = *current_tab;
            let tab_button = |which: Tab, key: &str| {
                html! {
                    <button type="button" role="tab" id={format!("tab-{}", which.id())} aria-selected={(tab == which).to_string()}
                        aria-controls="side-panel" class={classes!("tab", (tab == which).then_some("active"))}
                        onclick={pick_tab(which)}>{ t(key) }</button>
                }
            };
            let side = match tab {
                Tab::Snapshots => html! {
                    <Snapshots snapshots={sorted_snapshots(lab)} now={lab.now()} submit={submit.clone()}
                        on_restore_preview={{ let p = restore_preview.clone(); Callback::from(move |n| p.set(n)) }}
                        taken={lab.disks().map(|d| d.at.name.to_lowercase()).collect::<Vec<_>>()} />
                },
                Tab::Diff => html! {
                    <DiffView lab={lab.clone()} revision={revision} on_overlay={{
                        let overlay = diff_overlay.clone();
                        Callback::from(move |o| overlay.set(o))
                    }} />
                },
                Tab::Billing => html! { <Billing lab={lab.clone()} revision={revision} /> },
                Tab::Violations => {
                    html! { <Violations events={lab.events().cloned().collect::<Vec<_>>()} /> }
                }
                Tab::History => {
                    html! { <History lab={lab.clone()} revision={revision} dispatch={dispatch.clone()} submit={submit.clone()} /> }
                }
                Tab::Lessons => html! {
                    <>
                        <Lessons lab={lab.clone()} revision={revision} current={lesson.clone()} dispatch={dispatch.clone()} />
                        <WalkthroughPanel group={disk.map(|d| d.at.group.clone()).unwrap_or_default()}
                            disk={disk.map(|d| d.at.name.clone()).unwrap_or_default()} dispatch={dispatch.clone()} />
                    </>
                },
                Tab::More => html! {
                    <>
                        <Manage lab={lab.clone()} revision={revision} submit={submit.clone()} />
                        <TemplateBlade lab={lab.clone()} revision={revision} result={state.deployed.clone()} dispatch={dispatch.clone()} />
                        <Faults lab={lab.clone()} revision={revision} fail_next_put={fail_next_put} crash_next={(*crash_next).clone()} dispatch={dispatch.clone()} />
                        { storage_panel }
                    </>
                },
            };
            html! {
                <div class="workspace">
                    <aside class="left">
                        <ResourceTree lab={lab.clone()} revision={revision} selected={disk.map(|d| d.id())} on_select={on_select} />
                    </aside>
                    <main class="centre" lang={lang.code()}>
                        if let Some(payload) = state.pending_share.clone() {
                            <div class="pending-share" role="region" aria-label={t("share.waiting")}>
                                <span>{ t("share.waiting") }</span>
                                <button type="button" class="primary" onclick={{
                                    let dispatch = dispatch.clone();
                                    Callback::from(move |_| open_shared_payload(&payload, false, &dispatch))
                                }}>{ t("share.open") }</button>
                                <button type="button" onclick={{
                                    let dispatch = dispatch.clone();
                                    Callback::from(move |_| dispatch.emit(Action::PendingShare(None)))
                                }}>{ t("share.dismiss") }</button>
                            </div>
                        }
                        if let Some(title) = lesson_solved.clone() {
                            <div class="success" id="centre-success" role="status">
                                <strong>{ t("lessons.wellDone") }</strong>{ " " }{ title }
                                <button type="button" onclick={pick_tab(Tab::Lessons)}>{ t("lessons.whatNext") }</button>
                            </div>
                        }
                        if *presenter {
                            <Presenter run={run_presenter} last={Rc::new(state.presenter_lines.clone())} next={*next_step}
                                group={disk.map(|d| d.at.group.clone()).unwrap_or_default()} disk={disk.map(|d| d.at.name.clone()).unwrap_or_default()} />
                        }
                        { match disk {
                            Some(disk) => html! {
                                <DiskCard key={disk.id()} disk={disk.clone()} revision={revision} next_snapshot={next_snapshot_name(lab, &disk.at.name)}
                                    groups={groups.clone()} submit={submit.clone()} layers={layers}
                                    snapshot_names={Rc::new(lab.snapshots().map(|s| (s.at.group.clone(), s.at.name.clone())).collect::<Vec<_>>())}
                                    create_snapshot={create_snapshot} wizard_reply={state.wizard_reply.clone()}
                                    refusal={state.last_refusal.clone()} message={state.last_message.clone()}
                                    diff={diff_overlay.as_ref().filter(|o| o.disk_unique_id == disk.unique_id).map(|o| o.ranges.clone())} />
                            },
                            None => html! {
                                <>
                                    <p class="hint">{ t("tree.empty") }</p>
                                    if let Some(refusal) = &state.last_refusal {
                                        <RefusalNotice refusal={refusal.clone()} />
                                    }
                                </>
                            },
                        } }
                    </main>
                    <aside class="right">
                        <div class="tabs" role="tablist" aria-label={t("tabs.label")}>
                            { tab_button(Tab::Snapshots, "tabs.snapshots") }
                            { tab_button(Tab::Diff, "tabs.diff") }
                            { tab_button(Tab::Billing, "tabs.billing") }
                            { tab_button(Tab::Violations, "tabs.violations") }
                            { tab_button(Tab::History, "tabs.history") }
                            { tab_button(Tab::Lessons, "tabs.lessons") }
                            { tab_button(Tab::More, "tabs.more") }
                        </div>
                        <div class="side-panel" id="side-panel" role="tabpanel" aria-labelledby={format!("tab-{}", tab.id())}>
                            { side }
                        </div>
                    </aside>
                </div>
            }
        }
    };
    let clock = match &state.phase {
        Phase::Ready => {
            html! { <ClockBar now={state.lab().now()} busy={state.busy()} submit={submit.clone()} /> }
        }
        _ => html! {},
    };

    html! {
        <ContextProvider<Lang> context={*lang}>
          <div class={classes!("app", presenter.then_some("presenter"))} style={format!("--dock: {}px", *dock_height)}>
            <header class="app-header">
                <h1 title={t("app.footer")}>{ "Snaplab" }</h1>
                <p class="tagline">{ t("app.tagline") }</p>
                { clock }
                <div class="notify">
                    <button type="button" id="notify-button" aria-expanded={notes_open.to_string()} aria-controls="notify-list" onclick={toggle_notes}
                        aria-label={format!("{} ({unseen})", t("notify.title"))}>
                        <svg class="bell" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1a1 1 0 0 0-2 0v1.1A5 5 0 0 0 3 7v4l-2 2h14z"/></svg>
                        if unseen > 0 { <span class="badge">{ unseen }</span> }
                    </button>
                    if *notes_open {
                        <section class="notify-list" id="notify-list" aria-label={t("notify.title")}>
                            <h2>{ t("notify.title") }</h2>
                            if state.notifications.is_empty() { <p class="hint">{ t("notify.none") }</p> }
                            <ol>
                                { for state.notifications.iter().rev().map(|n| match &n.result {
                                    Ok(m) => html! { <li class="ok">{ format!("✔ {m}") }</li> },
                                    Err(r) => html! { <li class="err"><strong>{ format!("({}) ", r.code) }</strong>{ &r.message }</li> },
                                }) }
                            </ol>
                        </section>
                    }
                </div>
                <button type="button" class="presenter-toggle" aria-pressed={presenter.to_string()} onclick={toggle_presenter}>{ t("presenter.toggle") }</button>
                <label class="language"><span class="label-text">{ t("app.language") }</span>
                    <select onchange={switch_lang} aria-label={t("app.language")}>
                        <option value="en" selected={*lang == Lang::En}>{ "English" }</option>
                        <option value="sv" selected={*lang == Lang::Sv}>{ "Svenska" }</option>
                    </select>
                </label>
            </header>
            { body }
            if state.phase == Phase::Ready {
                <div class="dock">
                    <div class="dock-handle" role="separator" aria-orientation="horizontal" tabindex="0"
                        aria-label={t("dock.resize")} aria-valuenow={dock_height.to_string()}
                        onpointerdown={start_drag} onkeydown={dock_keys}></div>
                    <ConsolePanel lines={state.console_lines.clone()} running={state.running.clone()} run={run_console} clear={clear_console} stop={stop_script} />
                </div>
            }
            if *shortcuts {
                <div class="wizard shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">{ t("shortcuts.title") }</h2>
                    <dl class="facts">
                        <dt><kbd>{ "?" }</kbd></dt><dd>{ t("shortcuts.help") }</dd>
                        <dt><kbd>{ "p" }</kbd></dt><dd>{ t("shortcuts.presenter") }</dd>
                        <dt><kbd>{ "n" }</kbd></dt><dd>{ t("shortcuts.next") }</dd>
                        <dt><kbd>{ "+" }</kbd></dt><dd>{ t("shortcuts.minute") }</dd>
                    </dl>
                    <button type="button" onclick={close_shortcuts}>{ t("shortcuts.close") }</button>
                </div>
            }
          </div>
        </ContextProvider<Lang>>
    }
}

/// The side panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Snapshots,
    Diff,
    Billing,
    Violations,
    History,
    Lessons,
    More,
}

impl Tab {
    pub fn id(self) -> &'static str {
        match self {
            Tab::Snapshots => "snapshots",
            Tab::Diff => "diff",
            Tab::Billing => "billing",
            Tab::Violations => "violations",
            Tab::History => "history",
            Tab::Lessons => "lessons",
            Tab::More => "more",
        }
    }
}

/// The snapshot chain of `disk`, oldest first, then its pending changes:
/// what each layer of the block map shows.
pub fn chain_layers(lab: &Lab, disk: &snaplab_engine::model::Disk) -> Vec<Layer> {
    chain_layers_previewing(lab, disk, None)
}

/// The chain, with the layers that make up a restore of snapshot `restore`
/// marked: for an incremental snapshot, every layer of its family up to it
/// (a restore composes them); for a full one, itself alone.
pub fn chain_layers_previewing(
    lab: &Lab,
    disk: &snaplab_engine::model::Disk,
    restore: Option<&str>,
) -> Vec<Layer> {
    let target = restore.and_then(|name| {
        lab.snapshots()
            .find(|s| s.at.name == name && s.origin.source_unique_id == disk.unique_id)
            .cloned()
    });
    let composes = |s: &Snapshot| {
        target.as_ref().map(|t| {
            if t.incremental {
                s.incremental && s.family_id == t.family_id && s.seq <= t.seq
            } else {
                s.seq == t.seq
            }
        })
    };
    let mut snapshots: Vec<&Snapshot> = lab
        .snapshots()
        .filter(|s| s.origin.source_unique_id == disk.unique_id)
        .collect();
    snapshots.sort_by_key(|s| s.seq);
    let mut layers: Vec<Layer> = snapshots
        .into_iter()
        .map(|s| Layer {
            label: s.at.name.clone(),
            kind: if s.incremental {
                LayerKind::Incremental
            } else {
                LayerKind::Full
            },
            pages: if s.incremental {
                s.delta.clone()
            } else {
                RangeSet::from_ranges(s.content.written_ranges())
            },
            content: s.content.clone(),
            used: s.used_bytes(),
            composes: composes(s),
        })
        .collect();
    if !disk.changed.is_empty() {
        layers.push(Layer {
            label: "→ next".into(),
            kind: LayerKind::Pending,
            pages: disk.changed.clone(),
            content: disk.data.page_map().clone(),
            used: snaplab_engine::model::written_pages_within(disk.data.page_map(), &disk.changed)
                * 512,
            composes: target.as_ref().map(|_| false),
        });
    }
    layers
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
