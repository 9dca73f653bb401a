//! Checking a lab file whole and recovering what verifies: `snaplab check`
//! and `snaplab recover`.
//!
//! Opening a lab reads only what it opens from; this walks everything: the
//! base (an export, its checksum), then every frame (its checksum), and
//! verifies each record the last whole frame's index names against its own
//! hash. Damage in the middle does not end the walk: the next frame is
//! found by its magic and its checksum, so frames after a damaged one still
//! count, and a record whose bytes match an index's hash is kept even where
//! the frame or base around it is damaged. What cannot be verified is
//! dropped, and the report names it.
//!
//! The file is read part by part through [`ReadAt`], each length checked
//! against the file's size first, so a crafted length allocates nothing.

use std::collections::BTreeMap;

use crate::state_file::{FileSum, Loc, ReadAt};
use crate::store;

const FRAME_MAGIC: &[u8; 8] = b"SLFRAME1";
const TRAILER_MAGIC: &[u8; 8] = b"SLSTATE1";
/// How much of the file a search for the next frame reads at a time.
const WINDOW: u64 = 1 << 20;

/// One part of the file: the base or a frame, or a damaged stretch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    pub offset: u64,
    pub len: u64,
    /// What is wrong with it; `None` when it verifies.
    pub problem: Option<String>,
    pub puts: usize,
    pub deletes: usize,
}

/// What [`check`] found.
#[derive(Debug, Clone)]
pub struct Report {
    pub size: u64,
    /// The base, then each frame or damaged stretch, in file order.
    pub parts: Vec<Part>,
    /// Records the last whole frame's index names, and how many verify.
    pub indexed: usize,
    pub indexed_ok: usize,
    /// What was dropped, one line each.
    pub dropped: Vec<String>,
    /// Every record that verifies: what `recover` writes.
    pub recovered: BTreeMap<String, Vec<u8>>,
    /// Does a lab open from them (and with how many operations)?
    pub opens: std::result::Result<usize, String>,
}

impl Report {
    /// Nothing damaged, nothing dropped, and the lab opens.
    pub fn is_clean(&self) -> bool {
        self.parts.iter().all(|p| p.problem.is_none())
            && self.dropped.is_empty()
            && self.opens.is_ok()
    }

    /// The report, for people: one line per finding.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let frames = self
            .parts
            .iter()
            .skip(1)
            .filter(|p| p.problem.is_none())
            .count();
        for part in self.parts.iter().filter(|p| p.problem.is_some()) {
            lines.push(format!(
                "damaged: bytes {}..{} ({} bytes): {}",
                part.offset,
                part.offset + part.len,
                part.len,
                part.problem.as_deref().unwrap_or_default()
            ));
        }
        for dropped in &self.dropped {
            lines.push(format!("dropped: {dropped}"));
        }
        lines.push(format!(
            "{} bytes: base {}, {frames} whole frame(s); the last index names {} record(s), {} verify",
            self.size,
            if self.parts.first().is_some_and(|p| p.problem.is_none()) { "verifies" } else { "damaged" },
            self.indexed,
            self.indexed_ok
        ));
        lines.push(match &self.opens {
            Ok(operations) => format!(
                "the lab opens from what verifies: {} record(s), {operations} operation(s)",
                self.recovered.len()
            ),
            Err(e) => format!("nothing that verifies opens as a lab: {e}"),
        });
        lines.push(if self.is_clean() {
            "clean: every record and frame verifies".to_string()
        } else {
            "DAMAGED: `snaplab recover FILE --to NEW` writes a new lab file from what verifies"
                .to_string()
        });
        lines
    }

    /// The lab file `recover` writes: every record that verifies, in a new
    /// file (base and index). An error when no lab opens from them.
    pub fn recovered_file(&self) -> std::result::Result<Vec<u8>, String> {
        self.opens.clone()?;
        Ok(crate::state_file::write_new(&self.recovered))
    }
}

/// Walks the whole file; never fails (a file that is not a lab file is one
/// damaged part).
pub fn check(file: &(impl ReadAt + ?Sized)) -> Report {
    let size = file.size();
    let mut report = Report {
        size,
        parts: Vec::new(),
        indexed: 0,
        indexed_ok: 0,
        dropped: Vec::new(),
        recovered: BTreeMap::new(),
        opens: Err(String::new()),
    };
    // The file's checksum, by its base's format (the newest if unreadable).
    let sum = FileSum::of_file(file).unwrap_or_default();
    let (base, mut records, base_end) = read_base(file, size, sum);
    let base_ok = base.problem.is_none();
    report.parts.push(base);
    // Every (offset, len) → hash any whole frame's index vouches for.
    let mut vouched: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let mut last_index = Vec::new();
    let mut at = base_end;
    while at < size {
        match read_frame(file, at, size, sum) {
            Some((len, frame)) => {
                for key in &frame.deletes {
                    records.remove(key);
                }
                for (key, loc) in &frame.puts {
                    records.insert(key.clone(), (*loc, true));
                }
                for (_, loc) in &frame.index {
                    vouched.insert((loc.offset, loc.len), loc.hash);
                }
                report.parts.push(Part {
                    offset: at,
                    len,
                    puts: frame.puts.len(),
                    deletes: frame.deletes.len(),
                    problem: None,
                });
                last_index = frame.index;
                at += len;
            }
            None => {
                let next = next_frame(file, at + 1, size, sum).unwrap_or(size);
                let problem = if next == size {
                    "not a whole frame (a save that did not finish, or damage); runs pass over it"
                } else {
                    "a frame that does not match its checksum; the frames after it still count"
                };
                report.parts.push(Part {
                    offset: at,
                    len: next - at,
                    problem: Some(problem.into()),
                    ..Part::default()
                });
                at = next;
            }
        }
    }
    collect(
        file,
        &mut report,
        (records, base_ok),
        &vouched,
        last_index,
        sum,
    );
    report
}

/// Reads the values of what survived, verifying each: a frame's puts by
/// the frame's checksum, the base's by its checksum, and failing those, by
/// a hash an index vouches for. Then the last index wins, where it verifies.
fn collect(
    file: &(impl ReadAt + ?Sized),
    report: &mut Report,
    (records, base_ok): (BaseRecords, bool),
    vouched: &BTreeMap<(u64, u64), u64>,
    last_index: Vec<(String, Loc)>,
    sum: FileSum,
) {
    for (key, (loc, in_frame)) in records {
        let Ok(value) = file.read_at(loc.offset, loc.len) else {
            continue;
        };
        let verified =
            in_frame || base_ok || vouched.get(&(loc.offset, loc.len)) == Some(&sum.of(&value));
        if verified {
            report.recovered.insert(key, value);
        } else {
            report.dropped.push(format!(
                "record {key}: in the damaged base, and no index vouches for it"
            ));
        }
    }
    report.indexed = last_index.len();
    for (key, loc) in last_index {
        match file.read_at(loc.offset, loc.len) {
            Ok(value) if sum.of(&value) == loc.hash => {
                report.indexed_ok += 1;
                report.recovered.insert(key, value);
            }
            _ => report.dropped.push(format!(
                "record {key} (bytes {}..{}, named by the last index): it does not match its checksum",
                loc.offset,
                loc.offset + loc.len
            )),
        }
    }
    report.opens = opens(&mut report.recovered, &mut report.dropped);
}

/// Does a lab open from `records`? As they are; else from the newest
/// checkpoint and the log after it (the history before it dropped, as when
/// an entry of it is lost); else from the log alone (checkpoints dropped and
/// a new one made, as an import does). What is left out is named in `dropped`.
fn opens(
    records: &mut BTreeMap<String, Vec<u8>>,
    dropped: &mut Vec<String>,
) -> std::result::Result<usize, String> {
    if records.is_empty() {
        return Err("no record in it verifies".into());
    }
    // Every checkpoint decoded whole: one that passes its checksums and
    // cannot be read is a finding, not trusted.
    let first = match store::Journal::open_verified(records) {
        Ok(opened) => {
            dropped.extend(
                opened
                    .warnings
                    .iter()
                    .filter(|w| w.contains("cannot be read"))
                    .cloned(),
            );
            return Ok(opened.journal.lab().operations());
        }
        Err(e) => e.to_string(),
    };
    let newest = store::newest_checkpoint(records.keys());
    let recent: BTreeMap<String, Vec<u8>> = records
        .iter()
        .filter(|(k, _)| store::opens_from(k, newest))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if newest.is_some() {
        if let Ok(opened) = store::Journal::open(&recent) {
            let older = records.len() - recent.len();
            dropped.push(format!(
                "{older} log entries before the newest checkpoint (the history before it; the lab itself is in the checkpoint), because {first}"
            ));
            *records = recent;
            return Ok(opened.journal.lab().operations());
        }
    }
    let replayed = store::import(&store::export(records))
        .map_err(|e| format!("{first}; from the log alone: {e}"))?;
    let opened = store::Journal::open(&replayed).map_err(|e| e.to_string())?;
    dropped.push(format!(
        "every checkpoint (the lab is replayed from its log), because {first}"
    ));
    *records = replayed;
    Ok(opened.journal.lab().operations())
}

/// Reads a file from its start in order, hashing what it reads.
struct Hashed<'f, F: ReadAt + ?Sized> {
    file: &'f F,
    size: u64,
    at: u64,
    hash: crate::state_file::Summing,
}

impl<F: ReadAt + ?Sized> Hashed<'_, F> {
    fn take(&mut self, n: u64, what: &str) -> std::result::Result<(u64, Vec<u8>), String> {
        let too_early = || format!("{what} ends too early");
        if self.at.checked_add(n).ok_or_else(too_early)? > self.size {
            return Err(too_early());
        }
        let bytes = self.file.read_at(self.at, n).map_err(|e| e.to_string())?;
        self.hash.update(&bytes);
        self.at += n;
        Ok((self.at - n, bytes))
    }
    fn u32(&mut self, what: &str) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.1.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self, what: &str) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.1.try_into().expect("8 bytes"),
        ))
    }
}

/// A base's records (where each is, not yet verified) and where it ends.
type BaseRecords = BTreeMap<String, (Loc, bool)>;

/// Reads the export at the file's start: each record's place, and where it
/// ends. On damage, what was read so far (unverified), and where the walk
/// goes on: the first whole frame after it.
fn read_base(file: &(impl ReadAt + ?Sized), size: u64, sum: FileSum) -> (Part, BaseRecords, u64) {
    let mut r = Hashed {
        file,
        size,
        at: 0,
        hash: sum.start(),
    };
    let mut records = BTreeMap::new();
    let parsed = (|| -> std::result::Result<u64, String> {
        if r.take(8, "the file")?.1 != store::EXPORT_MAGIC {
            return Err("this is not a Snaplab lab file (it does not start with SNAPLAB)".into());
        }
        let format = r.u32("the file")?;
        if format > store::EXPORT_FORMAT {
            return Err(format!("format {format} is newer than this Snaplab reads"));
        }
        for _ in 0..r.u64("the file")? {
            let key_len = r.u32("a record")?;
            let key = String::from_utf8(r.take(u64::from(key_len), "a record")?.1)
                .map_err(|_| "a key is not text")?;
            let len = r.u64("a record")?;
            let (offset, value) = r.take(len, "a record")?;
            let hash = sum.of(&value);
            records.insert(key, (Loc { offset, len, hash }, false));
        }
        let body_hash = r.hash.finish();
        if r.u64("its checksum")? != body_hash {
            return Err("its checksum does not match".into());
        }
        Ok(r.at)
    })();
    let (end, problem) = match parsed {
        Ok(end) => (end, None),
        Err(e) => (
            next_frame(file, r.at, size, sum).unwrap_or(size),
            Some(format!("the base: {e}")),
        ),
    };
    let part = Part {
        offset: 0,
        len: end,
        problem,
        puts: records.len(),
        deletes: 0,
    };
    (part, records, end)
}

/// A whole frame's parsed body.
struct Frame {
    /// (key, where its value is in the file)
    puts: Vec<(String, Loc)>,
    deletes: Vec<String>,
    index: Vec<(String, Loc)>,
}

/// The frame starting at `at` if a whole one does: its length (header,
/// body, trailer) and body.
fn read_frame(
    file: &(impl ReadAt + ?Sized),
    at: u64,
    size: u64,
    sum: FileSum,
) -> Option<(u64, Frame)> {
    let header = file.read_at(at, 16).ok()?;
    if &header[..8] != FRAME_MAGIC {
        return None;
    }
    let len = u64::from_le_bytes(header[8..16].try_into().ok()?);
    let total = len.checked_add(16 + 24)?;
    if at.checked_add(total)? > size {
        return None;
    }
    let body = file.read_at(at + 16, len).ok()?;
    let trailer = file.read_at(at + 16 + len, 24).ok()?;
    let hash = u64::from_le_bytes(trailer[0..8].try_into().ok()?);
    let again = u64::from_le_bytes(trailer[8..16].try_into().ok()?);
    if sum.of(&body) != hash || again != len || &trailer[16..24] != TRAILER_MAGIC {
        return None;
    }
    Some((total, parse_body(&body, at + 16, sum)?))
}

/// The first offset at or after `from` where a whole frame starts.
fn next_frame(file: &(impl ReadAt + ?Sized), from: u64, size: u64, sum: FileSum) -> Option<u64> {
    let mut start = from;
    while start < size {
        let len = WINDOW.min(size - start);
        let window = file.read_at(start, len).ok()?;
        for i in 0..window.len().saturating_sub(7) {
            if &window[i..i + 8] == FRAME_MAGIC
                && read_frame(file, start + i as u64, size, sum).is_some()
            {
                return Some(start + i as u64);
            }
        }
        // Overlap by 7 bytes: a magic may straddle two windows.
        start += len.saturating_sub(7).max(1);
        if len < 8 {
            break;
        }
    }
    None
}

/// Reads a frame body, every length checked against what is left.
struct Cursor<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64) -> Option<(usize, &'a [u8])> {
        let start = self.at;
        let end = start.checked_add(usize::try_from(n).ok()?)?;
        let slice = self.body.get(start..end)?;
        self.at = end;
        Some((start, slice))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.1.try_into().ok()?))
    }
    fn key(&mut self) -> Option<String> {
        let len = u32::from_le_bytes(self.take(4)?.1.try_into().ok()?);
        String::from_utf8(self.take(u64::from(len))?.1.to_vec()).ok()
    }
}

/// Parses a frame body (see `state_file`'s table) whose first byte is at
/// `body_start` in the file.
fn parse_body(body: &[u8], body_start: u64, sum: FileSum) -> Option<Frame> {
    let mut c = Cursor { body, at: 0 };
    let _base = c.u64()?;
    let mut frame = Frame {
        puts: Vec::new(),
        deletes: Vec::new(),
        index: Vec::new(),
    };
    for _ in 0..c.u64()? {
        let key = c.key()?;
        let len = c.u64()?;
        let (offset, value) = c.take(len)?;
        let loc = Loc {
            offset: body_start + offset as u64,
            len,
            hash: sum.of(value),
        };
        frame.puts.push((key, loc));
    }
    for _ in 0..c.u64()? {
        frame.deletes.push(c.key()?);
    }
    for _ in 0..c.u64()? {
        let key = c.key()?;
        let loc = Loc {
            offset: c.u64()?,
            len: c.u64()?,
            hash: c.u64()?,
        };
        frame.index.push((key, loc));
    }
    (c.at == body.len()).then_some(frame)
}
