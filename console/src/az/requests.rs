//! The requests behind an az command (issue 22 item 8): what Azure
//! Resource Manager would receive from azure-cli (method, URL, body) and
//! what it would answer, in the lines `az --debug` logs them with. The
//! answers are not written here: each request goes through `snaplab
//! serve`'s own ARM router ([`crate::serve::arm::route`]) over a copy of the
//! lab as it was before the command, so the view shows what the endpoint
//! does, and a test holds the copy's end state to the console's.
//!
//! Which requests a command sends, in which order, with which api-version
//! and which body follows azure-cli 2.91.0's own traffic, recorded by the
//! real-az harness (`SNAPLAB_REALAZ_RECORD`, tests/realaz) over the docs
//! corpus; `tests/realaz` compares this view with that record for every
//! script. In short:
//! - a create reads what it needs first (the `--source` named without an
//!   id: the snapshot, then the disk; the group, for its location), then
//!   PUTs the resource with only what was asked (az's custom code);
//! - an update reads the resource and PUTs it back whole with the change
//!   (a read-modify-write: the read-only properties dropped);
//! - a long-running operation (201/202) is polled as azure-core's ARM
//!   poller does: its `Azure-AsyncOperation` status, then its `Location`.

use serde_json::{json, Map, Value};
use snaplab_engine::catalog::DiskSku;
use snaplab_engine::rest;
use snaplab_engine::Lab;

use super::{Args, Env, Failure, Out, Spec};
use crate::runner::Runner;
use crate::serve::arm::{self, Reply, Request, AZURE};
use crate::serve::{Clock, Served};

/// The api-versions azure-cli 2.91.0 sends (its recorded traffic).
const COMPUTE: &str = "2025-01-02";
const RESOURCES: &str = "2024-11-01";
const SNAPSHOT_GRANT: &str = "2023-10-02";
const REVOKE: &str = "2023-04-02";

/// One request and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: &'static str,
    /// Whole, on `https://management.azure.com`.
    pub url: String,
    /// As az sends it (Python's `json.dumps`).
    pub body: Option<String>,
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub response: Option<String>,
}

impl Exchange {
    /// As `az --debug` logs a request and its response
    /// (azure.cli.core.sdk.policies), without the logger's prefix and the
    /// headers every request carries.
    pub fn render(&self) -> String {
        let mut out = format!(
            "Request URL: '{}'\nRequest method: '{}'\n",
            self.url, self.method
        );
        match &self.body {
            Some(body) => out += &format!("Request body:\n{body}\n"),
            None => out += "Request body:\nThis request has no body\n",
        }
        out += &format!("Response status: {}\n", self.status);
        if !self.headers.is_empty() {
            out += "Response headers:\n";
            for (name, value) in &self.headers {
                out += &format!("    '{name}': '{value}'\n");
            }
        }
        if let Some(content) = &self.response {
            out += &format!("Response content:\n{content}\n");
        }
        out
    }
}

/// Runs a command's handler; with `shown`, also the requests az would send
/// for it, through the router over a copy of the lab as it was, appended
/// to `shown` as `az --debug` prints them.
pub(super) fn run(
    spec: &Spec,
    rt: &mut Runner,
    args: &Args,
    env: &Env,
    shown: &mut Option<String>,
) -> Result<Out, Failure> {
    let Some(text) = shown else {
        return (spec.run)(rt, args, env);
    };
    let before = rt.lab().clone();
    let result = (spec.run)(rt, args, env);
    // A command az refuses before it sends anything sends nothing.
    if let Err(Failure::Usage(_) | Failure::Cancelled) = &result {
        return result;
    }
    match exchanges(spec.path, args, before) {
        Some((mut list, _)) => {
            // An error of az's own custom code (`usage error: …`) comes after
            // its reads and before its write: the write is never sent.
            if let Err(Failure::Error(_)) = &result {
                if let Some(write) = list.iter().position(|e| e.method != "GET") {
                    list.truncate(write);
                }
            }
            for exchange in &list {
                *text += &exchange.render();
            }
        }
        None => *text += &format!("{}\n", no_request(spec.path)),
    }
    result
}

/// Why a command has no requests in the view.
fn no_request(path: &[&str]) -> &'static str {
    match path {
        ["sim", ..] => "(simulator only: Azure has no request for this command)",
        ["az", "account", ..] => "(no request: az reads and writes its own profile, ~/.azure/azureProfile.json)",
        _ => "(the requests of this command are not shown: snaplab serve does not serve them; see docs/fidelity.md)",
    }
}

/// [`exchanges`] for a whole command line (`az disk create -g … -n …`; not
/// `--ids`): `None` when it does not parse or has no requests shown.
pub fn for_command_line(argv: &[String], before: Lab) -> Option<(Vec<Exchange>, Lab)> {
    let spec = super::find(argv)?;
    let args = super::args::parse_args(spec, &argv[spec.path.len()..]).ok()?;
    exchanges(spec.path, &args, before)
}

/// The requests az sends for one command (with resolved `-g`/`-n`) on a lab
/// as `before` was, the router's answers, and the lab they leave; `None`
/// for a command whose requests the router does not serve.
pub fn exchanges(path: &[&str], args: &Args, before: Lab) -> Option<(Vec<Exchange>, Lab)> {
    let sub = before.current_subscription().id.clone();
    let mut served = Served::new(
        crate::serve::lab::Store::Memory(Box::new(before)),
        Clock::Manual,
    );
    let mut wire = Wire {
        served: &mut served,
        sent: Vec::new(),
    };
    plan(&mut wire, path, args, &sub)?;
    let sent = wire.sent;
    Some((sent, served.into_memory_lab()?))
}

/// Sends `path`'s requests on `wire`, stopping where az would stop (a
/// failed read or write); `None` for a command the router does not serve.
fn plan(wire: &mut Wire, path: &[&str], args: &Args, sub: &str) -> Option<()> {
    let group = args.get("--resource-group").unwrap_or_default().to_string();
    let name = args.get("--name").unwrap_or_default().to_string();
    let groups = format!("{AZURE}/subscriptions/{sub}/resourcegroups");
    let kind = match path.get(1) {
        Some(&"disk") => "disks",
        _ => "snapshots",
    };
    let resource =
        format!("{AZURE}/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/{kind}/{name}");
    match path {
        ["az", "group", "create"] => {
            let body = json!({"location": args.get("--location").unwrap_or_default()});
            wire.send(
                "PUT",
                &format!("{groups}/{name}?api-version={RESOURCES}"),
                Some(body),
            );
        }
        ["az", "group", "show"] => {
            wire.send(
                "GET",
                &format!("{groups}/{name}?api-version={RESOURCES}"),
                None,
            );
        }
        ["az", "group", "list"] => {
            wire.send("GET", &format!("{groups}?api-version={RESOURCES}"), None);
        }
        ["az", "group", "delete"] => {
            wire.operation(
                "DELETE",
                &format!("{groups}/{name}?api-version={RESOURCES}"),
                None,
            );
        }
        ["az", "disk" | "snapshot", "show" | "wait"] => {
            wire.send("GET", &format!("{resource}?api-version={COMPUTE}"), None);
        }
        ["az", "disk" | "snapshot", "list"] => {
            let scope = match args.get("--resource-group") {
                Some(g) => format!("{AZURE}/subscriptions/{sub}/resourceGroups/{g}"),
                None => format!("{AZURE}/subscriptions/{sub}"),
            };
            wire.send(
                "GET",
                &format!("{scope}/providers/Microsoft.Compute/{kind}?api-version={COMPUTE}"),
                None,
            );
        }
        ["az", "disk" | "snapshot", "create"] => {
            let Some(body) = create_body(wire, path[1], args, &groups, sub) else {
                return Some(());
            };
            wire.operation(
                "PUT",
                &format!("{resource}?api-version={COMPUTE}"),
                Some(body),
            );
        }
        ["az", "disk" | "snapshot", "update"] => {
            let url = format!("{resource}?api-version={COMPUTE}");
            let Some(current) = wire.send("GET", &url, None) else {
                return Some(());
            };
            wire.operation("PUT", &url, Some(updated(current, args)));
        }
        ["az", "disk" | "snapshot", "delete"] => {
            wire.operation("DELETE", &format!("{resource}?api-version={COMPUTE}"), None);
        }
        ["az", "disk" | "snapshot", "grant-access"] => {
            // az's disk grant-access reads the disk first (its secure VM
            // guest state check); its snapshot grant-access does not.
            let api = if kind == "disks" {
                if wire
                    .send("GET", &format!("{resource}?api-version={COMPUTE}"), None)
                    .is_none()
                {
                    return Some(());
                }
                COMPUTE
            } else {
                SNAPSHOT_GRANT
            };
            let seconds: u64 = args
                .get("--duration-in-seconds")
                .and_then(|s| s.parse().ok())
                .unwrap_or(3600);
            let access = args.get("--access-level").unwrap_or("Read");
            let access = if access.eq_ignore_ascii_case("write") {
                "Write"
            } else {
                "Read"
            };
            let body = json!({"access": access, "durationInSeconds": seconds});
            wire.operation(
                "POST",
                &format!("{resource}/beginGetAccess?api-version={api}"),
                Some(body),
            );
        }
        ["az", "disk" | "snapshot", "revoke-access"] => {
            wire.operation(
                "POST",
                &format!("{resource}/endGetAccess?api-version={REVOKE}"),
                None,
            );
        }
        _ => return None,
    }
    Some(())
}

/// The body of a create, as az's custom code builds it: what was asked and
/// the defaults az fills in; first the reads that need (the `--source` by
/// name, the group's location). `None` when a read failed (az stops there).
fn create_body(wire: &mut Wire, what: &str, args: &Args, groups: &str, sub: &str) -> Option<Value> {
    let group = args.get("--resource-group").unwrap_or_default();
    let copy_start = args.get("--copy-start").map(|v| v != "false");
    let incremental = args.get("--incremental").map(|v| v != "false");
    // az's _figure_out_storage_source: a name is a snapshot if there is one
    // in the group, else a disk; an id is taken as it is, except that
    // snapshot create reads it too (to tell a copy to another region,
    // CopyStart, when --copy-start is not given).
    let (source, source_body) = match args.get("--source") {
        Some(id) if id.starts_with('/') => {
            let read = if what == "snapshot" && copy_start.is_none() {
                snaplab_engine::lab::parse_arm_id(id)
                    .and_then(|at| find_source(wire, sub, &at.group, &at.name))
            } else {
                None
            };
            (Some(id.to_string()), read)
        }
        Some(name) => {
            let found = find_source(wire, sub, group, name)?;
            let id = found.get("id").and_then(Value::as_str)?.to_string();
            (Some(id), Some(found))
        }
        None => (None, None),
    };
    let location = match args.get("--location") {
        Some(l) => l.to_string(),
        None => {
            let body = wire.send(
                "GET",
                &format!("{groups}/{group}?api-version={RESOURCES}"),
                None,
            )?;
            body.get("location")?.as_str()?.to_string()
        }
    };
    // az's autodetection: an incremental snapshot of a source elsewhere is
    // a CopyStart.
    let copy_start = copy_start.unwrap_or_else(|| {
        incremental == Some(true)
            && source_body
                .as_ref()
                .and_then(|b| b.get("location"))
                .and_then(Value::as_str)
                .is_some_and(|l| l != location)
    });
    Some(az_create_body(what, args, source, location, copy_start))
}

/// The body of `az disk|snapshot create`, as az's custom code builds it
/// once its validators have found the source's id and the location: what
/// was asked, and the defaults az fills in (`sku`: Premium_LRS for a disk,
/// Standard_LRS for a snapshot; `tags: {}`).
fn az_create_body(
    what: &str,
    args: &Args,
    source: Option<String>,
    location: String,
    copy_start: bool,
) -> Value {
    let incremental = args.get("--incremental").map(|v| v != "false");
    let mut creation = Map::new();
    let mut properties = Map::new();
    let option = match (
        &source,
        args.get("--upload-type")
            .or(args.get("--for-upload").map(|_| "Upload")),
    ) {
        (_, Some(_)) => "Upload",
        (Some(_), _) if copy_start => "CopyStart",
        (Some(_), _) => "Copy",
        (None, _) => "Empty",
    };
    creation.insert("createOption".into(), option.into());
    if let Some(id) = source {
        creation.insert("sourceResourceId".into(), id.into());
    }
    let number = |flag: &str| args.get(flag).and_then(|s| s.parse::<u64>().ok());
    if let Some(size) = number("--logical-sector-size") {
        creation.insert("logicalSectorSize".into(), size.into());
    }
    if let Some(bytes) = number("--upload-size-bytes") {
        creation.insert("uploadSizeBytes".into(), bytes.into());
    }
    properties.insert("creationData".into(), Value::Object(creation));
    asked_numbers(args, &mut properties);
    if let Some(tier) = args.get("--tier") {
        properties.insert("tier".into(), tier.into());
    }
    if let Some(incremental) = incremental {
        properties.insert("incremental".into(), incremental.into());
    }
    let sku = match (args.get("--sku"), what) {
        (Some(sku), _) => canonical_sku(sku),
        (None, "disk") => "Premium_LRS".to_string(),
        (None, _) => "Standard_LRS".to_string(),
    };
    let mut body = json!({
        "location": location,
        "properties": properties,
        "sku": {"name": sku},
        "tags": {},
    });
    if let Some(zone) = args.get("--zone") {
        body["zones"] = json!([zone]);
    }
    body
}

/// The body `az disk create` PUTs, found in `lab` as az's validators find
/// it (a `--source` named without an id: the snapshot of that name in the
/// group, else the disk; the group's location without `--location`):
/// what the console reads as the endpoint reads a PUT.
pub(super) fn disk_create_body(lab: &Lab, args: &Args) -> Value {
    let (source, location) = found_in_lab(lab, args);
    az_create_body("disk", args, source, location, false)
}

/// The body `az snapshot create` PUTs, found in `lab` likewise;
/// `copy_start` as `--copy-start` says or az guesses.
pub(super) fn snapshot_create_body(lab: &Lab, args: &Args, copy_start: bool) -> Value {
    let (source, location) = found_in_lab(lab, args);
    az_create_body("snapshot", args, source, location, copy_start)
}

/// A create's source id and location as az's validators find them.
fn found_in_lab(lab: &Lab, args: &Args) -> (Option<String>, String) {
    let group = args.get("--resource-group").unwrap_or_default();
    let source = args.get("--source").map(|s| match s.starts_with('/') {
        true => s.to_string(),
        false => lab
            .find_snapshot(group, s)
            .map(|snap| snap.id())
            .or_else(|_| lab.find_disk(group, s).map(|d| d.id()))
            .unwrap_or_else(|_| s.to_string()),
    });
    let location = args
        .get("--location")
        .map(str::to_string)
        .or_else(|| {
            lab.group(&lab.current_subscription().id, group)
                .map(|g| g.location.clone())
        })
        .unwrap_or_default();
    (source, location)
}

/// A `--source` named without an id: the snapshot of that name in the
/// group, else the disk (az's `_get_disk_or_snapshot_info_by_aaz`).
fn find_source(wire: &mut Wire, sub: &str, group: &str, name: &str) -> Option<Value> {
    let at = |kind: &str| {
        format!("{AZURE}/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/{kind}/{name}?api-version={COMPUTE}")
    };
    if let Some(found) = wire.send("GET", &at("snapshots"), None) {
        return Some(found);
    }
    if wire.sent.last().is_some_and(|e| e.status == 404) {
        return wire.send("GET", &at("disks"), None);
    }
    None
}

/// A SKU name as az sends it: its choice, in the service's spelling.
fn canonical_sku(asked: &str) -> String {
    match DiskSku::parse(asked) {
        Ok(sku) => sku.name().to_string(),
        Err(_) => ["Standard_ZRS"]
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(asked))
            .unwrap_or(asked)
            .to_string(),
    }
}

/// The size and performance a command line asks for, as the body's
/// properties (a create's and an update's alike).
fn asked_numbers(args: &Args, properties: &mut Map<String, Value>) {
    for (flag, key) in [
        ("--size-gb", "diskSizeGB"),
        ("--disk-iops-read-write", "diskIOPSReadWrite"),
        ("--disk-mbps-read-write", "diskMBpsReadWrite"),
    ] {
        if let Some(n) = args.get(flag).and_then(|s| s.parse::<u64>().ok()) {
            properties.insert(key.into(), n.into());
        }
    }
}

/// The read-only properties of a disk or snapshot (the Compute REST specs'
/// `readOnly`): az's SDK models drop them when it PUTs a resource back.
const READ_ONLY: &[&str] = &[
    "timeCreated",
    "diskSizeBytes",
    "uniqueId",
    "provisioningState",
    "diskState",
    "shareInfo",
    "propertyUpdatesInProgress",
    "burstingEnabledTime",
    "lastOwnershipUpdateTime",
    "incrementalSnapshotFamilyId",
    "snapshotAccessState",
];

/// An update's PUT body: the resource as read, its read-only parts dropped
/// (as the SDK serialises a model), with what was asked changed.
pub(super) fn updated(current: Value, args: &Args) -> Value {
    let mut body = Map::new();
    for key in ["location", "sku", "tags", "zones", "extendedLocation"] {
        if let Some(v) = current.get(key) {
            body.insert(key.into(), v.clone());
        }
    }
    body.entry("tags").or_insert_with(|| json!({}));
    // `sku.tier` is read-only too.
    if let Some(Value::Object(sku)) = body.get_mut("sku") {
        sku.remove("tier");
    }
    let mut properties = current
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    properties.retain(|k, _| !READ_ONLY.contains(&k.as_str()));
    if let Some(Value::Object(creation)) = properties.get_mut("creationData") {
        creation.remove("sourceUniqueId");
    }
    asked_numbers(args, &mut properties);
    body.insert("properties".into(), Value::Object(properties));
    if let Some(sku) = args.get("--sku") {
        body.insert("sku".into(), json!({"name": canonical_sku(sku)}));
    }
    Value::Object(body)
}

/// The requests sent so far, and the router that answers them.
struct Wire<'s> {
    served: &'s mut Served,
    sent: Vec<Exchange>,
}

impl Wire<'_> {
    /// Sends one request; the answer's JSON body when it succeeded.
    fn send(&mut self, method: &'static str, url: &str, body: Option<Value>) -> Option<Value> {
        let exchange = self.exchange(method, url, body);
        let ok = (200..300).contains(&exchange.status);
        let value = exchange
            .response
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        self.sent.push(exchange);
        if ok {
            value.or(Some(Value::Null))
        } else {
            None
        }
    }

    /// A request that may start a long-running operation, polled as
    /// azure-core's ARM poller polls it.
    fn operation(&mut self, method: &'static str, url: &str, body: Option<Value>) {
        self.send(method, url, body);
        let Some(last) = self.sent.last() else {
            return;
        };
        if last.status != 201 && last.status != 202 {
            return;
        }
        let header = |name: &str| {
            last.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let (status_url, location) = (header("Azure-AsyncOperation"), header("Location"));
        if let Some(status_url) = &status_url {
            if self.send("GET", status_url, None).is_none() {
                return;
            }
        }
        match location {
            Some(location) => {
                self.send("GET", &location, None);
            }
            // A PUT without a Location header ends with a GET of the resource.
            None if method == "PUT" && status_url.is_some() => {
                self.send("GET", url, None);
            }
            None => {}
        }
    }

    fn exchange(&mut self, method: &'static str, url: &str, body: Option<Value>) -> Exchange {
        let body = body.map(|b| python_json(&b));
        let (path, query) = url
            .strip_prefix(AZURE)
            .unwrap_or(url)
            .split_once('?')
            .unwrap_or((url, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let request = Request {
            method,
            path,
            query,
            headers: Vec::new(),
            body: body.as_deref().unwrap_or_default().as_bytes(),
            base: AZURE,
        };
        let Reply {
            status,
            headers,
            body: content,
        } = arm::route(self.served, &request);
        Exchange {
            method,
            url: url.to_string(),
            body,
            status,
            headers: headers
                .into_iter()
                .filter(|(n, _)| *n != "Retry-After")
                .collect(),
            response: content.map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()),
        }
    }
}

/// JSON as Python's `json.dumps` writes it (what az sends): `", "` and
/// `": "` between items, non-ASCII escaped.
pub fn python_json(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", python_string(k), python_json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::String(s) => python_string(s),
        other => other.to_string(),
    }
}

fn python_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out += &format!("\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The lab's resources as the REST model renders them: what a routed copy
/// and the console must agree on after a command.
pub fn resources(lab: &Lab) -> Vec<Value> {
    let mut all: Vec<Value> = lab
        .groups()
        .map(|g| rest::to_json(&rest::resource_group(g)))
        .collect();
    all.extend(lab.disks().map(|d| rest::to_json(&rest::disk(d, lab))));
    all.extend(
        lab.snapshots()
            .map(|s| rest::to_json(&rest::snapshot(s, lab.now()))),
    );
    all
}

/// Which lines of a transcript are the request view's (so the app can set
/// them apart from errors, though both go to standard error as az's debug
/// log does): each exchange's labelled lines, the one line of a body or
/// content after its label, and the notes of a command without requests.
pub fn request_lines(lines: &[crate::Line]) -> Vec<bool> {
    let mut marks = vec![false; lines.len()];
    let mut next_too = false;
    let mut in_headers = false;
    for (i, line) in lines.iter().enumerate() {
        let crate::Line::Err(text) = line else {
            next_too = false;
            in_headers = false;
            continue;
        };
        let labelled = [
            "Request URL: '",
            "Request method: '",
            "Request body:",
            "Response status: ",
            "Response headers:",
            "Response content:",
            "(simulator only: ",
            "(no request: ",
            "(the requests of this command are not shown",
        ]
        .iter()
        .any(|label| text.starts_with(label));
        let header = in_headers && text.starts_with("    '");
        marks[i] = labelled || next_too || header;
        in_headers = text == "Response headers:" || header;
        next_too = text == "Request body:" || text == "Response content:";
    }
    marks
}
