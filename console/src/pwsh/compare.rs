//! PowerShell's comparison operators as about_Comparison_Operators defines
//! them: `-eq -ne -lt -gt -le -ge`, `-like`/`-notlike` (wildcards: `*`,
//! `?`, `[abc]`, `[a-z]`, backtick escapes), `-match`/`-notmatch` (a regex,
//! setting `$Matches`), `-contains`/`-notcontains`, `-in`/`-notin` and
//! `-replace` (with `$1` substitutions). Each is case-insensitive; a `c`
//! prefix (`-clike`) makes it case-sensitive, an `i` prefix says the default.
//! With an array on the left, the comparisons filter: they return the
//! elements for which they hold, as PowerShell does.
//!
//! Regular expressions run on the `regex` crate, whose matching takes time
//! linear in the text, with its compiled size capped: a hostile pattern
//! cannot hang the page. It lacks .NET's lookaround and backreferences;
//! such a pattern is an error that says so.

use regex::{Regex, RegexBuilder};
use serde_json::{json, Map, Value};

use super::value::{equal, fits_string, number, sort_text, text, PsError, DATETIME_KEY};
use super::value::{HASHTABLE_KEY, MAX_STRING_BYTES};

/// The compiled size a pattern may take (the crate's default is 10 MiB;
/// a docs pattern needs a few KiB).
const REGEX_SIZE: usize = 1 << 20;

/// The operators this module evaluates, without their `c`/`i` prefix.
pub const OPERATORS: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "like",
    "notlike",
    "match",
    "notmatch",
    "contains",
    "notcontains",
    "in",
    "notin",
    "replace",
];

/// The operator `op` (lower case, as written) names: its base name and
/// whether it is case-sensitive. `None` if it is no comparison operator.
pub fn operator(op: &str) -> Option<(&'static str, bool)> {
    let (base, sensitive) = match op.as_bytes().first() {
        Some(b'c') if !OPERATORS.contains(&op) => (&op[1..], true),
        Some(b'i') if !OPERATORS.contains(&op) => (&op[1..], false),
        _ => (op, false),
    };
    OPERATORS
        .iter()
        .find(|o| **o == base)
        .map(|o| (*o, sensitive))
}

/// What a comparison gives: its value, and the `$Matches` a successful
/// scalar `-match` sets.
pub struct Outcome {
    pub value: Value,
    pub matches: Option<Value>,
}

/// Evaluates `a -op b` for a comparison operator [`operator`] knows.
pub fn compare(op: &str, a: Value, b: Value) -> Result<Outcome, PsError> {
    let (base, sensitive) =
        operator(op).ok_or_else(|| PsError::new(format!("unknown operator -{op}")))?;
    let plain = |value| Outcome {
        value,
        matches: None,
    };
    match base {
        "contains" | "notcontains" => {
            let found = items(&a).iter().any(|x| same(x, &b, sensitive));
            Ok(plain(json!(found == (base == "contains"))))
        }
        "in" | "notin" => {
            let found = items(&b).iter().any(|x| same(&a, x, sensitive));
            Ok(plain(json!(found == (base == "in"))))
        }
        "replace" => replace(&a, &b, sensitive).map(plain),
        _ => {
            let test = Test::new(base, &b, sensitive)?;
            if let Value::Array(list) = &a {
                // An array on the left: the elements for which it holds.
                let mut kept = Vec::new();
                for x in list {
                    if test.holds(x).0 {
                        kept.push(x.clone());
                    }
                }
                return Ok(plain(Value::Array(kept)));
            }
            let (holds, matches) = test.holds(&a);
            Ok(Outcome {
                value: json!(holds),
                matches,
            })
        }
    }
}

/// The elements of a collection (a scalar is a collection of one).
fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(list) => list.clone(),
        Value::Null => vec![Value::Null],
        one => vec![one.clone()],
    }
}

/// `-eq` between two scalars, in the case the operator asks.
fn same(a: &Value, b: &Value, sensitive: bool) -> bool {
    match (a, b) {
        (Value::Number(_), _) | (_, Value::Number(_)) | (Value::Null, _) | (_, Value::Null) => {
            equal(a, b)
        }
        _ if sensitive => text(a) == text(b),
        _ => equal(a, b),
    }
}

/// One scalar comparison, its right side prepared once (a pattern
/// compiled) for all the elements of a left-hand array.
enum Test<'a> {
    Equal(&'a Value, bool, bool),
    Order(&'a str, &'a Value, bool),
    Pattern(Regex, bool, bool),
}

impl<'a> Test<'a> {
    fn new(base: &'a str, b: &'a Value, sensitive: bool) -> Result<Test<'a>, PsError> {
        Ok(match base {
            "eq" | "ne" => Test::Equal(b, base == "eq", sensitive),
            "like" | "notlike" => {
                Test::Pattern(wildcard(&text(b), sensitive)?, base == "like", false)
            }
            "match" | "notmatch" => Test::Pattern(
                pattern(&text(b), sensitive)?,
                base == "match",
                base == "match",
            ),
            order => Test::Order(order, b, sensitive),
        })
    }

    /// Whether it holds for `a`, and the `$Matches` a `-match` sets.
    fn holds(&self, a: &Value) -> (bool, Option<Value>) {
        match self {
            Test::Equal(b, eq, sensitive) => (same(a, b, *sensitive) == *eq, None),
            Test::Order(op, b, sensitive) => (order(op, a, b, *sensitive), None),
            Test::Pattern(re, positive, captures) => {
                let s = text(a);
                if !*captures {
                    return (re.is_match(&s) == *positive, None);
                }
                match re.captures(&s) {
                    Some(caps) => (true, Some(matches_table(re, &caps))),
                    None => (false, None),
                }
            }
        }
    }
}

/// `-lt -gt -le -ge`: a DateTime by time, a string on the left by text
/// (case-insensitive unless `-c…`; so `'10' -gt '9'` is false, as in
/// PowerShell), anything else by number.
fn order(op: &str, a: &Value, b: &Value, sensitive: bool) -> bool {
    let ordering = if a.get(DATETIME_KEY).is_some() || b.get(DATETIME_KEY).is_some() {
        sort_text(a).cmp(&sort_text(b))
    } else if a.is_string() {
        let (x, y) = (text(a), text(b));
        if sensitive {
            x.cmp(&y)
        } else {
            x.to_lowercase().cmp(&y.to_lowercase())
        }
    } else {
        number(a).total_cmp(&number(b))
    };
    match op {
        "lt" => ordering.is_lt(),
        "gt" => ordering.is_gt(),
        "le" => ordering.is_le(),
        _ => ordering.is_ge(),
    }
}

/// `$Matches`: a hashtable of the whole match (key 0) and each group that
/// took part, by number or by name.
fn matches_table(re: &Regex, caps: &regex::Captures) -> Value {
    let mut table = Map::new();
    table.insert(HASHTABLE_KEY.into(), json!(true));
    // .NET numbers the unnamed groups first, in order; named ones go by name.
    let mut number = 0;
    for (i, name) in re.capture_names().enumerate() {
        let key = match name {
            Some(name) => name.to_string(),
            None => {
                number += 1;
                (number - 1).to_string()
            }
        };
        if let Some(m) = caps.get(i) {
            table.insert(key, json!(m.as_str()));
        }
    }
    Value::Object(table)
}

/// A .NET-style regular expression, case-insensitive unless `sensitive`.
pub fn pattern(source: &str, sensitive: bool) -> Result<Regex, PsError> {
    RegexBuilder::new(source)
        .case_insensitive(!sensitive)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .build()
        .map_err(|e| {
            let why = match e {
                regex::Error::CompiledTooBig(_) => {
                    "it is too big for the simulator's regex budget".to_string()
                }
                regex::Error::Syntax(s)
                    if s.contains("look-around") || s.contains("backreferences") =>
                {
                    "the simulator's regex engine has no lookaround or backreferences (.NET has)"
                        .to_string()
                }
                other => other
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .to_string(),
            };
            PsError::new(format!(
                "The regular expression pattern {source} is not valid: {why}"
            ))
        })
}

/// A PowerShell wildcard pattern as an anchored regex: `*` any text, `?`
/// one character, `[abc]`/`[a-z]` a set, a backtick escapes the next
/// character. An unclosed `[` is an error, as WildcardPattern gives it.
pub fn wildcard(source: &str, sensitive: bool) -> Result<Regex, PsError> {
    let invalid = || {
        PsError::new(format!(
            "The specified wildcard character pattern is not valid: {source}"
        ))
    };
    let mut re = String::from("^(?s:");
    let mut chars = source.chars();
    let escaped = |c: char| format!("\\x{{{:X}}}", u32::from(c));
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '`' => re.push_str(&escaped(chars.next().unwrap_or('`'))),
            '[' => {
                re.push('[');
                let mut closed = false;
                let mut members = 0;
                while let Some(m) = chars.next() {
                    match m {
                        ']' if members > 0 => {
                            closed = true;
                            break;
                        }
                        '`' => re.push_str(&escaped(chars.next().ok_or_else(invalid)?)),
                        // A range between two members (`a-z`); a dash at an end is itself.
                        '-' if members > 0 && chars.clone().next().is_some_and(|n| n != ']') => {
                            re.push('-')
                        }
                        m => re.push_str(&escaped(m)),
                    }
                    members += 1;
                }
                if !closed {
                    return Err(invalid());
                }
                re.push(']');
            }
            c => re.push_str(&escaped(c)),
        }
    }
    re.push_str(")$");
    pattern(&re, sensitive).map_err(|_| invalid())
}

/// `-replace`: the right side is the pattern and the replacement
/// (`'a', 'b'`), or the pattern alone (replaced by nothing). An array on the
/// left is replaced in each element. The result stays within the string budget.
fn replace(a: &Value, b: &Value, sensitive: bool) -> Result<Value, PsError> {
    let (source, with) = match b {
        Value::Array(pair) if pair.len() <= 2 && !pair.is_empty() => {
            (text(&pair[0]), pair.get(1).map(text).unwrap_or_default())
        }
        Value::Array(_) => {
            return Err(PsError::new(
                "The -replace operator allows only two elements to follow it, not more",
            ))
        }
        one => (text(one), String::new()),
    };
    let re = pattern(&source, sensitive)?;
    match a {
        Value::Array(list) => {
            let mut out = Vec::with_capacity(list.len());
            let mut total = 0usize;
            for x in list {
                let s = substitute(&re, &text(x), &with)?;
                total = total.saturating_add(s.len());
                fits_string(total)?;
                out.push(Value::String(s));
            }
            Ok(Value::Array(out))
        }
        one => Ok(Value::String(substitute(&re, &text(one), &with)?)),
    }
}

/// Replaces every match of `re` in `s` by `with`, expanded as .NET does:
/// `$0`/`$&` the match, `$1`… a group, `${name}` a named group, `$$` a `$`.
fn substitute(re: &Regex, s: &str, with: &str) -> Result<String, PsError> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let whole = caps.get(0).expect("a match has group 0");
        out.push_str(&s[last..whole.start()]);
        expand(&caps, with, &mut out);
        last = whole.end();
        // Checked as it grows: an empty pattern in a long text, replaced by
        // a long text, would otherwise build far past the budget first.
        if out.len() > MAX_STRING_BYTES {
            fits_string(out.len())?;
        }
    }
    out.push_str(&s[last..]);
    fits_string(out.len())?;
    Ok(out)
}

fn expand(caps: &regex::Captures, with: &str, out: &mut String) {
    let mut rest = with;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if let Some(more) = after.strip_prefix('$') {
            out.push('$');
            rest = more;
        } else if let Some(more) = after.strip_prefix('&') {
            out.push_str(caps.get(0).map_or("", |m| m.as_str()));
            rest = more;
        } else if digits > 0 {
            // .NET takes the longest number that names a group.
            let n = (1..=digits)
                .rev()
                .find(|&k| after[..k].parse::<usize>().is_ok_and(|g| g < caps.len()))
                .unwrap_or(0);
            match after[..n.max(1)].parse::<usize>().ok().filter(|_| n > 0) {
                Some(g) => {
                    out.push_str(caps.get(g).map_or("", |m| m.as_str()));
                    rest = &after[n..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else if let Some(name) = after
            .strip_prefix('{')
            .and_then(|t| t.split_once('}'))
            .map(|(name, _)| name)
            .filter(|name| caps.name(name).is_some() || name.parse::<usize>().is_ok())
        {
            let value = match name.parse::<usize>() {
                Ok(g) => caps.get(g),
                Err(_) => caps.name(name),
            };
            out.push_str(value.map_or("", |m| m.as_str()));
            rest = &after[name.len() + 2..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(a: Value, o: &str, b: Value) -> Value {
        compare(o, a, b)
            .map(|r| r.value)
            .unwrap_or_else(|e| json!(e.message))
    }

    #[test]
    fn like_uses_wildcards_case_insensitively() {
        assert_eq!(op(json!("disk-01"), "like", json!("disk-*")), json!(true));
        assert_eq!(op(json!("DISK-01"), "like", json!("disk-??")), json!(true));
        assert_eq!(op(json!("disk-01"), "like", json!("disk-?")), json!(false));
        assert_eq!(op(json!("disk-01"), "like", json!("disk")), json!(false));
        assert_eq!(
            op(json!("disk-b"), "like", json!("disk-[abc]")),
            json!(true)
        );
        assert_eq!(
            op(json!("disk-d"), "like", json!("disk-[abc]")),
            json!(false)
        );
        assert_eq!(
            op(json!("disk-q"), "like", json!("disk-[a-z]")),
            json!(true)
        );
        assert_eq!(
            op(json!("disk-7"), "like", json!("disk-[a-z]")),
            json!(false)
        );
        assert_eq!(op(json!("a*b"), "like", json!("a`*b")), json!(true));
        assert_eq!(op(json!("axb"), "like", json!("a`*b")), json!(false));
        assert_eq!(op(json!("a.b"), "like", json!("a.b")), json!(true));
        assert_eq!(op(json!("axb"), "like", json!("a.b")), json!(false));
        assert_eq!(op(json!("line\nnext"), "like", json!("line*")), json!(true));
        assert_eq!(op(json!("Disk"), "clike", json!("disk")), json!(false));
        assert_eq!(op(json!("Disk"), "ilike", json!("disk")), json!(true));
        assert_eq!(op(json!("disk-01"), "notlike", json!("snap*")), json!(true));
        assert_eq!(op(Value::Null, "like", json!("*")), json!(true));
        assert_eq!(
            op(json!("x"), "like", json!("[ab")),
            json!("The specified wildcard character pattern is not valid: [ab")
        );
    }

    #[test]
    fn match_sets_matches_and_arrays_filter() {
        let r = compare(
            "match",
            json!("snap-2024-05"),
            json!(r"(?<year>\d{4})-(\d+)"),
        )
        .unwrap();
        assert_eq!(r.value, json!(true));
        assert_eq!(
            r.matches,
            Some(json!({"@hashtable": true, "0": "2024-05", "1": "05", "year": "2024"}))
        );
        let miss = compare("match", json!("disk"), json!("^snap")).unwrap();
        assert_eq!((miss.value, miss.matches), (json!(false), None));
        assert_eq!(op(json!("SNAP"), "match", json!("^snap$")), json!(true));
        assert_eq!(op(json!("SNAP"), "cmatch", json!("^snap$")), json!(false));
        assert_eq!(op(json!("disk"), "notmatch", json!("^snap")), json!(true));
        let names = json!(["disk-a", "snap-b", "disk-c"]);
        assert_eq!(
            op(names.clone(), "like", json!("disk*")),
            json!(["disk-a", "disk-c"])
        );
        assert_eq!(
            op(names.clone(), "notmatch", json!("^disk")),
            json!(["snap-b"])
        );
        let filtered = compare("match", names.clone(), json!("b$")).unwrap();
        assert_eq!(
            (filtered.value, filtered.matches),
            (json!(["snap-b"]), None)
        );
        assert_eq!(op(json!([1, 2, 3, 2]), "eq", json!(2)), json!([2, 2]));
        assert_eq!(op(json!([1, 2, 3]), "gt", json!(1)), json!([2, 3]));
        assert_eq!(op(json!([1, 2, 3]), "ne", json!(2)), json!([1, 3]));
        assert_eq!(op(json!(["b", "a"]), "lt", json!("b")), json!(["a"]));
        assert!(op(json!("x"), "match", json!("(?=x)"))
            .as_str()
            .unwrap()
            .contains("no lookaround"));
    }

    #[test]
    fn membership_and_replace() {
        let list = json!(["Standard_LRS", "Premium_LRS"]);
        assert_eq!(
            op(list.clone(), "contains", json!("premium_lrs")),
            json!(true)
        );
        assert_eq!(
            op(list.clone(), "ccontains", json!("premium_lrs")),
            json!(false)
        );
        assert_eq!(
            op(list.clone(), "notcontains", json!("UltraSSD_LRS")),
            json!(true)
        );
        assert_eq!(op(json!("standard_lrs"), "in", list.clone()), json!(true));
        assert_eq!(
            op(json!("UltraSSD_LRS"), "notin", list.clone()),
            json!(true)
        );
        assert_eq!(op(json!(4), "in", json!([1, "4"])), json!(true));
        assert_eq!(
            op(
                json!("disk-01"),
                "replace",
                json!(["^disk-(\\d+)$", "snap-$1-copy"])
            ),
            json!("snap-01-copy")
        );
        assert_eq!(
            op(json!("DISK"), "replace", json!(["disk", "x"])),
            json!("x")
        );
        assert_eq!(
            op(json!("DISK"), "creplace", json!(["disk", "x"])),
            json!("DISK")
        );
        assert_eq!(op(json!("a-b"), "replace", json!("-")), json!("ab"));
        assert_eq!(
            op(
                json!("ab"),
                "replace",
                json!(["(a)(b)", "$2$1$$ $& ${1} $9"])
            ),
            json!("ba$ ab a $9")
        );
        assert_eq!(
            op(json!(["a1", "b2"]), "replace", json!(["\\d", ""])),
            json!(["a", "b"])
        );
    }

    #[test]
    fn hostile_patterns_and_texts_stay_within_the_budgets() {
        let huge = "a".repeat(MAX_STRING_BYTES / 2);
        let err = op(json!(huge.clone()), "replace", json!(["", huge.clone()]));
        assert!(err.as_str().unwrap().contains("limit"), "{err}");
        let nested = format!("{}x", "(a*)*".repeat(20));
        assert_eq!(
            op(json!("a".repeat(50_000)), "match", json!(nested)),
            json!(false)
        );
        let big = "x{1000}".repeat(2000);
        assert!(op(json!("x"), "match", json!(big))
            .as_str()
            .unwrap()
            .contains("too big"));
        assert_eq!(op(json!(huge), "like", json!("*a*a*a*b")), json!(false));
    }
}
