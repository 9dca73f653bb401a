//! A script in the style of the Az walkthroughs: a resource group first,
//! a disk from a config, string building, a wait in simulated time, and a
//! clean-up with -Force. Written for Snaplab, in the docs' idiom.

use snaplab_console::{Console, Language};
use snaplab_engine::Lab;

const WALKTHROUGH: &str = r#"$resourceGroupName = "rg-walk"
$location = "East US"
New-AzResourceGroup -Name $resourceGroupName -Location $location

$diskConfig = New-AzDiskConfig -Location $location -CreateOption Empty -DiskSizeGB 16 -SkuName Premium_LRS
$disk = New-AzDisk -ResourceGroupName $resourceGroupName -DiskName "data-disk" -Disk $diskConfig
Write-Output ("Created " + $disk.Name + " of " + $disk.DiskSizeGB + " GiB")

$names = @("first", "second")
foreach ($n in $names) {
    $config = New-AzSnapshotConfig -SourceUri $disk.Id -Location $disk.Location -CreateOption Copy -Incremental
    New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName ("snap-" + $n) -Snapshot $config | Out-Null
    Start-Sleep -Seconds 60
}
$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName
Write-Output ("Snapshots: " + $snapshots.Count + ", names: " + $snapshots.Name)
Write-Output ("Minutes waited: " + 120 / 60)
"#;

#[test]
fn an_az_walkthrough_runs_with_groups_concatenation_and_simulated_sleep() {
    let mut c = Console::new(Lab::new());
    let t = c.run_in(Language::PowerShell, WALKTHROUGH);
    let out = t.stdout();
    assert_eq!(t.status, 0, "{}\n{}", out, t.stderr());
    // New-AzResourceGroup prints the group, with the region as ARM names it.
    assert!(out.contains("ResourceGroupName : rg-walk"), "{out}");
    assert!(out.contains("Location          : eastus"), "{out}");
    assert!(out.contains("Created data-disk of 16 GiB\n"), "{out}");
    assert!(
        out.contains("Snapshots: 2, names: snap-first snap-second\n"),
        "{out}"
    );
    assert!(out.contains("Minutes waited: 2\n"), "{out}");
    // Start-Sleep moved the simulated clock: two minutes.
    let now = c.run("sim clock show --query now -o tsv").stdout();
    assert_eq!(now, "2026-01-05T10:02:00.0000000+00:00\n");

    // Clean-up asks first in PowerShell: -Force answers.
    let t = c.run_in(Language::PowerShell, "Remove-AzResourceGroup -Name rg-walk");
    assert_eq!(t.status, 1);
    assert!(t.stderr().contains("add -Force"), "{}", t.stderr());
    let t = c.run_in(
        Language::PowerShell,
        "Remove-AzSnapshot -ResourceGroupName rg-walk -SnapshotName snap-first
Remove-AzSnapshot -ResourceGroupName rg-walk -SnapshotName snap-second
Remove-AzDisk -ResourceGroupName rg-walk -DiskName data-disk -Force | Out-Null
Remove-AzResourceGroup -Name rg-walk -Force",
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(c.lab.groups().count(), 0);
}

#[test]
fn arithmetic_follows_the_left_operand_as_powershell_does() {
    let mut c = Console::new(Lab::new());
    let t = c.run_in(
        Language::PowerShell,
        "Write-Output (1 + 2)\nWrite-Output (\"1\" + 2)\nWrite-Output (2 * 3 - 1)\nWrite-Output (7 / 2)\nWrite-Output (-3 + 1)\n$a = @(1) + @(2, 3)\nWrite-Output $a.Count\nWrite-Output (1 / 0)",
    );
    assert_eq!(t.stdout(), "3\n12\n5\n3.5\n-2\n3\n");
    assert!(
        t.stderr().contains("Attempted to divide by zero."),
        "{}",
        t.stderr()
    );
}

#[test]
fn the_pipeline_filters_selects_sorts_and_formats_as_the_docs_use_it() {
    let mut c = Console::new(Lab::new());
    let setup = c.run(
        "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 8 -o none
az snapshot create -g rg -n full-1 --source d -o none
az snapshot create -g rg -n inc-1 --source d --incremental true -o none
az snapshot create -g rg -n inc-2 --source d --incremental true -o none",
    );
    assert_eq!(setup.status, 0, "{}", setup.stderr());
    let t = c.run_in(
        Language::PowerShell,
        r#"$snaps = Get-AzSnapshot -ResourceGroupName rg
$snaps | Where-Object { $_.Incremental } | Select-Object -First 1 -ExpandProperty Name
$snaps | Where-Object { $_.Incremental -eq $false } | ForEach-Object { "full: " + $_.Name }
($snaps | Measure-Object).Count
$snaps | Sort-Object -Property Name -Descending | Select-Object -ExpandProperty Name
$snaps | Where-Object { $_.Incremental } | Format-Table Name, DiskSizeGB"#,
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(
        t.stdout(),
        "inc-1\nfull: full-1\n3\ninc-2\ninc-1\nfull-1\n\nName  DiskSizeGB\n----  ----------\ninc-1          8\ninc-2          8\n\n"
    );
    // Snapshots piped into Remove-AzSnapshot bind by property name now
    // (issue 21), and each is removed (the simulator's Remove-AzSnapshot
    // asks for no -Force, as before).
    let t = c.run_in(
        Language::PowerShell,
        "Get-AzSnapshot -ResourceGroupName rg | Remove-AzSnapshot | Out-Null\n(Get-AzSnapshot -ResourceGroupName rg | Measure-Object).Count",
    );
    assert_eq!((t.stderr(), t.stdout()), (String::new(), "0\n".to_string()));
}

/// The cross-region copy walkthrough's shape: start a CopyStart copy, then
/// `do { … } while (…)` until it is complete, with Start-Sleep passing
/// simulated time; a hashtable, as walkthroughs build their settings.
const COPY_AND_WAIT: &str = r#"$settings = @{
    ResourceGroupName = "rg-copy"
    Source = "westeurope"
    Target = "northeurope"
}
$settings
Write-Output ("Settings: " + $settings.Count + " (" + $settings.Keys + ")")
$disk = Get-AzDisk -ResourceGroupName $settings.ResourceGroupName -DiskName "disk1"
$config = New-AzSnapshotConfig -SourceUri $disk.Id -Location $settings.Source -CreateOption Copy -Incremental
$snap = New-AzSnapshot -ResourceGroupName $settings.ResourceGroupName -SnapshotName "snap1" -Snapshot $config
$copyConfig = New-AzSnapshotConfig -SourceResourceId $snap.Id -Location $settings.Target -CreateOption CopyStart -Incremental
$copy = New-AzSnapshot -ResourceGroupName $settings.ResourceGroupName -SnapshotName "snap1-copy" -Snapshot $copyConfig
$checks = 0
do {
    $copy = Get-AzSnapshot -ResourceGroupName $settings.ResourceGroupName -SnapshotName "snap1-copy"
    $checks = $checks + 1
    if ($copy.CompletionPercent -lt 100) { Start-Sleep -Seconds 1 }
} while ($copy.CompletionPercent -lt 100)
Write-Output ("Copied after " + $checks + " checks: " + $copy.CompletionPercent + "%")
$n = 0
while ($n -lt 3) { $n = $n + 1 }
do { $n = $n - 1 } until ($n -eq 0)
Write-Output ("n = " + $n)
"#;

#[test]
fn do_while_waits_for_a_copy_in_simulated_time_and_hashtables_print_as_powershell_prints_them() {
    let mut c = Console::new(Lab::new());
    // A disk holding 10 GiB (the docs' scripts start from an existing disk).
    let mut prelude = c.run(
        "az group create -n rg-copy -l westeurope -o none\n\
         az disk create -g rg-copy -n disk1 --size-gb 64 --sku Premium_LRS -o none\n\
         sim write -g rg-copy --disk disk1 --offset 0 --length 10G -o none",
    );
    assert_eq!(prelude.status, 0, "{:?}", prelude.lines);
    prelude = c.run_in(Language::PowerShell, COPY_AND_WAIT);
    let out = prelude.stdout();
    assert_eq!(prelude.status, 0, "{}\n{}", out, prelude.stderr());
    // A hashtable prints as Name / Value, its keys in the order written.
    let table = "\nName                           Value\n----                           -----\nResourceGroupName              rg-copy\nSource                         westeurope\nTarget                         northeurope\n";
    assert!(out.contains(table), "{out}");
    assert!(
        out.contains("Settings: 3 (ResourceGroupName Source Target)\n"),
        "{out}"
    );
    // The loop ran until the copy completed, and more than once (10 GiB
    // take simulated minutes to cross regions).
    let line = out.lines().find(|l| l.starts_with("Copied after")).unwrap();
    assert!(line.ends_with(": 100%"), "{line}");
    let checks: u32 = line["Copied after ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(checks > 10, "{line}");
    assert!(out.contains("n = 0\n"), "{out}");
}

#[test]
fn update_azdisk_grows_a_disk_and_sets_performance_and_disk_access_is_granted_and_revoked() {
    let mut c = Console::new(Lab::new());
    let t = c.run(
        "az group create -n rg -l westeurope -o none\n\
         sim feature enable -o none\n\
         az disk create -g rg -n ultra --sku UltraSSD_LRS --size-gb 64 --zone 1 --disk-iops-read-write 2000 --disk-mbps-read-write 100 -o none\n\
         az disk create -g rg -n data --sku Premium_LRS --size-gb 32 -o none",
    );
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let t = c.run_in(
        Language::PowerShell,
        r#"$update = New-AzDiskUpdateConfig -DiskSizeGB 64
$disk = Update-AzDisk -ResourceGroupName rg -DiskName data -DiskUpdate $update
Write-Output ("data: " + $disk.DiskSizeGB + " GiB")
$perf = New-AzDiskUpdateConfig -DiskIOPSReadWrite 5000 -DiskMBpsReadWrite 200
$ultra = Update-AzDisk -ResourceGroupName rg -DiskName ultra -DiskUpdate $perf
Write-Output ("ultra: " + $ultra.DiskIOPSReadWrite + " IOPS, " + $ultra.DiskMBpsReadWrite + " MB/s")
$sas = Grant-AzDiskAccess -ResourceGroupName rg -DiskName data -DurationInSecond 3600 -Access Read
Write-Output ("state: " + (Get-AzDisk -ResourceGroupName rg -DiskName data).DiskState)
Revoke-AzDiskAccess -ResourceGroupName rg -DiskName data | Out-Null
Write-Output ("state: " + (Get-AzDisk -ResourceGroupName rg -DiskName data).DiskState)
$shrink = New-AzDiskUpdateConfig -DiskSizeGB 16
Update-AzDisk -ResourceGroupName rg -DiskName data -DiskUpdate $shrink
"#,
    );
    let out = t.stdout();
    assert!(out.contains("data: 64 GiB\n"), "{out}");
    assert!(out.contains("ultra: 5000 IOPS, 200 MB/s\n"), "{out}");
    assert!(
        out.contains("state: ActiveSAS\nstate: Unattached\n"),
        "{out}"
    );
    // Shrinking is refused as Azure refuses it (B7), and the script fails.
    assert_eq!(t.status, 1);
    assert!(t.stderr().contains("Update-AzDisk"), "{}", t.stderr());
    // The CLI does the same with az disk update.
    let t = c.run("az disk update -g rg -n ultra --disk-iops-read-write 8000 --query diskIOPSReadWrite -o tsv");
    assert_eq!(t.stdout(), "8000\n", "{:?}", t.lines);
    // `data` is a Premium SSD: more IOPS than its tier's is a higher tier,
    // which the simulator does not model (as the endpoint answers az's PUT).
    let t = c.run("az disk update -g rg -n data --disk-iops-read-write 8000");
    assert_eq!(t.status, 1);
    assert!(
        t.stderr()
            .contains("'diskIOPSReadWrite' 8000 (the baseline is 240)"),
        "{}",
        t.stderr()
    );
}

/// Az objects list their properties in Az.Compute's order, DateTimes print
/// in the en-US culture but sort and compare by time, and lists index.
#[test]
fn az_objects_print_as_powershell_prints_them_and_datetimes_sort_by_time() {
    let mut c = Console::new(Lab::new());
    let t = c.run(
        "az group create -n rg -l westeurope -o none\n\
         az disk create -g rg -n d --size-gb 4 -o none\n\
         az snapshot create -g rg -n s1 --source d --incremental true -o none\n\
         sim clock advance 3h -o none\n\
         az snapshot create -g rg -n s2 --source d --incremental true -o none",
    );
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let t = c.run_in(
        Language::PowerShell,
        r#"Get-AzDisk -ResourceGroupName rg -DiskName d
$s = Get-AzSnapshot -ResourceGroupName rg
$s | Sort-Object TimeCreated -Descending | Select-Object Name, TimeCreated | Format-Table
Write-Output ("newer: " + ($s[1].TimeCreated -gt $s[0].TimeCreated) + ", last: " + $s[-1].Name)
"#,
    );
    let out = t.stdout();
    assert_eq!(t.status, 0, "{out}\n{}", t.stderr());
    // PSDisk's order (Models/PSDisk.cs), each name padded to the longest.
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split(" : ").next().filter(|_| l.contains(" : ")))
        .map(str::trim_end)
        .take(8)
        .collect();
    assert_eq!(
        names,
        [
            "ResourceGroupName",
            "ManagedBy",
            "ManagedByExtended",
            "Sku",
            "Zones",
            "TimeCreated",
            "OsType",
            "HyperVGeneration"
        ]
    );
    assert!(
        out.contains(
            "\nSku                          : Microsoft.Azure.Management.Compute.Models.DiskSku\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\nTimeCreated                  : 1/5/2026 10:00:00 AM\n"),
        "{out}"
    );
    assert!(
        out.contains("\nTags                         : {}\n"),
        "{out}"
    );
    // Sorted by time, not by the text (10:00 AM would sort before 1:00 PM).
    assert!(
        out.contains("Name TimeCreated\n---- -----------\ns2   1/5/2026 1:00:00 PM\ns1   1/5/2026 10:00:00 AM\n"),
        "{out}"
    );
    assert!(out.contains("newer: True, last: s2\n"), "{out}");
}
