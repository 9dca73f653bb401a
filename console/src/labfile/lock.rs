//! One writer per lab file, as SQLite has one writer per database: a run
//! takes the file's exclusive advisory lock when it opens the lab and keeps
//! it until its save is on disk; `snaplab serve` holds the same lock.
//!
//! The lock is on the lab file itself, not on a companion `.lock` file
//! (which would be one more file beside every lab, and one that a user who
//! copies or deletes the lab forgets). The catch: a rewrite renames a new
//! file over the name, so a run that was waiting on the old file gets its
//! lock on a file that is no longer the lab. After locking, a run therefore
//! checks that the name still leads to the file it locked (device and
//! inode), and if not, opens the name again and waits for that file's lock.
//! A rewriting run locks its new file before renaming it into place, so the
//! file at the name is locked by it until its save is done.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::io::LabIo;

/// What to do when another run holds the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Refuse at once (`--no-wait`).
    No,
    /// Wait at most this long (`--wait-timeout`).
    UpTo(Duration),
}

/// Why the lab could not be locked.
#[derive(Debug)]
pub enum LockError {
    /// Another run holds it (with [`Wait::No`]).
    Busy,
    /// Another run held it for the whole wait.
    TimedOut(Duration),
    /// Opening, creating or locking the file failed.
    Io(std::io::Error),
}

/// The lab file, open and exclusively locked until this is dropped.
pub struct LabLock<'io, I: LabIo> {
    io: &'io I,
    path: PathBuf,
    file: I::File,
    /// Did this run create the (empty) file?
    created: bool,
    /// When the lock was taken: temporaries older than this are leftovers.
    pub since: std::time::SystemTime,
}

/// How often a waiting run tries the lock again.
const POLL: Duration = Duration::from_millis(5);

impl<'io, I: LabIo> LabLock<'io, I> {
    /// Opens `path` (creating it empty, exclusively, if nothing is there:
    /// two runs starting a new lab must not both write one) and locks it.
    /// `waiting` is called once if the lab is busy and this run waits.
    pub fn acquire(
        io: &'io I,
        path: &Path,
        wait: Wait,
        mut waiting: impl FnMut(),
    ) -> Result<Self, LockError> {
        let started = Instant::now();
        let mut told = false;
        loop {
            let (file, created) = match io.open(path) {
                Ok(file) => (file, false),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    match io.create_new(path, None) {
                        Ok(file) => (file, true),
                        // Another run created it first: open that one.
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                        Err(e) => return Err(LockError::Io(e)),
                    }
                }
                Err(e) => return Err(LockError::Io(e)),
            };
            while !io.try_lock(&file).map_err(LockError::Io)? {
                match wait {
                    Wait::No => return Err(LockError::Busy),
                    Wait::UpTo(limit) if started.elapsed() >= limit => {
                        return Err(LockError::TimedOut(limit))
                    }
                    Wait::UpTo(_) => {}
                }
                if !told {
                    waiting();
                    told = true;
                }
                std::thread::sleep(POLL);
            }
            // Locked: is it still the lab, or was a new file renamed over it
            // while this run waited?
            let here = io.id(&file).map_err(LockError::Io)?;
            if io.id_at(path).map_err(LockError::Io)? == Some(here) {
                return Ok(LabLock {
                    io,
                    path: path.to_path_buf(),
                    file,
                    created,
                    since: std::time::SystemTime::now(),
                });
            }
            io.unlock(&file);
        }
    }

    /// The lab file's (resolved) name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open, locked lab file.
    pub fn file(&self) -> &I::File {
        &self.file
    }

    pub fn io(&self) -> &'io I {
        self.io
    }

    /// Did this run create the lab file (it was not there)?
    pub fn created(&self) -> bool {
        self.created
    }

    /// After a rewrite renamed `file` (already locked) over the name: hold
    /// that one from now on, and let the old one go.
    pub(crate) fn adopt(&mut self, file: I::File) {
        let old = std::mem::replace(&mut self.file, file);
        self.io.unlock(&old);
    }
}

impl<I: LabIo> Drop for LabLock<'_, I> {
    fn drop(&mut self) {
        self.io.unlock(&self.file);
    }
}
