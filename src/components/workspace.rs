//! The open lab: the resource tree on the left, the selected disk in the
//! centre (with banners for a pending share link and a solved lesson), and
//! the tabbed side panels on the right. What is selected, the tab and the
//! lesson in progress are its own state.

use std::rc::Rc;

use snaplab_console::Line;
use snaplab_engine::model::Snapshot;
use snaplab_engine::Lab;
use yew::prelude::*;

use super::billing::Billing;
use super::block_map::Layer;
use super::chain::chain_layers_previewing;
use super::diff::{DiffOverlay, DiffView};
use super::disk_card::DiskCard;
use super::faults::Faults;
use super::history::History;
use super::lessons::Lessons;
use super::manage::Manage;
use super::presenter::Presenter;
use super::resource_tree::ResourceTree;
use super::snapshots::Snapshots;
use super::template::TemplateBlade;
use super::violations::Violations;
use super::walkthrough::WalkthroughPanel;
use super::{At, LabAt, Submit};
use crate::i18n::{tr, Lang};
use crate::services::share::open_shared_payload;
use crate::state::{Action, Notices, Origin, Refusal, Work};

#[derive(Properties, PartialEq)]
pub struct WorkspaceProps {
    pub lab: LabAt,
    pub notices: Notices,
    /// A share link the user declined to open at once.
    pub pending_share: Option<String>,
    /// The presenter's last step.
    pub presenter_lines: Vec<Line>,
    /// How many undone operations Redo can submit again.
    pub redo: usize,
    pub dispatch: Callback<Action>,
    pub submit: Submit,
    pub presenter: bool,
    /// Presenter mode's step counter.
    pub next_step: u32,
    /// The storage panel (in the More tab).
    pub storage_panel: Html,
    /// Arms a fault for the storage service's next store.
    pub arm_fault: Callback<crate::services::lab_store::Fault>,
    /// A disk was picked in the tree (on a phone, the tree's drawer closes).
    #[prop_or_default]
    pub on_pick_disk: Callback<()>,
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

    const ALL: [(Tab, &'static str); 7] = [
        (Tab::Snapshots, "tabs.snapshots"),
        (Tab::Diff, "tabs.diff"),
        (Tab::Billing, "tabs.billing"),
        (Tab::Violations, "tabs.violations"),
        (Tab::History, "tabs.history"),
        (Tab::Lessons, "tabs.lessons"),
        (Tab::More, "tabs.more"),
    ];
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

/// What the side panels need besides the props.
struct Side<'a> {
    props: &'a WorkspaceProps,
    lab: &'a LabAt,
    lesson: UseStateHandle<Option<String>>,
    on_overlay: Callback<Option<DiffOverlay>>,
    on_restore_preview: Callback<Option<String>>,
    /// The disk in the centre: its group and name.
    disk: (String, String),
}

impl Side<'_> {
    fn panel(&self, tab: Tab) -> Html {
        let (props, lab) = (self.props, self.lab);
        let (dispatch, submit) = (props.dispatch.clone(), props.submit.clone());
        match tab {
            Tab::Snapshots => html! {
                <Snapshots snapshots={sorted_snapshots(lab)} now={lab.now()} submit={submit}
                    on_restore_preview={self.on_restore_preview.clone()}
                    taken={lab.disks().map(|d| d.at.name.to_lowercase()).collect::<Vec<_>>()} />
            },
            Tab::Diff => html! {
                <DiffView lab={lab.clone()} on_overlay={self.on_overlay.clone()} />
            },
            Tab::Billing => html! { <Billing lab={lab.clone()} /> },
            Tab::Violations => {
                html! { <Violations events={lab.events().cloned().collect::<Vec<_>>()} /> }
            }
            Tab::History => html! {
                <History lab={lab.clone()} redo={props.redo} dispatch={dispatch} />
            },
            Tab::Lessons => html! {
                <>
                    <Lessons lab={lab.clone()} current={self.lesson.clone()} dispatch={dispatch.clone()} />
                    <WalkthroughPanel group={self.disk.0.clone()} disk={self.disk.1.clone()} dispatch={dispatch} />
                </>
            },
            Tab::More => html! {
                <>
                    <Manage lab={lab.clone()} submit={submit} />
                    <TemplateBlade lab={lab.clone()} result={props.notices.deployed.clone()} dispatch={dispatch.clone()} />
                    <Faults lab={lab.clone()} arm={props.arm_fault.clone()} dispatch={dispatch} />
                    { props.storage_panel.clone() }
                </>
            },
        }
    }
}

#[function_component(Workspace)]
pub fn workspace(props: &WorkspaceProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let t = |key: &str| tr(lang, key);
    let lesson = use_state(|| None::<String>);
    let selected = use_state(|| None::<String>);
    let current_tab = use_state(|| Tab::Snapshots);
    // The diff the Diff panel shows, drawn on the disk's own block map.
    let diff_overlay = use_state(|| None::<DiffOverlay>);
    // Pointing at a snapshot's Restore: its layers light up in the chain.
    let restore_preview = use_state(|| None::<String>);
    let lab = &props.lab;
    let lesson_solved = use_lesson_solved(lab, (*lesson).clone(), lang);
    let on_select = {
        let selected = selected.setter();
        use_callback(props.on_pick_disk.clone(), move |id: String, picked| {
            selected.set(Some(id));
            picked.emit(());
        })
    };
    let create_snapshot = {
        // The dialog's command: its result comes back to the dialog.
        let dispatch = props.dispatch.clone();
        use_callback((), move |command, _| {
            dispatch.emit(Action::Queue(Work::CommandFrom(Origin::Wizard, command)))
        })
    };
    let pick_tab = |tab: Tab| {
        let current = current_tab.clone();
        Callback::from(move |_| current.set(tab))
    };
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
    // The chain is built again only when the lab, the disk or the preview
    // changes: it clones every snapshot's page map.
    let disk_at = disk.map(|d| At::new(lab.revision, d.id(), d.clone()));
    let layers = {
        let key = format!(
            "{}\n{}",
            disk.map(|d| d.id()).unwrap_or_default(),
            restore_preview.as_deref().unwrap_or_default()
        );
        let (lab, preview) = (lab.clone(), (*restore_preview).clone());
        let disk = disk_at.clone();
        use_memo((lab.revision, key), move |(revision, key)| {
            let layers = disk
                .map(|d| chain_layers_previewing(&lab, &d, preview.as_deref()))
                .unwrap_or_default();
            At::<Vec<Layer>>::new(*revision, key.clone(), layers)
        })
    };
    let tab = *current_tab;
    let (group_name, disk_name) = (
        disk.map(|d| d.at.group.clone()).unwrap_or_default(),
        disk.map(|d| d.at.name.clone()).unwrap_or_default(),
    );
    let side = Side {
        props,
        lab,
        lesson: lesson.clone(),
        on_overlay: {
            let overlay = diff_overlay.setter();
            use_callback((), move |o, _| overlay.set(o))
        },
        on_restore_preview: {
            let preview = restore_preview.setter();
            use_callback((), move |name, _| preview.set(name))
        },
        disk: (group_name.clone(), disk_name.clone()),
    }
    .panel(tab);
    let notices = &props.notices;
    html! {
        <div class="workspace">
            <aside class="left" id="resource-drawer">
                <ResourceTree lab={lab.clone()} selected={disk.map(|d| d.id())} on_select={on_select} />
            </aside>
            <main class="centre" lang={lang.code()}>
                if let Some(payload) = props.pending_share.clone() {
                    <div class="pending-share" role="region" aria-label={t("share.waiting")}>
                        <span>{ t("share.waiting") }</span>
                        <button type="button" class="primary" onclick={{
                            let dispatch = props.dispatch.clone();
                            Callback::from(move |_| open_shared_payload(&payload, false, lang, &dispatch))
                        }}>{ t("share.open") }</button>
                        <button type="button" onclick={{
                            let dispatch = props.dispatch.clone();
                            Callback::from(move |_| dispatch.emit(Action::PendingShare(None)))
                        }}>{ t("share.dismiss") }</button>
                    </div>
                }
                if let Some(title) = lesson_solved {
                    <div class="success" id="centre-success" role="status">
                        <strong>{ t("lessons.wellDone") }</strong>{ " " }{ title }
                        <button type="button" onclick={pick_tab(Tab::Lessons)}>{ t("lessons.whatNext") }</button>
                    </div>
                }
                if props.presenter {
                    <Presenter run={presenter_run(&props.dispatch)} last={Rc::new(props.presenter_lines.clone())} next={props.next_step}
                        group={group_name} disk={disk_name} />
                }
                { match disk_at {
                    Some(disk) => html! {
                        <DiskCard key={disk.id()} disk={disk.clone()} next_snapshot={next_snapshot_name(lab, &disk.at.name)}
                            groups={groups} submit={props.submit.clone()} layers={(*layers).clone()}
                            snapshot_names={Rc::new(lab.snapshots().map(|s| (s.at.group.clone(), s.at.name.clone())).collect::<Vec<_>>())}
                            create_snapshot={create_snapshot} wizard_reply={notices.wizard_reply.clone()}
                            refusal={notices.last_refusal.clone()} message={notices.last_message.clone()}
                            diff={diff_overlay.as_ref().filter(|o| o.disk_unique_id == disk.unique_id).map(|o| o.ranges.clone())} />
                    },
                    None => html! {
                        <>
                            <p class="hint">{ t("tree.empty") }</p>
                            if let Some(refusal) = &notices.last_refusal {
                                <RefusalNotice refusal={refusal.clone()} />
                            }
                        </>
                    },
                } }
            </main>
            <aside class="right">
                <div class="tabs" role="tablist" aria-label={t("tabs.label")}>
                    { for Tab::ALL.iter().map(|&(which, key)| html! {
                        <button type="button" role="tab" id={format!("tab-{}", which.id())} aria-selected={(tab == which).to_string()}
                            aria-controls="side-panel" class={classes!("tab", (tab == which).then_some("active"))}
                            onclick={pick_tab(which)}>{ t(key) }</button>
                    }) }
                </div>
                <div class="side-panel" id="side-panel" role="tabpanel" aria-labelledby={format!("tab-{}", tab.id())}>
                    { side }
                </div>
            </aside>
        </div>
    }
}

/// The presenter's step player runs its scripts; their output comes back to it.
fn presenter_run(dispatch: &Callback<Action>) -> Callback<(snaplab_console::Language, String)> {
    let dispatch = dispatch.clone();
    Callback::from(move |(language, script)| {
        dispatch.emit(Action::Queue(Work::Script {
            origin: Origin::Presenter,
            language,
            script,
        }))
    })
}

/// The title of the lesson in progress if it is solved; checked when the
/// lab changes only.
#[hook]
fn use_lesson_solved(lab: &LabAt, lesson: Option<String>, lang: Lang) -> Option<String> {
    let lab = lab.clone();
    let solved = use_memo((lesson, lab.revision), move |(id, _)| {
        let lesson = snaplab_console::lessons::by_id().remove(id.as_ref()?)?;
        lesson.solved(&lab).then(|| lesson.title.clone())
    });
    (*solved)
        .clone()
        .map(|title| if lang == Lang::Sv { title.sv } else { title.en })
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
