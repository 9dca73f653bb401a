//! The app's state as a pure reducer (Yew's `Reducible`).
//!
//! The lab lives in a [`Journal`]. A user action becomes a [`Command`]; the
//! reducer works out what to store for it (`Journal::prepare`, no I/O) and
//! marks it in flight; an effect in `app.rs` commits that batch to IndexedDB
//! and reports back with [`Action::Committed`] or [`Action::CommitFailed`].
//! Only then does the lab change. Commands arriving meanwhile wait in a
//! queue, so each is prepared against the lab its predecessors left.

use std::collections::VecDeque;
use std::rc::Rc;

use snaplab_engine::store::{Journal, Prepared};
use snaplab_engine::{Command, EngineError, Lab};
use yew::Reducible;

/// The group and disk a new lab starts with.
pub const START_GROUP: &str = "rg-snaplab";
pub const START_LOCATION: &str = "westeurope";
pub const START_DISK: &str = "disk1";
pub const START_DISK_GIB: u64 = 32;

/// The commands that set up a new, empty lab.
pub fn starter_commands() -> Vec<Command> {
    vec![
        Command::CreateGroup {
            name: START_GROUP.into(),
            location: START_LOCATION.into(),
        },
        Command::CreateDisk {
            group: START_GROUP.into(),
            name: START_DISK.into(),
            location: None,
            sku: "Premium_LRS".into(),
            size_gib: START_DISK_GIB,
            logical_sector_size: 512,
        },
    ]
}

/// A refusal as the user sees it: Azure-style code, message, rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    pub rule: Option<String>,
}

impl From<&EngineError> for Refusal {
    fn from(err: &EngineError) -> Self {
        Refusal {
            code: err.code().to_string(),
            message: err.to_string(),
            rule: err.rule().map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Reading the lab from IndexedDB.
    Loading,
    Ready,
    /// The stored lab could not be opened; the message says why.
    Failed(String),
}

/// Browser storage facts for the storage panel.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StorageFacts {
    pub usage: Option<f64>,
    pub quota: Option<f64>,
    pub persisted: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub phase: Phase,
    pub journal: Journal,
    /// The operation being committed, with its number.
    pub in_flight: Option<(u64, Rc<Prepared>)>,
    pub next_flight: u64,
    pub queue: VecDeque<Command>,
    pub last_refusal: Option<Refusal>,
    pub last_message: Option<String>,
    /// A notice sent while operations were queued: shown once they are done,
    /// so it is not hidden by their own messages.
    pub notice_after_queue: Option<Result<String, Refusal>>,
    pub storage: StorageFacts,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            phase: Phase::Loading,
            journal: Journal::default(),
            in_flight: None,
            next_flight: 1,
            queue: VecDeque::new(),
            last_refusal: None,
            last_message: None,
            notice_after_queue: None,
            storage: StorageFacts::default(),
        }
    }
}

pub enum Action {
    /// The stored lab was read (or replaced by an import or a reset).
    Loaded(Journal),
    LoadFailed(String),
    /// The user asked for `Command`.
    Submit(Command),
    /// The in-flight operation `n` is stored.
    Committed(u64),
    /// Storing operation `n` failed: nothing changed.
    CommitFailed(u64, String),
    Storage(StorageFacts),
    /// Shows a message (export done, import refused, …).
    Notice(Result<String, Refusal>),
}

impl AppState {
    pub fn lab(&self) -> &Lab {
        self.journal.lab()
    }

    /// Is an operation being stored?
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    fn show(&mut self, notice: Result<String, Refusal>) {
        match notice {
            Ok(message) => {
                self.last_message = Some(message);
                self.last_refusal = None;
            }
            Err(refusal) => self.last_refusal = Some(refusal),
        }
    }

    fn start_next(&mut self) {
        if self.in_flight.is_none() {
            if let Some(command) = self.queue.pop_front() {
                let prepared = self.journal.prepare(command);
                self.in_flight = Some((self.next_flight, Rc::new(prepared)));
                self.next_flight += 1;
            }
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded(journal) => {
                next.journal = journal;
                next.phase = Phase::Ready;
                next.in_flight = None;
                next.queue.clear();
            }
            Action::LoadFailed(message) => next.phase = Phase::Failed(message),
            Action::Submit(command) => {
                next.queue.push_back(command);
                next.start_next();
            }
            Action::Committed(n) => {
                if let Some((flight, prepared)) = next.in_flight.take_if(|(id, _)| *id == n) {
                    let _ = flight;
                    match next.journal.accept(&prepared) {
                        Ok(message) => {
                            next.last_refusal = None;
                            next.last_message = Some(message);
                        }
                        Err(err) => next.last_refusal = Some(Refusal::from(&err)),
                    }
                    next.start_next();
                    if !next.busy() {
                        if let Some(notice) = next.notice_after_queue.take() {
                            next.show(notice);
                        }
                    }
                }
            }
            Action::CommitFailed(n, message) => {
                if next.in_flight.take_if(|(id, _)| *id == n).is_some() {
                    let err = EngineError::StorageFailed { detail: message };
                    next.last_refusal = Some(Refusal::from(&err));
                    // What was queued behind it was meant for the lab it would have made.
                    next.queue.clear();
                }
            }
            Action::Storage(facts) => next.storage = facts,
            Action::Notice(notice) if next.busy() => next.notice_after_queue = Some(notice),
            Action::Notice(notice) => next.show(notice),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snaplab_engine::WriteData;

    fn ready() -> Rc<AppState> {
        let mut journal = Journal::default();
        for c in starter_commands() {
            let p = journal.prepare(c);
            journal.accept(&p).unwrap();
        }
        Rc::new(AppState::default()).reduce(Action::Loaded(journal))
    }

    fn write(offset: u64) -> Command {
        Command::Write {
            group: START_GROUP.into(),
            disk: START_DISK.into(),
            offset,
            data: WriteData::bytes(vec![1; 512]),
        }
    }

    #[test]
    fn a_command_changes_the_lab_only_once_committed() {
        let state = ready().reduce(Action::Submit(write(0)));
        assert!(state.busy());
        assert_eq!(
            state
                .lab()
                .find_disk(START_GROUP, START_DISK)
                .unwrap()
                .data
                .used_bytes(),
            0
        );
        let state = state.reduce(Action::Committed(1));
        assert!(!state.busy());
        assert_eq!(
            state
                .lab()
                .find_disk(START_GROUP, START_DISK)
                .unwrap()
                .data
                .used_bytes(),
            512
        );
        assert!(state
            .last_message
            .as_deref()
            .unwrap()
            .starts_with("wrote 512 B"));
    }

    #[test]
    fn commands_queue_behind_the_one_in_flight_and_run_in_order() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Submit(write(512)));
        assert_eq!(state.queue.len(), 1);
        let state = state.reduce(Action::Committed(1));
        assert_eq!(state.in_flight.as_ref().map(|(n, _)| *n), Some(2));
        let state = state.reduce(Action::Committed(2));
        assert_eq!(
            state
                .lab()
                .find_disk(START_GROUP, START_DISK)
                .unwrap()
                .data
                .used_bytes(),
            1024
        );
    }

    #[test]
    fn a_failed_commit_changes_nothing_and_says_quota() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Submit(write(512)));
        let state = state.reduce(Action::CommitFailed(1, "QuotaExceededError: full".into()));
        assert!(!state.busy());
        assert!(state.queue.is_empty());
        assert_eq!(
            state
                .lab()
                .find_disk(START_GROUP, START_DISK)
                .unwrap()
                .data
                .used_bytes(),
            0
        );
        let refusal = state.last_refusal.as_ref().unwrap();
        assert_eq!(refusal.code, "QuotaExceeded");
        assert!(refusal.message.contains("QuotaExceededError: full"));
        // A stale report for an operation no longer in flight is ignored.
        assert!(state
            .clone()
            .reduce(Action::Committed(1))
            .last_message
            .is_none());
    }

    #[test]
    fn a_notice_sent_while_operations_are_queued_shows_after_them() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Notice(Ok("demo done".into())));
        assert_eq!(state.last_message, None);
        let state = state.reduce(Action::Committed(1));
        assert_eq!(state.last_message.as_deref(), Some("demo done"));
    }

    #[test]
    fn a_refused_command_is_committed_and_shown() {
        let state = ready()
            .reduce(Action::Submit(write(7)))
            .reduce(Action::Committed(1));
        let refusal = state.last_refusal.as_ref().unwrap();
        assert_eq!(
            (refusal.code.as_str(), refusal.rule.as_deref()),
            ("InvalidPageRange", Some("A10"))
        );
        assert_eq!(
            state.lab().log().len(),
            3,
            "in the log, so a reload shows it again"
        );
    }
}
