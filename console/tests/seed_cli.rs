//! Seed 001's Azure CLI code blocks, run verbatim after their placeholders
//! are given values, with their output and the resulting state checked; and
//! golden output for each format and for errors.

use snaplab_console::{Console, Line};
use snaplab_engine::lab::DEFAULT_SUBSCRIPTION_ID;
use snaplab_engine::Lab;

/// A lab with a resource group and a disk holding 10 GiB, as the seed assumes.
fn console() -> Console {
    let mut c = Console::new(Lab::new());
    let setup = c.run(
        "az group create -n rg-seed -l westeurope -o none\n\
         az disk create -g rg-seed -n disk1 --size-gb 64 --sku Premium_LRS -o none\n\
         sim write -g rg-seed --disk disk1 --offset 0 --length 10G -o none",
    );
    assert_eq!(setup.status, 0, "{:?}", setup.lines);
    c
}

/// The seed's block with its placeholders filled in.
fn seed(block: &str) -> String {
    block
        .replace("yourDiskNameHere", "disk1")
        .replace("yourResourceGroupNameHere", "rg-seed")
        .replace("desiredSnapshotNameHere", "snap1")
        .replace("yourSubscriptionId", DEFAULT_SUBSCRIPTION_ID)
}

const CREATE: &str = r#"# Declare variables
diskName="yourDiskNameHere"
resourceGroupName="yourResourceGroupNameHere"
snapshotName="desiredSnapshotNameHere"

# Get the disk you need to backup
yourDiskID=$(az disk show -n $diskName -g $resourceGroupName --query "id" --output tsv)

# Create the snapshot
az snapshot create -g $resourceGroupName -n $snapshotName --source $yourDiskID --incremental true
"#;

const LIST: &str = r#"# Declare variables and create snapshot list
subscriptionId="yourSubscriptionId"
resourceGroupName="yourResourceGroupNameHere"
diskName="yourDiskNameHere"

az account set --subscription $subscriptionId

diskId=$(az disk show -n $diskName -g $resourceGroupName --query [id] -o tsv)

az snapshot list --query "[?creationData.sourceResourceId=='$diskId' && incremental]" -g $resourceGroupName --output table
"#;

#[test]
fn seed_cli_create_an_incremental_snapshot() {
    let mut c = console();
    let t = c.run(&seed(CREATE));
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let json: serde_json::Value = serde_json::from_str(&t.stdout()).unwrap();
    assert_eq!(json["name"], "snap1");
    assert_eq!(json["incremental"], true);
    assert_eq!(json["creationData"]["sourceResourceId"], format!("/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-seed/providers/Microsoft.Compute/disks/disk1"));
    // az sends `sku` always, Standard_LRS unless --sku is given (azure-cli
    // 2.91.0's recorded request body), so the service's ZRS default (A5)
    // is never reached from az.
    assert_eq!(json["sku"]["name"], "Standard_LRS");
    let snapshot = c.lab.find_snapshot("rg-seed", "snap1").unwrap();
    assert!(snapshot.incremental);
    assert_eq!(snapshot.used_bytes(), 10 << 30);
}

#[test]
fn seed_cli_list_incremental_snapshots_as_a_table() {
    let mut c = console();
    c.run(&seed(CREATE));
    c.run("az snapshot create -g rg-seed -n full1 --source disk1 -o none\naz snapshot create -g rg-seed -n snap2 --source disk1 --incremental -o none");
    let t = c.run(&seed(LIST));
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let out = t.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "header, rule, two incremental snapshots (not the full one):\n{out}"
    );
    let headers: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        headers[..6],
        [
            "CompletionPercent",
            "DiskSizeBytes",
            "DiskSizeGB",
            "DiskState",
            "Incremental",
            "IncrementalSnapshotFamilyId"
        ],
        "{}",
        lines[0]
    );
    assert!(lines[2].contains("snap1") && lines[3].contains("snap2") && !out.contains("full1"));
    let cells: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        cells[..5],
        ["100.0", "68719476736", "64", "Unattached", "True"],
        "{}",
        lines[2]
    );
    assert!(
        lines[1]
            .split("  ")
            .all(|rule| rule.chars().all(|c| c == '-')),
        "{}",
        lines[1]
    );
}

#[test]
fn seed_cli_individual_snapshot_status_and_sector_size_as_tsv() {
    let mut c = console();
    c.run(&seed(CREATE));
    let t = c.run("resourceGroupName=rg-seed\nsourceSnapshotName=snap1\naz snapshot show -n $sourceSnapshotName -g $resourceGroupName --query [completionPercent] -o tsv");
    assert_eq!((t.stdout().as_str(), t.status), ("100.0\n", 0));
    let t = c.run(
        "az snapshot show -g rg-seed -n snap1 --query [creationData.logicalSectorSize] -o tsv",
    );
    assert_eq!(t.stdout(), "512\n");
}

#[test]
fn seed_cli_disk_creation_status_of_a_disk_from_an_ultra_snapshot() {
    let mut c = Console::new(Lab::new());
    let t = c.run(
        "az group create -n rg -l westeurope -o none\n\
         sim feature enable\n\
         az disk create -g rg -n ultra --size-gb 64 --sku UltraSSD_LRS -o none\n\
         sim write -g rg --disk ultra --offset 0 --length 8G -o none\n\
         az snapshot create -g rg -n us --source ultra --incremental true -o none\n\
         sim clock advance 2m -o none\n\
         az disk create -g rg -n restored --source us -o none\n\
         sim clock advance 30s -o none",
    );
    assert_eq!(t.status, 0, "{:?}", t.lines);
    // The seed's block, verbatim with its placeholders set.
    let block = "subscriptionId=yourSubscriptionID\nresourceGroupName=yourResourceGroupName\ndiskName=yourDiskName\naz account set --subscription $subscriptionId\naz disk show -n $diskName -g $resourceGroupName --query [completionPercent] -o tsv"
        .replace("yourSubscriptionID", DEFAULT_SUBSCRIPTION_ID)
        .replace("yourResourceGroupName", "rg")
        .replace("yourDiskName", "restored");
    let t = c.run(&block);
    // 8 GiB at 128 MiB/s takes 64 s; 30 s in, it is 46% copied.
    assert_eq!((t.stdout().as_str(), t.status), ("46.0\n", 0));
}

#[test]
fn errors_print_as_az_prints_them_with_az_exit_statuses() {
    let mut c = console();
    let t = c.run("az snapshot show -g rg-seed -n nope");
    // A 404 is azure-cli's ResourceNotFoundError: exit status 3 (other
    // service errors: 1).
    assert_eq!(t.status, 3);
    assert_eq!(
        t.lines,
        vec![
            Line::Err("ERROR: (ResourceNotFound) The Resource 'Microsoft.Compute/snapshots/nope' under resource group 'rg-seed' was not found.".into()),
            Line::Err("Code: ResourceNotFound".into()),
            Line::Err("Message: The Resource 'Microsoft.Compute/snapshots/nope' under resource group 'rg-seed' was not found.".into()),
        ]
    );
    // B1 from the command line: `Code:` is the code alone, as az prints it;
    // the simulator's label is a line of its own after the block.
    let t = c.run("for_each=1\naz snapshot create -g rg-seed -n s1 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s2 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s3 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s4 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s5 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s6 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s7 --source disk1 --incremental -o none\naz snapshot create -g rg-seed -n s8 --source disk1 --incremental -o none");
    assert_eq!(t.status, 1);
    let stderr = t.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[1], "Code: SnapshotOperationRateExceeded");
    assert!(lines[2].starts_with("Message: At most 7 incremental snapshots"));
    assert_eq!(
        lines[3],
        "(simulated: Azure documents no code for this; the simulator chose it)"
    );
    // set -e stops a script at the first error.
    let t = c.run("set -e\naz disk show -g rg-seed -n ghost\necho not reached");
    assert_eq!((t.status, t.stdout().as_str()), (3, ""));
}

#[test]
fn usage_errors_say_what_is_wrong_and_suggest_the_right_word() {
    let mut c = console();
    c.run("set +e");
    let t = c.run("az snapshto list");
    assert_eq!(t.status, 2);
    assert_eq!(t.stderr(), "ERROR: 'snapshto' is misspelled or not recognized by the system.\nDid you mean 'az snapshot'?\nSee 'az --help'.\n");
    let t = c.run("az snapshot create -g rg-seed -n s --source disk1 --incremntal");
    assert_eq!(
        t.stderr(),
        "ERROR: unrecognized arguments: --incremntal\nDid you mean '--incremental'?\n"
    );
    let t = c.run("az snapshot create -g rg-seed --source disk1");
    assert_eq!(
        t.stderr(),
        "ERROR: the following arguments are required: --name/-n\n"
    );
    // azure-cli's own _check_value wording (core/parser.py), with knack's
    // output formats as the choices.
    let t = c.run("az disk list -o xml");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (2, "ERROR: az disk list: 'xml' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\n")
    );
    let t = c.run("kubectl get pods");
    assert_eq!(t.status, 127);
}

#[test]
fn every_command_has_help() {
    let mut c = console();
    for spec in snaplab_console::az::COMMANDS {
        let t = c.run(&format!("{} --help", spec.path.join(" ")));
        assert_eq!(t.status, 0);
        assert!(t.stdout().contains(spec.summary), "{}", spec.path.join(" "));
        for opt in spec.options {
            assert!(
                t.stdout().contains(opt.long),
                "{} --help lacks {}",
                spec.path.join(" "),
                opt.long
            );
        }
    }
    let t = c.run("az snapshot");
    assert!(
        t.stdout().contains("grant-access") && t.stdout().contains("Get a SAS URL"),
        "{}",
        t.stdout()
    );
}

#[test]
fn golden_outputs_for_each_format() {
    let mut c = console();
    c.run("az snapshot create -g rg-seed -n snap1 --source disk1 --incremental -o none");
    let q = "az snapshot show -g rg-seed -n snap1 --query \"{name:name, size:diskSizeGB, inc:incremental, sku:sku.name}\"";
    assert_eq!(c.run(&format!("{q} -o json")).stdout(), "{\n  \"inc\": true,\n  \"name\": \"snap1\",\n  \"size\": 64,\n  \"sku\": \"Standard_LRS\"\n}\n");
    assert_eq!(c.run(&format!("{q} -o jsonc")).stdout(), "{\n  \"inc\": true,\n  \"name\": \"snap1\",\n  \"size\": 64,\n  \"sku\": \"Standard_LRS\"\n}\n");
    assert_eq!(
        c.run(&format!("{q} -o tsv")).stdout(),
        // The query makes an ordered dict: its order, not sorted.
        "snap1\t64\tTrue\tStandard_LRS\n"
    );
    assert_eq!(c.run(&format!("{q} -o table")).stdout(), "Name    Size    Inc    Sku\n------  ------  -----  ------------\nsnap1   64      True   Standard_LRS\n");
    assert_eq!(
        c.run(&format!("{q} -o yaml")).stdout(),
        "inc: true\nname: snap1\nsize: 64\nsku: Standard_LRS\n"
    );
    assert_eq!(c.run(&format!("{q} -o none")).stdout(), "");
    // The simulator's diff, the REST way.
    c.run("sim write -g rg-seed --disk disk1 --offset 0 --length 512 -o none\naz snapshot create -g rg-seed -n snap2 --source disk1 --incremental -o none");
    assert_eq!(
        c.run("sim diff -g rg-seed --snapshot snap2 --prev snap1 -o xml").stdout(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList><PageRange><Start>0</Start><End>511</End></PageRange><NextMarker /></PageList>\n"
    );
}

#[test]
fn snapshot_update_and_a_diff_by_sas_urls_the_azure_way() {
    let mut c = console();
    c.run("az snapshot create -g rg-seed -n a --source disk1 --incremental -o none\nsim write -g rg-seed --disk disk1 --offset 4096 --length 1024 -o none\naz snapshot create -g rg-seed -n b --source disk1 --incremental -o none");
    let t = c.run("az snapshot update -g rg-seed -n b --sku Standard_LRS --query sku.name -o tsv");
    assert_eq!(t.stdout(), "Standard_LRS\n");
    // Without SAS the URLs are refused; with them, the diff works and the SAS count shows.
    let t = c.run("a=$(az snapshot grant-access -g rg-seed -n a --duration-in-seconds 3600 --query accessSAS -o tsv)\nb=$(az snapshot grant-access -g rg-seed -n b --duration-in-seconds 3600 --query accessSAS -o tsv)\nsim diff --sas-url \"$b\" --prev-sas-url \"$a\" -o xml");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert_eq!(t.stdout(), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList><PageRange><Start>4096</Start><End>5119</End></PageRange><NextMarker /></PageList>\n");
    assert_eq!(c.lab.snapshots().filter(|s| s.sas_active).count(), 2);
    c.run("az snapshot revoke-access -g rg-seed -n a");
    let t = c.run("sim diff --sas-url \"$b\" --prev-sas-url \"$a\"");
    assert!(
        t.stderr().contains("is not an active SAS URL"),
        "{}",
        t.stderr()
    );
}

#[test]
fn a_copy_holds_its_snapshots_point_in_time_whatever_is_written_during_it() {
    use snaplab_console::lessons::Check;
    let mut c = console();
    let t = c.run("sim write -g rg-seed --disk disk1 --offset 0 --length 8M --seed 11 -o none\n\
        az snapshot create -g rg-seed -n s --source disk1 --incremental -o none\n\
        id=$(az snapshot show -g rg-seed -n s --query id -o tsv)\n\
        az snapshot create -g rg-seed -n s-ne --source $id -l northeurope --incremental true --copy-start true -o none\n\
        sim write -g rg-seed --disk disk1 --offset 0 --length 8M --seed 12 -o none\n\
        sim clock advance 5m -o none\n\
        az disk create -g rg-seed -n from-copy --source s-ne -o none");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let same = Check::DiskEqualsSnapshot {
        group: "rg-seed".into(),
        disk: "from-copy".into(),
        snapshot: "s".into(),
    };
    assert!(
        same.holds(&c.lab),
        "the copy restores to the snapshot's data"
    );
    let disk1 = c
        .lab
        .find_disk("rg-seed", "disk1")
        .unwrap()
        .data
        .read(0, 512)
        .unwrap();
    let copy = c
        .lab
        .find_disk("rg-seed", "from-copy")
        .unwrap()
        .data
        .read(0, 512)
        .unwrap();
    assert_ne!(disk1, copy, "not the bytes written during the copy");
}
