//! PowerShell as PowerShell (issue 21, item 4): comparison operators with
//! wildcards, regexes and `$Matches`, arrays on the left filtering,
//! membership, `-replace`; splatting a hashtable or an array into a cmdlet;
//! and Az objects piped into the Az cmdlets, bound by property name as
//! Az.Compute declares (`ResourceGroupName`, `DiskName`/`SnapshotName` by
//! their alias `Name`) and config objects bound by value.

mod pwsh_support;

use pwsh_support::run;

/// A resource group `rg` with three 4 GiB disks: data-01, data-02, logs-01.
const DISKS: &str = "New-AzResourceGroup -Name rg -Location westeurope | Out-Null
$c = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 4 -SkuName Standard_LRS
foreach ($n in @('data-01', 'data-02', 'logs-01')) { New-AzDisk -ResourceGroupName rg -DiskName $n -Disk $c | Out-Null }
";

#[test]
fn comparisons_follow_about_comparison_operators() {
    let (out, err, status) = run("'disk-01' -like 'DISK-*'
'disk-01' -like 'disk-0[2-9]'
'disk-01' -notlike '*-0?'
'a*b' -like 'a`*b'
'Disk' -clike 'disk'
$null -eq $Matches
'snap-2024-05' -match '(?<year>\\d{4})-(\\d+)$'
$Matches.year + ' ' + $Matches[1] + ' ' + $Matches[0]
'disk' -match '^snap'
$Matches.year
'Premium_LRS' -in 'Standard_LRS', 'premium_lrs'
@('Standard_LRS', 'Premium_LRS') -contains 'UltraSSD_LRS'
'UltraSSD_LRS' -notin @('Standard_LRS')
'disk-01' -replace '^disk-(\\d+)$', 'snap-$1'
'a-b-c' -replace '-'
@(1, 5, 3, 7) -gt 4
@('data-01', 'logs-01', 'data-02') -like 'data*'
@('data-01', 'logs-01') -match '^logs'
$Matches.year
'10' -gt '9'
");
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(status, 0);
    assert_eq!(
        out,
        vec![
            "True",
            "False",
            "False",
            "True",
            "False",
            "True",
            "True",
            "2024 05 2024-05",
            "False",
            // A failed -match leaves $Matches as it was.
            "2024",
            "True",
            "False",
            "True",
            "snap-01",
            "abc",
            "5",
            "7",
            "data-01",
            "data-02",
            "logs-01",
            // A -match that filters an array sets no $Matches.
            "2024",
            // Two strings compare as text, as in PowerShell.
            "False",
        ]
    );
}

#[test]
fn bad_patterns_are_errors_and_hostile_ones_stay_bounded() {
    let (_, err, status) = run("'x' -like '[ab'");
    assert_eq!(status, 1);
    assert_eq!(
        err,
        vec!["The specified wildcard character pattern is not valid: [ab"]
    );
    let (_, err, _) = run("'x' -match '(?<=a)x'");
    assert!(err[0].contains("no lookaround"), "{err:?}");
    // 2^20 characters, matched against a pattern that backtracks exponentially
    // in a backtracking engine: the linear-time engine answers at once.
    let (out, err, _) =
        run("$s = 'a' * 500000\n$s -match '^(a|a)*(a*)*b$'\n($s -replace 'a', 'bb').Length");
    assert_eq!(out, vec!["False", "1000000"], "{err:?}");
    let (_, err, status) = run("$s = 'a' * 1048576\n$t = $s -replace '', $s");
    assert_eq!(status, 1);
    assert!(err[0].contains("OutOfMemoryException"), "{err:?}");
}

#[test]
fn splatting_binds_a_hashtable_by_name_and_an_array_by_position() {
    let (out, err, status) = run(&format!(
        "{DISKS}$p = @{{ ResourceGroupName = 'rg'; DiskName = 'data-02' }}
(Get-AzDisk @p).Name
$gone = @{{ ResourceGroupName = 'rg'; Name = 'logs-01'; Force = $true }}
Remove-AzDisk @gone | Out-Null
(Get-AzDisk -ResourceGroupName rg).Name
$sleep = @(2)
Start-Sleep @sleep
$words = @('logs-01', 'kept')
Write-Output @words
"
    ));
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(status, 0);
    assert_eq!(out, vec!["data-02", "data-01", "data-02", "logs-01 kept"]);
    // Outside a command's arguments a splat is PowerShell's error.
    let (_, err, status) = run("$p = @{ A = 1 }\n$x = @p");
    assert_eq!(status, 1, "{err:?}");
    assert_eq!(err, vec!["ParserError: line 2, column 6: The splatting operator '@' cannot be used to reference variables in an expression. '@p' can be used only as an argument to a command."]);
}

#[test]
fn az_objects_piped_into_az_cmdlets_bind_by_property_name() {
    let (out, err, status) = run(&format!(
        "{DISKS}Get-AzDisk -ResourceGroupName rg | Where-Object {{ $_.DiskState -eq 'Unattached' -and $_.Name -like 'data-*' }} | Remove-AzDisk -Force | Out-Null
(Get-AzDisk -ResourceGroupName rg).Name
$d = Get-AzDisk -ResourceGroupName rg -DiskName logs-01
New-AzSnapshotConfig -SourceUri $d.Id -Location westeurope -CreateOption Copy -Incremental | New-AzSnapshot -ResourceGroupName rg -SnapshotName snap-logs | Out-Null
(Get-AzSnapshot | Where-Object {{ $_.Name -match '^snap-' }}).Name
$sas = Get-AzSnapshot -ResourceGroupName rg | Grant-AzSnapshotAccess -Access Read -DurationInSecond 3600
$sas.AccessSAS -like 'https://*'
Get-AzSnapshot -ResourceGroupName rg | Revoke-AzSnapshotAccess | Out-Null
Get-AzSnapshot -ResourceGroupName rg | Remove-AzSnapshot -Force | Out-Null
(Get-AzSnapshot -ResourceGroupName rg | Measure-Object).Count
"
    ));
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(status, 0);
    assert_eq!(out, vec!["logs-01", "snap-logs", "True", "0"]);
}

#[test]
fn an_object_that_binds_nothing_is_refused_as_powershell_refuses_it() {
    let (_, err, status) = run(&format!("{DISKS}'data-01' | Remove-AzDisk -Force"));
    assert_eq!(status, 1);
    assert_eq!(err, vec!["Remove-AzDisk: The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."]);
    // A written argument wins over the piped object's property.
    let (out, err, _) = run(&format!(
        "{DISKS}Get-AzDisk -ResourceGroupName rg -DiskName data-01 | Remove-AzDisk -DiskName data-02 -Force | Out-Null
(Get-AzDisk -ResourceGroupName rg).Name"
    ));
    assert_eq!(out, vec!["data-01", "logs-01"], "{err:?}");
}

#[test]
fn the_parser_reads_splats_and_lets_the_comma_bind_tighter_than_a_comparison() {
    let tree = |s: &str| {
        snaplab_console::pwsh::parse(s)
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(tree("Get-AzDisk @p -Force"), "Get-AzDisk @p -Force");
    assert_eq!(tree("$x -in 'a', 'b'"), "($x -in @('a', 'b'))");
    assert_eq!(
        tree("$n -creplace 'a', 'b' -and $y -notmatch '^x'"),
        "(($n -creplace @('a', 'b')) -and ($y -notmatch '^x'))"
    );
    // `@ p` (a space) is no splat.
    assert!(snaplab_console::pwsh::parse("Get-AzDisk @ p").is_err());
}

#[test]
fn unnamed_arguments_bind_in_az_compute_s_positions() {
    let (out, err, status) = run(&format!(
        "{DISKS}(Get-AzDisk rg data-02).Name
$where = @('rg', 'logs-01')
Remove-AzDisk @where -Force | Out-Null
Remove-AzDisk -DiskName data-01 rg -Force | Out-Null
(Get-AzDisk rg).Name
"
    ));
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(status, 0);
    assert_eq!(out, vec!["data-02", "data-02"]);
}
