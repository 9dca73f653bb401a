//! Fixtures of the state's tests: a ready lab, its starter disk's writes,
//! a lab opened from its checkpoint, and scripts run as the services layer
//! runs them.

#![cfg(test)]

use std::collections::BTreeMap;
use std::rc::Rc;

use snaplab_console::Language;
use snaplab_engine::store::Journal;
use snaplab_engine::{cmd, Command, WriteData};
use yew::Reducible;

use super::*;

pub fn ready() -> Rc<AppState> {
    let mut journal = Journal::default();
    for c in starter_commands() {
        let p = journal.prepare(c);
        journal.accept(&p).unwrap();
    }
    Rc::new(AppState::default()).reduce(Action::Loaded(journal))
}

pub fn write(offset: u64) -> Command {
    Command::Write(cmd::Write {
        group: START_GROUP.into(),
        disk: START_DISK.into(),
        offset,
        data: WriteData::bytes(vec![1; 512]),
    })
}

/// A lab stored with a checkpoint after its last entry, opened as the
/// app opens it (no log before the checkpoint yet), and its records.
pub fn opened_from_checkpoint() -> (Rc<AppState>, Rc<BTreeMap<String, Vec<u8>>>) {
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

pub fn script(text: &str) -> Action {
    Action::Queue(Work::Script {
        origin: Origin::Console,
        language: Language::Bash,
        script: text.into(),
    })
}

/// Runs the script in flight to its end as the services layer does
/// (without pauses): says it is saving when it staged something, and
/// returns the one report it sends once storing ended as `stored`.
pub fn run_script(state: Rc<AppState>, stored: Result<(), StoreError>) -> (Rc<AppState>, Action) {
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
pub fn finish_script(state: Rc<AppState>) -> Rc<AppState> {
    let (state, stored) = run_script(state, Ok(()));
    state.reduce(stored)
}

pub fn used(state: &AppState) -> u64 {
    state
        .lab()
        .find_disk(START_GROUP, START_DISK)
        .unwrap()
        .data
        .used_bytes()
}
