//! What each az and sim command does: one handler per entry of
//! [`COMMANDS`](super::COMMANDS). Each reads its parsed arguments, executes
//! engine commands through the runner (so lesson locks and the record
//! apply) and returns what to print.

use serde_json::{json, Value};
use snaplab_engine::clock::Span;
use snaplab_engine::cmd;
use snaplab_engine::diff::PageRangesRequest;
use snaplab_engine::model::Placement;
use snaplab_engine::rest::az::{
    access_json, disk_json, group_json, snapshot_json, subscription_json, vm_json,
};
use snaplab_engine::{AccessTarget, Command, EngineError, PatternKind, WriteData};

use super::{exec, g, n, number, size, Args, Env, Failure, Out};
use crate::runner::Runner;
use crate::serve::body::{self, Kind};
use snaplab_engine::rest::{self, to_json};

pub(super) fn az_account_show(rt: &mut Runner, _a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = { subscription_json(rt.lab().current_subscription(), true) };
    Ok(Out::Json(value))
}

pub(super) fn az_account_list(rt: &mut Runner, _a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let current = rt.lab().current_subscription().id.clone();
        Value::Array(
            rt.lab()
                .subscriptions()
                .map(|s| {
                    // az's list_subscriptions renames the profile's
                    // environmentName to cloudName (show keeps it).
                    let mut sub = subscription_json(s, s.id == current);
                    if let Some(map) = sub.as_object_mut() {
                        if let Some(cloud) = map.remove("environmentName") {
                            map.insert("cloudName".into(), cloud);
                        }
                    }
                    sub
                })
                .collect(),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_account_set(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let sub = a.get("--subscription").map(str::to_string).ok_or_else(|| {
            Failure::Usage("the following arguments are required: --subscription/-s".into())
        })?;
        exec(
            rt,
            Command::SelectSubscription(cmd::SelectSubscription { subscription: sub }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}

pub(super) fn az_group_create(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let name = n(a)?;
        let location = a.require("--location", Some("-l"))?;
        // ARM's answer to a PUT of a group that is elsewhere (as the
        // endpoint answers real az: the generated scripts found it).
        if let Some(g) = rt.lab().group(&rt.lab().current_subscription().id, &name) {
            if !g.location.eq_ignore_ascii_case(&location) {
                return Err(Failure::Service {
                    status: 409,
                    code: "InvalidResourceGroupLocation",
                    message: format!("Invalid resource group location '{location}'. The Resource group already exists in location '{}'.", g.location),
                });
            }
        }
        exec(
            rt,
            Command::CreateGroup(cmd::CreateGroup {
                name: name.clone(),
                location,
            }),
        )?;
        group_json(
            rt.lab()
                .group(&rt.lab().current_subscription().id, &name)
                .expect("just created"),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_group_show(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let name = n(a)?;
        group_json(
            rt.lab()
                .group(&rt.lab().current_subscription().id, &name)
                .ok_or(EngineError::ResourceGroupNotFound {
                    group: name.clone(),
                })?,
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_group_list(rt: &mut Runner, _a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        Value::Array(
            rt.lab()
                .groups()
                .filter(|g| g.subscription == rt.lab().current_subscription().id)
                .map(group_json)
                .collect(),
        )
    };
    Ok(Out::Json(value))
}

/// A whole-number option that may be absent.
fn optional_number(a: &Args, flag: &str) -> Result<Option<u64>, Failure> {
    a.get(flag)
        .map(|text| {
            text.parse::<u64>().map_err(|_| {
                Failure::Usage(format!("argument {flag}: invalid int value: '{text}'"))
            })
        })
        .transpose()
}

/// azure-cli asks "Are you sure you want to perform this operation?"
/// before these; without `--yes` it cannot ask here, and cancels.
fn confirmed(a: &Args) -> Result<(), Failure> {
    if a.flag("--yes") {
        Ok(())
    } else {
        Err(Failure::Cancelled)
    }
}

pub(super) fn az_group_delete(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    confirmed(a)?;
    let value: Value = {
        exec(rt, Command::DeleteGroup(cmd::DeleteGroup { name: n(a)? }))?;
        Value::Null
    };
    Ok(Out::Json(value))
}

/// A disk's PUT body, read as snaplab serve reads one (its echoes dropped,
/// a Premium SSD's performance checked, then the engine's commands), and
/// the disk as az prints it after.
fn put_disk(
    rt: &mut Runner,
    key: &snaplab_engine::model::Key,
    group: &str,
    name: &str,
    mut body: Value,
) -> Result<Out, Failure> {
    let lab = rt.lab();
    body::prepare_disk_put(lab, key, &mut body)?;
    let commands = body::put_commands(lab, key, Kind::Disks, group, name, &body)?;
    for command in commands {
        exec(rt, command)?;
    }
    Ok(Out::Json(disk_json(
        rt.lab().find_disk(group, name)?,
        rt.lab(),
    )))
}

pub(super) fn az_disk_create(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let (group, name) = (g(a)?, n(a)?);
    // What az checks on the client before it sends anything (its
    // validators and create_managed_disk), in its order.
    source_named(rt, a, &group, "{SNAPSHOT | DISK | RESTOREPOINT}")?;
    upload_size_bytes(a)?;
    if a.get("--source").is_none() && upload_type(a).is_none() {
        number(a, "--size-gb", Some("-z")).map_err(|_| match a.get("--size-gb") {
            Some(text) => Failure::Usage(format!(
                "argument --size-gb/-z: invalid int value: '{text}'"
            )),
            None => {
                Failure::Error("usage error: --size-gb is required to create an empty disk".into())
            }
        })?;
    }
    // Then the body az PUTs, read as snaplab serve reads a PUT: the console
    // and the endpoint create (or refuse) the same disk.
    let lab = rt.lab();
    let body = super::requests::disk_create_body(lab, a);
    let key = snaplab_engine::model::Key::new(&lab.current_subscription().id, &group, &name);
    put_disk(rt, &key, &group, &name, body)
}

/// `--upload-type`, or `Upload` for the older `--for-upload` (az's
/// `_validate_upload_type`).
fn upload_type(a: &Args) -> Option<&str> {
    a.get("--upload-type").or_else(|| {
        a.get("--for-upload")
            .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
            .then_some("Upload")
    })
}

/// `--upload-size-bytes`, which goes with `--upload-type` both ways
/// (create_managed_disk's two usage errors, in its order).
fn upload_size_bytes(a: &Args) -> Result<Option<u64>, Failure> {
    let bytes = optional_number(a, "--upload-size-bytes")?;
    match (bytes, upload_type(a)) {
        (Some(_), None) => Err(Failure::Error(
            "usage error: --upload-size-bytes should be used together with --upload-type".into(),
        )),
        (None, Some(_)) => Err(Failure::Error(
            "usage error: --upload-size-bytes is required to create a disk for upload".into(),
        )),
        (_, Some(kind)) if !kind.eq_ignore_ascii_case("Upload") => Err(Failure::Error(format!(
            "--upload-type {kind} (a confidential VM's disk with its security data) is not simulated: use --upload-type Upload."
        ))),
        (bytes, _) => Ok(bytes),
    }
}

pub(super) fn az_disk_show(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        match a.get("--ids") {
            Some(id) => {
                let parts = snaplab_engine::lab::parse_arm_id(id)
                    .ok_or_else(|| Failure::Usage(format!("'{id}' is not a valid resource ID")))?;
                disk_json(
                    rt.lab()
                        .disk(&parts.subscription, &parts.group, &parts.name)
                        .ok_or(EngineError::ResourceNotFound {
                            kind: "disks",
                            name: parts.name.clone(),
                            group: parts.group.clone(),
                        })?,
                    rt.lab(),
                )
            }
            None => disk_json(rt.lab().find_disk(&g(a)?, &n(a)?)?, rt.lab()),
        }
    };
    Ok(Out::Json(value))
}

/// What a list command lists: the current subscription's resources, only
/// the `--resource-group`'s when it is given (az's list-by-subscription and
/// list-by-resource-group), group names without regard to case.
fn listed(rt: &Runner, a: &Args) -> impl Fn(&Placement) -> bool {
    let group = a.get("--resource-group").map(str::to_lowercase);
    let current = rt.lab().current_subscription().id.clone();
    move |at| {
        at.subscription == current && group.as_ref().is_none_or(|g| &at.group.to_lowercase() == g)
    }
}

pub(super) fn az_disk_list(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let listed = listed(rt, a);
        Value::Array(
            rt.lab()
                .disks()
                .filter(|d| listed(&d.at))
                .map(|d| disk_json(d, rt.lab()))
                .collect(),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_disk_update(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let (group, name) = (g(a)?, n(a)?);
    // az reads the disk, sets what was given and PUTs it back whole; the
    // console builds that body as az does (the request view shows it) and
    // reads it as snaplab serve reads a PUT, so both refuse the same things
    // in the same order (a new --sku converts the disk's type; the engine's
    // rules apply).
    let lab = rt.lab();
    let disk = lab.find_disk(&group, &name)?;
    let key = disk.at.key();
    let body = super::requests::updated(to_json(&rest::disk(disk, lab)), a);
    put_disk(rt, &key, &group, &name, body)
}

pub(super) fn az_disk_delete(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    confirmed(a)?;
    let value: Value = {
        exec(
            rt,
            Command::DeleteDisk(cmd::DeleteDisk {
                group: g(a)?,
                name: n(a)?,
            }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}

pub(super) fn az_disk_grant_access(rt: &mut Runner, a: &Args, env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let target = if env.path[1] == "disk" {
            AccessTarget::Disk
        } else {
            AccessTarget::Snapshot
        };
        let url = exec(
            rt,
            Command::GrantAccess(cmd::GrantAccess {
                target,
                group: g(a)?,
                name: n(a)?,
                duration_seconds: number(a, "--duration-in-seconds", None)?,
                access: cmd::Access::parse(a.get("--access-level").unwrap_or("Read"))?,
            }),
        )?;
        // The REST AccessUri, which az prints as it is (`accessSAS`).
        access_json(&url)
    };
    Ok(Out::Json(value))
}

pub(super) fn az_disk_revoke_access(rt: &mut Runner, a: &Args, env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let target = if env.path[1] == "disk" {
            AccessTarget::Disk
        } else {
            AccessTarget::Snapshot
        };
        exec(
            rt,
            Command::RevokeAccess(cmd::RevokeAccess {
                target,
                group: g(a)?,
                name: n(a)?,
            }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}

/// `--copy-start`, or az's own guess without it (its
/// process_snapshot_create_namespace): an incremental snapshot of a source
/// in another region than the new snapshot's (`--location`, else the
/// group's) is a copy to that region.
fn copy_start(rt: &Runner, a: &Args, group: &str) -> bool {
    if let Some(v) = a.get("--copy-start") {
        return v != "false";
    }
    let (Some(source), true) = (a.get("--source"), a.flag("--incremental")) else {
        return false;
    };
    let lab = rt.lab();
    let from = match lab.resolve_snapshot(group, source) {
        Ok(s) => Some(s.at.location.clone()),
        Err(_) => match snaplab_engine::lab::parse_arm_id(source) {
            Some(id) => lab.disk(&id.subscription, &id.group, &id.name),
            None => lab.find_disk(group, source).ok(),
        }
        .map(|d| d.at.location.clone()),
    };
    let to = a.get("--location").map(str::to_string).or_else(|| {
        lab.group(&lab.current_subscription().id, group)
            .map(|g| g.location.clone())
    });
    matches!((from, to), (Some(from), Some(to)) if !from.eq_ignore_ascii_case(&to))
}

/// az's validators (process_disk_create_namespace,
/// process_snapshot_create_namespace): a `--source` given by name is looked
/// up in the group, a snapshot first, then a disk; when neither is there,
/// az stops with its usage error before sending anything.
fn source_named(rt: &Runner, a: &Args, group: &str, usage: &str) -> Result<(), Failure> {
    let Some(source) = a.get("--source") else {
        return Ok(());
    };
    if source.starts_with('/') || source.contains("://") {
        return Ok(());
    }
    let lab = rt.lab();
    if lab.find_snapshot(group, source).is_ok() || lab.find_disk(group, source).is_ok() {
        return Ok(());
    }
    Err(Failure::Error(format!(
        "usage error: --source {usage} | --source VHD_BLOB_URI [--source-storage-account-id ID]"
    )))
}

pub(super) fn az_snapshot_create(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let (group, name) = (g(a)?, n(a)?);
    source_named(rt, a, &group, "{SNAPSHOT | DISK}")?;
    // az's create_snapshot: without a source (or a size, which the
    // simulator does not model) there is nothing to copy.
    if a.get("--source").is_none() {
        return Err(Failure::Error(
            "Please supply size for the snapshots".into(),
        ));
    }
    // The body az PUTs (it always sends `sku`: Standard_LRS unless --sku,
    // so the service's ZRS default, rule A5, never applies to a snapshot az
    // creates; the group's location unless --location), read as snaplab
    // serve reads a PUT.
    let lab = rt.lab();
    let body = super::requests::snapshot_create_body(lab, a, copy_start(rt, a, &group));
    let key = snaplab_engine::model::Key::new(&lab.current_subscription().id, &group, &name);
    let commands = body::put_commands(lab, &key, Kind::Snapshots, &group, &name, &body)?;
    for command in commands {
        exec(rt, command)?;
    }
    Ok(Out::Json(snapshot_json(
        rt.lab().find_snapshot(&group, &name)?,
        rt.lab().now(),
    )))
}

pub(super) fn az_snapshot_show(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        match a.get("--ids") {
            Some(id) => snapshot_json(rt.lab().resolve_snapshot("", id)?, rt.lab().now()),
            None => snapshot_json(rt.lab().find_snapshot(&g(a)?, &n(a)?)?, rt.lab().now()),
        }
    };
    Ok(Out::Json(value))
}

pub(super) fn az_snapshot_list(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let listed = listed(rt, a);
        // In the lab's order (by group, then name, without regard to case),
        // as `az disk list` and the served lab's list answer: real az run
        // against `snaplab serve` prints this order (tests/realaz).
        Value::Array(
            rt.lab()
                .snapshots()
                .filter(|s| listed(&s.at))
                .map(|s| snapshot_json(s, rt.lab().now()))
                .collect(),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_snapshot_update(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let (group, name) = (g(a)?, n(a)?);
        // --sku is optional in az (an update may only --set tags): without
        // it the snapshot is read and sent back unchanged.
        match a.get("--sku") {
            Some(sku) => {
                exec(
                    rt,
                    Command::UpdateSnapshotSku(cmd::UpdateSnapshotSku {
                        group: group.clone(),
                        name: name.clone(),
                        sku: sku.to_string(),
                    }),
                )?;
            }
            None => {
                rt.lab().find_snapshot(&group, &name)?;
            }
        }
        snapshot_json(rt.lab().find_snapshot(&group, &name)?, rt.lab().now())
    };
    Ok(Out::Json(value))
}

pub(super) fn az_snapshot_delete(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        exec(
            rt,
            Command::DeleteSnapshot(cmd::DeleteSnapshot {
                group: g(a)?,
                name: n(a)?,
            }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}

pub(super) fn az_vm_create(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let (group, name) = (g(a)?, n(a)?);
        exec(
            rt,
            Command::CreateVm(cmd::CreateVm {
                group: group.clone(),
                name: name.clone(),
                location: a.get("--location").map(str::to_string),
            }),
        )?;
        vm_json(
            rt.lab()
                .vm(&rt.lab().current_subscription().id, &group, &name)
                .expect("just created"),
            rt.lab(),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_deployment_group_create(
    rt: &mut Runner,
    a: &Args,
    env: &Env,
) -> Result<Out, Failure> {
    let value: Value = {
        let group = g(a)?;
        // The simulator deploys template files only; az's own check names
        // every source it takes.
        let file = a.get("--template-file").map(str::to_string).ok_or_else(|| {
            Failure::Error("Please enter one of the following: template file, template spec, template url, or Bicep parameters file.".into())
        })?;
        let template = (env.files)(&file).ok_or_else(|| {
            Failure::Usage(format!("the template file '{file}' could not be read"))
        })?;
        let mut parameters = std::collections::BTreeMap::new();
        for pair in a
            .values
            .iter()
            .filter(|(k, _)| *k == "--parameters")
            .map(|(_, v)| v)
            .chain(a.positional.iter())
        {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| Failure::Usage(format!("'{pair}' is not a name=value parameter")))?;
            parameters.insert(k.to_string(), v.to_string());
        }
        // az names the deployment after the template file unless --name is given.
        let name = match a.get("--name") {
            Some(name) => name.to_string(),
            None => std::path::Path::new(&file)
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "template".into()),
        };
        crate::arm::deploy_named(rt, &group, &name, &template, &parameters)?
    };
    Ok(Out::Json(value))
}

pub(super) fn az_vm_show(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let (group, name) = (g(a)?, n(a)?);
        vm_json(
            rt.lab()
                .vm(&rt.lab().current_subscription().id, &group, &name)
                .ok_or(EngineError::ResourceNotFound {
                    kind: "virtualMachines",
                    name: name.clone(),
                    group: group.clone(),
                })?,
            rt.lab(),
        )
    };
    Ok(Out::Json(value))
}

pub(super) fn az_vm_start(rt: &mut Runner, a: &Args, env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        exec(
            rt,
            Command::SetVmRunning(cmd::SetVmRunning {
                group: g(a)?,
                name: n(a)?,
                running: env.path[2] == "start",
            }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}

pub(super) fn az_vm_disk_attach(rt: &mut Runner, a: &Args, env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let attach = env.path[3] == "attach";
        // -n is optional in az: its validators ask for one of the ways to
        // name disks (the simulator models --name only).
        let disk = a.get("--name").map(str::to_string).ok_or_else(|| {
            Failure::Error(if attach {
                "Please use at least one of --name, --disks, --disk-ids, --source-snapshots-or-disks and --source-disk-restore-point".into()
            } else {
                "Please use at least one '--name', '--disk-ids'".into()
            })
        })?;
        let (group, vm) = (g(a)?, a.require("--vm-name", None)?);
        if attach {
            exec(rt, Command::AttachDisk(cmd::AttachDisk { group, vm, disk }))?;
        } else {
            exec(rt, Command::DetachDisk(cmd::DetachDisk { group, vm, disk }))?;
        }
        Value::Null
    };
    Ok(Out::Json(value))
}

pub(super) fn sim_write(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let (group, disk) = (g(a)?, a.require("--disk", None)?);
        let offset = size(&a.require("--offset", None)?)?;
        let data = match a.get("--text") {
            Some(text) => {
                let mut bytes = text.as_bytes().to_vec();
                bytes.resize(bytes.len().div_ceil(512).max(1) * 512, 0);
                WriteData::bytes(bytes)
            }
            None => WriteData::Pattern {
                pattern: match a.get("--pattern").unwrap_or("random") {
                    "random" => PatternKind::Random,
                    "fill" => PatternKind::Fill,
                    other => {
                        return Err(Failure::Usage(format!(
                        "argument --pattern: invalid choice: '{other}' (choose from random, fill)"
                    )))
                    }
                },
                seed: a
                    .get("--seed")
                    .map(|s| {
                        s.parse().map_err(|_| {
                            Failure::Usage(format!("argument --seed: invalid int value: '{s}'"))
                        })
                    })
                    .transpose()?
                    .unwrap_or(rt.lab().operations() as u64),
                length: size(&a.require("--length", None)?)?,
            },
        };
        let message = exec(
            rt,
            Command::Write(cmd::Write {
                group,
                disk,
                offset,
                data,
            }),
        )?;
        json!({ "result": message })
    };
    Ok(Out::Json(value))
}

pub(super) fn sim_trim(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let (group, disk) = (g(a)?, a.require("--disk", None)?);
        let message = exec(
            rt,
            Command::Clear(cmd::Clear {
                group,
                disk,
                offset: size(&a.require("--offset", None)?)?,
                length: size(&a.require("--length", None)?)?,
            }),
        )?;
        json!({ "result": message })
    };
    Ok(Out::Json(value))
}

pub(super) fn sim_clock_advance(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        let text = a.positional.first().cloned().ok_or_else(|| {
            Failure::Usage("sim clock advance needs a duration: 90s, 5m, 1h, 31d".into())
        })?;
        let span = Span::parse(&text).ok_or_else(|| {
            Failure::Usage(format!(
                "'{text}' is not a duration: use 90s, 5m, 1h or 31d"
            ))
        })?;
        exec(
            rt,
            Command::AdvanceClock(cmd::AdvanceClock {
                millis: span.as_millis(),
            }),
        )?;
        json!({ "now": rt.lab().now().to_azure_string() })
    };
    Ok(Out::Json(value))
}

/// `az resource move`: moves are all or nothing, as ARM validates a move
/// whole before it moves anything; the simulator moves snapshots (a full
/// one moves, an incremental one is refused: B4, B5).
pub(super) fn az_resource_move(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let target_group = a.require("--destination-group", None)?;
    let target_subscription = a.get("--destination-subscription-id").map(str::to_string);
    let ids: Vec<String> = a
        .all("--ids")
        .into_iter()
        .map(str::to_string)
        .chain(a.positional.iter().cloned())
        .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if ids.is_empty() {
        return Err(Failure::Usage(
            "the following arguments are required: --ids".into(),
        ));
    }
    let mut commands = Vec::new();
    for id in &ids {
        let parts = snaplab_engine::lab::parse_arm_id(id)
            .ok_or_else(|| Failure::Usage(format!("'{id}' is not a valid resource ID")))?;
        if !parts.kind.eq_ignore_ascii_case("snapshots") {
            return Err(Failure::Usage(format!(
                "the simulator moves snapshots only ('{id}' is a {})",
                parts.kind
            )));
        }
        commands.push(Command::MoveSnapshot(cmd::MoveSnapshot {
            group: parts.group,
            name: parts.name,
            target_group: target_group.clone(),
            target_subscription: target_subscription.clone(),
        }));
    }
    let mut trial = rt.lab().clone();
    for command in &commands {
        rt.check(command)?;
        trial.execute(command.clone())?;
    }
    for command in commands {
        exec(rt, command)?;
    }
    Ok(Out::Json(Value::Null))
}

/// `YYYY-MM-DD` as the first instant of that day.
fn date(flag: &str, text: &str) -> Result<snaplab_engine::clock::Instant, Failure> {
    let bad = || {
        Failure::Usage(format!(
            "argument {flag}: '{text}' is not a date (YYYY-MM-DD)"
        ))
    };
    let parts: Vec<i64> = text
        .split('-')
        .map(|p| p.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    // Days since 1970-01-01 (the civil-from-days inverse, Howard Hinnant's).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(snaplab_engine::clock::Instant(days as u64 * 86_400_000))
}

/// `az consumption usage list`: the daily usage report the seed describes
/// (A6: a snapshot's used GiB / 31 a day), one line per snapshot per day,
/// in the shape of the Consumption API's usage details. Prices are the
/// simulator's sample prices, and each line says so.
pub(super) fn az_consumption_usage_list(
    rt: &mut Runner,
    a: &Args,
    _env: &Env,
) -> Result<Out, Failure> {
    let lab = rt.lab();
    let now = lab.now();
    let (year, month, _, _, _) = now.parts();
    let start = match a.get("--start-date") {
        Some(text) => date("--start-date", text)?,
        None => date("--start-date", &format!("{year:04}-{month:02}-01"))?,
    };
    let end = match a.get("--end-date") {
        Some(text) => date("--end-date", text)?,
        None => now,
    };
    let prices = snaplab_engine::billing::PriceTable::default();
    let lines = lab.daily_usage(&prices, start, end)?;
    let top = match a.get("--top") {
        Some(_) => Some(number(a, "--top", Some("-t"))? as usize),
        None => None,
    };
    let sub = lab.current_subscription();
    let meters = a.flag("--include-meter-details");
    let rows: Vec<Value> = lines
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(i, l)| {
            let (y, m, _, _, _) = l.day.parts();
            let period = format!(
                "/subscriptions/{}/providers/Microsoft.Billing/billingPeriods/{y:04}{m:02}",
                sub.id
            );
            let name = snaplab_engine::naming::uuid_from(
                l.day.0 ^ i as u64,
                snaplab_engine::checksum::stable_hash_bytes(l.id.as_bytes()),
            );
            let day_end = snaplab_engine::clock::Instant(l.day.0 + 86_399_000);
            let quantity = (l.quantity * 10_000.0).round() / 10_000.0;
            json!({
                "id": format!("{period}/providers/Microsoft.Consumption/usageDetails/{name}"),
                "name": name,
                "type": "Microsoft.Consumption/usageDetails",
                "billingPeriodId": period,
                "usageStart": l.day.to_azure_string(),
                "usageEnd": day_end.to_azure_string(),
                "instanceName": l.name,
                "instanceId": l.id,
                "instanceLocation": l.location,
                "consumedService": "Microsoft.Compute",
                "product": format!("{} snapshot storage (simulated: sample prices)", l.sku.name()),
                "usageQuantity": quantity,
                "billableQuantity": quantity,
                "pretaxCost": (l.cost * 1_000_000.0).round() / 1_000_000.0,
                "currency": prices.currency,
                "isEstimated": false,
                "subscriptionGuid": sub.id,
                "subscriptionName": sub.name,
                "meterDetails": meters.then(|| json!({
                    "meterName": format!("{} Snapshot", l.sku.name()),
                    "meterCategory": "Storage",
                    "unit": "1 GB/Month",
                    "pretaxStandardRate": prices.per_gib_month(l.sku),
                })),
            })
        })
        .collect();
    Ok(Out::Json(Value::Array(rows)))
}

/// `az snapshot wait` / `az disk wait`, as azure-cli's generic wait: check
/// the resource, and while the condition does not hold, sleep `--interval`
/// seconds, up to `--timeout`. Sleeping is simulated time: the checks run on
/// copies of the lab moved forward, and the lab's clock then moves once, by
/// the time the wait took (one log entry, however many polls).
fn wait_for(
    rt: &mut Runner,
    a: &Args,
    show: fn(&snaplab_engine::Lab, &str, &str) -> Option<Value>,
) -> Result<Out, Failure> {
    let (group, name) = (g(a)?, n(a)?);
    let seconds = |flag: &str, default: u64| -> Result<u64, Failure> {
        match a.get(flag) {
            None => Ok(default),
            Some(text) => text.parse::<u64>().map_err(|_| {
                Failure::Usage(format!("argument {flag}: invalid int value: '{text}'"))
            }),
        }
    };
    let (interval, timeout) = (seconds("--interval", 30)?, seconds("--timeout", 3600)?);
    let custom = match a.get("--custom") {
        Some(query) => Some(super::compile_query("--custom", query)?),
        None => None,
    };
    let (created, updated, deleted, exists) = (
        a.flag("--created"),
        a.flag("--updated"),
        a.flag("--deleted"),
        a.flag("--exists"),
    );
    if !(created || updated || deleted || exists || custom.is_some()) {
        return Err(Failure::Usage(
            "incorrect usage: --created | --updated | --deleted | --exists | --custom JMESPATH_QUERY"
                .into(),
        ));
    }
    // azure-cli 2.91.0's disk and snapshot `wait` are aaz commands that test
    // the condition on the resource as the service returns it, not flattened
    // (`deserialize_output(…, client_flatten=False)` in their `_wait.py`):
    // `--custom "properties.diskState=='Unattached'"`, where `diskState==…`
    // never holds and az waits out its timeout.
    let holds = |lab: &snaplab_engine::Lab| -> bool {
        match show(lab, &group, &name) {
            None => deleted,
            Some(resource) => {
                let state_ok = resource["properties"]["provisioningState"] == "Succeeded";
                exists
                    || ((created || updated) && state_ok)
                    || custom.as_ref().is_some_and(|q| {
                        let data = jmespath::Variable::from_json(&resource.to_string());
                        data.ok()
                            .and_then(|d| q.search(d).ok())
                            .is_some_and(|v| v.is_truthy())
                    })
            }
        }
    };
    let mut future = rt.lab().clone();
    let mut waited = 0u64;
    loop {
        if holds(&future) {
            break;
        }
        if interval == 0 || waited + interval > timeout {
            return Err(Failure::Error(format!(
                "Wait operation timed-out after {timeout} seconds"
            )));
        }
        waited += interval;
        let step = Command::AdvanceClock(cmd::AdvanceClock {
            millis: interval * 1000,
        });
        if future.execute(step).is_err() {
            return Err(Failure::Error(format!(
                "Wait operation timed-out after {waited} seconds (the simulated clock's end)"
            )));
        }
    }
    if waited > 0 {
        exec(
            rt,
            Command::AdvanceClock(cmd::AdvanceClock {
                millis: waited * 1000,
            }),
        )?;
    }
    Ok(Out::Json(Value::Null))
}

pub(super) fn az_snapshot_wait(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    wait_for(rt, a, |lab, group, name| {
        lab.find_snapshot(group, name)
            .ok()
            .map(|s| snaplab_engine::rest::to_json(&snaplab_engine::rest::snapshot(s, lab.now())))
    })
}

pub(super) fn az_disk_wait(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    wait_for(rt, a, |lab, group, name| {
        lab.find_disk(group, name)
            .ok()
            .map(|d| snaplab_engine::rest::to_json(&snaplab_engine::rest::disk(d, lab)))
    })
}

pub(super) fn sim_clock_show(rt: &mut Runner, _a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = { json!({ "now": rt.lab().now().to_azure_string() }) };
    Ok(Out::Json(value))
}

pub(super) fn sim_diff(rt: &mut Runner, a: &Args, _env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        // By name, or the Azure way: by the SAS URLs of two snapshots (each SAS counts toward B3).
        let (group, snapshot, prev) = match a.get("--sas-url") {
            Some(url) => {
                let newer = rt.lab().snapshot_by_sas(url)?;
                let older = a
                    .get("--prev-sas-url")
                    .map(|u| rt.lab().snapshot_by_sas(u).map(|s| s.id()))
                    .transpose()?;
                (newer.at.group.clone(), newer.id(), older)
            }
            None => (
                g(a)?,
                a.require("--snapshot", None)?,
                a.get("--prev").map(str::to_string),
            ),
        };
        let list = rt.lab().page_ranges(
            &group,
            &snapshot,
            prev.as_deref(),
            &PageRangesRequest::default(),
        )?;
        if a.get("--output") == Some("xml") {
            return Ok(Out::Text(list.to_xml() + "\n"));
        }
        list.to_json()
    };
    Ok(Out::Json(value))
}

pub(super) fn sim_feature_enable(rt: &mut Runner, _a: &Args, env: &Env) -> Result<Out, Failure> {
    let value: Value = {
        exec(
            rt,
            Command::SetFeatureAccess(cmd::SetFeatureAccess {
                enabled: env.path[2] == "enable",
            }),
        )?;
        Value::Null
    };
    Ok(Out::Json(value))
}
