//! The guided walkthrough of seed 001, beside the lessons: each section in
//! our own words, with its code block runnable in the lab with one click
//! (filled in with the names of the disk in the centre).

use snaplab_console::walkthrough::seed_001;
use yew::prelude::*;

use crate::i18n::{use_t, Lang};
use crate::state::{Action, Origin, Work};

#[derive(Properties, PartialEq)]
pub struct WalkthroughProps {
    pub group: String,
    pub disk: String,
    pub dispatch: Callback<Action>,
}

#[function_component(WalkthroughPanel)]
pub fn walkthrough_panel(props: &WalkthroughProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let walk = use_memo((), |_| seed_001());
    let text = |x: &snaplab_console::lessons::Text| {
        if lang == Lang::Sv {
            x.sv.clone()
        } else {
            x.en.clone()
        }
    };
    html! {
        <section class="card walkthrough" aria-labelledby="walkthrough-title">
            <h2 id="walkthrough-title">{ text(&walk.title) }</h2>
            { for walk.sections.iter().enumerate().map(|(i, s)| {
                let code = s.code_for(&props.group, &props.disk);
                let run = {
                    let (dispatch, code, language) = (props.dispatch.clone(), code.clone(), s.language());
                    Callback::from(move |_| dispatch.emit(Action::Queue(Work::Script {
                        origin: Origin::Console,
                        language,
                        script: code.clone(),
                    })))
                };
                html! {
                    <details class="walk-step" id={format!("walk-{}", i + 1)}>
                        <summary>{ text(&s.title) }</summary>
                        <p>{ text(&s.text) }</p>
                        <pre class="json">{ code }</pre>
                        <button type="button" class="primary" onclick={run}>{ t("walk.run") }</button>
                    </details>
                }
            }) }
        </section>
    }
}
