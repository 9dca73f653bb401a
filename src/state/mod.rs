//! The app's state as a pure reducer (Yew's `Reducible`), made of
//! sub-states that each own their part of it and their reducer arms:
//!
//! | sub-state | file |
//! |---|---|
//! | the work queue and the work in flight (running or storing) | `work.rs` |
//! | the console transcript and the script running now | `transcript.rs` |
//! | messages, refusals and the notification list | `notices.rs` |
//! | the redo stack and the log before the checkpoint | `history.rs` |
//! | the console's command history (Up/Down), kept by the console itself | `recall.rs` |
//!
//! The lab lives in a [`Journal`]. Everything that changes the lab is
//! [`Work`], queued (see `work.rs`); commands, deployments and demos run
//! through the console's one execution point ([`snaplab_console::Runner`]:
//! lesson locks, recording) on a staged copy of the journal, and what they
//! store is one batch, stored by the storage service
//! (`services/lab_store.rs`). Only when it reports [`Action::Committed`]
//! does the staged journal become the lab, and [`AppState::revision`]
//! (which only grows) tell the views. A console script is run and stored
//! by the services layer (`services/script.rs`), which reports it once, as
//! [`Action::Ran`].

use std::collections::BTreeMap;
use std::rc::Rc;

use snaplab_console::{Line, Locks, Memory};
use snaplab_engine::cmd;
use snaplab_engine::store::Journal;
use snaplab_engine::{Command, Lab};
use yew::Reducible;

pub mod history;
pub mod notices;
pub mod recall;
pub mod transcript;
pub mod work;

mod testkit;

pub use history::History;
pub use notices::{Notices, Notification, Refusal, NOTIFICATIONS_KEPT};
pub use transcript::{RunView, Transcript, RUN_VIEW_LINES};
pub use work::{
    Flight, InFlight, Origin, Ran, Replacement, Reply, Running, StoreError, Storing, Work,
    WorkQueue,
};

/// The group and disk a new lab starts with.
pub const START_GROUP: &str = "rg-snaplab";
pub const START_LOCATION: &str = "westeurope";
pub const START_DISK: &str = "disk1";
pub const START_DISK_GIB: u64 = 32;

/// The commands that set up a new, empty lab.
pub fn starter_commands() -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: START_GROUP.into(),
            location: START_LOCATION.into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium(
            START_GROUP,
            START_DISK,
            START_DISK_GIB,
        )),
    ]
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

/// What other tabs did to this tab's database.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Elsewhere {
    /// Another tab changed the stored lab: this one reopens it as soon as
    /// nothing is in flight (the storage service watches this).
    pub stale: bool,
    /// Opening waits for another tab to close the database.
    pub blocked: bool,
    /// This tab let go of the database for another tab's upgrade or
    /// deletion (the failed phase then says so, not "could not be opened").
    pub let_go: bool,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub phase: Phase,
    pub journal: Journal,
    /// Grows by one each time the lab changes (a commit, a replacement): the
    /// key views compare, never the log's length (an import or a lesson
    /// start can leave the length as it was).
    pub revision: u64,
    pub work: WorkQueue,
    pub transcript: Transcript,
    pub notices: Notices,
    pub history: History,
    pub elsewhere: Elsewhere,
    pub storage: StorageFacts,
    /// The commands the lesson in progress disables.
    pub locks: Locks,
    /// Shell variables and functions, kept between console runs.
    pub memory: Memory,
    /// The console's "Show REST requests" toggle (off by default): each
    /// script starts with it (`Memory::show_requests`).
    pub show_requests: bool,
    /// A share link the user declined to open at once: kept, to open later.
    pub pending_share: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            phase: Phase::Loading,
            journal: Journal::default(),
            revision: 0,
            work: WorkQueue::default(),
            transcript: Transcript::default(),
            notices: Notices::default(),
            history: History::default(),
            elsewhere: Elsewhere::default(),
            storage: StorageFacts::default(),
            locks: Locks::none(),
            memory: Memory::default(),
            show_requests: false,
            pending_share: None,
        }
    }
}

// An action is made, moved into the reducer once and dropped: its size
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Action {
    /// The stored lab was read at start-up.
    Loaded(Journal),
    LoadFailed(String),
    /// The user asked for `Command` (a click).
    Submit(Command),
    /// Any other work: a script, a deployment, a lab replacement.
    Queue(Work),
    /// The in-flight work `n` is stored.
    Committed(u64),
    /// Storing work `n` failed: nothing changed.
    CommitFailed(u64, StoreError),
    Storage(StorageFacts),
    /// Shows a message (export done, import refused, …).
    Notice(Result<String, Refusal>),
    /// The lesson in progress changed: its locks apply from now on.
    SetLocks(Locks),
    /// Empties the console's transcript.
    ClearConsole,
    /// The console's "Show REST requests" toggle.
    ShowRequests(bool),
    /// Keeps (or, with `None`, forgets) a share link that was not opened.
    PendingShare(Option<String>),
    /// The running script `flight` paused: the lines it printed since its
    /// last pause, and how far it has got.
    Progress {
        flight: u64,
        new_lines: Vec<Line>,
        steps: usize,
        commands: usize,
    },
    /// The running script `n` ended and what it did is being stored.
    Saving(u64),
    /// The running script `n` ended, and what it did was stored (or not).
    Ran(u64, Ran),
    /// Stop the running script (the console's Stop button, Ctrl+C).
    Stop,
    /// Submits the newest undone operation again.
    Redo,
    /// Another tab stored a change to the lab (or a write here was refused
    /// because of one): reopen it when idle.
    ChangedElsewhere,
    /// The lab as stored now, reopened after another tab changed it.
    Followed(Journal),
    /// Opening the database waits for another tab to close it.
    OpenBlocked,
    /// This tab closed its connection for another tab's upgrade or
    /// deletion of the database: why, in words for the user.
    LetGo(String),
    /// The log before the checkpoint, as read from storage (its entries,
    /// the chunks they name and the lab id), or why it could not be read.
    OlderHistory(Result<Rc<BTreeMap<String, Vec<u8>>>, StoreError>),
    /// A view needs the older log (the History tab opened).
    WantOlder,
}

impl AppState {
    pub fn lab(&self) -> &Lab {
        self.journal.lab()
    }

    /// The log entries (1 to the returned number) the lab was opened
    /// without: the storage service reads them once the lab shows.
    pub fn wants_older(&self) -> Option<usize> {
        (self.phase == Phase::Ready)
            .then(|| self.history.wants_older(&self.journal))
            .flatten()
    }

    /// Is work in flight?
    pub fn busy(&self) -> bool {
        self.work.busy()
    }

    /// The older log arrived (or could not be read).
    fn older_read(&mut self, read: Result<Rc<BTreeMap<String, Vec<u8>>>, StoreError>) {
        let Some(base) = self.wants_older() else {
            return;
        };
        self.elsewhere.stale |= matches!(read, Err(StoreError::ChangedElsewhere(_)));
        let mut journal = self.journal.clone();
        let read = read.as_deref().map_err(|e| e.to_string());
        if self.history.attach_older(&mut journal, base, read).is_ok() {
            self.journal = journal;
            self.revision += 1;
        }
        self.settle();
    }

    /// Another tab's change, reopened here.
    fn followed(&mut self, journal: Journal) {
        self.elsewhere.stale = false;
        if self.phase == Phase::Ready {
            self.history.new_lineage();
            self.history.redo.clear();
            self.journal = journal;
            self.revision += 1;
            self.notices.notify(Ok(
                "The lab was changed in another tab or window: this tab now shows it.".into(),
            ));
            self.settle();
        }
    }

    fn loaded(&mut self, journal: Journal) {
        self.elsewhere.blocked = false;
        self.elsewhere.let_go = false;
        self.history.new_lineage();
        self.journal = journal;
        self.revision += 1;
        self.phase = Phase::Ready;
        self.start_next();
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded(journal) => next.loaded(journal),
            Action::LoadFailed(message) => {
                next.elsewhere.blocked = false;
                next.elsewhere.let_go = false;
                next.phase = Phase::Failed(message);
            }
            Action::OpenBlocked => next.elsewhere.blocked = true,
            Action::LetGo(message) => {
                next.elsewhere.let_go = true;
                next.phase = Phase::Failed(message);
            }
            Action::Submit(command) => next.queue(Work::Command(command)),
            Action::Queue(work) => next.queue(work),
            Action::Redo => {
                if let Some(command) = next.history.redo.pop() {
                    next.queue(Work::Command(command));
                }
            }
            Action::Committed(n) => next.committed(n),
            Action::CommitFailed(n, error) => next.commit_failed(n, error),
            Action::Progress {
                flight,
                new_lines,
                steps,
                commands,
            } => {
                if next.work.running(Some(flight)).is_some() {
                    next.transcript.progress(new_lines, steps, commands);
                }
            }
            Action::Saving(n) => {
                if next.work.running(Some(n)).is_some() {
                    next.transcript.set_saving();
                }
            }
            Action::Ran(n, ran) => next.ran(n, ran),
            Action::Stop => next.stop(),
            Action::ChangedElsewhere => next.elsewhere.stale = true,
            Action::Followed(journal) => next.followed(journal),
            Action::Storage(facts) => next.storage = facts,
            Action::Notice(notice) if next.busy() => next.notices.after_queue = Some(notice),
            Action::Notice(notice) => next.notices.show(notice),
            Action::SetLocks(locks) => next.locks = locks,
            Action::ClearConsole => next.transcript.clear(),
            Action::ShowRequests(on) => next.show_requests = on,
            Action::PendingShare(link) => next.pending_share = link,
            Action::WantOlder => next.history.older_wanted = true,
            Action::OlderHistory(read) => next.older_read(read),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use yew::Reducible;

    use super::testkit::*;
    use super::*;

    #[test]
    fn letting_go_for_another_tab_says_so_and_a_later_open_clears_it() {
        let waiting = Rc::new(AppState::default()).reduce(Action::OpenBlocked);
        assert!(waiting.elsewhere.blocked && waiting.phase == Phase::Loading);
        let state = ready().reduce(Action::LetGo("deleted elsewhere".into()));
        assert!(state.elsewhere.let_go);
        assert_eq!(state.phase, Phase::Failed("deleted elsewhere".into()));
        // Nothing more is queued for the closed database but a replacement.
        let state = state.reduce(Action::Submit(write(0)));
        assert!(!state.busy());
        let state = state.reduce(Action::LoadFailed("other".into()));
        assert!(
            !state.elsewhere.let_go,
            "a different failure has its own title"
        );
    }
}
