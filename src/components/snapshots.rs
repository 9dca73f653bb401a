//! The snapshot chain of each family: time, type, used size (as a bar),
//! completion while a background copy runs, SAS state, and the properties
//! `az snapshot show` prints for the one selected.

use snaplab_engine::cmd;
use std::collections::BTreeMap;

use snaplab_engine::billing::{snapshot_bill, PriceTable};
use snaplab_engine::clock::Instant;
use snaplab_engine::model::Snapshot;
use snaplab_engine::rest::az::snapshot_json;
use snaplab_engine::units::human_bytes;
use snaplab_engine::{AccessTarget, Command};
use yew::prelude::*;

use super::Submit;
use crate::i18n::{tr, use_t, Lang};

#[derive(Properties, PartialEq)]
pub struct SnapshotsProps {
    /// Every snapshot, oldest first.
    pub snapshots: Vec<Snapshot>,
    pub now: Instant,
    /// Disk names in use (lower case), to name restored disks.
    pub taken: Vec<String>,
    pub submit: Submit,
    /// Pointing at a Restore button: the snapshot whose restore is previewed
    /// (the chain under the disk's map shows which layers compose it).
    #[prop_or_default]
    pub on_restore_preview: Callback<Option<String>>,
}

/// `name-disk`, or `name-disk2`, … if that is taken.
fn restore_name(snapshot: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                format!("{snapshot}-disk")
            } else {
                format!("{snapshot}-disk{n}")
            }
        })
        .find(|c| !taken.contains(&c.to_lowercase()))
        .expect("a free name")
}

/// Families: incremental chains by family id; full snapshots each on their own.
fn families(lang: Lang, snapshots: &[Snapshot]) -> BTreeMap<String, Vec<&Snapshot>> {
    let mut families: BTreeMap<String, Vec<&Snapshot>> = BTreeMap::new();
    for s in snapshots {
        let disk = s.origin.source_resource_id.rsplit('/').next().unwrap_or("");
        let key = match &s.family_id {
            Some(f) => format!("{disk} · {} {}", tr(lang, "snapshots.family"), &f[..8]),
            None => format!("{disk} · {}", tr(lang, "wizard.full")),
        };
        families.entry(key).or_default().push(s);
    }
    families
}

/// SAS access to a snapshot: revoked if granted, else granted for an hour.
fn sas_command(s: &Snapshot) -> Command {
    let (group, name) = (s.at.group.clone(), s.at.name.clone());
    if s.sas_active {
        Command::RevokeAccess(cmd::RevokeAccess {
            target: AccessTarget::Snapshot,
            group,
            name,
        })
    } else {
        Command::GrantAccess(cmd::GrantAccess {
            target: AccessTarget::Snapshot,
            group,
            name,
            duration_seconds: 3600,
            access: Default::default(),
        })
    }
}

#[function_component(Snapshots)]
pub fn snapshots(props: &SnapshotsProps) -> Html {
    let t = use_t();
    let selected = use_state(|| None::<String>);
    let copy_region = use_state(|| "northeurope".to_string());
    if props.snapshots.is_empty() {
        return html! { <section class="card" aria-labelledby="snapshots-title"><h2 id="snapshots-title">{ t("snapshots.title") }</h2><p class="hint">{ t("snapshots.none") }</p></section> };
    }
    let prices = PriceTable::default();
    let max_used = props
        .snapshots
        .iter()
        .map(|s| s.used_bytes())
        .max()
        .unwrap_or(0)
        .max(1);
    let lang = use_context::<Lang>().unwrap_or_default();
    let families = families(lang, &props.snapshots);
    let row = |s: &Snapshot| {
        let bill = snapshot_bill(s, &prices);
        let (group, name) = (s.at.group.clone(), s.at.name.clone());
        let percent = s.completion_percent(props.now);
        let send = |command: Command| {
            let submit = props.submit.clone();
            Callback::from(move |_: MouseEvent| submit.emit(command.clone()))
        };
        let restore = send(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: group.clone(),
                name: restore_name(&name, &props.taken),
                source: name.clone(),
                sku: None,
                size_gib: None,
            },
        ));
        let delete = send(Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group: group.clone(),
            name: name.clone(),
        }));
        let sas = send(sas_command(s));
        let copy = {
            let (submit, group, name, id, region) = (
                props.submit.clone(),
                group.clone(),
                name.clone(),
                s.id(),
                copy_region.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                // The same region is refused by the engine (CopyStart needs another region).
                let target = (*region).clone();
                submit.emit(Command::CreateSnapshot(cmd::CreateSnapshot {
                    group: group.clone(),
                    name: format!("{name}-{target}"),
                    source: id.clone(),
                    incremental: true,
                    sku: None,
                    location: Some(target),
                    copy_start: true,
                }));
            })
        };
        let show = {
            let (selected, name) = (selected.clone(), name.clone());
            Callback::from(move |_| {
                selected.set(if selected.as_deref() == Some(name.as_str()) {
                    None
                } else {
                    Some(name.clone())
                })
            })
        };
        // Two rows a snapshot, so the table fits a side panel: its facts,
        // then its actions (never hidden off the card's edge).
        html! {
            <>
            <tr id={format!("snapshot-{}", name.to_lowercase())}>
                <th scope="row">{ &name }<span class="sub time" title={s.time_created.to_azure_string()}>{ s.time_created.hms() }</span></th>
                <td>{ if s.incremental { t("wizard.incremental") } else { t("wizard.full") } }</td>
                <td class="num used" title={format!("{}: {:.4}", t("snapshots.quantity"), bill.daily_quantity)}>{ human_bytes(s.used_bytes()) }</td>
                <td class="bar-cell"><span class="bar" style={format!("width:{}%", (s.used_bytes() as f64 / max_used as f64 * 100.0).round())}></span></td>
                <td class="num status">
                    // A bar only while a copy runs; a finished one just says 100%.
                    if percent < 100 { <progress max="100" value={percent.to_string()} aria-label={t("snapshots.completion")}></progress>{ " " } }
                    { format!("{percent}%") }
                    if s.sas_active { <span class="sas">{ " ActiveSAS" }</span> }</td>
            </tr>
            <tr class="actions-row">
                <td colspan="5" class="row-actions">
                    <button type="button" onclick={show} aria-label={format!("{} {name}", t("snapshots.show"))}>{ t("snapshots.show") }</button>
                    <button type="button" onclick={restore} title={crate::explain_tip("az disk create")}
                        onmouseenter={{ let (p, n) = (props.on_restore_preview.clone(), name.clone()); Callback::from(move |_: MouseEvent| p.emit(Some(n.clone()))) }}
                        onfocus={{ let (p, n) = (props.on_restore_preview.clone(), name.clone()); Callback::from(move |_: FocusEvent| p.emit(Some(n.clone()))) }}
                        onmouseleave={{ let p = props.on_restore_preview.clone(); Callback::from(move |_: MouseEvent| p.emit(None)) }}
                        onblur={{ let p = props.on_restore_preview.clone(); Callback::from(move |_: FocusEvent| p.emit(None)) }} aria-label={format!("{} {name}", t("snapshots.restore"))}>{ t("snapshots.restore") }</button>
                    <button type="button" onclick={sas} title={crate::explain_tip("az snapshot grant-access")} aria-label={format!("{} {name}", if s.sas_active { t("snapshots.revoke") } else { t("snapshots.grant") })}>
                        { if s.sas_active { t("snapshots.revoke") } else { t("snapshots.grant") } }
                    </button>
                    if s.incremental {
                        <button type="button" onclick={copy} aria-label={format!("{} {name}", t("snapshots.copy"))}>{ t("snapshots.copy") }</button>
                    }
                    <button type="button" class="danger" onclick={delete} title={crate::explain_tip("az snapshot delete")} aria-label={format!("{} {name}", t("snapshots.delete"))}>{ t("snapshots.delete") }</button>
                </td>
            </tr>
            </>
        }
    };
    let json = selected
        .as_ref()
        .and_then(|n| props.snapshots.iter().find(|s| &s.at.name == n))
        .map(|s| serde_json::to_string_pretty(&snapshot_json(s, props.now)).unwrap_or_default());
    html! {
        <section class="card" aria-labelledby="snapshots-title">
            <h2 id="snapshots-title">{ t("snapshots.title") }</h2>
            <p><label>{ t("snapshots.copyTo") }{ " (CopyStart) " }
                <select id="copy-region" onchange={{
                    let region = copy_region.clone();
                    Callback::from(move |e: Event| if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() { region.set(s.value()) })
                }}>
                    { for snaplab_engine::catalog::REGIONS.iter().map(|r| html! { <option value={r.name} selected={r.name == *copy_region}>{ r.display_name }</option> }) }
                </select>
            </label></p>
            { for families.iter().map(|(family, members)| html! {
                <>
                    <h3 class="family">{ family }</h3>
                    <table class="snapshots">
                        <thead><tr>
                            <th scope="col">{ t("snapshots.name") }</th><th scope="col">{ t("snapshots.type") }</th>
                            <th scope="col" colspan="2">{ t("snapshots.used") }</th><th scope="col"><abbr title="completionPercent">{ "%" }</abbr></th>
                        </tr></thead>
                        <tbody>{ for members.iter().map(|s| row(s)) }</tbody>
                    </table>
                </>
            }) }
            if let Some(json) = json {
                <h3>{ t("snapshots.json") }</h3>
                <pre class="json" id="snapshot-json">{ json }</pre>
            }
        </section>
    }
}
