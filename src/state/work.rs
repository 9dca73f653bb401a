//! The work queue: everything that changes the lab waits here, in the order
//! it was asked for, behind the one piece of work in flight, so each runs
//! against the lab its predecessors left and nothing lands in a lab that
//! was replaced meanwhile.
//!
//! Work in flight is either [`Flight::Running`] (a console script: the
//! services layer runs it and then stores what it did) or
//! [`Flight::Storing`] (a click's, a deployment's or a demo's batch, staged
//! here through the console's runner, or a whole new lab). Only when the
//! storage service says it is stored does the staged journal become the lab.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use snaplab_console::{Console, Language, Line, Locks, Memory, Staged};
use snaplab_engine::store::{Batch, Journal};
use snaplab_engine::{Command, EngineError};

use super::notices::Refusal;
use super::{AppState, Phase};

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
    /// The lab without its newest operation, when this work's turn comes
    /// (the operation goes on the redo stack).
    Undo { notice: String },
    /// A lab made elsewhere: a lesson's start, an import, a share link, a reset.
    Replace(Rc<Replacement>),
}

/// Why the storage service could not store (or read) the lab. Nothing
/// was stored; the lab is as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Another tab changed or replaced the stored lab since this one
    /// opened it (its text says so, for the user).
    ChangedElsewhere(String),
    /// The browser's storage for the site is full.
    Quota(String),
    /// Anything else the browser reported.
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::ChangedElsewhere(text)
            | StoreError::Quota(text)
            | StoreError::Failed(text) => f.write_str(text),
        }
    }
}

/// A console script about to run (or running): what it runs against, and
/// its Stop switch. The services layer runs it.
#[derive(Debug)]
pub struct Running {
    pub origin: Origin,
    pub language: Language,
    pub script: String,
    /// The lab as the script found it, and the console's memory.
    pub journal: Journal,
    pub memory: Memory,
    pub locks: Locks,
    /// Set by Stop; the script ends before its next command.
    pub stop: Rc<std::cell::Cell<bool>>,
}

impl Running {
    /// The script as typed, each line after its prompt.
    pub fn echo(&self) -> Vec<Line> {
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

/// A script that ended (or was stopped): what it staged and printed, and
/// how storing that went (`Ok` too when it staged nothing).
#[derive(Debug)]
pub struct Ran {
    pub staged: Staged,
    pub memory: Memory,
    pub lines: Vec<Line>,
    pub stored: Result<(), StoreError>,
}

/// What is being stored.
// Held in an `Rc` while in flight, so the big variant is never copied.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Storing {
    /// The batch of a click, deployment or demo, and the journal as it will
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

/// The work in flight (shared: states are copied on every action).
#[derive(Debug, Clone)]
pub enum Flight {
    Running(Rc<Running>),
    Storing(Rc<Storing>),
}

/// The work in flight and its number (the key its reports carry).
#[derive(Debug, Clone)]
pub struct InFlight {
    pub n: u64,
    pub flight: Flight,
}

/// What a piece of work says once it is stored.
#[derive(Debug, Clone)]
pub enum Reply {
    Notice(Result<String, Refusal>),
    NoticeTo(Origin, Result<String, Refusal>),
    Lines(Origin, Vec<Line>),
    Deployed(Result<String, String>),
}

/// The queue and the work in flight.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    pub waiting: VecDeque<Work>,
    pub in_flight: Option<InFlight>,
    next: u64,
}

impl Default for WorkQueue {
    fn default() -> Self {
        WorkQueue {
            waiting: VecDeque::new(),
            in_flight: None,
            next: 1,
        }
    }
}

impl WorkQueue {
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Puts `flight` in flight under a new number.
    fn launch(&mut self, flight: Flight) {
        self.in_flight = Some(InFlight {
            n: self.next,
            flight,
        });
        self.next += 1;
    }

    /// Takes flight `n` if it is being stored (a stale report is ignored).
    fn take_storing(&mut self, n: u64) -> Option<Rc<Storing>> {
        match self.in_flight.take() {
            Some(InFlight {
                n: id,
                flight: Flight::Storing(storing),
            }) if id == n => Some(storing),
            other => {
                self.in_flight = other;
                None
            }
        }
    }

    /// Takes flight `n` if it is a running script.
    fn take_running(&mut self, n: u64) -> Option<Rc<Running>> {
        match self.in_flight.take() {
            Some(InFlight {
                n: id,
                flight: Flight::Running(running),
            }) if id == n => Some(running),
            other => {
                self.in_flight = other;
                None
            }
        }
    }

    /// The running script, if flight `n` is one (`None` for any `n`).
    pub fn running(&self, n: Option<u64>) -> Option<&Running> {
        match &self.in_flight {
            Some(InFlight {
                n: id,
                flight: Flight::Running(running),
            }) if n.is_none_or(|n| n == *id) => Some(running),
            _ => None,
        }
    }
}

/// The queue's reducer arms.
impl AppState {
    pub(super) fn queue(&mut self, work: Work) {
        if !self.busy() && self.work.waiting.is_empty() {
            self.notices.clear_last();
        }
        self.work.waiting.push_back(work);
        self.start_next();
    }

    /// After work is done: the next queued work starts, and a notice held
    /// back while the queue ran is shown.
    pub(super) fn settle(&mut self) {
        self.start_next();
        if !self.busy() {
            self.notices.release();
        }
    }

    pub(super) fn start_next(&mut self) {
        while !self.busy() {
            // A lab that could not be opened can still be replaced (reset,
            // import, a link): that needs nothing of the lab it replaces.
            // Other work was meant for a lab that is not there: dropped.
            if matches!(self.phase, Phase::Failed(_)) {
                self.work.waiting.retain(|w| matches!(w, Work::Replace(_)));
            }
            let runnable = matches!(
                (&self.phase, self.work.waiting.front()),
                (Phase::Ready, Some(_)) | (Phase::Failed(_), Some(Work::Replace(_)))
            );
            // Undo and time travel go back through the whole log: they wait
            // for the part before the checkpoint (read just after opening).
            let needs_older = matches!(
                self.work.waiting.front(),
                Some(Work::Undo { .. } | Work::Rewind { .. })
            ) && !self.lab().has_whole_log();
            if needs_older {
                if let Some(why) = self.history.older_failed.clone() {
                    self.work.waiting.pop_front();
                    self.notices.show(Err(Refusal {
                        code: "HistoryNotRead".into(),
                        message: format!("The lab's earlier history could not be read ({why}); undo and time travel need it. Reload the page to try again."),
                        rule: None,
                    }));
                    continue;
                }
                self.history.older_wanted = true;
                return;
            }
            if !runnable {
                return;
            }
            let Some(work) = self.work.waiting.pop_front() else {
                return;
            };
            if let Some(flight) = self.stage(work) {
                if matches!(flight, Flight::Running(_)) {
                    self.transcript.running = Some(Default::default());
                }
                self.work.launch(flight);
            }
        }
    }

    /// Stages `work`: what to put in flight, or `None` when nothing needs
    /// storing (a command a lesson locks, a refused rewind), its reply
    /// shown at once.
    fn stage(&mut self, work: Work) -> Option<Flight> {
        let replacement = match work {
            // Another lab: what was undone in this one is not redone there.
            Work::Replace(replacement) => {
                self.history.redo.clear();
                Ok(replacement)
            }
            Work::Rewind { to, notice } => {
                self.history.redo.clear();
                self.rewind(to, notice)
            }
            Work::Undo { notice } => {
                let log = self.journal.lab().log();
                let n = log.len();
                if let Some(last) = log.last().cloned() {
                    self.history.redo.push(last);
                }
                self.rewind(n.saturating_sub(1), notice)
            }
            Work::Script {
                origin,
                language,
                script,
            } => {
                return Some(Flight::Running(Rc::new(Running {
                    origin,
                    language,
                    script,
                    journal: self.journal.clone(),
                    memory: self.memory.clone(),
                    locks: self.locks.clone(),
                    stop: Rc::default(),
                })))
            }
            Work::Command(c) => return self.stage_on_console(|con| command_reply(con, None, c)),
            Work::CommandFrom(origin, c) => {
                return self.stage_on_console(|con| command_reply(con, Some(origin), c))
            }
            Work::Deploy {
                group,
                template,
                parameters,
            } => {
                return self
                    .stage_on_console(|con| deploy_reply(con, &group, &template, &parameters))
            }
            Work::Demo { script, success } => {
                return self.stage_on_console(|con| demo_reply(con, &script, success))
            }
        };
        match replacement {
            Ok(r) => Some(Flight::Storing(Rc::new(Storing::Replace(r)))),
            Err(e) => {
                self.notices.show(Err(Refusal::from(&e)));
                None
            }
        }
    }

    /// The lab after the first `to` operations of the log.
    fn rewind(&self, to: usize, notice: String) -> Result<Rc<Replacement>, EngineError> {
        let log: Vec<Command> = self.journal.lab().log().take(to).cloned().collect();
        snaplab_engine::store::records_for(log).map(|(records, journal)| {
            Rc::new(Replacement {
                records,
                journal,
                notice,
                locks: None,
            })
        })
    }

    /// Runs `run` on a console over a staged copy of the journal (its
    /// runner applies the lesson's locks and records what is stored).
    fn stage_on_console(
        &mut self,
        run: impl FnOnce(&mut Console<Staged>) -> Reply,
    ) -> Option<Flight> {
        let mut console =
            Console::with_memory(Staged::new(self.journal.clone()), self.memory.clone());
        console.locks = self.locks.clone();
        let reply = run(&mut console);
        let (staged, memory, _) = console.into_parts();
        self.commit(staged, memory, reply)
            .map(|storing| Flight::Storing(Rc::new(storing)))
    }

    /// What to store after `staged` ran, or `None` (its reply shown at
    /// once) when nothing reached the lab, which is then as it was.
    fn commit(&mut self, staged: Staged, memory: Memory, reply: Reply) -> Option<Storing> {
        if staged.count == 0 {
            self.memory = memory;
            self.reply(reply);
            return None;
        }
        Some(Storing::Commit {
            batch: staged.batch,
            before_entries: self.journal.entries(),
            after: staged.journal,
            memory,
            reply,
        })
    }

    pub(super) fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Notice(notice) => self.notices.show(notice),
            Reply::NoticeTo(Origin::Wizard, notice) => self.notices.to_wizard(notice),
            Reply::NoticeTo(_, notice) => self.notices.show(notice),
            Reply::Lines(origin, lines) => self.transcript.reply(origin, lines),
            Reply::Deployed(result) => self.notices.deployed = Some(result),
        }
    }

    /// Flight `n` is stored: its lab becomes the lab.
    pub(super) fn committed(&mut self, n: u64) {
        let Some(storing) = self.work.take_storing(n) else {
            return;
        };
        self.transcript.running = None;
        match &*storing {
            Storing::Commit {
                after,
                memory,
                reply,
                ..
            } => {
                self.journal = self.history.with_older(after.clone());
                self.memory = memory.clone();
                self.reply(reply.clone());
            }
            Storing::Replace(replacement) => {
                self.history.new_lineage();
                self.journal = replacement.journal.clone();
                // A replaced lab opens, whatever the old one was.
                self.phase = Phase::Ready;
                if let Some(locks) = &replacement.locks {
                    self.locks = locks.clone();
                }
                self.notices.show(Ok(replacement.notice.clone()));
            }
        }
        self.revision += 1;
        self.settle();
    }

    /// Storing flight `n` failed: nothing changed.
    pub(super) fn commit_failed(&mut self, n: u64, error: StoreError) {
        let Some(storing) = self.work.take_storing(n) else {
            return;
        };
        let lines = match &*storing {
            Storing::Commit {
                reply: Reply::Lines(origin, lines),
                ..
            } => Some((*origin, lines.clone())),
            _ => None,
        };
        self.store_failed(error, lines);
    }

    /// Work was not stored: say so (in the console too, where a script was
    /// typed), and drop what was queued behind it, which was meant for the
    /// lab it would have made. Refused because another tab wrote first: follow it.
    fn store_failed(&mut self, error: StoreError, lines: Option<(Origin, Vec<Line>)>) {
        self.elsewhere.stale |= matches!(error, StoreError::ChangedElsewhere(_));
        self.transcript.running = None;
        let refusal = Refusal::from(&EngineError::StorageFailed {
            detail: error.to_string(),
        });
        if let Some((origin, mut lines)) = lines {
            lines.push(Line::Err(format!(
                "ERROR: ({}) {}",
                refusal.code, refusal.message
            )));
            self.transcript.reply(origin, lines);
        }
        self.notices.show(Err(refusal));
        self.work.waiting.clear();
    }

    /// The script in flight as `n` ended and what it did was stored (or not).
    pub(super) fn ran(&mut self, n: u64, ran: Ran) {
        let Some(script) = self.work.take_running(n) else {
            return;
        };
        let mut lines = script.echo();
        lines.extend(ran.lines);
        if let Err(error) = ran.stored {
            return self.store_failed(error, Some((script.origin, lines)));
        }
        self.transcript.running = None;
        self.memory = ran.memory;
        if ran.staged.count > 0 {
            self.journal = self.history.with_older(ran.staged.journal);
            self.revision += 1;
        }
        self.transcript.reply(script.origin, lines);
        self.settle();
    }

    /// Stop the running script: the one shared switch it reads.
    pub(super) fn stop(&mut self) {
        if let Some(script) = self.work.running(None) {
            script.stop.set(true);
            self.transcript.set_stopping();
        }
    }
}

fn command_reply(console: &mut Console<Staged>, origin: Option<Origin>, command: Command) -> Reply {
    let result = console.execute(command).map_err(|e| Refusal::from(&e));
    match origin {
        Some(origin) => Reply::NoticeTo(origin, result),
        None => Reply::Notice(result),
    }
}

fn deploy_reply(
    console: &mut Console<Staged>,
    group: &str,
    template: &str,
    parameters: &BTreeMap<String, String>,
) -> Reply {
    Reply::Deployed(match console.deploy(group, template, parameters) {
        Ok(v) => Ok(serde_json::to_string_pretty(&v).unwrap_or_default()),
        Err(snaplab_console::az::Failure::Refused(e)) => Err(format!("({}) {e}", e.code())),
        Err(other) => Err(other.printed().0.trim_end().to_string()),
    })
}

fn demo_reply(console: &mut Console<Staged>, script: &str, success: String) -> Reply {
    let t = console.run(script);
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
