//! Runs a console script without freezing the page: the interpreter pauses
//! every [`SLICE_MS`] of work on a zero timeout (the browser draws the output
//! so far and handles clicks, Stop included), and the script's lines and
//! progress go to the reducer at each pause. Stop is honoured at every
//! command, whatever the pacer.

use std::cell::Cell;
use std::rc::Rc;

use snaplab_console::pace::{Go, Pacer, Pause, Progress};
use snaplab_console::{Console, Staged};
use yew::Callback;

use crate::state::{Action, Ran, Running};

/// Work between two pauses: short enough that the page stays responsive.
pub const SLICE_MS: f64 = 30.0;

/// Runs the script on a staged copy of the journal it found, through the
/// console's one execution point; `pacer` decides when it pauses. What it
/// staged is not stored yet (`stored` is `Ok`: nothing failed so far).
pub async fn run(running: &Running, pacer: &mut dyn Pacer) -> Ran {
    let mut console =
        Console::with_memory(Staged::new(running.journal.clone()), running.memory.clone());
    console.locks = running.locks.clone();
    let mut pacer = Stoppable {
        stop: running.stop.clone(),
        inner: pacer,
    };
    let transcript = console
        .run_paced(running.language, &running.script, &mut pacer)
        .await;
    let (staged, memory, _) = console.into_parts();
    Ran {
        staged,
        memory,
        lines: transcript.lines,
        stored: Ok(()),
    }
}

/// Runs the script in flight as `flight` in the browser, reporting its
/// progress at each pause.
pub async fn run_in_page(flight: u64, running: &Running, dispatch: Callback<Action>) -> Ran {
    let mut pacer = BrowserPacer {
        flight,
        dispatch,
        slice_start: Rc::new(Cell::new(now())),
        sent: 0,
    };
    run(running, &mut pacer).await
}

/// A pacer that also stops when the Stop switch is set (before a command,
/// or when a pause ends).
struct Stoppable<'p> {
    stop: Rc<Cell<bool>>,
    inner: &'p mut dyn Pacer,
}

impl Pacer for Stoppable<'_> {
    fn pace(&mut self, progress: Progress<'_>) -> Option<Pause> {
        if self.stop.get() {
            return Some(Box::pin(std::future::ready(Go::Stop)));
        }
        let pause = self.inner.pace(progress)?;
        let stop = self.stop.clone();
        Some(Box::pin(async move {
            match pause.await {
                Go::On if !stop.get() => Go::On,
                _ => Go::Stop,
            }
        }))
    }
}

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
        // Stop, pressed during the pause, is seen by `Stoppable`.
        Some(Box::pin(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            slice_start.set(now());
            Go::On
        }))
    }
}
