//! The JMESPath runtime `--query` runs in: the jmespath crate's builtins,
//! with the functions whose result is an `int` in Python's jmespath (what
//! az runs) kept integers. The crate computes them in f64, so `sum` of
//! sizes printed `96.0` where az prints `96`.

use jmespath::functions::{AbsFn, AvgFn, CeilFn, FloorFn, Function, SumFn};
use jmespath::{Context, Rcvar, Runtime, SearchResult, Variable};
use serde_json::Number;
use std::sync::OnceLock;

pub(super) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let mut rt = Runtime::new();
        rt.register_builtin_functions();
        rt.register_function("sum", Box::new(PythonInt(SumFn::new(), Kind::Sum)));
        rt.register_function("abs", Box::new(PythonInt(AbsFn::new(), Kind::Abs)));
        rt.register_function("ceil", Box::new(PythonInt(CeilFn::new(), Kind::Round)));
        rt.register_function("floor", Box::new(PythonInt(FloorFn::new(), Kind::Round)));
        rt.register_function("avg", Box::new(PythonInt(AvgFn::new(), Kind::Avg)));
        rt
    })
}

enum Kind {
    /// `sum(ints)` is an int; a float anywhere makes it a float.
    Sum,
    /// `abs(int)` is an int.
    Abs,
    /// `math.ceil` and `math.floor` always return an int.
    Round,
    /// `avg([])` is None in Python (the crate fails dividing by zero); any
    /// other average is a float.
    Avg,
}

/// The crate's function (which checks the arguments and computes), with the
/// result made an integer where Python's would be one.
struct PythonInt<F>(F, Kind);

fn is_int(v: &Variable) -> bool {
    matches!(v, Variable::Number(n) if !n.is_f64())
}

impl<F: Function> Function for PythonInt<F> {
    fn evaluate(&self, args: &[Rcvar], ctx: &mut Context<'_>) -> SearchResult {
        if matches!(self.1, Kind::Avg)
            && args.len() == 1
            && args[0].as_array().is_some_and(Vec::is_empty)
        {
            return Ok(Rcvar::new(Variable::Null));
        }
        let found = self.0.evaluate(args, ctx)?;
        let int = match self.1 {
            Kind::Sum => args[0]
                .as_array()
                .is_some_and(|items| items.iter().all(|v| is_int(v))),
            Kind::Abs => is_int(&args[0]),
            Kind::Round => true,
            Kind::Avg => false,
        };
        match found.as_number() {
            // Exactly representable: Python's int of the same value.
            Some(f) if int && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Ok(Rcvar::new(Variable::Number(Number::from(f as i64))))
            }
            _ => Ok(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(query: &str, data: &str) -> String {
        let found = runtime()
            .compile(query)
            .unwrap()
            .search(Variable::from_json(data).unwrap())
            .unwrap();
        serde_json::to_string(&*found).unwrap()
    }

    #[test]
    fn integer_results_stay_integers_as_in_pythons_jmespath() {
        assert_eq!(eval("sum(@)", "[4, 8]"), "12");
        assert_eq!(eval("sum(@)", "[4, 0.5]"), "4.5");
        assert_eq!(eval("sum(@)", "[]"), "0");
        assert_eq!(eval("abs(@)", "-3"), "3");
        assert_eq!(eval("ceil(@)", "2.5"), "3");
        assert_eq!(eval("floor(@)", "2.5"), "2");
        assert_eq!(eval("avg(@)", "[2, 4]"), "3.0");
        assert_eq!(eval("avg(@)", "[]"), "null");
    }
}
