//! Billing from the console: the daily usage report the seed describes
//! (A6: used GiB / 31 a day per snapshot), as `az consumption usage list`.

use snaplab_console::Console;
use snaplab_engine::Lab;

#[test]
fn ten_gib_shows_as_a_daily_quantity_of_0_3226_in_the_usage_report() {
    let mut c = Console::new(Lab::new());
    let t = c.run(
        "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 64 -o none
sim write -g rg --disk d --offset 0 --length 10G -o none
az snapshot create -g rg -n snap1 --source d --incremental true --sku Standard_LRS -o none
sim clock advance 1d -o none
sim write -g rg --disk d --offset 20G --length 1G -o none
az snapshot create -g rg -n snap2 --source d --incremental true --sku Standard_LRS -o none
az consumption usage list --query \"[].[usageStart, instanceName, usageQuantity]\" -o tsv
az consumption usage list --top 1 --include-meter-details --query \"[0].{unit: meterDetails.unit, product: product, service: consumedService}\" -o tsv
az consumption usage list --start-date 2026-01-05 --end-date 2027-06-01",
    );
    assert_eq!(
        t.stdout(),
        "2026-01-05T00:00:00.0000000+00:00\tsnap1\t0.3226
2026-01-06T00:00:00.0000000+00:00\tsnap1\t0.3226
2026-01-06T00:00:00.0000000+00:00\tsnap2\t0.0323
1 GB/Month\tStandard_LRS snapshot storage (simulated: sample prices)\tMicrosoft.Compute
"
    );
    assert!(
        t.stderr().contains("A usage report covers 1 to 366 days"),
        "{}",
        t.stderr()
    );
}
