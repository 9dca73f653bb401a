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
    // A pipeline into a cmdlet the simulator does not pipe into says so.
    let t = c.run_in(
        Language::PowerShell,
        "Get-AzSnapshot -ResourceGroupName rg | Remove-AzSnapshot",
    );
    assert!(
        t.stderr()
            .contains("call Remove-AzSnapshot with its parameters instead"),
        "{}",
        t.stderr()
    );
}
