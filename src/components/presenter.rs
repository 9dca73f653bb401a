//! Presenter mode's step-by-step player: a prepared script, one command a
//! line, played one command at a time (button, or the `n` key).

use std::rc::Rc;

use snaplab_console::{Language, Line};
use yew::prelude::*;

use crate::i18n::use_t;

#[derive(Properties, PartialEq)]
pub struct PresenterProps {
    /// The resource group and disk of the lab that is open: the prepared
    /// script uses them, so it runs on whatever lab is loaded (a lesson's too).
    pub group: String,
    pub disk: String,
    /// Runs one step (a bash line) through the app's queue, like the console.
    pub run: Callback<(Language, String)>,
    /// What the last step printed, once it ran.
    pub last: Rc<Vec<Line>>,
    /// Bumped by the `n` shortcut: play the next command.
    pub next: u32,
}

/// The prepared demo for disk `disk` in `group`: two snapshots around a
/// write, and the diff between them.
pub fn demo_script(group: &str, disk: &str) -> String {
    format!(
        "az snapshot create -g {group} -n demo1 --source {disk} --incremental true -o table\n\
         sim write -g {group} --disk {disk} --offset 0 --length 1M -o none\n\
         az snapshot create -g {group} -n demo2 --source {disk} --incremental true -o table\n\
         sim diff -g {group} --snapshot demo2 --prev demo1 -o xml"
    )
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
    let script = {
        let (g, d) = (props.group.clone(), props.disk.clone());
        use_state(move || demo_script(&g, &d))
    };
    {
        // A new lab (a lesson, an import) brings new names: a new script.
        let (script, g, d) = (script.clone(), props.group.clone(), props.disk.clone());
        use_effect_with((props.group.clone(), props.disk.clone()), move |_| {
            script.set(demo_script(&g, &d));
        });
    }
    let position = use_state(|| 0usize);
    let last = props.last.clone();
    let play = {
        let (script, position, run) = (script.clone(), position.clone(), props.run.clone());
        Callback::from(move |_: ()| {
            let steps = steps(&script);
            let Some(step) = steps.get(*position) else {
                return;
            };
            run.emit((Language::Bash, step.clone()));
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
    let all = steps(&script);
    let total = all.len();
    let upcoming = all.get(*position).cloned();
    html! {
        <section class="card presenter" aria-labelledby="presenter-title">
            <h2 id="presenter-title">{ t("presenter.toggle") }</h2>
            <label for="presenter-script">{ t("presenter.script") }</label>
            <textarea id="presenter-script" rows="6" spellcheck="false" value={(*script).clone()} oninput={on_script} />
            <div class="actions">
                <button type="button" class="primary" onclick={{ let play = play.clone(); Callback::from(move |_| play.emit(())) }} disabled={*position >= total}>
                    { t("presenter.next") }
                </button>
                <span id="presenter-step">{ format!("{} {} / {total}", t("presenter.step"), *position) }</span>
            </div>
            <p class="presenter-next" id="presenter-next">
                { t("presenter.upcoming") }{ " " }
                <code>{ upcoming.unwrap_or_else(|| t("presenter.done").to_string()) }</code>
            </p>
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
