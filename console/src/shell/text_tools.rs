//! The text tools docs scripts pipe into: `grep`, `head`, `tail`, `wc` and
//! `cat`, reading the pipe's text (the simulator has no files). Each is a
//! function from arguments and input to the lines to print and a status,
//! so the evaluator only prints what they return.

use super::regex::Regex;

/// The tools, by name.
pub const NAMES: [&str; 5] = ["grep", "head", "tail", "wc", "cat"];

/// `grep`'s longest pattern: matching costs the pattern's length times the
/// input's, and a pipe holds up to 4 MiB.
pub const MAX_PATTERN_CHARS: usize = 256;

/// Runs tool `program` over `input`. Returns the lines to print and the
/// status, or the message for standard error (status 2).
pub fn run(program: &str, args: &[String], input: &str) -> Result<(Vec<String>, i32), String> {
    let lines: Vec<&str> = input.lines().collect();
    match program {
        "cat" => {
            if let Some(a) = args.first() {
                return Err(no_files(a));
            }
            Ok((owned(&lines), 0))
        }
        "head" => {
            let n = count_arg(args)?;
            Ok((owned(&lines[..n.min(lines.len())]), 0))
        }
        "tail" => {
            let n = count_arg(args)?;
            Ok((owned(&lines[lines.len().saturating_sub(n)..]), 0))
        }
        "wc" => wc(args, input, lines.len()),
        _ => grep(args, &lines),
    }
}

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

fn no_files(arg: &str) -> String {
    format!("reading files is not supported in the simulator ('{arg}')")
}

/// `head`'s and `tail`'s `-n N`, `-nN` or `-N` (10 without one).
fn count_arg(args: &[String]) -> Result<usize, String> {
    let mut n = 10;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-n" {
            i += 1;
            n = args
                .get(i)
                .ok_or("option requires an argument -- 'n'")?
                .parse()
                .map_err(|_| format!("invalid number of lines: '{}'", args[i]))?;
        } else if let Some(num) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')) {
            n = num.parse().map_err(|_| format!("invalid option '{a}'"))?;
        } else {
            return Err(no_files(a));
        }
        i += 1;
    }
    Ok(n)
}

fn wc(args: &[String], input: &str, lines: usize) -> Result<(Vec<String>, i32), String> {
    let (l, w, c) = (lines, input.split_whitespace().count(), input.len());
    let flags: Vec<&str> = args.iter().map(String::as_str).collect();
    let line = match flags.as_slice() {
        ["-l"] => l.to_string(),
        ["-w"] => w.to_string(),
        ["-c"] => c.to_string(),
        [] => format!("{l:>7} {w:>7} {c:>7}"),
        other => {
            return Err(format!(
                "unsupported arguments {other:?} (the simulator has -l, -w, -c)"
            ))
        }
    };
    Ok((vec![line], 0))
}

fn grep(args: &[String], lines: &[&str]) -> Result<(Vec<String>, i32), String> {
    let (mut invert, mut count, mut quiet, mut ignore_case) = (false, false, false, false);
    let mut pattern = None;
    for a in args {
        match a.as_str() {
            "-v" => invert = true,
            "-c" => count = true,
            "-q" => quiet = true,
            "-i" => ignore_case = true,
            "-E" | "-e" | "-F" => {}
            s if s.starts_with('-') && s.len() > 1 && pattern.is_none() => {
                return Err(format!(
                    "option '{s}' is not supported (the simulator has -v, -c, -q, -i, -E, -F)"
                ))
            }
            s if pattern.is_none() => pattern = Some(s.to_string()),
            s => return Err(no_files(s)),
        }
    }
    let pattern = pattern.ok_or("a pattern is needed")?;
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!(
            "patterns longer than {MAX_PATTERN_CHARS} characters are not supported by the simulator"
        ));
    }
    let regex = Regex::new(&if ignore_case {
        pattern.to_lowercase()
    } else {
        pattern
    });
    let hits: Vec<String> = lines
        .iter()
        .filter(|l| {
            let hit = if ignore_case {
                regex.is_match(&l.to_lowercase())
            } else {
                regex.is_match(l)
            };
            hit != invert
        })
        .map(|l| l.to_string())
        .collect();
    let status = i32::from(hits.is_empty());
    if quiet {
        return Ok((vec![], status));
    }
    if count {
        return Ok((vec![hits.len().to_string()], status));
    }
    Ok((hits, status))
}

#[cfg(test)]
mod tests {
    use super::run;

    fn tool(program: &str, args: &[&str], input: &str) -> Result<(Vec<String>, i32), String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run(program, &args, input)
    }

    #[test]
    fn each_tool_reads_the_pipe_and_refuses_files() {
        let input = "disk-a\nSnap-1\ndisk-b\nsnap-2\n";
        assert_eq!(tool("head", &["-n", "1"], input).unwrap().0, ["disk-a"]);
        assert_eq!(tool("head", &["-3"], input).unwrap().0.len(), 3);
        assert_eq!(tool("tail", &["-n1"], input).unwrap().0, ["snap-2"]);
        assert_eq!(tool("tail", &["-n", "9"], input).unwrap().0.len(), 4);
        assert_eq!(tool("wc", &["-l"], input).unwrap().0, ["4"]);
        assert_eq!(
            tool("wc", &[], "a b\n").unwrap().0,
            ["      1       2       4"]
        );
        assert_eq!(
            tool("grep", &["-i", "^snap"], input).unwrap(),
            (vec!["Snap-1".to_string(), "snap-2".to_string()], 0)
        );
        assert_eq!(tool("grep", &["-c", "-v", "disk"], input).unwrap().0, ["2"]);
        assert_eq!(
            tool("grep", &["-q", "nothing"], input).unwrap(),
            (vec![], 1)
        );
        assert_eq!(tool("cat", &[], "x\n").unwrap().0, ["x"]);
        assert!(tool("cat", &["f.txt"], "")
            .unwrap_err()
            .contains("reading files is not supported"));
        assert!(tool("grep", &["-r", "x"], "")
            .unwrap_err()
            .contains("option '-r' is not supported"));
    }

    #[test]
    fn grep_refuses_a_pattern_longer_than_its_limit() {
        let pattern = "a".repeat(super::MAX_PATTERN_CHARS);
        assert_eq!(tool("grep", &["-c", &pattern], &pattern).unwrap().0, ["1"]);
        let longer = format!("{pattern}a");
        assert!(tool("grep", &[&longer], &longer)
            .unwrap_err()
            .contains("longer than 256 characters"));
    }
}
