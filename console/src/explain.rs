//! `explain <command>`: what each part of an az (or sim) command does, and
//! which rules of the reference sheet it touches.

use crate::az::{Takes, COMMANDS, GLOBAL};

/// Rules each command touches, with a few words each.
fn rules(path: &[&str]) -> &'static [(&'static str, &'static str)] {
    match path {
        ["az", "snapshot", "create"] => &[
            (
                "A1",
                "the first incremental snapshot holds all used data, later ones only changes",
            ),
            (
                "A5",
                "incremental snapshots are stored on Standard HDD, ZRS where the region has it",
            ),
            (
                "B1",
                "at most 7 incremental snapshots per disk every 5 minutes",
            ),
            (
                "B2",
                "at most 500 incremental snapshots per disk at one time",
            ),
            ("B4", "not creatable outside the disk's subscription"),
            ("C1", "Premium SSD v2 / Ultra snapshots need feature access"),
            ("C3", "at most 3 pending while a background copy runs"),
            (
                "C7",
                "Premium SSD v2 / Ultra snapshots only in some regions",
            ),
            (
                "D1",
                "--copy-start copies to another region; complete when completionPercent is 100",
            ),
            (
                "D2",
                "a copy transfers only the changes since the last copy in that region",
            ),
            ("D3", "one copy per disk at a time, in creation order"),
        ],
        ["az", "snapshot", "grant-access"] => &[
            ("B3", "SAS on at most 5 snapshots of one family at a time"),
            ("C2", "not until the background copy completes"),
        ],
        ["az", "snapshot", "delete"] => &[
            ("A9", "its data still needed moves to the next snapshot"),
            (
                "D4",
                "a copy still reading from it fails with CopySourceNotFound",
            ),
        ],
        ["az", "disk", "create"] => &[
            ("A3", "a new disk has a new uniqueId: a new snapshot family"),
            (
                "C4",
                "at most 5 disks at once from a Premium SSD v2 / Ultra snapshot",
            ),
            (
                "C6",
                "4096-byte sector snapshots create only Ultra / Premium SSD v2 disks",
            ),
        ],
        ["az", "disk", "update"] => &[
            (
                "B6",
                "growing across 4 TiB ends diffs with earlier snapshots",
            ),
            (
                "B7",
                "disks only grow, and not while attached to a running VM",
            ),
        ],
        ["az", "vm", "disk", "attach"] => &[(
            "C5",
            "a disk from a Premium SSD v2 / Ultra snapshot attaches only once copied",
        )],
        ["sim", "write"] => &[
            ("A8", "any write is a change, identical bytes or not"),
            ("A10", "writes are whole 512-byte pages"),
        ],
        ["sim", "trim"] => &[("A10", "cleared pages read as zeros and show as ClearRange")],
        ["sim", "diff"] => &[
            ("A4", "only between snapshots of one family"),
            ("B6", "not across a resize over 4 TiB"),
        ],
        _ => &[],
    }
}

/// Explains `argv` (the words after `explain`).
pub fn explain(argv: &[String]) -> Result<String, String> {
    let spec = COMMANDS
        .iter()
        .filter(|s| s.path.len() <= argv.len() && s.path.iter().zip(argv).all(|(p, a)| p == a))
        .max_by_key(|s| s.path.len())
        .ok_or_else(|| {
            format!(
                "explain knows az and sim commands; '{}' is not one (try 'az --help')",
                argv.join(" ")
            )
        })?;
    let mut out = format!("{}: {}\n", spec.path.join(" "), spec.summary);
    let options: Vec<_> = spec.options.iter().chain(GLOBAL).collect();
    let mut rest = argv[spec.path.len()..].iter().peekable();
    while let Some(word) = rest.next() {
        let name = word.split('=').next().unwrap_or(word);
        match options
            .iter()
            .find(|o| o.long == name || o.short == Some(name))
        {
            Some(o) => {
                let value = match (o.takes, word.contains('=')) {
                    (_, true) => word.split_once('=').map(|(_, v)| v.to_string()),
                    (Takes::Value, false) => rest.next().cloned(),
                    (Takes::Bool, false) => rest
                        .next_if(|v| v.as_str() == "true" || v.as_str() == "false")
                        .cloned(),
                };
                out += &format!(
                    "  {}{} — {}\n",
                    o.long,
                    value.map(|v| format!(" {v}")).unwrap_or_default(),
                    o.help
                );
            }
            None => out += &format!("  {word} — not an option of this command\n"),
        }
    }
    let touched = rules(spec.path);
    if !touched.is_empty() {
        out += "Rules it touches (shared/reference/azure-incremental-snapshots.md):\n";
        for (id, what) in touched {
            out += &format!("  {id}: {what}\n");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn explains_each_option_and_the_rules_touched() {
        let text = explain(&words(
            "az snapshot create -g rg -n snap1 --source disk1 --incremental true --copy-start",
        ))
        .unwrap();
        assert!(
            text.starts_with("az snapshot create: Create a snapshot of a disk"),
            "{text}"
        );
        assert!(text.contains("  --resource-group rg — Name of the resource group.\n"));
        assert!(text.contains("  --incremental true — Create an incremental snapshot.\n"));
        assert!(text.contains("  --copy-start — Copy a snapshot to another region"));
        assert!(text.contains("  B1: at most 7 incremental snapshots per disk every 5 minutes\n"));
        assert!(explain(&words(
            "az snapshot grant-access -g rg -n s --duration-in-seconds 60"
        ))
        .unwrap()
        .contains("B3: SAS on at most 5"));
        assert!(explain(&words("kubectl get")).is_err());
    }
}
