//! The native lab file, kept as safely as a database file: one writer at a
//! time (an advisory lock held from open to the end of the save), saves
//! that leave the old lab or the new one and never half of one, temporary
//! files no one can plant or guess, symlinks followed, FIFOs and read-only
//! files refused before anything runs, and failures reported with what the
//! file was found to hold. The engine's `state_file` decides *what* to
//! write (a frame to append, or the file anew); this module writes it.
//!
//! | concept | file |
//! |---|---|
//! | the file operations behind a trait (real, or faulty in tests) | `io.rs` |
//! | one writer: the lock, waiting, a name renamed over while waiting | `lock.rs` |
//! | the name: symlinks followed, FIFOs, devices and read-only files refused | `path.rs` |
//! | open under the lock, save (append or rewrite), truthful failures, leftovers | `save.rs` |

mod io;
mod lock;
mod path;
mod save;
pub mod seal;

pub use io::{FileId, LabIo, Reader, RealIo};
pub use lock::{LabLock, LockError, Wait};
pub use path::{resolve_for_reading, resolve_for_writing};
pub use save::{FileHolds, OpenLab, SaveError, Saved};
