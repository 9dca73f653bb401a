use super::*;

/// A host that echoes its argv as JSON, and fails for "fail".
struct Echo;
impl Host for Echo {
    fn run(&mut self, argv: &[String]) -> (String, String, i32) {
        if argv[0] == "fail" {
            return (String::new(), "failed".into(), 1);
        }
        (format!("{argv:?}\n"), String::new(), 0)
    }
}

fn run(script: &str) -> (Vec<Line>, Shell) {
    let mut shell = Shell::default();
    let mut out = Vec::new();
    shell.run(script, &mut Echo, &mut out);
    (out, shell)
}

#[test]
fn variables_expand_in_double_quotes_and_bare_words_but_not_single_quotes() {
    let (out, _) =
        run("rg=\"my rg\"\nname=disk1 # a comment\ncmd --a \"$rg\" --b '$rg' --c ${name}x $name");
    assert_eq!(
        out,
        vec![Line::Out(
            r#"["cmd", "--a", "my rg", "--b", "$rg", "--c", "disk1x", "disk1"]"#.into()
        )]
    );
}

#[test]
fn command_substitution_and_line_continuation() {
    let (out, shell) =
        run("id=$(echo /subscriptions/x)\ncmd \\\n  --source \"$id\" --list $(echo a b)");
    assert_eq!(shell.vars["id"], "/subscriptions/x");
    assert_eq!(
        out,
        vec![Line::Out(
            r#"["cmd", "--source", "/subscriptions/x", "--list", "a", "b"]"#.into()
        )]
    );
}

#[test]
fn set_e_stops_at_the_first_failure_only_when_asked() {
    let (out, _) = run("fail\necho after");
    assert_eq!(
        out,
        vec![Line::Err("failed".into()), Line::Out("after".into())]
    );
    let (out, shell) = run("set -e\nfail\necho after");
    assert_eq!(out, vec![Line::Err("failed".into())]);
    assert_eq!(shell.status, 1);
    let (out, _) = run("fail && echo no; echo yes");
    assert_eq!(
        out,
        vec![Line::Err("failed".into()), Line::Out("yes".into())]
    );
}

#[test]
fn for_loops_over_words_and_seq_nest_and_stop_under_set_e() {
    let (out, _) = run("for i in $(seq 1 3); do echo n$i; done\nfor a in x y\ndo\n  for b in 1 2; do echo $a$b; done\ndone");
    let texts: Vec<String> = out
        .iter()
        .map(|l| match l {
            Line::Out(s) | Line::Err(s) => s.clone(),
        })
        .collect();
    assert_eq!(texts, ["n1", "n2", "n3", "x1", "x2", "y1", "y2"]);
    let (out, _) = run("set -e\nfor i in 1 2; do fail; echo no; done\necho no");
    assert_eq!(out, vec![Line::Err("failed".into())]);
    assert!(check("for i in 1 2; do echo $i").is_err());
    assert!(check("done").is_err());
    assert!(check("for in x; do echo; done").is_err());
}

#[test]
fn bad_input_is_a_parse_error_with_line_and_column() {
    assert_eq!(
        check("echo ok\necho \"open").unwrap_err(),
        ParseError {
            line: 2,
            column: 11,
            message: "a double quote is not closed".into()
        }
    );
    assert_eq!(check("az x > out").unwrap_err().column, 6);
    assert!(check("x=$(echo")
        .unwrap_err()
        .message
        .contains("not closed"));
    assert!(check("echo ${a-b}").is_err());
    assert!(check("&& echo").is_err());
}

// ---- the syntax tree ---------------------------------------------------------

/// The tree of `script`, printed back as bash.
fn tree(script: &str) -> String {
    super::parser::parse(script).unwrap().to_string()
}

#[test]
fn the_parser_builds_the_tree_of_each_construct() {
    assert_eq!(tree("a=1 b=\"x y\" cmd -g $rg"), "a=1 b='x y' cmd -g ${rg}");
    assert_eq!(tree("a && b || c; d | e | f"), "a && b || c; d | e | f");
    assert_eq!(tree("! a"), "! a");
    assert_eq!(
        tree("if [ $x -gt 1 ]; then echo big\nelif true; then :\nelse echo small; fi"),
        "if [ ${x} -gt 1 ]; then echo big; elif true; then :; else echo small; fi"
    );
    assert_eq!(
        tree("while [[ $p != 100 && $n -lt 5 ]]\ndo\n  sleep 10\ndone"),
        "while [[ ${p} != 100 && ${n} -lt 5 ]]; do sleep 10; done"
    );
    assert_eq!(
        tree("until false; do break; done"),
        "until false; do break; done"
    );
    assert_eq!(
        tree("for i in 1 2 $(seq 3); do echo $i; done"),
        "for i in 1 2 $(seq 3); do echo ${i}; done"
    );
    assert_eq!(tree("f() { echo $1; }\nf x"), "f() { echo ${1}; }; f x");
    assert_eq!(tree("x=$(( (i + 1) * 2 ))"), "x=$(( (i + 1) * 2 ))");
    assert_eq!(tree("{ a; b; }"), "{ a; b; }");
    // A substitution is parsed in place: its tree is part of the word.
    assert_eq!(
        tree("id=$(az snapshot show -n \"$s\" --query id -o tsv | head -1)"),
        "id=$(az snapshot show -n \"${s}\" --query id -o tsv | head -1)"
    );
}

#[test]
fn errors_carry_the_real_line_and_column_even_inside_substitutions() {
    let e = check("echo ok\nx=$(echo a;\n  echo \"b)").unwrap_err();
    assert_eq!((e.line, e.column), (3, 11), "{e}");
    let e = check("if true; then echo\n").unwrap_err();
    assert!(e.message.contains("expected 'fi'"), "{e}");
    let e = check("echo a\n  fi").unwrap_err();
    assert_eq!((e.line, e.column), (2, 3));
    assert!(check("while true; echo; done")
        .unwrap_err()
        .message
        .contains("expected 'do'"));
    assert!(check("a |").is_err());
    assert!(check("a && ").is_err());
    assert!(check("[[ a == b").unwrap_err().message.contains("']]'"));
}

#[test]
fn nesting_deeper_than_the_limit_is_a_parse_error_not_a_stack_overflow() {
    let deep = "echo $(".repeat(2_000) + &")".repeat(2_000);
    assert!(check(&deep)
        .unwrap_err()
        .message
        .contains("nest deeper than 64"));
    let deep_if = "if true; then ".repeat(2_000) + &"fi; ".repeat(2_000);
    assert!(check(&deep_if)
        .unwrap_err()
        .message
        .contains("nest deeper than 64"));
    // 60 levels are fine.
    let ok = "echo $(".repeat(60) + "echo x" + &")".repeat(60);
    let (out, _) = run(&ok);
    assert_eq!(texts(&out), ["x"]);
}

// ---- running it ----------------------------------------------------------------

fn texts(out: &[Line]) -> Vec<String> {
    out.iter()
        .map(|l| match l {
            Line::Out(s) => s.clone(),
            Line::Err(s) => format!("E:{s}"),
        })
        .collect()
}

#[test]
fn if_while_until_and_tests_run_as_bash_runs_them() {
    let (out, _) = run("x=3\nif [ $x -gt 5 ]; then echo big; elif [[ $x == 3 ]]; then echo three; else echo small; fi");
    assert_eq!(texts(&out), ["three"]);
    let (out, _) = run("i=0\nwhile [ $i -lt 3 ]; do echo $i; i=$((i + 1)); done\nuntil [ $i -eq 0 ]; do i=$((i - 1)); done; echo end $i");
    assert_eq!(texts(&out), ["0", "1", "2", "end 0"]);
    let (out, _) = run("[[ disk-snap1 == disk-* ]] && echo glob; [[ abc == 'a*' ]] || echo quoted-is-literal; [ -z \"\" ] && echo empty; [ -n x ] && echo set");
    assert_eq!(texts(&out), ["glob", "quoted-is-literal", "empty", "set"]);
    let (out, _) =
        run("[ a = a -a b != c ] && echo and; [[ ! -z x && ( 1 -lt 2 || 0 -eq 1 ) ]] && echo ok");
    assert_eq!(texts(&out), ["and", "ok"]);
    let (out, _) = run("[ x -lt 2 ]; echo $?");
    assert_eq!(
        texts(&out),
        ["E:bash: [: x: integer expression expected", "2"]
    );
}

#[test]
fn exit_status_is_in_dollar_question_and_drives_and_or() {
    let (out, _) =
        run("fail; echo $?; true; echo $?\nfail || echo recovered\ntrue && echo chained");
    assert_eq!(
        texts(&out),
        ["E:failed", "1", "0", "E:failed", "recovered", "chained"]
    );
    // set -e does not stop at a failure that is a condition.
    let (out, shell) =
        run("set -e\nif fail; then echo no; fi\nfail || true\necho still\nfail\necho never");
    assert_eq!(texts(&out), ["E:failed", "E:failed", "still", "E:failed"]);
    assert_eq!(shell.status, 1);
}

#[test]
fn pipes_feed_the_text_tools_docs_pipe_into() {
    let (out, _) = run("seq 1 20 | grep 1 | head -n 3");
    assert_eq!(texts(&out), ["1", "10", "11"]);
    let (out, _) = run(
        "seq 5 | tail -2; seq 5 | wc -l; seq 12 | grep -c '^1'; echo abc | grep -q b && echo found",
    );
    assert_eq!(texts(&out), ["4", "5", "5", "4", "found"]);
    let (out, _) =
        run("echo Disk1 | grep -i disk; echo x | grep -v x; echo $?; seq 3 | head -1 | cat");
    assert_eq!(texts(&out), ["Disk1", "1", "1"]);
    // A host command's output flows through a pipe too.
    let (out, _) = run("cmd a b | grep cmd | wc -l");
    assert_eq!(texts(&out), ["1"]);
    let (out, _) = run("n=$(seq 7 | wc -l); echo \"$n lines\"");
    assert_eq!(texts(&out), ["7 lines"]);
}

#[test]
fn functions_take_arguments_and_return_a_status() {
    let (out, shell) = run("greet() { echo \"hello $1 ($#)\"; return 3; }\ngreet world x; echo $?");
    assert_eq!(texts(&out), ["hello world (2)", "3"]);
    assert!(
        shell.functions.contains_key("greet"),
        "kept for the next run"
    );
    assert!(
        !shell.vars.contains_key("1"),
        "positional parameters are restored"
    );
}

/// A host that records argv, to see what builtins ask of the console.
struct Record(Vec<Vec<String>>);
impl Host for Record {
    fn run(&mut self, argv: &[String]) -> (String, String, i32) {
        self.0.push(argv.to_vec());
        (String::new(), String::new(), 0)
    }
}

#[test]
fn sleep_advances_the_simulated_clock_through_the_console() {
    let mut host = Record(Vec::new());
    let mut shell = Shell::default();
    let mut out = Vec::new();
    shell.run(
        "sleep 30; sleep 1.5; sleep 2m; sleep 0",
        &mut host,
        &mut out,
    );
    let advances: Vec<String> = host.0.iter().map(|a| a.join(" ")).collect();
    assert_eq!(
        advances,
        [
            "sim clock advance 30s -o none",
            "sim clock advance 2s -o none",
            "sim clock advance 120s -o none"
        ]
    );
    shell.run("sleep soon", &mut host, &mut out);
    assert!(matches!(out.last(), Some(Line::Err(e)) if e.contains("invalid time interval")));
}

#[test]
fn arithmetic_is_checked() {
    let (out, _) = run("a=7; echo $((a * 6)) $(( (a + 1) % 3 )) $((-a)) $((a > 5 && a < 10))");
    assert_eq!(texts(&out), ["42 2 -7 1"]);
    let (out, _) = run("echo $((9223372036854775807 + 1)); echo never");
    assert_eq!(
        texts(&out),
        ["E:bash: $(( 9223372036854775807 + 1 )): 9223372036854775807 + 1 overflows"]
    );
    let (out, _) = run("echo $((1 / 0))");
    assert!(texts(&out)[0].contains("division by 0"));
}

#[test]
fn runaway_scripts_stop_at_a_named_limit() {
    let (out, shell) = run("while true; do :; done; echo never");
    assert!(
        texts(&out).last().unwrap().contains("step limit"),
        "{out:?}"
    );
    assert_eq!(shell.status, 1);
    let (out, _) = run("x=aaaaaaaaaaaaaaaa\nwhile true; do x=$x$x; done");
    assert!(
        texts(&out)
            .last()
            .unwrap()
            .contains("variable 'x' would hold more than 1 MiB"),
        "{out:?}"
    );
    let (out, _) = run("f() { f; }; f");
    assert!(
        texts(&out).last().unwrap().contains("more than 64 levels"),
        "{out:?}"
    );
    let (out, _) = run("seq 1 9223372036854775807; seq -9223372036854775808 9223372036854775807");
    assert_eq!(
        texts(&out),
        [
            "E:seq: at most 100000 numbers in the simulator",
            "E:seq: at most 100000 numbers in the simulator"
        ]
    );
    let (out, _) = run("for i in $(seq 100000); do echo $i; done");
    assert!(
        texts(&out).last().unwrap().contains("limit"),
        "output or steps are bounded"
    );
}

/// `x` of 1 MiB (16 bytes doubled 16 times), then `rest`.
fn with_one_mib(rest: &str) -> (Vec<Line>, Shell) {
    run(&format!(
        "x=aaaaaaaaaaaaaaaa\nfor i in $(seq 16); do x=$x$x; done\n{rest}"
    ))
}

#[test]
fn output_is_bounded_in_bytes_as_well_as_lines() {
    let (out, shell) = with_one_mib("for i in $(seq 5000); do echo \"$x\"; done; echo never");
    assert_eq!(shell.vars["x"].len(), 1 << 20);
    // 7 lines of 1 MiB and their ends fit in 8 MiB; the 8th does not.
    let printed: Vec<usize> = out
        .iter()
        .filter_map(|l| match l {
            Line::Out(s) => Some(s.len()),
            Line::Err(_) => None,
        })
        .collect();
    assert_eq!(printed, vec![1 << 20; 7]);
    assert_eq!(
        texts(&out).last().unwrap(),
        "E:bash: the script was stopped: it printed more than 8 MiB (the simulator's output limit)"
    );
    assert_eq!(shell.status, 1);
    // Standard error counts too.
    let (out, _) = with_one_mib("for i in $(seq 5000); do [ \"$x\" -lt 1 ]; done");
    assert!(texts(&out)
        .last()
        .unwrap()
        .ends_with("more than 8 MiB (the simulator's output limit)"));
    assert!(out.len() < 10, "{}", out.len());
}

#[test]
fn a_huge_word_is_refused_before_it_is_built() {
    // `echo $x$x…` of 3 GiB, and its spread-out twin `echo $x $x …`.
    for separator in ["", " "] {
        let words = vec!["$x"; 3 << 10].join(separator);
        let (out, shell) = with_one_mib(&format!("echo {words}; echo never"));
        assert_eq!(
            texts(&out),
            ["E:bash: the script was stopped: one command's words would hold more than 4 MiB (the simulator's expansion limit)"]
        );
        assert_eq!(shell.status, 1);
    }
    // Three are allowed: the limit is on the words, not on echo.
    let (out, _) = with_one_mib("echo $x$x $x | wc -c");
    assert_eq!(texts(&out), [((3 << 20) + 2).to_string()]);
    // A million one-letter fields cost more than their letters.
    let (out, _) = run("y=\"a a a a a a a a a a a a a a a a \"\nfor i in $(seq 15); do y=$y$y; done\nfor w in $y; do :; done");
    assert!(
        texts(&out).last().unwrap().contains("expansion limit"),
        "{:?}",
        texts(&out).last()
    );
}

#[test]
fn all_variables_together_are_bounded() {
    let (out, shell) = with_one_mib("for i in $(seq 100); do export v$i=\"$x\"; done; echo never");
    assert_eq!(
        texts(&out).last().unwrap(),
        "E:bash: the script was stopped: the variables would hold more than 64 MiB together (the simulator's variable limit)"
    );
    let held: usize = shell.vars.iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(held <= super::eval::MAX_VARS_BYTES, "{held}");
    assert!(shell.vars.contains_key("v62") && !shell.vars.contains_key("v64"));
    // Unsetting gives the room back; a function's arguments count while it runs.
    let (out, _) = with_one_mib(
        "for i in $(seq 60); do export v$i=\"$x\"; done\nfor i in $(seq 60); do unset v$i; done\nfor i in $(seq 60); do export w$i=\"$x\"; done\nf() { echo $#; }\nf \"$x\" \"$x\"\nf \"$x\" \"$x\" \"$x\"\necho never",
    );
    assert_eq!(
        texts(&out),
        [
            "2",
            "E:bash: the script was stopped: the variables would hold more than 64 MiB together (the simulator's variable limit)"
        ]
    );
}

#[test]
fn malformed_arithmetic_fails_when_it_runs_not_before() {
    assert!(check("echo before; echo $((1 ? 2 : 3))").is_ok());
    let (out, shell) = run("echo before; echo $((1 ? 2 : 3)); echo never");
    assert_eq!(
        texts(&out),
        [
            "before",
            "E:bash: $(( 1 ? 2 : 3 )): '?' is not an arithmetic operator"
        ]
    );
    assert_eq!(shell.status, 1);
    // The tree is built once: a loop reads the variable anew each turn.
    let (out, _) = run("i=0; while [ $i -lt 3 ]; do i=$(( i + 1 )); echo $(( i * i )); done");
    assert_eq!(texts(&out), ["1", "4", "9"]);
    let tree = super::parser::parse("echo $(( (a + 1) * 2 ))").unwrap();
    let super::ast::Command::Simple { words, .. } = &tree.items[0].first.commands[0] else {
        panic!("{tree:?}")
    };
    let super::ast::Part::Arithmetic { tree, .. } = &words[1].parts[0] else {
        panic!("{words:?}")
    };
    assert_eq!(tree.as_ref().unwrap().to_string(), "((a + 1) * 2)");
}
