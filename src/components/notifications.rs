//! The notification list (the portal's bell): every message shown, newest
//! first, with a count of those not seen since the list was last opened.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::use_t;
use crate::state::Notification;

#[derive(Properties, PartialEq)]
pub struct NotificationsProps {
    pub list: Rc<Vec<Notification>>,
    /// The serial the next notification gets (all below it exist).
    pub next: u64,
}

#[function_component(Notifications)]
pub fn notifications(props: &NotificationsProps) -> Html {
    let t = use_t();
    let open = use_state(|| false);
    let seen = use_state(|| 1u64);
    let toggle = {
        let (open, seen, newest) = (open.clone(), seen.clone(), props.next);
        Callback::from(move |_| {
            open.set(!*open);
            seen.set(newest);
        })
    };
    let unseen = props.list.iter().filter(|n| n.serial >= *seen).count();
    html! {
        <div class="notify">
            // Named by its text (the bell's word is hidden from the eye), so
            // the name holds the visible count, as WCAG 2.5.3 asks.
            <button type="button" id="notify-button" aria-expanded={open.to_string()} aria-controls="notify-list" onclick={toggle}>
                <span class="visually-hidden">{ format!("{} ", t("notify.title")) }</span>
                <svg class="bell" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1a1 1 0 0 0-2 0v1.1A5 5 0 0 0 3 7v4l-2 2h14z"/></svg>
                if unseen > 0 { <span class="badge">{ unseen }</span> }
            </button>
            if *open {
                <section class="notify-list" id="notify-list" aria-label={t("notify.title")}>
                    <h2>{ t("notify.title") }</h2>
                    if props.list.is_empty() { <p class="hint">{ t("notify.none") }</p> }
                    <ol>
                        { for props.list.iter().rev().map(|n| match &n.result {
                            Ok(m) => html! { <li class="ok">{ format!("✔ {m}") }</li> },
                            Err(r) => html! { <li class="err"><strong>{ format!("({}) ", r.code) }</strong>{ &r.message }</li> },
                        }) }
                    </ol>
                </section>
            }
        </div>
    }
}
