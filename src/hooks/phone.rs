//! The phone layout's two sheets: the resource tree as a drawer and the
//! console as a full-screen sheet, each opened by a button of the bar at the
//! foot of the screen. The bar and the sheets exist on narrow screens only
//! (CSS); on wider ones the tree and the console dock are always in view.
//! Also: the document's `lang` follows the chosen language, so a screen
//! reader reads Swedish with Swedish rules.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{tr, Lang};

/// Whether each sheet is open, and the bar's handlers.
pub struct PhoneSheets {
    pub drawer: UseStateHandle<bool>,
    pub console: UseStateHandle<bool>,
    pub toggle_drawer: Callback<MouseEvent>,
    pub toggle_console: Callback<MouseEvent>,
    /// Closes the drawer: a disk was picked in it, so show that disk.
    pub close_drawer: Callback<()>,
}

/// Focuses the first element `selector` matches.
fn focus(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// A sheet's focus and keys: opened, focus goes to `inside`; closed, back
/// to its button (`opener`), not on the first render (the page's focus
/// stays where a keyboard user expects it, at the top). Escape closes it,
/// as it closes a dialog.
#[hook]
fn use_sheet(open: &UseStateHandle<bool>, inside: &'static str, opener: &'static str) {
    let opened_before = use_mut_ref(|| false);
    let state = open.clone();
    use_effect_with(**open, move |open| {
        let was = std::mem::replace(&mut *opened_before.borrow_mut(), *open);
        if *open {
            focus(inside);
        } else if was {
            focus(&format!("#{opener}"));
        }
        let escape = open.then(|| {
            let window = web_sys::window().expect("a window");
            gloo::events::EventListener::new(&window, "keydown", move |e| {
                if e.dyn_ref::<web_sys::KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Escape")
                {
                    state.set(false);
                }
            })
        });
        move || drop(escape)
    });
}

/// The width up to which the phone layout applies (as in style.css).
const PHONE_PX: f64 = 600.0;

fn is_phone() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w <= PHONE_PX)
}

/// The sheets; `transcript` grows when the console has news (a script
/// starts, its lines arrive): on a phone, a script run from elsewhere (a walkthrough's or a lesson's
/// "run this in the console") opens the console's sheet, where it shows.
#[hook]
pub fn use_phone_sheets(transcript: usize) -> PhoneSheets {
    let drawer = use_state(|| false);
    let console = use_state(|| false);
    {
        let printed_before = use_mut_ref(|| None::<usize>);
        let console = console.clone();
        use_effect_with(transcript, move |lines| {
            let before = printed_before.borrow_mut().replace(*lines);
            if before.is_some_and(|b| *lines > b) && !*console && is_phone() {
                console.set(true);
            }
        });
    }
    // Opening the console puts the caret in its input (the phone's keyboard
    // comes up); opening the drawer, on the disk in the centre.
    use_sheet(&console, "#console-input", "console-open");
    use_sheet(
        &drawer,
        "#resource-drawer .tree-item.selected, #resource-drawer .tree-item",
        "drawer-toggle",
    );
    let toggle = |state: &UseStateHandle<bool>| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.set(!*state))
    };
    PhoneSheets {
        toggle_drawer: toggle(&drawer),
        toggle_console: toggle(&console),
        close_drawer: {
            let drawer = drawer.clone();
            Callback::from(move |()| drawer.set(false))
        },
        drawer,
        console,
    }
}

/// The bar at the foot of a phone's screen: the resources drawer and the
/// console sheet.
pub fn phone_bar(lang: Lang, sheets: &PhoneSheets) -> Html {
    let t = |key: &str| tr(lang, key);
    html! {
        <nav class="phone-bar" aria-label={t("phone.bar")}>
            <button type="button" id="drawer-toggle" aria-controls="resource-drawer" aria-expanded={sheets.drawer.to_string()}
                onclick={sheets.toggle_drawer.clone()}>{ t("tree.title") }</button>
            <button type="button" id="console-open" aria-controls="console-sheet" aria-expanded={sheets.console.to_string()}
                onclick={sheets.toggle_console.clone()}>{ t("phone.console") }</button>
        </nav>
    }
}

/// `<html lang>` follows the chosen language (the whole page, not only the
/// centre, is in it).
#[hook]
pub fn use_document_lang(lang: Lang) {
    use_effect_with(lang, |lang| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.code());
        }
    });
}
