//! The portal's "Create snapshot" flow, with the portal's own labels, so a
//! trainer can follow seed 001's Portal steps verbatim: on a disk select
//! **Create snapshot**, pick the resource group and a name, select
//! **Incremental**, **Review + create**, then **Create**.
//!
//! Unlike a fire-and-forget form, the dialog waits for its own result: a
//! refusal (the 8th snapshot in 5 minutes) stays in the dialog, where the
//! user is looking; only a success closes it. It takes focus, keeps Tab
//! inside, and closes on Escape.

use snaplab_engine::cmd;
use snaplab_engine::Command;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{bind, bind_select};
use crate::i18n::use_t;
use crate::state::Refusal;

#[derive(Properties, PartialEq)]
pub struct WizardProps {
    pub disk: String,
    pub disk_id: String,
    pub disk_group: String,
    pub groups: Vec<String>,
    pub suggested_name: String,
    /// Snapshots that exist, as (group, name): the portal refuses a name in
    /// use before it sends anything (az and templates would update instead).
    #[prop_or_default]
    pub taken: std::rc::Rc<Vec<(String, String)>>,
    /// Runs the snapshot's command; its result comes back as `reply`.
    pub create: Callback<Command>,
    /// The last result of a dialog's command, numbered.
    pub reply: Option<(u64, Result<String, Refusal>)>,
    pub on_close: Callback<()>,
}

/// Keeps Tab and Shift+Tab inside `dialog`.
fn trap_tab(dialog: &web_sys::Element, e: &KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all("button:not([disabled]), input, select, textarea")
    else {
        return;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    if e.shift_key() && at(first) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && at(last) {
        e.prevent_default();
        let _ = first.focus();
    }
}

/// The command the dialog creates.
fn snapshot_command(group: &str, name: &str, source: &str, incremental: bool) -> Command {
    Command::CreateSnapshot(cmd::CreateSnapshot {
        group: group.into(),
        name: name.into(),
        source: source.into(),
        incremental,
        sku: None,
        location: None,
        copy_start: false,
    })
}

/// Focus in the dialog: on its first field when it opens, on Create on
/// the review page; Escape closes it wherever the focus is (a disabled
/// button drops it to the page while the snapshot is being created).
#[hook]
fn use_dialog_focus(
    reviewing: bool,
    first_field: &NodeRef,
    create_button: &NodeRef,
    on_close: &Callback<()>,
) {
    {
        let create_button = create_button.clone();
        use_effect_with(reviewing, move |reviewing| {
            if *reviewing {
                if let Some(b) = create_button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        });
    }
    {
        let first_field = first_field.clone();
        use_effect_with((), move |_| {
            if let Some(el) = first_field.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let on_close = on_close.clone();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "keydown", move |e| {
                if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                    if e.key() == "Escape" {
                        on_close.emit(());
                    }
                }
            })
        });
        move || drop(listener)
    });
}

/// The reply to our Create (one numbered after it was pressed): a success
/// closes the dialog, a refusal is shown in it with the focus back inside.
#[hook]
fn use_reply(
    reply: &Option<(u64, Result<String, Refusal>)>,
    waiting: &UseStateHandle<Option<u64>>,
    refusal: &UseStateHandle<Option<Refusal>>,
    dialog: &NodeRef,
    on_close: &Callback<()>,
) {
    let (dialog, waiting, refusal, on_close, reply) = (
        dialog.clone(),
        waiting.clone(),
        refusal.clone(),
        on_close.clone(),
        reply.clone(),
    );
    use_effect_with(reply.as_ref().map(|(n, _)| *n), move |_| {
        if let (Some(asked_after), Some((n, result))) = (*waiting, reply) {
            if n > asked_after {
                waiting.set(None);
                match result {
                    Ok(_) => on_close.emit(()),
                    Err(r) => {
                        refusal.set(Some(r));
                        // Back into the dialog, so the keyboard stays there.
                        if let Some(d) = dialog.cast::<web_sys::HtmlElement>() {
                            let _ = d.focus();
                        }
                    }
                }
            }
        }
    });
}

#[function_component(SnapshotWizard)]
pub fn snapshot_wizard(props: &WizardProps) -> Html {
    let t = use_t();
    let group = use_state(|| props.disk_group.clone());
    let name = use_state(|| props.suggested_name.clone());
    let incremental = use_state(|| false);
    let reviewing = use_state(|| false);
    // The reply number when Create was pressed: a newer reply is ours.
    let waiting = use_state(|| None::<u64>);
    let refusal = use_state(|| None::<Refusal>);
    let dialog = use_node_ref();
    let first_field = use_node_ref();
    let create_button = use_node_ref();
    use_dialog_focus(*reviewing, &first_field, &create_button, &props.on_close);
    use_reply(&props.reply, &waiting, &refusal, &dialog, &props.on_close);

    let (on_group, on_name) = (bind_select(&group), bind(&name));
    let set_type = |value: bool| {
        let incremental = incremental.clone();
        Callback::from(move |_| incremental.set(value))
    };
    let name_taken = props
        .taken
        .iter()
        .any(|(g, n)| g.eq_ignore_ascii_case(&group) && n.eq_ignore_ascii_case(name.trim()));
    let review = {
        let reviewing = reviewing.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !name_taken {
                reviewing.set(true);
            }
        })
    };
    let back = {
        let reviewing = reviewing.clone();
        Callback::from(move |_| reviewing.set(false))
    };
    let create = {
        let submit = props.create.clone();
        let (waiting, refusal, last) = (
            waiting.clone(),
            refusal.clone(),
            props.reply.as_ref().map_or(0, |(n, _)| *n),
        );
        let (group, name, incremental) = (group.clone(), name.clone(), incremental.clone());
        let (disk, disk_id, disk_group) = (
            props.disk.clone(),
            props.disk_id.clone(),
            props.disk_group.clone(),
        );
        Callback::from(move |_| {
            // The source is the disk's ARM id when the snapshot goes to another group.
            let source = if group.eq_ignore_ascii_case(&disk_group) {
                &disk
            } else {
                &disk_id
            };
            submit.emit(snapshot_command(&group, &name, source, *incremental));
            refusal.set(None);
            waiting.set(Some(last));
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
                if let Some(r) = &*refusal {
                    <div class="refusal" role="alert" id="wizard-refusal">
                        <strong>{ format!("({}) ", r.code) }</strong>{ &r.message }
                        if let Some(rule) = &r.rule { <span class="rule">{ format!(" Rule {rule}.") }</span> }
                    </div>
                }
                <div class="actions">
                    <button type="button" class="primary" ref={create_button} onclick={create} disabled={waiting.is_some()}>
                        { if waiting.is_some() { t("wizard.creating") } else { t("wizard.create") } }
                    </button>
                    <button type="button" onclick={back}>{ t("wizard.previous") }</button>
                    <button type="button" onclick={cancel.clone()}>{ t("wizard.cancel") }</button>
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
                <p><label>{ t("wizard.name") }{ " " }<input ref={first_field} type="text" value={(*name).clone()} oninput={on_name} required=true
                    aria-invalid={name_taken.to_string()} aria-describedby="wizard-name-taken" /></label></p>
                if name_taken {
                    <p class="refusal" id="wizard-name-taken" role="alert">
                        { t("wizard.nameTaken").replace("{name}", name.trim()).replace("{group}", &group) }
                    </p>
                }
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
    let on_key = {
        let dialog = dialog.clone();
        // Escape is handled on the window (above), once; Tab stays inside.
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                if let Some(d) = dialog.cast::<web_sys::Element>() {
                    trap_tab(&d, &e);
                }
            }
        })
    };
    html! {
        <div class="wizard-backdrop">
            <div class="wizard" role="dialog" aria-modal="true" aria-labelledby="wizard-title" ref={dialog} onkeydown={on_key} tabindex="-1">
                <h2 id="wizard-title">{ t("wizard.title") }</h2>
                { body }
            </div>
        </div>
    }
}
