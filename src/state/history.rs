//! The lab's history as the app holds it: the redo stack (here, not in the
//! History tab, so switching tabs keeps it) and the log before the
//! checkpoint a lab was opened from, read only when something needs it.

use std::collections::BTreeMap;

use snaplab_engine::store::Journal;
use snaplab_engine::{Command, Log};

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Undone operations, the newest undone last: Redo submits it again.
    pub redo: Vec<Command>,
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

impl History {
    /// The log entries (1 to the returned number) `journal`'s lab was opened
    /// without, when something wants them and they can still be read.
    pub fn wants_older(&self, journal: &Journal) -> Option<usize> {
        let base = journal.lab().log_base();
        (base > 0 && self.older_wanted && self.older_failed.is_none()).then_some(base)
    }

    /// A journal staged before the older log was read gets it too.
    pub fn with_older(&self, mut journal: Journal) -> Journal {
        if let Some(older) = &self.older {
            if !journal.lab().has_whole_log() {
                journal.attach_older_log(older.clone());
            }
        }
        journal
    }

    /// A new lab (or the same one reopened): the older log read before
    /// belongs to what it replaced.
    pub fn new_lineage(&mut self) {
        self.older = None;
        self.older_failed = None;
        self.older_wanted = false;
        self.lineage += 1;
    }

    /// Attaches the older log as read (its records) to `journal`; or says
    /// why it could not be (then it is not asked for again).
    pub fn attach_older(
        &mut self,
        journal: &mut Journal,
        base: usize,
        read: Result<&BTreeMap<String, Vec<u8>>, String>,
    ) -> Result<(), String> {
        let attached =
            read.and_then(|records| journal.attach_older(records).map_err(|e| e.to_string()));
        match &attached {
            Ok(()) => self.older = journal.older_log(base),
            Err(why) => self.older_failed = Some(why.clone()),
        }
        attached
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use yew::Reducible;

    use super::super::testkit::*;
    use super::super::*;

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
