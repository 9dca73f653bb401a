//! Snapshots: `Get-AzSnapshot`, `New-AzSnapshotConfig` and `New-AzSnapshot`,
//! `Remove-AzSnapshot`, and SAS access (`Grant-`/`Revoke-AzSnapshotAccess`,
//! shared with the disk ones).

use serde_json::{json, Value};
use snaplab_engine::{cmd, AccessTarget, Command};

use crate::pwsh::objects::ps_snapshot;
use crate::pwsh::table::{Args, Cmdlet, Param, Type};
use crate::pwsh::value::{get_ci, text, truthy, PsError};
use crate::runner::Runner;

const GROUP: Param = Param::new(
    "ResourceGroupName",
    "The resource group the snapshot is in.",
)
.positional()
.piped();
const SNAPSHOT: Param = Param::new("SnapshotName", "The name of the snapshot.")
    // Az.Compute declares the alias on every cmdlet that takes the name,
    // which is how a piped object's `Name` binds.
    .aliases(&["Name"])
    .positional()
    .piped();
const PSSNAPSHOT: &str = "Microsoft.Azure.Commands.Compute.Automation.Models.PSSnapshot";

pub const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Get-AzSnapshot",
        aliases: &[],
        summary: "Gets a snapshot, or the snapshots of a resource group or subscription.",
        params: &[GROUP, SNAPSHOT],
        confirms: false,
        command: Some(get),
        stage: None,
    },
    Cmdlet {
        name: "New-AzSnapshotConfig",
        aliases: &[],
        summary: "Creates a configurable snapshot object, for New-AzSnapshot.",
        params: &[
            Param::new(
                "SourceUri",
                "The disk (or snapshot) to take the snapshot of.",
            ),
            Param::new(
                "SourceResourceId",
                "The snapshot to copy (another region's copy docs use this).",
            ),
            Param::new("Location", "The Azure region of the snapshot."),
            Param::new(
                "CreateOption",
                "Copy (the default), or CopyStart (a copy to another region).",
            ),
            Param::new(
                "Incremental",
                "An incremental snapshot: only the changes since the last one.",
            )
            .ty(Type::Switch),
            Param::new("SkuName", "Standard_LRS, Standard_ZRS or Premium_LRS.")
                .aliases(&["AccountType"]),
        ],
        confirms: false,
        command: Some(new_config),
        stage: None,
    },
    Cmdlet {
        name: "New-AzSnapshot",
        aliases: &[],
        summary: "Creates a snapshot from a New-AzSnapshotConfig object.",
        params: &[
            GROUP.mandatory(),
            SNAPSHOT.mandatory(),
            Param::new("Snapshot", "The snapshot object New-AzSnapshotConfig made.")
                .ty(Type::Object(PSSNAPSHOT))
                .mandatory(),
        ],
        confirms: false,
        command: Some(new),
        stage: None,
    },
    Cmdlet {
        name: "Remove-AzSnapshot",
        aliases: &[],
        summary: "Removes a snapshot.",
        params: &[
            GROUP.mandatory(),
            SNAPSHOT.mandatory(),
            Param::new("Force", "Removes without asking.").ty(Type::Switch),
        ],
        confirms: false,
        command: Some(remove),
        stage: None,
    },
    Cmdlet {
        name: "Grant-AzSnapshotAccess",
        aliases: &[],
        summary: "Grants a SAS URL to read a snapshot's data.",
        params: &[
            GROUP.mandatory(),
            SNAPSHOT.mandatory(),
            Param::new("Access", "Read."),
            Param::new(
                "DurationInSecond",
                "How long the SAS lasts (3600 when left out).",
            )
            .ty(Type::Number),
        ],
        confirms: false,
        command: Some(grant_snapshot),
        stage: None,
    },
    Cmdlet {
        name: "Revoke-AzSnapshotAccess",
        aliases: &[],
        summary: "Revokes a snapshot's SAS access.",
        params: &[GROUP.mandatory(), SNAPSHOT.mandatory()],
        confirms: false,
        command: Some(revoke_snapshot),
        stage: None,
    },
];

fn get(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let group = args.get("resourcegroupname");
    Ok(if args.has("snapshotname") {
        let snap = args.need("snapshotname", "SnapshotName")?;
        let group =
            group.ok_or_else(|| args.fail("-ResourceGroupName is needed with -SnapshotName"))?;
        let s = rt
            .lab()
            .find_snapshot(&group, &snap)
            .map_err(|e| args.engine(&e))?;
        ps_snapshot(s, rt.lab())
    } else {
        let mut list: Vec<_> = rt
            .lab()
            .snapshots()
            .filter(|s| {
                group
                    .as_ref()
                    .is_none_or(|g| s.at.group.eq_ignore_ascii_case(g))
            })
            .collect();
        list.sort_by_key(|s| s.seq);
        Value::Array(list.into_iter().map(|s| ps_snapshot(s, rt.lab())).collect())
    })
}

fn new_config(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    Ok(json!({
        "@type": PSSNAPSHOT,
        // A disk or snapshot to copy: -SourceUri (older docs) or
        // -SourceResourceId (the cross-region copy docs).
        "SourceUri": args.need("sourceuri", "SourceUri")
            .or_else(|_| args.need("sourceresourceid", "SourceResourceId"))?,
        "Location": args.get("location"),
        "CreateOption": args.get("createoption").unwrap_or_else(|| "Copy".into()),
        "Incremental": args.value("incremental").is_some_and(truthy),
        "SkuName": args.get("skuname"),
    }))
}

fn new(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let (group, snap) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need("snapshotname", "SnapshotName")?,
    );
    let config = args.config("snapshot", "Snapshot")?;
    let given = |k: &str| get_ci(&config, k).filter(|v| !v.is_null()).map(text);
    let option = get_ci(&config, "CreateOption")
        .map(text)
        .unwrap_or_default();
    args.exec(
        rt,
        Command::CreateSnapshot(cmd::CreateSnapshot {
            group: group.clone(),
            name: snap.clone(),
            source: get_ci(&config, "SourceUri").map(text).unwrap_or_default(),
            incremental: get_ci(&config, "Incremental").is_some_and(truthy),
            sku: given("SkuName"),
            location: given("Location"),
            copy_start: option.eq_ignore_ascii_case("CopyStart"),
        }),
    )?;
    let s = rt
        .lab()
        .find_snapshot(&group, &snap)
        .map_err(|e| args.engine(&e))?;
    Ok(ps_snapshot(s, rt.lab()))
}

fn remove(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let (group, snap) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need("snapshotname", "SnapshotName")?,
    );
    args.exec(
        rt,
        Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group,
            name: snap.clone(),
        }),
    )?;
    Ok(json!({ "Name": snap, "Status": "Succeeded" }))
}

/// `Grant-Az{Snapshot,Disk}Access`: a SAS URL for `target`, named by the
/// parameter `(key, shown)`.
pub fn grant(
    rt: &mut Runner,
    args: &Args,
    target: AccessTarget,
    (key, shown): (&str, &str),
) -> Result<Value, PsError> {
    let (group, name) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need(key, shown)?,
    );
    let seconds: u64 = args
        .get("durationinsecond")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600);
    let url = args.exec(
        rt,
        Command::GrantAccess(cmd::GrantAccess {
            target,
            group,
            name,
            duration_seconds: seconds,
            access: match args.get("access") {
                Some(level) => cmd::Access::parse(&level).map_err(|e| args.engine(&e))?,
                None => cmd::Access::Read,
            },
        }),
    )?;
    Ok(json!({ "AccessSAS": url }))
}

/// `Revoke-Az{Snapshot,Disk}Access`.
pub fn revoke(
    rt: &mut Runner,
    args: &Args,
    target: AccessTarget,
    (key, shown): (&str, &str),
) -> Result<Value, PsError> {
    let (group, name) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need(key, shown)?,
    );
    args.exec(
        rt,
        Command::RevokeAccess(cmd::RevokeAccess {
            target,
            group,
            name,
        }),
    )?;
    Ok(json!({ "Status": "Succeeded" }))
}

fn grant_snapshot(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    grant(
        rt,
        args,
        AccessTarget::Snapshot,
        ("snapshotname", "SnapshotName"),
    )
}

fn revoke_snapshot(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    revoke(
        rt,
        args,
        AccessTarget::Snapshot,
        ("snapshotname", "SnapshotName"),
    )
}
