//! The native program's `--state` file, opened and saved in time that
//! follows the live state and the change, not the history.
//!
//! The file is a lab file ([`store::export`]'s format, which the app
//! imports) followed by the frames later runs appended, each with what that
//! run changed and an index of the records opening needs:
//!
//! | part | bytes |
//! |---|---|
//! | base | an export: magic, format, count, records, FNV-1a checksum |
//! | frame | `SLFRAME1`, body length (u64), body, FNV-1a of the body (u64), body length again (u64), `SLSTATE1` |
//! | body | puts (count, then key length u32, key, value length u64, value), deletes (count, then key length u32, key), index (count, then key length u32, key, offset u64, length u64, FNV-1a u64) |
//!
//! Opening reads the last 24 bytes, the last frame's body, and through its
//! index only the records a lab opens from (meta, checkpoints, the log from
//! the newest checkpoint on, chunks; [`store::opens_from`]), each checked against its
//! hash. Saving appends one frame (what changed, and the new index). So
//! neither reads nor writes the log before the checkpoint.
//!
//! A frame is appended whole and flushed before the run counts as saved;
//! one torn by a crash fails its checks, and the file then opens by reading
//! it all, up to the last whole frame (which the next save appends after).
//! When the frames outgrow the base, a save writes the file anew (base and
//! an index frame), atomically, as before frames existed.

use std::collections::BTreeMap;

use crate::error::{EngineError, Result};
use crate::naming::stable_hash_bytes;
use crate::store::{self, Batch};

const FRAME_MAGIC: &[u8; 8] = b"SLFRAME1";
const TRAILER_MAGIC: &[u8; 8] = b"SLSTATE1";
/// Body length, hash, body length again, magic: what ends every frame.
const TRAILER: u64 = 24;

/// Where a record's value is in the file, and its FNV-1a.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub offset: u64,
    pub len: u64,
    pub hash: u64,
}

/// Random access to the file's bytes (a `File` natively, a slice in tests).
pub trait ReadAt {
    fn size(&self) -> u64;
    fn read_at(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>>;
}

impl ReadAt for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        usize::try_from(offset)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(o, l)| self.get(o..o.checked_add(l)?))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
    }
}

impl ReadAt for std::fs::File {
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }
    #[cfg(unix)]
    fn read_at(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        // Sized by what the file holds, never by a length read from it.
        if offset.checked_add(len).is_none_or(|end| end > self.size()) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut buf = vec![0; len as usize];
        FileExt::read_exact_at(self, &mut buf, offset)?;
        Ok(buf)
    }
    #[cfg(not(unix))]
    fn read_at(&self, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        if offset.checked_add(len).is_none_or(|end| end > self.size()) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut file = self;
        file.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0; len as usize];
        file.read_exact(&mut buf)?;
        Ok(buf)
    }
}

/// What was read of a state file.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The records read: all of them, or (from an index) those it opens from ([`store::opens_from`]).
    pub records: BTreeMap<String, Vec<u8>>,
    /// Where each record read is.
    pub locs: BTreeMap<String, Loc>,
    /// Where the file's whole part ends: the next frame goes here (a torn
    /// frame after it is cut off first).
    pub end: u64,
    /// The length of the base (the export the frames follow).
    pub base: u64,
    /// Were all records read (no index, or a torn or damaged last frame)?
    pub whole: bool,
    /// Bytes after the whole part that were passed over: a save that did
    /// not finish (as a database's write-ahead log passes over a frame
    /// whose checksum fails), or damage to the last save. The program says so.
    pub ignored: u64,
}

fn damaged(detail: impl std::fmt::Display) -> EngineError {
    EngineError::InvalidLabFile {
        detail: format!("the lab file is damaged: {detail}"),
    }
}

/// Reads what a lab opens from: through the last frame's index when there
/// is a whole one, else everything ([`load_whole`]).
pub fn load_recent(file: &(impl ReadAt + ?Sized)) -> Result<Loaded> {
    let size = file.size();
    let Some(body) = last_frame(file, size) else {
        return load_whole(file);
    };
    let Ok(frame) = Frame::parse(&body) else {
        return load_whole(file);
    };
    let mut loaded = Loaded {
        end: size,
        base: frame.base,
        ..Loaded::default()
    };
    for (key, loc) in frame.index {
        let value = file
            .read_at(loc.offset, loc.len)
            .map_err(|_| damaged(format!("{key} is outside the file")))?;
        if stable_hash_bytes(&value) != loc.hash {
            return Err(damaged(format!("{key} does not match its checksum")));
        }
        loaded.records.insert(key.clone(), value);
        loaded.locs.insert(key, loc);
    }
    Ok(loaded)
}

/// Reads every record: the base (its checksum checked), then each whole
/// frame's puts and deletes in order, up to the first frame that is not.
pub fn load_whole(file: &(impl ReadAt + ?Sized)) -> Result<Loaded> {
    let bytes = file
        .read_at(0, file.size())
        .map_err(|e| damaged(format!("it cannot be read ({e})")))?;
    let mut loaded = parse(&bytes).map_err(|e| match e {
        EngineError::StorageCorrupt { detail } => EngineError::InvalidLabFile { detail },
        other => other,
    })?;
    // The base's records, for the index the next frame writes.
    for (key, loc) in loaded.locs.iter_mut() {
        if loc.offset < loaded.base {
            loc.hash = stable_hash_bytes(&loaded.records[key]);
        }
    }
    Ok(loaded)
}

/// [`load_whole`] over bytes in memory (an import in the app).
pub fn parse(bytes: &[u8]) -> Result<Loaded> {
    let (mut records, mut locs, base) = store::parse_export(bytes)?;
    let mut at = base;
    let mut end = base;
    while let Some(frame_len) = frame_at(bytes, at) {
        let body_start = at + 16;
        let body = &bytes[body_start as usize..(body_start + frame_len) as usize];
        let Ok(frame) = Frame::parse(body) else {
            break;
        };
        for key in frame.deletes {
            records.remove(&key);
            locs.remove(&key);
        }
        for (key, offset, value) in frame.puts {
            locs.insert(
                key.clone(),
                Loc {
                    offset: body_start + offset,
                    len: value.len() as u64,
                    hash: stable_hash_bytes(value),
                },
            );
            records.insert(key, value.to_vec());
        }
        at = body_start + frame_len + TRAILER;
        end = at;
    }
    Ok(Loaded {
        records,
        locs,
        end,
        base,
        whole: true,
        ignored: bytes.len() as u64 - end,
    })
}

/// The body length of a whole frame starting at `at`, if one does.
fn frame_at(bytes: &[u8], at: u64) -> Option<u64> {
    let at = usize::try_from(at).ok()?;
    if bytes.get(at..at + 8)? != FRAME_MAGIC {
        return None;
    }
    let len = u64::from_le_bytes(bytes.get(at + 8..at + 16)?.try_into().ok()?);
    let body_start = at + 16;
    let body_end = body_start.checked_add(usize::try_from(len).ok()?)?;
    let trailer = bytes.get(body_end..body_end.checked_add(TRAILER as usize)?)?;
    let body = &bytes[body_start..body_end];
    let hash = u64::from_le_bytes(trailer[0..8].try_into().ok()?);
    let again = u64::from_le_bytes(trailer[8..16].try_into().ok()?);
    (stable_hash_bytes(body) == hash && again == len && &trailer[16..24] == TRAILER_MAGIC)
        .then_some(len)
}

/// The last frame's body, if the file ends with a whole one: its trailer
/// says where it starts, and [`frame_at`] checks it there.
fn last_frame(file: &(impl ReadAt + ?Sized), size: u64) -> Option<Vec<u8>> {
    let trailer = file.read_at(size.checked_sub(TRAILER)?, TRAILER).ok()?;
    let len = u64::from_le_bytes(trailer[8..16].try_into().ok()?);
    let start = size
        .checked_sub(TRAILER)?
        .checked_sub(len)?
        .checked_sub(16)?;
    let mut frame = file.read_at(start, size - start).ok()?;
    (frame_at(&frame, 0)? == len).then(|| {
        frame.truncate(16 + len as usize);
        frame.split_off(16)
    })
}

/// One frame's body, parsed.
struct Frame<'a> {
    /// (key, offset of the value within the body, value)
    puts: Vec<(String, u64, &'a [u8])>,
    deletes: Vec<String>,
    index: Vec<(String, Loc)>,
    base: u64,
}

/// Reads a frame's body, every length checked against what is left.
struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64) -> std::result::Result<(usize, &'a [u8]), String> {
        let start = self.at;
        let slice = usize::try_from(n)
            .ok()
            .and_then(|n| self.body.get(start..start.checked_add(n)?))
            .ok_or("a frame ends too early")?;
        self.at += slice.len();
        Ok((start, slice))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        let (_, b) = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    fn key(&mut self) -> std::result::Result<String, String> {
        let (_, b) = self.take(4)?;
        let len = u32::from_le_bytes(b.try_into().expect("4 bytes"));
        let (_, k) = self.take(u64::from(len))?;
        std::str::from_utf8(k)
            .map(str::to_string)
            .map_err(|_| "a key is not text".to_string())
    }
}

impl<'a> Frame<'a> {
    fn parse(body: &'a [u8]) -> std::result::Result<Frame<'a>, String> {
        let mut r = Reader { body, at: 0 };
        let base = r.u64()?;
        let mut puts = Vec::new();
        for _ in 0..r.u64()? {
            let key = r.key()?;
            let len = r.u64()?;
            let (offset, value) = r.take(len)?;
            puts.push((key, offset as u64, value));
        }
        let mut deletes = Vec::new();
        for _ in 0..r.u64()? {
            deletes.push(r.key()?);
        }
        let mut index = Vec::new();
        for _ in 0..r.u64()? {
            let key = r.key()?;
            let loc = Loc {
                offset: r.u64()?,
                len: r.u64()?,
                hash: r.u64()?,
            };
            index.push((key, loc));
        }
        if r.at != body.len() {
            return Err("bytes follow a frame's index".into());
        }
        Ok(Frame {
            puts,
            deletes,
            index,
            base,
        })
    }
}

/// The frame that appends `changes` at `at` (the file's whole end) to a
/// file whose records are located by `locs`, with the index of what the lab
/// left in `records` opens from. `None` when a record it needs has no known
/// place (then the file is written anew).
pub fn frame(
    locs: &BTreeMap<String, Loc>,
    records: &BTreeMap<String, Vec<u8>>,
    changes: &Batch,
    base: u64,
    at: u64,
) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    body.extend_from_slice(&base.to_le_bytes());
    let body_start = at + 16;
    let mut placed: BTreeMap<&str, Loc> = BTreeMap::new();
    let put_key = |body: &mut Vec<u8>, key: &str| {
        body.extend_from_slice(&(key.len() as u32).to_le_bytes());
        body.extend_from_slice(key.as_bytes());
    };
    body.extend_from_slice(&(changes.puts.len() as u64).to_le_bytes());
    for (key, value) in &changes.puts {
        put_key(&mut body, key);
        body.extend_from_slice(&(value.len() as u64).to_le_bytes());
        placed.insert(
            key,
            Loc {
                offset: body_start + body.len() as u64,
                len: value.len() as u64,
                hash: stable_hash_bytes(value),
            },
        );
        body.extend_from_slice(value);
    }
    body.extend_from_slice(&(changes.deletes.len() as u64).to_le_bytes());
    for key in &changes.deletes {
        put_key(&mut body, key);
    }
    let newest = store::newest_checkpoint(records.keys());
    let needed: Vec<&String> = records
        .keys()
        .filter(|k| store::opens_from(k, newest))
        .collect();
    body.extend_from_slice(&(needed.len() as u64).to_le_bytes());
    for key in needed {
        let loc = placed
            .get(key.as_str())
            .or_else(|| locs.get(key))
            .copied()?;
        put_key(&mut body, key);
        body.extend_from_slice(&loc.offset.to_le_bytes());
        body.extend_from_slice(&loc.len.to_le_bytes());
        body.extend_from_slice(&loc.hash.to_le_bytes());
    }
    let mut out = Vec::with_capacity(body.len() + 40);
    out.extend_from_slice(FRAME_MAGIC);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&stable_hash_bytes(&body).to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(TRAILER_MAGIC);
    Some(out)
}

/// A state file written anew: the export of `records`, then a frame with
/// no changes and the index, so the next run opens through it.
pub fn write_new(records: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let (mut out, locs) = store::export_located(records);
    let base = out.len() as u64;
    let index = frame(&locs, records, &Batch::default(), base, base).expect("every record placed");
    out.extend_from_slice(&index);
    out
}

/// Should this save write the file anew rather than append? When the
/// frames have outgrown the base: the file stays within twice what a fresh
/// one would take, and the rewrite's cost is spread over the runs before it.
pub fn outgrown(loaded: &Loaded) -> bool {
    loaded.end.saturating_sub(loaded.base) > loaded.base.max(64 * 1024)
}

/// A lab opened from its state file, recording what the run changes.
pub type StateSession = store::Session<store::Recording<store::MemoryStore>>;

fn session_of(records: &BTreeMap<String, Vec<u8>>) -> Result<StateSession> {
    use store::BlockStore;
    let mut memory = store::MemoryStore::new();
    memory
        .commit(Batch {
            puts: records
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect(),
            ..Batch::default()
        })
        .map_err(|e| EngineError::StorageFailed { detail: e.0 })?;
    store::Session::open(store::Recording {
        inner: memory,
        changes: Batch::default(),
    })
}

/// Opens the lab a state file holds, as the app opens its database: the
/// checkpoint and the log after it, read through the index; everything
/// when there is no usable index or checkpoint. `None` for a new file.
pub fn open(file: Option<&(impl ReadAt + ?Sized)>) -> Result<(StateSession, Option<Loaded>)> {
    let Some(file) = file else {
        return Ok((session_of(&BTreeMap::new())?, None));
    };
    let loaded = load_recent(file)?;
    match session_of(&loaded.records) {
        Ok(session) => Ok((session, Some(loaded))),
        Err(_) if !loaded.whole => {
            let loaded = load_whole(file)?;
            Ok((session_of(&loaded.records)?, Some(loaded)))
        }
        Err(e) => Err(e),
    }
}

/// How to store a run's changes.
#[derive(Debug, PartialEq, Eq)]
pub enum Save {
    /// Nothing changed, and the file opens through its index already.
    Nothing,
    /// Write `bytes` at `at`, and end the file there (a torn frame after
    /// the file's whole part is cut off), then flush.
    Append { at: u64, bytes: Vec<u8> },
    /// Replace the file with `bytes`, atomically.
    Rewrite(Vec<u8>),
}

/// Stores a checkpoint of the lab as it is (so the next run replays
/// nothing) and works out how to save what the run changed.
pub fn save(
    session: &mut StateSession,
    loaded: Option<&Loaded>,
    file: Option<&(impl ReadAt + ?Sized)>,
) -> Result<Save> {
    session.checkpoint()?;
    let records = session.store().inner.records();
    let changes = &session.store().changes;
    let (Some(loaded), Some(file)) = (loaded, file) else {
        return Ok(Save::Rewrite(write_new(records)));
    };
    let indexed = !loaded.whole && loaded.end == file.size();
    if changes.is_empty() && indexed {
        return Ok(Save::Nothing);
    }
    if !outgrown(loaded) {
        if let Some(bytes) = frame(&loaded.locs, records, changes, loaded.base, loaded.end) {
            return Ok(Save::Append {
                at: loaded.end,
                bytes,
            });
        }
    }
    // Written anew: every record, the file's with this run's changes.
    let mut all = if loaded.whole {
        loaded.records.clone()
    } else {
        load_whole(file)?.records
    };
    for key in &changes.deletes {
        all.remove(key);
    }
    for (key, value) in &changes.puts {
        all.insert(key.clone(), value.to_vec());
    }
    Ok(Save::Rewrite(write_new(&all)))
}
