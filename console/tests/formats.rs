//! Golden tests for how az prints, one per rule of knack (the CLI framework
//! under az, `knack/output.py`) and azure-cli's table transformers
//! (`command_modules/vm/_format.py`) that a docs script meets.

use snaplab_console::Console;

fn lab() -> Console {
    let mut console = Console::new(snaplab_engine::Lab::new());
    let t = console.run(
        "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 4 -o none
az disk create -g rg -n e --size-gb 8 --sku Standard_LRS -o none",
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    console
}

fn out(console: &mut Console, line: &str) -> String {
    let t = console.run(line);
    assert_eq!(t.status, 0, "{line}: {}", t.stderr());
    t.stdout()
}

#[test]
fn knack_format_table_query_keeps_the_multiselect_hash_order() {
    let mut c = lab();
    assert_eq!(
        out(
            &mut c,
            "az disk list -g rg --query \"[].{Size:diskSizeGB, Name:name}\" -o table"
        ),
        "Size    Name\n------  ------\n4       d\n8       e\n"
    );
    // Through a filter projection too (found running tests/docs/).
    assert_eq!(
        out(
            &mut c,
            "az disk list -g rg --query \"[?diskSizeGB > `4`].{Size:diskSizeGB, Name:name}\" -o table"
        ),
        "Size    Name\n------  ------\n8       e\n"
    );
}

#[test]
fn knack_tsv_dump_row_an_ordered_dict_keeps_its_order_a_plain_dict_is_sorted() {
    let mut c = lab();
    // From a query: an OrderedDict, in the query's order.
    assert_eq!(
        out(
            &mut c,
            "az disk show -g rg -n d --query \"{size:diskSizeGB, name:name, sku:sku.name}\" -o tsv"
        ),
        "4\td\tPremium_LRS\n"
    );
    // A plain result: sorted by key (name < sku < tier), nested objects empty.
    assert_eq!(
        out(&mut c, "az disk show -g rg -n d --query sku -o tsv"),
        "Premium_LRS\tPremium\n"
    );
}

#[test]
fn knack_format_json_sorts_keys_even_after_a_query() {
    let mut c = lab();
    assert_eq!(
        out(
            &mut c,
            "az disk show -g rg -n d --query \"{size:diskSizeGB, name:name}\""
        ),
        "{\n  \"name\": \"d\",\n  \"size\": 4\n}\n"
    );
}

#[test]
fn azure_cli_disk_show_and_list_tables_use_the_vm_module_transformer() {
    let mut c = lab();
    assert_eq!(
        out(&mut c, "az disk show -g rg -n d -o table"),
        "Name    ResourceGroup    Location    Zones    Sku          SizeGb    ProvisioningState
------  ---------------  ----------  -------  -----------  --------  -------------------
d       rg               westeurope           Premium_LRS  4         Succeeded
"
    );
    assert_eq!(
        out(&mut c, "az disk list -g rg -o table"),
        "Name    ResourceGroup    Location    Zones    Sku           SizeGb    ProvisioningState
------  ---------------  ----------  -------  ------------  --------  -------------------
d       rg               westeurope           Premium_LRS   4         Succeeded
e       rg               westeurope           Standard_LRS  8         Succeeded
"
    );
}

#[test]
fn azure_cli_disk_create_table_reads_disksizegb_so_it_has_no_size_column() {
    let mut c = lab();
    let table = out(&mut c, "az disk create -g rg -n f --size-gb 16 -o table");
    assert!(
        table.starts_with(
            "Name    ResourceGroup    Location    Zones    Sku          ProvisioningState\n"
        ),
        "{table}"
    );
    assert!(!table.contains("SizeGb"));
}

#[test]
fn knack_format_table_a_transformer_is_not_applied_with_a_query() {
    let mut c = lab();
    assert_eq!(
        out(
            &mut c,
            "az disk show -g rg -n d --query \"{N:name}\" -o table"
        ),
        "N\n---\nd\n"
    );
}

#[test]
fn a_rerun_script_is_create_or_update_and_a_second_delete_succeeds() {
    let mut c = lab();
    let create = "az snapshot create -g rg -n s --source d --incremental true --query \"{name:name, time:timeCreated}\" -o tsv";
    let first = out(&mut c, create);
    assert_eq!(
        out(&mut c, create),
        first,
        "the same snapshot, not a new one"
    );
    let refused = c.run("az snapshot create -g rg -n s --source e --incremental true");
    assert_eq!(refused.status, 1);
    assert!(refused.stderr().starts_with("ERROR: (PropertyChangeNotAllowed) Changing property 'sourceResourceId' is not allowed."), "{}", refused.stderr());
    assert_eq!(
        out(
            &mut c,
            "az snapshot delete -g rg -n s; az snapshot delete -g rg -n s; echo $?"
        ),
        "0\n"
    );
    assert_eq!(
        out(&mut c, "az snapshot list -g rg --query 'length(@)'"),
        "0\n"
    );
}

#[test]
fn azure_cli_confirmation_without_yes_is_cancelled_as_with_no_tty() {
    let mut c = lab();
    let t = c.run("az disk delete -g rg -n d");
    assert_eq!(t.status, 1);
    assert_eq!(
        t.stderr(),
        "WARNING: Unable to prompt for confirmation as no tty available. Use --yes.\nERROR: Operation cancelled.\n"
    );
    assert_eq!(
        out(&mut c, "az disk list -g rg --query 'length(@)'"),
        "2\n",
        "nothing deleted"
    );
    out(&mut c, "az disk delete -g rg -n d --yes");
    out(&mut c, "az disk delete -g rg -n e -y");
    assert_eq!(out(&mut c, "az disk list -g rg --query 'length(@)'"), "0\n");
    // azure-cli's snapshot delete does not ask, so it has no --yes.
    let t = c.run("az snapshot delete -g rg -n s --yes");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (2, "ERROR: unrecognized arguments: --yes\n")
    );
}

#[test]
fn azure_cli_wait_polls_in_simulated_time_and_times_out_as_az_does() {
    let mut c = Console::new(snaplab_engine::Lab::new());
    let setup = c.run(
        "az group create -n rg -l eastus -o none
sim feature enable -o none
az disk create -g rg -n v2 --size-gb 64 --sku PremiumV2_LRS -o none
sim write -g rg --disk v2 --offset 0 --length 4G -o none
az snapshot create -g rg -n s1 --source v2 --incremental true -o none",
    );
    assert_eq!(setup.status, 0, "{}", setup.stderr());
    let before = out(
        &mut c,
        "az snapshot show -g rg -n s1 --query completionPercent",
    );
    assert_ne!(
        before, "100.0\n",
        "a v2 snapshot copies in the background (C2)"
    );
    // The docs' loop: wait until the copy is complete.
    assert_eq!(
        out(
            &mut c,
            "az snapshot wait -g rg -n s1 --custom \"properties.completionPercent==`100`\" --interval 60"
        ),
        ""
    );
    assert_eq!(
        out(
            &mut c,
            "az snapshot show -g rg -n s1 --query completionPercent"
        ),
        "100.0\n"
    );
    let waited = out(&mut c, "sim clock show --query now -o tsv");
    assert!(
        waited.starts_with("2026-01-05T10:") && waited != "2026-01-05T10:00:00.0000000+00:00\n",
        "{waited}"
    );
    // Waiting for what never comes ends at --timeout, as az's CLIError.
    let t = c.run("az disk wait -g rg -n nope --created --timeout 90 --interval 30");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (1, "ERROR: Wait operation timed-out after 90 seconds\n")
    );
    assert_eq!(out(&mut c, "az disk wait -g rg -n nope --deleted"), "");
    let t = c.run("az snapshot wait -g rg -n s1");
    assert_eq!(t.status, 2, "a condition is required");
}

#[test]
fn az_resource_move_moves_a_full_snapshot_and_refuses_an_incremental_one_whole() {
    let mut c = lab();
    out(&mut c, "az group create -n rg2 -l westeurope -o none\naz snapshot create -g rg -n full --source d -o none\naz snapshot create -g rg -n inc --source d --incremental true -o none");
    let full = out(&mut c, "az snapshot show -g rg -n full --query id -o tsv");
    let inc = out(&mut c, "az snapshot show -g rg -n inc --query id -o tsv");
    // Both at once: the incremental one refuses the move, so neither moves.
    let t = c.run(&format!(
        "az resource move --destination-group rg2 --ids {} {}",
        full.trim(),
        inc.trim()
    ));
    assert_eq!(t.status, 1);
    assert!(
        t.stderr().contains("(OperationNotAllowed)") && t.stderr().contains("B5"),
        "{}",
        t.stderr()
    );
    assert_eq!(
        out(&mut c, "az snapshot list -g rg2 --query 'length(@)'"),
        "0\n"
    );
    // The full one alone moves.
    assert_eq!(
        out(
            &mut c,
            &format!(
                "az resource move --destination-group rg2 --ids {}",
                full.trim()
            )
        ),
        ""
    );
    assert_eq!(
        out(&mut c, "az snapshot list -g rg2 --query '[].name' -o tsv"),
        "full\n"
    );
}

#[test]
fn no_wait_prints_nothing_and_the_operation_is_done() {
    // azure-cli's sdk_no_wait returns the poller unawaited: no result, no output.
    let mut c = lab();
    assert_eq!(
        out(
            &mut c,
            "az snapshot create -g rg -n nw --source d --incremental true --no-wait"
        ),
        ""
    );
    assert_eq!(
        out(
            &mut c,
            "az disk update -g rg -n d --size-gb 16 --no-wait --query diskSizeGB"
        ),
        ""
    );
    assert_eq!(
        out(
            &mut c,
            "az snapshot wait -g rg -n nw --created && az disk show -g rg -n d --query diskSizeGB"
        ),
        "16\n"
    );
}
