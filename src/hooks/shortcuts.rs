//! Keyboard shortcuts (listed under `?`); not while typing in a field.

use snaplab_engine::{cmd, Command};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the shortcuts toggle, held by the app.
#[derive(Clone, PartialEq)]
pub struct Shortcuts {
    pub presenter: UseStateHandle<bool>,
    /// The shortcuts dialog is open.
    pub help: UseStateHandle<bool>,
    /// Presenter mode's step counter (`n` advances it).
    pub next_step: UseStateHandle<u32>,
}

#[hook]
pub fn use_shortcuts(submit: Callback<Command>) -> Shortcuts {
    let shortcuts = Shortcuts {
        presenter: use_state(|| false),
        help: use_state(|| false),
        next_step: use_state(|| 0u32),
    };
    let keys = shortcuts.clone();
    let now = (*keys.presenter, *keys.help, *keys.next_step);
    use_effect_with(now, move |(p, help, n)| {
        let (p, help, n) = (*p, *help, *n);
        let listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "keydown", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                match e.key().as_str() {
                    "?" => keys.help.set(!help),
                    "Escape" => keys.help.set(false),
                    "p" => keys.presenter.set(!p),
                    "n" => keys.next_step.set(n + 1),
                    "+" => submit.emit(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 })),
                    _ => {}
                }
            })
        });
        move || drop(listener)
    });
    shortcuts
}
