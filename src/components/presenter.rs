//! Presenter mode's step-by-step player: a prepared script, one command a
//! line, played one command at a time (button, or the `n` key).

use snaplab_console::{Console, Line};
use snaplab_engine::Lab;
use yew::prelude::*;

use super::Submit;
use crate::i18n::use_t;

#[derive(Properties)]
pub struct PresenterProps {
    pub lab: Lab,
    pub submit: Submit,
    /// Bumped by the `n` shortcut: play the next command.
    pub next: u32,
}

impl PartialEq for PresenterProps {
    fn eq(&self, other: &Self) -> bool {
        self.lab.log().len() == other.lab.log().len() && self.next == other.next
    }
}

/// The commands of a script: its non-empty lines that are not comments.
pub fn steps(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[function_component(Presenter)]
pub fn presenter(props: &PresenterProps) -> Html {
    let t = use_t();
    let script = use_state(|| {
        "az snapshot create -g rg-snaplab -n demo1 --source disk1 --incremental true -o table\nsim write -g rg-snaplab --disk disk1 --offset 0 --length 1M -o none\naz snapshot create -g rg-snaplab -n demo2 --source disk1 --incremental true -o table\nsim diff -g rg-snaplab --snapshot demo2 --prev demo1 -o xml".to_string()
    });
    let position = use_state(|| 0usize);
    let last = use_state(Vec::<Line>::new);
    let play = {
        let (script, position, last, lab, submit) = (
            script.clone(),
            position.clone(),
            last.clone(),
            props.lab.clone(),
            props.submit.clone(),
        );
        Callback::from(move |_: ()| {
            let steps = steps(&script);
            let Some(step) = steps.get(*position) else {
                return;
            };
            let mut console = Console::new(lab.clone());
            let result = console.run(step);
            let mut lines = vec![Line::Out(format!("$ {step}"))];
            lines.extend(result.lines);
            last.set(lines);
            for command in console.executed {
                submit.emit(command);
            }
            position.set(*position + 1);
        })
    };
    {
        let play = play.clone();
        use_effect_with(props.next, move |next| {
            if *next > 0 {
                play.emit(());
            }
        });
    }
    let on_script = {
        let (script, position) = (script.clone(), position.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(a) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                script.set(a.value());
                position.set(0);
            }
        })
    };
    let total = steps(&script).len();
    html! {
        <section class="card presenter" aria-labelledby="presenter-title">
            <h2 id="presenter-title">{ t("presenter.toggle") }</h2>
            <label for="presenter-script">{ t("presenter.script") }</label>
            <textarea id="presenter-script" rows="4" spellcheck="false" value={(*script).clone()} oninput={on_script} />
            <div class="actions">
                <button type="button" class="primary" onclick={{ let play = play.clone(); Callback::from(move |_| play.emit(())) }} disabled={*position >= total}>
                    { t("presenter.next") }
                </button>
                <span id="presenter-step">{ format!("{} {} / {total}", t("presenter.step"), *position) }</span>
            </div>
            <pre class="console-output" id="presenter-output">
                { for last.iter().map(|l| match l { Line::Out(s) => html! { <span class="out">{ s }{ "\n" }</span> }, Line::Err(s) => html! { <span class="err">{ s }{ "\n" }</span> } }) }
            </pre>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_skip_blank_lines_and_comments() {
        assert_eq!(
            super::steps("# intro\naz group list\n\n  sim clock show  \n"),
            vec!["az group list", "sim clock show"]
        );
    }
}
