//! Lessons in the app: pick one, start it (the lab becomes the lesson's
//! start), and see after every command which goals hold. Solved lessons are
//! remembered in IndexedDB (a database of their own, so a reset or an import
//! of the lab keeps them) and progress can be exported.

use std::rc::Rc;

use snaplab_console::lessons::{self, Lesson};
use snaplab_engine::store::records_for;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::LabAt;
use crate::i18n::{tr, use_t, Lang};
use crate::state::{Action, Refusal};
use crate::state::{Origin, Replacement, Work};
use crate::storage;

pub use crate::services::progress::PROGRESS_DB;
use crate::services::progress::{load_solved, remember_solved};

#[derive(Properties, PartialEq)]
pub struct LessonsProps {
    pub lab: LabAt,
    /// The lesson in progress (shared with the console, which refuses its disabled commands).
    pub current: UseStateHandle<Option<String>>,
    pub dispatch: Callback<Action>,
}

/// The lab a lesson starts from, with its locks, and what to say once it is.
fn start_lab(lesson: &Lesson, lang: Lang, started: &str) -> snaplab_engine::Result<Replacement> {
    let (records, journal) = records_for(lesson.start_console().executed)?;
    let title = if lang == Lang::Sv {
        &lesson.title.sv
    } else {
        &lesson.title.en
    };
    Ok(Replacement {
        records,
        journal,
        notice: format!("{started}: {title}"),
        locks: Some(lesson.locks()),
    })
}

/// A drill: a script and a question on what it leaves (the size of the
/// next snapshot), checked when answered.
#[function_component(DrillPanel)]
fn drill_panel() -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let drill = use_state(|| None::<snaplab_console::drills::Drill>);
    let answer = use_state(String::new);
    let verdict = use_state(|| None::<bool>);
    let new_drill = {
        let (drill, answer, verdict) = (drill.clone(), answer.clone(), verdict.clone());
        Callback::from(move |_| {
            drill.set(Some(snaplab_console::drills::next_snapshot_size(
                js_sys::Date::now() as u64,
            )));
            answer.set(String::new());
            verdict.set(None);
        })
    };
    let check_drill = {
        let (drill, answer, verdict) = (drill.clone(), answer.clone(), verdict.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(d) = drill.as_ref() {
                verdict.set(Some(answer.trim().parse().is_ok_and(|a| d.check(a))));
            }
        })
    };
    let on_answer = {
        let answer = answer.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                answer.set(i.value());
            }
        })
    };
    html! {
        <>
            <h3>{ t("drill.title") }</h3>
            <button type="button" onclick={new_drill}>{ t("drill.new") }</button>
            if let Some(d) = drill.as_ref() {
                <pre class="json" id="drill-script">{ d.script.join("\n") }</pre>
                <p>{ if lang == Lang::Sv { d.question_sv.clone() } else { d.question_en.clone() } }</p>
                <form class="actions" onsubmit={check_drill}>
                    <label>{ t("drill.answer") }{ " " }<input id="drill-answer" type="number" min="0" value={(*answer).clone()} oninput={on_answer} /></label>
                    <button type="submit">{ t("drill.check") }</button>
                </form>
                { match *verdict {
                    Some(true) => html! { <p id="drill-verdict" class="validation">{ t("drill.right") }</p> },
                    Some(false) => html! { <p id="drill-verdict" class="rule">{ format!("{} {} MiB.", t("drill.wrong"), d.answer_mib) }</p> },
                    None => html! {},
                } }
            }
        </>
    }
}

/// What the lesson in progress shows.
struct LessonView<'a> {
    lesson: &'a Lesson,
    lang: Lang,
    /// Each goal, in words, and whether it holds.
    results: &'a [(String, bool)],
    now_solved: bool,
    next_lesson: Option<&'a Lesson>,
    picked: &'a UseStateHandle<String>,
    hints_shown: &'a UseStateHandle<usize>,
    solution_shown: &'a UseStateHandle<bool>,
    dispatch: &'a Callback<Action>,
}

/// The lesson in progress: its success, goals, hints and solution.
fn lesson_html(v: &LessonView<'_>) -> Html {
    let (lesson, lang, now_solved) = (v.lesson, v.lang, v.now_solved);
    let t = |key: &str| tr(lang, key);
    let text = |x: &lessons::Text| {
        if lang == Lang::Sv {
            x.sv.clone()
        } else {
            x.en.clone()
        }
    };
    let (picked, results) = (v.picked, v.results);
    let (hints_shown, solution_shown) = (v.hints_shown.clone(), v.solution_shown.clone());
    let next_lesson = v.next_lesson;
    let more_hints = {
        let hints_shown = hints_shown.clone();
        Callback::from(move |_| hints_shown.set(*hints_shown + 1))
    };
    html! {
        <>
            <h3 id="lesson-title">{ text(&lesson.title) }</h3>
            if now_solved {
                // The moment of success, where the learner is, and what comes next.
                <div class="success" id="lesson-success" role="status">
                    <strong>{ t("lessons.wellDone") }</strong>{ " " }{ text(&lesson.title) }
                    if let Some(next) = next_lesson {
                        <button type="button" class="primary" onclick={{
                            let (picked, id) = (picked.clone(), next.id.clone());
                            Callback::from(move |_| picked.set(id.clone()))
                        }}>{ format!("{} {}", t("lessons.next"), text(&next.title)) }</button>
                    } else {
                        <span>{ t("lessons.allDone") }</span>
                    }
                </div>
            }

            <p>{ text(&lesson.intro) }</p>
            <h4>{ t("lessons.goals") }</h4>
            <ul class="goals" id="lesson-goals">
                { for results.iter().map(|(g, ok)| html! {
                    <li class={if *ok { "goal met" } else { "goal" }}>{ if *ok { "✔ " } else { "○ " } }{ g }</li>
                }) }
            </ul>
            <p id="lesson-status" class={if now_solved { "solved" } else { "" }} role="status">
                { if now_solved { t("lessons.solved") } else { t("lessons.notSolved") } }
            </p>
            { for lesson.hints.iter().take(*hints_shown).map(|h| html! { <p class="hint">{ "→ " }{ text(h) }</p> }) }
            <div class="actions">
                if *hints_shown < lesson.hints.len() {
                    <button type="button" onclick={more_hints}>{ t("lessons.hint") }</button>
                }
                <button type="button" aria-expanded={solution_shown.to_string()} onclick={{
                    let shown = solution_shown.clone();
                    Callback::from(move |_| shown.set(!*shown))
                }}>{ t("lessons.showSolution") }</button>
            </div>
            if *solution_shown {
                <pre class="json" id="lesson-solution">{ lesson.solution.join("\n") }</pre>
                <button type="button" onclick={{
                    let (dispatch, script) = (v.dispatch.clone(), lesson.solution.join("\n"));
                    Callback::from(move |_| dispatch.emit(Action::Queue(Work::Script {
                        origin: Origin::Console,
                        language: snaplab_console::Language::Bash,
                        script: script.clone(),
                    })))
                }}>{ t("lessons.runSolution") }</button>
            }
        </>
    }
}

#[function_component(Lessons)]
pub fn lessons_panel(props: &LessonsProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let all = use_memo((), |_| lessons::all().unwrap_or_default());
    let current = props.current.clone();
    let picked = use_state(|| all.first().map(|l| l.id.clone()).unwrap_or_default());
    let hints_shown = use_state(|| 0usize);
    let solution_shown = use_state(|| false);
    let solved = use_state(Vec::<String>::new);
    {
        let solved = solved.clone();
        use_effect_with((), move |_| {
            spawn_local(async move { solved.set(load_solved().await) })
        });
    }
    let text = |x: &lessons::Text| {
        if lang == Lang::Sv {
            x.sv.clone()
        } else {
            x.en.clone()
        }
    };
    let lesson: Option<&Lesson> = current
        .as_ref()
        .and_then(|id| all.iter().find(|l| &l.id == id));
    let results: Vec<(String, bool)> = lesson
        .map(|l| {
            l.check(&props.lab)
                .into_iter()
                .map(|(g, ok)| (text(&g.text), ok))
                .collect()
        })
        .unwrap_or_default();
    let now_solved = lesson.is_some() && results.iter().all(|(_, ok)| *ok);
    // The lesson after this one, for the moment of success.
    let next_lesson = lesson.and_then(|l| {
        let at = all.iter().position(|x| x.id == l.id)?;
        all.get(at + 1).cloned()
    });
    {
        // Remember a lesson once its goals all hold.
        let (solved, id) = (solved.clone(), current.as_ref().cloned());
        use_effect_with((now_solved, id.clone()), move |(now_solved, id)| {
            if let (true, Some(id)) = (*now_solved, id.clone()) {
                if !solved.contains(&id) {
                    let mut list = (*solved).clone();
                    list.push(id.clone());
                    solved.set(list);
                    spawn_local(remember_solved(id));
                }
            }
        });
    }

    let start = {
        let (picked, current, hints_shown, dispatch, all) = (
            picked.clone(),
            current.clone(),
            hints_shown.clone(),
            props.dispatch.clone(),
            all.clone(),
        );
        let question = t("lessons.startConfirm");
        let started = t("lessons.started");
        Callback::from(move |_| {
            let Some(lesson) = all.iter().find(|l| l.id == *picked).cloned() else {
                return;
            };
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            // The start lab is made here (it does not depend on the current
            // lab) and queued: it replaces the lab after any commit in flight,
            // and the lesson's locks come with it.
            match start_lab(&lesson, lang, started) {
                Ok(replacement) => {
                    dispatch.emit(Action::Queue(Work::Replace(Rc::new(replacement))));
                    current.set(Some(lesson.id.clone()));
                    hints_shown.set(0);
                }
                Err(e) => dispatch.emit(Action::Notice(Err(Refusal {
                    code: "LessonFailed".into(),
                    message: e.to_string(),
                    rule: None,
                }))),
            }
        })
    };
    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                picked.set(s.value());
            }
        })
    };
    let export_progress = {
        let solved = solved.clone();
        Callback::from(move |_| {
            let body = serde_json::json!({ "solved": *solved }).to_string();
            let _ = storage::download("snaplab-progress.json", body.as_bytes());
        })
    };
    html! {
        <section class="card lessons" aria-labelledby="lessons-title">
            <h2 id="lessons-title">{ t("lessons.title") }{ format!(" ({}/{} {})", solved.len(), all.len(), t("lessons.solved").to_lowercase()) }</h2>
            <div class="actions">
                <label>{ t("lessons.pick") }{ " " }
                    <select id="lesson-pick" onchange={on_pick}>
                        { for all.iter().map(|l| html! {
                            <option value={l.id.clone()} selected={l.id == *picked}>
                                { format!("{}{}", if solved.contains(&l.id) { "✔ " } else { "" }, text(&l.title)) }
                            </option>
                        }) }
                    </select>
                </label>
                <button type="button" class="primary" onclick={start}>{ t("lessons.start") }</button>
                <button type="button" onclick={export_progress}>{ t("lessons.exportProgress") }</button>
            </div>
            if let Some(lesson) = lesson {
                { lesson_html(&LessonView {
                    lesson, lang, results: &results, now_solved, next_lesson: next_lesson.as_ref(),
                    picked: &picked, hints_shown: &hints_shown, solution_shown: &solution_shown, dispatch: &props.dispatch,
                }) }
            }
            <DrillPanel />
        </section>
    }
}
