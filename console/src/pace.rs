//! Pausing a running script so the page can draw, and stopping it.
//!
//! The interpreters are `async`: before each command they ask a [`Pacer`]
//! whether to pause. The browser's pacer pauses every few milliseconds of
//! work (the page draws the output so far and the Stop button stays live)
//! and answers [`Go::Stop`] once Stop is pressed; natively, [`Straight`]
//! never pauses and [`finish`] runs the script to its end at once. The
//! interpreters themselves never read a clock.

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use crate::transcript::Line;

/// What a pause ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    On,
    /// The user pressed Stop: the script ends here, as with Ctrl+C.
    Stop,
}

/// A pause the interpreter awaits before going on.
pub type Pause = Pin<Box<dyn Future<Output = Go>>>;

/// Where a running script has got to.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Commands (and loop turns) run so far, of the step budget.
    pub steps: usize,
    /// Lab commands (az, cmdlets) that changed or read the lab so far.
    pub commands: usize,
    /// Everything the script printed so far.
    pub lines: &'a [Line],
}

/// Decides when a running script pauses, and whether it goes on.
pub trait Pacer {
    /// Called before each command; `None` goes on at once.
    fn pace(&mut self, progress: Progress<'_>) -> Option<Pause>;
}

/// Never pauses: the native program and tests.
pub struct Straight;

impl Pacer for Straight {
    fn pace(&mut self, _: Progress<'_>) -> Option<Pause> {
        None
    }
}

/// Runs a future that never waits (a script paced by [`Straight`]) to its end.
pub fn finish<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("a script paced by Straight never waits"),
    }
}

/// Stops after `after` paces: a test pacer for the Stop button.
#[derive(Debug, Default)]
pub struct StopAfter {
    pub after: usize,
    pub paced: usize,
}

impl Pacer for StopAfter {
    fn pace(&mut self, _: Progress<'_>) -> Option<Pause> {
        self.paced += 1;
        (self.paced > self.after).then(|| Box::pin(std::future::ready(Go::Stop)) as Pause)
    }
}
