//! JSON as Resource Manager reads it: templates may carry comments (`//`
//! and `/* */`, "JSON with comments", which az and Bicep write), and az
//! sends a template file's text into a deployment body unchanged, after an
//! unquoted `template:` key (azure-cli 2.91.0's `JSONCTemplatePolicy`).
//! ARM's reader takes both, and trailing commas and single-quoted strings
//! too; this turns such text into strict JSON for serde, in one pass (time
//! and memory linear in the text), never changing what is inside a string.

use serde_json::Value;

/// Parses relaxed JSON: comments, unquoted property names, single-quoted
/// strings and trailing commas are accepted.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&strict(text))
}

/// The same text as strict JSON (what serde reads).
pub fn strict(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => i = string(&chars, i, &mut out),
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            ',' => {
                // A comma followed (past blanks and comments) by `}` or `]` is dropped.
                if !next_closes(&chars, i + 1) {
                    out.push(',');
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '-'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // A bare word before a colon is a property name; true, false,
                // null and numbers' exponents stay as they are.
                if followed_by_colon(&chars, i) {
                    out.push('"');
                    out.push_str(&word);
                    out.push('"');
                } else {
                    out.push_str(&word);
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Copies the string starting at `start` (its quote `"` or `'`) as a
/// double-quoted JSON string; returns where it ends.
fn string(chars: &[char], start: usize, out: &mut String) -> usize {
    let quote = chars[start];
    out.push('"');
    let mut i = start + 1;
    while i < chars.len() && chars[i] != quote {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                // An escaped single quote needs no escape in a JSON string.
                if chars[i + 1] == '\'' {
                    out.push('\'');
                } else {
                    out.push('\\');
                    out.push(chars[i + 1]);
                }
                i += 2;
            }
            '"' => {
                out.push_str("\\\"");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out.push('"');
    i + 1
}

fn skip_blank_and_comments(chars: &[char], mut i: usize) -> usize {
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        match (chars.get(i), chars.get(i + 1)) {
            (Some('/'), Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            (Some('/'), Some('*')) => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => return i,
        }
    }
}

fn next_closes(chars: &[char], i: usize) -> bool {
    matches!(
        chars.get(skip_blank_and_comments(chars, i)),
        Some('}' | ']')
    )
}

fn followed_by_colon(chars: &[char], i: usize) -> bool {
    chars.get(skip_blank_and_comments(chars, i)) == Some(&':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_arm_reads_and_serde_does_not() {
        let text = r#"{"properties": {"mode": "Incremental", template:{
            // a comment
            "parameters": { "a": { "type": 'string', "defaultValue": "x // not a comment" } },
            /* a block
               comment */
            "resources": [1, 2, ],
            "outputs": { "o": { "value": "[concat('a', 'b')]" }, },
        }}}"#;
        assert_eq!(
            parse(text).unwrap(),
            json!({"properties": {"mode": "Incremental", "template": {
                "parameters": { "a": { "type": "string", "defaultValue": "x // not a comment" } },
                "resources": [1, 2],
                "outputs": { "o": { "value": "[concat('a', 'b')]" } }
            }}})
        );
    }

    #[test]
    fn strict_json_is_read_as_it_is() {
        let text = r#"{"a": [true, false, null, -1.5e3, "t:\"q\""], "b": {}}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        assert!(parse("{a: }").is_err());
        assert!(parse("{\"unterminated").is_err());
    }
}
