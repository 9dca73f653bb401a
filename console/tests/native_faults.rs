//! A crash-and-fault harness for the native lab file, in the manner of
//! redb's: the save path's file operations go through `LabIo`; here a
//! simulated file system stands behind it, and a faulty layer over that
//! fails (an error) or stops (a crash: every later operation is lost, and
//! on a power cut unflushed writes are lost or torn) at the N-th write,
//! flush, rename, creation or removal. Random sequences of runs check the
//! model of what must be durable:
//! - after a save reported as done, the change is there, even after a power cut;
//! - after a failed save the file opens to the lab before the run or the
//!   one after it, never to an error or a half state, and the message said which;
//! - after a crash the file opens to one of the two, and leftover
//!   temporaries are removed by the next open;
//! - two runs interleaved through the lock both keep their change.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use snaplab_console::labfile::{FileHolds, FileId, LabIo, OpenLab, SaveError, Wait};
use snaplab_console::Console;

// ---- the simulated file system ----------------------------------------------

#[derive(Debug, Clone, Default)]
struct Inode {
    /// What reads see (the page cache).
    data: Vec<u8>,
    /// What survives a power cut.
    durable: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
struct Disk {
    inodes: Vec<Inode>,
    names: BTreeMap<PathBuf, usize>,
    durable_names: BTreeMap<PathBuf, usize>,
    /// inode → the handle holding its lock
    locks: HashMap<usize, u64>,
}

#[derive(Debug, Default)]
struct SimFs {
    disk: Mutex<Disk>,
    handles: AtomicU64,
    /// Sleep in each operation, so threads interleave.
    slow: bool,
}

struct SimFile {
    inode: usize,
    handle: u64,
}

impl SimFs {
    fn with(disk: Disk) -> Self {
        SimFs {
            disk: Mutex::new(disk),
            ..SimFs::default()
        }
    }
    fn disk(&self) -> std::sync::MutexGuard<'_, Disk> {
        if self.slow {
            std::thread::sleep(Duration::from_micros(200));
        }
        self.disk.lock().unwrap()
    }
    fn handle(&self, inode: usize) -> SimFile {
        SimFile {
            inode,
            handle: self.handles.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }
}

impl Disk {
    /// The process died: its locks go with it.
    fn process_crash(&mut self) {
        self.locks.clear();
    }
    /// The machine lost power: what was not flushed is lost or torn.
    fn power_cut(&mut self, rng: &mut u64) {
        self.locks.clear();
        if next(rng).is_multiple_of(2) {
            self.names = self.durable_names.clone();
        }
        for inode in &mut self.inodes {
            let mut kept = inode.durable.clone();
            match next(rng) % 3 {
                0 => kept = inode.data.clone(),
                1 => {}
                _ => {
                    // Torn: a prefix of the unflushed state reached the disk.
                    if next(rng).is_multiple_of(2) {
                        kept.resize(inode.data.len(), 0);
                    }
                    let k = (next(rng) as usize) % (inode.data.len() + 1);
                    let k = k.min(kept.len());
                    kept[..k].copy_from_slice(&inode.data[..k]);
                }
            }
            inode.data = kept.clone();
            inode.durable = kept;
        }
        self.durable_names = self.names.clone();
    }
}

/// xorshift: the harness's own randomness, seeded by proptest.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn eof() -> io::Error {
    io::ErrorKind::UnexpectedEof.into()
}

impl LabIo for SimFs {
    type File = SimFile;

    fn open(&self, path: &Path) -> io::Result<SimFile> {
        let inode = *self.disk().names.get(path).ok_or(io::ErrorKind::NotFound)?;
        Ok(self.handle(inode))
    }
    fn create_new(&self, path: &Path, _like: Option<&SimFile>) -> io::Result<SimFile> {
        let mut disk = self.disk();
        if disk.names.contains_key(path) {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        disk.inodes.push(Inode::default());
        let inode = disk.inodes.len() - 1;
        disk.names.insert(path.to_path_buf(), inode);
        Ok(self.handle(inode))
    }
    fn id(&self, file: &SimFile) -> io::Result<FileId> {
        Ok(FileId(0, file.inode as u64))
    }
    fn id_at(&self, path: &Path) -> io::Result<Option<FileId>> {
        Ok(self.disk().names.get(path).map(|i| FileId(0, *i as u64)))
    }
    fn size(&self, file: &SimFile) -> io::Result<u64> {
        Ok(self.disk().inodes[file.inode].data.len() as u64)
    }
    fn read_at(&self, file: &SimFile, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        let disk = self.disk();
        let data = &disk.inodes[file.inode].data;
        let end = offset.checked_add(len).ok_or_else(eof)?;
        data.get(offset as usize..end as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(eof)
    }
    fn write_at(&self, file: &SimFile, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let mut disk = self.disk();
        let data = &mut disk.inodes[file.inode].data;
        let end = offset as usize + bytes.len();
        if data.len() < end {
            data.resize(end, 0);
        }
        data[offset as usize..end].copy_from_slice(bytes);
        Ok(())
    }
    fn set_len(&self, file: &SimFile, len: u64) -> io::Result<()> {
        self.disk().inodes[file.inode].data.resize(len as usize, 0);
        Ok(())
    }
    fn sync(&self, file: &SimFile) -> io::Result<()> {
        let mut disk = self.disk();
        let inode = &mut disk.inodes[file.inode];
        inode.durable = inode.data.clone();
        Ok(())
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        let inode = disk.names.remove(from).ok_or(io::ErrorKind::NotFound)?;
        disk.names.insert(to.to_path_buf(), inode);
        Ok(())
    }
    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        let mut disk = self.disk();
        disk.durable_names = disk.names.clone();
        Ok(())
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.disk()
            .names
            .remove(path)
            .map(|_| ())
            .ok_or(io::ErrorKind::NotFound.into())
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<(OsString, SystemTime)>> {
        Ok(self
            .disk()
            .names
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .map(|p| (p.file_name().unwrap().to_owned(), SystemTime::UNIX_EPOCH))
            .collect())
    }
    fn try_lock(&self, file: &SimFile) -> io::Result<bool> {
        let mut disk = self.disk();
        match disk.locks.get(&file.inode) {
            Some(holder) => Ok(*holder == file.handle),
            None => {
                disk.locks.insert(file.inode, file.handle);
                Ok(true)
            }
        }
    }
    fn unlock(&self, file: &SimFile) {
        let mut disk = self.disk();
        if disk.locks.get(&file.inode) == Some(&file.handle) {
            disk.locks.remove(&file.inode);
        }
    }
}

// ---- the faulty layer -------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The operation fails; the ones after it work.
    Error,
    /// The process stops: this operation and every later one are lost.
    Crash,
}

/// Fails or stops at the `at`-th changing operation (writes, set_len,
/// flushes, renames, creations, removals), counting from 0.
struct Faulty<'a> {
    sim: &'a SimFs,
    at: u64,
    fault: Fault,
    count: AtomicU64,
    crashed: AtomicBool,
    /// A failing or stopping write first writes this share of its bytes.
    torn: u8,
}

impl Faulty<'_> {
    fn dead(&self) -> io::Result<()> {
        if self.crashed.load(Ordering::SeqCst) {
            return Err(io::Error::other("crashed"));
        }
        Ok(())
    }
    /// Is this changing operation the one that fails?
    fn step(&self) -> io::Result<bool> {
        self.dead()?;
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        if n != self.at {
            return Ok(false);
        }
        if self.fault == Fault::Crash {
            self.crashed.store(true, Ordering::SeqCst);
        }
        Ok(true)
    }
    fn injected() -> io::Error {
        io::Error::other("injected fault")
    }
}

impl LabIo for Faulty<'_> {
    type File = SimFile;

    fn open(&self, path: &Path) -> io::Result<SimFile> {
        self.dead()?;
        self.sim.open(path)
    }
    fn create_new(&self, path: &Path, like: Option<&SimFile>) -> io::Result<SimFile> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.create_new(path, like)
    }
    fn id(&self, file: &SimFile) -> io::Result<FileId> {
        self.dead()?;
        self.sim.id(file)
    }
    fn id_at(&self, path: &Path) -> io::Result<Option<FileId>> {
        self.dead()?;
        self.sim.id_at(path)
    }
    fn size(&self, file: &SimFile) -> io::Result<u64> {
        self.dead()?;
        self.sim.size(file)
    }
    fn read_at(&self, file: &SimFile, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        self.dead()?;
        self.sim.read_at(file, offset, len)
    }
    fn write_at(&self, file: &SimFile, offset: u64, bytes: &[u8]) -> io::Result<()> {
        if self.step()? {
            let part = bytes.len() * usize::from(self.torn) / 255;
            self.sim.write_at(file, offset, &bytes[..part])?;
            return Err(Self::injected());
        }
        self.sim.write_at(file, offset, bytes)
    }
    fn set_len(&self, file: &SimFile, len: u64) -> io::Result<()> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.set_len(file, len)
    }
    fn sync(&self, file: &SimFile) -> io::Result<()> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.sync(file)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.sync_dir(dir)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        if self.step()? {
            return Err(Self::injected());
        }
        self.sim.remove(path)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<(OsString, SystemTime)>> {
        self.dead()?;
        self.sim.list(dir)
    }
    fn try_lock(&self, file: &SimFile) -> io::Result<bool> {
        self.dead()?;
        self.sim.try_lock(file)
    }
    fn unlock(&self, file: &SimFile) {
        if self.dead().is_ok() {
            self.sim.unlock(file);
        }
    }
}

// ---- runs and the model -----------------------------------------------------

const LAB: &str = "/lab/lab.snaplab";

/// The snapshots a lab holds: what the model compares.
type Snapshots = Vec<String>;

/// One `snaplab run --state` through `io`: open under the lock, run the
/// script, save. `Err(None)` when opening failed (nothing ran).
fn run(io: &impl LabIo, script: &str) -> Result<(), Option<SaveError>> {
    let mut lab = OpenLab::open(
        io,
        Path::new(LAB),
        Wait::UpTo(Duration::from_secs(20)),
        || {},
    )
    .map_err(|_| None)?;
    let mut console = Console::new(lab.session.lab().clone());
    let t = console.run(script);
    assert_eq!(t.status, 0, "{:?}", t.lines);
    for command in std::mem::take(&mut console.executed) {
        let _ = lab.session.execute(command);
    }
    lab.save().map(|_| ()).map_err(Some)
}

/// What the file opens to now, as the next run would see it (and that
/// open removes leftover temporaries).
fn opens_to(sim: &SimFs) -> Result<Snapshots, String> {
    let lab = OpenLab::open(sim, Path::new(LAB), Wait::No, || {})?;
    let mut names: Snapshots = lab
        .session
        .lab()
        .snapshots()
        .map(|s| s.at.name.clone())
        .collect();
    names.sort();
    Ok(names)
}

fn no_leftovers(sim: &SimFs) -> bool {
    sim.disk().names.keys().all(|p| p == Path::new(LAB))
}

/// A lab with a group and a disk, saved without faults.
fn new_lab() -> Disk {
    let sim = SimFs::default();
    run(&sim, "az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 4 -o none\n")
        .unwrap();
    let disk = sim.disk().clone();
    disk
}

/// One step of a sequence: a snapshot (and sometimes enough written bytes
/// that the file is rewritten soon), with a fault at some operation.
#[derive(Debug, Clone)]
struct Step {
    big: bool,
    fault_at: u64,
    fault: Fault,
    power_cut: bool,
    torn: u8,
    seed: u64,
}

fn step() -> impl Strategy<Value = Step> {
    (
        prop::bool::weighted(0.4),
        0u64..12,
        prop_oneof![Just(Fault::Error), Just(Fault::Crash)],
        any::<bool>(),
        any::<u8>(),
        1u64..u64::MAX,
    )
        .prop_map(|(big, fault_at, fault, power_cut, torn, seed)| Step {
            big,
            fault_at,
            fault,
            power_cut,
            torn,
            seed,
        })
}

fn script(n: usize, big: bool) -> String {
    let mut s = format!("az snapshot create -g rg -n s{n:03} --source d -o none\n");
    if big {
        let text = "y".repeat(40 * 1024);
        s += &format!(
            "sim write -g rg --disk d --offset {} --text '{text}' -o none\n",
            (n % 8) * 65536
        );
    }
    s
}

/// Runs `steps` from a new lab, checking the model after each.
fn check_sequence(steps: &[Step]) -> Result<(), TestCaseError> {
    let sim = SimFs::with(new_lab());
    let mut committed: Snapshots = Vec::new();
    // Labs a power cut may still bring back: saved, but not confirmed
    // durable (a failed flush), until a save is reported done.
    let mut not_durable: Vec<Snapshots> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let mut after = committed.clone();
        after.push(format!("s{n:03}"));
        after.sort();
        let faulty = Faulty {
            sim: &sim,
            at: step.fault_at,
            fault: step.fault,
            count: AtomicU64::new(0),
            crashed: AtomicBool::new(false),
            torn: step.torn,
        };
        let result = run(&faulty, &script(n, step.big));
        let crashed = faulty.crashed.load(Ordering::SeqCst);
        let mut rng = step.seed;
        if crashed {
            let mut disk = sim.disk();
            if step.power_cut {
                disk.power_cut(&mut rng);
            } else {
                disk.process_crash();
            }
        }
        let now = opens_to(&sim)
            .map_err(|e| TestCaseError::fail(format!("step {n}: the file does not open: {e}")))?;
        prop_assert!(
            no_leftovers(&sim),
            "step {n}: leftovers after an open: {:?}",
            sim.disk().names.keys().collect::<Vec<_>>()
        );
        match (&result, crashed) {
            (Ok(()), _) => {
                not_durable.clear();
                prop_assert_eq!(&now, &after, "step {}: a save reported done is there", n);
                // And stays there through a power cut.
                let mut cut = sim.disk().clone();
                cut.power_cut(&mut rng);
                let durable = opens_to(&SimFs::with(cut)).map_err(TestCaseError::fail)?;
                prop_assert_eq!(
                    &durable,
                    &after,
                    "step {}: a save reported done survives a power cut",
                    n
                );
            }
            (Err(_), true) => {
                let earlier = step.power_cut && not_durable.contains(&now);
                if now != committed {
                    // Its change outlived the process in the page cache, but
                    // was never flushed: a later power cut may take it back.
                    not_durable.push(committed.clone());
                }
                prop_assert!(
                    now == committed || now == after || earlier,
                    "step {n}: after a crash, {now:?} is neither {committed:?} nor {after:?}"
                );
            }
            (Err(None), false) => prop_assert_eq!(&now, &committed, "step {}: nothing ran", n),
            (Err(Some(e)), false) => {
                let expected = match e.holds {
                    FileHolds::New => &after,
                    FileHolds::Previous => &committed,
                    FileHolds::Unknown => {
                        return Err(TestCaseError::fail(format!(
                            "step {n}: unknown: {}",
                            e.message
                        )))
                    }
                };
                prop_assert_eq!(
                    &now,
                    expected,
                    "step {}: the message tells the truth: {}",
                    n,
                    e.message
                );
                let said = if e.holds == FileHolds::New {
                    "The lab WAS saved"
                } else {
                    "The lab was NOT saved"
                };
                prop_assert!(e.message.contains(said), "{}", e.message);
                if e.holds == FileHolds::New {
                    not_durable.push(committed.clone());
                }
            }
        }
        committed = now;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn saves_survive_every_fault_and_crash_as_the_model_says(steps in prop::collection::vec(step(), 1..8)) {
        check_sequence(&steps)?;
    }
}

/// Two runs at once on one lab, interleaved through the lock (the file
/// system sleeps in every operation so they do overlap); one of them may
/// fail partway. Both changes are there unless the failing one said its
/// change was not saved.
fn check_two_at_once(big: [bool; 2], fault_at: u64) -> Result<(), TestCaseError> {
    let mut sim = SimFs::with(new_lab());
    sim.slow = true;
    let faulty = Faulty {
        sim: &sim,
        at: fault_at,
        fault: Fault::Error,
        count: AtomicU64::new(0),
        crashed: AtomicBool::new(false),
        torn: 128,
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&sim, &script(0, big[0])));
        let b = s.spawn(|| run(&faulty, &script(1, big[1])));
        (a.join().unwrap(), b.join().unwrap())
    });
    prop_assert!(a.is_ok(), "{:?}", a.err().flatten().map(|e| e.message));
    let now = opens_to(&sim).map_err(TestCaseError::fail)?;
    let mut expected = vec!["s000".to_string()];
    match b {
        Ok(()) => expected.push("s001".into()),
        Err(Some(e)) if e.holds == FileHolds::New => expected.push("s001".into()),
        Err(Some(e)) => prop_assert_eq!(e.holds, FileHolds::Previous, "{}", e.message),
        Err(None) => {}
    }
    expected.sort();
    prop_assert_eq!(now, expected);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn two_runs_interleaved_through_the_lock_lose_nothing(big in any::<[bool; 2]>(), fault_at in 0u64..40) {
        check_two_at_once(big, fault_at)?;
    }
}
