//! Bash arithmetic (`$(( … ))`): parsed once, with the script, into an
//! [`Arith`] tree; the evaluator walks the tree with checked integers.
//!
//! A malformed expression is not a parse error of the script: the lexer
//! keeps the message in the tree and the evaluator reports it when the
//! expression runs, as bash does (the lines before it still run).

use std::collections::BTreeMap;

use super::ast::{Arith, ArithOp};
use super::lexer::MAX_NESTING;

/// How deep an expression's tree may be: evaluating (and dropping) it
/// recurses once a level, and a long `1+1+…` chain is as deep as it is long.
pub const MAX_DEPTH: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num(i64),
    Var(String),
    Op(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Num(n) => n.to_string(),
            Tok::Var(name) => name.clone(),
            Tok::Op(o) => o.to_string(),
        }
    }
}

const OPS: [&str; 34] = [
    "&&", "||", "==", "!=", "<=", ">=", "++", "--", "+=", "-=", "*=", "/=", "%=", "**", "<<", ">>",
    "<", ">", "+", "-", "*", "/", "%", "(", ")", "!", "?", ":", "=", ",", "&", "|", "^", "~",
];

fn tokens(expr: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '#') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(number_literal(&text)?));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            // `$name` and `name` are the same variable; a lone `$` names the
            // empty one (which is unset, so 0).
            if c == '$' {
                i += 1;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Var(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            // `a++ + b` vs `a + +b`: `++`/`--` only next to a name.
            let op = OPS
                .iter()
                .find(|o| rest.starts_with(**o))
                .ok_or_else(|| format!("'{c}' is not an arithmetic operator"))?;
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    Ok(out)
}

/// `12`, `0x1f`, `017` (octal) and `BASE#digits`, as bash reads them.
fn number_literal(text: &str) -> Result<i64, String> {
    let invalid = || format!("{text}: invalid number");
    let (base, digits) = if let Some((b, d)) = text.split_once('#') {
        let base: u32 = b.parse().map_err(|_| invalid())?;
        if !(2..=36).contains(&base) {
            return Err(format!("{text}: invalid arithmetic base"));
        }
        (base, d)
    } else if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        (16, h)
    } else if text.len() > 1 && text.starts_with('0') {
        (8, &text[1..])
    } else {
        (10, text)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Err(if base == 10 && text.chars().all(|c| c.is_ascii_digit()) {
            format!("{text}: number too large")
        } else {
            invalid()
        });
    }
    i64::from_str_radix(digits, base).map_err(|_| format!("{text}: number too large"))
}

/// Parses the text between `$((` and `))`.
pub fn parse(expr: &str) -> Result<Arith, String> {
    let tokens = tokens(expr)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        nesting: 0,
    };
    let tree = parser.comma()?;
    if let Some(t) = tokens.get(parser.at) {
        return Err(format!("syntax error near '{}'", t.text()));
    }
    Ok(tree)
}

struct Parser<'t> {
    tokens: &'t [Tok],
    at: usize,
    /// Parentheses and unary operators the parser is inside (it recurses
    /// once for each).
    nesting: usize,
}

fn binary_op(op: &str) -> Option<(ArithOp, u8)> {
    Some(match op {
        "||" => (ArithOp::Or, 1),
        "&&" => (ArithOp::And, 2),
        "|" => (ArithOp::BitOr, 3),
        "^" => (ArithOp::BitXor, 4),
        "&" => (ArithOp::BitAnd, 5),
        "==" => (ArithOp::Eq, 6),
        "!=" => (ArithOp::Ne, 6),
        "<" => (ArithOp::Lt, 7),
        "<=" => (ArithOp::Le, 7),
        ">" => (ArithOp::Gt, 7),
        ">=" => (ArithOp::Ge, 7),
        "<<" => (ArithOp::Shl, 8),
        ">>" => (ArithOp::Shr, 8),
        "+" => (ArithOp::Add, 9),
        "-" => (ArithOp::Sub, 9),
        "*" => (ArithOp::Mul, 10),
        "/" => (ArithOp::Div, 10),
        "%" => (ArithOp::Rem, 10),
        "**" => (ArithOp::Pow, 11),
        _ => return None,
    })
}

fn assign_op(op: &str) -> Option<Option<ArithOp>> {
    Some(match op {
        "=" => None,
        "+=" => Some(ArithOp::Add),
        "-=" => Some(ArithOp::Sub),
        "*=" => Some(ArithOp::Mul),
        "/=" => Some(ArithOp::Div),
        "%=" => Some(ArithOp::Rem),
        _ => return None,
    })
}

impl Parser<'_> {
    /// `a, b`: both evaluated, the value is the last (folded as `b`'s
    /// assignment chain keeps its side effects through `Cond`).
    fn comma(&mut self) -> Result<Arith, String> {
        let mut tree = self.assignment()?;
        while self.tokens.get(self.at) == Some(&Tok::Op(",")) {
            self.at += 1;
            let next = self.assignment()?;
            // `a, b` as `(a, b)`: evaluate a, then b; `Cond(1…)` would not
            // run `a`, so a comma is a `+ 0 *` chain: 0 * a + b keeps both.
            tree = Arith::Binary(
                ArithOp::Add,
                Box::new(Arith::Binary(
                    ArithOp::Mul,
                    Box::new(Arith::Num(0)),
                    Box::new(tree),
                )),
                Box::new(next),
            );
        }
        Ok(tree)
    }

    /// `NAME op= value` (right to left), or a conditional.
    fn assignment(&mut self) -> Result<Arith, String> {
        if let (Some(Tok::Var(name)), Some(Tok::Op(op))) =
            (self.tokens.get(self.at), self.tokens.get(self.at + 1))
        {
            if let Some(op) = assign_op(op) {
                let name = name.clone();
                self.at += 2;
                self.deeper()?;
                let value = self.assignment()?;
                self.nesting -= 1;
                return Ok(Arith::Assign(op, name, Box::new(value)));
            }
        }
        let c = self.binary(0)?;
        if self.tokens.get(self.at) == Some(&Tok::Op("?")) {
            self.at += 1;
            self.deeper()?;
            let a = self.assignment()?;
            if self.tokens.get(self.at) != Some(&Tok::Op(":")) {
                return Err("':' expected in 'c ? a : b'".into());
            }
            self.at += 1;
            let b = self.assignment()?;
            self.nesting -= 1;
            return Ok(Arith::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    /// Operators binding tighter than `min`, left to right (precedence climbing).
    fn binary(&mut self, min: u8) -> Result<Arith, String> {
        let mut left = self.unary()?;
        while let Some(Tok::Op(op)) = self.tokens.get(self.at) {
            let Some((op, p)) = binary_op(op).filter(|(_, p)| *p > min) else {
                break;
            };
            self.at += 1;
            // `**` groups to the right.
            let right = self.binary(if op == ArithOp::Pow { p - 1 } else { p })?;
            left = Arith::Binary(op, Box::new(left), Box::new(right));
            if left.depth() > MAX_DEPTH {
                return Err(format!("the expression is deeper than {MAX_DEPTH} levels"));
            }
        }
        Ok(left)
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(format!(
                "parentheses and signs nest deeper than {MAX_NESTING} levels"
            ));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Arith, String> {
        let tok = self.tokens.get(self.at).cloned();
        self.at += usize::from(tok.is_some());
        let tree = match tok {
            Some(Tok::Num(n)) => Arith::Num(n),
            Some(Tok::Var(name)) => match self.tokens.get(self.at) {
                Some(Tok::Op(op @ ("++" | "--"))) => {
                    self.at += 1;
                    Arith::Step {
                        name,
                        delta: if *op == "++" { 1 } else { -1 },
                        prefix: false,
                    }
                }
                _ => Arith::Var(name),
            },
            Some(Tok::Op(op @ ("++" | "--"))) => match self.tokens.get(self.at) {
                Some(Tok::Var(name)) => {
                    let name = name.clone();
                    self.at += 1;
                    Arith::Step {
                        name,
                        delta: if op == "++" { 1 } else { -1 },
                        prefix: true,
                    }
                }
                // `--1` is two signs, as in bash.
                _ => {
                    self.deeper()?;
                    self.deeper()?;
                    let operand = Box::new(self.unary()?);
                    self.nesting -= 2;
                    if op == "--" {
                        Arith::Neg(Box::new(Arith::Neg(operand)))
                    } else {
                        Arith::Plus(Box::new(Arith::Plus(operand)))
                    }
                }
            },
            Some(Tok::Op(op @ ("-" | "+" | "!" | "~"))) => {
                self.deeper()?;
                let operand = Box::new(self.unary()?);
                self.nesting -= 1;
                match op {
                    "-" => Arith::Neg(operand),
                    "+" => Arith::Plus(operand),
                    "~" => Arith::BitNot(operand),
                    _ => Arith::Not(operand),
                }
            }
            Some(Tok::Op("(")) => {
                self.deeper()?;
                let inner = self.comma()?;
                self.nesting -= 1;
                if self.tokens.get(self.at) != Some(&Tok::Op(")")) {
                    return Err("')' expected".into());
                }
                self.at += 1;
                inner
            }
            Some(other) => return Err(format!("syntax error near '{}'", other.text())),
            None => return Err("an operand is missing".into()),
        };
        Ok(tree)
    }
}

fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A variable's value as a number: unset or empty is 0.
fn number(name: &str, value: Option<String>) -> Result<i64, String> {
    let value = value.unwrap_or_default();
    let value = value.trim();
    if value.is_empty() {
        return Ok(0);
    }
    value
        .parse()
        .map_err(|_| format!("{name}: '{value}' is not a whole number"))
}

/// Evaluates `tree` with checked integers. Every variable is read first, in
/// the order the expression names them, so a variable that is not a number
/// is the error even where a division by 0 comes earlier.
pub fn eval(tree: &Arith, vars: &BTreeMap<String, String>) -> Result<i64, String> {
    let mut writes = Vec::new();
    eval_with(tree, &|name| vars.get(name).cloned(), &mut writes)
}

/// [`eval`] reading through `get`; the assignments it makes are appended
/// to `writes` (and read back by the rest of the expression), for the
/// caller to store.
pub fn eval_with(
    tree: &Arith,
    get: &dyn Fn(&str) -> Option<String>,
    writes: &mut Vec<(String, i64)>,
) -> Result<i64, String> {
    let mut env = Env { get, writes };
    env.check_variables(tree)?;
    env.value(tree)
}

struct Env<'g, 'w> {
    get: &'g dyn Fn(&str) -> Option<String>,
    writes: &'w mut Vec<(String, i64)>,
}

impl Env<'_, '_> {
    fn read(&self, name: &str) -> Result<i64, String> {
        if let Some((_, v)) = self.writes.iter().rev().find(|(n, _)| n == name) {
            return Ok(*v);
        }
        // A value that names another set variable is read through it, as
        // bash does (`b=a; $(( b + 1 ))`), a few levels deep.
        let mut name = name.to_string();
        let mut value = (self.get)(&name);
        for _ in 0..8 {
            let Some(next) = value.as_deref().map(str::trim).filter(|v| is_name(v)) else {
                break;
            };
            let Some(next_value) = self
                .writes
                .iter()
                .rev()
                .find(|(n, _)| n == next)
                .map(|(_, v)| v.to_string())
                .or_else(|| (self.get)(next))
            else {
                break;
            };
            name = next.to_string();
            value = Some(next_value);
        }
        number(&name, value)
    }

    fn check_variables(&self, tree: &Arith) -> Result<(), String> {
        match tree {
            Arith::Num(_) => Ok(()),
            Arith::Var(name) | Arith::Step { name, .. } => self.read(name).map(|_| ()),
            Arith::Neg(a) | Arith::Plus(a) | Arith::Not(a) | Arith::BitNot(a) => {
                self.check_variables(a)
            }
            Arith::Assign(op, name, a) => {
                if op.is_some() {
                    self.read(name)?;
                }
                self.check_variables(a)
            }
            Arith::Binary(_, a, b) => {
                self.check_variables(a)?;
                self.check_variables(b)
            }
            Arith::Cond(c, a, b) => {
                self.check_variables(c)?;
                self.check_variables(a)?;
                self.check_variables(b)
            }
        }
    }

    // Each level of a deep tree is one call of this: its frame stays small
    // (the rarer arms are functions of their own).
    fn value(&mut self, tree: &Arith) -> Result<i64, String> {
        match tree {
            Arith::Num(n) => Ok(*n),
            Arith::Var(name) => self.read(name),
            Arith::Neg(a) => negate(self.value(a)?),
            Arith::Plus(a) => self.value(a),
            Arith::Not(a) => Ok(i64::from(self.value(a)? == 0)),
            Arith::BitNot(a) => Ok(!self.value(a)?),
            Arith::Step {
                name,
                delta,
                prefix,
            } => self.step(name, *delta, *prefix),
            Arith::Assign(op, name, a) => {
                let right = self.value(a)?;
                self.assign(*op, name, right)
            }
            Arith::Cond(c, a, b) => {
                if self.value(c)? != 0 {
                    self.value(a)
                } else {
                    self.value(b)
                }
            }
            // Both sides are evaluated, `&&` and `||` included: the simulator's
            // arithmetic has always been eager, and scripts rely on its errors.
            Arith::Binary(op, a, b) => {
                let left = self.value(a)?;
                let right = self.value(b)?;
                binary(*op, left, right)
            }
        }
    }

    #[inline(never)]
    fn step(&mut self, name: &str, delta: i64, prefix: bool) -> Result<i64, String> {
        let old = self.read(name)?;
        let new = old
            .checked_add(delta)
            .ok_or_else(|| format!("{name}: {old} overflows"))?;
        self.writes.push((name.to_string(), new));
        Ok(if prefix { new } else { old })
    }

    #[inline(never)]
    fn assign(&mut self, op: Option<ArithOp>, name: &str, right: i64) -> Result<i64, String> {
        let new = match op {
            None => right,
            Some(op) => binary(op, self.read(name)?, right)?,
        };
        self.writes.push((name.to_string(), new));
        Ok(new)
    }
}

#[inline(never)]
fn negate(v: i64) -> Result<i64, String> {
    v.checked_neg().ok_or_else(|| format!("-{v} overflows"))
}

#[inline(never)]
fn binary(op: ArithOp, left: i64, right: i64) -> Result<i64, String> {
    let overflow = || format!("{left} {op} {right} overflows");
    Ok(match op {
        ArithOp::Add => left.checked_add(right).ok_or_else(overflow)?,
        ArithOp::Sub => left.checked_sub(right).ok_or_else(overflow)?,
        ArithOp::Mul => left.checked_mul(right).ok_or_else(overflow)?,
        ArithOp::Div | ArithOp::Rem if right == 0 => return Err("division by 0".into()),
        ArithOp::Div => left.checked_div(right).ok_or_else(overflow)?,
        ArithOp::Rem => left.checked_rem(right).ok_or_else(overflow)?,
        ArithOp::Lt => i64::from(left < right),
        ArithOp::Le => i64::from(left <= right),
        ArithOp::Gt => i64::from(left > right),
        ArithOp::Ge => i64::from(left >= right),
        ArithOp::Eq => i64::from(left == right),
        ArithOp::Ne => i64::from(left != right),
        ArithOp::And => i64::from(left != 0 && right != 0),
        ArithOp::Or => i64::from(left != 0 || right != 0),
        ArithOp::BitAnd => left & right,
        ArithOp::BitOr => left | right,
        ArithOp::BitXor => left ^ right,
        ArithOp::Shl => left.wrapping_shl((right & 63) as u32),
        ArithOp::Shr => left.wrapping_shr((right & 63) as u32),
        ArithOp::Pow if right < 0 => return Err("exponent less than 0".into()),
        ArithOp::Pow => u32::try_from(right)
            .ok()
            .and_then(|r| left.checked_pow(r))
            .ok_or_else(overflow)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(expr: &str, vars: &[(&str, &str)]) -> Result<i64, String> {
        let vars = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        eval(&parse(expr)?, &vars)
    }

    #[test]
    fn the_tree_is_built_once_with_bash_precedence_and_prints_back() {
        let tree = parse(" (i + 1) * 2 - -$j % 3 ").unwrap();
        assert_eq!(tree.to_string(), "(((i + 1) * 2) - (-j % 3))");
        assert_eq!(
            parse("a || b && !c == d < e").unwrap().to_string(),
            "(a || (b && (!c == (d < e))))"
        );
        assert_eq!(parse("1 - 2 - 3").unwrap().to_string(), "((1 - 2) - 3)");
    }

    #[test]
    fn it_evaluates_as_before_and_reports_the_same_errors() {
        assert_eq!(run("a * 6 + (a > 5 && a < 10)", &[("a", " 7 ")]), Ok(43));
        assert_eq!(run("1 - 2 - 3", &[]), Ok(-4));
        assert_eq!(run("unset + 1", &[("unset", "")]), Ok(1));
        assert_eq!(
            run("9223372036854775807 + 1", &[]),
            Err("9223372036854775807 + 1 overflows".into())
        );
        assert_eq!(run("1 % 0", &[]), Err("division by 0".into()));
        assert_eq!(
            run("1 / 0 + x", &[("x", "abc")]),
            Err("x: 'abc' is not a whole number".into()),
            "variables are read before anything is computed"
        );
        assert_eq!(run("1 ? 2 : 3", &[]), Ok(2));
        assert_eq!(
            parse("1 @ 2"),
            Err("'@' is not an arithmetic operator".into())
        );
        assert_eq!(parse("(1 + 2"), Err("')' expected".into()));
        assert_eq!(parse("1 +"), Err("an operand is missing".into()));
        assert_eq!(parse("1 2"), Err("syntax error near '2'".into()));
        assert_eq!(
            parse("99999999999999999999"),
            Err("99999999999999999999: number too large".into())
        );
    }

    #[test]
    fn deep_expressions_are_refused_not_a_stack_overflow() {
        let parens = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&parens).unwrap_err().contains("nest deeper than 64"));
        let signs = format!("{}1", "-".repeat(100_000));
        assert!(parse(&signs).unwrap_err().contains("nest deeper than 64"));
        let chain = format!("1{}", "+1".repeat(100_000));
        assert_eq!(
            parse(&chain),
            Err(format!("the expression is deeper than {MAX_DEPTH} levels"))
        );
        let long = format!("1{}", "+1".repeat(MAX_DEPTH - 1));
        assert_eq!(run(&long, &[]), Ok(MAX_DEPTH as i64));
    }
}
