//! The management plane, as Azure Resource Manager routes it: the path's
//! segments (matched without regard to case, as ARM matches them), the
//! api-version every request must carry, and one handler per resource.
//! Bodies come from the engine's REST model (`snaplab_engine::rest`);
//! changes go through [`Served::execute`]. Everything else answers 501.

use serde::Serialize;
use serde_json::Value;
use snaplab_engine::model::Key;
use snaplab_engine::rest::{self, to_json};
use snaplab_engine::{cmd, Command, EngineError};

use super::body::{self, Kind, Refusal};
use super::lab::{Finished, Served};

/// One request, as the router reads it.
pub struct Request<'r> {
    pub method: &'r str,
    pub path: &'r str,
    pub query: Vec<(String, String)>,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: &'r [u8],
    /// `http://127.0.0.1:P`: the start of the URLs this server hands out.
    pub base: &'r str,
}

impl Request<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    /// Content type and bytes.
    pub body: Option<(&'static str, Vec<u8>)>,
}

impl Reply {
    pub fn json<T: Serialize>(status: u16, body: &T) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some((
                "application/json; charset=utf-8",
                to_json(body).to_string().into_bytes(),
            )),
        }
    }
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(status, &rest::error_response(code, message))
    }
    pub fn refused(e: &EngineError) -> Reply {
        Reply::json(rest::http_status(e), &rest::engine_error(e))
    }
    fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

impl From<Refusal> for Reply {
    fn from(r: Refusal) -> Reply {
        Reply::error(r.status, r.code, &r.message)
    }
}

impl From<EngineError> for Reply {
    fn from(e: EngineError) -> Reply {
        Reply::refused(&e)
    }
}

/// The engine's SAS URL (`https://md-X.blob.core.windows.net/C/abcd?…`)
/// as this server serves it: path-style under `base`.
pub fn local_sas(base: &str, url: &str) -> String {
    match url
        .strip_prefix("https://")
        .and_then(|rest| rest.split_once(".blob.core.windows.net/"))
    {
        Some((account, rest)) => format!("{base}/{account}/{rest}"),
        None => url.to_string(),
    }
}

/// Azure Resource Manager's own address: the `base` of a request the
/// console's request view routes, as Azure would receive it.
pub const AZURE: &str = "https://management.azure.com";

/// The oldest api-version served: the first with incremental snapshots.
pub const OLDEST_API_VERSION: &str = "2019-03-01";

/// A request's api-version: required, a date (with an optional
/// `-preview`), not older than [`OLDEST_API_VERSION`].
fn check_api_version(req: &Request) -> Result<String, Reply> {
    let Some(api) = req.param("api-version") else {
        return Err(Reply::error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let date = api.strip_suffix("-preview").unwrap_or(api);
    let well_formed = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !well_formed || date < OLDEST_API_VERSION {
        return Err(Reply::error(400, "InvalidApiVersionParameter", &format!("The api-version '{api}' is invalid: snaplab serve accepts YYYY-MM-DD (or YYYY-MM-DD-preview) from {OLDEST_API_VERSION} on.")));
    }
    Ok(api.to_string())
}

fn not_served(req: &Request) -> Reply {
    Reply::error(501, "NotImplemented", &format!("snaplab serve does not serve {} {}: it serves subscriptions, resource groups, disks and snapshots (Microsoft.Compute), their beginGetAccess/endGetAccess and operation statuses, and POST /snaplab/run (docs/fidelity.md).", req.method, req.path))
}

/// Answers one management-plane request.
pub fn route(served: &mut Served, req: &Request) -> Reply {
    let api = match check_api_version(req) {
        Ok(api) => api,
        Err(reply) => return reply,
    };
    if let Err(e) = served.follow_wall_clock() {
        return Reply::refused(&e);
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Reply::error(
            400,
            "InvalidRequestUri",
            &format!("The request path '{}' has an empty segment.", req.path),
        );
    }
    let r = Route { served, req, api };
    let result = match (req.method, lower.as_slice()) {
        ("GET", ["subscriptions"]) => Ok(r.subscriptions()),
        (_, ["subscriptions", ..]) => r.in_subscription(segments[1], &segments[2..], &lower[2..]),
        _ => Err(not_served(req)),
    };
    result.unwrap_or_else(|reply| reply)
}

struct Route<'s, 'r> {
    served: &'s mut Served,
    req: &'s Request<'r>,
    api: String,
}

type Answer = Result<Reply, Reply>;

impl Route<'_, '_> {
    fn subscriptions(&self) -> Reply {
        let subs = self
            .served
            .lab()
            .subscriptions()
            .map(rest::subscription)
            .collect();
        Reply::json(200, &rest::list(subs))
    }

    fn in_subscription(mut self, sub: &str, rest: &[&str], lower: &[&str]) -> Answer {
        let Some(subscription) = self
            .served
            .lab()
            .subscription(sub)
            .filter(|s| s.id.eq_ignore_ascii_case(sub))
        else {
            return Err(Reply::refused(&EngineError::SubscriptionNotFound {
                subscription: sub.to_string(),
            }));
        };
        let sub = subscription.id.clone();
        let method = self.req.method;
        match (method, lower) {
            ("GET", []) => Ok(Reply::json(200, &rest::subscription(subscription))),
            ("GET", ["resourcegroups"]) => {
                let groups = self
                    .served
                    .lab()
                    .groups()
                    .filter(|g| g.subscription.eq_ignore_ascii_case(&sub))
                    .map(rest::resource_group)
                    .collect();
                Ok(Reply::json(200, &rest::list(groups)))
            }
            (_, ["resourcegroups", _]) => self.group(&sub, rest[1]),
            ("GET", ["providers", "microsoft.compute", kind]) => {
                let kind = Kind::parse(kind).ok_or_else(|| not_served(self.req))?;
                Ok(self.list(&sub, None, kind))
            }
            ("GET", ["providers", "microsoft.compute", "locations", _, "diskoperations", id]) => {
                self.operation(id)
            }
            (
                _,
                ["resourcegroups", _, "providers", "microsoft.resources", "deployments", tail @ ..],
            ) => self.deployment(&sub, rest[1], rest.get(5).copied(), tail),
            (_, ["resourcegroups", _, "providers", "microsoft.compute", kind, tail @ ..]) => {
                let kind = Kind::parse(kind).ok_or_else(|| not_served(self.req))?;
                let group = rest[1];
                match (method, tail) {
                    ("GET", []) => {
                        self.require_group(&sub, group)?;
                        Ok(self.list(&sub, Some(group), kind))
                    }
                    (_, [_]) => self.resource(&sub, group, kind, rest[5]),
                    ("POST", [_, "begingetaccess"]) => self.grant(&sub, group, kind, rest[5]),
                    ("POST", [_, "endgetaccess"]) => self.revoke(&sub, group, kind, rest[5]),
                    _ => Err(not_served(self.req)),
                }
            }
            _ => Err(not_served(self.req)),
        }
    }

    /// `…/providers/Microsoft.Resources/deployments/{name}`: PUT (deploy),
    /// GET, and `POST …/validate`.
    fn deployment(&mut self, sub: &str, group: &str, name: Option<&str>, tail: &[&str]) -> Answer {
        let g = self.require_group(sub, group)?;
        let Some(name) = name.map(str::to_string) else {
            return Err(not_served(self.req));
        };
        self.served.select(sub)?;
        match (self.req.method, tail) {
            ("PUT", [_]) => {
                let body = super::deployments::deploy(
                    self.served,
                    sub,
                    &g.name,
                    &name,
                    self.req.body,
                    false,
                )?;
                // Done when answered: the status says Succeeded, the GET returns it.
                let id = self.served.start_operation(Finished::Body(body.clone()));
                let (status, _) = self.operation_urls(sub, &g.location, &id);
                Ok(Reply::json(201, &body).header("Azure-AsyncOperation", status))
            }
            ("GET", [_]) => {
                let id = format!("/subscriptions/{sub}/resourceGroups/{}/providers/Microsoft.Resources/deployments/{name}", g.name);
                Ok(Reply::json(
                    200,
                    &super::deployments::show(self.served, &id, &name)?,
                ))
            }
            ("POST", [_, "validate"]) => {
                let body = super::deployments::deploy(
                    self.served,
                    sub,
                    &g.name,
                    &name,
                    self.req.body,
                    true,
                )?;
                Ok(Reply::json(200, &super::deployments::validated(body)))
            }
            _ => Err(not_served(self.req)),
        }
    }

    fn require_group(
        &self,
        sub: &str,
        group: &str,
    ) -> Result<snaplab_engine::model::ResourceGroup, Reply> {
        self.served.lab().group(sub, group).cloned().ok_or_else(|| {
            Reply::refused(&EngineError::ResourceGroupNotFound {
                group: group.to_string(),
            })
        })
    }

    fn execute(&mut self, sub: &str, command: Command) -> Result<String, Reply> {
        self.served.select(sub)?;
        Ok(self.served.execute(command)?)
    }

    /// `…/resourcegroups/{name}`: PUT, GET, HEAD, DELETE.
    fn group(&mut self, sub: &str, name: &str) -> Answer {
        let existing = self.served.lab().group(sub, name).cloned();
        match (self.req.method, existing) {
            ("GET", Some(g)) => Ok(Reply::json(200, &rest::resource_group(&g))),
            ("HEAD", Some(_)) => Ok(Reply::empty(204)),
            ("HEAD", None) => Ok(Reply::empty(404)),
            ("GET" | "DELETE", None) => Err(Reply::refused(&EngineError::ResourceGroupNotFound {
                group: name.to_string(),
            })),
            ("PUT", existing) => {
                let body: Value = serde_json::from_slice(self.req.body).map_err(|e| {
                    Reply::error(
                        400,
                        "InvalidRequestContent",
                        &format!(
                            "The request content was invalid and could not be deserialized: {e}."
                        ),
                    )
                })?;
                let location = body
                    .get("location")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Reply::error(
                            400,
                            "LocationRequired",
                            "The location property is required for this definition.",
                        )
                    })?;
                if let Some(g) = &existing {
                    if !g.location.eq_ignore_ascii_case(location) {
                        return Err(Reply::error(409, "InvalidResourceGroupLocation", &format!("Invalid resource group location '{location}'. The Resource group already exists in location '{}'.", g.location)));
                    }
                }
                self.execute(
                    sub,
                    Command::CreateGroup(cmd::CreateGroup {
                        name: name.into(),
                        location: location.into(),
                    }),
                )?;
                let group = self.require_group(sub, name)?;
                Ok(Reply::json(
                    if existing.is_some() { 200 } else { 201 },
                    &rest::resource_group(&group),
                ))
            }
            ("DELETE", Some(g)) => {
                self.execute(
                    sub,
                    Command::DeleteGroup(cmd::DeleteGroup {
                        name: g.name.clone(),
                    }),
                )?;
                let id = self.served.start_operation(Finished::Nothing);
                let (_, location) = self.operation_urls(sub, &g.location, &id);
                Ok(Reply::empty(202)
                    .header("Location", location)
                    .header("Retry-After", "0".into()))
            }
            _ => Err(not_served(self.req)),
        }
    }

    fn list(&self, sub: &str, group: Option<&str>, kind: Kind) -> Reply {
        let lab = self.served.lab();
        let in_scope = |at: &snaplab_engine::model::Placement| {
            at.subscription.eq_ignore_ascii_case(sub)
                && group.is_none_or(|g| at.group.eq_ignore_ascii_case(g))
        };
        let value: Vec<Value> = match kind {
            Kind::Disks => lab
                .disks()
                .filter(|d| in_scope(&d.at))
                .map(|d| to_json(&rest::disk(d, lab)))
                .collect(),
            Kind::Snapshots => lab
                .snapshots()
                .filter(|s| in_scope(&s.at))
                .map(|s| to_json(&rest::snapshot(s, lab.now())))
                .collect(),
        };
        Reply::json(200, &rest::list(value))
    }

    /// The resource's body from the REST model, or ARM's 404.
    fn body_of(&self, sub: &str, group: &str, kind: Kind, name: &str) -> Result<Value, Reply> {
        let lab = self.served.lab();
        let found = match kind {
            Kind::Disks => lab
                .disk(sub, group, name)
                .map(|d| to_json(&rest::disk(d, lab))),
            Kind::Snapshots => lab
                .snapshot(sub, group, name)
                .map(|s| to_json(&rest::snapshot(s, lab.now()))),
        };
        found.ok_or_else(|| self.missing(sub, group, kind, name))
    }

    /// ARM's 404 for a disk or snapshot that is not there (or whose group is not).
    fn missing(&self, sub: &str, group: &str, kind: Kind, name: &str) -> Reply {
        self.require_group(sub, group).err().unwrap_or_else(|| {
            Reply::refused(&EngineError::ResourceNotFound {
                kind: kind.engine_name(),
                name: name.to_string(),
                group: group.to_string(),
            })
        })
    }

    /// `…/{disks|snapshots}/{name}`: GET, PUT, PATCH, DELETE.
    fn resource(&mut self, sub: &str, group: &str, kind: Kind, name: &str) -> Answer {
        let key = Key::new(sub, group, name);
        let lab = self.served.lab();
        let exists = match kind {
            Kind::Disks => lab.disk_at(&key).is_some(),
            Kind::Snapshots => lab.snapshot_at(&key).is_some(),
        };
        match self.req.method {
            "GET" => Ok(Reply::json(200, &self.body_of(sub, group, kind, name)?)),
            "DELETE" if !exists => {
                // ARM: deleting what is not there succeeds with 204, if the group is there.
                self.require_group(sub, group)?;
                Ok(Reply::empty(204))
            }
            "DELETE" => {
                let command = match kind {
                    Kind::Disks => Command::DeleteDisk(cmd::DeleteDisk {
                        group: group.into(),
                        name: name.into(),
                    }),
                    Kind::Snapshots => Command::DeleteSnapshot(cmd::DeleteSnapshot {
                        group: group.into(),
                        name: name.into(),
                    }),
                };
                let location = self.location_of(sub, group, kind, name);
                self.execute(sub, command)?;
                Ok(self.accepted(sub, &location, Finished::Nothing, None))
            }
            "PUT" | "PATCH" => {
                let patch = self.req.method == "PATCH";
                let mut body = body::parse(self.req.body, kind, patch)?;
                let lab = self.served.lab();
                if kind == Kind::Disks {
                    body::prepare_disk_put(lab, &key, &mut body)?;
                }
                let commands = match (kind, patch) {
                    (_, true) if !exists => return Err(self.missing(sub, group, kind, name)),
                    (Kind::Disks, true) => {
                        body::patch_disk(lab.disk_at(&key).expect("exists"), group, &body)?
                    }
                    (Kind::Snapshots, true) => {
                        body::patch_snapshot(lab.snapshot_at(&key).expect("exists"), group, &body)?
                    }
                    (_, false) => {
                        self.require_group(sub, group)?;
                        if body.get("location").and_then(Value::as_str).is_none() {
                            return Err(Reply::error(
                                400,
                                "LocationRequired",
                                "The location property is required for this definition.",
                            ));
                        }
                        body::put_commands(lab, &key, kind, group, name, &body)?
                    }
                };
                for command in commands {
                    self.execute(sub, command)?;
                }
                // The operation ends when the resource is there, before a
                // background copy (CopyStart, Premium SSD v2 / Ultra) ends:
                // ARM's create returns and the copy's progress is the
                // snapshot's completionPercent, which az's docs loop on (the
                // real az against this server hung here until it did).
                let location = self.location_of(sub, group, kind, name);
                let resource = self.body_of(sub, group, kind, name)?;
                Ok(self.accepted(
                    sub,
                    &location,
                    Finished::Resource(self.req.path.to_string()),
                    Some(resource),
                ))
            }
            _ => Err(not_served(self.req)),
        }
    }

    fn location_of(&self, sub: &str, group: &str, kind: Kind, name: &str) -> String {
        let lab = self.served.lab();
        let at = match kind {
            Kind::Disks => lab.disk(sub, group, name).map(|d| d.at.location.clone()),
            Kind::Snapshots => lab
                .snapshot(sub, group, name)
                .map(|s| s.at.location.clone()),
        };
        at.or_else(|| lab.group(sub, group).map(|g| g.location.clone()))
            .unwrap_or_else(|| "global".into())
    }

    fn operation_urls(&self, sub: &str, location: &str, id: &str) -> (String, String) {
        let status = format!(
            "{}/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/DiskOperations/{id}?api-version={}",
            self.req.base, self.api
        );
        let monitor = format!("{status}&monitor=true");
        (status, monitor)
    }

    /// 202 Accepted with `Azure-AsyncOperation` (the status) and `Location`
    /// (the result), as DiskRP answers a long-running operation.
    fn accepted(
        &mut self,
        sub: &str,
        location: &str,
        result: Finished,
        body: Option<Value>,
    ) -> Reply {
        let id = self.served.start_operation(result);
        let (status, monitor) = self.operation_urls(sub, location, &id);
        let reply = match body {
            Some(body) => Reply::json(202, &body),
            None => Reply::empty(202),
        };
        reply
            .header("Azure-AsyncOperation", status)
            .header("Location", monitor)
            .header("Retry-After", "0".into())
    }

    fn grant(&mut self, sub: &str, group: &str, kind: Kind, name: &str) -> Answer {
        let command = body::grant(kind, group, name, self.req.body)?;
        let sas = self.execute(sub, command)?;
        let location = self.location_of(sub, group, kind, name);
        // The engine's SAS names Azure's blob host; this server serves it
        // path-style (the request view, speaking for Azure, keeps it).
        let sas = if self.req.base == AZURE {
            sas
        } else {
            local_sas(self.req.base, &sas)
        };
        let result = Finished::Body(to_json(&rest::access_uri(&sas)));
        Ok(self.accepted(sub, &location, result, None))
    }

    fn revoke(&mut self, sub: &str, group: &str, kind: Kind, name: &str) -> Answer {
        let command = Command::RevokeAccess(cmd::RevokeAccess {
            target: kind.target(),
            group: group.into(),
            name: name.into(),
        });
        self.execute(sub, command)?;
        let location = self.location_of(sub, group, kind, name);
        Ok(self.accepted(sub, &location, Finished::Nothing, None))
    }

    /// An operation's status (`Azure-AsyncOperation`), or with
    /// `monitor=true` its result (`Location`).
    fn operation(&self, id: &str) -> Answer {
        let Some(op) = self.served.operations.get(id) else {
            return Err(Reply::error(404, "OperationNotFound", &format!("The operation '{id}' is not one this server started (operations are kept while it runs).")));
        };
        let lab = self.served.lab();
        let status = rest::operation_status(id, op.started, None, None, lab.now());
        // Every operation has ended by the time its 202 is sent (the engine
        // applied it): Succeeded, and the result at once.
        if self.req.param("monitor").is_none() {
            return Ok(Reply::json(200, &status).header("Retry-After", "0".into()));
        }
        match &op.result {
            Finished::Body(body) => Ok(Reply::json(200, body)),
            // DiskRP's result of an operation with nothing to return (endGetAccess,
            // a delete) is 200 with no body: the spec's final-state-via location
            // response, which the JavaScript SDK's poller requires (204 fails it).
            Finished::Nothing => Ok(Reply::empty(200)),
            Finished::Resource(path) => {
                let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
                let kind = Kind::parse(parts[6]).expect("a resource path");
                Ok(Reply::json(
                    200,
                    &self.body_of(parts[1], parts[3], kind, parts[7])?,
                ))
            }
        }
    }
}
