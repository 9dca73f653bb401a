//! PowerShell as the docs write it (issue 21, item 4): `try`/`catch`/
//! `finally` with `-ErrorAction Stop` (an Az cmdlet's own error is
//! non-terminating, so `catch` sees it only then, or with
//! `$ErrorActionPreference = 'Stop'`); `-ErrorAction SilentlyContinue`;
//! assigning to a property (`$disk.DiskSizeGB = 128`) and
//! `Update-AzDisk -Disk $disk`; calculated properties in `Select-Object`.

mod pwsh_support;

/// The script's output, error lines and status, each output line its own.
fn run(script: &str) -> (Vec<String>, Vec<String>, i32) {
    let (out, err, status) = pwsh_support::run(script);
    let lines = out.join("\n").split('\n').map(str::to_string).collect();
    (lines, err, status)
}

const DISK: &str = "New-AzResourceGroup -Name rg -Location westeurope | Out-Null
$c = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 64 -SkuName Premium_LRS
New-AzDisk -ResourceGroupName rg -DiskName d1 -Disk $c | Out-Null
";

const MISSING: &str =
    "The Resource 'Microsoft.Compute/disks/missing' under resource group 'rg' was not found.";

#[test]
fn catch_gets_a_cmdlets_error_only_when_it_stops() {
    let (out, err, status) = run(&format!(
        "{DISK}try {{
    Get-AzDisk -ResourceGroupName rg -DiskName missing -ErrorAction Stop
    'not reached'
}} catch {{
    \"caught: $($_.Exception.Message)\"
}} finally {{
    'finally'
}}
try {{ Get-AzDisk -ResourceGroupName rg -DiskName missing; 'goes on' }} catch {{ 'not caught' }}
$none = Get-AzDisk -ResourceGroupName rg -DiskName missing -ErrorAction SilentlyContinue
if ($null -eq $none) {{ 'absent' }}
$ErrorActionPreference = 'Stop'
try {{ Get-AzDisk -ResourceGroupName rg -DiskName missing }} catch {{ 'caught by the preference' }}
try {{ Get-AzNothing }} catch {{ 'a command that is not there terminates' }}
"
    ));
    assert_eq!(
        out,
        [
            format!("caught: {MISSING}"),
            "ErrorCode: ResourceNotFound".to_string(),
            format!("ErrorMessage: {MISSING}"),
            "finally".to_string(),
            "goes on".to_string(),
            "absent".to_string(),
            "caught by the preference".to_string(),
            "a command that is not there terminates".to_string(),
        ]
    );
    // The one error not caught is written, and the script's status says so.
    assert_eq!(err[0], format!("Get-AzDisk: {MISSING}"), "{err:?}");
    assert_eq!(err.len(), 3, "{err:?}");
    assert_eq!(status, 1);
}

#[test]
fn an_error_in_catch_goes_on_up_after_finally() {
    let (out, err, _) = run(
        "try { Get-AzNothing } catch { 'in catch'; Get-AzNothing2 } finally { 'finally' }
'next statement'",
    );
    assert_eq!(out, ["in catch", "finally", "next statement"]);
    assert!(err.iter().any(|l| l.contains("Get-AzNothing2")), "{err:?}");
    let (_, err, status) = run("try { 'body' }");
    assert_eq!(status, 1);
    assert!(err[0].contains("needs a catch or a finally"), "{err:?}");
}

#[test]
fn a_property_is_assigned_and_update_azdisk_takes_the_changed_disk() {
    let (out, err, status) = run(&format!(
        "{DISK}$disk = Get-AzDisk -ResourceGroupName rg -DiskName d1
$disk.DiskSizeGB = 128
(Get-AzDisk -ResourceGroupName rg -DiskName d1).DiskSizeGB
$updated = Update-AzDisk -ResourceGroupName rg -Disk $disk -DiskName $disk.Name
$updated.DiskSizeGB
$updated.Tier
$disk.Sku.Name = 'StandardSSD_LRS'
(Update-AzDisk -ResourceGroupName rg -Disk $disk -DiskName d1).Sku.Name
$h = @{{ a = 1 }}
$h.b = 2
$h.Count
$disk.NoSuchProperty = 1
"
    ));
    // Assigning changes the variable's object, not the disk; Update-AzDisk does.
    assert_eq!(out, ["64", "128", "P10", "StandardSSD_LRS", "2"], "{err:?}");
    assert_eq!(
        err,
        ["InvalidOperation: The property 'NoSuchProperty' cannot be found on this object. Verify that the property exists and can be set."]
    );
    assert_eq!(status, 1);
    // A disk never shrinks, whichever parameter set asks.
    let (_, err, _) = run(&format!(
        "{DISK}$disk = Get-AzDisk -ResourceGroupName rg -DiskName d1
$disk.DiskSizeGB = 32
Update-AzDisk -ResourceGroupName rg -Disk $disk -DiskName d1
$u = New-AzDiskUpdateConfig -DiskSizeGB 128
Update-AzDisk -ResourceGroupName rg -DiskName d1 -Disk $disk -DiskUpdate $u"
    ));
    assert!(err[0].contains("can only grow"), "{err:?}");
    assert!(
        err.iter().any(|l| l
            .ends_with("Parameter set cannot be resolved using the specified named parameters.")),
        "{err:?}"
    );
}

#[test]
fn select_object_makes_calculated_properties() {
    let (out, err, _) = run(&format!(
        "{DISK}Get-AzDisk -ResourceGroupName rg | Select-Object Name, @{{Name='SizeGiB'; Expression={{$_.DiskSizeGB * 2}}}}, @{{n='Sku'; e={{$_.Sku.Name}}}}, @{{Label='Where'; Expression='Location'}} | Format-Table
(Get-AzDisk -ResourceGroupName rg | Select-Object @{{N='Twice'; E={{$_.DiskSizeGB * 2}}}}).Twice"
    ));
    assert!(err.is_empty(), "{err:?}");
    assert_eq!(
        out,
        [
            "",
            "Name SizeGiB Sku         Where",
            "---- ------- ---         -----",
            "d1       128 Premium_LRS westeurope",
            "",
            "128",
        ]
    );
}
