//! The console panel: Azure CLI scripts (and the simulator's `sim` verbs)
//! or Azure PowerShell, with history, multi-line paste and a copy button.
//! A script is sent to the app's queue and runs there for real, through the
//! same execution point as a click, against the lab as it is when its turn
//! comes; its transcript comes back once what it did is stored, so what the
//! console shows is what happened.
//!
//! While a script runs its newest output shows as it comes, with how far it
//! has got and a Stop button (Ctrl+C in the input does the same).

use std::rc::Rc;

use snaplab_console::{Language, Line};
use yew::prelude::*;

use crate::i18n::{number, tr, use_t, Lang};
use crate::state::RunView;

/// Lines of scrollback drawn (a terminal's limit); Copy copies all of them.
pub const SCROLLBACK: usize = 2_000;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// Everything printed so far (kept by the app's state).
    pub lines: Rc<Vec<Line>>,
    /// The script running now, if any.
    #[prop_or_default]
    pub running: Option<RunView>,
    /// Runs a script.
    pub run: Callback<(Language, String)>,
    pub clear: Callback<()>,
    /// Stops the running script.
    #[prop_or_default]
    pub stop: Callback<()>,
}

/// Copies the transcript; built on click, not on every render (a
/// transcript can be long).
fn copy_transcript(transcript: Rc<Vec<Line>>) -> Callback<MouseEvent> {
    Callback::from(move |_| {
        let text: String = transcript
            .iter()
            .map(|l| match l {
                Line::Out(s) | Line::Err(s) => format!("{s}\n"),
            })
            .collect();
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    })
}

/// One line of output. Hover over a command to see what each part does
/// (explain).
fn line_html(l: &Line) -> Html {
    match l {
        Line::Out(s) if s.starts_with("$ az ") || s.starts_with("$ sim ") => {
            let words: Vec<String> = s[2..].split_whitespace().map(str::to_string).collect();
            let tip = snaplab_console::explain::explain(&words).unwrap_or_default();
            html! { <span class="out command" title={tip}>{ s }{ "\n" }</span> }
        }
        Line::Out(s) => html! { <span class="out">{ s }{ "\n" }</span> },
        Line::Err(s) => html! { <span class="err">{ s }{ "\n" }</span> },
    }
}

/// The script running now: its newest lines, its progress and Stop.
fn running_html(lang: Lang, r: &RunView, stop: &Callback<()>) -> Html {
    let t = |key: &str| tr(lang, key);
    let count = |n: usize| number(lang, n as f64, 0);
    let on_stop = stop.reform(|_: MouseEvent| ());
    let earlier = r.lines.saturating_sub(r.tail.len());
    html! {
        <>
            if earlier > 0 {
                <span class="out muted">{ t("console.earlier").replace("{n}", &count(earlier)) }{ "\n" }</span>
            }
            { for r.tail.iter().map(line_html) }
            <span class="console-running" id="console-running" role="status">
                <span class="spinner" aria-hidden="true"></span>
                { if r.saving { t("console.saving").to_string() } else if r.stopping { t("console.stopping").to_string() } else {
                    t("console.progress")
                        .replace("{commands}", &count(r.commands))
                        .replace("{lines}", &count(r.lines))
                        .replace("{steps}", &count(r.steps))
                } }
                if !r.saving {
                    <button type="button" id="console-stop" class="danger" onclick={on_stop} disabled={r.stopping}
                        title={t("console.stopTitle")}>{ t("console.stop") }</button>
                }
            </span>
        </>
    }
}

#[function_component(ConsolePanel)]
pub fn console_panel(props: &ConsoleProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let count = |lang: Lang, n: u64| number(lang, n as f64, 0);
    let input = use_state(String::new);
    let transcript = props.lines.clone();
    let history = use_state(Vec::<String>::new);
    let cursor = use_state(|| None::<usize>);
    let language = use_state(|| Language::Bash);
    let output = use_node_ref();
    {
        // Keep the newest output in view.
        let output = output.clone();
        let key = (
            transcript.len(),
            props.running.as_ref().map(|r| (r.lines, r.steps)),
        );
        use_effect_with(key, move |_| {
            if let Some(pre) = output.cast::<web_sys::Element>() {
                pre.set_scroll_top(pre.scroll_height());
            }
        });
    }

    let run = {
        let (input, history, cursor, run) = (
            input.clone(),
            history.clone(),
            cursor.clone(),
            props.run.clone(),
        );
        let language = language.clone();
        Callback::from(move |_: ()| {
            let script = (*input).clone();
            if script.trim().is_empty() {
                return;
            }
            run.emit((*language, script.clone()));
            let mut h = (*history).clone();
            h.push(script);
            history.set(h);
            cursor.set(None);
            input.set(String::new());
        })
    };
    let on_input = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                input.set(area.value());
            }
        })
    };
    let on_key = {
        let (run, input, history, cursor) =
            (run.clone(), input.clone(), history.clone(), cursor.clone());
        let (stop, running) = (props.stop.clone(), props.running.is_some());
        Callback::from(move |e: KeyboardEvent| {
            let single_line = !input.contains('\n');
            match e.key().as_str() {
                // Ctrl+C with nothing selected stops the script, as in a terminal.
                "c" if e.ctrl_key() && running && input.is_empty() => {
                    e.prevent_default();
                    stop.emit(());
                }
                "Enter" if e.ctrl_key() || (single_line && !e.shift_key()) => {
                    e.prevent_default();
                    run.emit(());
                }
                "ArrowUp" if single_line && !history.is_empty() => {
                    e.prevent_default();
                    let i = cursor.map_or(history.len() - 1, |c| c.saturating_sub(1));
                    cursor.set(Some(i));
                    input.set(history[i].clone());
                }
                "ArrowDown" if single_line => {
                    if let Some(c) = *cursor {
                        e.prevent_default();
                        if c + 1 < history.len() {
                            cursor.set(Some(c + 1));
                            input.set(history[c + 1].clone());
                        } else {
                            cursor.set(None);
                            input.set(String::new());
                        }
                    }
                }
                _ => {}
            }
        })
    };
    let clear = props.clear.reform(|_: MouseEvent| ());
    let copy = copy_transcript(transcript.clone());
    let hidden = transcript.len().saturating_sub(SCROLLBACK);
    let running = props
        .running
        .as_ref()
        .map(|r| running_html(lang, r, &props.stop));
    let on_run_click = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.emit(()))
    };
    let pwsh = *language == Language::PowerShell;
    html! {
        <section class="console" aria-labelledby="console-title">
            <div class="console-head">
                // The heading and hint follow the chosen shell, as Cloud Shell's do.
                <h2 id="console-title">{ if pwsh { t("console.titlePwsh") } else { t("console.title") } }</h2>
                <label>{ t("console.shell") }{ " " }
                    <select id="console-shell" onchange={{
                        let language = language.clone();
                        Callback::from(move |e: Event| if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                            language.set(if s.value() == "pwsh" { Language::PowerShell } else { Language::Bash });
                        })
                    }}>
                        <option value="bash" selected={!pwsh}>{ "Azure CLI (bash)" }</option>
                        <option value="pwsh" selected={pwsh}>{ "Azure PowerShell" }</option>
                    </select>
                </label>
                <p class="hint">{ if pwsh { t("console.hintPwsh") } else { t("console.hint") } }</p>
            </div>
            <pre class="console-output" id="console-output" ref={output} aria-live="polite" tabindex="0">
                if hidden > 0 {
                    <span class="out muted">{ t("console.scrollback").replace("{n}", &count(lang, hidden as u64)) }{ "\n" }</span>
                }
                { for transcript[hidden..].iter().map(line_html) }
                { running.unwrap_or_default() }
            </pre>
            <div class="console-input">
                <label for="console-input">{ t("console.input") }</label>
                <textarea id="console-input" rows="3" spellcheck="false" value={(*input).clone()} oninput={on_input} onkeydown={on_key}
                    autocapitalize="off" autocomplete="off" enterkeyhint="send"
                    placeholder={if pwsh { "Get-AzSnapshot -ResourceGroupName rg-snaplab" } else { "az snapshot list -o table" }} />
                <div class="actions">
                    <button type="button" class="primary" onclick={on_run_click}>{ t("console.run") }</button>
                    <button type="button" onclick={copy}>{ t("console.copy") }</button>
                    <button type="button" onclick={clear}>{ t("console.clear") }</button>
                </div>
            </div>
        </section>
    }
}
