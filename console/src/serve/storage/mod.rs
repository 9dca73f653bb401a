//! The development storage account of `snaplab serve`: page blobs to back
//! disks up into, as a backup tool writes them (issue 22, item 4), served
//! path-style at `{base}/devstoreaccount1/…` with the Blob service's REST
//! shapes and errors (XML with `x-ms-error-code`).
//!
//! | request | what |
//! |---|---|
//! | `PUT|GET|HEAD|DELETE ?restype=container` | create, properties, delete a container |
//! | `PUT` with `x-ms-blob-type: PageBlob` | create a page blob (`x-ms-blob-content-length`) |
//! | `PUT ?comp=page` | Put Page (`update` with a body, `clear`), or from a URL (`x-ms-copy-source`, a SAS URL of this server) |
//! | `PUT ?comp=snapshot` | a blob snapshot (`x-ms-snapshot`) |
//! | `GET ?comp=pagelist` | Get Page Ranges, of a snapshot (`snapshot=`), and the diff against an older one (`prevsnapshot=`) |
//! | `GET`, `HEAD` | ranged read, properties, of the blob or a snapshot |
//! | `DELETE` | a blob (with its snapshots) or one snapshot |
//!
//! Every request is authorised by Shared Key or a service SAS (`auth.rs`).
//! The account lives in memory, in real time (SAS expiry is a real time):
//! it is empty when the server starts.

pub mod auth;
pub mod clock;

use std::collections::BTreeMap;
use std::time::SystemTime;

use snaplab_engine::diff::{self, PageRangesRequest};
use snaplab_engine::page_map::{PageMap, PageRange};
use snaplab_engine::payload::Payload;
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::rest;
use snaplab_engine::units::PAGE_SIZE;

use super::arm::{Reply, Request};
use super::blob::{with_version, MAX_PUT_PAGE, MAX_READ};
use super::lab::Served;
use auth::{Permission, DEV_ACCOUNT};

/// The largest page blob (the Blob service's limit: 8 TiB).
const MAX_BLOB_SIZE: u64 = 8 << 40;
/// The most real bytes the account keeps (a simulator limit: it is memory).
const MAX_STORED: u64 = 2 << 30;

/// A refusal, as the Blob service words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl StorageError {
    pub fn new(status: u16, code: &'static str, message: &str) -> StorageError {
        StorageError {
            status,
            code,
            message: message.to_string(),
        }
    }

    fn reply(&self) -> Reply {
        Reply {
            status: self.status,
            headers: vec![("x-ms-error-code", self.code.to_string())],
            body: Some((
                "application/xml",
                rest::storage_error_xml(self.code, &self.message).into_bytes(),
            )),
        }
    }
}

type Answer = Result<Reply, StorageError>;

/// One version of a page blob: the blob itself, or one of its snapshots.
#[derive(Debug, Clone)]
struct Version {
    size: u64,
    map: PageMap,
    /// For a snapshot: the pages written or cleared between the snapshot
    /// before it and this one (what a diff against that one lists).
    delta: RangeSet,
}

#[derive(Debug, Clone)]
struct PageBlob {
    current: Version,
    /// Oldest first, with their ids.
    snapshots: Vec<(String, Version)>,
    etag: u64,
    modified: SystemTime,
    created: SystemTime,
}

#[derive(Debug, Clone)]
struct Container {
    etag: u64,
    modified: SystemTime,
    blobs: BTreeMap<String, PageBlob>,
}

/// The account: its containers, in memory.
#[derive(Debug, Default)]
pub struct Storage {
    containers: BTreeMap<String, Container>,
    /// Bumped by every change: ETags, and distinct snapshot ids.
    tick: u64,
    stored: u64,
    last_snapshot: Option<SystemTime>,
}

/// Is this a request for the storage account?
pub fn is_storage(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    first == DEV_ACCOUNT.name
}

/// The connection string a client uses for the account at `base`.
pub fn connection_string(base: &str) -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName={name};AccountKey={key};BlobEndpoint={base}/{name};",
        name = DEV_ACCOUNT.name,
        key = DEV_ACCOUNT.key
    )
}

fn etag(tick: u64) -> String {
    format!("\"0x8DE{tick:012X}\"")
}

/// `/account/container/blob…`, percent-decoded: (container, blob).
fn names(path: &str) -> Result<(String, Option<String>), StorageError> {
    let rest = path
        .trim_start_matches('/')
        .split_once('/')
        .map_or("", |(_, rest)| rest);
    let decoded = super::percent_decode(rest);
    let (container, blob) = match decoded.split_once('/') {
        Some((c, b)) if !b.is_empty() => (c.to_string(), Some(b.to_string())),
        Some((c, _)) => (c.to_string(), None),
        None => (decoded.clone(), None),
    };
    let valid = (3..=63).contains(&container.len())
        && container
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !container.starts_with('-')
        && !container.contains("--");
    if !valid {
        return Err(StorageError::new(400, "InvalidResourceName", "The specified resource name contains invalid characters: a container name is 3 to 63 lowercase letters, digits and single hyphens."));
    }
    if blob.as_ref().is_some_and(|b| b.len() > 1024) {
        return Err(StorageError::new(
            400,
            "InvalidResourceName",
            "A blob name is at most 1,024 characters.",
        ));
    }
    Ok((container, blob))
}

/// `x-ms-range` or `Range`: `bytes=START-END` (END optional).
fn range_header(req: &Request, name: &str) -> Result<Option<(u64, Option<u64>)>, StorageError> {
    let value = match name {
        "x-ms-range" => req.header("x-ms-range").or_else(|| req.header("range")),
        other => req.header(other),
    };
    let Some(value) = value else { return Ok(None) };
    let invalid = || {
        StorageError::new(400, "InvalidHeaderValue", &format!("The value for one of the HTTP headers is not in the correct format: {name} '{value}' is not bytes=START-END."))
    };
    super::blob::parse_byte_range(value)
        .map(Some)
        .ok_or_else(invalid)
}

/// A whole-page range `bytes=START-END` inside `size`, as pages.
fn page_range(start: u64, end: u64, size: u64) -> Result<PageRange, StorageError> {
    if !start.is_multiple_of(PAGE_SIZE) || !(end + 1).is_multiple_of(PAGE_SIZE) {
        return Err(StorageError::new(416, "InvalidPageRange", &format!("The page range specified is invalid: bytes={start}-{end} is not whole 512-byte pages.")));
    }
    if end >= size {
        return Err(StorageError::new(416, "InvalidPageRange", &format!("The page range specified is invalid: bytes={start}-{end} reaches past the end of the {size}-byte blob.")));
    }
    Ok(PageRange::new(start / PAGE_SIZE, (end + 1) / PAGE_SIZE))
}

impl Storage {
    /// Answers one request for the account. `served` is the lab, read when
    /// a Put Page From URL copies from a disk's or snapshot's SAS URL.
    pub fn route(&mut self, served: &Served, req: &Request, now: SystemTime) -> Reply {
        with_version(
            self.answer(served, req, now).unwrap_or_else(|e| e.reply()),
            req,
        )
    }

    fn answer(&mut self, served: &Served, req: &Request, now: SystemTime) -> Answer {
        let (container, blob) = names(req.path)?;
        let resource = match &blob {
            Some(b) => format!("/{container}/{b}"),
            None => format!("/{container}"),
        };
        let is_container = req
            .param("restype")
            .is_some_and(|r| r.eq_ignore_ascii_case("container"));
        let comp = req.param("comp").map(str::to_ascii_lowercase);
        let needs = match (req.method, comp.as_deref(), is_container) {
            ("GET" | "HEAD", Some("list"), _) => Permission::List,
            ("GET" | "HEAD", _, _) => Permission::Read,
            ("DELETE", _, _) => Permission::Delete,
            ("PUT", Some("page"), _) => Permission::Write,
            _ => Permission::Create,
        };
        DEV_ACCOUNT.authorise(req, &resource, needs, now)?;
        match (blob, is_container) {
            (None, true) => self.container(req, &container, now),
            (Some(blob), false) => self.blob(served, req, &container, &blob, comp.as_deref(), now),
            _ => Err(not_served(req)),
        }
    }

    /// A read of one of this account's blobs, as a copy source: its own SAS
    /// (or none: then the source is refused as Storage refuses it).
    fn read_source(&self, req: &Request) -> Answer {
        let (container, blob) = names(req.path)?;
        let Some(blob) = blob else {
            return Err(not_served(req));
        };
        DEV_ACCOUNT.authorise(
            req,
            &format!("/{container}/{blob}"),
            Permission::Read,
            SystemTime::now(),
        )?;
        self.read(req, &container, &blob)
    }

    fn container(&mut self, req: &Request, name: &str, now: SystemTime) -> Answer {
        let missing = || {
            StorageError::new(
                404,
                "ContainerNotFound",
                "The specified container does not exist.",
            )
        };
        match (req.method, req.param("comp")) {
            ("PUT", None) => {
                if self.containers.contains_key(name) {
                    return Err(StorageError::new(
                        409,
                        "ContainerAlreadyExists",
                        "The specified container already exists.",
                    ));
                }
                self.tick += 1;
                let container = Container {
                    etag: self.tick,
                    modified: now,
                    blobs: BTreeMap::new(),
                };
                let reply = changed(201, container.etag, now);
                self.containers.insert(name.to_string(), container);
                Ok(reply)
            }
            ("GET" | "HEAD", None) => {
                let c = self.containers.get(name).ok_or_else(missing)?;
                let mut reply = changed(200, c.etag, c.modified);
                reply.headers.push(("x-ms-lease-status", "unlocked".into()));
                reply.headers.push(("x-ms-lease-state", "available".into()));
                Ok(reply)
            }
            ("DELETE", None) => {
                let c = self.containers.remove(name).ok_or_else(missing)?;
                self.stored = self.stored.saturating_sub(stored_bytes(c.blobs.values()));
                Ok(Reply::empty(202))
            }
            _ => Err(not_served(req)),
        }
    }

    fn blob(
        &mut self,
        served: &Served,
        req: &Request,
        container: &str,
        name: &str,
        comp: Option<&str>,
        now: SystemTime,
    ) -> Answer {
        if !self.containers.contains_key(container) {
            return Err(StorageError::new(
                404,
                "ContainerNotFound",
                "The specified container does not exist.",
            ));
        }
        match (req.method, comp) {
            ("PUT", None) => self.create(req, container, name, now),
            ("PUT", Some("page")) => self.put_page(served, req, container, name, now),
            ("PUT", Some("snapshot")) => self.snapshot(container, name, now),
            ("GET", Some("pagelist")) => self.page_list(req, container, name),
            ("GET", None) => self.read(req, container, name),
            ("HEAD", None) => self.properties(req, container, name),
            ("DELETE", None) => self.delete(req, container, name),
            _ => Err(not_served(req)),
        }
    }

    fn blob_ref(&self, container: &str, name: &str) -> Result<&PageBlob, StorageError> {
        self.containers
            .get(container)
            .and_then(|c| c.blobs.get(name))
            .ok_or_else(|| {
                StorageError::new(404, "BlobNotFound", "The specified blob does not exist.")
            })
    }

    fn blob_mut(&mut self, container: &str, name: &str) -> Result<&mut PageBlob, StorageError> {
        self.containers
            .get_mut(container)
            .and_then(|c| c.blobs.get_mut(name))
            .ok_or_else(|| {
                StorageError::new(404, "BlobNotFound", "The specified blob does not exist.")
            })
    }

    /// The blob, or its snapshot `snapshot=`.
    fn version(
        &self,
        req: &Request,
        container: &str,
        name: &str,
    ) -> Result<&Version, StorageError> {
        let blob = self.blob_ref(container, name)?;
        match req.param("snapshot") {
            None => Ok(&blob.current),
            Some(id) => blob
                .snapshots
                .iter()
                .find(|(s, _)| s == id)
                .map(|(_, v)| v)
                .ok_or_else(|| {
                    StorageError::new(
                        404,
                        "BlobNotFound",
                        &format!("The specified blob does not exist: it has no snapshot {id}."),
                    )
                }),
        }
    }

    /// Put Blob of a page blob: `x-ms-blob-content-length` bytes of zeros.
    fn create(&mut self, req: &Request, container: &str, name: &str, now: SystemTime) -> Answer {
        match req.header("x-ms-blob-type") {
            Some(t) if t.eq_ignore_ascii_case("PageBlob") => {}
            Some(t) => return Err(StorageError::new(501, "NotImplemented", &format!("snaplab serve's storage account keeps page blobs only (backup targets for disks), not {t}."))),
            None => return Err(StorageError::new(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")),
        }
        let size: u64 = req
            .header("x-ms-blob-content-length")
            .ok_or_else(|| StorageError::new(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-content-length."))?
            .trim()
            .parse()
            .map_err(|_| StorageError::new(400, "InvalidHeaderValue", "x-ms-blob-content-length is not a whole number."))?;
        if !size.is_multiple_of(PAGE_SIZE) || size > MAX_BLOB_SIZE {
            return Err(StorageError::new(400, "InvalidHeaderValue", &format!("The value for one of the HTTP headers is not in the correct format: x-ms-blob-content-length {size} must be a multiple of 512, at most 8 TiB.")));
        }
        self.tick += 1;
        let blob = PageBlob {
            current: Version {
                size,
                map: PageMap::new(),
                delta: RangeSet::new(),
            },
            snapshots: Vec::new(),
            etag: self.tick,
            modified: now,
            created: now,
        };
        let reply = changed(201, blob.etag, now);
        let blobs = &mut self.containers.get_mut(container).expect("checked").blobs;
        if let Some(old) = blobs.insert(name.to_string(), blob) {
            self.stored = self
                .stored
                .saturating_sub(stored_bytes(std::iter::once(&old)));
        }
        Ok(reply)
    }

    fn put_page(
        &mut self,
        served: &Served,
        req: &Request,
        container: &str,
        name: &str,
        now: SystemTime,
    ) -> Answer {
        let size = self.blob_ref(container, name)?.current.size;
        let (start, end) = match range_header(req, "x-ms-range")? {
            Some((start, Some(end))) => (start, end),
            _ => {
                return Err(StorageError::new(
                    400,
                    "MissingRequiredHeader",
                    "Put Page needs x-ms-range (or Range): bytes=START-END.",
                ))
            }
        };
        let range = page_range(start, end, size)?;
        let length = end - start + 1;
        let write = req.header("x-ms-page-write").map(str::to_ascii_lowercase);
        let bytes = match write.as_deref() {
            Some("update") => {
                let bytes = match req.header("x-ms-copy-source") {
                    Some(source) => copy_source(self, served, req, source, length)?,
                    None => req.body.to_vec(),
                };
                if length > MAX_PUT_PAGE || bytes.len() as u64 > MAX_PUT_PAGE {
                    return Err(StorageError::new(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit: Put Page writes at most 4 MiB."));
                }
                if bytes.len() as u64 != length {
                    return Err(StorageError::new(400, "InvalidHeaderValue", &format!("The body is {} bytes but the range bytes={start}-{end} is {length}: they must be the same.", bytes.len())));
                }
                if self.stored + length > MAX_STORED {
                    return Err(StorageError::new(409, "SimulatorStorageFull", &format!("simulated: the development storage account keeps at most {} GiB in memory; delete blobs, or restart snaplab serve.", MAX_STORED >> 30)));
                }
                Some(bytes)
            }
            Some("clear") => None,
            Some(other) => return Err(StorageError::new(400, "InvalidHeaderValue", &format!("x-ms-page-write '{other}' is not valid: use update or clear."))),
            None => return Err(StorageError::new(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-page-write.")),
        };
        self.tick += 1;
        let tick = self.tick;
        if let Some(bytes) = &bytes {
            self.stored += bytes.len() as u64;
        }
        let blob = self.blob_mut(container, name)?;
        match bytes {
            Some(bytes) => blob
                .current
                .map
                .write(range, Payload::bytes(tick, bytes), 0),
            None => blob.current.map.clear(range),
        }
        blob.current.delta.insert(range);
        blob.etag = tick;
        blob.modified = now;
        let mut reply = changed(201, tick, now);
        reply
            .headers
            .push(("x-ms-blob-sequence-number", "0".into()));
        Ok(reply)
    }

    fn snapshot(&mut self, container: &str, name: &str, now: SystemTime) -> Answer {
        // Ids are times to 100 ns, and distinct even when taken together.
        let at = match self.last_snapshot {
            Some(last) if now <= last => last + std::time::Duration::from_nanos(100),
            _ => now,
        };
        self.last_snapshot = Some(at);
        let id = clock::snapshot_id(at);
        let blob = self.blob_mut(container, name)?;
        let mut taken = blob.current.clone();
        taken.delta = std::mem::take(&mut blob.current.delta);
        blob.snapshots.push((id.clone(), taken));
        let mut reply = changed(201, blob.etag, blob.modified);
        reply.headers.push(("x-ms-snapshot", id));
        Ok(reply)
    }

    /// Get Page Ranges; with `prevsnapshot`, what changed since that snapshot.
    fn page_list(&self, req: &Request, container: &str, name: &str) -> Answer {
        if req.header("x-ms-previous-snapshot-url").is_some() {
            return Err(StorageError::new(400, "InvalidHeaderValue", "x-ms-previous-snapshot-url diffs a managed disk's snapshots (their SAS URLs); a blob's diff takes prevsnapshot=<snapshot id>."));
        }
        let blob = self.blob_ref(container, name)?;
        let target = self.version(req, container, name)?;
        // An open range (`bytes=0-`) runs to the end.
        let byte_range = range_header(req, "x-ms-range")?
            .map(|(start, end)| (start, end.unwrap_or(target.size.saturating_sub(1))));
        let max_results = match req.param("maxresults") {
            None => None,
            Some(n) => Some(n.parse::<usize>().map_err(|_| {
                StorageError::new(
                    400,
                    "InvalidQueryParameterValue",
                    &format!("maxresults '{n}' is not a whole number."),
                )
            })?),
        };
        let request = PageRangesRequest {
            byte_range,
            marker: req.param("marker").map(str::to_string),
            max_results,
        };
        let list = match req.param("prevsnapshot") {
            None => diff::blob_page_ranges(&target.map, target.size, &request),
            Some(previous) => {
                let changed = changed_since(blob, previous, req.param("snapshot"))?;
                diff::changed_page_ranges(&target.map, &changed, target.size, &request)
            }
        }
        .map_err(|e| {
            StorageError::new(
                if e.code() == "InvalidPageRange" {
                    416
                } else {
                    400
                },
                e.code(),
                &e.to_string(),
            )
        })?;
        Ok(Reply {
            status: 200,
            headers: vec![
                ("x-ms-blob-content-length", target.size.to_string()),
                ("etag", etag(blob.etag)),
                ("last-modified", httpdate::fmt_http_date(blob.modified)),
            ],
            body: Some(("application/xml", list.to_xml().into_bytes())),
        })
    }

    fn read(&self, req: &Request, container: &str, name: &str) -> Answer {
        let version = self.version(req, container, name)?;
        let (bytes, range) = read_range(version, req)?;
        let mut reply = self.properties(req, container, name)?;
        reply.status = if range.is_some() { 206 } else { 200 };
        reply.headers.retain(|(k, _)| *k != "content-length");
        if let Some((start, end)) = range {
            reply.headers.push((
                "content-range",
                format!("bytes {start}-{end}/{}", version.size),
            ));
        }
        reply.body = Some(("application/octet-stream", bytes));
        Ok(reply)
    }

    fn properties(&self, req: &Request, container: &str, name: &str) -> Answer {
        let blob = self.blob_ref(container, name)?;
        let version = self.version(req, container, name)?;
        let mut reply = changed(200, blob.etag, blob.modified);
        reply.headers.extend([
            ("content-length", version.size.to_string()),
            ("x-ms-blob-type", "PageBlob".to_string()),
            ("x-ms-blob-sequence-number", "0".to_string()),
            ("x-ms-creation-time", httpdate::fmt_http_date(blob.created)),
            ("accept-ranges", "bytes".to_string()),
            ("x-ms-lease-state", "available".to_string()),
            ("x-ms-lease-status", "unlocked".to_string()),
            ("x-ms-server-encrypted", "true".to_string()),
        ]);
        Ok(reply)
    }

    fn delete(&mut self, req: &Request, container: &str, name: &str) -> Answer {
        let blob = self.blob_mut(container, name)?;
        if let Some(id) = req.param("snapshot") {
            let before = blob.snapshots.len();
            blob.snapshots.retain(|(s, _)| s != id);
            if blob.snapshots.len() == before {
                return Err(StorageError::new(
                    404,
                    "BlobNotFound",
                    &format!("The specified blob does not exist: it has no snapshot {id}."),
                ));
            }
            return Ok(Reply::empty(202));
        }
        match req.header("x-ms-delete-snapshots") {
            Some("only") => {
                blob.snapshots.clear();
                return Ok(Reply::empty(202));
            }
            Some("include") => {}
            _ if !blob.snapshots.is_empty() => {
                return Err(StorageError::new(409, "SnapshotsPresent", "This operation is not permitted because the blob has snapshots: give x-ms-delete-snapshots: include (or only)."));
            }
            _ => {}
        }
        let old = self
            .containers
            .get_mut(container)
            .and_then(|c| c.blobs.remove(name));
        self.stored = self.stored.saturating_sub(stored_bytes(old.iter()));
        Ok(Reply::empty(202))
    }
}

/// The pages written or cleared between snapshot `previous` and the
/// target (snapshot `target`, or the blob itself).
fn changed_since(
    blob: &PageBlob,
    previous: &str,
    target: Option<&str>,
) -> Result<RangeSet, StorageError> {
    let index = |id: &str| blob.snapshots.iter().position(|(s, _)| s == id);
    let from = index(previous).ok_or_else(|| {
        StorageError::new(
            409,
            "PreviousSnapshotNotFound",
            "The previous snapshot is not found.",
        )
    })?;
    let to = match target {
        Some(id) => index(id).ok_or_else(|| {
            StorageError::new(404, "BlobNotFound", "The specified blob does not exist.")
        })?,
        None => blob.snapshots.len(),
    };
    if to <= from {
        return Err(StorageError::new(409, "PreviousSnapshotCannotBeNewer", "The prevsnapshot query parameter value cannot be newer than snapshot query parameter value."));
    }
    let mut changed = RangeSet::new();
    for (_, v) in &blob.snapshots[from + 1..to] {
        changed.union_with(&v.delta);
    }
    if target.is_none() {
        changed.union_with(&blob.current.delta);
    }
    Ok(changed)
}

/// The bytes of a read, and the range asked for (`None`: the whole blob).
type Read = (Vec<u8>, Option<(u64, u64)>);

/// The bytes a ranged read asks for (at most 64 MiB), and the range.
fn read_range(version: &Version, req: &Request) -> Result<Read, StorageError> {
    let size = version.size;
    let last = size.saturating_sub(1);
    let (start, end, ranged) = match range_header(req, "x-ms-range")? {
        Some((start, end)) => (start, end.unwrap_or(last).min(last), true),
        None => (0, last, false),
    };
    if size == 0 && !ranged {
        return Ok((Vec::new(), None));
    }
    if start >= size {
        return Err(StorageError::new(416, "InvalidRange", &format!("The range specified is invalid for the current size of the resource: it starts at {start}, the blob is {size} bytes.")));
    }
    let length = end - start + 1;
    if length > MAX_READ {
        return Err(StorageError::new(400, "InvalidRange", &format!("snaplab serve reads at most {MAX_READ} bytes per request (a simulator limit): ask for a range.")));
    }
    let (first, last_page) = (start / PAGE_SIZE, end / PAGE_SIZE);
    let mut pages = vec![0u8; ((last_page - first + 1) * PAGE_SIZE) as usize];
    version.map.read_into(first, &mut pages);
    let skip = (start - first * PAGE_SIZE) as usize;
    Ok((
        pages[skip..skip + length as usize].to_vec(),
        ranged.then_some((start, end)),
    ))
}

/// Put Page From URL: the source range's bytes, read from a SAS URL this
/// server handed out (a disk's or snapshot's, or a blob's of this account).
fn copy_source(
    storage: &Storage,
    served: &Served,
    req: &Request,
    source: &str,
    length: u64,
) -> Result<Vec<u8>, StorageError> {
    let (start, end) = match range_header(req, "x-ms-source-range")? {
        Some((start, Some(end))) => (start, end),
        _ => {
            return Err(StorageError::new(
                400,
                "MissingRequiredHeader",
                "Put Page From URL needs x-ms-source-range: bytes=START-END.",
            ))
        }
    };
    if end - start + 1 != length {
        return Err(StorageError::new(
            400,
            "InvalidHeaderValue",
            "x-ms-source-range and x-ms-range must be the same length.",
        ));
    }
    let Some(target) = source.strip_prefix(req.base).filter(|t| t.starts_with('/')) else {
        return Err(StorageError::new(
            400,
            "CannotVerifyCopySource",
            &format!(
                "snaplab serve copies only from URLs it serves ({}/…): {source}",
                req.base
            ),
        ));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let range = format!("bytes={start}-{end}");
    let inner = Request {
        method: "GET",
        path,
        query: super::parse_query(query),
        headers: vec![("x-ms-range".to_string(), range)],
        body: &[],
        base: req.base,
    };
    let reply = if super::blob::is_data_plane(path) {
        super::blob::route(served, &inner)
    } else if is_storage(path) {
        storage.read_source(&inner).unwrap_or_else(|e| e.reply())
    } else {
        return Err(StorageError::new(
            400,
            "CannotVerifyCopySource",
            &format!("The copy source is not a blob this server serves: {source}"),
        ));
    };
    match (reply.status, reply.body) {
        (200 | 206, Some((_, bytes))) => Ok(bytes),
        (status, _) => {
            let code = reply
                .headers
                .iter()
                .find(|(k, _)| *k == "x-ms-error-code")
                .map_or("", |(_, v)| v.as_str())
                .to_string();
            Err(StorageError::new(
                status,
                "CannotVerifyCopySource",
                &format!("The copy source answered {status} {code}."),
            ))
        }
    }
}

fn stored_bytes<'a>(blobs: impl Iterator<Item = &'a PageBlob>) -> u64 {
    blobs
        .map(|b| b.current.map.written_pages() * PAGE_SIZE)
        .sum()
}

/// An answer to a change: its ETag and time.
fn changed(status: u16, tick: u64, at: SystemTime) -> Reply {
    let mut reply = Reply::empty(status);
    reply.headers.push(("etag", etag(tick)));
    reply
        .headers
        .push(("last-modified", httpdate::fmt_http_date(at)));
    reply
        .headers
        .push(("x-ms-request-server-encrypted", "true".into()));
    reply
}

fn not_served(req: &Request) -> StorageError {
    StorageError::new(501, "NotImplemented", &format!("snaplab serve's storage account does not serve {} {}{}: it serves containers and page blobs (create, Put Page and Put Page From URL, Clear Pages, snapshots, Get Page Ranges and its prevsnapshot diff, ranged GET, HEAD, DELETE).", req.method, req.path, req.param("comp").map(|c| format!(" ?comp={c}")).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::lab::{Clock, Store};

    const BASE: &str = "http://127.0.0.1:1";

    /// A request signed with the account's key (Shared Key), as a client signs it.
    fn signed(
        method: &'static str,
        path: &'static str,
        query: &str,
        headers: &[(&str, &str)],
        body: &'static [u8],
    ) -> Request<'static> {
        let mut req = Request {
            method,
            path,
            query: crate::serve::parse_query(query),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body,
            base: BASE,
        };
        req.headers
            .push(("x-ms-version".into(), "2025-01-05".into()));
        if !body.is_empty() {
            req.headers
                .push(("content-length".into(), body.len().to_string()));
        }
        let signature = DEV_ACCOUNT.sign(&auth::shared_key_string(&req, DEV_ACCOUNT.name));
        req.headers.push((
            "authorization".into(),
            format!("SharedKey {}:{signature}", DEV_ACCOUNT.name),
        ));
        req
    }

    fn answer(storage: &mut Storage, req: &Request) -> (u16, String) {
        let served = Served::new(Store::Memory(Box::default()), Clock::Manual);
        let reply = storage.route(&served, req, SystemTime::now());
        let code = reply
            .headers
            .iter()
            .find(|(k, _)| *k == "x-ms-error-code")
            .map_or(String::new(), |(_, v)| v.clone());
        (reply.status, code)
    }

    fn with_blob() -> Storage {
        let mut storage = Storage::default();
        assert_eq!(
            answer(
                &mut storage,
                &signed(
                    "PUT",
                    "/devstoreaccount1/cc1",
                    "restype=container",
                    &[],
                    b""
                )
            )
            .0,
            201
        );
        let create = signed(
            "PUT",
            "/devstoreaccount1/cc1/b",
            "",
            &[
                ("x-ms-blob-type", "PageBlob"),
                ("x-ms-blob-content-length", "1048576"),
            ],
            b"",
        );
        assert_eq!(answer(&mut storage, &create).0, 201);
        storage
    }

    #[test]
    fn malformed_requests_get_storage_errors_and_change_nothing() {
        let mut storage = with_blob();
        let page = &[0u8; 512];
        let cases: Vec<(Request, (u16, &str))> = vec![
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/C_1",
                    "restype=container",
                    &[],
                    b"",
                ),
                (400, "InvalidResourceName"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1",
                    "restype=container",
                    &[],
                    b"",
                ),
                (409, "ContainerAlreadyExists"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/x",
                    "",
                    &[("x-ms-blob-type", "BlockBlob")],
                    b"",
                ),
                (501, "NotImplemented"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/x",
                    "",
                    &[
                        ("x-ms-blob-type", "PageBlob"),
                        ("x-ms-blob-content-length", "1000"),
                    ],
                    b"",
                ),
                (400, "InvalidHeaderValue"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/x",
                    "",
                    &[
                        ("x-ms-blob-type", "PageBlob"),
                        ("x-ms-blob-content-length", "99999999999999999999"),
                    ],
                    b"",
                ),
                (400, "InvalidHeaderValue"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/nope/x",
                    "",
                    &[
                        ("x-ms-blob-type", "PageBlob"),
                        ("x-ms-blob-content-length", "512"),
                    ],
                    b"",
                ),
                (404, "ContainerNotFound"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/b",
                    "comp=page",
                    &[
                        ("x-ms-page-write", "update"),
                        ("x-ms-range", "bytes=100-611"),
                    ],
                    page,
                ),
                (416, "InvalidPageRange"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/b",
                    "comp=page",
                    &[
                        ("x-ms-page-write", "update"),
                        ("x-ms-range", "bytes=1048576-1049087"),
                    ],
                    page,
                ),
                (416, "InvalidPageRange"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/b",
                    "comp=page",
                    &[
                        ("x-ms-page-write", "update"),
                        ("x-ms-range", "bytes=0-1023"),
                    ],
                    page,
                ),
                (400, "InvalidHeaderValue"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/b",
                    "comp=page",
                    &[("x-ms-range", "bytes=0-511")],
                    page,
                ),
                (400, "MissingRequiredHeader"),
            ),
            (
                signed(
                    "PUT",
                    "/devstoreaccount1/cc1/b",
                    "comp=page",
                    &[("x-ms-page-write", "update"), ("x-ms-range", "bytes=-5-0")],
                    page,
                ),
                (400, "InvalidHeaderValue"),
            ),
            (
                signed(
                    "GET",
                    "/devstoreaccount1/cc1/b",
                    "comp=pagelist&prevsnapshot=2020-01-01T00:00:00.0000000Z",
                    &[],
                    b"",
                ),
                (409, "PreviousSnapshotNotFound"),
            ),
            (
                signed(
                    "GET",
                    "/devstoreaccount1/cc1/b",
                    "",
                    &[("x-ms-range", "bytes=2000000-2000511")],
                    b"",
                ),
                (416, "InvalidRange"),
            ),
            (
                signed("GET", "/devstoreaccount1/cc1/missing", "", &[], b""),
                (404, "BlobNotFound"),
            ),
            (
                signed("PUT", "/devstoreaccount1/cc1/b", "comp=lease", &[], b""),
                (501, "NotImplemented"),
            ),
            (
                signed(
                    "GET",
                    "/devstoreaccount1/cc1/b",
                    "comp=pagelist",
                    &[(
                        "x-ms-previous-snapshot-url",
                        "http://127.0.0.1:1/md-1/x/abcd?sig=a",
                    )],
                    b"",
                ),
                (400, "InvalidHeaderValue"),
            ),
        ];
        for (req, expected) in &cases {
            let (status, code) = answer(&mut storage, req);
            assert_eq!(
                (status, code.as_str()),
                *expected,
                "{} {} {:?}",
                req.method,
                req.path,
                req.query
            );
        }
        // Nothing of that was written.
        let list = signed("GET", "/devstoreaccount1/cc1/b", "comp=pagelist", &[], b"");
        let served = Served::new(Store::Memory(Box::default()), Clock::Manual);
        let reply = storage.route(&served, &list, SystemTime::now());
        assert_eq!(reply.status, 200);
        let xml = String::from_utf8(reply.body.unwrap().1).unwrap();
        assert!(!xml.contains("<PageRange>"), "{xml}");
    }

    #[test]
    fn a_changed_request_no_longer_matches_its_shared_key_signature() {
        let mut storage = with_blob();
        let mut req = signed("GET", "/devstoreaccount1/cc1/b", "comp=pagelist", &[], b"");
        assert_eq!(answer(&mut storage, &req).0, 200);
        req.query.push(("snapshot".into(), "x".into()));
        assert_eq!(
            answer(&mut storage, &req),
            (403, "AuthenticationFailed".into())
        );
        let mut anonymous = signed("GET", "/devstoreaccount1/cc1/b", "", &[], b"");
        anonymous.headers.retain(|(k, _)| k != "authorization");
        assert_eq!(
            answer(&mut storage, &anonymous),
            (401, "NoAuthenticationInformation".into())
        );
    }
}
