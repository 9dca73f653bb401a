//! "Deploy a custom template": a Resource Manager template run by the same
//! evaluator as `az deployment group create`.

use std::collections::BTreeMap;

use snaplab_console::arm::SEED_TEMPLATE;
use yew::prelude::*;

use super::LabAt;
use crate::i18n::use_t;
use crate::state::{Action, Work};

#[derive(Properties, PartialEq)]
pub struct TemplateProps {
    pub lab: LabAt,
    /// The last deployment's result (kept by the app's state).
    pub result: Option<Result<String, String>>,
    pub dispatch: Callback<Action>,
}

#[function_component(TemplateBlade)]
pub fn template_blade(props: &TemplateProps) -> Html {
    let t = use_t();
    let first_disk = props
        .lab
        .disks()
        .next()
        .map(|d| (d.at.name.clone(), d.id(), d.at.group.clone()));
    let template = use_state(|| match &first_disk {
        Some((_, id, _)) => SEED_TEMPLATE.replace("<your_managed_disk_resource_ID>", id),
        None => SEED_TEMPLATE.to_string(),
    });
    let parameters = use_state(|| {
        first_disk
            .as_ref()
            .map(|(name, _, _)| format!("diskName={name}"))
            .unwrap_or_default()
    });
    let group = use_state(|| {
        first_disk
            .as_ref()
            .map(|(_, _, g)| g.clone())
            .unwrap_or_default()
    });
    let result = &props.result;
    let groups: Vec<String> = props.lab.groups().map(|g| g.name.clone()).collect();

    let deploy = {
        let (template, parameters, group, dispatch) = (
            template.clone(),
            parameters.clone(),
            group.clone(),
            props.dispatch.clone(),
        );
        Callback::from(move |_| {
            let parameters: BTreeMap<String, String> = parameters
                .lines()
                .filter_map(|l| {
                    l.trim()
                        .split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                })
                .collect();
            // Validated whole and run through the app's queue, like a script.
            dispatch.emit(Action::Queue(Work::Deploy {
                group: (*group).clone(),
                template: (*template).clone(),
                parameters,
            }));
        })
    };
    let text_area = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(a) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                state.set(a.value());
            }
        })
    };
    html! {
        <section class="card template" aria-labelledby="template-title">
            <h2 id="template-title">{ t("template.title") }</h2>
            <p class="hint">{ t("template.hint") }</p>
            <label>{ t("wizard.resourceGroup") }{ " " }
                <select id="template-group" onchange={{
                    let group = group.clone();
                    Callback::from(move |e: Event| if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() { group.set(s.value()) })
                }}>
                    { for groups.iter().map(|g| html! { <option value={g.clone()} selected={*g == *group}>{ g }</option> }) }
                </select>
            </label>
            <label for="template-json">{ t("template.json") }</label>
            <textarea id="template-json" rows="12" spellcheck="false" value={(*template).clone()} oninput={text_area(&template)} />
            <label for="template-params">{ t("template.params") }</label>
            <textarea id="template-params" rows="2" spellcheck="false" value={(*parameters).clone()} oninput={text_area(&parameters)} />
            <div class="actions"><button type="button" class="primary" onclick={deploy}>{ t("template.deploy") }</button></div>
            { match result {
                Some(Ok(json)) => html! { <pre class="json" id="template-result">{ json }</pre> },
                Some(Err(message)) => html! { <div class="refusal" role="alert" id="template-result">{ message }</div> },
                None => html! {},
            } }
        </section>
    }
}
