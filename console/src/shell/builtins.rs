//! The commands the shell runs itself, as a table: name → function. The
//! evaluator looks a command up here after the script's own functions and
//! before the [`Host`](super::Host) (`az`, `sim`, `explain`).
//!
//! A builtin reads its arguments and the pipe's text, prints through the
//! [`Run`] (so output limits apply), and returns a status or a [`Flow`]
//! (`exit`, `return`, `break`, `continue`).

use super::condition::test_expr;
use super::eval::{Done, Flow, Run, Stdout};
use super::text_tools;

/// What a builtin is given: its name as called, its arguments, the pipe's
/// text (if it is not the first command of a pipeline), and where its
/// standard output goes.
pub(super) type Builtin = fn(&mut Run<'_>, &str, &[String], Option<&str>, &mut Stdout) -> Done;

/// Numbers `seq` prints at most.
pub const MAX_SEQ: i64 = 100_000;

/// Every builtin, by name.
const BUILTINS: &[(&str, Builtin)] = &[
    ("echo", echo),
    ("set", set),
    ("export", assign),
    ("local", assign),
    ("declare", assign),
    ("readonly", assign),
    ("unset", unset),
    ("true", |_, _, _, _, _| Ok(0)),
    (":", |_, _, _, _, _| Ok(0)),
    ("false", |_, _, _, _, _| Ok(1)),
    ("exit", |run, _, args, _, _| {
        Err(Flow::Exit(status_arg(run, args, "exit")?))
    }),
    ("return", |run, _, args, _, _| {
        Err(Flow::Return(status_arg(run, args, "return")?))
    }),
    ("break", |_, _, _, _, _| Err(Flow::Break)),
    ("continue", |_, _, _, _, _| Err(Flow::Continue)),
    ("test", test),
    ("[", test),
    ("seq", seq),
    ("sleep", sleep),
    ("grep", text_tool),
    ("head", text_tool),
    ("tail", text_tool),
    ("wc", text_tool),
    ("cat", text_tool),
];

/// The builtin called `name`, if there is one.
pub(super) fn find(name: &str) -> Option<Builtin> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, builtin)| *builtin)
}

/// The builtins' names (for tests and messages).
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|(name, _)| *name)
}

fn echo(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, out: &mut Stdout) -> Done {
    let (newline, args) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    let text = args.join(" ");
    if newline || !text.is_empty() {
        run.out_line(out, &text)?;
    }
    Ok(0)
}

/// `set -e` and `set +e`; other options are accepted and do nothing.
fn set(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    for flag in args {
        match flag.as_str() {
            "-e" => run.shell.errexit = true,
            "+e" => run.shell.errexit = false,
            _ => {}
        }
    }
    Ok(0)
}

/// `export`, `local`, `declare`, `readonly`: each `NAME=value` is set
/// (the simulator has one scope, and no attributes).
fn assign(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    for a in args {
        if let Some((k, v)) = a.split_once('=') {
            run.set_var(k, v.to_string())?;
        }
    }
    Ok(0)
}

fn unset(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    for a in args {
        run.remove_var(a);
        run.shell.functions.remove(a);
    }
    Ok(0)
}

/// `exit`'s and `return`'s status: the last one's without an argument.
fn status_arg(run: &mut Run<'_>, args: &[String], what: &str) -> Result<i32, Flow> {
    match args.first() {
        None => Ok(run.shell.status),
        Some(a) => match a.parse::<i64>() {
            Ok(n) => Ok((n & 0xff) as i32),
            Err(_) => {
                run.err_line(format!("bash: {what}: {a}: numeric argument required"))?;
                Ok(2)
            }
        },
    }
}

/// `test …` and `[ … ]`.
fn test(
    run: &mut Run<'_>,
    program: &str,
    args: &[String],
    _: Option<&str>,
    _: &mut Stdout,
) -> Done {
    let mut args: Vec<String> = args.to_vec();
    if program == "[" {
        if args.last().map(String::as_str) != Some("]") {
            run.err_line("bash: [: missing ']'")?;
            return Ok(2);
        }
        args.pop();
    }
    let args: Vec<(String, bool)> = args.into_iter().map(|a| (a, true)).collect();
    match test_expr(&args, false) {
        Ok(b) => Ok(i32::from(!b)),
        Err(message) => {
            run.err_line(format!("bash: {program}: {message}"))?;
            Ok(2)
        }
    }
}

fn seq(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, out: &mut Stdout) -> Done {
    let nums: Result<Vec<i64>, _> = args.iter().map(|a| a.parse::<i64>()).collect();
    let (first, step, last) = match nums.as_deref() {
        Ok([last]) => (1, 1, *last),
        Ok([first, last]) => (*first, 1, *last),
        Ok([first, step, last]) => (*first, *step, *last),
        _ => {
            run.err_line("seq: needs LAST, FIRST LAST or FIRST STEP LAST (whole numbers)")?;
            return Ok(1);
        }
    };
    if step == 0 {
        run.err_line("seq: the step must not be 0")?;
        return Ok(1);
    }
    let count = last
        .checked_sub(first)
        .and_then(|d| d.checked_div(step))
        .map(|n| n.saturating_add(1));
    if count.is_none_or(|n| n > MAX_SEQ) {
        run.err_line(format!("seq: at most {MAX_SEQ} numbers in the simulator"))?;
        return Ok(1);
    }
    let mut n = first;
    while (step > 0 && n <= last) || (step < 0 && n >= last) {
        run.out_line(out, &n.to_string())?;
        match n.checked_add(step) {
            Some(next) => n = next,
            None => break,
        }
    }
    Ok(0)
}

/// `sleep N` moves the simulated clock, so a "wait until done" loop ends.
fn sleep(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    let Some(arg) = args.first() else {
        run.err_line("sleep: missing operand")?;
        return Ok(1);
    };
    let (number, unit) = arg.split_at(
        arg.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(arg.len()),
    );
    let seconds: Option<f64> = number.parse().ok();
    let factor = match unit {
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => -1.0,
    };
    let Some(seconds) = seconds
        .filter(|s| *s >= 0.0 && factor > 0.0)
        .map(|s| (s * factor).ceil() as u64)
    else {
        run.err_line(format!("sleep: invalid time interval '{arg}'"))?;
        return Ok(1);
    };
    if seconds == 0 {
        return Ok(0);
    }
    let argv: Vec<String> = [
        "sim",
        "clock",
        "advance",
        &format!("{seconds}s"),
        "-o",
        "none",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (_, stderr, status) = run.host.run(&argv);
    for l in stderr.lines() {
        run.err_line(format!("sleep: {l}"))?;
    }
    Ok(status)
}

/// `grep`, `head`, `tail`, `wc`, `cat` over the pipe's text.
fn text_tool(
    run: &mut Run<'_>,
    program: &str,
    args: &[String],
    stdin: Option<&str>,
    out: &mut Stdout,
) -> Done {
    match text_tools::run(program, args, stdin.unwrap_or_default()) {
        Ok((lines, status)) => {
            for l in lines {
                run.out_line(out, &l)?;
            }
            Ok(status)
        }
        Err(message) => {
            run.err_line(format!("{program}: {message}"))?;
            Ok(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_names_each_builtin_once_and_every_text_tool() {
        let names: Vec<&str> = super::names().collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for tool in super::text_tools::NAMES {
            assert!(names.contains(&tool), "{tool}");
        }
        assert!(super::find("echo").is_some());
        assert!(super::find("az").is_none(), "az is the host's");
    }
}
