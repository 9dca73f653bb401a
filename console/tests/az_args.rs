//! The argument description (`console/data/az-args.json`, generated from
//! azure-cli by `scripts/az-args.sh`) checked against the parser: every
//! argument of every command parses under each of its option strings;
//! every choice is enforced as azure-cli enforces it; a missing required
//! argument gets argparse's message; what the simulator does not model is
//! accepted with a labelled warning; `--ids` works where az has id parts.

use snaplab_console::az::args::{description, parse_only, Argument, Nargs};
use snaplab_console::az::Failure;
use snaplab_console::Console;
use snaplab_engine::{cmd, Command, Lab};

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// A value the argument accepts: its first choice, or a plain word.
fn value(arg: &Argument) -> String {
    match &arg.choices {
        Some(c) => c[0].clone(),
        None => "v1".into(),
    }
}

/// The words that give every required argument of `command` but `skip`.
fn required(command: &str, skip: Option<&str>) -> Vec<String> {
    let mut out = words(&format!("az {command}"));
    for arg in &description().commands[command].arguments {
        if arg.required && Some(arg.dest.as_str()) != skip {
            out.push(arg.options[0].clone());
            out.push(value(arg));
        }
    }
    out
}

fn usage(result: Result<impl Sized, Failure>) -> String {
    match result {
        Err(Failure::Usage(m)) => m,
        Err(other) => panic!("not a usage error: {other:?}"),
        Ok(_) => panic!("parsed"),
    }
}

#[test]
fn every_argument_of_every_command_parses_under_each_of_its_names() {
    let mut checked = 0;
    for (name, command) in &description().commands {
        for arg in &command.arguments {
            for option in &arg.options {
                let mut line = required(name, Some(&arg.dest));
                line.push(option.clone());
                match arg.takes {
                    Nargs::Flag | Nargs::ZeroOrMore => {}
                    Nargs::Optional => {
                        // Alone, and with a value.
                        let alone = parse_only(&line);
                        assert!(alone.is_ok(), "{}: {:?}", line.join(" "), alone.err());
                        line.push(value(arg));
                    }
                    Nargs::Value | Nargs::Exactly1 => line.push(value(arg)),
                    Nargs::OneOrMore => {
                        line.push(value(arg));
                        line.push(value(arg));
                    }
                }
                let parsed = parse_only(&line);
                let (values, unmodelled) = match parsed {
                    Ok(p) => p,
                    Err(e) => panic!("{}: {e:?}", line.join(" ")),
                };
                // Either a modelled option took the value, or the warning names it.
                let modelled = values
                    .iter()
                    .any(|(k, _)| arg.options.iter().any(|o| o == k));
                assert!(
                    modelled || unmodelled.contains(&arg.options[0].as_str()),
                    "{}: neither modelled nor named as unmodelled: {values:?}",
                    line.join(" ")
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 850, "{checked} option strings");
}

#[test]
fn every_choice_is_enforced_as_azure_cli_enforces_it() {
    let mut checked = 0;
    for (name, command) in &description().commands {
        for arg in &command.arguments {
            let Some(choices) = &arg.choices else {
                continue;
            };
            let option = &arg.options[0];
            for choice in choices {
                let mut line = required(name, Some(&arg.dest));
                line.extend([option.clone(), choice.clone()]);
                assert!(parse_only(&line).is_ok(), "{}", line.join(" "));
                // knack's CaseInsensitiveList accepts any case; a plain list does not.
                let mut line = required(name, Some(&arg.dest));
                let shouted = choice.to_uppercase();
                line.extend([option.clone(), shouted.clone()]);
                let parsed = parse_only(&line);
                if arg.case_insensitive || shouted == *choice || choices.contains(&shouted) {
                    assert!(parsed.is_ok(), "{}", line.join(" "));
                } else {
                    assert!(parsed.is_err(), "{}", line.join(" "));
                }
                checked += 1;
            }
            let mut line = required(name, Some(&arg.dest));
            line.extend([option.clone(), "not-a-choice".into()]);
            assert_eq!(
                usage(parse_only(&line)),
                format!(
                    "az {name}: 'not-a-choice' is not a valid value for '{option}'. Allowed values: {}.",
                    choices.join(", ")
                )
            );
        }
    }
    assert!(checked > 300, "{checked} choices");
}

#[test]
fn a_missing_required_argument_is_named_as_argparse_names_it() {
    let mut checked = 0;
    for (name, command) in &description().commands {
        for arg in command.arguments.iter().filter(|a| a.required) {
            let line = required(name, Some(&arg.dest));
            assert_eq!(
                usage(parse_only(&line)),
                format!(
                    "the following arguments are required: {}",
                    arg.options.join("/")
                ),
                "{}",
                line.join(" ")
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
    // Several at once, in the parser's order.
    assert_eq!(
        usage(parse_only(&words("az disk create --size-gb 4"))),
        "the following arguments are required: --resource-group/-g, --name/-n"
    );
}

#[test]
fn arguments_the_console_relies_on_are_described() {
    // Dropping one of these from the description fails here (mutation check).
    for line in [
        "az disk update -g rg -n d --set tags.a=b --add tags c=d --remove tags.a --force-string",
        "az snapshot update -g rg -n s --set tags.a=b --force-string true",
        "az disk delete --ids /x --yes",
        "az snapshot delete --ids /x",
        "az snapshot create -g rg -n s --source d --tags a=b --hyper-v-generation V2",
        "az disk grant-access --ids /x --duration-in-seconds 3600 --access-level Read",
        "az group delete -g rg -y",
    ] {
        assert!(
            parse_only(&words(line)).is_ok(),
            "{line}: {:?}",
            parse_only(&words(line)).err()
        );
    }
}

fn console() -> Console {
    let mut lab = Lab::new();
    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: "rg".into(),
        location: "westeurope".into(),
    }))
    .unwrap();
    for name in ["d1", "d2"] {
        lab.execute(Command::CreateDisk(cmd::CreateDisk::premium("rg", name, 4)))
            .unwrap();
    }
    let mut c = Console::new(lab);
    c.run("set +e");
    c
}

#[test]
fn unmodelled_arguments_are_accepted_and_named_in_a_warning() {
    let mut c = console();
    let t = c.run("az snapshot create -g rg -n s --source d1 --tags env=test team=x --hyper-v-generation v2 --query name -o tsv");
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(t.stdout(), "s\n");
    assert_eq!(
        t.stderr(),
        "WARNING: simulated: --tags is accepted and not modelled\nWARNING: simulated: --hyper-v-generation is accepted and not modelled\n"
    );
    // Modelled options say nothing.
    let t = c.run("az disk show -g rg -n d1 -o none");
    assert_eq!((t.status, t.stderr().as_str()), (0, ""));
}

#[test]
fn ids_name_the_resource_wherever_az_has_id_parts() {
    let mut c = console();
    let id1 = c.run("az disk show -g rg -n d1 --query id -o tsv").stdout();
    let id2 = c.run("az disk show -g rg -n d2 --query id -o tsv").stdout();
    let (id1, id2) = (id1.trim(), id2.trim());
    // One id: the resource; several: a list, as az runs the command per id.
    let t = c.run(&format!(
        "az disk grant-access --ids {id1} --duration-in-seconds 60 --query accessSAS -o tsv"
    ));
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert!(t.stdout().starts_with("https://"), "{}", t.stdout());
    let t = c.run(&format!(
        "az disk show --ids {id1} {id2} --query '[].name' -o tsv"
    ));
    assert_eq!(
        (t.status, t.stdout().as_str()),
        (0, "d1\nd2\n"),
        "{}",
        t.stderr()
    );
    // A JSON list piped in, as azure-cli reads it.
    let t = c.run(&format!(
        "az disk update --ids '[{{\"id\": \"{id2}\"}}]' --size-gb 8 --query diskSizeGB"
    ));
    assert_eq!(
        (t.status, t.stdout().as_str()),
        (0, "8\n"),
        "{}",
        t.stderr()
    );
    let t = c.run(&format!("az disk delete --ids {id2} --yes"));
    assert_eq!((t.status, t.stderr().as_str()), (0, ""));
    assert!(c.lab.find_disk("rg", "d2").is_err(), "deleted by id");
    // Names beside --ids are ignored, with az's warning.
    let t = c.run(&format!(
        "az disk show --ids {id1} -g other -n x --query name -o tsv"
    ));
    assert_eq!(
        (t.status, t.stdout().as_str(), t.stderr().as_str()),
        (0, "d1\n", "WARNING: option '-n' will be ignored due to use of '--ids'.\nWARNING: option '--resource-group' will be ignored due to use of '--ids'.\n")
    );
    // Without --ids, az's validator names what is missing (exit 1).
    let t = c.run("az disk show -g rg");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (1, "ERROR: (-n | --ids) are required\n")
    );
}

#[test]
fn abbreviations_and_glued_values_read_as_argparse_reads_them() {
    let mut c = console();
    let t = c.run("az disk show --resource-gr rg -nd1 --query name -o tsv");
    assert_eq!(
        (t.status, t.stdout().as_str()),
        (0, "d1\n"),
        "{}",
        t.stderr()
    );
    let t = c.run("az snapshot create -g rg -n s --so d1");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (
            2,
            "ERROR: ambiguous option: --so could match --source, --source-storage-account-id\n"
        )
    );
}

#[test]
fn an_invalid_choice_suggests_the_closest_as_azure_cli_does() {
    let mut c = console();
    let t = c.run("az disk create -g rg -n x --size-gb 4 --sku Premium_LR");
    assert_eq!(t.status, 2);
    assert_eq!(
        t.stderr(),
        "ERROR: az disk create: 'Premium_LR' is not a valid value for '--sku'. Allowed values: PremiumV2_LRS, Premium_LRS, Premium_ZRS, StandardSSD_LRS, StandardSSD_ZRS, Standard_LRS, UltraSSD_LRS.\nDid you mean 'Premium_LRS' ?\n"
    );
    assert!(c.lab.find_disk("rg", "x").is_err());
    // Any case of a choice is the choice (get_enum_type).
    let t =
        c.run("az disk create -g rg -n y --size-gb 4 --sku standard_lrs --query sku.name -o tsv");
    assert_eq!(
        (t.status, t.stdout().as_str()),
        (0, "Standard_LRS\n"),
        "{}",
        t.stderr()
    );
}

#[test]
fn ids_in_another_subscription_are_not_taken_for_a_resource_of_this_one() {
    let mut c = console();
    let id = c.run("az disk show -g rg -n d1 --query id -o tsv").stdout();
    c.execute(Command::AddSubscription(cmd::AddSubscription {
        name: "other".into(),
    }))
    .unwrap();
    let t = c.run("az account set --subscription other");
    assert_eq!(t.status, 0, "{}", t.stderr());
    // `show` reads the id in its own subscription, as before.
    let t = c.run(&format!(
        "az disk show --ids {} --query name -o tsv",
        id.trim()
    ));
    assert_eq!(
        (t.status, t.stdout().as_str()),
        (0, "d1\n"),
        "{}",
        t.stderr()
    );
    // Others act in the current subscription, so they refuse, changing nothing.
    let t = c.run(&format!("az disk delete --ids {} --yes", id.trim()));
    assert_eq!(t.status, 2, "{}", t.stderr());
    assert!(
        t.stderr().contains("use 'az account set' first"),
        "{}",
        t.stderr()
    );
    assert_eq!(c.lab.disks().count(), 2, "nothing deleted");
}

/// The console's required set is az's: a command given exactly what az
/// requires (its parser's required arguments, and the id parts its
/// `parse_ids_arguments` asks for without `--ids`) is never refused for a
/// missing argument, by the parser or by its handler.
#[test]
fn what_az_requires_is_all_the_console_requires() {
    let mut refused = Vec::new();
    for (name, command) in &description().commands {
        let mut line = required(name, None);
        for option in &command.ids_required {
            line.extend([option.clone(), "v1".into()]);
        }
        let mut c = console();
        let t = c.run(&line.join(" "));
        if t.stderr().contains("are required") {
            refused.push(format!("{}: {}", line.join(" "), t.stderr().trim()));
        }
    }
    assert!(refused.is_empty(), "{refused:#?}");
}

/// Where az's parser takes an argument as optional and its command then
/// needs one of several, az's own check answers (each message and exit
/// status as azure-cli 2.91.0 prints it), not argparse's "required".
#[test]
fn an_optional_argument_left_out_gets_azure_clis_own_check() {
    let mut c = console();
    for (line, message) in [
        ("az disk create -g rg -n e", "usage error: --size-gb is required to create an empty disk"),
        ("az snapshot create -g rg -n s", "Please supply size for the snapshots"),
        ("az deployment group create -g rg", "Please enter one of the following: template file, template spec, template url, or Bicep parameters file."),
        ("az vm disk attach -g rg --vm-name vm", "Please use at least one of --name, --disks, --disk-ids, --source-snapshots-or-disks and --source-disk-restore-point"),
        ("az vm disk detach -g rg --vm-name vm", "Please use at least one '--name', '--disk-ids'"),
    ] {
        let t = c.run(line);
        assert_eq!((t.status, t.stderr()), (1, format!("ERROR: {message}\n")), "{line}");
    }
    // --sku is optional in `az snapshot update`: the snapshot comes back as it is.
    c.run("az snapshot create -g rg -n s --source d1 --sku Standard_ZRS -o none");
    let t = c.run("az snapshot update -g rg -n s --query sku.name -o tsv");
    assert_eq!(
        (t.status, t.stdout().as_str(), t.stderr().as_str()),
        (0, "Standard_ZRS\n", "")
    );
    // A 404 is azure-cli's ResourceNotFoundError: exit status 3.
    let t = c.run("az snapshot update -g rg -n nope");
    assert_eq!(t.status, 3, "{}", t.stderr());
    // `az disk list` needs -g in azure-cli 2.91.0 (its aaz command lists one
    // group); `az snapshot list` without -g lists the subscription's.
    let t = c.run("az disk list");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (
            2,
            "ERROR: the following arguments are required: --resource-group/-g\n"
        )
    );
}
