//! The expressions `test`, `[` and `[[ ]]` evaluate: `!`, `-a`/`&&`,
//! `-o`/`||`, `( )`, string and integer comparisons, `-z`/`-n`, file tests;
//! in `[[ ]]`, `==` and `!=` match an unquoted right side as a glob pattern
//! (`*`, `?`, `[…]`) and `=~` as an extended regular expression.
//!
//! Each argument comes with whether it was quoted, since in `[[ ]]` a
//! quoted right side is literal.

/// Evaluates test's arguments: `!`, `-a`/`&&`, `-o`/`||`, `( )`, string
/// and integer comparisons, `-z`/`-n`. In `[[ ]]` (`extended`), `==` and `!=`
/// match an unquoted right side as a glob pattern.
pub fn test_expr(args: &[(String, bool)], extended: bool) -> Result<bool, String> {
    test_expr_full(args, extended).map(|(v, _)| v)
}

/// [`test_expr`], and the groups of the last `=~` that matched
/// (`BASH_REMATCH`: the whole match, then each group).
pub fn test_expr_full(
    args: &[(String, bool)],
    extended: bool,
) -> Result<(bool, Option<Vec<String>>), String> {
    let mut at = 0;
    let mut cx = Cx {
        ext: extended,
        depth: 0,
        rematch: None,
    };
    let value = test_or(args, &mut at, &mut cx)?;
    if at != args.len() {
        return Err(format!("unexpected '{}'", args[at].0));
    }
    Ok((value, cx.rematch))
}

/// `=~`: bash's extended regular expressions, through the linear-time
/// `regex` crate (with a capped compiled size).
fn regex_match(pattern: &str, text: &str, cx: &mut Cx) -> Result<bool, String> {
    let re = ::regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| format!("'{pattern}': invalid regular expression"))?;
    Ok(match re.captures(text) {
        Some(c) => {
            cx.rematch = Some(
                c.iter()
                    .map(|m| m.map_or(String::new(), |m| m.as_str().to_string()))
                    .collect(),
            );
            true
        }
        None => {
            cx.rematch = Some(Vec::new());
            false
        }
    })
}

/// Bash's pattern matching (`case`, `${v#p}`, `${v/p/w}`): `*`, `?`,
/// `[abc]`, `[a-z]`, `[!a]`/`[^a]`, and `\x` for a literal `x`.
pub fn pattern_match(pattern: &str, text: &str) -> bool {
    #[derive(Clone)]
    enum P {
        Lit(char),
        Any,
        Star,
        Class(bool, Vec<(char, char)>),
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                tokens.push(P::Lit(chars[i + 1]));
                i += 2;
                continue;
            }
            '*' => tokens.push(P::Star),
            '?' => tokens.push(P::Any),
            '[' => {
                let mut j = i + 1;
                let negate = matches!(chars.get(j), Some('!' | '^'));
                if negate {
                    j += 1;
                }
                let mut ranges = Vec::new();
                let mut first = true;
                while j < chars.len() && (chars[j] != ']' || first) {
                    first = false;
                    let lo = chars[j];
                    if chars.get(j + 1) == Some(&'-') && chars.get(j + 2).is_some_and(|c| *c != ']')
                    {
                        ranges.push((lo, chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((lo, lo));
                        j += 1;
                    }
                }
                if j < chars.len() {
                    tokens.push(P::Class(negate, ranges));
                    i = j + 1;
                    continue;
                }
                tokens.push(P::Lit('['));
            }
            c => tokens.push(P::Lit(c)),
        }
        i += 1;
    }
    let one = |p: &P, c: char| match p {
        P::Lit(l) => *l == c,
        P::Any => true,
        P::Class(negate, ranges) => ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *negate,
        P::Star => false,
    };
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < tokens.len() && !matches!(tokens[pi], P::Star) && one(&tokens[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < tokens.len() && matches!(tokens[pi], P::Star) {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < tokens.len() && matches!(tokens[pi], P::Star) {
        pi += 1;
    }
    pi == tokens.len()
}

/// Parentheses one test may nest: each level recurses, and the arguments
/// may come from a variable of any length.
pub const MAX_PARENS: usize = 64;

/// What every level of the evaluation reads.
struct Cx {
    /// `[[ ]]` rather than `test` or `[`.
    ext: bool,
    /// Parentheses the evaluation is inside.
    depth: usize,
    /// What the last `=~` captured.
    rematch: Option<Vec<String>>,
}

fn test_or(args: &[(String, bool)], at: &mut usize, cx: &mut Cx) -> Result<bool, String> {
    let mut v = test_and(args, at, cx)?;
    while args
        .get(*at)
        .is_some_and(|(a, _)| a == "-o" || (cx.ext && a == "||"))
    {
        *at += 1;
        let r = test_and(args, at, cx)?;
        v = v || r;
    }
    Ok(v)
}

fn test_and(args: &[(String, bool)], at: &mut usize, cx: &mut Cx) -> Result<bool, String> {
    let mut v = test_not(args, at, cx)?;
    while args
        .get(*at)
        .is_some_and(|(a, _)| a == "-a" || (cx.ext && a == "&&"))
    {
        *at += 1;
        let r = test_not(args, at, cx)?;
        v = v && r;
    }
    Ok(v)
}

fn test_not(args: &[(String, bool)], at: &mut usize, cx: &mut Cx) -> Result<bool, String> {
    // A loop, not a recursion: `! ! ! …` may be a million words long.
    let mut negate = false;
    while args.get(*at).is_some_and(|(a, _)| a == "!") && *at + 1 < args.len() {
        *at += 1;
        negate = !negate;
    }
    Ok(test_primary(args, at, cx)? != negate)
}

fn test_primary(args: &[(String, bool)], at: &mut usize, cx: &mut Cx) -> Result<bool, String> {
    let get = |i: usize| args.get(i).map(|(a, _)| a.as_str());
    if get(*at) == Some("(") {
        *at += 1;
        cx.depth += 1;
        if cx.depth > MAX_PARENS {
            return Err(format!("parentheses nest deeper than {MAX_PARENS} levels"));
        }
        let v = test_or(args, at, cx)?;
        cx.depth -= 1;
        if get(*at) != Some(")") {
            return Err("')' expected".into());
        }
        *at += 1;
        return Ok(v);
    }
    // Binary operators.
    if let (Some(left), Some(op)) = (get(*at), get(*at + 1)) {
        let binary = [
            "=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "=~",
        ];
        if binary.contains(&op) && *at + 2 < args.len() {
            let (right, right_quoted) = &args[*at + 2];
            *at += 3;
            let int = |s: &str| -> Result<i64, String> {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("{s}: integer expression expected"))
            };
            if op == "=~" {
                if !cx.ext {
                    return Err("=~: binary operator expected".into());
                }
                let (left, right) = (left.to_string(), right.clone());
                return regex_match(&right, &left, cx);
            }
            return Ok(match op {
                "=" | "==" if cx.ext && !right_quoted => pattern_match(right, left),
                "!=" if cx.ext && !right_quoted => !pattern_match(right, left),
                "=" | "==" => left == right,
                "!=" => left != right,
                "<" => left < right.as_str(),
                ">" => left > right.as_str(),
                "-eq" => int(left)? == int(right)?,
                "-ne" => int(left)? != int(right)?,
                "-lt" => int(left)? < int(right)?,
                "-le" => int(left)? <= int(right)?,
                "-gt" => int(left)? > int(right)?,
                _ => int(left)? >= int(right)?,
            });
        }
    }
    match (get(*at), get(*at + 1)) {
        (Some("-z"), Some(s)) => {
            *at += 2;
            Ok(s.is_empty())
        }
        (Some("-n"), Some(s)) => {
            *at += 2;
            Ok(!s.is_empty())
        }
        // File tests: the simulator has no files but /dev/null.
        (
            Some(
                op @ ("-e" | "-f" | "-d" | "-s" | "-r" | "-w" | "-x" | "-L" | "-h" | "-p" | "-S"
                | "-b" | "-c"),
            ),
            Some(path),
        ) => {
            *at += 2;
            Ok(path == "/dev/null" && matches!(op, "-e" | "-r" | "-w" | "-c"))
        }
        (Some(s), _) => {
            *at += 1;
            Ok(!s.is_empty())
        }
        (None, _) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(args: &[&str], extended: bool) -> Result<bool, String> {
        let args: Vec<(String, bool)> = args.iter().map(|a| (a.to_string(), false)).collect();
        test_expr(&args, extended)
    }

    #[test]
    fn long_negations_and_deep_parentheses_neither_recurse_nor_crash() {
        let mut nots = vec!["!"; 1_000_001];
        nots.push("x");
        assert_eq!(t(&nots, false), Ok(false));
        nots.remove(0);
        assert_eq!(t(&nots, false), Ok(true));
        let mut parens = vec!["("; 100_000];
        parens.push("x");
        assert!(t(&parens, true)
            .unwrap_err()
            .contains("nest deeper than 64 levels"));
        let nested = [
            "(", "(", "a", "==", "a*", ")", "&&", "!", "(", "1", "-gt", "2", ")", ")",
        ];
        assert_eq!(t(&nested, true), Ok(true));
        assert_eq!(
            t(&["(", "a", "==", "a*", ")"], false),
            Ok(false),
            "no globs in test"
        );
    }
}
