//! A lesson locks commands by what a user types ("az disk create"): every
//! kind of operation must be lockable that way, and a locked command is
//! refused before it reaches the lab, whichever way it is built.

use snaplab_console::Locks;
use snaplab_engine::{cmd, testkit, Command, EngineError, Kind};

#[test]
fn locking_each_kinds_own_command_locks_that_kind() {
    for kind in Kind::ALL {
        let locks = Locks::from_entries(&[kind.az().to_string()]).unwrap();
        assert!(
            locks.is_locked(kind),
            "'{}' leaves {kind:?} open",
            kind.az()
        );
    }
}

#[test]
fn a_locked_command_is_refused_with_its_az_name() {
    let locks = Locks::from_entries(&["az disk create".to_string()]).unwrap();
    let create = Command::from(cmd::CreateDisk::premium("rg", "d", 4));
    assert_eq!(
        locks.check(&create),
        Err(EngineError::DisabledInLesson {
            command: "az disk create"
        })
    );
    assert_eq!(locks.check(&testkit::group("rg")), Ok(()));
}
