//! The differential capability: Get Page Ranges, with and without a previous
//! snapshot (reference sheet, section 5).
//!
//! A diff between two snapshots of one family lists, in offset order, the
//! ranges written since the older one (`PageRange`) and those cleared since
//! (`ClearRange`), with byte offsets and an inclusive `End`. Unchanged ranges
//! do not appear. Adjacent ranges of the same kind are coalesced (Azure does
//! not document whether it merges them; the simulator does, and says so).
//!
//! The work is proportional to what changed, not to the size of the disk:
//! the changed pages are the union of the per-snapshot change sets between
//! the two, and only those are looked up in the newer snapshot's page map.
//! The union is never built: a lazy k-way merge of the change sets yields
//! it in offset order from where a page starts, so one page of a diff
//! across 500 snapshots costs what it returns (times log 500), not the
//! whole union.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::error::{EngineError, Result};
use crate::model::Snapshot;
use crate::page_map::{PageMap, PageRange};
use crate::range_set::RangeSet;
use crate::state::LabState;
use crate::units::PAGE_SIZE;

/// The most ranges one response holds; `NextMarker` continues (section 5).
pub const MAX_RESULTS_CEILING: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RangeKind {
    /// Written since the previous snapshot (or, without one, holding data).
    PageRange,
    /// Cleared since the previous snapshot.
    ClearRange,
}

/// One entry of a `PageList`: bytes `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiffRange {
    #[serde(skip)]
    pub kind: RangeKind,
    pub start: u64,
    pub end: u64,
}

impl DiffRange {
    pub fn bytes(&self) -> u64 {
        self.end + 1 - self.start
    }
}

/// The optional parts of a Get Page Ranges request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRangesRequest {
    /// Only ranges inside `start..=end` (bytes; 512-aligned start, end + 1 aligned).
    pub byte_range: Option<(u64, u64)>,
    /// Continue where an earlier response's `NextMarker` said.
    pub marker: Option<String>,
    /// At most this many ranges (capped at 10,000).
    pub max_results: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageList {
    pub ranges: Vec<DiffRange>,
    pub next_marker: Option<String>,
}

impl PageList {
    pub fn page_bytes(&self) -> u64 {
        self.ranges
            .iter()
            .filter(|r| r.kind == RangeKind::PageRange)
            .map(DiffRange::bytes)
            .sum()
    }
    pub fn clear_bytes(&self) -> u64 {
        self.ranges
            .iter()
            .filter(|r| r.kind == RangeKind::ClearRange)
            .map(DiffRange::bytes)
            .sum()
    }

    /// The response body as the blob service returns it.
    pub fn to_xml(&self) -> String {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList>");
        for r in &self.ranges {
            let tag = match r.kind {
                RangeKind::PageRange => "PageRange",
                RangeKind::ClearRange => "ClearRange",
            };
            xml.push_str(&format!(
                "<{tag}><Start>{}</Start><End>{}</End></{tag}>",
                r.start, r.end
            ));
        }
        match &self.next_marker {
            Some(m) => xml.push_str(&format!("<NextMarker>{m}</NextMarker>")),
            None => xml.push_str("<NextMarker />"),
        }
        xml.push_str("</PageList>");
        xml
    }

    /// The same as JSON, in the shape the SDKs expose (`pageRange`, `clearRange`, interleaved as `ranges`).
    pub fn to_json(&self) -> serde_json::Value {
        let item = |r: &DiffRange| serde_json::json!({ "start": r.start, "end": r.end });
        serde_json::json!({
            "ranges": self.ranges.iter().map(|r| serde_json::json!({
                "kind": match r.kind { RangeKind::PageRange => "PageRange", RangeKind::ClearRange => "ClearRange" },
                "start": r.start,
                "end": r.end,
            })).collect::<Vec<_>>(),
            "pageRange": self.ranges.iter().filter(|r| r.kind == RangeKind::PageRange).map(item).collect::<Vec<_>>(),
            "clearRange": self.ranges.iter().filter(|r| r.kind == RangeKind::ClearRange).map(item).collect::<Vec<_>>(),
            "nextMarker": self.next_marker,
        })
    }
}

impl LabState {
    /// Get Page Ranges of snapshot `name` (id or name in `group`); with
    /// `previous`, the diff against that older snapshot of the same family.
    pub fn page_ranges(
        &self,
        group: &str,
        name: &str,
        previous: Option<&str>,
        request: &PageRangesRequest,
    ) -> Result<PageList> {
        let newer = self.resolve_snapshot(group, name)?;
        let (window, max) = listing(request, newer.disk_size_bytes)?;
        let all = match previous {
            None => {
                // The first snapshot has no predecessor: plain Get Page Ranges, valid ranges only.
                return Ok(written_ranges(&newer.content, window, max));
            }
            Some(prev) => {
                let older = self.resolve_snapshot(group, prev).map_err(|_| {
                    EngineError::PreviousSnapshotNotFound {
                        older: prev.to_string(),
                    }
                })?;
                let deltas = self.deltas_between(older, newer)?;
                classify(&newer.content, merged(&deltas, window), max + 1)
            }
        };
        Ok(paginate(all, max))
    }

    /// The pages changed between two snapshots of one family, checking that a
    /// diff between them is allowed (A4, B6).
    pub fn changed_between(&self, older: &Snapshot, newer: &Snapshot) -> Result<RangeSet> {
        let mut changed = RangeSet::new();
        for delta in self.deltas_between(older, newer)? {
            changed.union_with(delta);
        }
        Ok(changed)
    }

    /// The change sets whose union is what changed between two snapshots of
    /// one family, checking that a diff between them is allowed (A4, B6).
    pub fn deltas_between<'a>(
        &'a self,
        older: &Snapshot,
        newer: &Snapshot,
    ) -> Result<Vec<&'a RangeSet>> {
        let same_family = older.family_id.is_some() && older.family_id == newer.family_id;
        if !same_family {
            return Err(EngineError::DifferentFamily {
                newer: newer.at.name.clone(),
                older: older.at.name.clone(),
            });
        }
        if older.seq > newer.seq {
            return Err(EngineError::PreviousSnapshotCannotBeNewer {
                newer: newer.at.name.clone(),
                older: older.at.name.clone(),
            });
        }
        if older.size_epoch != newer.size_epoch {
            return Err(EngineError::DiffAcrossSizeBoundary {
                newer: newer.at.name.clone(),
                older: older.at.name.clone(),
            });
        }
        Ok(self
            .family(newer.family_id.as_deref().expect("same family"))
            .into_iter()
            .filter(|m| m.seq > older.seq && m.seq <= newer.seq)
            .map(|m| &m.delta)
            .collect())
    }
}

/// The union of `sets` inside `window`, in offset order, touching ranges
/// joined: a k-way merge that reads each set only as far as it is consumed.
fn merged<'a>(sets: &[&'a RangeSet], window: PageRange) -> impl Iterator<Item = PageRange> + 'a {
    let mut sources: Vec<Box<dyn Iterator<Item = PageRange> + 'a>> = sets
        .iter()
        .map(|s| Box::new(s.clipped(window)) as Box<dyn Iterator<Item = PageRange>>)
        .collect();
    // (start, end, source) of each source's next range, smallest start first.
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    for (i, source) in sources.iter_mut().enumerate() {
        if let Some(r) = source.next() {
            heap.push(Reverse((r.start, r.end, i)));
        }
    }
    let mut pop = move || -> Option<(u64, u64)> {
        let Reverse((start, end, i)) = heap.pop()?;
        if let Some(r) = sources[i].next() {
            heap.push(Reverse((r.start, r.end, i)));
        }
        Some((start, end))
    };
    let mut pending = None;
    std::iter::from_fn(move || {
        let (start, mut end) = pending.take().or_else(&mut pop)?;
        loop {
            match pop() {
                Some((s, e)) if s <= end => end = end.max(e),
                next => {
                    pending = next;
                    return Some(PageRange::new(start, end));
                }
            }
        }
    })
}

/// Get Page Ranges with `prevsnapshot` of a page blob: `changed` (the
/// pages written or cleared since the older version) classified against
/// `map` (the newer one's pages), as a managed snapshot's diff is.
pub fn changed_page_ranges(
    map: &PageMap,
    changed: &RangeSet,
    size_bytes: u64,
    request: &PageRangesRequest,
) -> Result<PageList> {
    let (window, max) = listing(request, size_bytes)?;
    Ok(paginate(
        classify(map, changed.clipped(window), max + 1),
        max,
    ))
}

/// Get Page Ranges of a blob `size_bytes` long holding `map` (a disk's,
/// through its SAS): its written ranges, as a snapshot's are listed.
pub fn blob_page_ranges(
    map: &PageMap,
    size_bytes: u64,
    request: &PageRangesRequest,
) -> Result<PageList> {
    let (window, max) = listing(request, size_bytes)?;
    Ok(written_ranges(map, window, max))
}

/// The written ranges of `map` in `window`, at most `max` to a page.
fn written_ranges(map: &PageMap, window: PageRange, max: usize) -> PageList {
    let written = RangeSet::from_ranges(map.written_ranges());
    paginate(classify(map, written.clipped(window), max + 1), max)
}

/// The window a request lists (its range, from its marker on) and the
/// most ranges one answer holds.
fn listing(request: &PageRangesRequest, size_bytes: u64) -> Result<(PageRange, usize)> {
    let window = window_of(request.byte_range, size_bytes)?;
    let max = match request.max_results {
        Some(0) => {
            return Err(EngineError::InvalidParameter {
                reason: "maxresults must be at least 1.".into(),
            })
        }
        Some(n) => n.min(MAX_RESULTS_CEILING),
        None => MAX_RESULTS_CEILING,
    };
    let from = match &request.marker {
        Some(m) => parse_marker(m)?.max(window.start),
        None => window.start,
    };
    Ok((PageRange::new(from.min(window.end), window.end), max))
}

fn window_of(byte_range: Option<(u64, u64)>, size_bytes: u64) -> Result<PageRange> {
    let pages = size_bytes / PAGE_SIZE;
    match byte_range {
        None => Ok(PageRange::new(0, pages)),
        Some((start, end)) => {
            let length = (end + 1).saturating_sub(start);
            if start % PAGE_SIZE != 0 || (end + 1) % PAGE_SIZE != 0 || end < start {
                return Err(EngineError::MisalignedRange {
                    offset: start,
                    length,
                });
            }
            if end + 1 > size_bytes {
                return Err(EngineError::RangePastEnd {
                    offset: start,
                    end: end + 1,
                    disk_size: size_bytes,
                });
            }
            Ok(PageRange::new(start / PAGE_SIZE, (end + 1) / PAGE_SIZE))
        }
    }
}

/// Splits `changed` (ranges in offset order, already inside the window)
/// into written (PageRange) and unwritten (ClearRange) runs of `map`,
/// coalesced, stopping after `limit` ranges.
fn classify(
    map: &PageMap,
    changed: impl Iterator<Item = PageRange>,
    limit: usize,
) -> Vec<DiffRange> {
    let mut out: Vec<DiffRange> = Vec::new();
    let push = |kind: RangeKind, start: u64, end: u64, out: &mut Vec<DiffRange>| {
        let (start, end) = (start * PAGE_SIZE, end * PAGE_SIZE - 1);
        match out.last_mut() {
            Some(last) if last.kind == kind && last.end + 1 == start => last.end = end,
            _ => out.push(DiffRange { kind, start, end }),
        }
    };
    for range in changed {
        let mut at = range.start;
        for (start, extent) in map.overlapping(range) {
            let (s, e) = (
                start.max(range.start),
                (start + extent.pages).min(range.end),
            );
            if s > at {
                push(RangeKind::ClearRange, at, s, &mut out);
            }
            push(RangeKind::PageRange, s, e, &mut out);
            at = e;
        }
        if at < range.end {
            push(RangeKind::ClearRange, at, range.end, &mut out);
        }
        if out.len() > limit {
            break;
        }
    }
    out
}

fn paginate(mut all: Vec<DiffRange>, max: usize) -> PageList {
    if all.len() > max {
        let next = all[max].start;
        all.truncate(max);
        PageList {
            ranges: all,
            next_marker: Some(format!("2!{next}!snaplab")),
        }
    } else {
        PageList {
            ranges: all,
            next_marker: None,
        }
    }
}

fn parse_marker(marker: &str) -> Result<u64> {
    marker
        .strip_prefix("2!")
        .and_then(|rest| rest.strip_suffix("!snaplab"))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|offset| offset % PAGE_SIZE == 0)
        .map(|offset| offset / PAGE_SIZE)
        .ok_or_else(|| EngineError::InvalidMarker {
            marker: marker.to_string(),
        })
}
