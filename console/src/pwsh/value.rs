//! PowerShell's values as the simulator holds them (JSON values with a few
//! `@` markers for .NET types JSON lacks) and what PowerShell does with them:
//! truth, text, comparison, `+ - * /`, property access, and the size budget
//! every value a script builds is checked against.

use serde_json::{json, Value};
use snaplab_engine::EngineError;

/// A PowerShell error: the cmdlet and what Azure said. `halts` ends the
/// whole script (a limit reached, or Stop pressed), as a terminating error does.
///
/// `non_terminating` marks what a cmdlet reports about its own work (Azure
/// refused, a resource is missing) without `-ErrorAction Stop`: PowerShell
/// writes it and goes on, so `try` does not catch it. Every other error (a
/// binding error, a runtime error, `-ErrorAction Stop`) terminates the
/// statement and is what `catch` gets.
#[derive(Debug)]
pub struct PsError {
    pub message: String,
    pub halts: bool,
    pub non_terminating: bool,
}

impl PsError {
    pub fn new(message: impl Into<String>) -> PsError {
        PsError {
            message: message.into(),
            halts: false,
            non_terminating: false,
        }
    }

    pub fn halt(message: impl Into<String>) -> PsError {
        PsError {
            message: message.into(),
            halts: true,
            non_terminating: false,
        }
    }

    /// `$_` in a `catch` block: an ErrorRecord, whose text is its
    /// exception's message (the cmdlet's name left out, as
    /// `$_.Exception.Message` has it).
    pub fn record(&self) -> Value {
        let message = match self.message.split_once(": ") {
            Some((cmdlet, rest)) if cmdlet.contains('-') && !cmdlet.contains(' ') => rest,
            _ => self.message.as_str(),
        };
        json!({
            ERROR_RECORD_KEY: message,
            "Exception": {"Message": message},
            "FullyQualifiedErrorId": message.lines().next().unwrap_or_default(),
        })
    }

    pub fn engine(cmdlet: &str, e: &EngineError) -> PsError {
        PsError::new(format!(
            "{cmdlet}: {e}\nErrorCode: {}\nErrorMessage: {e}",
            e.code()
        ))
    }
}

pub fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

/// Where an ErrorRecord (`$_` in `catch`) keeps its text.
pub const ERROR_RECORD_KEY: &str = "@error";

pub fn text(v: &Value) -> String {
    match v {
        Value::Object(o) if o.contains_key(ERROR_RECORD_KEY) => text(&o[ERROR_RECORD_KEY]),
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| format!("{}", f as i64))
            .unwrap_or_else(|| n.to_string()),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(" "),
        Value::Object(o) if o.contains_key(DATETIME_KEY) => en_us_datetime(v),
        Value::Object(o) => get_ci(v, "Name").map(text).unwrap_or_else(|| {
            format!("@{{{}}}", o.keys().cloned().collect::<Vec<_>>().join("; "))
        }),
    }
}

/// Where an object made by Select-Object keeps the order its properties
/// were picked in (JSON objects here are sorted by key; PowerShell's keep
/// their order).
pub const ORDER_KEY: &str = "@order";

/// A .NET `DateTime` (`TimeCreated`): kept as its ISO 8601 text, so it
/// sorts and compares by time, and printed as PowerShell prints a DateTime
/// in the en-US culture (`11/23/2026 9:05:00 AM`).
pub const DATETIME_KEY: &str = "@datetime";

pub fn datetime(iso: &str) -> Value {
    json!({ DATETIME_KEY: iso })
}

/// `M/d/yyyy h:mm:ss tt`, the en-US general date/time pattern.
pub fn en_us_datetime(v: &Value) -> String {
    let iso = v
        .get(DATETIME_KEY)
        .and_then(Value::as_str)
        .unwrap_or_default();
    let num = |range: std::ops::Range<usize>| -> u32 {
        iso.get(range).and_then(|t| t.parse().ok()).unwrap_or(0)
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let (h12, tt) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!("{month}/{day}/{year} {h12}:{minute:02}:{second:02} {tt}")
}

/// The key a value sorts and compares by: a DateTime by its time.
pub fn sort_text(v: &Value) -> String {
    match v.get(DATETIME_KEY).and_then(Value::as_str) {
        Some(iso) => iso.to_string(),
        None => text(v).to_lowercase(),
    }
}

/// Marks a JSON object as a PowerShell hashtable (`@{…}`), which prints as
/// a Name/Value table and whose entries are its keys (not shown as one).
pub const HASHTABLE_KEY: &str = "@hashtable";

/// A hashtable's entries, without the marker.
pub fn hashtable_entries(v: &Value) -> Vec<(String, Value)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != HASHTABLE_KEY)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "System.String",
        Value::Number(_) => "System.Double",
        Value::Bool(_) => "System.Boolean",
        Value::Object(_) => "System.Management.Automation.PSCustomObject",
        _ => "System.Object",
    }
}

/// PowerShell's `+`: the left operand decides. A string concatenates the
/// right one's text, an array appends (an array on the right adds its
/// items), a number adds. What it would build is weighed first.
pub fn add(a: Value, b: Value) -> Result<Value, PsError> {
    Ok(match a {
        Value::String(s) => {
            let right = text(&b);
            fits_string(s.len().saturating_add(right.len()))?;
            Value::String(s + &right)
        }
        Value::Array(mut items) => {
            let left = weigh(&items, MAX_VALUE_BYTES);
            weigh_within(left, &b)?;
            match b {
                Value::Array(more) => items.extend(more),
                one => items.push(one),
            }
            Value::Array(items)
        }
        Value::Null => b,
        a => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x
                .checked_add(y)
                .map_or(json!(x as f64 + y as f64), |n| json!(n)),
            _ => json!(number(&a) + number(&b)),
        },
    })
}

/// PowerShell's `*`: a string or an array on the left repeats that many
/// times (`'ab' * 3`); numbers multiply. The repeat is weighed before it is
/// built, so `'x' * 1e12` is refused, not attempted.
pub fn multiply(a: &Value, b: &Value) -> Result<Value, PsError> {
    let times = || -> usize {
        // PowerShell converts the count to [int]: rounding half to even.
        let n = number(b).round_ties_even();
        if n > 0.0 {
            n.min(usize::MAX as f64) as usize
        } else {
            0
        }
    };
    Ok(match a {
        Value::String(s) => {
            let n = times();
            fits_string(s.len().saturating_mul(n))?;
            Value::String(s.repeat(n))
        }
        Value::Array(items) => {
            let n = times();
            let one = weigh(items, MAX_VALUE_BYTES);
            if one.saturating_mul(n) > MAX_VALUE_BYTES {
                return Err(too_big("an array", MAX_VALUE_BYTES));
            }
            Value::Array(std::iter::repeat_n(items, n).flatten().cloned().collect())
        }
        _ => arithmetic("*", a, b)?,
    })
}

/// `-`, `*`, `/` on numbers; whole numbers stay whole while they can.
pub fn arithmetic(op: &str, a: &Value, b: &Value) -> Result<Value, PsError> {
    let (x, y) = (number(a), number(b));
    if op == "/" && y == 0.0 {
        return Err(PsError::new(
            "RuntimeException: Attempted to divide by zero.",
        ));
    }
    let value = match op {
        "-" => x - y,
        "*" => x * y,
        _ => x / y,
    };
    Ok(if value.fract() == 0.0 && value.abs() < 9e15 {
        json!(value as i64)
    } else {
        json!(value)
    })
}

pub fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.parse().unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), _) | (_, Value::Number(_)) => number(a) == number(b),
        (Value::Null, Value::Null) => true,
        // PowerShell compares strings case-insensitively.
        _ => text(a).eq_ignore_ascii_case(&text(b)),
    }
}

/// The property's name as the object spells it (`name` → `Name`).
pub fn pascal_key(item: &Value, name: &str) -> String {
    item.as_object()
        .and_then(|m| m.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned())
        .unwrap_or_else(|| name.to_string())
}

/// `$x.Name`: an object's property (any case); `.Count` and `.Length` of
/// an array and `.Length` of a string, as .NET gives them; a property of
/// an array is that property of each item (member enumeration).
pub fn property(v: &Value, name: &str) -> Value {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    match v {
        Value::Array(items) if is("count") || is("length") => json!(items.len()),
        Value::String(s) if is("length") => json!(s.chars().count()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| property(item, name))
                .filter(|p| !p.is_null())
                .collect(),
        ),
        Value::Null if is("count") => json!(0),
        Value::Object(m) if m.contains_key(HASHTABLE_KEY) && is("count") => {
            json!(m.len() - 1)
        }
        Value::Object(m) if m.contains_key(HASHTABLE_KEY) && is("keys") => Value::Array(
            hashtable_entries(v)
                .into_iter()
                .map(|(k, _)| Value::String(k))
                .collect(),
        ),
        _ => get_ci(v, name).cloned().unwrap_or(Value::Null),
    }
}

// The budgets: the shell's, so both shells stop a script at the same point.
use crate::shell::eval::{MAX_CALL_DEPTH, MAX_STEPS as SHELL_STEPS, MAX_VAR_BYTES};

/// Statements one run may execute (loop turns included).
pub const MAX_STEPS: usize = SHELL_STEPS;

/// Lines and bytes one run may print: the transcript's, the same for both
/// shells (lines alone do not bound it: a loop printing a 1 MiB string).
pub use crate::transcript::{MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES};

/// The most one string may hold: what a bash variable may, so both shells
/// refuse the same doubling loop at the same size.
pub const MAX_STRING_BYTES: usize = MAX_VAR_BYTES;

/// The most one array, hashtable or object may weigh: sixteen strings'
/// worth, room for thousands of Az objects, far below what a machine holds.
pub const MAX_VALUE_BYTES: usize = 16 * MAX_STRING_BYTES;

/// How deep values may nest (`$a = @($a)` in a loop): the shell's call
/// depth; Az objects nest three or four levels.
pub const MAX_VALUE_DEPTH: usize = MAX_CALL_DEPTH;

/// The error a value past its budget ends the script with. PowerShell
/// would go on until memory ran out; the simulator stops first, and says so.
pub fn too_big(what: &str, limit: usize) -> PsError {
    PsError::halt(format!(
        "OutOfMemoryException: {what} would hold more than {} MiB (simulated: the simulator's size limit; PowerShell would go on until memory ran out). The script was stopped.",
        limit >> 20
    ))
}

/// Refuses a string of `len` bytes before it is built.
pub fn fits_string(len: usize) -> Result<(), PsError> {
    if len > MAX_STRING_BYTES {
        return Err(too_big("a string", MAX_STRING_BYTES));
    }
    Ok(())
}

/// Roughly the bytes `items` take in memory: each JSON value's own 32
/// bytes and the text it points to. Stops counting once past `limit`, so
/// weighing a huge value costs no more than weighing the budget.
pub fn weigh(items: &[Value], limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack: Vec<&Value> = items.iter().collect();
    while let Some(v) = stack.pop() {
        total += 32;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(a) => stack.extend(a),
            Value::Object(m) => {
                for (k, x) in m {
                    total += 32 + k.len();
                    stack.push(x);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

/// How deep `v` nests (a scalar is 0), counting no further than `limit + 1`.
pub fn depth(v: &Value, limit: usize) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        if deepest > limit {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(m) => stack.extend(m.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Adds `more` to a value already weighing `sum`: the new weight, or the
/// budget error if the two together would be too big or too deep.
pub fn weigh_within(sum: usize, more: &Value) -> Result<usize, PsError> {
    let total = sum.saturating_add(weigh(std::slice::from_ref(more), MAX_VALUE_BYTES));
    if total > MAX_VALUE_BYTES {
        return Err(too_big("a value", MAX_VALUE_BYTES));
    }
    if depth(more, MAX_VALUE_DEPTH) >= MAX_VALUE_DEPTH {
        return Err(PsError::halt(format!(
            "The script was stopped: values nest more than {MAX_VALUE_DEPTH} levels deep (simulated: the simulator's nesting limit)."
        )));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighing_counts_each_value_and_its_text_and_stops_past_the_limit() {
        assert_eq!(weigh(&[json!("abcd")], usize::MAX), 36);
        assert_eq!(weigh(&[json!([1, 2])], usize::MAX), 96);
        assert_eq!(weigh(&[json!({"ab": 1})], usize::MAX), 32 + 34 + 32);
        // A huge array is weighed only until it is over the limit.
        let many = vec![json!(1); 1_000];
        assert_eq!(weigh(&many, 100), 128);
        assert_eq!(depth(&json!([[[1]]]), 64), 3);
        assert_eq!(depth(&json!(1), 64), 0);
    }

    #[test]
    fn add_and_multiply_build_what_powershell_builds_within_budget() {
        assert_eq!(add(json!("a"), json!(1)).ok(), Some(json!("a1")));
        assert_eq!(add(json!([1]), json!([2, 3])).ok(), Some(json!([1, 2, 3])));
        assert_eq!(add(json!(2), json!(3)).ok(), Some(json!(5)));
        assert_eq!(multiply(&json!("ab"), &json!(2)).ok(), Some(json!("abab")));
        assert_eq!(
            multiply(&json!("ab"), &json!(2.5)).ok(),
            Some(json!("abab"))
        );
        assert_eq!(
            multiply(&json!([1, 2]), &json!(2)).ok(),
            Some(json!([1, 2, 1, 2]))
        );
        assert_eq!(multiply(&json!(3), &json!(4)).ok(), Some(json!(12)));
        let mib = json!("x".repeat(MAX_STRING_BYTES));
        assert!(add(mib.clone(), json!("")).is_ok());
        let e = add(mib.clone(), json!("y")).err().unwrap();
        assert!(e.halts && e.message.contains("a string would hold more than 1 MiB"));
        assert!(multiply(&json!("xy"), &json!(MAX_STRING_BYTES / 2)).is_ok());
        assert!(multiply(&json!("xy"), &json!(MAX_STRING_BYTES / 2 + 1)).is_err());
        assert!(multiply(&json!([1]), &json!(1e300)).is_err());
    }
}
