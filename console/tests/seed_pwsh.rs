//! Seed 001's Azure PowerShell blocks, run verbatim after their placeholders
//! are given values, with their output and the resulting state checked.

use snaplab_console::{Console, Line};
use snaplab_engine::Lab;

fn console() -> Console {
    let mut c = Console::new(Lab::new());
    let t = c.run("az group create -n rg-seed -l westeurope -o none\naz disk create -g rg-seed -n disk1 --size-gb 64 -o none\nsim write -g rg-seed --disk disk1 --offset 0 --length 2M -o none");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    c
}

fn fill(block: &str) -> String {
    block
        .replace("yourDiskNameHere", "disk1")
        .replace("yourResourceGroupNameHere", "rg-seed")
        .replace("yourDesiredSnapshotNameHere", "ps-snap1")
        .replace("yourSnapshotName", "ps-snap1")
}

const INSTALL: &str = "Install-Module -Name Az -AllowClobber -Scope CurrentUser\n";

const CREATE: &str = r#"$diskName = "yourDiskNameHere"
$resourceGroupName = "yourResourceGroupNameHere"
$snapshotName = "yourDesiredSnapshotNameHere"

# Get the disk that you need to backup by creating an incremental snapshot
$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName

# Create an incremental snapshot by setting the SourceUri property with the value of the Id property of the disk
$snapshotConfig=New-AzSnapshotConfig -SourceUri $yourDisk.Id -Location $yourDisk.Location -CreateOption Copy -Incremental 
New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName -Snapshot $snapshotConfig 
"#;

const LIST: &str = r#"$resourceGroupName = "yourResourceGroupNameHere"
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName

$incrementalSnapshots = New-Object System.Collections.ArrayList
foreach ($snapshot in $snapshots)
{

    if($snapshot.Incremental -and $snapshot.CreationData.SourceResourceId -eq $yourDisk.Id -and $snapshot.CreationData.SourceUniqueId -eq $yourDisk.UniqueId){

        $incrementalSnapshots.Add($snapshot)
    }
}

$incrementalSnapshots
"#;

const STATUS_ONE: &str = r#"$resourceGroupName = "yourResourceGroupNameHere"
$snapshotName = "yourSnapshotName"
$targetSnapshot=Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName
$targetSnapshot.CompletionPercent
"#;

const STATUS_LIST: &str = r#"$resourceGroupName = "yourResourceGroupNameHere"
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName
$diskName = "yourDiskNameHere"
$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName
$incrementalSnapshots = New-Object System.Collections.ArrayList
foreach ($snapshot in $snapshots)
{
    if($snapshot.Incremental -and $snapshot.CreationData.SourceResourceId -eq $yourDisk.Id -and $snapshot.CreationData.SourceUniqueId -eq $yourDisk.UniqueId)
    {
    $targetSnapshot=Get-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName
        {
        if($targetSnapshot.CompletionPercent -lt 100)
            {
            $incrementalSnapshots.Add($targetSnapshot)
            }
        }
    }
}
$incrementalSnapshots
"#;

fn out(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| {
            if let Line::Out(s) = l {
                Some(s.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn seed_pwsh_install_module_and_connect_are_simulated() {
    let mut c = console();
    let t = c.run_pwsh(INSTALL);
    assert_eq!(t.status, 0);
    assert!(out(&t.lines)[0].contains("simulated"));
    let t = c.run_pwsh("Connect-AzAccount");
    assert!(t.stdout().contains("trainer@snaplab.example") && t.stdout().contains("simulated"));
}

#[test]
fn seed_pwsh_create_then_list_incremental_snapshots() {
    let mut c = console();
    let t = c.run_pwsh(&fill(CREATE));
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let printed = t.stdout();
    assert!(
        printed.contains("Name                        : ps-snap1")
            || printed
                .lines()
                .any(|l| l.starts_with("Name") && l.ends_with(": ps-snap1")),
        "{printed}"
    );
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("Incremental") && l.ends_with(": True")),
        "{printed}"
    );
    let snapshot = c.lab.find_snapshot("rg-seed", "ps-snap1").unwrap();
    assert!(snapshot.incremental);
    assert_eq!(snapshot.used_bytes(), 2 << 20);

    // A full snapshot, and another incremental one: the list shows the two incremental ones.
    c.run("az snapshot create -g rg-seed -n full1 --source disk1 -o none\naz snapshot create -g rg-seed -n ps-snap2 --source disk1 --incremental -o none");
    let t = c.run_pwsh(&fill(LIST));
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let lines = out(&t.lines);
    // $incrementalSnapshots.Add() prints each new index, as PowerShell does.
    assert_eq!(&lines[..2], ["0", "1"]);
    let names: Vec<&String> = lines.iter().filter(|l| l.starts_with("Name ")).collect();
    assert_eq!(names.len(), 2, "{lines:?}");
    assert!(names[0].ends_with("ps-snap1") && names[1].ends_with("ps-snap2"));
}

#[test]
fn seed_pwsh_individual_snapshot_status() {
    let mut c = console();
    c.run_pwsh(&fill(CREATE));
    let t = c.run_pwsh(&fill(STATUS_ONE));
    assert_eq!((out(&t.lines), t.status), (vec!["100".to_string()], 0));
}

#[test]
fn seed_pwsh_status_list_runs_as_powershell_would() {
    // The block reads $snapshotName, which it never sets: Get-AzSnapshot fails
    // for each snapshot, and its inner { … } is a script block that is output,
    // not run. The simulator does what PowerShell does.
    let mut c = console();
    c.run_pwsh(&fill(CREATE));
    let mut fresh = Console::new(c.lab.clone());
    let t = fresh.run_pwsh(&fill(STATUS_LIST));
    assert_eq!(t.status, 1);
    assert!(t.stderr().contains("Get-AzSnapshot: Cannot validate argument on parameter 'SnapshotName'. The argument is null or empty."), "{}", t.stderr());
    // With $snapshotName set, the script block is printed as text.
    let t = fresh.run_pwsh(&format!(
        "$snapshotName = \"ps-snap1\"\n{}",
        fill(STATUS_LIST)
    ));
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert!(
        t.stdout()
            .contains("if($targetSnapshot.CompletionPercent -lt 100)"),
        "{}",
        t.stdout()
    );
}

#[test]
fn pwsh_errors_are_azure_powershell_errors_and_typos_get_a_suggestion() {
    let mut c = console();
    let t = c.run_pwsh("Get-AzDisk -DiskName nope -ResourceGroupName rg-seed");
    assert_eq!(t.status, 1);
    assert_eq!(t.stderr(), "Get-AzDisk: The Resource 'Microsoft.Compute/disks/nope' under resource group 'rg-seed' was not found.\nErrorCode: ResourceNotFound\nErrorMessage: The Resource 'Microsoft.Compute/disks/nope' under resource group 'rg-seed' was not found.\n");
    let t = c.run_pwsh("Get-AzSnapshots -ResourceGroupName rg-seed");
    assert!(
        t.stderr().contains("Did you mean 'Get-AzSnapshot'?"),
        "{}",
        t.stderr()
    );
    let t = c.run_pwsh("$x = (1");
    assert!(
        t.stderr().starts_with("ParserError: line 1, column"),
        "{}",
        t.stderr()
    );
    // Remove, grant and revoke, and New-AzDisk from a snapshot.
    c.run_pwsh(&fill(CREATE));
    let t = c.run_pwsh("$sas = Grant-AzSnapshotAccess -ResourceGroupName rg-seed -SnapshotName ps-snap1 -Access Read -DurationInSecond 3600\n$sas.AccessSAS");
    assert!(t.stdout().starts_with("https://md-"), "{:?}", t.lines);
    let t = c.run_pwsh("Revoke-AzSnapshotAccess -ResourceGroupName rg-seed -SnapshotName ps-snap1\n$s = Get-AzSnapshot -ResourceGroupName rg-seed -SnapshotName ps-snap1\n$c = New-AzDiskConfig -Location westeurope -CreateOption Copy -SourceResourceId $s.Id\n$d = New-AzDisk -ResourceGroupName rg-seed -DiskName restored -Disk $c\n\"restored $($d.Name) of $($d.DiskSizeGB) GiB\"");
    assert_eq!(
        out(&t.lines).last().map(String::as_str),
        Some("restored restored of 64 GiB"),
        "{:?}",
        t.lines
    );
    let t =
        c.run_pwsh("Remove-AzSnapshot -ResourceGroupName rg-seed -SnapshotName ps-snap1 -Force");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert!(c.lab.find_snapshot("rg-seed", "ps-snap1").is_err());
}
