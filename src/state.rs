//! The app's state as a pure reducer (Yew's `Reducible`).
//!
//! The lab lives in a [`Journal`]. Everything that changes the lab is
//! [`Work`]: a click (a [`Command`]), a console script, a template
//! deployment, or a replacement of the whole lab (undo, redo, fork, import,
//! reset, starting a lesson, opening a share link). Work waits in one queue
//! behind the commit in flight, so each piece runs against the lab its
//! predecessors left and nothing lands in a lab that was replaced meanwhile.
//!
//! Commands, scripts and deployments run through the console's one
//! execution point ([`snaplab_console::Runner`]: lesson locks, recording) on
//! a staged copy of the journal; what they store is one batch, committed in
//! one transaction by the storage service (`services/lab_store.rs`). Only
//! when it reports [`Action::Committed`] does the staged journal become the
//! lab, and [`AppState::revision`] (which only grows) tell the views.
//!
//! A console script is the one piece of work that takes long enough to be
//! seen running: it is [`Flight::Run`] first (the services layer runs it,
//! pausing so the page draws its output, and Stop ends it) and becomes a
//! commit once it ends.

use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use snaplab_console::pace::{Go, Pacer, Pause, Progress};
use snaplab_console::{Console, Language, Line, Locks, Memory, Staged};
use snaplab_engine::cmd;
use snaplab_engine::store::{Batch, Journal};
use snaplab_engine::{Command, EngineError, Lab, Log};
use yew::Reducible;

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

/// Where a piece of work came from, so its output goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The console panel: its transcript.
    Console,
    /// Presenter mode's step player: its last step.
    Presenter,
    /// The portal's Create snapshot dialog: it stays open on a refusal.
    Wizard,
}

/// One entry of the notification list (the portal's bell).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Counts up; the newest is the highest.
    pub serial: u64,
    pub result: Result<String, Refusal>,
}

/// How many notifications are kept.
pub const NOTIFICATIONS_KEPT: usize = 50;

/// A lab that replaces the stored one: the records to store and the journal
/// they open to (made by `records_for`, `import` or a fresh lab).
#[derive(Debug)]
pub struct Replacement {
    pub records: BTreeMap<String, Vec<u8>>,
    pub journal: Journal,
    /// What to say once it is stored ("Lesson started", "Undone").
    pub notice: String,
    /// Locks that come with it (a lesson's), or `None` to keep the current ones.
    pub locks: Option<Locks>,
}

/// Everything that changes the lab, in the order it was asked for.
#[derive(Debug, Clone)]
pub enum Work {
    /// A click in the UI.
    Command(Command),
    /// A click whose result goes back to where it came from (a dialog).
    CommandFrom(Origin, Command),
    /// A script typed or pasted into a console (or played by the presenter).
    Script {
        origin: Origin,
        language: Language,
        script: String,
    },
    /// The custom-template blade.
    Deploy {
        group: String,
        template: String,
        parameters: BTreeMap<String, String>,
    },
    /// A demo script whose success is told as `success`.
    Demo { script: String, success: String },
    /// The lab after the first `to` operations of the log as it is when this
    /// work's turn comes (time travel, "continue from here": the future forks).
    Rewind { to: usize, notice: String },
    /// The lab without its newest operation, when this work's turn comes.
    Undo { notice: String },
    /// A lab made elsewhere: a lesson's start, an import, a share link, a reset.
    Replace(Rc<Replacement>),
}

/// A console script, running: what it runs against, and its Stop switch.
#[derive(Debug)]
pub struct Running {
    pub origin: Origin,
    pub language: Language,
    pub script: String,
    /// The lab as the script found it, and the console's memory.
    pub journal: Journal,
    pub memory: Memory,
    pub locks: Locks,
    /// Set by [`Action::Stop`]; the script ends before its next command.
    pub stop: Rc<Cell<bool>>,
}

/// A script that ended (or was stopped): what it staged and printed.
#[derive(Debug)]
pub struct Ran {
    pub staged: Staged,
    pub memory: Memory,
    pub lines: Vec<Line>,
}

impl Running {
    /// Runs the script on a staged copy of the journal, through the
    /// console's one execution point; `pacer` decides when it pauses.
    /// Stop is honoured at every command, whatever the pacer.
    pub async fn run(&self, pacer: &mut dyn Pacer) -> Ran {
        let mut console =
            Console::with_memory(Staged::new(self.journal.clone()), self.memory.clone());
        console.locks = self.locks.clone();
        let mut pacer = Stoppable {
            stop: self.stop.clone(),
            inner: pacer,
        };
        let transcript = console
            .run_paced(self.language, &self.script, &mut pacer)
            .await;
        let (staged, memory, _) = console.into_parts();
        Ran {
            staged,
            memory,
            lines: transcript.lines,
        }
    }

    /// The script as typed, each line after its prompt.
    fn echo(&self) -> Vec<Line> {
        let prompt = if self.language == Language::Bash {
            "$"
        } else {
            "PS>"
        };
        self.script
            .lines()
            .map(|l| Line::Out(format!("{prompt} {l}")))
            .collect()
    }
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

/// What the console shows of a script while it runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunView {
    /// The newest lines, at most [`RUN_VIEW_LINES`] (all of them come at the end).
    pub tail: Vec<Line>,
    pub lines: usize,
    pub steps: usize,
    pub commands: usize,
    /// Stop was pressed; the script ends at its next command.
    pub stopping: bool,
    /// It ended; what it did is being stored (its transcript shows then).
    pub saving: bool,
}

/// Lines of a running script the console keeps on screen.
pub const RUN_VIEW_LINES: usize = 400;

/// What is being stored (or, for a script, run) now.
// Held in an `Rc` while in flight, so the big variant is never copied.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Flight {
    /// A console script, running; it becomes a [`Flight::Commit`] when it ends.
    Run(Running),
    /// The batch of a click, script or deployment, and the journal as it will
    /// be once the batch is stored.
    Commit {
        batch: Batch,
        /// Log entries the stored lab has before this batch: the fence
        /// that refuses it if another tab has written meanwhile.
        before_entries: usize,
        after: Journal,
        memory: Memory,
        reply: Reply,
    },
    /// A whole new lab.
    Replace(Rc<Replacement>),
}

/// What a piece of work says once it is stored.
#[derive(Debug, Clone)]
pub enum Reply {
    Notice(Result<String, Refusal>),
    NoticeTo(Origin, Result<String, Refusal>),
    Lines(Origin, Vec<Line>),
    Deployed(Result<String, String>),
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub phase: Phase,
    pub journal: Journal,
    /// Grows by one each time the lab changes (a commit, a replacement): the
    /// key views compare, never the log's length (an import or a lesson
    /// start can leave the length as it was).
    pub revision: u64,
    /// The work being stored, with its number.
    pub in_flight: Option<(u64, Rc<Flight>)>,
    pub next_flight: u64,
    pub queue: VecDeque<Work>,
    pub last_refusal: Option<Refusal>,
    pub last_message: Option<String>,
    /// A notice sent while operations were queued: shown once they are done,
    /// so it is not hidden by their own messages.
    pub notice_after_queue: Option<Result<String, Refusal>>,
    pub storage: StorageFacts,
    /// The commands the lesson in progress disables.
    pub locks: Locks,
    /// Shell variables and functions, kept between console runs.
    pub memory: Memory,
    /// The console's transcript (shared: it can be long, and states are
    /// copied on every action) and the presenter's last step.
    pub console_lines: Rc<Vec<Line>>,
    /// The script running now, as the console shows it.
    pub running: Option<RunView>,
    pub presenter_lines: Vec<Line>,
    /// The template blade's last result.
    pub deployed: Option<Result<String, String>>,
    /// The Create snapshot dialog's last result, numbered so the dialog
    /// knows a new one came.
    pub wizard_reply: Option<(u64, Result<String, Refusal>)>,
    /// Every message shown, newest last, for the notification list.
    pub notifications: Vec<Notification>,
    pub next_notification: u64,
    /// A share link the user declined to open at once: kept, to open later.
    pub pending_share: Option<String>,
    /// Another tab changed the stored lab: this one reopens it as soon as
    /// nothing is in flight (the storage service watches this).
    pub stale: bool,
    /// Opening waits for another tab to close the database.
    pub blocked: bool,
    /// This tab let go of the database for another tab's upgrade or
    /// deletion (the failed phase then says so, not "could not be opened").
    pub let_go: bool,
    /// The log before the checkpoint the lab was opened from, once read
    /// (the lab shows before it is): attached to each later journal of the
    /// same lab, which was staged without it.
    pub older: Option<Log>,
    /// Reading that older log failed: why (it is not asked for again).
    pub older_failed: Option<String>,
    /// Counts the labs opened or replaced: the key of "read its older log".
    pub lineage: u64,
    /// Something needs the older log (the History tab, undo, time travel):
    /// it is read only then, so a long lab opens without holding it.
    pub older_wanted: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            phase: Phase::Loading,
            journal: Journal::default(),
            revision: 0,
            in_flight: None,
            next_flight: 1,
            queue: VecDeque::new(),
            last_refusal: None,
            last_message: None,
            notice_after_queue: None,
            storage: StorageFacts::default(),
            locks: Locks::none(),
            memory: Memory::default(),
            console_lines: Rc::default(),
            running: None,
            presenter_lines: Vec::new(),
            deployed: None,
            wizard_reply: None,
            notifications: Vec::new(),
            next_notification: 1,
            pending_share: None,
            stale: false,
            blocked: false,
            let_go: false,
            older: None,
            older_failed: None,
            lineage: 0,
            older_wanted: false,
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
    CommitFailed(u64, String),
    Storage(StorageFacts),
    /// Shows a message (export done, import refused, …).
    Notice(Result<String, Refusal>),
    /// The lesson in progress changed: its locks apply from now on.
    SetLocks(Locks),
    /// Empties the console's transcript.
    ClearConsole,
    /// Keeps (or, with `None`, forgets) a share link that was not opened.
    PendingShare(Option<String>),
    /// The running script `n` paused: the lines it printed since its last
    /// pause, and how far it has got.
    Progress {
        flight: u64,
        new_lines: Vec<Line>,
        steps: usize,
        commands: usize,
    },
    /// The running script `n` ended: store what it did.
    Ran(u64, Ran),
    /// Stop the running script (the console's Stop button, Ctrl+C).
    Stop,
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
    OlderHistory(Result<Rc<BTreeMap<String, Vec<u8>>>, String>),
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
        let base = self.lab().log_base();
        (self.phase == Phase::Ready && base > 0 && self.older_wanted && self.older_failed.is_none())
            .then_some(base)
    }

    /// A journal staged before the older log was read gets it too.
    fn with_older(&self, mut journal: Journal) -> Journal {
        if let Some(older) = &self.older {
            if !journal.lab().has_whole_log() {
                journal.attach_older_log(older.clone());
            }
        }
        journal
    }

    /// A new lab (or the same one reopened): the older log read before
    /// belongs to what it replaced.
    fn new_lineage(&mut self) {
        self.older = None;
        self.older_failed = None;
        self.older_wanted = false;
        self.lineage += 1;
    }

    /// Is work being stored?
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    fn show(&mut self, notice: Result<String, Refusal>) {
        self.notify(notice.clone());
        match notice {
            Ok(message) => {
                self.last_message = Some(message);
                self.last_refusal = None;
            }
            Err(refusal) => {
                self.last_refusal = Some(refusal);
                self.last_message = None;
            }
        }
    }

    /// Adds to the notification list only (the message is shown elsewhere).
    fn notify(&mut self, notice: Result<String, Refusal>) {
        self.notifications.push(Notification {
            serial: self.next_notification,
            result: notice.clone(),
        });
        self.next_notification += 1;
        if self.notifications.len() > NOTIFICATIONS_KEPT {
            self.notifications.remove(0);
        }
    }

    fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Notice(notice) => self.show(notice),
            Reply::NoticeTo(Origin::Wizard, notice) => {
                let n = self.wizard_reply.as_ref().map_or(1, |(n, _)| n + 1);
                self.wizard_reply = Some((n, notice.clone()));
                match notice {
                    // A success closes the dialog: say it beside the disk.
                    Ok(_) => self.show(notice),
                    // A refusal is shown in the dialog itself; listed too.
                    Err(_) => self.notify(notice),
                }
            }
            Reply::NoticeTo(_, notice) => self.show(notice),
            Reply::Lines(Origin::Console, lines) => {
                Rc::make_mut(&mut self.console_lines).extend(lines)
            }
            Reply::Lines(Origin::Presenter, lines) => self.presenter_lines = lines,
            Reply::Lines(Origin::Wizard, _) => {}
            Reply::Deployed(result) => self.deployed = Some(result),
        }
    }

    /// Runs `work` against a staged copy of the journal, through the
    /// console's runner. Returns what to store, or `None` when nothing needs
    /// storing (a read-only script, a command a lesson locks), in which case
    /// its reply is shown at once.
    fn stage(&mut self, work: Work) -> Option<Flight> {
        let rewind = |journal: &Journal, to: usize, notice: String| {
            let log: Vec<Command> = journal.lab().log().take(to).cloned().collect();
            snaplab_engine::store::records_for(log).map(|(records, journal)| {
                Rc::new(Replacement {
                    records,
                    journal,
                    notice,
                    locks: None,
                })
            })
        };
        let replacement = match work {
            Work::Replace(replacement) => Ok(replacement),
            Work::Rewind { to, notice } => rewind(&self.journal, to, notice),
            Work::Undo { notice } => {
                let n = self.journal.lab().log().len();
                rewind(&self.journal, n.saturating_sub(1), notice)
            }
            other => return self.stage_commands(other),
        };
        match replacement {
            Ok(r) => Some(Flight::Replace(r)),
            Err(e) => {
                self.show(Err(Refusal::from(&e)));
                None
            }
        }
    }

    fn stage_commands(&mut self, work: Work) -> Option<Flight> {
        let mut console =
            Console::with_memory(Staged::new(self.journal.clone()), self.memory.clone());
        console.locks = self.locks.clone();
        let reply = match work {
            Work::Command(command) => {
                Reply::Notice(console.execute(command).map_err(|e| Refusal::from(&e)))
            }
            Work::CommandFrom(origin, command) => Reply::NoticeTo(
                origin,
                console.execute(command).map_err(|e| Refusal::from(&e)),
            ),
            Work::Script {
                origin,
                language,
                script,
            } => {
                return Some(Flight::Run(Running {
                    origin,
                    language,
                    script,
                    journal: self.journal.clone(),
                    memory: self.memory.clone(),
                    locks: self.locks.clone(),
                    stop: Rc::default(),
                }))
            }
            Work::Deploy {
                group,
                template,
                parameters,
            } => Reply::Deployed(match console.deploy(&group, &template, &parameters) {
                Ok(v) => Ok(serde_json::to_string_pretty(&v).unwrap_or_default()),
                Err(snaplab_console::az::Failure::Refused(e)) => Err(format!("({}) {e}", e.code())),
                Err(other) => Err(other.printed().0.trim_end().to_string()),
            }),
            Work::Demo { script, success } => {
                let t = console.run(&script);
                Reply::Notice(if t.status == 0 {
                    Ok(success)
                } else {
                    Err(Refusal {
                        code: "DemoFailed".into(),
                        message: t.stderr(),
                        rule: None,
                    })
                })
            }
            Work::Replace(_) | Work::Rewind { .. } | Work::Undo { .. } => {
                unreachable!("staged as replacements")
            }
        };
        let (staged, memory, _) = console.into_parts();
        self.commit(staged, memory, reply)
    }

    /// What to store after `staged` ran, or `None` (its reply shown at
    /// once) when nothing reached the lab, which is then as it was.
    fn commit(&mut self, staged: Staged, memory: Memory, reply: Reply) -> Option<Flight> {
        if staged.count == 0 {
            self.memory = memory;
            self.reply(reply);
            return None;
        }
        Some(Flight::Commit {
            batch: staged.batch,
            before_entries: self.journal.entries(),
            after: staged.journal,
            memory,
            reply,
        })
    }

    /// After work is done: the next queued work starts, and a notice held
    /// back while the queue ran is shown.
    fn settle(&mut self) {
        self.start_next();
        if !self.busy() {
            if let Some(notice) = self.notice_after_queue.take() {
                self.show(notice);
            }
        }
    }

    /// Puts `flight` in flight under a new number.
    fn launch(&mut self, flight: Flight) {
        self.in_flight = Some((self.next_flight, Rc::new(flight)));
        self.next_flight += 1;
    }

    fn start_next(&mut self) {
        while self.in_flight.is_none() {
            // A lab that could not be opened can still be replaced (reset,
            // import, a link): that needs nothing of the lab it replaces.
            // Other work was meant for a lab that is not there: dropped.
            if matches!(self.phase, Phase::Failed(_)) {
                self.queue.retain(|w| matches!(w, Work::Replace(_)));
            }
            let runnable = matches!(
                (&self.phase, self.queue.front()),
                (Phase::Ready, Some(_)) | (Phase::Failed(_), Some(Work::Replace(_)))
            );
            // Undo and time travel go back through the whole log: they wait
            // for the part before the checkpoint (read just after opening).
            let needs_older = matches!(
                self.queue.front(),
                Some(Work::Undo { .. } | Work::Rewind { .. })
            ) && !self.lab().has_whole_log();
            if needs_older {
                if let Some(why) = self.older_failed.clone() {
                    self.queue.pop_front();
                    self.show(Err(Refusal {
                        code: "HistoryNotRead".into(),
                        message: format!("The lab's earlier history could not be read ({why}); undo and time travel need it. Reload the page to try again."),
                        rule: None,
                    }));
                    continue;
                }
                self.older_wanted = true;
                return;
            }
            if !runnable {
                return;
            }
            let Some(work) = self.queue.pop_front() else {
                return;
            };
            if let Some(flight) = self.stage(work) {
                if matches!(flight, Flight::Run(_)) {
                    self.running = Some(RunView::default());
                }
                self.launch(flight);
            }
        }
    }

    fn queue(&mut self, work: Work) {
        // A new action clears what the last one said: old success notices
        // never sit next to a new refusal.
        if !self.busy() && self.queue.is_empty() {
            self.last_message = None;
            self.last_refusal = None;
        }
        self.queue.push_back(work);
        self.start_next();
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded(journal) => {
                next.blocked = false;
                next.let_go = false;
                next.new_lineage();
                next.journal = journal;
                next.revision += 1;
                next.phase = Phase::Ready;
                next.start_next();
            }
            Action::LoadFailed(message) => {
                next.blocked = false;
                next.let_go = false;
                next.phase = Phase::Failed(message);
            }
            Action::OpenBlocked => next.blocked = true,
            Action::LetGo(message) => {
                next.let_go = true;
                next.phase = Phase::Failed(message);
            }
            Action::Submit(command) => next.queue(Work::Command(command)),
            Action::Queue(work) => next.queue(work),
            Action::Committed(n) => {
                let stored =
                    |(id, f): &mut (u64, Rc<Flight>)| *id == n && !matches!(**f, Flight::Run(_));
                if let Some((_, flight)) = next.in_flight.take_if(stored) {
                    next.running = None;
                    match &*flight {
                        Flight::Commit {
                            after,
                            memory,
                            reply,
                            ..
                        } => {
                            next.journal = next.with_older(after.clone());
                            next.memory = memory.clone();
                            next.reply(reply.clone());
                        }
                        Flight::Replace(replacement) => {
                            next.new_lineage();
                            next.journal = replacement.journal.clone();
                            // A replaced lab opens, whatever the old one was.
                            next.phase = Phase::Ready;
                            if let Some(locks) = &replacement.locks {
                                next.locks = locks.clone();
                            }
                            next.show(Ok(replacement.notice.clone()));
                        }
                        Flight::Run(_) => unreachable!("a running script is not stored"),
                    }
                    next.revision += 1;
                    next.settle();
                }
            }
            Action::Progress {
                flight,
                new_lines,
                steps,
                commands,
            } => {
                if next.in_flight.as_ref().is_some_and(|(id, _)| *id == flight) {
                    if let Some(view) = &mut next.running {
                        view.lines += new_lines.len();
                        view.tail.extend(new_lines);
                        let excess = view.tail.len().saturating_sub(RUN_VIEW_LINES);
                        view.tail.drain(..excess);
                        view.steps = steps;
                        view.commands = commands;
                    }
                }
            }
            Action::Ran(n, ran) => {
                let running =
                    |(id, f): &mut (u64, Rc<Flight>)| *id == n && matches!(**f, Flight::Run(_));
                if let Some((_, flight)) = next.in_flight.take_if(running) {
                    let Flight::Run(script) = &*flight else {
                        unreachable!("taken only when running")
                    };
                    let mut lines = script.echo();
                    lines.extend(ran.lines);
                    let reply = Reply::Lines(script.origin, lines);
                    match next.commit(ran.staged, ran.memory, reply) {
                        Some(commit) => {
                            if let Some(view) = &mut next.running {
                                view.saving = true;
                            }
                            next.launch(commit);
                        }
                        None => {
                            next.running = None;
                            next.settle();
                        }
                    }
                }
            }
            Action::Stop => {
                if let Some((_, flight)) = &next.in_flight {
                    if let Flight::Run(script) = &**flight {
                        // The one shared switch the running script reads.
                        script.stop.set(true);
                        if let Some(view) = &mut next.running {
                            view.stopping = true;
                        }
                    }
                }
            }
            Action::ChangedElsewhere => next.stale = true,
            Action::Followed(journal) => {
                next.stale = false;
                if next.phase == Phase::Ready {
                    next.new_lineage();
                    next.journal = journal;
                    next.revision += 1;
                    next.notify(Ok(
                        "The lab was changed in another tab or window: this tab now shows it."
                            .into(),
                    ));
                    next.settle();
                }
            }
            Action::CommitFailed(n, message) => {
                if let Some((_, flight)) = next.in_flight.take_if(|(id, _)| *id == n) {
                    // Refused because another tab wrote first: follow it.
                    next.stale |= message.starts_with("LabChangedInAnotherTab");
                    next.running = None;
                    let err = EngineError::StorageFailed { detail: message };
                    let refusal = Refusal::from(&err);
                    // The console says so where the script was typed.
                    if let Flight::Commit {
                        reply: Reply::Lines(origin, lines),
                        ..
                    } = &*flight
                    {
                        let mut lines = lines.clone();
                        lines.push(Line::Err(format!(
                            "ERROR: ({}) {}",
                            refusal.code, refusal.message
                        )));
                        next.reply(Reply::Lines(*origin, lines));
                    }
                    next.show(Err(refusal));
                    // What was queued behind it was meant for the lab it would have made.
                    next.queue.clear();
                }
            }
            Action::Storage(facts) => next.storage = facts,
            Action::Notice(notice) if next.busy() => next.notice_after_queue = Some(notice),
            Action::Notice(notice) => next.show(notice),
            Action::SetLocks(locks) => next.locks = locks,
            Action::ClearConsole => next.console_lines = Rc::default(),
            Action::PendingShare(link) => next.pending_share = link,
            Action::WantOlder => next.older_wanted = true,
            Action::OlderHistory(read) => {
                if let Some(base) = next.wants_older() {
                    let mut journal = next.journal.clone();
                    match read.map_err(|e| e.to_string()).and_then(|records| {
                        journal.attach_older(&records).map_err(|e| e.to_string())
                    }) {
                        Ok(()) => {
                            next.older = journal.older_log(base);
                            next.journal = journal;
                            next.revision += 1;
                            next.settle();
                        }
                        Err(why) => {
                            next.stale |= why.starts_with("LabChangedInAnotherTab");
                            next.older_failed = Some(why);
                            next.settle();
                        }
                    }
                }
            }
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
        assert_eq!(state.queue.len(), 1, "the undo waits");
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
            .reduce(Action::OlderHistory(Err("UnknownError: disk".into())))
            .reduce(Action::Queue(Work::Undo {
                notice: "Undone".into(),
            }));
        assert!(!state.busy() && state.queue.is_empty());
        let refusal = state.last_refusal.clone().unwrap();
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
        assert!(waiting.blocked && waiting.phase == Phase::Loading);
        let state = ready().reduce(Action::LetGo("deleted elsewhere".into()));
        assert!(state.let_go);
        assert_eq!(state.phase, Phase::Failed("deleted elsewhere".into()));
        // Nothing more is queued for the closed database but a replacement.
        let state = state.reduce(Action::Submit(write(0)));
        assert!(!state.busy());
        let state = state.reduce(Action::LoadFailed("other".into()));
        assert!(!state.let_go, "a different failure has its own title");
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
        assert_eq!(used(&state), 1024);
    }

    #[test]
    fn a_failed_commit_changes_nothing_and_says_quota() {
        let state = ready()
            .reduce(Action::Submit(write(0)))
            .reduce(Action::Submit(write(512)));
        let state = state.reduce(Action::CommitFailed(1, "QuotaExceededError: full".into()));
        assert!(!state.busy());
        assert!(state.queue.is_empty());
        assert_eq!(used(&state), 0);
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

    fn script(text: &str) -> Action {
        Action::Queue(Work::Script {
            origin: Origin::Console,
            language: Language::Bash,
            script: text.into(),
        })
    }

    /// Runs the script in flight to its end, as the services layer does
    /// (without pauses), and reports it.
    fn run_script(state: Rc<AppState>) -> Rc<AppState> {
        let (n, flight) = state.in_flight.clone().expect("a script in flight");
        let Flight::Run(running) = &*flight else {
            panic!("not a script: {flight:?}")
        };
        let ran = snaplab_console::pace::finish(running.run(&mut snaplab_console::pace::Straight));
        state.reduce(Action::Ran(n, ran))
    }

    #[test]
    fn a_running_script_shows_its_newest_lines_and_stop_ends_it_keeping_what_ran() {
        let state = ready().reduce(script(
            "for i in $(seq 1 600); do sim write -g rg-snaplab --disk disk1 --offset $((i * 4096)) --length 512 --seed 1 -o none; echo wrote $i; done",
        ));
        let (n, _) = state.in_flight.clone().unwrap();
        let lines: Vec<Line> = (1..=450).map(|i| Line::Out(format!("wrote {i}"))).collect();
        let state = state.reduce(Action::Progress {
            flight: n,
            new_lines: lines,
            steps: 900,
            commands: 450,
        });
        let view = state.running.clone().unwrap();
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
        assert_eq!(state.running.as_ref().unwrap().lines, 450);

        // Stop before it ran: the switch is seen at its first command.
        let state = state.reduce(Action::Stop);
        assert!(state.running.as_ref().unwrap().stopping);
        let state = run_script(state);
        assert!(state.running.is_none());
        assert!(!state.busy(), "nothing ran, so nothing to store");
        assert_eq!(used(&state), 0);
        let last = state.console_lines.last().unwrap();
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
        assert_eq!(state.queue.len(), 1, "the click waits for the script");
        let state = run_script(state);
        assert_eq!(state.queue.len(), 1, "and for its commit");
        let state = state.reduce(Action::Committed(2));
        assert!(state.busy() && state.queue.is_empty());
        let state = state.reduce(Action::Committed(3));
        assert_eq!(used(&state), 4096 + 512);
    }

    fn used(state: &AppState) -> u64 {
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
        assert!(state.queue.is_empty());
        assert!(
            state.console_lines.is_empty(),
            "nothing is shown before it is stored"
        );
        let state = run_script(state);
        assert!(state.busy(), "now storing what it did");
        assert!(state.console_lines.is_empty());
        assert!(state.running.as_ref().unwrap().saving);
        let state = state.reduce(Action::Committed(2));
        assert!(!state.busy());
        assert_eq!(state.revision, revision + 1, "one change, one revision");
        assert_eq!(used(&state), 4096);
        let text: Vec<String> = state
            .console_lines
            .iter()
            .map(|l| format!("{l:?}"))
            .collect();
        assert!(text.iter().any(|l| l.contains("rule B7")), "{text:?}");
        assert!(text.iter().any(|l| l.contains("Out(\"done\")")), "{text:?}");
        // The console remembers $d for the next run.
        let state = run_script(state.reduce(script(
            "sim write -g rg-snaplab --disk $d --offset 8K --length 4K --seed 1 -o none",
        )))
        .reduce(Action::Committed(4));
        assert_eq!(used(&state), 8192);
    }

    #[test]
    fn a_script_whose_commit_fails_says_so_in_the_console_and_changes_nothing() {
        let state = run_script(ready().reduce(script(
            "sim write -g rg-snaplab --disk disk1 --offset 0 --length 4K --seed 1",
        )))
        .reduce(Action::CommitFailed(2, "QuotaExceededError".into()));
        assert_eq!(used(&state), 0);
        let last = state.console_lines.last().unwrap();
        assert!(
            matches!(last, Line::Err(e) if e.contains("QuotaExceeded")),
            "{last:?}"
        );
    }

    #[test]
    fn a_read_only_script_stores_nothing_and_answers_at_once() {
        let state = run_script(ready().reduce(script(
            "az disk show -g rg-snaplab -n disk1 --query diskSizeGB -o tsv",
        )));
        assert!(!state.busy());
        assert!(
            state.console_lines.contains(&Line::Out("32".into())),
            "{:?}",
            state.console_lines
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
        let (n, _) = state.in_flight.clone().unwrap();
        let state = state.reduce(Action::Committed(n));
        assert_eq!(state.phase, Phase::Ready);
        assert_eq!(state.lab().disks().count(), 1);
        assert_eq!(state.last_message.as_deref(), Some("The lab was reset"));
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
            state.queue.len(),
            2,
            "the replacement waits behind the write in flight"
        );
        let state = state.reduce(Action::Committed(1));
        assert!(matches!(&state.in_flight, Some((2, f)) if matches!(**f, Flight::Replace(_))));
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
            state.last_refusal.as_ref().unwrap().code,
            "DisabledInLesson"
        );
        assert_eq!(state.lab().log().len(), 2, "not even logged");
    }
}
