//! A lab opened from its file under the lock, and saved back through the
//! file it opened (never by reopening the name): an append flushed in
//! place, or a rewrite into a fresh temporary renamed over the lab.
//! A failure is reported with what the file holds afterwards, read back
//! from it, not with what the code hoped.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use snaplab_engine::state_file::{self, Loaded, Save, StateSession};

use super::io::{LabIo, Reader};
use super::lock::{LabLock, LockError, Wait};

/// A lab open for a run: its file locked, its session, what was read.
pub struct OpenLab<'io, I: LabIo> {
    pub lock: LabLock<'io, I>,
    pub session: StateSession,
    loaded: Option<Loaded>,
    /// The lab as it was opened: after a failed save, the file holds this
    /// one or the new one, and the message says which.
    before: Fingerprint,
    /// Things the user should hear about (a torn last save passed over).
    pub warnings: Vec<String>,
}

/// How a save went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Nothing,
    Appended(u64),
    Rewritten(u64),
}

/// What the file holds after a save that failed, as read back from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileHolds {
    /// This run's lab: the change was saved (perhaps not yet durably).
    New,
    /// The lab as it was before the run.
    Previous,
    /// It could not be read back, or holds something else.
    Unknown,
}

/// A save that failed: the message, and what the file was found to hold.
#[derive(Debug)]
pub struct SaveError {
    pub message: String,
    pub holds: FileHolds,
}

/// What identifies a lab's state well enough to tell the lab before a
/// run from the lab after it: every run's commands go into the log.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    operations: usize,
    snapshots: Vec<String>,
}

fn fingerprint(session: &StateSession) -> Fingerprint {
    let lab = session.lab();
    Fingerprint {
        operations: lab.operations(),
        snapshots: lab.snapshots().map(|s| s.unique_id.clone()).collect(),
    }
}

/// The part of a temporary file's name after the lab's own name: how
/// leftovers of killed runs are recognised (and only those are removed).
const TEMP_MARK: &str = ".snaplab-tmp-";

fn temp_prefix(path: &Path) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(path.file_name().unwrap_or_else(|| "lab".as_ref()));
    prefix.push(TEMP_MARK);
    prefix
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A name no one can guess ahead (so no one can plant a link there; the
/// exclusive create refuses one anyway): std's per-process random hash keys.
fn unpredictable() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

impl<'io, I: LabIo> OpenLab<'io, I> {
    /// Locks the lab file at `path` (already resolved: see
    /// [`super::resolve_for_writing`]) and opens the lab it holds; an empty
    /// or new file is a new lab. Leftover temporaries are removed here,
    /// under the lock, so no running save can own them.
    pub fn open(
        io: &'io I,
        path: &Path,
        wait: Wait,
        waiting: impl FnMut(),
    ) -> Result<Self, String> {
        let lock = LabLock::acquire(io, path, wait, waiting).map_err(|e| lock_message(path, e))?;
        remove_leftovers(&lock);
        let reader = Reader {
            io,
            file: lock.file(),
        };
        let size = io
            .size(lock.file())
            .map_err(|e| format!("{}: {e} (nothing was run)", path.display()))?;
        let (session, loaded) = state_file::open(
            (size > 0).then_some(&reader),
            Some(super::seal::installation_key()),
        )
        .map_err(|e| refused(path, &e))?;
        let mut warnings = Vec::new();
        if let Some(loaded) = loaded.as_ref().filter(|l| l.ignored > 0) {
            warnings.push(format!(
                "WARNING: {}: its last {} bytes are a save that did not finish (or were damaged) and were passed over: the lab is as the save before it left it.",
                path.display(), loaded.ignored
            ));
        }
        // What opening found and worked around (a checkpoint that does not
        // match the log, so the log was replayed): said, never silent.
        warnings.extend(
            session
                .warnings()
                .iter()
                .map(|w| format!("WARNING: {}: {w}", path.display())),
        );
        Ok(OpenLab {
            lock,
            before: fingerprint(&session),
            session,
            loaded,
            warnings,
        })
    }

    /// Saves what the run changed, through the locked file, and returns
    /// only once it is flushed to disk.
    pub fn save(&mut self) -> Result<Saved, SaveError> {
        let io = self.lock.io();
        let size = io.size(self.lock.file()).unwrap_or(0);
        let reader = Reader {
            io,
            file: self.lock.file(),
        };
        let plan = state_file::save(
            &mut self.session,
            self.loaded.as_ref(),
            (size > 0 && self.loaded.is_some()).then_some(&reader),
        )
        .map_err(|e| SaveError {
            message: format!(
                "saving {}: ({}) {e}; nothing was written: the file holds the lab as it was before this run",
                self.lock.path().display(),
                e.code()
            ),
            holds: FileHolds::Previous,
        })?;
        let result = match plan {
            Save::Nothing => return Ok(Saved::Nothing),
            Save::Append { at, bytes } => self
                .append(at, &bytes)
                .map(|()| Saved::Appended(bytes.len() as u64)),
            Save::Rewrite(bytes) => self
                .rewrite(&bytes)
                .map(|()| Saved::Rewritten(bytes.len() as u64)),
        };
        result.map_err(|(step, e)| self.failed(step, e))
    }

    /// Writes the frame at the file's whole end, cuts off what a crashed
    /// run may have left after it, and flushes: until the flush, a crash
    /// leaves a torn frame that the next open passes over.
    fn append(&mut self, at: u64, bytes: &[u8]) -> Result<(), (&'static str, std::io::Error)> {
        let (io, file) = (self.lock.io(), self.lock.file());
        if let Err(e) = io.write_at(file, at, bytes) {
            // Best effort: the part written fails its checks anyway.
            let _ = io.set_len(file, at);
            return Err(("writing the new frame", e));
        }
        io.set_len(file, at + bytes.len() as u64)
            .map_err(|e| ("cutting off what followed the new frame", e))?;
        io.sync(file).map_err(|e| ("flushing it to disk", e))?;
        // The name too: if an earlier save's rename was never flushed (its
        // folder flush failed), a power cut could otherwise bring back the
        // file from before it. Cheap when the folder has nothing to flush.
        io.sync_dir(&folder_of(self.lock.path()))
            .map_err(|e| ("flushing the folder to disk", e))
    }

    /// Replaces the lab with `bytes` so that a crash, a full disk or a kill
    /// at any moment leaves the old file or the new one, never half of one:
    /// a new temporary (exclusive, unguessable name, the lab's permissions)
    /// in the same folder, flushed, locked, renamed over the lab's name.
    fn rewrite(&mut self, bytes: &[u8]) -> Result<(), (&'static str, std::io::Error)> {
        let io = self.lock.io();
        let path = self.lock.path().to_path_buf();
        let dir = folder_of(&path);
        let (temp_path, temp) = loop {
            let mut name = temp_prefix(&path);
            name.push(format!("{:016x}", unpredictable()));
            let candidate = dir.join(name);
            match io.create_new(&candidate, Some(self.lock.file())) {
                Ok(file) => break (candidate, file),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(("creating the new file beside it", e)),
            }
        };
        let written = (|| {
            // Locked before it becomes the lab: a run waiting on the old file
            // then waits on this one, until this save is done.
            if !io
                .try_lock(&temp)
                .map_err(|e| ("locking the new file", e))?
            {
                return Err((
                    "locking the new file",
                    std::io::Error::other("it is locked by another process"),
                ));
            }
            io.write_at(&temp, 0, bytes)
                .map_err(|e| ("writing the new file", e))?;
            io.sync(&temp)
                .map_err(|e| ("flushing the new file to disk", e))?;
            io.rename(&temp_path, &path)
                .map_err(|e| ("renaming the new file over the lab", e))
        })();
        if let Err(e) = written {
            let _ = io.remove(&temp_path);
            return Err(e);
        }
        self.lock.adopt(temp);
        // The rename itself, made durable.
        io.sync_dir(&dir)
            .map_err(|e| ("flushing the folder (the rename) to disk", e))
    }

    /// The message for a save that failed at `step`, saying what the file
    /// holds: it is opened again and its lab compared with this run's.
    fn failed(&self, step: &str, e: std::io::Error) -> SaveError {
        let path = self.lock.path();
        let holds = self.read_back();
        let what = match holds {
            FileHolds::New => "The lab WAS saved: reading the file back shows this run's changes (the next run sees them), but the system did not confirm they reached the disk, so a crash or power cut could still lose them.".to_string(),
            FileHolds::Previous => "The lab was NOT saved: reading the file back shows the lab as it was before this run; this run's changes are lost.".to_string(),
            FileHolds::Unknown => format!("Reading the file back did not show either this run's lab or the one before it: see `snaplab check {}`.", path.display()),
        };
        SaveError {
            message: format!("saving {}: {step}: {e}. {what}", path.display()),
            holds,
        }
    }

    /// Opens the file at the lab's name as the next run would, and tells
    /// which lab it holds.
    fn read_back(&self) -> FileHolds {
        let io = self.lock.io();
        let Ok(file) = io.open(self.lock.path()) else {
            return FileHolds::Unknown;
        };
        let reader = Reader { io, file: &file };
        let empty = io.size(&file).map_or(true, |s| s == 0);
        let opened = state_file::open(
            (!empty).then_some(&reader),
            Some(super::seal::installation_key()),
        );
        match opened.map(|(session, _)| fingerprint(&session)) {
            Ok(f) if f == fingerprint(&self.session) => FileHolds::New,
            Ok(f) if f == self.before => FileHolds::Previous,
            _ => FileHolds::Unknown,
        }
    }
}

fn lock_message(path: &Path, e: LockError) -> String {
    let path = path.display();
    match e {
        LockError::Busy => format!("{path} is in use by another snaplab run (nothing was run; the file was not changed): run again when it has finished, or without --no-wait to wait for it"),
        LockError::TimedOut(limit) => format!("{path} was still in use by another snaplab run after {} s (nothing was run; the file was not changed); --wait-timeout waits longer", limit.as_secs()),
        LockError::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => format!("{path}: {e}: it cannot be opened for writing (nothing was run; the file was not changed)"),
        LockError::Io(e) => format!("{path}: {e} (nothing was run; the file was not changed)"),
    }
}

/// Removes temporaries that killed runs left beside the lab. Only names of
/// this program's pattern for this lab, and only ones older than this
/// run's lock: a live save holds the lock while its temporary exists, so
/// under the lock any such file is a leftover.
fn remove_leftovers<I: LabIo>(lock: &LabLock<'_, I>) {
    let io = lock.io();
    let dir = folder_of(lock.path());
    let prefix = temp_prefix(lock.path());
    let Ok(names) = io.list(&dir) else {
        return;
    };
    for (name, modified) in names {
        if name
            .as_encoded_bytes()
            .starts_with(prefix.as_encoded_bytes())
            && modified <= lock.since
        {
            let _ = io.remove(&dir.join(name));
        }
    }
}

/// Why a lab file was not opened; for damage, what to do about it (opening
/// refuses a damaged file whole rather than run on part of it).
fn refused(path: &Path, e: &snaplab_engine::EngineError) -> String {
    let mut message = format!("{}: ({}) {e}", path.display(), e.code());
    if e.code() == "InvalidLabFile" {
        let p = path.display();
        message.push_str(&format!(
            "\nNothing was run and the file was not changed. `snaplab check {p}` lists what is damaged; `snaplab recover {p} --to NEW.snaplab` writes a new lab file from everything that verifies."
        ));
    }
    message
}
