//! The portal's "Create snapshot" flow, with the portal's own labels, so a
//! trainer can follow seed 001's Portal steps verbatim: on a disk select
//! **Create snapshot**, pick the resource group and a name, select
//! **Incremental**, **Review + create**, then **Create**.

use snaplab_engine::cmd;
use snaplab_engine::Command;
use yew::prelude::*;

use super::Submit;
use crate::i18n::use_t;

#[derive(Properties, PartialEq)]
pub struct WizardProps {
    pub disk: String,
    pub disk_id: String,
    pub disk_group: String,
    pub groups: Vec<String>,
    pub suggested_name: String,
    pub submit: Submit,
    pub on_close: Callback<()>,
}

#[function_component(SnapshotWizard)]
pub fn snapshot_wizard(props: &WizardProps) -> Html {
    let t = use_t();
    let group = use_state(|| props.disk_group.clone());
    let name = use_state(|| props.suggested_name.clone());
    let incremental = use_state(|| false);
    let reviewing = use_state(|| false);

    let on_group = {
        let group = group.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                group.set(s.value());
            }
        })
    };
    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                name.set(i.value());
            }
        })
    };
    let set_type = |value: bool| {
        let incremental = incremental.clone();
        Callback::from(move |_| incremental.set(value))
    };
    let review = {
        let reviewing = reviewing.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            reviewing.set(true);
        })
    };
    let back = {
        let reviewing = reviewing.clone();
        Callback::from(move |_| reviewing.set(false))
    };
    let create = {
        let (submit, on_close) = (props.submit.clone(), props.on_close.clone());
        let (group, name, incremental) = (group.clone(), name.clone(), incremental.clone());
        let (disk, disk_id, disk_group) = (
            props.disk.clone(),
            props.disk_id.clone(),
            props.disk_group.clone(),
        );
        Callback::from(move |_| {
            // The source is the disk's ARM id when the snapshot goes to another group.
            let source = if group.eq_ignore_ascii_case(&disk_group) {
                disk.clone()
            } else {
                disk_id.clone()
            };
            submit.emit(Command::CreateSnapshot(cmd::CreateSnapshot {
                group: (*group).clone(),
                name: (*name).clone(),
                source,
                incremental: *incremental,
                sku: None,
                location: None,
                copy_start: false,
            }));
            on_close.emit(());
        })
    };
    let cancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |_| on_close.emit(()))
    };

    let body = if *reviewing {
        html! {
            <div class="wizard-review">
                <p class="validation" role="status">{ "✔ " }{ t("wizard.validation") }</p>
                <h3>{ t("wizard.basics") }</h3>
                <dl class="facts" id="wizard-review">
                    <dt>{ t("wizard.sourceDisk") }</dt><dd>{ &props.disk }</dd>
                    <dt>{ t("wizard.resourceGroup") }</dt><dd>{ &*group }</dd>
                    <dt>{ t("wizard.name") }</dt><dd>{ &*name }</dd>
                    <dt>{ t("wizard.snapshotType") }</dt><dd>{ if *incremental { t("wizard.incremental") } else { t("wizard.full") } }</dd>
                    <dt>{ t("wizard.storageType") }</dt><dd>{ if *incremental { "Standard HDD (ZRS where available)" } else { "Standard HDD (LRS)" } }</dd>
                </dl>
                <div class="actions">
                    <button type="button" class="primary" onclick={create}>{ t("wizard.create") }</button>
                    <button type="button" onclick={back}>{ t("wizard.previous") }</button>
                </div>
            </div>
        }
    } else {
        html! {
            <form onsubmit={review}>
                <h3>{ t("wizard.basics") }</h3>
                <p><label>{ t("wizard.resourceGroup") }{ " " }
                    <select onchange={on_group}>
                        { for props.groups.iter().map(|g| html! { <option value={g.clone()} selected={g == &*group}>{ g }</option> }) }
                    </select>
                </label></p>
                <p><label>{ t("wizard.name") }{ " " }<input type="text" value={(*name).clone()} oninput={on_name} required=true /></label></p>
                <fieldset>
                    <legend>{ t("wizard.snapshotType") }</legend>
                    <label><input type="radio" name="snapshot-type" checked={!*incremental} onclick={set_type(false)} />{ t("wizard.full") }</label>
                    <label><input type="radio" name="snapshot-type" checked={*incremental} onclick={set_type(true)} />{ t("wizard.incremental") }</label>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="primary">{ t("wizard.review") }</button>
                    <button type="button" onclick={cancel}>{ t("wizard.cancel") }</button>
                </div>
            </form>
        }
    };
    html! {
        <div class="wizard" role="dialog" aria-modal="true" aria-labelledby="wizard-title">
            <h2 id="wizard-title">{ t("wizard.title") }</h2>
            { body }
        </div>
    }
}
