//! The lab file format, in one module: an export (what the app exports and
//! imports) and the frames the native program appends to it. Nothing here
//! knows the journal; the journal's records are bytes under keys.
//!
//! The file is a lab file ([`export`]'s format, which the app
//! imports) followed by the frames later runs appended, each with what that
//! run changed and an index of the records opening needs:
//!
//! | part | bytes |
//! |---|---|
//! | base | an export: magic, format, count, records, checksum |
//! | frame | `SLFRAME1`, body length (u64), body, checksum of the body (u64), body length again (u64), `SLSTATE1` |
//! | body | puts (count, then key length u32, key, value length u64, value), deletes (count, then key length u32, key), index (count, then key length u32, key, offset u64, length u64, checksum u64) |
//!
//! Every checksum of a file is its base's format's ([`FileSum`]): XXH64
//! from format 2 on, FNV-1a in format 1 (still read, and appended to).
//!
//! Opening reads the last 24 bytes, the last frame's body, and through its
//! index only the records a lab opens from (meta, checkpoints, the log from
//! the newest checkpoint on, chunks; [`opens_from`]), each checked against its
//! hash. Saving appends one frame (what changed, and the new index). So
//! neither reads nor writes the log before the checkpoint.
//!
//! A frame is appended whole and flushed before the run counts as saved;
//! one torn by a crash fails its checks, and the file then opens by reading
//! it all, up to the last whole frame (which the next save appends after):
//! front to back through the records' own lengths, a piece at a time, the
//! base's checksum verified before any record is kept ([`load_whole`]).
//! When the frames outgrow the base, a save writes the file anew (base and
//! an index frame), atomically, as before frames existed.

use std::collections::BTreeMap;

use super::records::{corrupt, newest_checkpoint, opens_from, Batch};
use crate::checksum::{stable_hash_bytes, Xxh64};
use crate::error::{EngineError, Result};

/// The checksum a lab file uses throughout (its base's, its frames', and
/// each indexed record's hash), by its base's export format: FNV-1a in
/// format 1, XXH64 from format 2 on. Opening checks every byte of the file,
/// so this is most of what opening a long day's file costs; FNV-1a waits
/// on one multiplication per byte, XXH64 keeps four lanes of 8-byte words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileSum {
    Fnv1a,
    #[default]
    Xxh64,
}

/// A [`FileSum`] computed a piece at a time.
#[derive(Debug, Clone)]
pub enum Summing {
    Fnv1a(u64),
    Xxh64(Xxh64),
}

impl Summing {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Summing::Fnv1a(h) => {
                *h = bytes.iter().fold(*h, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                })
            }
            Summing::Xxh64(x) => x.update(bytes),
        }
    }
    pub fn finish(&self) -> u64 {
        match self {
            Summing::Fnv1a(h) => *h,
            Summing::Xxh64(x) => x.finish(),
        }
    }
}

impl FileSum {
    /// The checksum of a file whose base has export format `format`.
    pub fn of_format(format: u32) -> FileSum {
        match format {
            0 | 1 => FileSum::Fnv1a,
            _ => FileSum::Xxh64,
        }
    }
    /// The checksum `file` uses, from its base's header (the format after
    /// the magic); `None` if it does not start like a lab file.
    pub fn of_file(file: &(impl ReadAt + ?Sized)) -> Option<FileSum> {
        let head = file.read_at(0, 12).ok()?;
        (head[..8] == EXPORT_MAGIC[..]).then(|| {
            FileSum::of_format(u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")))
        })
    }
    pub fn start(self) -> Summing {
        match self {
            FileSum::Fnv1a => Summing::Fnv1a(0xcbf2_9ce4_8422_2325),
            FileSum::Xxh64 => Summing::Xxh64(Xxh64::default()),
        }
    }
    /// The checksum of `bytes` in one go.
    pub fn of(self, bytes: &[u8]) -> u64 {
        match self {
            FileSum::Fnv1a => stable_hash_bytes(bytes),
            FileSum::Xxh64 => crate::checksum::xxh64(bytes),
        }
    }
}

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
    /// Hands the bytes `offset..offset + len` to `each`, a piece at a time
    /// (memory bounded, whatever `len`): what checksumming the whole file
    /// at open reads. Bytes already in memory are handed over as they are,
    /// not copied piece by piece into new buffers.
    fn pieces(&self, offset: u64, len: u64, each: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        const PIECE: u64 = 1 << 20;
        let mut at = offset;
        while at < offset + len {
            let n = PIECE.min(offset + len - at);
            each(&self.read_at(at, n)?);
            at += n;
        }
        Ok(())
    }
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
    fn pieces(&self, offset: u64, len: u64, each: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let bytes = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(o, l)| self.get(o..o.checked_add(l)?))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        each(bytes);
        Ok(())
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
    /// One buffer, read into again for every piece.
    #[cfg(unix)]
    fn pieces(&self, offset: u64, len: u64, each: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        if offset.checked_add(len).is_none_or(|end| end > self.size()) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut buf = vec![0; len.min(1 << 18) as usize];
        let mut at = offset;
        while at < offset + len {
            let n = (offset + len - at).min(buf.len() as u64) as usize;
            FileExt::read_exact_at(self, &mut buf[..n], at)?;
            each(&buf[..n]);
            at += n as u64;
        }
        Ok(())
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
    /// The records read: all of them, or (from an index) those it opens from ([`opens_from`]).
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
    /// The file's checksum (its base's format's): a frame appended to it uses it too.
    pub sum: FileSum,
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
    let Some(sum) = FileSum::of_file(file) else {
        return load_whole(file);
    };
    let Some(body) = last_frame(file, size, sum) else {
        return load_whole(file);
    };
    let Ok(frame) = Frame::parse(&body) else {
        return load_whole(file);
    };
    let mut loaded = Loaded {
        end: size,
        base: frame.base,
        sum,
        ..Loaded::default()
    };
    // What the index points at is read, so it may not add up to more than
    // the file holds (a crafted index naming one region thousands of
    // times would otherwise ask for thousands of copies of it).
    let named = frame
        .index
        .iter()
        .try_fold(0u64, |sum, (_, loc)| sum.checked_add(loc.len));
    if named.is_none_or(|named| named > size) {
        return Err(damaged(format!(
            "its index names more bytes than the file's {size}"
        )));
    }
    for (key, loc) in frame.index {
        let value = file
            .read_at(loc.offset, loc.len)
            .map_err(|_| damaged(format!("{key} is outside the file")))?;
        if sum.of(&value) != loc.hash {
            return Err(damaged(format!("{key} does not match its checksum")));
        }
        loaded.records.insert(key.clone(), value);
        loaded.locs.insert(key, loc);
    }
    // The records it names first (their damage is the most precise to
    // report), then everything else the file holds.
    verify_chain(file, frame.base, size, sum)?;
    Ok(loaded)
}

/// The checksum of `file`'s bytes `from..to`, read a piece at a time
/// (memory bounded, whatever the file's size).
fn hash_range(file: &(impl ReadAt + ?Sized), sum: FileSum, from: u64, to: u64) -> Result<u64> {
    let mut h = sum.start();
    file.pieces(from, to.saturating_sub(from), &mut |piece| h.update(piece))
        .map_err(|e| damaged(format!("it cannot be read at bytes {from}..{to} ({e})")))?;
    Ok(h.finish())
}

/// Checks, before anything is trusted through the last frame's index,
/// that the whole file is what the saves wrote: the base's checksum and
/// every frame's, read a piece at a time. Damage anywhere is found at
/// open (and named), not when a later save rewrites the file.
fn verify_chain(file: &(impl ReadAt + ?Sized), base: u64, size: u64, sum: FileSum) -> Result<()> {
    let u64_at = |at: u64| -> Result<u64> {
        let b = file
            .read_at(at, 8)
            .map_err(|_| damaged(format!("it ends too early (at byte {at})")))?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    };
    if base < 28 || base > size || file.read_at(0, 8).ok().as_deref() != Some(EXPORT_MAGIC) {
        return Err(damaged("its index names no base it has"));
    }
    if hash_range(file, sum, 0, base - 8)? != u64_at(base - 8)? {
        return Err(damaged(
            "its base (the lab as last written whole) does not match its checksum",
        ));
    }
    let mut at = base;
    while at < size {
        let bad = || {
            damaged(format!(
                "the save at byte {at} does not match its checksum, and later saves follow it"
            ))
        };
        let magic = file.read_at(at, 8).map_err(|_| bad())?;
        let len = u64_at(at + 8).map_err(|_| bad())?;
        let body_end = (at + 16)
            .checked_add(len)
            .filter(|e| e + TRAILER <= size)
            .ok_or_else(bad)?;
        let (hash, again) = (u64_at(body_end)?, u64_at(body_end + 8)?);
        let trailer = file.read_at(body_end + 16, 8).map_err(|_| bad())?;
        if magic != FRAME_MAGIC
            || again != len
            || trailer != TRAILER_MAGIC
            || hash_range(file, sum, at + 16, body_end)? != hash
        {
            return Err(bad());
        }
        at = body_end + TRAILER;
    }
    Ok(())
}

/// Reads every record: the base (its checksum checked), then each whole
/// frame's puts and deletes in order, up to the first frame that is not.
pub fn load_whole(file: &(impl ReadAt + ?Sized)) -> Result<Loaded> {
    // Anything else (a multi-GB file given by mistake, a device) is refused
    // from its first bytes, before the rest is read.
    if file.read_at(0, 8).ok().as_deref() != Some(EXPORT_MAGIC.as_slice()) {
        return Err(EngineError::InvalidLabFile {
            detail: "this is not a Snaplab lab file (it does not start with SNAPLAB)".into(),
        });
    }
    let mut loaded = read_all(file).map_err(|e| match e {
        EngineError::StorageCorrupt { detail } => EngineError::InvalidLabFile { detail },
        other => other,
    })?;
    // The base's records, for the index the next frame writes.
    for (key, loc) in loaded.locs.iter_mut() {
        if loc.offset < loaded.base {
            loc.hash = loaded.sum.of(&loaded.records[key]);
        }
    }
    Ok(loaded)
}

/// [`load_whole`] over bytes in memory (an import in the app).
pub fn parse(bytes: &[u8]) -> Result<Loaded> {
    read_all(bytes)
}

/// Every record, read front to back through the records' own lengths,
/// each checked against what the file holds: a file is never read whole
/// into one buffer, and nothing is kept before its checksum is verified
/// (a sparse multi-GB file costs reading time, not memory).
fn read_all(file: &(impl ReadAt + ?Sized)) -> Result<Loaded> {
    let size = file.size();
    let (mut records, mut locs, base, sum) = read_base(file)?;
    let mut at = base;
    let mut end = base;
    while let Some(frame_len) = frame_at(file, at, sum) {
        let body_start = at + 16;
        // Checked whole (its hash, read a piece at a time) before it is read.
        let body = file
            .read_at(body_start, frame_len)
            .map_err(|e| corrupt(format!("the lab file cannot be read at byte {at} ({e})")))?;
        let Ok(frame) = Frame::parse(&body) else {
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
                    hash: sum.of(value),
                },
            );
            records.insert(key, value.to_vec());
        }
        at = body_start + frame_len + TRAILER;
        end = at;
    }
    // A frame that fails its checks is a save that did not finish only if
    // nothing whole follows it; otherwise it is damage, never passed over.
    if let Some(later) = later_frame(file, end, sum)? {
        return Err(corrupt(format!(
            "the lab file is damaged: the save at byte {end} does not match its checksum, and a later save (at byte {later}) follows it; nothing was changed"
        )));
    }
    Ok(Loaded {
        records,
        locs,
        end,
        base,
        whole: true,
        ignored: size - end,
        sum,
    })
}

/// The first whole frame starting after `end` (not at it), if any: the
/// rest of the file scanned a piece at a time for the frame magic.
fn later_frame(file: &(impl ReadAt + ?Sized), end: u64, sum: FileSum) -> Result<Option<u64>> {
    const PIECE: u64 = 1 << 20;
    let size = file.size();
    let mut from = end + 1;
    while from + 8 <= size {
        // Pieces overlap by 7 bytes, so a magic across two is seen once.
        let n = (PIECE + 7).min(size - from);
        let piece = file
            .read_at(from, n)
            .map_err(|e| corrupt(format!("the lab file cannot be read at byte {from} ({e})")))?;
        for i in 0..piece.len().saturating_sub(7) {
            let at = from + i as u64;
            if piece[i..].starts_with(FRAME_MAGIC) && frame_at(file, at, sum).is_some() {
                return Ok(Some(at));
            }
        }
        from += n.saturating_sub(7).max(1);
    }
    Ok(None)
}

/// The body length of a whole frame starting at `at`, if one does: its
/// lengths and magics first, then its body's hash, read a piece at a time.
fn frame_at(file: &(impl ReadAt + ?Sized), at: u64, sum: FileSum) -> Option<u64> {
    let size = file.size();
    let head = file.read_at(at, 16).ok()?;
    if &head[..8] != FRAME_MAGIC {
        return None;
    }
    let len = u64::from_le_bytes(head[8..16].try_into().ok()?);
    let body_start = at + 16;
    let body_end = body_start.checked_add(len)?;
    if body_end.checked_add(TRAILER)? > size {
        return None;
    }
    let trailer = file.read_at(body_end, TRAILER).ok()?;
    let hash = u64::from_le_bytes(trailer[0..8].try_into().ok()?);
    let again = u64::from_le_bytes(trailer[8..16].try_into().ok()?);
    if again != len || &trailer[16..24] != TRAILER_MAGIC {
        return None;
    }
    (hash_range(file, sum, body_start, body_end).ok()? == hash).then_some(len)
}

/// The last frame's body, if the file ends with a whole one: its trailer
/// says where it starts, and [`frame_at`] checks it there.
fn last_frame(file: &(impl ReadAt + ?Sized), size: u64, sum: FileSum) -> Option<Vec<u8>> {
    let trailer = file.read_at(size.checked_sub(TRAILER)?, TRAILER).ok()?;
    let len = u64::from_le_bytes(trailer[8..16].try_into().ok()?);
    let start = size
        .checked_sub(TRAILER)?
        .checked_sub(len)?
        .checked_sub(16)?;
    let mut frame = file.read_at(start, size - start).ok()?;
    (frame_at(frame.as_slice(), 0, sum)? == len).then(|| {
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
/// file of this format's checksum whose records are located by `locs`, with
/// the index of what the lab left in `records` opens from. `None` when a
/// record it needs has no known place (then the file is written anew).
pub fn frame(
    locs: &BTreeMap<String, Loc>,
    records: &BTreeMap<String, Vec<u8>>,
    changes: &Batch,
    base: u64,
    at: u64,
) -> Option<Vec<u8>> {
    frame_summed(FileSum::default(), locs, records, changes, (base, at))
}

/// [`frame`], for a file whose checksum is `sum` (an older file keeps its own).
pub fn frame_summed(
    sum: FileSum,
    locs: &BTreeMap<String, Loc>,
    records: &BTreeMap<String, Vec<u8>>,
    changes: &Batch,
    (base, at): (u64, u64),
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
                hash: sum.of(value),
            },
        );
        body.extend_from_slice(value);
    }
    body.extend_from_slice(&(changes.deletes.len() as u64).to_le_bytes());
    for key in &changes.deletes {
        put_key(&mut body, key);
    }
    let newest = newest_checkpoint(records.keys());
    let needed: Vec<&String> = records.keys().filter(|k| opens_from(k, newest)).collect();
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
    out.extend_from_slice(&sum.of(&body).to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(TRAILER_MAGIC);
    Some(out)
}

/// A state file written anew: the export of `records`, then a frame with
/// no changes and the index, so the next run opens through it.
pub fn write_new(records: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let (mut out, locs) = export_located(records);
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

/// The first bytes of an exported lab file.
pub const EXPORT_MAGIC: &[u8; 8] = b"SNAPLAB\0";
/// 2: XXH64 checksums (base, frames, index), read several times faster
/// than format 1's FNV-1a ([`FileSum`]). Format 1 files are still read
/// (and a frame appended to one keeps its checksum).
pub const EXPORT_FORMAT: u32 = 2;

/// Every record in one file: magic, format, count, then (key length u32,
/// key, value length u64, value) per record, then the checksum
/// ([`FileSum`]: XXH64 since format 2) of all that came before.
/// Little-endian throughout.
pub fn export(records: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    export_located(records).0
}

/// [`export`], and where each record's value is in it.
pub fn export_located(records: &BTreeMap<String, Vec<u8>>) -> (Vec<u8>, BTreeMap<String, Loc>) {
    let mut out = Vec::new();
    let mut locs = BTreeMap::new();
    out.extend_from_slice(EXPORT_MAGIC);
    out.extend_from_slice(&EXPORT_FORMAT.to_le_bytes());
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for (key, value) in records {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        locs.insert(
            key.clone(),
            Loc {
                offset: out.len() as u64,
                len: value.len() as u64,
                hash: FileSum::default().of(value),
            },
        );
        out.extend_from_slice(value);
    }
    let sum = FileSum::default().of(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    (out, locs)
}

/// Reads a file front to back a piece at a time, hashing (the file's
/// [`FileSum`]) what it passes: every length taken from the file is checked
/// against what is left before anything is read or kept for it.
struct Cursor<'f, F: ReadAt + ?Sized> {
    file: &'f F,
    size: u64,
    at: u64,
    hash: Summing,
    piece: Vec<u8>,
    piece_at: u64,
}

impl<'f, F: ReadAt + ?Sized> Cursor<'f, F> {
    const PIECE: u64 = 1 << 20;

    fn new(file: &'f F, sum: FileSum) -> Self {
        Cursor {
            file,
            size: file.size(),
            at: 0,
            hash: sum.start(),
            piece: Vec::new(),
            piece_at: 0,
        }
    }

    /// Passes `n` bytes, hashing them, and keeps them in `keep` if given.
    fn advance(&mut self, mut n: u64, mut keep: Option<&mut Vec<u8>>) -> Result<()> {
        if self.at.checked_add(n).is_none_or(|end| end > self.size) {
            return Err(corrupt("the lab file ends too early".into()));
        }
        if let Some(keep) = keep.as_deref_mut() {
            keep.reserve(n as usize);
        }
        while n > 0 {
            let offset = self.at - self.piece_at;
            if self.at < self.piece_at || offset >= self.piece.len() as u64 {
                let len = Self::PIECE.min(self.size - self.at);
                self.piece = self.file.read_at(self.at, len).map_err(|e| {
                    corrupt(format!(
                        "the lab file cannot be read at byte {} ({e})",
                        self.at
                    ))
                })?;
                self.piece_at = self.at;
                continue;
            }
            let take = n.min(self.piece.len() as u64 - offset) as usize;
            let bytes = &self.piece[offset as usize..offset as usize + take];
            self.hash.update(bytes);
            if let Some(keep) = keep.as_deref_mut() {
                keep.extend_from_slice(bytes);
            }
            self.at += take as u64;
            n -= take as u64;
        }
        Ok(())
    }

    fn bytes(&mut self, n: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.advance(n, Some(&mut out))?;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.bytes(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.bytes(8)?.try_into().expect("8 bytes"),
        ))
    }
}

/// An export at the start of `file`: its records, where each value is, and
/// where it ends (frames may follow). Read twice: once through its lengths
/// to verify its checksum, keeping nothing, then again to keep its records,
/// so memory is only ever spent on records a whole, checked base holds.
#[allow(clippy::type_complexity)]
fn read_base(
    file: &(impl ReadAt + ?Sized),
) -> Result<(
    BTreeMap<String, Vec<u8>>,
    BTreeMap<String, Loc>,
    u64,
    FileSum,
)> {
    let foreign = |why: &str| corrupt(format!("this is not a Snaplab lab file ({why})"));
    let size = file.size();
    let sum = FileSum::of_file(file).filter(|_| size >= 28);
    let Some(sum) = sum else {
        return Err(foreign("it does not start with SNAPLAB"));
    };
    let mut check = Cursor::new(file, sum);
    let count = read_header(&mut check)?;
    for _ in 0..count {
        let key_len = check.u32()?;
        check.advance(u64::from(key_len), None)?;
        let value_len = check.u64()?;
        check.advance(value_len, None)?;
    }
    let expected = check.hash.finish();
    if check.u64()? != expected {
        return Err(corrupt(
            "the lab file is damaged: its checksum does not match".into(),
        ));
    }
    let mut read = Cursor::new(file, sum);
    read_header(&mut read)?;
    let mut records = BTreeMap::new();
    let mut locs = BTreeMap::new();
    for _ in 0..count {
        let key_len = read.u32()?;
        let key = String::from_utf8(read.bytes(u64::from(key_len))?)
            .map_err(|_| foreign("a key is not text"))?;
        let value_len = read.u64()?;
        let offset = read.at;
        let value = read.bytes(value_len)?;
        locs.insert(
            key.clone(),
            Loc {
                offset,
                len: value_len,
                hash: 0,
            },
        );
        records.insert(key, value);
    }
    // Hashes are filled in by whoever needs them (the native state file).
    Ok((records, locs, check.at, sum))
}

/// An export's magic, format and record count; the count checked against
/// the bytes left.
fn read_header(cursor: &mut Cursor<'_, impl ReadAt + ?Sized>) -> Result<u64> {
    cursor.advance(8, None)?;
    let format = cursor.u32()?;
    if format > EXPORT_FORMAT {
        return Err(corrupt(format!(
            "the lab file has format {format}, newer than this Snaplab reads ({EXPORT_FORMAT})"
        )));
    }
    let count = cursor.u64()?;
    // Each record takes at least its two lengths (12 bytes), between the
    // header (magic, format, count: 20 bytes) and the checksum (8): a count
    // the bytes left cannot hold is refused now, before anything is read.
    let left = cursor.size - 28;
    if count > left / 12 {
        return Err(corrupt(format!(
            "the lab file is damaged: it claims {count} records, and its {left} bytes hold at most {}",
            left / 12
        )));
    }
    Ok(count)
}
