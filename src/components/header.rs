//! The top bar: the title, the simulated clock, the notification bell,
//! presenter mode and the language.

use std::rc::Rc;

use snaplab_engine::clock::Instant;
use yew::prelude::*;

use super::clock::ClockBar;
use super::notifications::Notifications;
use super::Submit;
use crate::i18n::{tr, Lang};
use crate::state::Notification;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The lab's time, once it is open (the clock shows then).
    pub now: Option<Instant>,
    pub busy: bool,
    pub submit: Submit,
    pub notifications: Rc<Vec<Notification>>,
    pub next_notification: u64,
    pub presenter: UseStateHandle<bool>,
    pub lang: UseStateHandle<Lang>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let lang = *props.lang;
    let t = |key: &str| tr(lang, key);
    let toggle_presenter = {
        let presenter = props.presenter.clone();
        Callback::from(move |_| presenter.set(!*presenter))
    };
    let switch_lang = {
        let lang = props.lang.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                lang.set(if s.value() == "sv" {
                    Lang::Sv
                } else {
                    Lang::En
                });
            }
        })
    };
    html! {
        <header class="app-header">
            <h1 title={t("app.footer")}>{ "Snaplab" }</h1>
            <p class="tagline">{ t("app.tagline") }</p>
            if let Some(now) = props.now {
                <ClockBar now={now} busy={props.busy} submit={props.submit.clone()} />
            }
            <Notifications list={props.notifications.clone()} next={props.next_notification} />
            <button type="button" class="presenter-toggle" aria-pressed={props.presenter.to_string()} onclick={toggle_presenter}>{ t("presenter.toggle") }</button>
            <label class="language"><span class="label-text">{ t("app.language") }</span>
                <select onchange={switch_lang} aria-label={t("app.language")}>
                    <option value="en" selected={lang == Lang::En}>{ "English" }</option>
                    <option value="sv" selected={lang == Lang::Sv}>{ "Svenska" }</option>
                </select>
            </label>
        </header>
    }
}
