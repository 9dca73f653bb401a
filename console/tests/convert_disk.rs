//! Converting a disk's type, as "Convert the disk type of an Azure managed
//! disk" does it: `az disk update --sku` and `Update-AzDisk` with
//! `New-AzDiskUpdateConfig -SkuName`, under the engine's conversion rules.

use snaplab_console::{Console, Language};
use snaplab_engine::Lab;

const SETUP: &str = "az group create -n rg -l eastus -o none
az disk create -g rg -n d --size-gb 128 --sku Standard_LRS -o none";

#[test]
fn az_disk_update_sku_converts_the_disk_and_refuses_what_azure_refuses() {
    let mut c = Console::new(Lab::new());
    assert_eq!(c.run(SETUP).status, 0);
    let t =
        c.run("az disk update -g rg -n d --sku Premium_LRS --query \"[sku.name, tier]\" -o tsv");
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(t.stdout(), "Premium_LRS\nP10\n");
    assert_eq!(
        t.stderr(),
        "",
        "--sku is modelled: no 'accepted and not modelled' warning"
    );
    let t = c.run("az disk update -g rg -n d --sku UltraSSD_LRS");
    assert_eq!(t.status, 1);
    assert!(
        t.stderr().starts_with("ERROR: (OperationNotAllowed) The type of disk 'd' cannot change from Premium_LRS to UltraSSD_LRS"),
        "{}",
        t.stderr()
    );
    // Attached to a running VM: refused until the VM is deallocated.
    c.run("az vm create -g rg -n vm1 --image Ubuntu2204 -o none");
    let t = c.run("az vm disk attach -g rg --vm-name vm1 --name d -o none");
    assert_eq!(t.status, 0, "{}", t.stderr());
    let t = c.run("az disk update -g rg -n d --sku StandardSSD_LRS");
    assert_eq!(t.status, 1);
    assert!(t.stderr().contains("running VM 'vm1'"), "{}", t.stderr());
    let t = c.run("az disk show -g rg -n d --query sku.name -o tsv");
    assert_eq!(t.stdout(), "Premium_LRS\n");
}

#[test]
fn update_azdisk_with_skuname_converts_the_disk() {
    let mut c = Console::new(Lab::new());
    assert_eq!(c.run(SETUP).status, 0);
    let t = c.run_in(
        Language::PowerShell,
        "$u = New-AzDiskUpdateConfig -SkuName StandardSSD_LRS
$d = Update-AzDisk -ResourceGroupName rg -DiskName d -DiskUpdate $u
$d.Sku.Name",
    );
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert_eq!(t.stdout(), "StandardSSD_LRS\n");
}
