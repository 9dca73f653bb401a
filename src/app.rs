//! The app: opens the lab from IndexedDB, commits each operation, and lays
//! out the components. State lives in [`AppState`] (a pure reducer); I/O
//! happens only in the effects here and in the storage panel's handlers.

use std::rc::Rc;

use snaplab_engine::model::Snapshot;
use snaplab_engine::store::Journal;
use snaplab_engine::{Command, Lab};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::billing::Billing;
use crate::components::clock::ClockBar;
use crate::components::console::ConsolePanel;
use crate::components::diff::DiffView;
use crate::components::disk_card::DiskCard;
use crate::components::faults::Faults;
use crate::components::history::History;
use crate::components::lessons::Lessons;
use crate::components::manage::Manage;
use crate::components::presenter::Presenter;
use crate::components::snapshots::Snapshots;
use crate::components::storage_panel::StoragePanel;
use crate::components::template::TemplateBlade;
use crate::components::violations::Violations;
use crate::i18n::{tr, Lang};
use crate::state::{starter_commands, Action, AppState, Phase, Refusal, StorageFacts};
use crate::storage::{self, IdbStore, LAB_DB};

pub type Store = Rc<IdbStore>;

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

/// Reads the lab from `store` and replays it, finishing any recovery; a new
/// (or just reset) lab gets its starter group and disk.
pub async fn load_lab(store: &IdbStore) -> Result<Journal, String> {
    let records = store.load().await.map_err(|e| e.to_string())?;
    let opened = Journal::open(&records).map_err(|e| format!("({}) {e}", e.code()))?;
    if !opened.recovery.puts.is_empty() || !opened.recovery.deletes.is_empty() {
        store
            .commit(&opened.recovery)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut journal = opened.journal;
    if journal.lab().log().len() == 0 {
        for command in starter_commands() {
            let prepared = journal.prepare(command);
            store
                .commit(&prepared.batch)
                .await
                .map_err(|e| e.to_string())?;
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

/// Opens a share link (`#lab=…` in the address) after asking: its operation
/// log replaces the stored lab. A damaged or tampered link is refused.
async fn open_share_link(store: &IdbStore, dispatch: &Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let Some(payload) = hash.strip_prefix("#lab=") else {
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
    let log = match snaplab_engine::share::decode(payload) {
        Ok(log) => log,
        Err(e) => return dispatch.emit(refused(e)),
    };
    if !window
        .confirm_with_message(tr(Lang::default(), "share.confirm"))
        .unwrap_or(false)
    {
        return;
    }
    match snaplab_engine::store::records_for(log) {
        Ok((records, journal)) => match store.replace_all(&records).await {
            Ok(()) => {
                dispatch.emit(Action::Loaded(journal));
                dispatch.emit(Action::Notice(Ok(
                    tr(Lang::default(), "share.opened").into()
                )));
            }
            Err(e) => dispatch.emit(Action::Notice(Err(Refusal {
                code: "QuotaExceeded".into(),
                message: e.to_string(),
                rule: None,
            }))),
        },
        Err(e) => dispatch.emit(refused(e)),
    }
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
    let store = use_mut_ref(|| None::<Store>);
    let lang = use_state(Lang::default);
    let presenter = use_state(|| false);
    let lesson = use_state(|| None::<String>);
    // Parsed once per lesson change, not on every render.
    let lesson_disabled: Vec<String> = (*use_memo((*lesson).clone(), |id| {
        id.as_ref()
            .and_then(|id| snaplab_console::lessons::by_id().remove(id))
            .map(|l| l.disabled)
            .unwrap_or_default()
    }))
    .clone();
    let shortcuts = use_state(|| false);
    let next_step = use_state(|| 0u32);
    let crash_next = use_state(|| Rc::new(std::cell::Cell::new(false)));
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
                        *store.borrow_mut() = Some(opened.clone());
                        dispatch.emit(Action::Loaded(journal));
                        open_share_link(&opened, &dispatch).await;
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
        let crash = (*crash_next).clone();
        use_effect_with(flight.as_ref().map(|(n, _)| *n), move |_| {
            if let (Some((n, prepared)), Some(store)) = (flight, store.borrow().clone()) {
                if crash.replace(false) {
                    // Fault injection: the tab "closes" after the operation's data is
                    // stored but before its commit record; the reload recovers.
                    spawn_local(async move {
                        let chunks = prepared
                            .batch
                            .puts
                            .iter()
                            .filter(|(k, _)| k.starts_with("chunk/"))
                            .cloned()
                            .collect();
                        let _ = store
                            .commit(&snaplab_engine::store::Batch {
                                puts: chunks,
                                deletes: vec![],
                                strict: false,
                            })
                            .await;
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    });
                    return;
                }
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
        let disabled = lesson_disabled.clone();
        Callback::from(move |command: Command| {
            // A lesson's disabled commands disable the same actions in the UI.
            let az = snaplab_console::lessons::az_equivalent(&command);
            match disabled.iter().find(|p| az.starts_with(p.as_str())) {
                Some(prefix) => dispatch.emit(Action::Notice(Err(Refusal {
                    code: "DisabledInLesson".into(),
                    message: format!("'{prefix}' is disabled in this lesson."),
                    rule: None,
                }))),
                None => dispatch.emit(Action::Submit(command)),
            }
        })
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
                        "+" => submit.emit(Command::AdvanceClock { millis: 60_000 }),
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
    let panel = html! {
        <StoragePanel facts={state.storage} log_len={state.lab().log().len()} store={store.clone()} dispatch={dispatch.clone()} />
    };

    let body = match &state.phase {
        Phase::Loading => html! { <p class="card" role="status">{ t("app.loading") }</p> },
        Phase::Failed(message) => html! {
            <section class="card refusal" role="alert">
                <h2>{ t("app.failed") }</h2>
                <p>{ message }</p>
                { panel }
            </section>
        },
        Phase::Ready => {
            let lab = state.lab();
            let revision = lab.log().len();
            let groups: Vec<String> = lab.groups().map(|g| g.name.clone()).collect();
            let events: Vec<_> = lab.events().cloned().collect();
            html! {
                <>
                    <ClockBar now={lab.now().to_azure_string()} busy={state.busy()} submit={submit.clone()} />
                    <Lessons lab={lab.clone()} current={lesson.clone()} store={store.clone()} dispatch={dispatch.clone()} />
                    if *presenter {
                        <Presenter lab={lab.clone()} submit={submit.clone()} next={*next_step} />
                    }
                    <History lab={lab.clone()} store={store.clone()} dispatch={dispatch.clone()} submit={submit.clone()} />
                    if let Some(refusal) = &state.last_refusal {
                        <RefusalNotice refusal={refusal.clone()} />
                    }
                    <p class="notice" role="status">{ state.last_message.clone().unwrap_or_default() }</p>
                    <div class="disks">
                        { for lab.disks().map(|disk| html! {
                            <DiskCard key={disk.id()} disk={disk.clone()} revision={revision} next_snapshot={next_snapshot_name(lab, &disk.at.name)}
                                groups={groups.clone()} submit={submit.clone()} />
                        }) }
                    </div>
                    <ConsolePanel lab={lab.clone()} disabled={lesson_disabled.clone()} submit={submit.clone()} />
                    <Snapshots snapshots={sorted_snapshots(lab)} now={lab.now()} submit={submit.clone()}
                        taken={lab.disks().map(|d| d.at.name.to_lowercase()).collect::<Vec<_>>()} />
                    <div class="columns">
                        <DiffView lab={lab.clone()} revision={revision} />
                        <Billing lab={lab.clone()} revision={revision} />
                    </div>
                    <Violations events={events} />
                    <Manage lab={lab.clone()} revision={revision} submit={submit.clone()} />
                    <TemplateBlade lab={lab.clone()} submit={submit.clone()} />
                    <Faults lab={lab.clone()} store={store.clone()} crash_next={(*crash_next).clone()} submit={submit.clone()} dispatch={dispatch.clone()} />
                    { panel }
                </>
            }
        }
    };

    html! {
        <ContextProvider<Lang> context={*lang}>
          <div class={classes!("app", presenter.then_some("presenter"))}>
            <header class="app-header">
                <div>
                    <h1>{ "Snaplab" }</h1>
                    <p class="tagline">{ t("app.tagline") }</p>
                </div>
                <button type="button" class="presenter-toggle" aria-pressed={presenter.to_string()} onclick={toggle_presenter}>{ t("presenter.toggle") }</button>
                <label class="language">{ t("app.language") }{ " " }
                    <select onchange={switch_lang} aria-label={t("app.language")}>
                        <option value="en" selected={*lang == Lang::En}>{ "English" }</option>
                        <option value="sv" selected={*lang == Lang::Sv}>{ "Svenska" }</option>
                    </select>
                </label>
            </header>
            <main class="app-main" lang={lang.code()}>{ body }</main>
            <footer class="app-footer">{ t("app.footer") }</footer>
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
