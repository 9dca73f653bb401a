//! The console panel: Azure CLI scripts (and the simulator's `sim` verbs)
//! or Azure PowerShell, with history, multi-line paste and a copy button.
//! A script is sent to the app's queue and runs there for real, through the
//! same execution point as a click, against the lab as it is when its turn
//! comes; its transcript comes back once what it did is stored, so what the
//! console shows is what happened.
//!
//! While a script runs its newest output shows as it comes, with how far it
//! has got and a Stop button (Ctrl+C in the input does the same).
//!
//! Typing is helped as a terminal helps: Tab completes (the console crate's
//! `complete`: commands, options, choices, the lab's names) and lists the
//! candidates under the input when there are several (Escape closes the
//! list); what az would refuse in the words typed so far shows under the
//! input before the command runs; Up/Down recall earlier commands, kept per
//! lab across reloads (`services/recall.rs`).

use std::rc::Rc;

use snaplab_console::az::requests::request_lines;
use snaplab_console::complete::{advise, complete};
use snaplab_console::{Language, Line};
use yew::prelude::*;

use super::LabAt;
use crate::i18n::{number, tr, use_t, Lang};
use crate::services::recall;
use crate::state::recall::Recall;
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
    /// The lab Tab completes names from.
    pub lab: LabAt,
    /// Whether each az command also prints the REST requests behind it.
    #[prop_or_default]
    pub show_requests: bool,
    #[prop_or_default]
    pub toggle_requests: Callback<bool>,
    /// Whose command history Up/Down recall (the stored lab's id; empty:
    /// not kept across reloads).
    #[prop_or_default]
    pub history_key: AttrValue,
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
/// (explain). A line of the request view (`request`) is set apart from
/// errors, though both are az's standard error.
fn line_html(l: &Line, request: bool) -> Html {
    match l {
        Line::Err(s) if request => html! { <span class="err request">{ s }{ "\n" }</span> },
        Line::Out(s) if s.starts_with("$ az ") || s.starts_with("$ sim ") => {
            let words: Vec<String> = s[2..].split_whitespace().map(str::to_string).collect();
            let tip = snaplab_console::explain::explain(&words).unwrap_or_default();
            html! { <span class="out command" title={tip}>{ s }{ "\n" }</span> }
        }
        Line::Out(s) => html! { <span class="out">{ s }{ "\n" }</span> },
        Line::Err(s) => html! { <span class="err">{ s }{ "\n" }</span> },
    }
}

/// Tab's candidates under the input, in a polite live region (present
/// while empty, so a screen reader hears the list when it fills).
fn completion_html(typing: &UseStateHandle<Typing>, label: &str) -> Html {
    let pick = |candidate: &String| {
        let typing = typing.clone();
        let candidate = candidate.clone();
        Callback::from(move |_: MouseEvent| {
            // The one picked replaces the word the list completes, and a
            // space starts the next, as Tab does with one candidate.
            let (text, word) = (&typing.text, typing.word.clone());
            if text.get(word.clone()).is_some() {
                let line = format!("{}{candidate} {}", &text[..word.start], &text[word.end..]);
                typing.set(Typing::text(line));
            }
        })
    };
    html! {
        <div id="console-completions" class="console-completions" role="status" aria-live="polite" aria-label={label.to_string()}>
            if !typing.list.is_empty() {
                <ul role="list">
                    { for typing.list.iter().map(|c| html! {
                        <li><button type="button" class="completion" tabindex="-1" onclick={pick(c)}>{ c }</button></li>
                    }) }
                </ul>
            }
        </div>
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
            { for r.tail.iter().zip(request_lines(&r.tail)).map(|(l, m)| line_html(l, m)) }
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

/// The input's caret as a byte offset of `text` (the DOM counts UTF-16 units).
fn caret_bytes(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 as usize {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// What the input holds and what helps typing it.
#[derive(Clone, PartialEq, Default)]
struct Typing {
    text: String,
    /// Tab's candidates, shown under the input while there are several.
    list: Vec<String>,
    /// Where the word they complete is in `text` (a pick replaces it).
    word: std::ops::Range<usize>,
}

impl Typing {
    fn text(text: String) -> Typing {
        Typing {
            text,
            ..Typing::default()
        }
    }
}

/// Reads the stored history of `key` into `recall` once per key (what was
/// typed before it arrived stays newest). A failure is logged, never shown
/// as an error: the console works without history.
#[hook]
fn use_stored_history(key: AttrValue, recall: UseStateHandle<Recall>) {
    use_effect_with(key, move |key| {
        let key = key.to_string();
        if !key.is_empty() {
            wasm_bindgen_futures::spawn_local(async move {
                match recall::load(&key).await {
                    Ok(stored) => recall.set(Recall::restored(stored, &recall.commands)),
                    Err(e) => gloo::console::warn!(e.to_string()),
                }
            });
        }
    });
}

/// Tab: complete the word before the caret. Returns false when there is
/// nothing to complete (Tab then moves focus on, as everywhere else).
fn tab(
    area: &web_sys::HtmlTextAreaElement,
    typing: &UseStateHandle<Typing>,
    lab: &LabAt,
    language: Language,
) -> bool {
    let text = area.value();
    let caret = caret_bytes(&text, area.selection_start().ok().flatten().unwrap_or(0));
    // Nothing typed yet: Tab moves focus on, so the input is never a
    // keyboard trap (with words typed, Shift+Tab still leaves).
    if text[..caret].trim().is_empty() {
        return false;
    }
    let found = complete(&text, caret, lab, language);
    if found.candidates.is_empty() {
        return false;
    }
    let (line, caret) = found.apply(&text);
    let word = found.replace.start..caret;
    let list = if found.candidates.len() > 1 {
        found.candidates
    } else {
        Vec::new()
    };
    area.set_value(&line);
    let at = line[..caret].encode_utf16().count() as u32;
    let _ = area.set_selection_range(at, at);
    typing.set(Typing {
        text: line,
        list,
        word,
    });
    true
}

/// The input's keys: Enter runs, Ctrl+C stops, Tab completes, Escape
/// closes the list, Up/Down recall.
fn key_handler(
    props: &ConsoleProps,
    run: &Callback<()>,
    typing: &UseStateHandle<Typing>,
    recall: &UseStateHandle<Recall>,
    language: Language,
) -> Callback<KeyboardEvent> {
    let (run, typing, recall) = (run.clone(), typing.clone(), recall.clone());
    let (stop, running) = (props.stop.clone(), props.running.is_some());
    let lab = props.lab.clone();
    Callback::from(move |e: KeyboardEvent| {
        let single_line = !typing.text.contains('\n');
        let recalled = |text: Option<&str>| text.map(|t| Typing::text(t.to_string()));
        match e.key().as_str() {
            // Ctrl+C with nothing selected stops the script, as in a terminal.
            "c" if e.ctrl_key() && running && typing.text.is_empty() => {
                e.prevent_default();
                stop.emit(());
            }
            "Enter" if e.ctrl_key() || (single_line && !e.shift_key()) => {
                e.prevent_default();
                run.emit(());
            }
            "Tab" if !(e.shift_key() || e.ctrl_key() || e.alt_key() || e.meta_key()) => {
                if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                    if tab(&area, &typing, &lab, language) {
                        e.prevent_default();
                    }
                }
            }
            "Escape" if !typing.list.is_empty() => {
                e.prevent_default();
                typing.set(Typing::text(typing.text.clone()));
            }
            "ArrowUp" if single_line => {
                let mut r = (*recall).clone();
                if let Some(next) = recalled(r.up()) {
                    e.prevent_default();
                    typing.set(next);
                    recall.set(r);
                }
            }
            "ArrowDown" if single_line => {
                let mut r = (*recall).clone();
                if let Some(next) = recalled(r.down()) {
                    e.prevent_default();
                    typing.set(next);
                    recall.set(r);
                }
            }
            _ => {}
        }
    })
}

#[function_component(ConsolePanel)]
pub fn console_panel(props: &ConsoleProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let count = |lang: Lang, n: u64| number(lang, n as f64, 0);
    let typing = use_state(Typing::default);
    let transcript = props.lines.clone();
    let recall = use_state(Recall::default);
    use_stored_history(props.history_key.clone(), recall.clone());
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
        let (typing, recall, run, key) = (
            typing.clone(),
            recall.clone(),
            props.run.clone(),
            props.history_key.to_string(),
        );
        let language = language.clone();
        Callback::from(move |_: ()| {
            let script = typing.text.clone();
            if script.trim().is_empty() {
                return;
            }
            run.emit((*language, script.clone()));
            let mut r = (*recall).clone();
            r.push(script);
            if !key.is_empty() {
                let (key, stored) = (key.clone(), r.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = recall::save(&key, &stored).await {
                        gloo::console::warn!(e.to_string());
                    }
                });
            }
            recall.set(r);
            typing.set(Typing::default());
        })
    };
    let on_input = {
        let typing = typing.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                typing.set(Typing::text(area.value()));
            }
        })
    };
    let on_key = key_handler(props, &run, &typing, &recall, *language);
    let advice = advise(&typing.text, typing.text.len(), *language);
    let clear = props.clear.reform(|_: MouseEvent| ());
    let copy = copy_transcript(transcript.clone());
    let hidden = transcript.len().saturating_sub(SCROLLBACK);
    let marks = request_lines(&transcript);
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
                <label class="console-toggle" title={t("console.requestsHint")}>
                    <input type="checkbox" id="console-requests" checked={props.show_requests}
                        onchange={props.toggle_requests.reform(|e: Event| e.target_dyn_into::<web_sys::HtmlInputElement>().is_some_and(|i| i.checked()))} />
                    { " " }{ t("console.requests") }
                </label>
                <p class="hint">{ if pwsh { t("console.hintPwsh") } else { t("console.hint") } }</p>
            </div>
            <pre class="console-output" id="console-output" ref={output} aria-live="polite" tabindex="0">
                if hidden > 0 {
                    <span class="out muted">{ t("console.scrollback").replace("{n}", &count(lang, hidden as u64)) }{ "\n" }</span>
                }
                { for transcript[hidden..].iter().zip(&marks[hidden..]).map(|(l, m)| line_html(l, *m)) }
                { running.unwrap_or_default() }
            </pre>
            <div class="console-input">
                <label for="console-input">{ t("console.input") }</label>
                <textarea id="console-input" rows="3" spellcheck="false" value={typing.text.clone()} oninput={on_input} onkeydown={on_key}
                    autocapitalize="off" autocomplete="off" enterkeyhint="send" aria-describedby="console-advice" aria-controls="console-completions"
                    placeholder={if pwsh { "Get-AzSnapshot -ResourceGroupName rg-snaplab" } else { "az snapshot list -o table" }} />
                { completion_html(&typing, t("console.completions")) }
                <p id="console-advice" class="console-advice err" role="status">{ advice.unwrap_or_default() }</p>
                <div class="actions">
                    <button type="button" class="primary" onclick={on_run_click}>{ t("console.run") }</button>
                    <button type="button" onclick={copy}>{ t("console.copy") }</button>
                    <button type="button" onclick={clear}>{ t("console.clear") }</button>
                </div>
            </div>
        </section>
    }
}
