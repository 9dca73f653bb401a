//! The PowerShell binder against the description of the real cmdlets'
//! parameters (console/data/pwsh-params.json): every described name binds,
//! an unknown one is PowerShell's binding error, prefixes resolve unless
//! ambiguous, and what the simulator does not model is accepted with a
//! warning.

mod pwsh_support;

use snaplab_console::pwsh::cmdlets;
use snaplab_console::pwsh::params::{all_parameters, description, resolve, Bound};

#[test]
fn the_table_and_the_description_list_the_same_cmdlets() {
    let table: Vec<&str> = cmdlets::all().map(|c| c.name).collect();
    let described: Vec<&str> = description().cmdlets.keys().map(String::as_str).collect();
    let mut sorted = table.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, described);
}

#[test]
fn every_modelled_parameter_is_one_the_real_cmdlet_declares() {
    for c in cmdlets::all() {
        let real = &description().cmdlets[c.name].parameters;
        for p in c.params {
            assert!(
                real.iter().any(|r| r.name == p.name),
                "{} -{} is not in Az's/PowerShell's source",
                c.name,
                p.name
            );
        }
    }
}

#[test]
fn every_described_name_and_alias_binds_modelled_or_with_a_warning() {
    let mut checked = 0;
    for c in cmdlets::all() {
        for p in all_parameters(c) {
            let modelled = c.param(&p.name).is_some();
            for name in std::iter::once(&p.name).chain(&p.aliases) {
                let got = resolve(c, name).unwrap_or_else(|e| panic!("{} -{name}: {e}", c.name));
                match got {
                    Bound::Modelled(_) => assert!(modelled, "{} -{name}", c.name),
                    Bound::Unmodelled(full) => {
                        assert!(!modelled, "{} -{name}", c.name);
                        assert_eq!(full, p.name);
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn an_unknown_parameter_is_powershells_binding_error_and_the_cmdlet_does_not_run() {
    let (out, err, status) = pwsh_support::run(
        "New-AzResourceGroup -Name rg -Location westeurope -Colour blue\nGet-AzResourceGroup | Measure-Object\n'next'",
    );
    assert_eq!(
        err,
        ["New-AzResourceGroup: A parameter cannot be found that matches parameter name 'Colour'."]
    );
    assert_eq!(status, 1);
    // The group was not made; the script went on, as after a binding error.
    assert!(
        out.iter()
            .any(|l| l.contains("Count") && l.ends_with(": 0")),
        "{out:?}"
    );
    assert_eq!(out.last().map(String::as_str), Some("next"));
}

#[test]
fn a_unique_prefix_binds_and_an_ambiguous_one_lists_the_matches() {
    let (out, err, _) = pwsh_support::run(
        "New-AzResourceGroup -Na rg -Loc westeurope | Out-Null\n(Get-AzResourceGroup -N rg).ResourceGroupName",
    );
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(out, ["rg"]);
    let (_, err, _) = pwsh_support::run("New-AzDiskConfig -Disk 8");
    assert_eq!(err, ["New-AzDiskConfig: Parameter cannot be processed because the parameter name 'Disk' is ambiguous. Possible matches include: -DiskSizeGB -DiskIOPSReadWrite -DiskMBpsReadWrite -DiskIOPSReadOnly -DiskMBpsReadOnly -DiskEncryptionKey -DiskEncryptionSetId -DiskAccessId."]);
    // The common parameters take part: -W is -WarningAction, -WarningVariable or -WhatIf.
    let (_, err, _) =
        pwsh_support::run("Remove-AzDisk -ResourceGroupName rg -DiskName d -Force -W");
    assert_eq!(err, ["Remove-AzDisk: Parameter cannot be processed because the parameter name 'W' is ambiguous. Possible matches include: -WarningAction -WarningVariable -WhatIf."]);
}

#[test]
fn a_real_parameter_not_modelled_is_accepted_with_a_warning() {
    let (out, err, status) = pwsh_support::run(
        "$c = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 64 -SkuName Premium_LRS -Tier P30 -Verbose -Tier P40\n$c.DiskSizeGB",
    );
    assert_eq!(
        err,
        [
            "WARNING: simulated: -Tier is accepted and not modelled",
            "WARNING: simulated: -Verbose is accepted and not modelled"
        ]
    );
    assert_eq!(status, 0);
    assert_eq!(out, ["64"]);
    // A pipeline stage's parameters resolve too: -Desc is -Descending.
    let (out, err, _) = pwsh_support::run("@(1, 3, 2) | Sort-Object -Desc");
    assert_eq!(err, Vec::<String>::new());
    assert_eq!(out, ["3", "2", "1"]);
}

/// `-WhatIf` reports what the cmdlet would do, as Az.Compute's
/// ShouldProcess(name, verb) has PowerShell report it, and does not run it
/// (no -Force needed: ShouldProcess answers before the prompt). Where the
/// report is not known (New-AzResourceGroup), the cmdlet is refused, labelled.
#[test]
fn what_if_reports_and_does_not_run() {
    let script = "New-AzResourceGroup -Name rg -Location westeurope | Out-Null
$c = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 64 -SkuName Premium_LRS
New-AzDisk -ResourceGroupName rg -DiskName d -Disk $c | Out-Null
Remove-AzDisk -ResourceGroupName rg -DiskName d -WhatIf
New-AzDisk -ResourceGroupName rg -DiskName e -Disk $c -WhatIf
Grant-AzDiskAccess rg d -Access Read -WhatIf:$true
Remove-AzDisk -ResourceGroupName rg -DiskName d -WhatIf:$false
(Get-AzDisk -ResourceGroupName rg).Name";
    let (out, err, status) = pwsh_support::run(script);
    assert_eq!(
        out,
        [
            "What if: Performing the operation \"Remove\" on target \"d\".",
            "What if: Performing the operation \"New\" on target \"e\".",
            "What if: Performing the operation \"Grant\" on target \"d\".",
            "d",
        ],
        "the disk is still there, unshared, and e was not made"
    );
    // -WhatIf:$false is no dry run: the cmdlet runs, and asks for -Force.
    assert_eq!(
        err,
        ["Remove-AzDisk: the simulator's console cannot answer the confirmation prompt; add -Force to confirm."]
    );
    assert_eq!(status, 1);
    let (out, err, status) = pwsh_support::run(
        "New-AzResourceGroup -Name rg -Location westeurope -WhatIf
Get-AzResourceGroup | Measure-Object",
    );
    assert_eq!(
        err,
        ["New-AzResourceGroup: simulated: -WhatIf is not modelled, so New-AzResourceGroup did not run and changed nothing (run it without -WhatIf to make the change)."]
    );
    assert_eq!(status, 1);
    assert!(out.iter().any(|l| l.ends_with(": 0")), "{out:?}");
}

/// `-Name:value` binds the value to the parameter, as PowerShell does (the
/// only way to give a switch a value: `-Force:$false` leaves it off).
#[test]
fn the_colon_form_binds_a_value_and_a_switch_can_be_set_off() {
    let (out, err, status) = pwsh_support::run(
        "New-AzResourceGroup -Name:rg -Location:westeurope | Out-Null\n\
         $c = New-AzDiskConfig -Location:westeurope -CreateOption:Empty -DiskSizeGB:4 -SkuName:Standard_LRS\n\
         New-AzDisk -ResourceGroupName:rg -DiskName:d1 -Disk:$c | Out-Null\n\
         New-AzDisk -ResourceGroupName:rg -DiskName:d2 -Disk:$c | Out-Null\n\
         Remove-AzDisk -ResourceGroupName:rg -DiskName:d1 -Force:$false\n\
         Remove-AzDisk -ResourceGroupName rg -DiskName d2 -Force:$true | Out-Null\n\
         (Get-AzDisk -ResourceGroupName rg).Name",
    );
    assert_eq!(
        err,
        ["Remove-AzDisk: the simulator's console cannot answer the confirmation prompt; add -Force to confirm."]
    );
    assert_eq!(out.last().map(String::as_str), Some("d1"), "{out:?}");
    assert_eq!(status, 1);
    // A colon with nothing after it is PowerShell's parse error: nothing runs.
    let (out, err, _) = pwsh_support::run("'first'\nGet-AzDisk -ResourceGroupName:");
    assert!(out.is_empty(), "{out:?}");
    assert!(err[0].contains("has no value after its colon"), "{err:?}");
}
