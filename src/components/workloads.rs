//! A disk's further workloads, under "More": a pattern of N MiB at an
//! offset or a TRIM of a range, a resize, SAS access, and real text bytes.

use snaplab_engine::cmd;
use snaplab_engine::model::Disk;
use snaplab_engine::units::{group_thousands, MIB};
use snaplab_engine::{AccessTarget, Command, PatternKind, WriteData};
use yew::prelude::*;

use super::{bind, bind_select, Submit};
use crate::i18n::use_t;

#[derive(Properties, PartialEq)]
pub struct MoreWorkloadsProps {
    pub disk: Disk,
    pub submit: Submit,
}

/// SAS access to the disk: revoked if granted, else granted for an hour.
fn sas_command(disk: &Disk) -> Command {
    let (group, name) = (disk.at.group.clone(), disk.at.name.clone());
    if disk.sas_active {
        Command::RevokeAccess(cmd::RevokeAccess {
            target: AccessTarget::Disk,
            group,
            name,
        })
    } else {
        Command::GrantAccess(cmd::GrantAccess {
            target: AccessTarget::Disk,
            group,
            name,
            duration_seconds: 3600,
            access: Default::default(),
        })
    }
}

/// A field's MiB as bytes. Unparsable numbers become an offset the engine
/// refuses (InvalidPageRange) rather than a guess.
fn offset_and_length(offset: &str, length: &str) -> (u64, u64) {
    let mib = |v: &str| v.trim().parse::<u64>().ok().map(|n| n * MIB);
    (
        mib(offset).unwrap_or(u64::MAX - 511),
        mib(length).unwrap_or(0),
    )
}

#[function_component(MoreWorkloads)]
pub fn more_workloads(props: &MoreWorkloadsProps) -> Html {
    let t = use_t();
    let disk = &props.disk;
    let (name, group) = (disk.at.name.clone(), disk.at.group.clone());
    let ranges = disk.data.page_map().written_ranges();
    // New writes go after the last written range, so each one shows on its own.
    let next_offset = ranges.last().map_or(0, |r| r.end * 512);
    let text = use_state(String::new);
    let id = |what: &str| format!("disk-{}-{what}", name.to_lowercase());
    let seed = disk.data.used_bytes() ^ next_offset ^ disk.changed.page_count();
    let emit = |command: Command| {
        let submit = props.submit.clone();
        Callback::from(move |_: MouseEvent| submit.emit(command.clone()))
    };
    let write_text = {
        let (group, name, text, submit) = (
            group.clone(),
            name.clone(),
            text.clone(),
            props.submit.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if text.is_empty() {
                return;
            }
            // Real bytes, padded with zeros to whole 512-byte pages.
            let mut bytes = text.as_bytes().to_vec();
            bytes.resize(bytes.len().div_ceil(512) * 512, 0);
            submit.emit(Command::Write(cmd::Write {
                group: group.clone(),
                disk: name.clone(),
                offset: next_offset,
                data: WriteData::bytes(bytes),
            }));
            text.set(String::new());
        })
    };
    let on_text = bind(&text);
    // Workload: write N MiB of a pattern at an offset, or TRIM a range.
    let w_kind = use_state(|| "random".to_string());
    let w_offset = use_state(|| "0".to_string());
    let w_length = use_state(|| "16".to_string());
    let resize_to = use_state(|| disk.size_gib().to_string());
    let workload = {
        let (submit, group, name) = (props.submit.clone(), group.clone(), name.clone());
        let (kind, offset, length) = (w_kind.clone(), w_offset.clone(), w_length.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (offset, length) = offset_and_length(&offset, &length);
            let pattern = if *kind == "fill" {
                PatternKind::Fill
            } else {
                PatternKind::Random
            };
            submit.emit(Command::Write(cmd::Write {
                group: group.clone(),
                disk: name.clone(),
                offset,
                data: WriteData::Pattern {
                    pattern,
                    seed: seed | 0xA5,
                    length,
                },
            }));
        })
    };
    let trim_range = {
        let (submit, group, name, offset, length) = (
            props.submit.clone(),
            group.clone(),
            name.clone(),
            w_offset.clone(),
            w_length.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (offset, length) = offset_and_length(&offset, &length);
            submit.emit(Command::Clear(cmd::Clear {
                group: group.clone(),
                disk: name.clone(),
                offset,
                length,
            }));
        })
    };
    let resize = {
        let (submit, group, name, size) = (
            props.submit.clone(),
            group.clone(),
            name.clone(),
            resize_to.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit.emit(Command::ResizeDisk(cmd::ResizeDisk {
                group: group.clone(),
                name: name.clone(),
                size_gib: size.trim().parse().unwrap_or(0),
                iops: None,
                mbps: None,
            }));
        })
    };
    let on_kind = bind_select(&w_kind);
    let sas = emit(sas_command(disk));
    html! {
        <details class="more-workloads">
            <summary>{ t("disk.more") }</summary>
            <dl class="facts">
                <dt>{ t("disk.pages") }</dt><dd id={id("pages")}>{ group_thousands(disk.data.page_count()) }</dd>
                <dt>{ t("disk.ranges") }</dt><dd id={id("ranges")}>{ group_thousands(ranges.len() as u64) }</dd>
            </dl>
            <form class="actions workload" onsubmit={workload} aria-label={t("workload.title")}>
                <label>{ t("workload.kind") }{ " " }<select onchange={on_kind}>
                    <option value="random" selected={*w_kind == "random"}>{ t("workload.random") }</option>
                    <option value="fill" selected={*w_kind == "fill"}>{ t("workload.fill") }</option>
                </select></label>
                <label>{ t("workload.offset") }{ " " }<input id={id("offset")} type="number" min="0" value={(*w_offset).clone()} oninput={bind(&w_offset)} /></label>
                <label>{ t("workload.length") }{ " " }<input id={id("length")} type="number" min="0" value={(*w_length).clone()} oninput={bind(&w_length)} /></label>
                <button type="submit">{ t("workload.write") }</button>
                <button type="button" onclick={trim_range}>{ t("workload.trim") }</button>
            </form>
            <form class="actions" onsubmit={resize}>
                <label>{ t("disk.resize") }{ " " }<input id={id("resize")} type="number" min="1" max="65536" value={(*resize_to).clone()} oninput={bind(&resize_to)} /></label>
                <button type="submit" title={crate::explain_tip("az disk update")}>{ t("disk.resizeButton") }</button>
                <button type="button" onclick={sas}>{ if disk.sas_active { t("disk.revokeSas") } else { t("disk.grantSas") } }</button>
            </form>
            <form class="actions" onsubmit={write_text}>
                <label for={id("text")}>{ t("disk.text") }</label>
                <input id={id("text")} type="text" value={(*text).clone()} oninput={on_text} />
                <button type="submit">{ t("disk.writeText") }</button>
            </form>
        </details>
    }
}
