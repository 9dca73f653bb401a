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

#[test]
fn what_if_is_a_dry_run_so_the_cmdlet_does_not_run() {
    let script = "New-AzResourceGroup -Name rg -Location westeurope | Out-Null
$c = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 64 -SkuName Premium_LRS
New-AzDisk -ResourceGroupName rg -DiskName d -Disk $c | Out-Null
Remove-AzDisk -ResourceGroupName rg -DiskName d -Force -WhatIf
(Get-AzDisk -ResourceGroupName rg).Name";
    let (out, err, status) = pwsh_support::run(script);
    assert_eq!(
        err,
        ["Remove-AzDisk: simulated: -WhatIf is not modelled, so Remove-AzDisk did not run and changed nothing (run it without -WhatIf to make the change)."]
    );
    assert_eq!(status, 1);
    assert_eq!(out, ["d"], "the disk is still there");
}
