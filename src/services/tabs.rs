//! Other tabs and windows on the same lab. Each stored change is announced
//! on a `BroadcastChannel`; a tab that hears one reopens the lab from
//! IndexedDB when it is idle, so it follows instead of writing over. (Writes
//! are safe without this: every write transaction checks its fence, see
//! `storage.rs`; this makes the other tab show the change at once.)

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::Callback;

use crate::state::Action;

const CHANNEL: &str = "snaplab-lab";

/// This tab's end of the channel. Dropping it stops listening.
pub struct Tabs {
    channel: web_sys::BroadcastChannel,
    _listener: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Tabs {
    /// Listens for other tabs' changes; `None` where the browser has no
    /// BroadcastChannel (then the fences alone keep the lab safe).
    pub fn listen(dispatch: Callback<Action>) -> Option<Tabs> {
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
        let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            dispatch.emit(Action::ChangedElsewhere)
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Tabs {
            channel,
            _listener: listener,
        })
    }

    /// Tells the other tabs that this one stored a change.
    pub fn announce(&self) {
        let _ = self
            .channel
            .post_message(&wasm_bindgen::JsValue::from_str("changed"));
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
