//! `az disk create --tier`: a Premium SSD is modelled at its size's
//! baseline tier, and the console answers a `--tier` as `snaplab serve`
//! answers the `tier` real az sends: at or below the baseline it asks for
//! nothing new, above it (or on another disk type) it is refused as not
//! modelled, never ignored and never a bare warning.

use snaplab_console::Console;
use snaplab_engine::Lab;

#[test]
fn a_tier_at_or_below_the_baseline_is_taken_and_one_above_is_refused_by_name() {
    let mut c = Console::new(Lab::new());
    assert_eq!(c.run("az group create -n rg -l eastus -o none").status, 0);
    let t = c.run(
        "az disk create -g rg -n d --size-gb 128 --sku Premium_LRS --tier P10 --query tier -o tsv",
    );
    assert_eq!(
        (t.status, t.stdout(), t.stderr()),
        (0, "P10\n".into(), "".into())
    );
    let t = c.run(
        "az disk create -g rg -n low --size-gb 128 --sku Premium_LRS --tier p6 --query tier -o tsv",
    );
    assert_eq!(
        (t.status, t.stdout()),
        (0, "P10\n".into()),
        "the size's baseline"
    );
    let t = c.run("az disk create -g rg -n fast --size-gb 128 --sku Premium_LRS --tier P50");
    assert_eq!(t.status, 1);
    assert!(t.stderr().starts_with("ERROR: (InvalidParameter) Snaplab models a Premium SSD at its size's baseline performance tier (P10: 500 IOPS, 100 MB/s); 'tier' P50 asks for more"), "{}", t.stderr());
    let t = c.run("az disk create -g rg -n hdd --size-gb 128 --sku Standard_LRS --tier P10");
    assert_eq!(t.status, 1);
    assert!(
        t.stderr()
            .contains("Property 'tier' (\"P10\") is not modelled by Snaplab for this disk"),
        "{}",
        t.stderr()
    );
    // From a snapshot: the snapshot's size and the disk's type decide.
    c.run("az snapshot create -g rg -n s --source d -o none");
    let t = c.run("az disk create -g rg -n r --source s --sku Premium_LRS --size-gb 1024 --tier P30 --query tier -o tsv");
    assert_eq!(
        (t.status, t.stdout()),
        (0, "P30\n".into()),
        "{}",
        t.stderr()
    );
    let t = c.run("az disk create -g rg -n r2 --source s --sku Premium_LRS --tier P30");
    assert_eq!(t.status, 1, "128 GiB's baseline is P10");
    assert_eq!(
        c.run("az disk list -g rg --query \"length(@)\" -o tsv")
            .stdout(),
        "3\n"
    );
}
