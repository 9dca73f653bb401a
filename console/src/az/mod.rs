//! `az` and the simulator's own `sim` verbs: a table of commands (path,
//! summary, options), an argument parser with az's option names and short
//! forms, `--query` (JMESPath), `-o`, `--help` for every command, and
//! "did you mean" for a mistyped command or option. Each command is one
//! entry of [`COMMANDS`]; what it does is its handler in `commands.rs`.
//! Which arguments az has, and how its parser reads them, is `args.rs`,
//! from the description `scripts/az-args.sh` generates from azure-cli
//! (`console/data/az-args.json`).

use serde_json::Value;
use snaplab_engine::{Command, EngineError};

pub mod args;
mod commands;
mod query_fns;
pub mod requests;

use crate::output::{render_ordered, Format};
use crate::runner::Runner;
use crate::suggest::closest;

/// How an option takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    Value,
    /// azure-cli's three-state flag (`get_three_state_flag`): alone it means
    /// true; it takes one optional value, which must be `true` or `false`
    /// in any case (`--incremental false`, `--incremental=False`);
    /// anything else is an invalid choice, never a silent true.
    Bool,
    /// A plain switch (`--yes`, `--no-wait`): no value at all.
    Switch,
}

#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub long: &'static str,
    pub short: Option<&'static str>,
    pub takes: Takes,
    pub help: &'static str,
}

const fn v(long: &'static str, short: Option<&'static str>, help: &'static str) -> Opt {
    Opt {
        long,
        short,
        takes: Takes::Value,
        help,
    }
}
const fn b(long: &'static str, help: &'static str) -> Opt {
    Opt {
        long,
        short: None,
        takes: Takes::Bool,
        help,
    }
}
const fn switch(long: &'static str, help: &'static str) -> Opt {
    Opt {
        long,
        short: None,
        takes: Takes::Switch,
        help,
    }
}

/// The commands that take positional words; any other command refuses a
/// stray word as az does ("unrecognized arguments").
const TAKES_POSITIONALS: &[&[&str]] = &[
    &["sim", "clock", "advance"],
    &["az", "deployment", "group", "create"],
    // --ids takes several IDs, as az's nargs='+' does.
    &["az", "resource", "move"],
];

const G: Opt = v(
    "--resource-group",
    Some("-g"),
    "Name of the resource group.",
);
const N: Opt = v("--name", Some("-n"), "Name of the resource.");
const L: Opt = v(
    "--location",
    Some("-l"),
    "Location (region), e.g. westeurope. Defaults to the resource group's.",
);
/// The generic wait command's options (azure-cli's `wait_command`).
const WAIT: [Opt; 9] = [
    G,
    N,
    switch("--created", "Wait until created with 'provisioningState' at 'Succeeded'."),
    switch("--updated", "Wait until updated with provisioningState at 'Succeeded'."),
    switch("--deleted", "Wait until deleted."),
    switch("--exists", "Wait until the resource exists."),
    v("--custom", None, "Wait until the condition satisfies a custom JMESPath query. E.g. completionPercent==`100`."),
    v("--interval", None, "Polling interval in seconds (simulated). Default: 30."),
    v("--timeout", None, "Maximum wait in seconds (simulated). Default: 3600."),
];
const YES: Opt = Opt {
    short: Some("-y"),
    ..switch("--yes", "Do not prompt for confirmation.")
};
const NO_WAIT: Opt = switch(
    "--no-wait",
    "Do not wait for the operation to finish: nothing is printed (the simulator finishes it at once).",
);

/// The options every command takes.
pub const GLOBAL: &[Opt] = &[
    v(
        "--query",
        None,
        "JMESPath query string applied to the output.",
    ),
    v(
        "--output",
        Some("-o"),
        "Output format: json, jsonc, table, tsv, yaml, none.",
    ),
    v("--subscription", None, "Name or ID of the subscription."),
    switch("--only-show-errors", "Only show errors."),
    switch("--verbose", "Accepted and ignored."),
    switch("--debug", "Show the REST requests the command sends to Azure and the answers (the request log of az --debug), routed by snaplab serve's router."),
    switch("--help", "Show this help."),
];

/// One az (or sim) command: everything about it in one entry, as
/// learnGitBranching's command table has it. `path`, `summary` and
/// `options` make its `--help` and its parser; `rules` are the ids (in
/// `snaplab_engine::rules::RULES`) that `explain` lists; `run` does it.
pub struct Spec {
    pub path: &'static [&'static str],
    pub summary: &'static str,
    pub options: &'static [Opt],
    pub rules: &'static [&'static str],
    pub run: Handler,
}

/// Runs a parsed command line; what it returns is formatted by `-o`/`--query`.
pub type Handler = fn(&mut Runner, &Args, &Env) -> Result<Out, Failure>;

/// What a handler may need besides its arguments.
pub struct Env<'a> {
    pub path: &'static [&'static str],
    /// Reads a file named in the command (`--template-file`).
    pub files: &'a dyn Fn(&str) -> Option<String>,
}

/// What a command prints: a value, formatted by `-o` and `--query`, or
/// text printed as it is (`sim diff -o xml`).
pub enum Out {
    Json(Value),
    Text(String),
}

pub const COMMANDS: &[Spec] = &[
    Spec { path: &["az", "account", "show"], summary: "Show the current subscription.", options: &[], rules: &[], run: commands::az_account_show },
    Spec { path: &["az", "account", "list"], summary: "List the subscriptions of the lab.", options: &[], rules: &[], run: commands::az_account_list },
    Spec { path: &["az", "account", "set"], summary: "Set the current subscription.", options: &[v("--subscription", Some("-s"), "Name or ID of the subscription.")], rules: &[], run: commands::az_account_set },
    Spec { path: &["az", "group", "create"], summary: "Create a resource group.", options: &[N, L], rules: &[], run: commands::az_group_create },
    Spec { path: &["az", "group", "show"], summary: "Show a resource group.", options: &[N], rules: &[], run: commands::az_group_show },
    Spec { path: &["az", "consumption", "usage", "list"], summary: "List the daily usage of the lab's snapshots (simulated: used GiB / 31 a day per snapshot, at sample prices).", options: &[
        v("--start-date", Some("-s"), "Start date (YYYY-MM-DD). Default: the first day of the current month."),
        v("--end-date", Some("-e"), "End date (YYYY-MM-DD). Default: today."),
        v("--top", Some("-t"), "Maximum number of items to return."),
        switch("--include-meter-details", "Include meter details."),
        switch("--include-additional-properties", "Include additional properties."),
    ], rules: &["A6"], run: commands::az_consumption_usage_list },
    Spec { path: &["az", "resource", "move"], summary: "Move resources to another resource group or subscription (full snapshots move; incremental ones never do).", options: &[
        v("--ids", None, "One or more resource IDs (space-delimited)."),
        v("--destination-group", None, "The destination resource group name."),
        v("--destination-subscription-id", None, "The destination subscription (default: the current one)."),
    ], rules: &["B4", "B5"], run: commands::az_resource_move },
    Spec { path: &["az", "group", "list"], summary: "List resource groups.", options: &[], rules: &[], run: commands::az_group_list },
    Spec { path: &["az", "group", "delete"], summary: "Delete a resource group and everything in it.", options: &[N, YES, NO_WAIT], rules: &[], run: commands::az_group_delete },
    Spec {
        path: &["az", "disk", "create"],
        summary: "Create a managed disk, empty (--size-gb), from a snapshot or a copy of a disk (--source), or for upload (--upload-type Upload).",
        options: &[G, N, L, v("--size-gb", Some("-z"), "Size in GiB: 1 to 32,767, or to 65,536 (64 TiB) for UltraSSD_LRS and PremiumV2_LRS."), v("--sku", None, "Standard_LRS, StandardSSD_LRS, StandardSSD_ZRS, Premium_LRS, Premium_ZRS, PremiumV2_LRS, UltraSSD_LRS."),
            v("--source", None, "A snapshot to restore, or a managed disk to copy, by name or ID."), v("--logical-sector-size", None, "512 or 4096 (Ultra and Premium SSD v2 only)."),
            v("--zone", None, "Availability zone: 1, 2 or 3 (a zonal disk)."), v("--disk-iops-read-write", None, "Provisioned IOPS (PremiumV2_LRS, UltraSSD_LRS)."), v("--disk-mbps-read-write", None, "Provisioned MB/s (PremiumV2_LRS, UltraSSD_LRS)."),
            v("--upload-type", None, "Upload: a disk (ReadyToUpload) to write a VHD into through a write SAS (grant-access --access-level Write)."),
            v("--upload-size-bytes", None, "With --upload-type: the VHD's size, its 512-byte footer included (20 MiB + 512 to 32 TiB + 512)."),
            v("--tier", None, "A Premium SSD's performance tier (P1 … P80): modelled at the size's baseline, so a higher tier is refused as not modelled."),
            b("--for-upload", "Deprecated: use --upload-type Upload."), NO_WAIT], rules: &["A3", "C4", "C6"], run: commands::az_disk_create },
    Spec { path: &["az", "disk", "show"], summary: "Show a disk.", options: &[G, N, v("--ids", None, "The disk's ID.")], rules: &[], run: commands::az_disk_show },
    Spec { path: &["az", "disk", "list"], summary: "List disks.", options: &[G], rules: &[], run: commands::az_disk_list },
    Spec { path: &["az", "disk", "wait"], summary: "Place the CLI in a waiting state until a condition of a disk is met (simulated time passes).", options: &WAIT, rules: &["C5"], run: commands::az_disk_wait },
    Spec { path: &["az", "disk", "update"], summary: "Update a disk: grow it with --size-gb, convert its type with --sku, or change a Premium SSD v2 / Ultra disk's IOPS and throughput.", options: &[G, N, v("--size-gb", Some("-z"), "New size in GiB (disks only grow)."), v("--sku", None, "A new disk type: Standard_LRS, StandardSSD_LRS, StandardSSD_ZRS, Premium_LRS, Premium_ZRS (the disk detached or its VM deallocated)."), v("--disk-iops-read-write", None, "Provisioned IOPS (Premium SSD v2 and Ultra)."), v("--disk-mbps-read-write", None, "Provisioned throughput in MB/s (Premium SSD v2 and Ultra)."), NO_WAIT], rules: &["B6", "B7"], run: commands::az_disk_update },
    Spec { path: &["az", "disk", "delete"], summary: "Delete a disk (its snapshots stay).", options: &[G, N, YES, NO_WAIT], rules: &[], run: commands::az_disk_delete },
    Spec {
        path: &["az", "disk", "grant-access"],
        summary: "Get a SAS URL for the disk.",
        options: &[G, N, v("--duration-in-seconds", None, "How long the SAS is valid."), v("--access-level", None, "Read, or Write on a disk created for upload (ReadyToUpload).")], rules: &[], run: commands::az_disk_grant_access },
    Spec { path: &["az", "disk", "revoke-access"], summary: "Revoke the disk's SAS.", options: &[G, N], rules: &[], run: commands::az_disk_revoke_access },
    Spec {
        path: &["az", "snapshot", "create"],
        summary: "Create a snapshot of a disk, or copy a snapshot (--copy-start: to another region).",
        options: &[G, N, L, v("--source", None, "The disk or snapshot, by name or ID."), b("--incremental", "Create an incremental snapshot."),
            v("--sku", None, "Standard_LRS, Standard_ZRS or Premium_LRS."), b("--copy-start", "Copy a snapshot to another region (CopyStart)."), NO_WAIT], rules: &["A1", "A5", "B1", "B2", "B4", "C1", "C3", "C7", "D1", "D2", "D3"], run: commands::az_snapshot_create },
    Spec { path: &["az", "snapshot", "wait"], summary: "Place the CLI in a waiting state until a condition of a snapshot is met (simulated time passes).", options: &WAIT, rules: &["C2", "D1"], run: commands::az_snapshot_wait },
    Spec { path: &["az", "snapshot", "show"], summary: "Show a snapshot.", options: &[G, N, v("--ids", None, "The snapshot's ID.")], rules: &[], run: commands::az_snapshot_show },
    Spec { path: &["az", "snapshot", "list"], summary: "List snapshots.", options: &[G], rules: &[], run: commands::az_snapshot_list },
    Spec { path: &["az", "snapshot", "update"], summary: "Update a snapshot: its storage --sku.", options: &[G, N, v("--sku", None, "Standard_LRS, Standard_ZRS or Premium_LRS.")], rules: &[], run: commands::az_snapshot_update },
    // No --yes: azure-cli's snapshot delete does not ask (its disk delete does).
    Spec { path: &["az", "snapshot", "delete"], summary: "Delete a snapshot.", options: &[G, N, NO_WAIT], rules: &["A9", "D4"], run: commands::az_snapshot_delete },
    Spec {
        path: &["az", "snapshot", "grant-access"],
        summary: "Get a SAS URL for the snapshot (at most 5 per family, rule B3).",
        options: &[G, N, v("--duration-in-seconds", None, "How long the SAS is valid."), v("--access-level", None, "Read.")], rules: &["B3", "C2"], run: commands::az_disk_grant_access },
    Spec { path: &["az", "snapshot", "revoke-access"], summary: "Revoke the snapshot's SAS.", options: &[G, N], rules: &[], run: commands::az_disk_revoke_access },
    Spec {
        path: &["az", "vm", "create"],
        summary: "Create a (minimal) virtual machine.",
        options: &[G, N, L, v("--image", None, "Accepted and ignored."), v("--size", None, "Accepted and ignored."), v("--admin-username", None, "Accepted and ignored."), switch("--generate-ssh-keys", "Accepted and ignored.")], rules: &[], run: commands::az_vm_create },
    Spec {
        path: &["az", "deployment", "group", "create"],
        summary: "Deploy a Resource Manager template (snapshots and disks) to a resource group.",
        options: &[G, N, v("--template-file", Some("-f"), "The template file."), v("--parameters", Some("-p"), "Parameter values: name=value (several may follow).")], rules: &[], run: commands::az_deployment_group_create },
    Spec { path: &["az", "vm", "show"], summary: "Show a virtual machine.", options: &[G, N], rules: &[], run: commands::az_vm_show },
    Spec { path: &["az", "vm", "start"], summary: "Start a virtual machine.", options: &[G, N], rules: &[], run: commands::az_vm_start },
    Spec { path: &["az", "vm", "deallocate"], summary: "Deallocate a virtual machine.", options: &[G, N], rules: &[], run: commands::az_vm_start },
    Spec { path: &["az", "vm", "disk", "attach"], summary: "Attach a disk to a VM.", options: &[G, v("--vm-name", None, "The VM."), N], rules: &["C5"], run: commands::az_vm_disk_attach },
    Spec { path: &["az", "vm", "disk", "detach"], summary: "Detach a disk from a VM.", options: &[G, v("--vm-name", None, "The VM."), N], rules: &[], run: commands::az_vm_disk_attach },
    // The simulator's own verbs: Azure has no command for these.
    Spec {
        path: &["sim", "write"],
        summary: "(Simulator only) Write to a disk: a generated pattern, or --text as real bytes.",
        options: &[G, v("--disk", None, "The disk."), v("--offset", None, "Byte offset (512-aligned; units K, M, G, T allowed: 10M)."),
            v("--length", None, "Bytes to write (512-aligned; units allowed)."), v("--pattern", None, "random (default) or fill."), v("--seed", None, "Pattern seed (a number)."), v("--text", None, "Write this text, padded with zeros to whole pages.")], rules: &["A8", "A10"], run: commands::sim_write },
    Spec { path: &["sim", "trim"], summary: "(Simulator only) TRIM (clear) a range of a disk.", options: &[G, v("--disk", None, "The disk."), v("--offset", None, "Byte offset."), v("--length", None, "Bytes to clear.")], rules: &["A10"], run: commands::sim_trim },
    Spec { path: &["sim", "clock", "advance"], summary: "(Simulator only) Move the simulated clock: sim clock advance 5m (s, m, h, d).", options: &[], rules: &[], run: commands::sim_clock_advance },
    Spec { path: &["sim", "clock", "show"], summary: "(Simulator only) Show the simulated time.", options: &[], rules: &[], run: commands::sim_clock_show },
    Spec {
        path: &["sim", "diff"],
        summary: "(Simulator only) Get Page Ranges of --snapshot, against --prev if given; -o xml or json.",
        options: &[G, v("--snapshot", None, "The newer snapshot."), v("--prev", None, "The older snapshot (prevsnapshot)."),
            v("--sas-url", None, "Instead of --snapshot: the newer snapshot's SAS URL (the Azure way)."), v("--prev-sas-url", None, "Instead of --prev: the older snapshot's SAS URL (x-ms-previous-snapshot-url).")], rules: &["A4", "B6"], run: commands::sim_diff },
    Spec { path: &["sim", "feature", "enable"], summary: "(Simulator only) Grant Premium SSD v2 / Ultra snapshot access (rule C1).", options: &[], rules: &[], run: commands::sim_feature_enable },
    Spec { path: &["sim", "feature", "disable"], summary: "(Simulator only) Remove Premium SSD v2 / Ultra snapshot access.", options: &[], rules: &[], run: commands::sim_feature_enable },
];

pub use crate::failure::Failure;

/// The parsed options of one command line.
pub struct Args {
    values: Vec<(&'static str, String)>,
    positional: Vec<String>,
    /// Arguments az has that the simulator accepts without modelling them
    /// (each is named in a warning).
    unmodelled: Vec<&'static str>,
}

impl Args {
    fn get(&self, long: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| *k == long)
            .map(|(_, v)| v.as_str())
    }
    fn require(&self, long: &'static str, short: Option<&str>) -> Result<String, Failure> {
        self.get(long).map(str::to_string).ok_or_else(|| {
            Failure::Usage(format!(
                "the following arguments are required: {long}{}",
                short.map(|s| format!("/{s}")).unwrap_or_default()
            ))
        })
    }
    fn flag(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }
    /// Every value given to an option that takes several (`nargs='+'`).
    fn all(&self, long: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(k, _)| *k == long)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Finds the spec for `argv` (longest command path first).
pub fn find(argv: &[String]) -> Option<&'static Spec> {
    COMMANDS
        .iter()
        .filter(|s| s.path.len() <= argv.len() && s.path.iter().zip(argv).all(|(p, a)| p == a))
        .max_by_key(|s| s.path.len())
}

/// `--help` text for a command, or for a group of commands.
pub fn help(path: &[String]) -> String {
    if let Some(spec) = find(path).filter(|s| s.path.len() == path.len()) {
        let mut out = format!(
            "Command\n    {} : {}\n\nArguments\n",
            spec.path.join(" "),
            spec.summary
        );
        for o in spec.options {
            out += &format!(
                "    {:<28} : {}\n",
                format!(
                    "{}{}",
                    o.long,
                    o.short.map(|s| format!(" {s}")).unwrap_or_default()
                ),
                o.help
            );
        }
        out += &args::unmodelled_help(spec);
        out += "\nGlobal Arguments\n";
        for o in GLOBAL {
            out += &format!(
                "    {:<28} : {}\n",
                format!(
                    "{}{}",
                    o.long,
                    o.short.map(|s| format!(" {s}")).unwrap_or_default()
                ),
                o.help
            );
        }
        return out;
    }
    let prefix: Vec<&str> = path.iter().map(String::as_str).collect();
    let mut out = format!("Group\n    {}\n\nCommands\n", prefix.join(" "));
    for spec in COMMANDS
        .iter()
        .filter(|s| s.path.len() > prefix.len() && s.path[..prefix.len()] == prefix[..])
    {
        out += &format!(
            "    {:<28} : {}\n",
            spec.path[prefix.len()..].join(" "),
            spec.summary
        );
    }
    out
}

/// Parses sizes like `4096`, `10M`, `1GiB`, `512k`.
fn size(text: &str) -> Result<u64, Failure> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| {
        Failure::Usage(format!(
            "'{text}' is not a size (a number of bytes, or with K, M, G, T)"
        ))
    })?;
    let mult = match unit
        .to_ascii_lowercase()
        .trim_end_matches("ib")
        .trim_end_matches('b')
    {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => {
            return Err(Failure::Usage(format!(
                "'{text}' has an unknown unit (use K, M, G or T)"
            )))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| Failure::Usage(format!("'{text}' is too large")))
}

fn number(args: &Args, long: &'static str, short: Option<&str>) -> Result<u64, Failure> {
    let text = args.require(long, short)?;
    text.parse()
        .map_err(|_| Failure::Usage(format!("argument {long}: invalid int value: '{text}'")))
}

fn g(a: &Args) -> Result<String, Failure> {
    a.require("--resource-group", Some("-g"))
}

fn n(a: &Args) -> Result<String, Failure> {
    a.require("--name", Some("-n"))
}

/// Executes an engine command, recording it (refused ones too: they are in
/// the lab's log, so replaying the record reproduces the refusal).
fn exec(rt: &mut Runner, command: Command) -> Result<String, Failure> {
    rt.execute(command).map_err(Failure::Refused)
}

/// Runs one `az` or `sim` command line against `lab`, recording the engine
/// commands it executed. Returns what to print on standard output;
/// `warnings` gets what az (or the simulator's label) warns on standard
/// error before it.
///
/// With `show_requests` (the console's toggle) or `--debug`, the REST
/// requests behind the command and their answers go to `warnings` too, as
/// az --debug logs them (see `requests.rs`).
pub fn run(
    rt: &mut Runner,
    files: &dyn Fn(&str) -> Option<String>,
    argv: &[String],
    warnings: &mut String,
    show_requests: bool,
) -> Result<String, Failure> {
    let wants_help = argv.iter().any(|a| a == "--help" || a == "-h");
    let Some(spec) = find(argv) else {
        // A group (`az`, `az snapshot`), alone or with --help: its help.
        // The words are compared without the options, so `az snapshot
        // --help` is the group `az snapshot`, not a misspelled `--help`.
        let words: Vec<String> = argv
            .iter()
            .take_while(|a| !a.starts_with('-'))
            .cloned()
            .collect();
        if (wants_help || argv.len() <= 2) && is_group(&words) {
            return Ok(help(&words));
        }
        return Err(misspelled(argv));
    };
    if wants_help {
        return Ok(help(
            &spec.path.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ));
    }
    let args = args::parse_args(spec, &argv[spec.path.len()..])?;
    *warnings += &args::unmodelled_warnings(&args);
    let format = match args.get("--output") {
        Some(name) if spec.path == ["sim", "diff"] && (name == "xml" || name == "json") => {
            Format::Json
        }
        Some(name) => Format::parse(name).ok_or_else(|| {
            Failure::Usage(format!(
                "argument --output/-o: invalid choice: '{name}' (choose from {})",
                Format::NAMES.join(", ")
            ))
        })?,
        None => Format::Json,
    };
    if let Some(sub) = args.get("--subscription") {
        if spec.path != ["az", "account", "set"] {
            let id = rt
                .lab()
                .subscription(sub)
                .ok_or_else(|| {
                    Failure::Refused(EngineError::SubscriptionNotFound {
                        subscription: sub.to_string(),
                    })
                })?
                .id
                .clone();
            if id != rt.lab().current_subscription().id {
                return Err(Failure::Usage("--subscription other than the current one: use 'az account set' first in the simulator".into()));
            }
        }
    }

    let env = Env {
        path: spec.path,
        files,
    };
    let mut shown = (show_requests || args.flag("--debug")).then(String::new);
    let result = args::invoke(spec, rt, &args, &env, warnings, &mut shown);
    if let Some(text) = shown {
        *warnings += &text;
    }
    let value = match result? {
        Out::Json(value) => value,
        Out::Text(text) => return Ok(text),
    };
    // `--no-wait`: az starts the operation and returns without its result,
    // so it prints nothing (`--query` included). The simulator has finished
    // the operation already; `az ... wait` and `show` see it at once.
    if args.flag("--no-wait") {
        return Ok(String::new());
    }
    let (value, order) = match args.get("--query") {
        Some(query) => {
            let expr = compile_query("--query", query)?;
            // An error while evaluating is azure-cli's handle_exception for a
            // JMESPathError (exit 1); only a query that does not parse is
            // argparse's (exit 2).
            let found = search(&expr, &value).map_err(|e| {
                Failure::Error(format!(
                    "Invalid jmespath query supplied for `--query`: {e}"
                ))
            })?;
            (found, row_keys(expr.as_ast()))
        }
        // knack applies a command's table transformer only to `-o table`
        // without `--query`.
        None => match table_transformer(&spec.path.join(" ")).filter(|_| format == Format::Table) {
            Some(transformer) => {
                let expr = query_fns::runtime()
                    .compile(transformer)
                    .expect("the transformers parse");
                let shaped = search(&expr, &value).map_err(|e| Failure::Usage(e.to_string()))?;
                (shaped, row_keys(expr.as_ast()))
            }
            None => (value, None),
        },
    };
    // A None result, --query's too, prints nothing (render_ordered).
    Ok(render_ordered(&value, format, order.as_deref()))
}

/// az's error for a command line whose words name no command: the first
/// word no command continues with, and the closest that would.
fn misspelled(argv: &[String]) -> Failure {
    // Which word is wrong? The first that no command continues with.
    let mut depth = 1;
    while depth < argv.len()
        && COMMANDS
            .iter()
            .any(|s| s.path.len() > depth && s.path[..=depth].iter().zip(argv).all(|(p, a)| p == a))
    {
        depth += 1;
    }
    let word = argv.get(depth).cloned().unwrap_or_default();
    let options: Vec<&str> = COMMANDS
        .iter()
        .filter(|s| s.path.len() > depth && s.path[..depth].iter().zip(argv).all(|(p, a)| p == a))
        .map(|s| s.path[depth])
        .collect();
    let hint = closest(&word, &options)
        .map(|c| {
            format!(
                "\nDid you mean '{}'?",
                argv[..depth]
                    .iter()
                    .map(String::as_str)
                    .chain([c])
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .unwrap_or_default();
    Failure::Usage(format!(
        "'{word}' is misspelled or not recognized by the system.{hint}\nSee '{} --help'.",
        argv[..depth].join(" ")
    ))
}

/// Whether `words` (no options) are a group of commands: `az`, `az snapshot`.
fn is_group(words: &[String]) -> bool {
    COMMANDS
        .iter()
        .any(|s| s.path.len() > words.len() && s.path.iter().zip(words).all(|(p, a)| p == a))
}

/// What az would say about a command line typed so far, before it runs
/// (every word complete: the one being typed is left out): a misspelled
/// command or group, or a wrong argument (see [`args::advise`]); `None`
/// while it is fine so far.
pub fn advise(argv: &[String]) -> Option<Failure> {
    match find(argv) {
        Some(spec) => args::advise(spec, &argv[spec.path.len()..]),
        None => {
            let words: Vec<String> = argv
                .iter()
                .take_while(|a| !a.starts_with('-'))
                .cloned()
                .collect();
            // A group typed whole is fine: its command comes next.
            let typing = argv.len() < 2 || words.len() == argv.len() && is_group(&words);
            (!typing).then(|| misspelled(argv))
        }
    }
}

/// Brackets and parentheses a JMESPath query may nest, and the `!` and
/// operators it may chain: the parser recurses on each, and a hostile query
/// nests thousands (which overflows the stack, natively and in the browser).
pub const MAX_QUERY_NESTING: usize = 64;
/// `.`, `|`, `&` and `!` a query may chain (each is a level when it runs).
pub const MAX_QUERY_OPERATORS: usize = 256;

/// Compiles a JMESPath query given to `flag`, refusing what nests too deep.
pub(super) fn compile_query<'q>(
    flag: &str,
    query: &'q str,
) -> Result<jmespath::Expression<'q>, Failure> {
    let (mut depth, mut deepest, mut chain) = (0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '`' | '"' => quote = Some(c),
                '(' | '[' | '{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                '!' | '|' | '&' | '.' => chain += 1,
                _ => {}
            },
        }
    }
    if deepest > MAX_QUERY_NESTING || chain > MAX_QUERY_OPERATORS {
        return Err(Failure::Usage(format!(
            "argument {flag}: the query nests deeper than the simulator's limit ({MAX_QUERY_NESTING} levels of brackets, {MAX_QUERY_OPERATORS} operators)"
        )));
    }
    query_fns::runtime().compile(query).map_err(|e| {
        Failure::Usage(format!(
            "argument {flag}: invalid jmespath query supplied for '{flag}': {e}"
        ))
    })
}

fn search(expr: &jmespath::Expression<'_>, value: &Value) -> Result<Value, String> {
    let data = jmespath::Variable::from_json(&value.to_string())?;
    let found = expr.search(data).map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(&*found).unwrap_or(Value::Null))
}

/// The keys of the objects an expression makes, in its order: the
/// multiselect hash it ends with (`{a: x, b: y}`, `[].{…}`, `[?…].{…}`,
/// `x | {…}`). knack evaluates queries into ordered dicts, so tables and TSV
/// keep this order.
fn row_keys(ast: &jmespath::ast::Ast) -> Option<Vec<String>> {
    use jmespath::ast::Ast;
    match ast {
        Ast::MultiHash { elements, .. } => Some(elements.iter().map(|kv| kv.key.clone()).collect()),
        Ast::Projection { rhs, .. } | Ast::Subexpr { rhs, .. } => row_keys(rhs),
        // A filter projection (`[?…].{…}`) ends in its condition's `then`.
        Ast::Condition { then, .. } => row_keys(then),
        _ => None,
    }
}

/// The table transformers azure-cli gives these commands
/// (`command_modules/vm/_format.py` and others; tests/knack checks each
/// against azure-cli's command table). `disk create`'s reads `diskSizeGb`,
/// which the result spells `diskSizeGB`, so its table has no SizeGb column:
/// az does the same. (azure-cli writes the separator as the literal
/// `` ` ` ``, which Python's jmespath reads as the string " " by a legacy
/// rule; here it is the raw string `' '`, the same value.)
fn table_transformer(path: &str) -> Option<&'static str> {
    const SHOW: &str = "{Name:name, ResourceGroup:resourceGroup, Location:location, Zones: (!zones && ' ') || join(' ', zones), Sku:sku.name, OsType:osType, SizeGb:diskSizeGB, ProvisioningState:provisioningState}";
    const CREATE: &str = "{Name:name, ResourceGroup:resourceGroup, Location:location, Zones: (!zones && ' ') || join(' ', zones), Sku:sku.name, OsType:osType, SizeGb:diskSizeGb, ProvisioningState:provisioningState}";
    const LIST: &str = "[].{Name:name, ResourceGroup:resourceGroup, Location:location, Zones: (!zones && ' ') || join(' ', zones), Sku:sku.name, OsType:osType, SizeGb:diskSizeGB, ProvisioningState:provisioningState}";
    // `group list` and `account list` have Python functions
    // (resource/commands.py, profile/_format.py) that build these columns.
    const GROUP_LIST: &str =
        "[].{Name:name, Location:location, Status:properties.provisioningState}";
    const ACCOUNT_LIST: &str = "[].{Name:name, CloudName:cloudName, SubscriptionId:id, TenantId:tenantId, State:state, IsDefault:isDefault}";
    match path {
        "az disk show" => Some(SHOW),
        "az disk create" => Some(CREATE),
        "az disk list" => Some(LIST),
        "az group list" => Some(GROUP_LIST),
        "az account list" => Some(ACCOUNT_LIST),
        _ => None,
    }
}
