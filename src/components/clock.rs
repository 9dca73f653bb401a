//! The simulated clock: always visible, moved by buttons or played.

use gloo::timers::callback::Interval;
use snaplab_engine::clock::Span;
use snaplab_engine::cmd;
use snaplab_engine::Command;
use yew::prelude::*;

use super::Submit;
use crate::i18n::use_t;

#[derive(Properties, PartialEq)]
pub struct ClockProps {
    pub now: snaplab_engine::clock::Instant,
    pub busy: bool,
    pub submit: Submit,
}

/// Simulated seconds per real second while playing.
const SPEEDS: [u64; 4] = [1, 10, 60, 600];

#[function_component(ClockBar)]
pub fn clock_bar(props: &ClockProps) -> Html {
    let t = use_t();
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let playing = use_state(|| false);
    let speed = use_state(|| 60u64);
    {
        // While playing, advance once a second by `speed` simulated seconds.
        let submit = props.submit.clone();
        use_effect_with((*playing, *speed), move |(playing, speed)| {
            let speed = *speed;
            let interval = playing.then(|| {
                Interval::new(1000, move || {
                    submit.emit(Command::AdvanceClock(cmd::AdvanceClock {
                        millis: speed * 1000,
                    }))
                })
            });
            move || drop(interval)
        });
    }
    let advance = |label: &'static str, span: Span| {
        let submit = props.submit.clone();
        let onclick = Callback::from(move |_| {
            submit.emit(Command::AdvanceClock(cmd::AdvanceClock {
                millis: span.as_millis(),
            }))
        });
        html! { <button type="button" {onclick}>{ label }</button> }
    };
    let toggle = {
        let playing = playing.clone();
        Callback::from(move |_| playing.set(!*playing))
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                speed.set(select.value().parse().unwrap_or(60));
            }
        })
    };
    html! {
        <section class="card clock" aria-label={t("clock.label")}>
            <span class="clock-time">{ t("clock.time") }{ " " }
                // Readable; Azure's own timestamp on hover.
                <strong id="clock-now" title={props.now.to_azure_string()}>{ crate::i18n::readable_time(lang, props.now) }</strong>
            </span>
            { advance("+1 min", Span::minutes(1)) }
            { advance("+5 min", Span::minutes(5)) }
            { advance("+1 h", Span::hours(1)) }
            { advance("+1 day", Span::days(1)) }
            { advance("+31 days", Span::days(31)) }
            <button type="button" onclick={toggle} aria-pressed={playing.to_string()}>
                { if *playing { t("clock.pause") } else { t("clock.play") } }
            </button>
            <label>{ t("clock.speed") }{ " " }
                <select onchange={on_speed}>
                    { for SPEEDS.iter().map(|s| html! { <option value={s.to_string()} selected={*s == *speed}>{ format!("{s}×") }</option> }) }
                </select>
            </label>
            <span class="saving" role="status">{ if props.busy { t("clock.saving") } else { "" } }</span>
        </section>
    }
}
