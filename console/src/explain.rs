//! `explain <command>`: what each part of an az (or sim) command does, and
//! which rules of the reference sheet it touches; for a PowerShell cmdlet,
//! each parameter, from the cmdlet table.

use crate::az::{Takes, COMMANDS, GLOBAL};

/// Explains `argv` (the words after `explain`).
pub fn explain(argv: &[String]) -> Result<String, String> {
    if let Some(text) = crate::pwsh::explain(argv) {
        return Ok(text);
    }
    let spec = COMMANDS
        .iter()
        .filter(|s| s.path.len() <= argv.len() && s.path.iter().zip(argv).all(|(p, a)| p == a))
        .max_by_key(|s| s.path.len())
        .ok_or_else(|| {
            let hint = argv
                .first()
                .and_then(|w| crate::pwsh::cmdlets::suggest(w))
                .map(|c| format!(" Did you mean '{c}'?"))
                .unwrap_or_default();
            format!(
                "explain knows az and sim commands and PowerShell cmdlets; '{}' is none of them (try 'az --help' or 'Get-Help').{hint}",
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
                        .next_if(|v| {
                            v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
                        })
                        .cloned(),
                    (Takes::Switch, false) => None,
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
    let touched = spec.rules;
    if !touched.is_empty() {
        out += "Rules it touches (shared/reference/azure-incremental-snapshots.md):\n";
        for id in touched {
            let what = snaplab_engine::rules::rule(id).map_or("", |r| r.summary);
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
        assert!(text.contains("  B1: At most 7 incremental snapshots per disk every 5 minutes.\n"));
        assert!(explain(&words(
            "az snapshot grant-access -g rg -n s --duration-in-seconds 60"
        ))
        .unwrap()
        .contains("B3: SAS on at most 5"));
        // Every id a command names is in the table of rules.
        for spec in crate::az::COMMANDS {
            for id in spec.rules {
                assert!(snaplab_engine::rules::rule(id).is_some(), "{id}");
            }
        }
        assert!(explain(&words("kubectl get")).is_err());
    }
}
