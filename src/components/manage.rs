//! Resources as the portal creates them: resource groups, disks (name,
//! region, SKU, size, sector size), virtual machines with attach/detach and
//! power, and the subscription's Premium SSD v2 / Ultra snapshot access (C1).

use snaplab_engine::catalog::{DiskSku, REGIONS};
use snaplab_engine::cmd;
use snaplab_engine::{Command, Lab};
use yew::prelude::*;

use super::LabAt;
use super::{bind, bind_select, Submit};
use crate::i18n::{tr, use_t, Lang};

#[derive(Properties, PartialEq)]
pub struct ManageProps {
    pub lab: LabAt,
    pub submit: Submit,
}

/// The VMs: start or deallocate each, detach its disks, attach one.
fn vms_html(lang: Lang, lab: &Lab, submit: &Submit, attach_disk: &UseStateHandle<String>) -> Html {
    let t = |key: &str| tr(lang, key);
    let disks: Vec<String> = lab
        .disks()
        .filter(|d| d.managed_by.is_none())
        .map(|d| d.at.name.clone())
        .collect();
    html! {
        <>
        if lab.vms().next().is_some() {
            <h3>{ t("manage.vms") }</h3>
            <ul class="vms">
                { for lab.vms().map(|vm| {
                    let (group, name, running) = (vm.at.group.clone(), vm.at.name.clone(), vm.running);
                    let send = |command: Command| {
                        let submit = submit.clone();
                        Callback::from(move |_: MouseEvent| submit.emit(command.clone()))
                    };
                    let attach = {
                        let (submit, group, name, disk) = (submit.clone(), group.clone(), name.clone(), attach_disk.clone());
                        let default = disks.first().cloned().unwrap_or_default();
                        Callback::from(move |_: MouseEvent| {
                            let disk = if disk.is_empty() { default.clone() } else { (*disk).clone() };
                            submit.emit(Command::AttachDisk(cmd::AttachDisk { group: group.clone(), vm: name.clone(), disk }));
                        })
                    };
                    html! {
                        <li>
                            <strong>{ &name }</strong>{ format!(" ({}, {}) ", vm.at.location, if running { t("manage.running") } else { t("manage.deallocated") }) }
                            <button type="button" onclick={send(Command::SetVmRunning(cmd::SetVmRunning { group: group.clone(), name: name.clone(), running: !running }))}>
                                { if running { t("manage.deallocate") } else { t("manage.start") } }
                            </button>
                            { for vm.data_disks.iter().map(|d| html! {
                                <button type="button" onclick={send(Command::DetachDisk(cmd::DetachDisk { group: group.clone(), vm: name.clone(), disk: d.clone() }))}>{ format!("{} {d}", t("manage.detach")) }</button>
                            }) }
                            <label>{ t("manage.attach") }{ " " }
                                <select onchange={bind_select(attach_disk)}>{ for disks.iter().map(|d| html! { <option value={d.clone()}>{ d }</option> }) }</select>
                            </label>
                            <button type="button" onclick={attach}>{ t("manage.attach") }</button>
                        </li>
                    }
                }) }
            </ul>
        }
        </>
    }
}

#[function_component(Manage)]
pub fn manage(props: &ManageProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let lab = &props.lab;
    let groups: Vec<String> = lab.groups().map(|g| g.name.clone()).collect();
    let first_group = groups.first().cloned().unwrap_or_default();

    let rg_name = use_state(|| "rg-demo".to_string());
    let rg_region = use_state(|| "westeurope".to_string());
    let disk_name = use_state(|| "disk2".to_string());
    let disk_group = use_state(|| first_group.clone());
    let disk_region = use_state(String::new);
    let disk_sku = use_state(|| "Premium_LRS".to_string());
    let disk_size = use_state(|| "64".to_string());
    let disk_sector = use_state(|| "512".to_string());
    let vm_name = use_state(|| "vm1".to_string());
    let vm_group = use_state(|| first_group.clone());
    let attach_disk = use_state(String::new);

    let create_group = {
        let (submit, name, region) = (props.submit.clone(), rg_name.clone(), rg_region.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit.emit(Command::CreateGroup(cmd::CreateGroup {
                name: (*name).clone(),
                location: (*region).clone(),
            }));
        })
    };
    let create_disk = {
        let submit = props.submit.clone();
        let (name, group, region, sku, size, sector) = (
            disk_name.clone(),
            disk_group.clone(),
            disk_region.clone(),
            disk_sku.clone(),
            disk_size.clone(),
            disk_sector.clone(),
        );
        let fallback_group = first_group.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit.emit(Command::CreateDisk(cmd::CreateDisk {
                group: if group.is_empty() {
                    fallback_group.clone()
                } else {
                    (*group).clone()
                },
                name: (*name).clone(),
                location: (!region.is_empty()).then(|| (*region).clone()),
                sku: (*sku).clone(),
                // An unparsable size is sent as 0, which the engine refuses with its rule.
                size_gib: size.trim().parse().unwrap_or(0),
                logical_sector_size: sector.parse().unwrap_or(512),
                zone: None,
                iops: None,
                mbps: None,
                upload_size_bytes: None,
            }));
        })
    };
    let create_vm = {
        let (submit, name, group, fallback_group) = (
            props.submit.clone(),
            vm_name.clone(),
            vm_group.clone(),
            first_group.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit.emit(Command::CreateVm(cmd::CreateVm {
                group: if group.is_empty() {
                    fallback_group.clone()
                } else {
                    (*group).clone()
                },
                name: (*name).clone(),
                location: None,
            }));
        })
    };
    let feature = lab.current_subscription().v2_ultra_snapshots;
    let toggle_feature = {
        let submit = props.submit.clone();
        Callback::from(move |_| {
            submit.emit(Command::SetFeatureAccess(cmd::SetFeatureAccess {
                enabled: !feature,
            }))
        })
    };
    let region_options = |selected: &str, with_default: bool| {
        html! {
            <>
                if with_default { <option value="" selected={selected.is_empty()}>{ "(same as the group)" }</option> }
                { for REGIONS.iter().map(|r| html! { <option value={r.name} selected={r.name == selected}>{ r.display_name }</option> }) }
            </>
        }
    };
    let group_options = |selected: &str| html! { <>{ for groups.iter().map(|g| html! { <option value={g.clone()} selected={g == selected}>{ g }</option> }) }</> };

    html! {
        <section class="card manage" aria-labelledby="manage-title">
            <h2 id="manage-title">{ t("manage.title") }</h2>
            <div class="forms">
                <form onsubmit={create_group} aria-label={t("manage.group")}>
                    <h3>{ t("manage.group") }</h3>
                    <label>{ t("manage.name") }<input type="text" value={(*rg_name).clone()} oninput={bind(&rg_name)} /></label>
                    <label>{ t("manage.region") }<select onchange={bind_select(&rg_region)}>{ region_options(&rg_region, false) }</select></label>
                    <button type="submit">{ t("manage.create") }</button>
                </form>
                <form onsubmit={create_disk} aria-label={t("manage.disk")}>
                    <h3>{ t("manage.disk") }</h3>
                    <label>{ t("manage.name") }<input type="text" value={(*disk_name).clone()} oninput={bind(&disk_name)} /></label>
                    <label>{ t("manage.group.label") }<select onchange={bind_select(&disk_group)}>{ group_options(&disk_group) }</select></label>
                    <label>{ t("manage.region") }<select onchange={bind_select(&disk_region)}>{ region_options(&disk_region, true) }</select></label>
                    <label>{ t("manage.sku") }<select onchange={bind_select(&disk_sku)}>
                        { for DiskSku::ALL.iter().map(|s| html! { <option value={s.name()} selected={s.name() == *disk_sku}>{ s.name() }</option> }) }
                    </select></label>
                    <label>{ t("manage.size") }<input type="number" min="1" max="65536" value={(*disk_size).clone()} oninput={bind(&disk_size)} /></label>
                    <label>{ t("manage.sector") }<select onchange={bind_select(&disk_sector)}>
                        <option value="512" selected={*disk_sector == "512"}>{ "512" }</option>
                        <option value="4096" selected={*disk_sector == "4096"}>{ "4096" }</option>
                    </select></label>
                    <button type="submit">{ t("manage.create") }</button>
                </form>
                <form onsubmit={create_vm} aria-label={t("manage.vm")}>
                    <h3>{ t("manage.vm") }</h3>
                    <label>{ t("manage.name") }<input type="text" value={(*vm_name).clone()} oninput={bind(&vm_name)} /></label>
                    <label>{ t("manage.group.label") }<select onchange={bind_select(&vm_group)}>{ group_options(&vm_group) }</select></label>
                    <button type="submit">{ t("manage.create") }</button>
                </form>
            </div>
            <p><label><input type="checkbox" checked={feature} onclick={toggle_feature} />{ " " }{ t("manage.feature") }</label></p>
            { vms_html(lang, lab, &props.submit, &attach_disk) }
        </section>
    }
}
