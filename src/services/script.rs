//! Runs a console script without freezing the page: the interpreter pauses
//! every [`SLICE_MS`] of work on a zero timeout (the browser draws the output
//! so far and handles clicks, Stop included), and the script's lines and
//! progress go to the reducer at each pause. Stop is honoured by
//! [`Running::run`] itself.

use std::cell::Cell;
use std::rc::Rc;

use snaplab_console::pace::{Go, Pacer, Pause, Progress};
use yew::Callback;

use crate::state::{Action, Running};

/// Work between two pauses: short enough that the page stays responsive.
pub const SLICE_MS: f64 = 30.0;

struct BrowserPacer {
    flight: u64,
    dispatch: Callback<Action>,
    /// When the slice began (after the last pause).
    slice_start: Rc<Cell<f64>>,
    /// Lines already sent to the reducer.
    sent: usize,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Pacer for BrowserPacer {
    fn pace(&mut self, progress: Progress<'_>) -> Option<Pause> {
        if now() - self.slice_start.get() < SLICE_MS {
            return None;
        }
        self.dispatch.emit(Action::Progress {
            flight: self.flight,
            new_lines: progress.lines[self.sent.min(progress.lines.len())..].to_vec(),
            steps: progress.steps,
            commands: progress.commands,
        });
        self.sent = progress.lines.len();
        let slice_start = self.slice_start.clone();
        // Stop, pressed during the pause, is seen by the state's own check.
        Some(Box::pin(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            slice_start.set(now());
            Go::On
        }))
    }
}

/// Runs the script in flight as `flight`, then reports what it did.
pub async fn run(flight: u64, running: &Running, dispatch: Callback<Action>) {
    let mut pacer = BrowserPacer {
        flight,
        dispatch: dispatch.clone(),
        slice_start: Rc::new(Cell::new(now())),
        sent: 0,
    };
    let ran = running.run(&mut pacer).await;
    dispatch.emit(Action::Ran(flight, ran));
}
