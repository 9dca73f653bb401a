//! The syntax tree of a PowerShell script. It prints back as PowerShell
//! (`Display`), which the parser's tests use.

use std::fmt;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    /// A double-quoted string: its text, interpolated when evaluated.
    Interp(String),
    Var(String, Vec<String>),
    Method(String, Vec<String>, String, Vec<Expr>),
    Cmd(String, Vec<(Option<String>, Option<Expr>)>),
    Binary(String, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Array(Vec<Expr>),
    Sub(Vec<Stmt>),
    /// A script block given to a cmdlet (`Where-Object { $_.Incremental }`):
    /// run by the cmdlet, with `$_` set, not where it is written.
    Block(Vec<Stmt>),
    /// `(expression).Property.Property`.
    Member(Box<Expr>, Vec<String>),
    /// `first | cmdlet | cmdlet`: each stage gets the items the one before made.
    Pipe(Box<Expr>, Vec<Expr>),
    /// `@{ Name = value; … }`: a hashtable, its keys in the order written.
    Hashtable(Vec<(String, Expr)>),
    /// `$list[i]`: an element (a negative index counts from the end).
    Index(Box<Expr>, Box<Expr>),
    /// `@params` as a command's argument: the variable's hashtable entries
    /// become named arguments, an array's items unnamed ones.
    Splat(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign(String, Expr),
    Expr(Expr),
    Foreach(String, Expr, Vec<Stmt>),
    If(Vec<(Expr, Vec<Stmt>)>, Option<Vec<Stmt>>),
    /// `while (condition) { … }`.
    While(Expr, Vec<Stmt>),
    /// `do { … } while (condition)` (`until: false`) or `do { … } until
    /// (condition)` (`until: true`): the body runs at least once.
    Do {
        body: Vec<Stmt>,
        condition: Expr,
        until: bool,
    },
    /// A bare `{ ... }`: a script block, output as its text, not run.
    Block(String),
    /// `$disk.DiskSizeGB = 1023`: a property of the object a variable holds.
    SetMember(String, Vec<String>, Expr),
    /// `try { … } catch { … } finally { … }`: a terminating error in the
    /// body (a cmdlet's with `-ErrorAction Stop`, or any runtime error)
    /// runs `catch` with `$_` the error record; `finally` runs either way.
    Try {
        body: Vec<Stmt>,
        catch: Option<Vec<Stmt>>,
        finally: Option<Vec<Stmt>>,
    },
}

fn list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn block(f: &mut fmt::Formatter<'_>, body: &[Stmt]) -> fmt::Result {
    f.write_str("{ ")?;
    list(f, body, "; ")?;
    f.write_str(" }")
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stmt::Assign(name, e) => write!(f, "${name} = {e}"),
            Stmt::Expr(e) => write!(f, "{e}"),
            Stmt::Foreach(var, collection, body) => {
                write!(f, "foreach (${var} in {collection}) ")?;
                block(f, body)
            }
            Stmt::If(arms, otherwise) => {
                for (i, (condition, body)) in arms.iter().enumerate() {
                    let kw = if i == 0 { "if" } else { " elseif" };
                    write!(f, "{kw} ({condition}) ")?;
                    block(f, body)?;
                }
                if let Some(body) = otherwise {
                    f.write_str(" else ")?;
                    block(f, body)?;
                }
                Ok(())
            }
            Stmt::While(condition, body) => {
                write!(f, "while ({condition}) ")?;
                block(f, body)
            }
            Stmt::Do {
                body,
                condition,
                until,
            } => {
                f.write_str("do ")?;
                block(f, body)?;
                let kw = if *until { "until" } else { "while" };
                write!(f, " {kw} ({condition})")
            }
            Stmt::Block(text) => f.write_str(text),
            Stmt::SetMember(name, path, e) => {
                write!(f, "${name}")?;
                path.iter().try_for_each(|p| write!(f, ".{p}"))?;
                write!(f, " = {e}")
            }
            Stmt::Try {
                body,
                catch,
                finally,
            } => {
                f.write_str("try ")?;
                block(f, body)?;
                if let Some(body) = catch {
                    f.write_str(" catch ")?;
                    block(f, body)?;
                }
                if let Some(body) = finally {
                    f.write_str(" finally ")?;
                    block(f, body)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Lit(Value::String(s)) => write!(f, "'{}'", s.replace('\'', "''")),
            Expr::Lit(Value::Bool(b)) => write!(f, "${b}"),
            Expr::Lit(Value::Null) => f.write_str("$null"),
            Expr::Lit(Value::Number(n)) => match n.as_f64() {
                Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(f, "{}", x as i64),
                _ => write!(f, "{n}"),
            },
            Expr::Lit(v) => write!(f, "{v}"),
            Expr::Interp(s) => write!(f, "\"{s}\""),
            Expr::Var(name, path) => {
                write!(f, "${name}")?;
                path.iter().try_for_each(|p| write!(f, ".{p}"))
            }
            Expr::Method(name, path, method, args) => {
                write!(f, "${name}")?;
                path.iter().try_for_each(|p| write!(f, ".{p}"))?;
                write!(f, ".{method}(")?;
                list(f, args, ", ")?;
                f.write_str(")")
            }
            Expr::Cmd(name, args) => {
                f.write_str(name)?;
                for (param, value) in args {
                    if let Some(p) = param {
                        write!(f, " -{p}")?;
                    }
                    if let Some(v) = value {
                        write!(f, " {v}")?;
                    }
                }
                Ok(())
            }
            Expr::Binary(op, left, right) if matches!(op.as_str(), "+" | "-" | "*" | "/") => {
                write!(f, "({left} {op} {right})")
            }
            Expr::Binary(op, left, right) => write!(f, "({left} -{op} {right})"),
            Expr::Not(e) => write!(f, "-not {e}"),
            Expr::Array(items) => {
                f.write_str("@(")?;
                list(f, items, ", ")?;
                f.write_str(")")
            }
            Expr::Sub(body) => {
                f.write_str("$(")?;
                list(f, body, "; ")?;
                f.write_str(")")
            }
            Expr::Block(body) => block(f, body),
            Expr::Member(e, path) => {
                write!(f, "({e})")?;
                for p in path {
                    write!(f, ".{p}")?;
                }
                Ok(())
            }
            Expr::Pipe(first, stages) => {
                write!(f, "{first}")?;
                for stage in stages {
                    write!(f, " | {stage}")?;
                }
                Ok(())
            }
            Expr::Index(list, index) => write!(f, "{list}[{index}]"),
            Expr::Splat(name) => write!(f, "@{name}"),
            Expr::Hashtable(entries) => {
                f.write_str("@{")?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    if key.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        write!(f, "{key} = {value}")?;
                    } else {
                        write!(f, "'{}' = {value}", key.replace('\'', "''"))?;
                    }
                }
                f.write_str("}")
            }
        }
    }
}
