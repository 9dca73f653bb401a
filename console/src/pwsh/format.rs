//! How objects print: `Format-List` (the default for an Az object),
//! `Format-Table`, and a hashtable's Name/Value table.

use serde_json::Value;

use super::value::{
    get_ci, hashtable_entries, pascal_key, property, text, too_big, PsError, DATETIME_KEY,
    MAX_VALUE_BYTES, ORDER_KEY,
};

/// The properties an object shows, in its order: as picked, or sorted.
/// Keys starting with `@` are the simulator's own markers.
pub fn shown_keys(v: &Value) -> Vec<String> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    match map.get(ORDER_KEY).and_then(Value::as_array) {
        Some(order) => order.iter().map(text).collect(),
        None => map
            .keys()
            .filter(|k| !k.starts_with('@'))
            .cloned()
            .collect(),
    }
}

/// An object as Format-List prints it; nested objects by their type name.
pub fn format_list(v: &Value) -> Vec<String> {
    let Some(map) = v.as_object() else {
        return vec![text(v)];
    };
    let keys = shown_keys(v);
    let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut lines = vec![String::new()];
    for k in &keys {
        let val = map.get(k).unwrap_or(&Value::Null);
        let shown = match val {
            Value::Object(o) if o.contains_key(DATETIME_KEY) => text(val),
            // An empty dictionary (Tags): PowerShell prints its braces.
            Value::Object(o) if o.is_empty() => "{}".to_string(),
            Value::Object(_) => get_ci(val, "@type")
                .map(text)
                .unwrap_or_else(|| format!("Microsoft.Azure.Management.Compute.Models.{k}")),
            other => text(other),
        };
        lines.push(format!("{k:<width$} : {shown}"));
    }
    lines.push(String::new());
    lines
}

/// A hashtable as PowerShell prints it: `Name` (30 wide) and `Value`.
pub fn format_hashtable(v: &Value) -> Vec<String> {
    let mut lines = vec![
        String::new(),
        format!("{:<30} {}", "Name", "Value"),
        format!("{:<30} {}", "----", "-----"),
    ];
    for (k, val) in hashtable_entries(v) {
        lines.push(format!("{k:<30} {}", text(&val)).trim_end().to_string());
    }
    lines.push(String::new());
    lines
}

/// `Format-Table`: a blank line, the headers, dashes as long as each
/// header, one row per item (numbers right-aligned), and a blank line.
/// Its size is known from the widths before it is built, and weighed then:
/// one wide cell pads every row.
pub fn format_table(items: &[Value], names: &[String]) -> Result<String, PsError> {
    let columns: Vec<String> = if names.is_empty() {
        items.first().map(shown_keys).unwrap_or_default()
    } else {
        names
            .iter()
            .map(|n| items.first().map_or(n.clone(), |i| pascal_key(i, n)))
            .collect()
    };
    if columns.is_empty() {
        return Ok(items.iter().map(text).collect::<Vec<_>>().join("\n"));
    }
    let cells: Vec<Vec<(String, bool)>> = items
        .iter()
        .map(|i| {
            columns
                .iter()
                .map(|c| {
                    let v = property(i, c);
                    (text(&v), v.is_number())
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(c, h)| {
            cells
                .iter()
                .map(|r| r[c].0.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..columns.len())
        .map(|c| !cells.is_empty() && cells.iter().all(|r| r[c].1))
        .collect();
    let row_bytes = widths.iter().map(|w| w + 1).sum::<usize>();
    if row_bytes.saturating_mul(cells.len() + 2) > MAX_VALUE_BYTES {
        return Err(too_big("a table", MAX_VALUE_BYTES));
    }
    let pad = |s: &str, w: usize, right: bool| {
        let fill = " ".repeat(w.saturating_sub(s.chars().count()));
        if right {
            fill + s
        } else {
            s.to_string() + &fill
        }
    };
    let row = |parts: Vec<String>| parts.join(" ").trim_end().to_string();
    let mut lines = vec![String::new()];
    lines.push(row(columns
        .iter()
        .enumerate()
        .map(|(c, h)| pad(h, widths[c], numeric[c]))
        .collect()));
    lines.push(row(columns
        .iter()
        .enumerate()
        .map(|(c, h)| pad(&"-".repeat(h.chars().count()), widths[c], numeric[c]))
        .collect()));
    for r in &cells {
        lines.push(row(r
            .iter()
            .enumerate()
            .map(|(c, (v, _))| pad(v, widths[c], numeric[c]))
            .collect()));
    }
    lines.push(String::new());
    Ok(lines.join("\n"))
}
