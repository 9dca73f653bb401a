//! Output formats as `az` prints them: `-o json|jsonc|table|tsv|yaml|none`.
//! Table and TSV follow knack (the CLI framework under az): top-level scalar
//! fields only, `id`/`type`/`etag` skipped from tables, keys sorted, column
//! names with their first letter capitalised, Python's spelling of booleans.

use serde_json::Value;

mod python;
mod yaml;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonc,
    Table,
    Tsv,
    Yaml,
    None,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "json" => Format::Json,
            "jsonc" => Format::Jsonc,
            "table" => Format::Table,
            "tsv" => Format::Tsv,
            "yaml" | "yamlc" => Format::Yaml,
            "none" => Format::None,
            _ => return None,
        })
    }
    pub const NAMES: [&'static str; 6] = ["json", "jsonc", "table", "tsv", "yaml", "none"];
}

/// Renders `value` in `format`, with a trailing newline unless empty.
pub fn render(value: &Value, format: Format) -> String {
    render_ordered(value, format, None)
}

/// [`render`], with the keys of the result's objects in `order` where knack
/// keeps an order: a `--query` or table transformer's `{a: …, b: …}` makes
/// ordered dicts, whose table columns and TSV cells follow the query; a
/// plain result's keys are sorted. JSON and YAML always sort keys
/// (`json.dumps(sort_keys=True)`).
pub fn render_ordered(value: &Value, format: Format, order: Option<&[String]>) -> String {
    // knack's CLI.invoke formats no None result: az prints nothing, whatever
    // the format, with or without --query.
    if value.is_null() {
        return String::new();
    }
    // Each is the whole text knack prints, final newline included.
    match format {
        Format::Json | Format::Jsonc => python::json_dumps(value) + "\n",
        // tabulate's text, then knack's newline (an empty table is "\n").
        Format::Table => table(value, order) + "\n",
        Format::Tsv => tsv(value, order),
        Format::Yaml => yaml::safe_dump(value),
        Format::None => String::new(),
    }
}

/// A scalar as Python prints it (`True`, `None`, `100.0`).
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => python::number(n),
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn capitalise(key: &str) -> String {
    let mut chars = key.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// An object's keys: those in `order` first (as ordered), the rest sorted.
fn keys_of<'a>(
    map: &'a serde_json::Map<String, Value>,
    order: Option<&[String]>,
) -> Vec<&'a String> {
    let mut keys: Vec<&String> = Vec::new();
    if let Some(order) = order {
        for k in order {
            if let Some((key, _)) = map.get_key_value(k) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    let mut rest: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
    rest.sort();
    keys.extend(rest);
    keys
}

fn table(value: &Value, order: Option<&[String]>) -> String {
    const SKIP: [&str; 3] = ["id", "type", "etag"];
    let rows: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    };
    // Each row: its non-null scalar fields; a scalar row is one column named "Result".
    let mut columns: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<(String, String, bool)>> = Vec::new();
    for row in rows {
        let mut entry = Vec::new();
        match row {
            Value::Object(map) => {
                for k in keys_of(map, order) {
                    let v = &map[k];
                    if SKIP.contains(&k.as_str()) || v.is_null() || !is_scalar(v) {
                        continue;
                    }
                    entry.push((capitalise(k), scalar(v), v.is_number()));
                }
            }
            // knack keeps every item of a list row (nothing is filtered):
            // tabulate prints a None as an empty cell and a nested list or
            // object as Python's str() of it.
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let text = if is_scalar(v) {
                        scalar(v)
                    } else {
                        python::repr(v)
                    };
                    entry.push((format!("Column{}", i + 1), text, v.is_number()));
                }
            }
            v => entry.push(("Result".into(), scalar(v), v.is_number())),
        }
        for (name, _, _) in &entry {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
        cells.push(entry);
    }
    if columns.is_empty() {
        return String::new();
    }
    // tabulate strips the whitespace around every cell (PRESERVE_WHITESPACE
    // is off) before it measures the columns.
    for row in &mut cells {
        for (_, text, _) in row.iter_mut() {
            *text = text.trim().to_string();
        }
    }
    let value_of = |row: &Vec<(String, String, bool)>, col: &str| {
        row.iter()
            .find(|(n, _, _)| n == col)
            .map(|(_, v, num)| (v.clone(), *num))
    };
    // tabulate's "simple" format as knack calls it: a column is at least its
    // header plus MIN_PADDING (2) wide, and with disable_numparse=True every
    // cell, numbers included, is a left-aligned string.
    const MIN_PADDING: usize = 2;
    // A cell with line breaks is tabulate's multiline cell: its widest line
    // sets the column, and its row takes as many lines as its tallest cell.
    // In that mode a cell is str.splitlines(): an empty cell has no line,
    // so a row of empty cells takes none.
    let multiline = cells
        .iter()
        .flatten()
        .any(|(_, text, _)| text.contains('\n'));
    let cell_lines = |text: &str| -> Vec<String> {
        if multiline {
            text.lines().map(str::to_string).collect()
        } else {
            vec![text.to_string()]
        }
    };
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            cells
                .iter()
                .filter_map(|r| value_of(r, c))
                .flat_map(|(v, _)| cell_lines(&v))
                .map(|line| line.chars().count())
                .chain([c.chars().count() + MIN_PADDING])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let join_line = |parts: Vec<String>| {
        parts
            .iter()
            .zip(&widths)
            .map(|(text, w)| format!("{text:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut lines = vec![
        join_line(columns.clone()),
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    ];
    for row in &cells {
        let row_cells: Vec<Vec<String>> = columns
            .iter()
            .map(|c| cell_lines(&value_of(row, c).map(|(v, _)| v).unwrap_or_default()))
            .collect();
        let height = row_cells.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..height {
            lines.push(join_line(
                row_cells
                    .iter()
                    .map(|l| l.get(i).cloned().unwrap_or_default())
                    .collect(),
            ));
        }
    }
    lines.join("\n")
}

/// `-o tsv`, as knack's `_TsvOutput` writes it: one row per item of a list
/// (a single result is one row); a row of an object is its values sorted by
/// key, a row of a list is its items, tab-separated.
fn tsv(value: &Value, order: Option<&[String]>) -> String {
    let rows: Vec<&Value> = match value {
        Value::Null => return String::new(),
        Value::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    // Every row ends with a newline, an empty one too ({} prints "\n").
    rows.into_iter()
        .map(|row| tsv_row(row, order) + "\n")
        .collect()
}

/// knack's `_dump_row`.
fn tsv_row(row: &Value, order: Option<&[String]>) -> String {
    match row {
        Value::Object(map) => keys_of(map, order)
            .into_iter()
            .map(|k| tsv_cell(&map[k]))
            .collect::<Vec<_>>()
            .join("\t"),
        Value::Array(items) => items.iter().map(tsv_cell).collect::<Vec<_>>().join("\t"),
        // A boolean on a row of its own is lower case ("true"); in a cell it
        // is Python's str(bool) ("True").
        Value::Bool(b) => b.to_string(),
        v => tsv_cell(v),
    }
}

/// knack's `_dump_obj`: a nested list is its length and a nested object is
/// empty (so every row keeps its columns), null is `None`, and every other
/// value prints as Python's str() does.
fn tsv_cell(v: &Value) -> String {
    match v {
        Value::Array(items) => items.len().to_string(),
        Value::Object(_) => String::new(),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => python::number(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_shows_sorted_capitalised_scalar_columns_and_skips_id_type_and_nulls() {
        let rows = json!([
            { "name": "snap-1", "id": "/x", "type": "t", "diskSizeGB": 32, "incremental": true, "managedBy": null, "sku": {"name": "Standard_ZRS"} },
            { "name": "snap-22", "id": "/y", "type": "t", "diskSizeGB": 1024, "incremental": false, "managedBy": null, "sku": {"name": "Standard_LRS"} },
        ]);
        assert_eq!(
            render(&rows, Format::Table),
            // tabulate: each column at least its header + 2 wide; with
            // disable_numparse, numbers are left-aligned strings.
            "DiskSizeGB    Incremental    Name\n------------  -------------  -------\n32            True           snap-1\n1024          False          snap-22\n"
        );
    }

    // One test per rule of knack's _TsvOutput (knack/output.py).
    #[test]
    fn tsv_rule_a_boolean_row_is_lower_case_a_boolean_cell_is_not() {
        assert_eq!(render(&json!(true), Format::Tsv), "true\n");
        assert_eq!(render(&json!([false, true]), Format::Tsv), "false\ntrue\n");
        assert_eq!(render(&json!({"incremental": true}), Format::Tsv), "True\n");
        assert_eq!(
            render(&json!([[true, false]]), Format::Tsv),
            "True\tFalse\n"
        );
    }

    #[test]
    fn tsv_rule_null_in_a_row_is_none_and_a_null_result_prints_nothing() {
        assert_eq!(
            render(&json!({"a": null, "b": "x"}), Format::Tsv),
            "None\tx\n"
        );
        assert_eq!(render(&json!([null]), Format::Tsv), "None\n");
        assert_eq!(render(&json!(null), Format::Tsv), "");
    }

    #[test]
    fn tsv_rule_nested_lists_count_and_nested_objects_are_empty_columns() {
        assert_eq!(
            render(
                &json!([{"name": "d", "tags": {"k": "v"}, "zones": ["1", "2"]}]),
                Format::Tsv
            ),
            "d\t\t2\n"
        );
    }

    #[test]
    fn tsv_rule_object_rows_are_sorted_by_key_and_numbers_print_as_python_does() {
        assert_eq!(
            render(&json!({"b": 1, "a": 100.0}), Format::Tsv),
            "100.0\t1\n"
        );
    }

    #[test]
    fn tsv_prints_scalars_tab_separated_one_row_per_item() {
        assert_eq!(render(&json!([100.0]), Format::Tsv), "100.0\n");
        assert_eq!(
            render(
                &json!([{"b": 2, "a": "x", "c": {"d": 1}}, {"a": "y", "b": null}]),
                Format::Tsv
            ),
            // The nested object keeps its (empty) column; null is None.
            "x\t2\t\ny\tNone\n"
        );
        assert_eq!(
            render(&json!("/subscriptions/s/x"), Format::Tsv),
            "/subscriptions/s/x\n"
        );
    }

    #[test]
    fn json_is_pretty_with_two_spaces_and_none_prints_nothing() {
        assert_eq!(
            render(&json!({"a": [1, 2]}), Format::Json),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n"
        );
        assert_eq!(render(&json!({"a": 1}), Format::None), "");
    }

    // Rules the knack differential (tests/knack) found, one test each.
    #[test]
    fn a_none_result_prints_nothing_in_every_format() {
        for format in [Format::Json, Format::Table, Format::Tsv, Format::Yaml] {
            assert_eq!(render(&json!(null), format), "", "{format:?}");
        }
    }

    #[test]
    fn an_empty_table_is_knacks_newline_and_cells_are_stripped() {
        assert_eq!(render(&json!([]), Format::Table), "\n");
        assert_eq!(render(&json!({"tags": {}}), Format::Table), "\n");
        assert_eq!(
            render(&json!({"a": " padded "}), Format::Table),
            "A\n------\npadded\n"
        );
    }

    #[test]
    fn table_multiline_cells_span_lines_and_empty_rows_vanish() {
        assert_eq!(
            render(&json!(["", "line\nbreak"]), Format::Table),
            "Result\n--------\nline\nbreak\n"
        );
    }

    #[test]
    fn table_list_rows_keep_every_item_as_python_str() {
        assert_eq!(
            render(&json!([["d", null, ["1"], {"k": "it's"}]]), Format::Table),
            "Column1    Column2    Column3    Column4\n---------  ---------  ---------  -------------\nd                     ['1']      {'k': \"it's\"}\n"
        );
    }

    #[test]
    fn tsv_ends_every_row_even_an_empty_one() {
        assert_eq!(render(&json!({}), Format::Tsv), "\n");
        assert_eq!(render(&json!([]), Format::Tsv), "");
        assert_eq!(render(&json!([1.5e-7]), Format::Tsv), "1.5e-07\n");
    }

    #[test]
    fn yaml_quotes_what_yaml_reads_as_another_type_and_ends_plain_documents() {
        assert_eq!(
            render(
                &json!({"t": "2026-01-05T10:00:00.0000000+00:00", "z": ["2"], "y": "yes", "p": "(paren)", "e": "", "s": "a\tb"}),
                Format::Yaml
            ),
            "e: ''\np: (paren)\ns: \"a\\tb\"\nt: '2026-01-05T10:00:00.0000000+00:00'\ny: 'yes'\nz:\n- '2'\n"
        );
        assert_eq!(render(&json!(5), Format::Yaml), "5\n...\n");
        assert_eq!(render(&json!(1e16), Format::Yaml), "1.0e+16\n...\n");
        assert_eq!(render(&json!([[1, 2]]), Format::Yaml), "- - 1\n  - 2\n");
    }

    #[test]
    fn yaml_folds_long_plain_strings_at_80_columns() {
        let long = "word ".repeat(20).trim_end().to_string();
        assert_eq!(
            render(&json!({ "k": long }), Format::Yaml),
            // PyYAML breaks at the first space past column 80.
            format!(
                "k: {}\n  word word word word\n",
                "word ".repeat(16).trim_end()
            )
        );
    }

    #[test]
    fn yaml_nests_maps_and_lists() {
        assert_eq!(
            render(
                &json!({"name": "s1", "sku": {"name": "Standard_ZRS"}, "tags": {}, "list": [1, {"a": "b"}], "n": "100"}),
                Format::Yaml
            ),
            "list:\n- 1\n- a: b\nn: '100'\nname: s1\nsku:\n  name: Standard_ZRS\ntags: {}\n"
        );
    }
}
