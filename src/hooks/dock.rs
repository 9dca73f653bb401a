//! The resizable console dock (as Cloud Shell's): drag its top edge, or use
//! the arrow keys on it.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The dock's height and the handlers of its handle.
pub struct Dock {
    pub height: u32,
    pub start_drag: Callback<PointerEvent>,
    pub keys: Callback<KeyboardEvent>,
}

#[hook]
pub fn use_dock() -> Dock {
    let height = use_state(|| 210u32);
    let dragging = use_state(|| false);
    {
        let (dragging, height) = (dragging.clone(), height.clone());
        use_effect_with(*dragging, move |on| {
            let listeners = on.then(|| {
                let window = web_sys::window().expect("a window");
                let h = height.clone();
                let moving = gloo::events::EventListener::new(&window, "pointermove", move |e| {
                    if let (Some(e), Some(w)) =
                        (e.dyn_ref::<web_sys::PointerEvent>(), web_sys::window())
                    {
                        let vh = w
                            .inner_height()
                            .ok()
                            .and_then(|v| v.as_f64())
                            .unwrap_or(768.0);
                        let wanted = vh - e.client_y() as f64;
                        h.set(wanted.clamp(96.0, vh * 0.7) as u32);
                    }
                });
                let d = dragging.clone();
                let up =
                    gloo::events::EventListener::new(&window, "pointerup", move |_| d.set(false));
                (moving, up)
            });
            move || drop(listeners)
        });
    }
    let start_drag = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let keys = {
        let height = height.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowUp" => height.set((*height + 24).min(600)),
            "ArrowDown" => height.set(height.saturating_sub(24).max(96)),
            _ => {}
        })
    };
    Dock {
        height: *height,
        start_drag,
        keys,
    }
}
