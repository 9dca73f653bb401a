//! Undo, redo and a timeline over the operation log. The engine is
//! deterministic, so the lab after any operation k is `replay(log[..k])`:
//! the scrubber previews it, "Continue from here" makes it the lab (the
//! later operations are dropped: the future forks), and undo is continuing
//! from one operation back, with the undone operations kept for redo.
//!
//! Nothing is replayed until the user scrubs: "now" is the lab itself. The
//! first move of the scrubber builds a [`Timeline`] (one replay, keeping a
//! lab every 256 operations), and each position after that costs at most
//! 256 operations.

use snaplab_engine::timeline::Timeline;
use snaplab_engine::units::human_bytes;
use std::rc::Rc;

use snaplab_engine::Lab;
use yew::prelude::*;

use super::LabAt;
use crate::i18n::{tr, use_t, Lang};
use crate::state::{Action, Refusal, Work};

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub lab: LabAt,
    /// How many undone operations Redo can submit again (the stack is the
    /// app state's, so it outlives this tab).
    pub redo: usize,
    pub dispatch: Callback<Action>,
}

/// A QR code of `url` as SVG, for a phone's camera; `None` when the link is
/// longer than a QR code holds (a larger lab: export a file instead).
pub fn share_qr_svg(url: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::L).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_short_link_makes_a_qr_code_and_a_long_one_does_not() {
        let svg = super::share_qr_svg("https://example.test/#lab=v1.abc").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
        assert!(super::share_qr_svg(&"x".repeat(5_000)).is_none());
    }
}

/// The lab after operation `k`. The timeline is built only while the user
/// is back in time, once per change of the lab.
#[hook]
fn use_preview(lab: &LabAt, k: usize, scrubbing: bool) -> Rc<Lab> {
    let timeline = use_memo((lab.revision, scrubbing), {
        let lab = lab.rc();
        move |(_, scrubbing)| scrubbing.then(|| Timeline::of(&lab)).flatten()
    });
    use_memo((k, lab.revision, scrubbing), {
        let lab = lab.rc();
        move |(k, _, _)| match timeline.as_ref() {
            Some(timeline) => timeline.at(*k),
            None => (*lab).clone(),
        }
    })
}

/// Does the lab hold its whole log? Opened from its checkpoint, it has no
/// older log in memory: this tab asks for it (undo asks for it too), again
/// at each revision, since a lab reopened meanwhile needs its own.
#[hook]
fn use_whole_log(lab: &LabAt, dispatch: &Callback<Action>) -> bool {
    let (dispatch, whole) = (dispatch.clone(), lab.has_whole_log());
    use_effect_with((whole, lab.revision), move |(whole, _)| {
        if !*whole {
            dispatch.emit(Action::WantOlder);
        }
    });
    whole
}

/// Replay: moves the scrubber from the start to now, one operation a step
/// at the speed chosen. Returns its button's callback, the speed and the
/// speed field's callback.
#[hook]
fn use_replay(
    position: &UseStateHandle<Option<usize>>,
    k: usize,
    n: usize,
) -> (Callback<MouseEvent>, u32, Callback<InputEvent>) {
    let replaying = use_state(|| false);
    let speed = use_state(|| 400u32);
    {
        let (position, replaying) = (position.clone(), replaying.clone());
        use_effect_with((*replaying, *speed, k, n), move |(on, speed, k, n)| {
            let (on, k, n) = (*on, *k, *n);
            let timer = on.then(|| {
                gloo::timers::callback::Timeout::new(*speed, move || {
                    if k < n {
                        position.set(Some(k + 1));
                    } else {
                        position.set(None);
                        replaying.set(false);
                    }
                })
            });
            move || drop(timer)
        });
    }
    let replay = {
        let (position, replaying) = (position.clone(), replaying.clone());
        Callback::from(move |_| {
            position.set(Some(0));
            replaying.set(true);
        })
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                speed.set(i.value().parse().unwrap_or(400).clamp(20, 5000));
            }
        })
    };
    (replay, *speed, on_speed)
}

/// The Share button's callback (the link is made on click, not on each
/// render, and copied) and the link made last.
#[hook]
fn use_share(
    lab: &Rc<Lab>,
    dispatch: &Callback<Action>,
) -> (Callback<MouseEvent>, UseStateHandle<String>) {
    let link = use_state(String::new);
    let (lab, setter, dispatch) = (lab.clone(), link.clone(), dispatch.clone());
    let share = Callback::from(move |_| match snaplab_engine::share::encode(lab.log()) {
        Ok(payload) => {
            let location = web_sys::window().map(|w| w.location());
            let base = location
                .as_ref()
                .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
                .unwrap_or_default();
            let url = format!("{base}#lab={payload}");
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&url);
            }
            setter.set(url);
        }
        Err(e) => dispatch.emit(Action::Notice(Err(Refusal {
            code: e.code().into(),
            message: e.to_string(),
            rule: None,
        }))),
    });
    (share, link)
}

/// The share link made last, with its copy button and QR code.
fn share_html(lang: Lang, link: &str) -> Html {
    let t = |key: &str| tr(lang, key);
    if link.is_empty() {
        return html! {};
    }
    html! {
        <div class="share">
            <label for="share-link">{ t("share.label") }</label>
            <div class="share-row">
                <input id="share-link" type="text" readonly=true value={link.to_string()} />
                <button type="button" onclick={{
                    let link = link.to_string();
                    Callback::from(move |_| if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&link);
                    })
                }}>{ t("share.copy") }</button>
            </div>
            { match share_qr_svg(link) {
                Some(svg) => html! {
                    <figure class="qr" id="share-qr">
                        { Html::from_html_unchecked(AttrValue::from(svg)) }
                        <figcaption>{ t("share.qr") }</figcaption>
                    </figure>
                },
                None => html! { <p class="hint" id="share-qr-none">{ t("share.qrTooLong") }</p> },
            } }
        </div>
    }
}

/// How the newest `count` operations ended, newest first: the code of a
/// refused one. The user's events match the log one to one, so a refused
/// operation is shown as refused, not as done; read from the newest back,
/// only as far as the list shows.
fn newest_outcomes(lab: &Lab, count: usize) -> Vec<Option<String>> {
    lab.events()
        .rev()
        .filter(|e| e.actor == "user")
        .take(count)
        .map(|e| match &e.outcome {
            snaplab_engine::events::Outcome::Refused { code, .. } => Some(code.clone()),
            _ => None,
        })
        .collect()
}

/// The newest `count` operations: their number, what they did, and the
/// code of a refused one.
fn recent_operations(lab: &Lab, count: usize) -> Vec<(usize, String, Option<String>)> {
    let n = lab.log().len();
    lab.log()
        .rev()
        .take(count)
        .zip(newest_outcomes(lab, count))
        .enumerate()
        .map(|(back, (c, refused))| {
            (
                n - back,
                format!("{} {}", c.operation(), c.resource()),
                refused,
            )
        })
        .collect()
}

/// The disks and snapshots of the lab at the scrubber's position.
fn preview_html(lang: Lang, preview: &Lab) -> Html {
    let t = |key: &str| tr(lang, key);
    html! {
        <ul class="preview" id="history-preview">
            { for preview.disks().map(|d| html! { <li>{ format!("{} {} · {} {}", t("disk.title"), d.at.name, human_bytes(d.data.used_bytes()), t("history.used")) }</li> }) }
            { for preview.snapshots().map(|s| html! { <li>{ format!("{} {} · {} · {} {}", t("history.snapshot"), s.at.name, if s.incremental { t("tree.incremental") } else { t("tree.full") }, human_bytes(s.used_bytes()), t("history.used")) }</li> }) }
        </ul>
    }
}

/// The newest operations, each a button that moves the scrubber there.
fn operations_html(
    lang: Lang,
    recent: Vec<(usize, String, Option<String>)>,
    k: usize,
    position: &UseStateHandle<Option<usize>>,
) -> Html {
    let t = |key: &str| tr(lang, key);
    html! {
        <ol class="operations" id="history-operations" aria-label={t("history.operations")}>
            { for recent.into_iter().map(|(i, what, refused)| {
                let position = position.clone();
                let go = Callback::from(move |_| position.set(Some(i)));
                html! {
                    <li class={classes!(refused.is_some().then_some("refused"), (i == k).then_some("current"))}>
                        <button type="button" class="link" onclick={go}>
                            <span class="op-n">{ i }</span>
                            { match &refused {
                                Some(code) => html! { <><span class="op-mark" aria-hidden="true">{ "✖" }</span>{ what }<span class="op-refused">{ format!(" {} ({code})", t("history.refused")) }</span></> },
                                None => html! { <><span class="op-mark ok" aria-hidden="true">{ "✔" }</span>{ what }</> },
                            } }
                        </button>
                    </li>
                }
            }) }
        </ol>
    }
}

#[function_component(History)]
pub fn history(props: &HistoryProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let n = props.lab.log().len();
    let position = use_state(|| None::<usize>);
    let k = position.filter(|p| *p < n).unwrap_or(n);
    let scrubbing = k < n;
    let revision = props.lab.revision;
    let preview = use_preview(&props.lab, k, scrubbing);
    let log = props.lab.log_shared();
    // Writes whose bytes the store no longer keeps: positions after them
    // show zeros there, and the panel says so before going there.
    let not_kept = use_memo(revision, {
        let lab = props.lab.rc();
        move |_| snaplab_engine::timeline::bytes_not_kept(&lab)
    });
    let lost_at = {
        let not_kept = not_kept.clone();
        move |k: usize| not_kept.partition_point(|p| *p <= k)
    };
    let lost_here = lost_at(k);
    let ask_lost = {
        let t_lost = t("history.lostConfirm");
        move |lost: usize| {
            lost == 0
                || web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(&t_lost.replace("{n}", &lost.to_string()))
                            .ok()
                    })
                    .unwrap_or(false)
        }
    };

    let on_scrub = {
        let position = position.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                position.set(input.value().parse().ok());
            }
        })
    };
    let undo = {
        let (log, dispatch, position) = (log.clone(), props.dispatch.clone(), position.clone());
        let notice = t("history.undone").to_string();
        let lost_at = lost_at.clone();
        Callback::from(move |_| {
            if !ask_lost(lost_at(log.len().saturating_sub(1))) {
                return;
            }
            if !log.is_empty() {
                position.set(None);
                // Queued: it undoes the newest operation when its turn comes,
                // after any commit in flight (and puts it on the redo stack).
                dispatch.emit(Action::Queue(Work::Undo {
                    notice: notice.clone(),
                }));
            }
        })
    };
    let redo = props.dispatch.reform(|_| Action::Redo);
    let continue_here = {
        let (dispatch, position) = (props.dispatch.clone(), position.clone());
        let notice = t("history.forked").to_string();

        Callback::from(move |_| {
            if !ask_lost(lost_here) {
                return;
            }
            position.set(None);
            dispatch.emit(Action::Queue(Work::Rewind {
                to: k,
                notice: notice.clone(),
            }));
        })
    };
    let back = {
        let position = position.clone();
        Callback::from(move |_| position.set(None))
    };
    let (replay, speed, on_speed) = use_replay(&position, k, n);
    let (share, link) = use_share(&props.lab.rc(), &props.dispatch);
    // Operation k's outcome is the newest user event of the lab after k.
    let operation = |i: usize| {
        log.get(i.wrapping_sub(1))
            .map(|c| {
                let refused = newest_outcomes(&preview, 1)
                    .pop()
                    .flatten()
                    .map(|code| format!(" ({} {code})", t("history.refused")))
                    .unwrap_or_default();
                format!("{} {}{refused}", c.operation(), c.resource())
            })
            .unwrap_or_else(|| "—".into())
    };
    let recent = recent_operations(&props.lab, 40);
    let used: u64 = preview.disks().map(|d| d.data.used_bytes()).sum();
    // Opened from its checkpoint: the older log is being read (just after
    // the lab showed); the timeline, undo and links wait for it.
    if !use_whole_log(&props.lab, &props.dispatch) {
        return html! {
            <section class="card history" aria-labelledby="history-title">
                <h2 id="history-title">{ t("history.title") }</h2>
                <p class="hint" id="history-loading" role="status">
                    { t("history.loading").replace("{n}", &crate::i18n::number(lang, props.lab.log_base() as f64, 0)) }
                </p>
            </section>
        };
    }
    html! {
        <section class="card history" aria-labelledby="history-title">
            <h2 id="history-title">{ t("history.title") }</h2>
            <div class="actions">
                <button type="button" onclick={undo} disabled={n == 0}>{ t("history.undo") }</button>
                <button type="button" onclick={redo} disabled={props.redo == 0}>{ format!("{} ({})", t("history.redo"), props.redo) }</button>
                <button type="button" onclick={share}>{ t("share.button") }</button>
                <button type="button" onclick={replay} disabled={n == 0}>{ t("history.replay") }</button>
                <label><input id="replay-speed" type="number" min="20" max="5000" value={speed.to_string()} oninput={on_speed} />{ " " }{ t("history.speed") }</label>
            </div>
            { share_html(lang, &link) }
            <label>{ t("history.scrub") }{ format!(" {k} / {n} ") }
                <input id="history-scrub" type="range" min="0" max={n.to_string()} value={k.to_string()} oninput={on_scrub} />
            </label>
            <p id="history-view">
                { format!("{} {k}: {} · {} · {} {}, {} {}, {} {}",
                    t("history.viewing"), operation(k), crate::i18n::readable_time(lang, preview.now()),
                    preview.disks().count(), t("history.disks"), preview.snapshots().count(), t("history.snapshots"),
                    human_bytes(used), t("history.written")) }
            </p>
            if scrubbing && lost_here > 0 {
                <p class="refusal" id="history-lost" role="status">
                    { t("history.lost").replace("{n}", &lost_here.to_string()) }
                </p>
            }
            { preview_html(lang, &preview) }
            { operations_html(lang, recent, k, &position) }
            if k < n {
                <div class="actions">
                    <button type="button" class="primary" onclick={continue_here}>{ t("history.fork") }</button>
                    <button type="button" onclick={back}>{ t("history.now") }</button>
                </div>
            }
        </section>
    }
}
