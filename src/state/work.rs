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
                let (n, last) = (log.len(), log.last().cloned());
                let undone = self.rewind(n.saturating_sub(1), notice);
                // What is undone can be redone (only if it was).
                if let (Ok(_), Some(last)) = (&undone, last) {
                    self.history.redo.push(last);
                }
                undone
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
                    memory: {
                        let mut memory = self.memory.clone();
                        memory.show_requests = self.show_requests;
                        memory
                    },
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

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use snaplab_console::Line;
    use yew::Reducible;

    use super::super::testkit::*;
    use super::super::*;

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
}
