//! One disk: what the engine says about it, its block map, workloads, and
//! the portal's "Create snapshot".

use snaplab_engine::cmd;
use snaplab_engine::model::Disk;
use snaplab_engine::units::{human_bytes, GIB, MIB};
use snaplab_engine::{Command, PatternKind, WriteData};
use yew::prelude::*;

use std::rc::Rc;

use super::block_map::{BlockMap, Layer};
use super::wizard::SnapshotWizard;
use super::workloads::MoreWorkloads;
use super::{At, Submit};
use crate::i18n::use_t;
use crate::state::Refusal;

#[derive(Properties, PartialEq)]
pub struct DiskCardProps {
    /// The disk as of the lab's revision.
    pub disk: At<Disk>,
    /// The name the next snapshot of this disk is offered.
    pub next_snapshot: String,
    /// Every snapshot's (group, name): the dialog checks a new name, as the portal does.
    #[prop_or_default]
    pub snapshot_names: Rc<Vec<(String, String)>>,
    pub groups: Vec<String>,
    pub submit: Submit,
    /// The snapshot chain of this disk, drawn under its block map.
    pub layers: At<Vec<Layer>>,
    /// The Create snapshot dialog's command, and its last result.
    pub create_snapshot: Callback<Command>,
    pub wizard_reply: Option<(u64, Result<String, Refusal>)>,
    /// The last refusal, shown beside the controls that caused it.
    #[prop_or_default]
    pub refusal: Option<Refusal>,
    /// The last success, beside the controls too.
    #[prop_or_default]
    pub message: Option<String>,
    /// A diff of two of this disk's snapshots, drawn over its block map.
    #[prop_or_default]
    pub diff: Option<Rc<Vec<(bool, snaplab_engine::page_map::PageRange)>>>,
}

#[function_component(DiskCard)]
pub fn disk_card(props: &DiskCardProps) -> Html {
    let t = use_t();
    let disk = &props.disk;
    let (name, group) = (disk.at.name.clone(), disk.at.group.clone());
    let ranges = disk.data.page_map().written_ranges();
    // New writes go after the last written range, so each one shows on its own.
    let next_offset = ranges.last().map_or(0, |r| r.end * 512);
    let wizard = use_state(|| false);
    let id = |what: &str| format!("disk-{}-{what}", name.to_lowercase());
    let seed = disk.data.used_bytes() ^ next_offset ^ disk.changed.page_count();

    let emit = |command: Command| {
        let submit = props.submit.clone();
        Callback::from(move |_: MouseEvent| submit.emit(command.clone()))
    };
    let write = |offset: u64, length: u64, seed: u64| {
        Command::Write(cmd::Write {
            group: group.clone(),
            disk: name.clone(),
            offset: offset.min(disk.data.size_bytes().saturating_sub(length)),
            data: WriteData::Pattern {
                pattern: PatternKind::Random,
                seed,
                length,
            },
        })
    };
    // Random writes: 16 writes of 4 KiB spread over the disk, different each time.
    let random_writes = {
        let submit = props.submit.clone();
        let (group, name, size) = (group.clone(), name.clone(), disk.data.size_bytes());
        Callback::from(move |_: MouseEvent| {
            let mut x = seed | 1;
            for i in 0..16u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let offset = (x % (size / 4096)) * 4096;
                submit.emit(Command::Write(cmd::Write {
                    group: group.clone(),
                    disk: name.clone(),
                    offset,
                    data: WriteData::Pattern {
                        pattern: PatternKind::Random,
                        seed: x ^ i,
                        length: 4096,
                    },
                }));
            }
        })
    };
    // Rewrite identical data: read the last written MiB and write the same bytes back (A8).
    let rewrite = ranges.last().map(|r| {
        let start = (r.end * 512).saturating_sub(MIB).max(r.start * 512);
        let bytes = disk
            .data
            .read(start, r.end * 512 - start)
            .unwrap_or_default();
        emit(Command::Write(cmd::Write {
            group: group.clone(),
            disk: name.clone(),
            offset: start,
            data: WriteData::bytes(bytes),
        }))
    });
    let trim = emit(Command::Clear(cmd::Clear {
        group: group.clone(),
        disk: name.clone(),
        offset: next_offset.saturating_sub(MIB),
        length: MIB.min(next_offset.max(512)),
    }));

    let open_wizard = {
        let wizard = wizard.clone();
        Callback::from(move |_| wizard.set(true))
    };
    let close_wizard = {
        let wizard = wizard.clone();
        Callback::from(move |_| wizard.set(false))
    };

    html! {
        <section class="disk-card" aria-labelledby={id("title")}>
            <div class="disk-head">
                <h2 id={id("title")}>{ format!("{} {name}", t("disk.title")) }</h2>
                <dl class="facts strip">
                    <dt>{ t("disk.size") }</dt><dd id={id("size")}>{ human_bytes(disk.data.size_bytes()) }</dd>
                    <dt>{ t("disk.sku") }</dt><dd>{ disk.sku.name() }</dd>
                    <dt>{ t("disk.region") }</dt><dd>{ &disk.at.location }</dd>
                    <dt>{ t("disk.used") }</dt><dd id={id("used")}>{ human_bytes(disk.data.used_bytes()) }</dd>
                    <dt>{ t("disk.changed") }</dt><dd id={id("changed")}>{ human_bytes(disk.changed.page_count() * 512) }</dd>
                    <dt>{ t("disk.state") }</dt><dd>{ disk.disk_state() }</dd>
                </dl>
                <button type="button" class="primary" onclick={open_wizard} title={crate::explain_tip("az snapshot create")}>{ format!("+ {}", t("disk.createSnapshot")) }</button>
            </div>
            if *wizard {
                <SnapshotWizard disk={name.clone()} disk_id={disk.id()} disk_group={group.clone()} groups={props.groups.clone()}
                    taken={props.snapshot_names.clone()}
                    suggested_name={props.next_snapshot.clone()} create={props.create_snapshot.clone()}
                    reply={props.wizard_reply.clone()} on_close={close_wizard} />
            }
            <BlockMap disk={disk.clone()} layers={props.layers.clone()} diff={props.diff.clone()} />
            <div class="actions toolbar" role="group" aria-label={format!("{} {name}", t("disk.title"))}>
                <button type="button" onclick={emit(write(next_offset, MIB, seed))} title={crate::explain_tip("sim write")}>{ t("disk.write1") }</button>
                <button type="button" onclick={emit(write(next_offset, 64 * MIB, seed))}>{ t("disk.write64") }</button>
                <button type="button" onclick={emit(write(next_offset, 10 * GIB, seed))}>{ t("disk.writeGiB") }</button>
                <button type="button" onclick={random_writes}>{ t("disk.random") }</button>
                <button type="button" disabled={rewrite.is_none()} onclick={rewrite.unwrap_or_default()}>{ t("disk.rewrite") }</button>
                <button type="button" onclick={trim} title={crate::explain_tip("sim trim")}>{ t("disk.trim") }</button>
                <button type="button" class="danger" onclick={emit(Command::DeleteDisk(cmd::DeleteDisk { group: group.clone(), name: name.clone() }))}>{ t("disk.delete") }</button>
            </div>
            // Feedback where the eye is: right under the controls.
            // A live region that stays in the page: what lands in it is read out.
            <div class="feedback" id={id("feedback")} aria-live="polite">
                if let Some(r) = &props.refusal {
                    <div class="refusal" role="alert">
                        <strong>{ format!("({}) ", r.code) }</strong>{ &r.message }
                        if let Some(rule) = &r.rule { <span class="rule">{ format!(" Rule {rule}.") }</span> }
                    </div>
                } else if let Some(m) = &props.message {
                    <p class="notice ok" role="status">{ format!("✔ {m}") }</p>
                }
            </div>
            <MoreWorkloads disk={(**disk).clone()} submit={props.submit.clone()} />
        </section>
    }
}
