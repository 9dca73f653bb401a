//! The data plane of disks and snapshots: the SAS URLs `beginGetAccess`
//! hands out, served path-style on this server
//! (`{base}/md-XXXXXXXX/{container}/abcd?sv=…&sig=…`). Reads: Get Blob
//! Properties (HEAD), Get Blob with a range, and Get Page Ranges (of a
//! snapshot or a disk) with its diff against an older snapshot of the
//! family (`x-ms-previous-snapshot-url`), `marker`/`NextMarker` and
//! `maxresults`, all from the engine (`Lab::page_ranges`). Writes: Put Page
//! (update and clear) through a disk's write SAS while it is uploaded
//! (`ActiveUpload`), as the engine's `Write` and `Clear`. Errors are the Blob
//! service's XML with `x-ms-error-code`.

use snaplab_engine::cmd::{self, WriteData};
use snaplab_engine::diff::PageRangesRequest;
use snaplab_engine::model::UploadStage;
use snaplab_engine::page_map::PageMap;
use snaplab_engine::rest;
use snaplab_engine::units::PAGE_SIZE;
use snaplab_engine::Command;
use snaplab_engine::EngineError;

use super::arm::{Reply, Request};
use super::lab::Served;

/// The signature the engine puts in every SAS it grants.
const SIGNATURE: &str = "SIMULATED";
/// The most one ranged read returns (a simulator limit: a read is built in memory).
pub const MAX_READ: u64 = 64 << 20;
/// The most one Put Page writes (the Blob service's limit: 4 MiB).
pub const MAX_PUT_PAGE: u64 = 4 << 20;

/// Is this a request for a disk's or snapshot's data?
pub fn is_data_plane(path: &str) -> bool {
    path.trim_start_matches('/').starts_with("md-")
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        headers: vec![("x-ms-error-code", code.to_string())],
        body: Some((
            "application/xml",
            rest::storage_error_xml(code, message).into_bytes(),
        )),
    }
}

/// An engine refusal as the Blob service answers it.
fn refused(e: &EngineError) -> Reply {
    let status = match e.code() {
        "InvalidPageRange" => 416,
        "PreviousSnapshotNotFound" | "SnapshotDiffAcrossSizeBoundary" => 409,
        _ => 400,
    };
    error(status, e.code(), &e.to_string())
}

/// What a SAS URL's container names: a snapshot or a disk (by unique id).
enum Target<'l> {
    Snapshot(&'l snaplab_engine::model::Snapshot),
    Disk(&'l snaplab_engine::model::Disk),
}

impl Target<'_> {
    fn size(&self) -> u64 {
        match self {
            Target::Snapshot(s) => s.disk_size_bytes,
            Target::Disk(d) => d.data.size_bytes(),
        }
    }
    fn pages(&self) -> &PageMap {
        match self {
            Target::Snapshot(s) => &s.content,
            Target::Disk(d) => d.data.page_map(),
        }
    }
    /// `ETag` and `Last-Modified`: a snapshot never changes; a disk changes
    /// with the lab (its revision, the log's length, tells them apart).
    fn version_headers(&self, lab: &snaplab_engine::Lab) -> [(&'static str, String); 2] {
        let (unique_id, revision, at) = match self {
            Target::Snapshot(s) => (&s.unique_id, 0, s.time_created),
            Target::Disk(d) => (&d.unique_id, lab.log().len(), lab.now()),
        };
        let modified = super::storage::clock::parse_iso(&at.to_azure_string())
            .map(httpdate::fmt_http_date)
            .unwrap_or_default();
        let id: String = unique_id.chars().filter(|c| *c != '-').take(8).collect();
        [
            ("etag", format!("\"0x8D{id}{revision:08X}\"")),
            ("last-modified", modified),
        ]
    }

    fn sas_until(&self) -> Option<snaplab_engine::clock::Instant> {
        match self {
            Target::Snapshot(s) => s.sas_until,
            Target::Disk(d) => d.sas_until,
        }
    }

    fn sas_active(&self) -> bool {
        match self {
            Target::Snapshot(s) => s.sas_active,
            Target::Disk(d) => d.sas_active || d.upload == Some(UploadStage::Active),
        }
    }
}

/// The resource a SAS URL's container names, if its SAS is valid and
/// grants `permission` (`'r'` to read, `'w'` to write).
fn authorise<'l>(
    lab: &'l snaplab_engine::Lab,
    req: &Request,
    permission: char,
) -> Result<Target<'l>, Reply> {
    let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let [_account, container, _blob] = parts.as_slice() else {
        return Err(error(400, "InvalidUri", "A disk's or snapshot's SAS URL is /md-XXXXXXXX/CONTAINER/abcd?… (what beginGetAccess returned)."));
    };
    let target = lab
        .snapshots()
        .find(|s| s.unique_id.replace('-', "").eq_ignore_ascii_case(container))
        .map(Target::Snapshot)
        .or_else(|| {
            lab.disks()
                .find(|d| d.unique_id.replace('-', "").eq_ignore_ascii_case(container))
                .map(Target::Disk)
        })
        .ok_or_else(|| error(404, "BlobNotFound", "The specified blob does not exist."))?;
    if req.param("sig") != Some(SIGNATURE) {
        return Err(error(403, "AuthenticationFailed", "Server failed to authenticate the request: the SAS signature does not match what beginGetAccess granted."));
    }
    if !target.sas_active() {
        return Err(error(403, "AuthenticationFailed", "Server failed to authenticate the request: access was revoked (endGetAccess), ran out, or was never granted."));
    }
    if let Some(until) = target.sas_until().filter(|t| lab.now() >= *t) {
        return Err(error(403, "AuthenticationFailed", &format!("Server failed to authenticate the request. Signed expiry time [{}] has to be after current time [{}] (the lab's clock).", until.to_azure_string(), lab.now().to_azure_string())));
    }
    if !req.param("sp").is_some_and(|p| p.contains(permission)) {
        let wanted = if permission == 'w' {
            "write (grant Write access to a disk created for upload)"
        } else {
            "read"
        };
        return Err(error(403, "AuthorizationPermissionMismatch", &format!("This request is not authorized to perform this operation using this permission: the SAS does not grant {wanted}.")));
    }
    if permission == 'w' {
        let uploading = matches!(target, Target::Disk(d) if d.upload == Some(UploadStage::Active));
        if !uploading {
            return Err(error(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission: only a disk being uploaded (ActiveUpload) is written through its SAS."));
        }
    }
    Ok(target)
}

/// `x-ms-range` (or `Range`): `bytes=START-END`, END optional.
fn byte_range(req: &Request) -> Result<Option<(u64, Option<u64>)>, Reply> {
    let Some(value) = req.header("x-ms-range").or_else(|| req.header("range")) else {
        return Ok(None);
    };
    let invalid = || {
        error(
            400,
            "InvalidHeaderValue",
            &format!("The range '{value}' is not bytes=START-END with START <= END."),
        )
    };
    parse_byte_range(value).map(Some).ok_or_else(invalid)
}

/// `bytes=START-END` (END optional, never before START), as the Blob
/// service reads `x-ms-range`, `Range` and `x-ms-source-range`; `None` if
/// it is not that. The data plane and the storage account both read ranges
/// with it, each answering a bad one in its own words.
pub(super) fn parse_byte_range(value: &str) -> Option<(u64, Option<u64>)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => None,
        e => Some(e.parse::<u64>().ok()?),
    };
    (end.is_none_or(|e| e >= start)).then_some((start, end))
}

/// Answers one data-plane request: a write (Put Page) on the lab, or a read.
pub fn route_mut(served: &mut Served, req: &Request) -> Reply {
    let is_put_page = req.method == "PUT"
        && req
            .param("comp")
            .is_some_and(|c| c.eq_ignore_ascii_case("page"));
    if !is_put_page {
        return route(served, req);
    }
    with_version(put_page(served, req).unwrap_or_else(|r| r), req)
}

/// Every answer names the service version: the one the client asked for.
pub(super) fn with_version(mut reply: Reply, req: &Request) -> Reply {
    reply.headers.push((
        "x-ms-version",
        req.header("x-ms-version")
            .unwrap_or("2021-08-06")
            .to_string(),
    ));
    reply
}

/// Answers one data-plane read.
pub fn route(served: &Served, req: &Request) -> Reply {
    let lab = served.lab();
    let target = match authorise(lab, req, 'r') {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let size = target.size();
    let common = |mut reply: Reply| {
        reply.headers.push(("x-ms-blob-type", "PageBlob".into()));
        reply.headers.extend(target.version_headers(lab));
        with_version(reply, req)
    };
    match (req.method, req.param("comp")) {
        ("HEAD", None) => {
            let mut reply = Reply::empty(200);
            reply.headers.push(("content-length", size.to_string()));
            reply.headers.push(("accept-ranges", "bytes".into()));
            common(reply)
        }
        ("GET", None) => common(read(&target, req).unwrap_or_else(|r| r)),
        ("GET", Some(comp)) if comp.eq_ignore_ascii_case("pagelist") => {
            common(page_list(lab, &target, req).unwrap_or_else(|r| r))
        }
        _ => error(501, "NotImplemented", &format!("snaplab serve does not serve {} {} on a disk's or snapshot's SAS URL: it serves HEAD, GET with a range, GET ?comp=pagelist (with x-ms-previous-snapshot-url), and PUT ?comp=page on a disk being uploaded.", req.method, req.path)),
    }
}

/// Put Page: `x-ms-page-write: update` writes the body over the range,
/// `clear` clears it; whole 512-byte pages, at most 4 MiB, on a disk being
/// uploaded. The engine's `Write` or `Clear`, so the lab's rules and its
/// log see it as any other write.
fn put_page(served: &mut Served, req: &Request) -> Result<Reply, Reply> {
    let (group, disk) = match authorise(served.lab(), req, 'w')? {
        Target::Disk(d) => (d.at.group.clone(), d.at.name.clone()),
        Target::Snapshot(_) => unreachable!("authorise lets only a disk be written"),
    };
    let (start, end) = match byte_range(req)? {
        Some((start, Some(end))) => (start, end),
        _ => {
            return Err(error(
                400,
                "MissingRequiredHeader",
                "Put Page needs x-ms-range (or Range): bytes=START-END, whole 512-byte pages.",
            ))
        }
    };
    let length = end - start + 1;
    if start % PAGE_SIZE != 0 || length % PAGE_SIZE != 0 {
        return Err(error(416, "InvalidPageRange", &format!("The page range bytes={start}-{end} is not whole 512-byte pages: START must be a multiple of 512 and END one less than a multiple of 512.")));
    }
    let command: Command = match req
        .header("x-ms-page-write")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("update") => {
            if length > MAX_PUT_PAGE || req.body.len() as u64 > MAX_PUT_PAGE {
                return Err(error(413, "RequestBodyTooLarge", &format!("The request body is too large and exceeds the maximum permissible limit: Put Page writes at most {MAX_PUT_PAGE} bytes (4 MiB).")));
            }
            if req.body.len() as u64 != length {
                return Err(error(400, "InvalidHeaderValue", &format!("The body is {} bytes but the range bytes={start}-{end} is {length}: they must be the same.", req.body.len())));
            }
            cmd::Write {
                group,
                disk,
                offset: start,
                data: WriteData::bytes(req.body.to_vec()),
            }
            .into()
        }
        Some("clear") => {
            if !req.body.is_empty() {
                return Err(error(
                    400,
                    "InvalidHeaderValue",
                    "Put Page with x-ms-page-write: clear takes no body.",
                ));
            }
            cmd::Clear {
                group,
                disk,
                offset: start,
                length,
            }
            .into()
        }
        Some(other) => {
            return Err(error(
                400,
                "InvalidHeaderValue",
                &format!("x-ms-page-write '{other}' is not valid: use update or clear."),
            ))
        }
        None => {
            return Err(error(
                400,
                "MissingRequiredHeader",
                "Put Page needs x-ms-page-write: update or clear.",
            ))
        }
    };
    served.execute(command).map_err(|e| refused(&e))?;
    let mut reply = Reply::empty(201);
    reply
        .headers
        .push(("x-ms-blob-sequence-number", "0".into()));
    reply
        .headers
        .push(("x-ms-request-server-encrypted", "true".into()));
    Ok(reply)
}

/// Get Blob: bytes `start..=end` (206), or the whole blob if it is small.
fn read(target: &Target, req: &Request) -> Result<Reply, Reply> {
    let size = target.size();
    let (start, end, partial) = match byte_range(req)? {
        Some((start, end)) => (
            start,
            end.unwrap_or(size.saturating_sub(1))
                .min(size.saturating_sub(1)),
            true,
        ),
        None => (0, size.saturating_sub(1), false),
    };
    if start >= size {
        return Err(error(
            416,
            "InvalidRange",
            &format!("The range starts at {start}, past the end of the {size}-byte blob."),
        ));
    }
    let length = end - start + 1;
    if length > MAX_READ {
        return Err(error(400, "InvalidRange", &format!("snaplab serve reads at most {MAX_READ} bytes per request (a simulator limit): ask for a range (x-ms-range: bytes=START-END).")));
    }
    // The page map reads whole pages: read the pages around the range, keep the range.
    let first = start / PAGE_SIZE;
    let last = end / PAGE_SIZE;
    let mut pages = vec![0u8; ((last - first + 1) * PAGE_SIZE) as usize];
    target.pages().read_into(first, &mut pages);
    let skip = (start - first * PAGE_SIZE) as usize;
    let bytes = pages[skip..skip + length as usize].to_vec();
    let mut reply = Reply {
        status: if partial { 206 } else { 200 },
        headers: Vec::new(),
        body: Some(("application/octet-stream", bytes)),
    };
    if partial {
        reply
            .headers
            .push(("content-range", format!("bytes {start}-{end}/{size}")));
    }
    Ok(reply)
}

/// Get Page Ranges, or with `x-ms-previous-snapshot-url` the diff.
fn page_list(lab: &snaplab_engine::Lab, target: &Target, req: &Request) -> Result<Reply, Reply> {
    if req.param("prevsnapshot").is_some() {
        return Err(error(400, "InvalidQueryParameterValue", "prevsnapshot names a blob snapshot; a managed snapshot's diff takes x-ms-previous-snapshot-url (the older snapshot's SAS URL)."));
    }
    // An open range (`bytes=0-`, which the JavaScript SDK sends) runs to the end.
    let byte_range = byte_range(req)?
        .map(|(start, end)| (start, end.unwrap_or(target.size().saturating_sub(1))));
    let max_results = match req.param("maxresults") {
        None => None,
        Some(n) => Some(n.parse::<usize>().map_err(|_| {
            error(
                400,
                "InvalidQueryParameterValue",
                &format!("maxresults '{n}' is not a whole number."),
            )
        })?),
    };
    let previous = match req.header("x-ms-previous-snapshot-url") {
        None => None,
        Some(url) => Some(
            lab.snapshot_by_sas(url)
                .map_err(|_| {
                    error(
                        409,
                        "PreviousSnapshotNotFound",
                        "The x-ms-previous-snapshot-url is not an active SAS URL of a snapshot.",
                    )
                })?
                .id(),
        ),
    };
    let request = PageRangesRequest {
        byte_range,
        marker: req.param("marker").map(str::to_string),
        max_results,
    };
    let list = match target {
        Target::Snapshot(snapshot) => lab.page_ranges(
            &snapshot.at.group,
            &snapshot.id(),
            previous.as_deref(),
            &request,
        ),
        Target::Disk(_) if previous.is_some() => {
            return Err(error(400, "InvalidHeaderValue", "x-ms-previous-snapshot-url diffs a snapshot against an older one: list a disk's page ranges without it, or diff two of its snapshots."))
        }
        Target::Disk(disk) => snaplab_engine::diff::blob_page_ranges(
            disk.data.page_map(),
            disk.data.size_bytes(),
            &request,
        ),
    }
    .map_err(|e| refused(&e))?;
    Ok(Reply {
        status: 200,
        headers: vec![("x-ms-blob-content-length", target.size().to_string())],
        body: Some(("application/xml", list.to_xml().into_bytes())),
    })
}
