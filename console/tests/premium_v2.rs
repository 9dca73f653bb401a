//! In the style of "Deploy a Premium SSD v2 managed disk" and "Using Azure
//! Ultra Disks" (written for Snaplab): zonal disks with provisioned IOPS
//! and throughput, from the CLI, PowerShell and a template; and the docs'
//! incremental snapshot of one, waited for until its copy completes (C2).

use std::collections::BTreeMap;

use snaplab_console::{Console, Language};
use snaplab_engine::Lab;

const CLI: &str = r#"diskName="pv2-disk"
resourceGroupName="rg-pv2"
region="eastus"
zone="1"
logicalSectorSize=4096
iops=5000
throughput=150
az group create -n $resourceGroupName -l $region -o none
az disk create -n $diskName -g $resourceGroupName \
--size-gb 100 \
--disk-iops-read-write $iops \
--disk-mbps-read-write $throughput \
--location $region \
--zone $zone \
--sku PremiumV2_LRS \
--logical-sector-size $logicalSectorSize \
--query "[name, zones[0], diskIOPSReadWrite, diskMBpsReadWrite, creationData.logicalSectorSize]" -o tsv
sim feature enable -o none
sim write -g $resourceGroupName --disk $diskName --offset 0 --length 2G -o none
az snapshot create -g $resourceGroupName -n pv2-snap --source $diskName --incremental true -o none
az snapshot wait -g $resourceGroupName -n pv2-snap --custom "properties.completionPercent==\`100\`" --interval 30
az snapshot show -g $resourceGroupName -n pv2-snap --query completionPercent -o tsv
az disk create -n ultra -g $resourceGroupName --size-gb 8 --sku UltraSSD_LRS --zone 2 --query "[diskIOPSReadWrite, diskMBpsReadWrite]" -o tsv
"#;

#[test]
fn the_cli_creates_a_zonal_premium_v2_disk_with_its_performance_and_waits_for_its_snapshot() {
    let mut c = Console::new(Lab::new());
    let t = c.run(CLI);
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(
        t.stdout(),
        "pv2-disk\n1\n5000\n150\n4096\n100.0\n3000\n125\n",
        "the Ultra disk got the default performance"
    );
}

#[test]
fn powershell_and_a_template_make_the_same_disk() {
    let mut c = Console::new(Lab::new());
    let t = c.run_in(
        Language::PowerShell,
        r#"New-AzResourceGroup -Name rg-pv2 -Location "East US" | Out-Null
$diskconfig = New-AzDiskConfig -Location "eastus" -Zone 1 -DiskSizeGB 100 -DiskIOPSReadWrite 5000 -DiskMBpsReadWrite 150 -AccountType PremiumV2_LRS -LogicalSectorSize 4096 -CreateOption Empty -SkuName PremiumV2_LRS
$disk = New-AzDisk -ResourceGroupName rg-pv2 -DiskName ps-disk -Disk $diskconfig
Write-Output ($disk.Name + " " + $disk.Zones + " " + $disk.DiskIOPSReadWrite + " " + $disk.DiskMBpsReadWrite)"#,
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(t.stdout(), "ps-disk 1 5000 150\n");

    let template = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [{
        "type": "Microsoft.Compute/disks",
        "apiVersion": "2022-07-02",
        "name": "arm-disk",
        "location": "eastus",
        "zones": ["1"],
        "sku": { "name": "PremiumV2_LRS" },
        "properties": {
          "creationData": { "createOption": "Empty", "logicalSectorSize": 4096 },
          "diskSizeGB": 100,
          "diskIOPSReadWrite": 5000,
          "diskMBpsReadWrite": 150
        }
      }]
    }"#;
    c.deploy("rg-pv2", template, &BTreeMap::new()).unwrap();
    let shown = c.run("az disk show -g rg-pv2 -n arm-disk --query \"[zones[0], diskIOPSReadWrite, diskMBpsReadWrite]\" -o tsv");
    assert_eq!(shown.stdout(), "1\n5000\n150\n");
}

#[test]
fn performance_on_other_skus_and_bad_zones_are_refused() {
    let mut c = Console::new(Lab::new());
    let t = c.run("az group create -n rg -l eastus -o none\naz disk create -g rg -n p --size-gb 8 --sku Standard_LRS --disk-iops-read-write 5000");
    assert!(
        t.stderr().contains(
            "Disk IOPS and throughput can be set only for PremiumV2_LRS and UltraSSD_LRS disks"
        ),
        "{}",
        t.stderr()
    );
    // A Premium SSD has its tier's IOPS: more is read as a higher tier, which
    // the simulator does not model (the endpoint's answer to az's PUT).
    let t = c
        .run("az disk create -g rg -n p --size-gb 8 --sku Premium_LRS --disk-iops-read-write 5000");
    assert!(
        t.stderr()
            .contains("'diskIOPSReadWrite' 5000 (the baseline is 120)"),
        "{}",
        t.stderr()
    );
    let t = c.run(
        "az disk create -g rg -n v --size-gb 8 --sku PremiumV2_LRS --disk-iops-read-write 100",
    );
    assert!(
        t.stderr()
            .contains("diskIOPSReadWrite 100 is out of range for PremiumV2_LRS: 3000 to 80000"),
        "{}",
        t.stderr()
    );
    let t = c.run("az disk create -g rg -n z --size-gb 8 --zone 7");
    assert!(
        t.stderr()
            .contains("The availability zone '7' is not valid"),
        "{}",
        t.stderr()
    );
    assert_eq!(c.lab.disks().count(), 0);
}
