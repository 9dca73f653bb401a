//! Managed disks: `Get-AzDisk`, `New-AzDiskConfig` and `New-AzDisk`,
//! `New-AzDiskUpdateConfig` and `Update-AzDisk`, `Remove-AzDisk`, and SAS
//! access (`Grant-`/`Revoke-AzDiskAccess`).

use serde_json::{json, Value};
use snaplab_engine::{cmd, AccessTarget, Command};

use super::snapshot::{grant, revoke};
use crate::pwsh::objects::ps_disk;
use crate::pwsh::table::{Args, Cmdlet, Param, Type};
use crate::pwsh::value::{get_ci, text, PsError};
use crate::runner::Runner;

const GROUP: Param = Param::new("ResourceGroupName", "The resource group the disk is in.")
    .positional()
    .piped();
const DISK: Param = Param::new("DiskName", "The name of the disk.")
    // Az.Compute declares the alias on every cmdlet that takes the name,
    // which is how a piped object's `Name` binds.
    .aliases(&["Name"])
    .positional()
    .piped();
const SKU: Param = Param::new(
    "SkuName",
    "The disk type: Standard_LRS, StandardSSD_LRS, Premium_LRS, PremiumV2_LRS, UltraSSD_LRS, …",
)
.aliases(&["AccountType"]);
const IOPS: Param = Param::new(
    "DiskIOPSReadWrite",
    "Provisioned IOPS (Premium SSD v2, Ultra).",
)
.ty(Type::Number);
const MBPS: Param = Param::new(
    "DiskMBpsReadWrite",
    "Provisioned throughput in MB/s (Premium SSD v2, Ultra).",
)
.ty(Type::Number);
const SIZE: Param = Param::new("DiskSizeGB", "The size in GiB.").ty(Type::Number);
const PSDISK: &str = "Microsoft.Azure.Commands.Compute.Automation.Models.PSDisk";
const PSDISKUPDATE: &str = "Microsoft.Azure.Commands.Compute.Automation.Models.PSDiskUpdate";

pub const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Get-AzDisk",
        aliases: &[],
        summary: "Gets a disk, or the disks of a resource group or subscription.",
        params: &[GROUP, DISK],
        confirms: false,
        command: Some(get),
        stage: None,
    },
    Cmdlet {
        name: "New-AzDiskConfig",
        aliases: &[],
        summary: "Creates a configurable disk object, for New-AzDisk.",
        params: &[
            Param::new("Location", "The Azure region of the disk."),
            Param::new(
                "CreateOption",
                "Empty (a new disk), Copy/Restore (from -SourceResourceId), or Upload (-UploadSizeInBytes).",
            ),
            SIZE,
            SKU,
            Param::new("SourceResourceId", "The snapshot or disk to copy."),
            Param::new("Zone", "The availability zone."),
            IOPS,
            MBPS,
            Param::new("LogicalSectorSize", "512 or 4096 (Premium SSD v2, Ultra).")
                .ty(Type::Number),
            Param::new(
                "UploadSizeInBytes",
                "With -CreateOption Upload: the VHD's size, its 512-byte footer included.",
            )
            .ty(Type::Number),
        ],
        confirms: false,
        command: Some(new_config),
        stage: None,
    },
    Cmdlet {
        name: "New-AzDisk",
        aliases: &[],
        summary: "Creates a managed disk from a New-AzDiskConfig object.",
        params: &[
            GROUP.mandatory(),
            DISK.mandatory(),
            Param::new("Disk", "The disk object New-AzDiskConfig made.")
                .ty(Type::Object(PSDISK))
                .mandatory(),
        ],
        confirms: false,
        command: Some(new),
        stage: None,
    },
    Cmdlet {
        name: "New-AzDiskUpdateConfig",
        aliases: &[],
        summary: "Creates a configurable disk update object, for Update-AzDisk.",
        params: &[SIZE, IOPS, MBPS, SKU],
        confirms: false,
        command: Some(new_update_config),
        stage: None,
    },
    Cmdlet {
        name: "Update-AzDisk",
        aliases: &[],
        summary: "Updates a disk: its size, its type (-SkuName), or a Premium SSD v2's performance.",
        params: &[
            GROUP.mandatory(),
            DISK.mandatory(),
            // Two parameter sets (Az.Compute's DiskUpdateMethod.cs):
            // DefaultParameter takes -DiskUpdate, FriendMethod -Disk; one
            // of them is mandatory, which `update` checks.
            Param::new(
                "DiskUpdate",
                "The update object New-AzDiskUpdateConfig made.",
            )
            .ty(Type::Object(PSDISKUPDATE)),
            Param::new(
                "Disk",
                "The disk as Get-AzDisk gave it, its properties changed ($disk.DiskSizeGB = 1023).",
            )
            .ty(Type::Any),
        ],
        confirms: false,
        command: Some(update),
        stage: None,
    },
    Cmdlet {
        name: "Remove-AzDisk",
        aliases: &[],
        summary: "Removes a managed disk.",
        params: &[
            GROUP.mandatory(),
            DISK.mandatory(),
            Param::new("Force", "Removes without asking.").ty(Type::Switch),
        ],
        confirms: true,
        command: Some(remove),
        stage: None,
    },
    Cmdlet {
        name: "Grant-AzDiskAccess",
        aliases: &[],
        summary: "Grants a SAS URL to read or write a disk's data.",
        params: &[
            GROUP.mandatory(),
            DISK.mandatory(),
            Param::new("Access", "Read, or Write on a disk created for upload (ReadyToUpload)."),
            Param::new(
                "DurationInSecond",
                "How long the SAS lasts (3600 when left out).",
            )
            .ty(Type::Number),
        ],
        confirms: false,
        command: Some(grant_disk),
        stage: None,
    },
    Cmdlet {
        name: "Revoke-AzDiskAccess",
        aliases: &[],
        summary: "Revokes a disk's SAS access.",
        params: &[GROUP.mandatory(), DISK.mandatory()],
        confirms: false,
        command: Some(revoke_disk),
        stage: None,
    },
];

fn get(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let group = args.get("resourcegroupname");
    Ok(match args.get("diskname") {
        Some(disk) => {
            let group =
                group.ok_or_else(|| args.fail("-ResourceGroupName is needed with -DiskName"))?;
            let d = rt
                .lab()
                .find_disk(&group, &disk)
                .map_err(|e| args.engine(&e))?;
            ps_disk(d, rt.lab())
        }
        None => Value::Array(
            rt.lab()
                .disks()
                .filter(|d| {
                    group
                        .as_ref()
                        .is_none_or(|g| d.at.group.eq_ignore_ascii_case(g))
                })
                .map(|d| ps_disk(d, rt.lab()))
                .collect(),
        ),
    })
}

fn new_config(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    Ok(json!({
        "@type": PSDISK,
        "Location": args.get("location"),
        "CreateOption": args.get("createoption").unwrap_or_else(|| "Empty".into()),
        "DiskSizeGB": args.raw("disksizegb"),
        "SkuName": args.get("skuname"),
        "SourceResourceId": args.get("sourceresourceid"),
        "Zone": args.get("zone"),
        "DiskIOPSReadWrite": args.raw("diskiopsreadwrite"),
        "DiskMBpsReadWrite": args.raw("diskmbpsreadwrite"),
        "LogicalSectorSize": args.raw("logicalsectorsize"),
        "UploadSizeInBytes": args.raw("uploadsizeinbytes"),
    }))
}

/// The disk `args` name, as a PSDisk.
fn shown(rt: &Runner, args: &Args, group: &str, disk: &str) -> Result<Value, PsError> {
    let d = rt
        .lab()
        .find_disk(group, disk)
        .map_err(|e| args.engine(&e))?;
    Ok(ps_disk(d, rt.lab()))
}

fn new(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let (group, disk) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need("diskname", "DiskName")?,
    );
    let config = args.config("disk", "Disk")?;
    let whole = |k: &str| get_ci(&config, k).and_then(Value::as_f64).map(|n| n as u64);
    let given = |k: &str| get_ci(&config, k).filter(|v| !v.is_null()).map(text);
    let size = whole("DiskSizeGB");
    let option = get_ci(&config, "CreateOption")
        .map(text)
        .unwrap_or_default()
        .to_lowercase();
    let command = match option.as_str() {
        "copy" | "restore" => Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
            group: group.clone(),
            name: disk.clone(),
            source: get_ci(&config, "SourceResourceId")
                .map(text)
                .unwrap_or_default(),
            sku: given("SkuName"),
            size_gib: size,
        }),
        _ => Command::CreateDisk(cmd::CreateDisk {
            group: group.clone(),
            name: disk.clone(),
            location: given("Location"),
            sku: given("SkuName").unwrap_or_else(|| "Standard_LRS".into()),
            size_gib: size.unwrap_or(0),
            logical_sector_size: whole("LogicalSectorSize").unwrap_or(512),
            zone: given("Zone"),
            iops: whole("DiskIOPSReadWrite"),
            mbps: whole("DiskMBpsReadWrite"),
            // -CreateOption Upload: the service needs the size (0 is refused
            // as out of range, as a missing uploadSizeBytes would be).
            upload_size_bytes: (option == "upload")
                .then(|| whole("UploadSizeInBytes").unwrap_or(0)),
        }),
    };
    args.exec(rt, command)?;
    shown(rt, args, &group, &disk)
}

fn new_update_config(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    Ok(json!({
        "@type": PSDISKUPDATE,
        "DiskSizeGB": args.raw("disksizegb"),
        "DiskIOPSReadWrite": args.raw("diskiopsreadwrite"),
        "DiskMBpsReadWrite": args.raw("diskmbpsreadwrite"),
        "SkuName": args.get("skuname"),
    }))
}

fn update(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let (group, disk) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need("diskname", "DiskName")?,
    );
    let update = match (args.value("diskupdate"), args.value("disk")) {
        (Some(_), Some(_)) => {
            return Err(
                args.fail("Parameter set cannot be resolved using the specified named parameters.")
            )
        }
        (None, Some(changed)) => disk_changes(rt, args, &group, &disk, changed)?,
        (_, None) => args.config("diskupdate", "DiskUpdate")?,
    };
    // -SkuName converts the disk's type (the engine's rules apply).
    if let Some(sku) = get_ci(&update, "SkuName").and_then(Value::as_str) {
        args.exec(
            rt,
            Command::ConvertDisk(cmd::ConvertDisk {
                group: group.clone(),
                name: disk.clone(),
                sku: sku.to_string(),
            }),
        )?;
    }
    let current = rt
        .lab()
        .find_disk(&group, &disk)
        .map_err(|e| args.engine(&e))?
        .size_gib();
    let whole = |k: &str| get_ci(&update, k).and_then(Value::as_f64).map(|n| n as u64);
    args.exec(
        rt,
        Command::ResizeDisk(cmd::ResizeDisk {
            group: group.clone(),
            name: disk.clone(),
            size_gib: whole("DiskSizeGB").unwrap_or(current),
            iops: whole("DiskIOPSReadWrite"),
            mbps: whole("DiskMBpsReadWrite"),
        }),
    )?;
    shown(rt, args, &group, &disk)
}

/// What `-Disk` asks for, as a disk update: the size, the SKU (when it is
/// another) and a Premium SSD v2 / Ultra disk's performance, read from the
/// object as the script changed it.
fn disk_changes(
    rt: &Runner,
    args: &Args,
    group: &str,
    name: &str,
    changed: &Value,
) -> Result<Value, PsError> {
    let current = rt
        .lab()
        .find_disk(group, name)
        .map_err(|e| args.engine(&e))?;
    let sku = get_ci(changed, "Sku")
        .and_then(|s| get_ci(s, "Name"))
        .and_then(Value::as_str)
        .filter(|s| !s.eq_ignore_ascii_case(current.sku.name()));
    // The cmdlet sends the whole disk back; what it held already (a
    // Premium SSD's baseline IOPS, say) asks for nothing.
    let now = ps_disk(current, rt.lab());
    let asked = |key: &str| {
        get_ci(changed, key)
            .filter(|v| !v.is_null() && Some(*v) != get_ci(&now, key))
            .cloned()
    };
    // Only a Premium SSD v2 or Ultra disk has performance to set; another
    // type's IOPS and MB/s follow from its size and tier.
    let target = sku
        .and_then(|s| snaplab_engine::catalog::DiskSku::parse(s).ok())
        .unwrap_or(current.sku);
    let performance = |key: &str| asked(key).filter(|_| target.is_v2_or_ultra());
    Ok(json!({
        "@type": PSDISKUPDATE,
        "SkuName": sku,
        "DiskSizeGB": asked("DiskSizeGB"),
        "DiskIOPSReadWrite": performance("DiskIOPSReadWrite"),
        "DiskMBpsReadWrite": performance("DiskMBpsReadWrite"),
    }))
}

fn remove(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let (group, disk) = (
        args.need("resourcegroupname", "ResourceGroupName")?,
        args.need("diskname", "DiskName")?,
    );
    args.exec(
        rt,
        Command::DeleteDisk(cmd::DeleteDisk {
            group,
            name: disk.clone(),
        }),
    )?;
    Ok(json!({ "Name": disk, "Status": "Succeeded" }))
}

fn grant_disk(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    grant(rt, args, AccessTarget::Disk, ("diskname", "DiskName"))
}

fn revoke_disk(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    revoke(rt, args, AccessTarget::Disk, ("diskname", "DiskName"))
}
