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
    ("typeset", assign),
    ("readonly", assign),
    ("unset", unset),
    ("let", let_),
    ("read", read),
    ("readarray", readarray),
    ("mapfile", readarray),
    ("printf", printf),
    ("shift", shift),
    ("wait", |_, _, _, _, _| Ok(0)),
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
    let mut newline = true;
    let mut escapes = false;
    let mut at = 0;
    while let Some(flag) = args.get(at).filter(|a| {
        a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
    }) {
        newline &= !flag.contains('n');
        if flag.contains('e') {
            escapes = true;
        }
        if flag.contains('E') {
            escapes = false;
        }
        at += 1;
    }
    let mut text = args[at..].join(" ");
    if escapes {
        text = unescape(&text);
    }
    if newline {
        run.out_line(out, &text)?;
    } else {
        run.out_text(out, &text)?;
    }
    Ok(0)
}

/// `\n`, `\t`, `\\`, … as `echo -e` and `printf` read them.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('a') => out.push('\u{7}'),
            Some('e') => out.push('\u{1b}'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `set -e`/`-u`/`-o pipefail` (and their `+` forms, combined as
/// `-euo pipefail`); other options are accepted and do nothing.
fn set(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "--" {
            // `set -- a b`: the positional parameters.
            let values: Vec<String> = args.cloned().collect();
            let count: usize = run
                .shell
                .vars
                .get("#")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            for i in 1..=count {
                run.remove_var(&i.to_string());
            }
            for (i, v) in values.iter().enumerate() {
                run.set_var(&(i + 1).to_string(), v.clone())?;
            }
            run.set_var("#", values.len().to_string())?;
            return Ok(0);
        }
        let Some(on) = flag
            .chars()
            .next()
            .filter(|c| matches!(c, '-' | '+'))
            .map(|c| c == '-')
        else {
            continue;
        };
        for letter in flag.chars().skip(1) {
            match letter {
                'e' => run.shell.errexit = on,
                'u' => run.shell.nounset = on,
                'o' => match args.next().map(String::as_str) {
                    Some("pipefail") => run.shell.pipefail = on,
                    Some("errexit") => run.shell.errexit = on,
                    Some("nounset") => run.shell.nounset = on,
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Ok(0)
}

/// `let EXPR…`: status 1 if the last is 0.
fn let_(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    if args.is_empty() {
        run.err_line("bash: let: expression expected")?;
        return Ok(1);
    }
    let mut last = 0;
    for a in args {
        last = match arith_now(run, a) {
            Ok(n) => n,
            Err(message) => {
                run.err_line(format!("bash: let: {a}: {message}"))?;
                return Ok(1);
            }
        };
    }
    Ok(i32::from(last == 0))
}

/// An arithmetic expression already expanded (a builtin's argument).
fn arith_now(run: &mut Run<'_>, text: &str) -> Result<i64, String> {
    let tree = super::arith::parse(text)?;
    run.arith_now(&tree)
}

/// `shift [N]`
fn shift(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, _: &mut Stdout) -> Done {
    let n: usize = match args.first().map(|a| a.parse()) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            run.err_line("bash: shift: numeric argument required")?;
            return Ok(1);
        }
    };
    let count: usize = run
        .shell
        .vars
        .get("#")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if n > count {
        return Ok(1);
    }
    let values: Vec<String> = (n + 1..=count)
        .map(|i| {
            run.shell
                .vars
                .get(&i.to_string())
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for i in 1..=count {
        run.remove_var(&i.to_string());
    }
    for (i, v) in values.iter().enumerate() {
        run.set_var(&(i + 1).to_string(), v.clone())?;
    }
    run.set_var("#", values.len().to_string())?;
    Ok(0)
}

/// `read [-r] [-a ARRAY] [-d DELIM] [-p PROMPT] [NAME…]`: one line of
/// standard input, split on `IFS`.
fn read(run: &mut Run<'_>, _: &str, args: &[String], stdin: Option<&str>, _: &mut Stdout) -> Done {
    let mut names = Vec::new();
    let mut array = None;
    let mut delim = '\n';
    let mut raw = false;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-r" => raw = true,
            "-s" => {}
            "-a" => array = args.next().cloned(),
            "-d" => delim = args.next().and_then(|d| d.chars().next()).unwrap_or('\0'),
            "-p" | "-t" | "-n" | "-N" | "-u" => {
                args.next();
            }
            flag if flag.starts_with('-') && flag.len() > 1 => {
                for c in flag[1..].chars() {
                    match c {
                        'r' => raw = true,
                        's' => {}
                        other => {
                            run.err_line(format!(
                                "bash: read: -{other}: not supported by the simulator's shell"
                            ))?;
                            return Ok(2);
                        }
                    }
                }
            }
            name => names.push(name.to_string()),
        }
    }
    let input = stdin.unwrap_or_default();
    if input.is_empty() {
        return Ok(1);
    }
    let (line, used, complete) = match input.find(delim) {
        Some(n) => (&input[..n], n + delim.len_utf8(), true),
        None => (input, input.len(), false),
    };
    run.consume(used);
    let mut line = line.to_string();
    if !raw {
        line = line.replace("\\\n", "").replace('\\', "");
    }
    let ifs = run
        .shell
        .vars
        .get("IFS")
        .cloned()
        .unwrap_or_else(|| " \t\n".into());
    let is_sep = |c: char| ifs.contains(c);
    let white = |c: char| ifs.contains(c) && c.is_whitespace();
    // A separator: IFS blanks, at most one other IFS character, IFS blanks.
    let fields = |text: &str, max: usize| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text.trim_start_matches(white);
        while !rest.is_empty() {
            if out.len() + 1 == max {
                out.push(rest.trim_end_matches(white).to_string());
                break;
            }
            match rest.find(is_sep) {
                None => {
                    out.push(rest.to_string());
                    break;
                }
                Some(n) => {
                    out.push(rest[..n].to_string());
                    let mut after = rest[n..].trim_start_matches(white);
                    if let Some(c) = after.chars().next().filter(|c| is_sep(*c) && !white(*c)) {
                        after = after[c.len_utf8()..].trim_start_matches(white);
                    }
                    rest = after;
                }
            }
        }
        out
    };
    if let Some(name) = array {
        let values = fields(&line, usize::MAX);
        run.remove_var(&name);
        let m = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i as i64, v))
            .collect();
        run.put_array(&name, super::Array::Indexed(m))?;
    } else if names.is_empty() {
        run.set_var("REPLY", line)?;
    } else {
        let values = fields(&line, names.len());
        for (i, name) in names.iter().enumerate() {
            run.set_var(name, values.get(i).cloned().unwrap_or_default())?;
        }
    }
    Ok(i32::from(!complete))
}

/// `readarray [-t] [NAME]` / `mapfile`: standard input's lines into an
/// indexed array (`MAPFILE` by default).
fn readarray(
    run: &mut Run<'_>,
    program: &str,
    args: &[String],
    stdin: Option<&str>,
    _: &mut Stdout,
) -> Done {
    let mut strip = false;
    let mut name = "MAPFILE".to_string();
    for a in args {
        match a.as_str() {
            "-t" => strip = true,
            flag if flag.starts_with('-') => {
                run.err_line(format!(
                    "bash: {program}: {flag}: not supported by the simulator's shell"
                ))?;
                return Ok(2);
            }
            n => name = n.to_string(),
        }
    }
    let input = stdin.unwrap_or_default();
    run.consume(input.len());
    let lines: std::collections::BTreeMap<i64, String> = input
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            let l = if strip {
                l.strip_suffix('\n').unwrap_or(l)
            } else {
                l
            };
            (i as i64, l.to_string())
        })
        .collect();
    run.remove_var(&name);
    run.put_array(&name, super::Array::Indexed(lines))?;
    Ok(0)
}

/// `printf [-v NAME] FORMAT ARG…`: `%s %d %i %u %x %X %o %f %e %c %b %q %%`
/// with flags, width and precision; the format repeats while arguments
/// remain.
fn printf(run: &mut Run<'_>, _: &str, args: &[String], _: Option<&str>, out: &mut Stdout) -> Done {
    let (target, args) = match args {
        [v, name, rest @ ..] if v == "-v" => (Some(name.clone()), rest),
        _ => (None, args),
    };
    let Some((format, mut args)) = args.split_first().map(|(f, a)| (f.as_str(), a)) else {
        run.err_line("printf: usage: printf [-v var] format [arguments]")?;
        return Ok(2);
    };
    let mut text = String::new();
    let mut status = 0;
    loop {
        let (piece, used, bad) = format_once(format, args);
        if text.len() + piece.len() > super::eval::MAX_VAR_BYTES {
            return Err(Flow::Abort("printf printed more than 1 MiB".into()));
        }
        text.push_str(&piece);
        if let Some(bad) = bad {
            run.err_line(format!("bash: printf: {bad}: invalid number"))?;
            status = 1;
        }
        if used == 0 || used >= args.len() {
            break;
        }
        args = &args[used..];
    }
    match target {
        Some(name) => run.set_var(&name, text)?,
        None => run.out_text(out, &text)?,
    }
    Ok(status)
}

/// One pass of `format` over `args`: the text, how many arguments it used,
/// and an argument that was not a number.
fn format_once(format: &str, args: &[String]) -> (String, usize, Option<String>) {
    let mut out = String::new();
    let mut used = 0;
    let mut bad = None;
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let (text, n) = match chars.get(i + 1) {
                Some('n') => ("\n".to_string(), 2),
                Some('t') => ("\t".to_string(), 2),
                Some('r') => ("\r".to_string(), 2),
                Some('\\') => ("\\".to_string(), 2),
                Some('"') => ("\"".to_string(), 2),
                Some('a') => ("\u{7}".to_string(), 2),
                Some(other) => (format!("\\{other}"), 2),
                None => ("\\".to_string(), 1),
            };
            out.push_str(&text);
            i += n;
            continue;
        }
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let start = i;
        i += 1;
        let mut flags = String::new();
        while let Some(f) = chars
            .get(i)
            .filter(|f| matches!(f, '-' | '+' | ' ' | '0' | '#'))
        {
            flags.push(*f);
            i += 1;
        }
        let mut width = String::new();
        while let Some(d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            i += 1;
        }
        let mut precision = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while let Some(d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                p.push(*d);
                i += 1;
            }
            // Capped as the width is: `%.999999999d` must not fill memory.
            precision = Some(p.parse::<usize>().unwrap_or(usize::MAX).min(1 << 16));
        }
        let Some(&conv) = chars.get(i) else {
            out.extend(&chars[start..]);
            break;
        };
        i += 1;
        let arg = args.get(used).cloned();
        if arg.is_some() {
            used += 1;
        }
        let arg = arg.unwrap_or_default();
        let number = |bad: &mut Option<String>| -> i64 {
            let t = arg.trim();
            if t.is_empty() {
                return 0;
            }
            if let Some(c) = t.strip_prefix(['\'', '"']) {
                return c.chars().next().map_or(0, |c| c as i64);
            }
            let parsed = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).ok()
            } else {
                t.parse().ok()
            };
            parsed.unwrap_or_else(|| {
                *bad = Some(arg.clone());
                0
            })
        };
        let body = match conv {
            's' => match precision {
                Some(p) => arg.chars().take(p).collect(),
                None => arg.clone(),
            },
            'b' => unescape(&arg),
            'q' => {
                if !arg.is_empty()
                    && arg
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_-./:=@,+".contains(c))
                {
                    arg.clone()
                } else {
                    format!("'{}'", arg.replace('\'', "'\\''"))
                }
            }
            'c' => arg.chars().next().map(String::from).unwrap_or_default(),
            'd' | 'i' | 'u' => {
                let n = number(&mut bad);
                let mut t = n.abs().to_string();
                if let Some(p) = precision {
                    while t.len() < p {
                        t.insert(0, '0');
                    }
                }
                if n < 0 {
                    t.insert(0, '-');
                } else if flags.contains('+') {
                    t.insert(0, '+');
                }
                t
            }
            'x' => format!("{:x}", number(&mut bad)),
            'X' => format!("{:X}", number(&mut bad)),
            'o' => format!("{:o}", number(&mut bad)),
            'f' | 'F' | 'e' | 'g' => {
                let v: f64 = if arg.trim().is_empty() {
                    0.0
                } else {
                    arg.trim().parse().unwrap_or_else(|_| {
                        bad = Some(arg.clone());
                        0.0
                    })
                };
                let p = precision.unwrap_or(6);
                match conv {
                    'e' => format!("{v:.p$e}"),
                    'g' => format!("{v}"),
                    _ => format!("{v:.p$}"),
                }
            }
            _ => {
                out.extend(&chars[start..i]);
                continue;
            }
        };
        let width: usize = width.parse().unwrap_or(0).min(1 << 16);
        let len = body.chars().count();
        if len >= width {
            out.push_str(&body);
        } else if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(width - len));
        } else if flags.contains('0') && matches!(conv, 'd' | 'i' | 'u' | 'f' | 'x' | 'X') {
            let (sign, digits) = match body.strip_prefix('-') {
                Some(d) => ("-", d.to_string()),
                None => ("", body.clone()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(width - len));
            out.push_str(&digits);
        } else {
            out.push_str(&" ".repeat(width - len));
            out.push_str(&body);
        }
    }
    (out, used, bad)
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
        if a == "-v" || a == "-f" {
            continue;
        }
        // `unset 'm[key]'`: one element.
        if let Some((name, rest)) = a.split_once('[') {
            if let Some(key) = rest.strip_suffix(']') {
                match run.shell.arrays.get(name).cloned() {
                    Some(super::Array::Assoc(mut v)) => {
                        v.remove(key);
                        run.put_array(name, super::Array::Assoc(v))?;
                    }
                    Some(super::Array::Indexed(mut m)) => {
                        if let Ok(i) = key.parse::<i64>() {
                            m.remove(&i);
                        }
                        run.put_array(name, super::Array::Indexed(m))?;
                    }
                    None => {}
                }
                continue;
            }
        }
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
    run.consume(stdin.map_or(0, str::len));
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
