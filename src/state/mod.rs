//! The app's state as a pure reducer (Yew's `Reducible`), made of
//! sub-states that each own their part of it and their reducer arms:
//!
//! | sub-state | file |
//! |---|---|
//! | the work queue and the work in flight (running or storing) | `work.rs` |
//! | the console transcript and the script running now | `transcript.rs` |
//! | messages, refusals and the notification list | `notices.rs` |
//! | the redo stack and the log before the checkpoint | `history.rs` |
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
pub mod transcript;
pub mod work;

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
        Command::CreateDisk(cmd::CreateDisk {
            group: START_GROUP.into(),
            name: START_DISK.into(),
            location: None,
            sku: "Premium_LRS".into(),
            size_gib: START_DISK_GIB,
            logical_sector_size: 512,
            zone: None,
            iops: None,
            mbps: None,
        }),
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
            Action::PendingShare(link) => next.pending_share = link,
            Action::WantOlder => next.history.older_wanted = true,
            Action::OlderHistory(read) => next.older_read(read),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snaplab_console::Language;
    use snaplab_engine::WriteData;

    pub(super) fn ready() -> Rc<AppState> {
        let mut journal = Journal::default();
        for c in starter_commands() {
            let p = journal.prepare(c);
            journal.accept(&p).unwrap();
        }
        Rc::new(AppState::default()).reduce(Action::Loaded(journal))
    }

    pub(super) fn write(offset: u64) -> Command {
        Command::Write(cmd::Write {
            group: START_GROUP.into(),
            disk: START_DISK.into(),
            offset,
            data: WriteData::bytes(vec![1; 512]),
        })
    }

    /// A lab stored with a checkpoint after its last entry, opened as the
    /// app opens it (no log before the checkpoint yet), and its records.
    fn opened_from_checkpoint() -> (Rc<AppState>, Rc<BTreeMap<String, Vec<u8>>>) {
        let commands: Vec<Command> = starter_commands()
            .into_iter()
            .chain((0..5).map(|i| write(i * 512)))
            .collect();
        let (records, _) = snaplab_engine::store::records_for(commands).unwrap();
        let journal = Journal::open(&records).unwrap().journal;
        assert_eq!(journal.lab().log_base(), 7);
        let state = Rc::new(AppState::default()).reduce(Action::Loaded(journal));
        (state, Rc::new(records))
    }

    #[test]
    fn a_lab_opened_from_its_checkpoint_works_at_once_and_undo_waits_for_its_older_log() {
        let (state, records) = opened_from_checkpoint();
        assert_eq!(state.wants_older(), None, "not read until needed");
        // A click needs no older log; undo does, and waits for it.
        let state = state
            .reduce(Action::Submit(write(8192)))
            .reduce(Action::Queue(Work::Undo {
                notice: "Undone".into(),
            }))
            .reduce(Action::Committed(1));
        assert!(!state.busy());
        assert_eq!(state.work.waiting.len(), 1, "the undo waits");
        assert_eq!(state.wants_older(), Some(7), "and asks for the older log");
        assert_eq!((state.lab().operations(), state.lab().log_base()), (8, 7));
        let revision = state.revision;
        let state = state.reduce(Action::OlderHistory(Ok(records)));
        assert!(state.lab().has_whole_log());
        assert_eq!(state.lab().log().len(), 8);
        assert_eq!(state.wants_older(), None);
        assert_eq!(state.revision, revision + 1, "the history view redraws");
        assert!(state.busy(), "and the undo runs");
        let state = state.reduce(Action::Committed(2));
        assert_eq!(state.lab().operations(), 7);
        assert_eq!(used(&state), 5 * 512, "the click's write is undone");
    }

    #[test]
    fn a_commit_staged_before_the_older_log_came_gets_it_too() {
        let (state, records) = opened_from_checkpoint();
        let state = state.reduce(Action::WantOlder);
        assert_eq!(state.wants_older(), Some(7), "the History tab asks for it");
        let state = state
            .reduce(Action::Submit(write(8192)))
            .reduce(Action::OlderHistory(Ok(records)));
        assert!(state.busy());
        let state = state.reduce(Action::Committed(1));
        assert!(state.lab().has_whole_log());
        assert_eq!(state.lab().log().len(), 8);
    }

    #[test]
    fn an_older_log_that_cannot_be_read_refuses_undo_and_says_why() {
        let (state, _) = opened_from_checkpoint();
        let state = state
            .reduce(Action::WantOlder)
            .reduce(Action::OlderHistory(Err(StoreError::Failed(
                "UnknownError: disk".into(),
            ))))
            .reduce(Action::Queue(Work::Undo {
                notice: "Undone".into(),
            }));
        assert!(!state.busy() && state.work.waiting.is_empty());
        let refusal = state.notices.last_refusal.clone().unwrap();
        assert_eq!(refusal.code, "HistoryNotRead");
        assert!(
            refusal.message.contains("UnknownError: disk"),
            "{refusal:?}"
        );
        assert_eq!(state.wants_older(), None, "not asked for again");
        assert_eq!(state.lab().operations(), 7);
    }

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

    #[test]
    fn a_command_changes_the_lab_only_once_committed() {
        let state = ready().reduce(Action::Submit(write(0)));
        assert!(state.busy());
        assert_eq!(used(&state), 0);
        let state = state.reduce(Action::Committed(1));
        assert!(!state.busy());
        assert_eq!(used(&state), 512);
        assert!(state
            .notices
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
        assert_eq!(state.work.waiting.len(), 1);
        let state = state.reduce(Action::Committed(1));
        assert_eq!(state.work.in_flight.as_ref().map(|f| f.n), Some(2));
        let state = state.reduce(Action::Committed(2));
        assert_eq!(used(&state), 1024);
    }

    #[test]
    fn a_failed_commit_changes_nothing_and_says_quota() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Submit(write(512)));
        let state = state.reduce(Action::CommitFailed(
            1,
            StoreError::Quota("QuotaExceededError: full".into()),
        ));
        assert!(!state.busy());
        assert!(state.work.waiting.is_empty());
        assert_eq!(used(&state), 0);
        let refusal = state.notices.last_refusal.as_ref().unwrap();
        assert_eq!(refusal.code, "QuotaExceeded");
        assert!(refusal.message.contains("QuotaExceededError: full"));
        // A stale report for an operation no longer in flight is ignored.
        assert!(state
            .clone()
            .reduce(Action::Committed(1))
            .notices
            .last_message
            .is_none());
    }

    #[test]
    fn a_notice_sent_while_operations_are_queued_shows_after_them() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Notice(Ok("demo done".into())));
        assert_eq!(state.notices.last_message, None);
        let state = state.reduce(Action::Committed(1));
        assert_eq!(state.notices.last_message.as_deref(), Some("demo done"));
    }

    #[test]
    fn a_refused_command_is_committed_and_shown() {
        let state = ready()
            .reduce(Action::Submit(write(7)))
            .reduce(Action::Committed(1));
        let refusal = state.notices.last_refusal.as_ref().unwrap();
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

    fn script(text: &str) -> Action {
        Action::Queue(Work::Script {
            origin: Origin::Console,
            language: Language::Bash,
            script: text.into(),
        })
    }

    /// Runs the script in flight to its end as the services layer does
    /// (without pauses): says it is saving when it staged something, and
    /// returns the one report it sends once storing ended as `stored`.
    fn run_script(state: Rc<AppState>, stored: Result<(), StoreError>) -> (Rc<AppState>, Action) {
        let n = state.work.in_flight.as_ref().expect("a script in flight").n;
        let running = state.work.running(Some(n)).expect("a script");
        let mut ran = snaplab_console::pace::finish(crate::services::script::run(
            running,
            &mut snaplab_console::pace::Straight,
        ));
        let state = if ran.staged.count > 0 {
            ran.stored = stored;
            state.reduce(Action::Saving(n))
        } else {
            state
        };
        (state, Action::Ran(n, ran))
    }

    /// Runs the script in flight and stores what it did.
    fn finish_script(state: Rc<AppState>) -> Rc<AppState> {
        let (state, stored) = run_script(state, Ok(()));
        state.reduce(stored)
    }

    #[test]
    fn a_running_script_shows_its_newest_lines_and_stop_ends_it_keeping_what_ran() {
        let state = ready().reduce(script(
            "for i in $(seq 1 600); do sim write -g rg-snaplab --disk disk1 --offset $((i * 4096)) --length 512 --seed 1 -o none; echo wrote $i; done",
        ));
        let n = state.work.in_flight.as_ref().unwrap().n;
        let lines: Vec<Line> = (1..=450).map(|i| Line::Out(format!("wrote {i}"))).collect();
        let state = state.reduce(Action::Progress {
            flight: n,
            new_lines: lines,
            steps: 900,
            commands: 450,
        });
        let view = state.transcript.running.clone().unwrap();
        assert_eq!((view.lines, view.commands, view.steps), (450, 450, 900));
        assert_eq!(
            view.tail.len(),
            RUN_VIEW_LINES,
            "only the newest are kept on screen"
        );
        assert_eq!(view.tail.last(), Some(&Line::Out("wrote 450".into())));
        // A progress report for another flight is ignored.
        let state = state.reduce(Action::Progress {
            flight: n + 7,
            new_lines: vec![Line::Out("stray".into())],
            steps: 1,
            commands: 1,
        });
        assert_eq!(state.transcript.running.as_ref().unwrap().lines, 450);

        // Stop before it ran: the switch is seen at its first command.
        let state = state.reduce(Action::Stop);
        assert!(state.transcript.running.as_ref().unwrap().stopping);
        let state = finish_script(state);
        assert!(state.transcript.running.is_none());
        assert!(!state.busy(), "nothing ran, so nothing to store");
        assert_eq!(used(&state), 0);
        let last = state.transcript.lines.last().unwrap();
        assert!(
            matches!(last, Line::Err(l) if l.starts_with("^C")),
            "{last:?}"
        );
    }

    #[test]
    fn work_queued_behind_a_running_script_waits_for_it_and_its_commit() {
        let state = ready()
            .reduce(script(
                "sim write -g rg-snaplab --disk disk1 --offset 0 --length 4K --seed 1 -o none",
            ))
            .reduce(Action::Submit(write(8192)));
        assert_eq!(
            state.work.waiting.len(),
            1,
            "the click waits for the script"
        );
        let (state, stored) = run_script(state, Ok(()));
        assert_eq!(state.work.waiting.len(), 1, "and for its commit");
        let state = state.reduce(stored);
        assert!(state.busy() && state.work.waiting.is_empty());
        let state = state.reduce(Action::Committed(2));
        assert_eq!(used(&state), 4096 + 512);
    }

    pub(super) fn used(state: &AppState) -> u64 {
        state
            .lab()
            .find_disk(START_GROUP, START_DISK)
            .unwrap()
            .data
            .used_bytes()
    }

    #[test]
    fn a_script_is_one_commit_and_its_transcript_is_what_was_stored() {
        let start = ready();
        let revision = start.revision;
        let state = start.reduce(script(
            "d=disk1\nsim write -g rg-snaplab --disk $d --offset 0 --length 4K --seed 1 -o none\naz disk update -g rg-snaplab -n $d --size-gb 1\necho done",
        ));
        assert!(state.busy(), "one flight for the whole script");
        assert!(state.work.waiting.is_empty());
        assert!(
            state.transcript.lines.is_empty(),
            "nothing is shown before it is stored"
        );
        let (state, stored) = run_script(state, Ok(()));
        assert!(state.busy(), "now storing what it did");
        assert!(state.transcript.lines.is_empty());
        assert!(state.transcript.running.as_ref().unwrap().saving);
        let state = state.reduce(stored);
        assert!(!state.busy());
        assert_eq!(state.revision, revision + 1, "one change, one revision");
        assert_eq!(used(&state), 4096);
        let text: Vec<String> = state
            .transcript
            .lines
            .iter()
            .map(|l| format!("{l:?}"))
            .collect();
        assert!(text.iter().any(|l| l.contains("rule B7")), "{text:?}");
        assert!(text.iter().any(|l| l.contains("Out(\"done\")")), "{text:?}");
        // The console remembers $d for the next run.
        let state = finish_script(state.reduce(script(
            "sim write -g rg-snaplab --disk $d --offset 8K --length 4K --seed 1 -o none",
        )));
        assert_eq!(used(&state), 8192);
    }

    #[test]
    fn a_script_whose_commit_fails_says_so_in_the_console_and_changes_nothing() {
        let (state, stored) = run_script(
            ready().reduce(script(
                "sim write -g rg-snaplab --disk disk1 --offset 0 --length 4K --seed 1",
            )),
            Err(StoreError::Quota("QuotaExceededError".into())),
        );
        let state = state.reduce(stored);
        assert_eq!(used(&state), 0);
        let last = state.transcript.lines.last().unwrap();
        assert!(
            matches!(last, Line::Err(e) if e.contains("QuotaExceeded")),
            "{last:?}"
        );
    }

    #[test]
    fn a_read_only_script_stores_nothing_and_answers_at_once() {
        let state = finish_script(ready().reduce(script(
            "az disk show -g rg-snaplab -n disk1 --query diskSizeGB -o tsv",
        )));
        assert!(!state.busy());
        assert!(
            state.transcript.lines.contains(&Line::Out("32".into())),
            "{:?}",
            state.transcript.lines
        );
    }

    #[test]
    fn a_lab_that_could_not_be_opened_can_still_be_reset_and_nothing_else_runs_on_it() {
        let state = Rc::new(AppState::default())
            .reduce(Action::LoadFailed("The stored lab cannot be read".into()))
            .reduce(Action::Submit(write(0)));
        assert!(
            !state.busy(),
            "a click does not run on a lab that is not open"
        );
        let (records, journal) = snaplab_engine::store::records_for(starter_commands()).unwrap();
        let state = state.reduce(Action::Queue(Work::Replace(Rc::new(Replacement {
            records,
            journal,
            notice: "The lab was reset".into(),
            locks: None,
        }))));
        assert!(state.busy(), "the reset goes ahead of the stuck click");
        let n = state.work.in_flight.as_ref().unwrap().n;
        let state = state.reduce(Action::Committed(n));
        assert_eq!(state.phase, Phase::Ready);
        assert_eq!(state.lab().disks().count(), 1);
        assert_eq!(
            state.notices.last_message.as_deref(),
            Some("The lab was reset")
        );
    }

    #[test]
    fn a_lab_replacement_waits_for_the_commit_in_flight_and_later_work_runs_on_the_new_lab() {
        let (records, journal) = snaplab_engine::store::records_for(starter_commands()).unwrap();
        let replacement = Rc::new(Replacement {
            records,
            journal,
            notice: "replaced".into(),
            locks: None,
        });
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Queue(Work::Replace(replacement)))
            .reduce(Action::Submit(write(512)));
        assert_eq!(
            state.work.waiting.len(),
            2,
            "the replacement waits behind the write in flight"
        );
        let state = state.reduce(Action::Committed(1));
        assert!(matches!(
            &state.work.in_flight,
            Some(InFlight { n: 2, flight: Flight::Storing(s) }) if matches!(**s, Storing::Replace(_))
        ));
        assert_eq!(
            used(&state),
            512,
            "the first write landed before the replacement"
        );
        let revision = state.revision;
        let state = state.reduce(Action::Committed(2));
        assert_eq!(state.revision, revision + 1);
        assert_eq!(used(&state), 0, "the replaced lab has no writes");
        assert_eq!(
            state.lab().log().len(),
            2,
            "the same log length as a fresh lab: only the revision tells views it changed"
        );
        let state = state.reduce(Action::Committed(3));
        assert_eq!(used(&state), 512, "the write after it ran on the new lab");
    }

    #[test]
    fn a_locked_command_is_refused_before_anything_is_stored() {
        let locks = Locks::from_entries(&["sim write".into()]).unwrap();
        let state = ready()
            .reduce(Action::SetLocks(locks))
            .reduce(Action::Submit(write(0)));
        assert!(!state.busy());
        assert_eq!(
            state.notices.last_refusal.as_ref().unwrap().code,
            "DisabledInLesson"
        );
        assert_eq!(state.lab().log().len(), 2, "not even logged");
    }
}

#[cfg(test)]
mod history_tests {
    use super::tests::{ready, used, write};
    use super::*;

    #[test]
    fn undo_keeps_what_it_undid_for_redo_and_redo_submits_it_again() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Committed(1))
            .reduce(Action::Queue(Work::Undo {
                notice: "Undone".into(),
            }));
        assert_eq!(state.history.redo, vec![write(0)], "the undone write");
        let state = state.reduce(Action::Committed(2));
        assert_eq!(used(&state), 0);
        let state = state.reduce(Action::Redo).reduce(Action::Committed(3));
        assert!(state.history.redo.is_empty());
        assert_eq!(used(&state), 512, "redone");
        // Nothing to redo: nothing queued.
        assert!(!state.reduce(Action::Redo).busy());
    }

    #[test]
    fn continuing_from_an_earlier_point_or_another_lab_forgets_what_was_undone() {
        let undone = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Committed(1))
            .reduce(Action::Queue(Work::Undo {
                notice: "Undone".into(),
            }))
            .reduce(Action::Committed(2));
        assert_eq!(undone.history.redo.len(), 1);
        let forked = undone.clone().reduce(Action::Queue(Work::Rewind {
            to: 1,
            notice: "forked".into(),
        }));
        assert!(forked.history.redo.is_empty());
        let (records, journal) = snaplab_engine::store::records_for(starter_commands()).unwrap();
        let replaced = undone.reduce(Action::Queue(Work::Replace(Rc::new(Replacement {
            records,
            journal,
            notice: "reset".into(),
            locks: None,
        }))));
        assert!(replaced.history.redo.is_empty());
    }
}

#[cfg(test)]
mod store_error_tests {
    use super::tests::{ready, write};
    use super::*;

    #[test]
    fn a_write_refused_because_another_tab_wrote_first_follows_that_tab_and_a_full_quota_does_not()
    {
        let refused = |error: StoreError| {
            ready()
                .reduce(Action::Submit(write(0)))
                .reduce(Action::CommitFailed(1, error))
        };
        let changed = refused(StoreError::ChangedElsewhere(
            "LabChangedInAnotherTab".into(),
        ));
        assert!(changed.elsewhere.stale, "reopens the lab when idle");
        assert_eq!(
            changed
                .notices
                .last_refusal
                .as_ref()
                .map(|r| r.code.as_str()),
            Some("QuotaExceeded"),
            "said as before: the storage refusal"
        );
        assert!(
            !refused(StoreError::Quota("QuotaExceededError".into()))
                .elsewhere
                .stale
        );
        assert!(
            !refused(StoreError::Failed("UnknownError".into()))
                .elsewhere
                .stale
        );
    }

    #[test]
    fn an_older_log_refused_because_the_lab_was_replaced_elsewhere_follows_it() {
        let (records, _) = snaplab_engine::store::records_for(
            starter_commands()
                .into_iter()
                .chain((0..5).map(|i| write(i * 512)))
                .collect::<Vec<Command>>(),
        )
        .unwrap();
        let journal = Journal::open(&records).unwrap().journal;
        let state = Rc::new(AppState::default())
            .reduce(Action::Loaded(journal))
            .reduce(Action::WantOlder)
            .reduce(Action::OlderHistory(Err(StoreError::ChangedElsewhere(
                "replaced".into(),
            ))));
        assert!(state.elsewhere.stale);
        assert_eq!(state.history.older_failed.as_deref(), Some("replaced"));
    }
}
