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
    // A redirection to a file parses; the command fails when it runs.
    assert!(check("az x > out").is_ok());
    let (out, shell) = run("cmd x > out; echo after");
    assert_eq!(
        texts(&out),
        [
            "E:bash: out: the simulator's shell has no files ('1>out' is not run; only /dev/null, 2>&1, >&2, <<EOF and <<< are)",
            "after"
        ]
    );
    assert_eq!(shell.status, 0);
    assert!(check("x=$(echo")
        .unwrap_err()
        .message
        .contains("not closed"));
    assert!(check("echo ${a-b}").is_ok());
    assert!(check("echo ${a").is_err());
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
    assert!(check("echo before; echo $((1 @ 3))").is_ok());
    let (out, shell) = run("echo before; echo $((1 @ 3)); echo never");
    assert_eq!(
        texts(&out),
        [
            "before",
            "E:bash: $(( 1 @ 3 )): '@' is not an arithmetic operator"
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

// ---- bash as bash: the constructs docs scripts use ---------------------------

/// Scripts without az calls whose standard output must be bash's own: each
/// runs through `/bin/bash` (when it is there) and through the simulator.
const DIFFERENTIAL: &[&str] = &[
    // Indexed arrays and their expansions.
    "a=(one two 'three four'); echo ${#a[@]} ${a[1]} \"${a[2]}\"; for x in \"${a[@]}\"; do echo \"[$x]\"; done",
    "a=(x y z); a+=(w); a[7]=q; echo \"${!a[@]}\" / \"${a[*]}\" / ${#a[*]} / ${a[-1]}",
    "a=(); echo \"n=${#a[@]}\"; for x in \"${a[@]}\"; do echo never; done; a[0]=v; echo $a",
    "list='d1 d2  d3'; arr=($list); echo ${#arr[@]}; i=1; echo ${arr[$i]} ${arr[i+1]}",
    "a=(p q r s); echo ${a[@]:1:2}; echo \"${a[@]/q/Q}\"; echo ${#a[0]}",
    // Associative arrays.
    "declare -A m; m[disk1]=snap1; m[disk2]=snap2; echo ${m[disk1]} ${#m[@]}; k=disk2; echo \"${m[$k]}\"",
    "declare -A m=([a]=1 [b]=2); m[a]+=0; echo ${m[a]} ${m[b]}; unset 'm[a]'; echo ${#m[@]} ${m[b]}",
    "declare -A tiers=([P10]=500 [P20]=2300); for t in P10 P20; do echo \"$t ${tiers[$t]}\"; done",
    // Arithmetic: (( )), let, assignments and increments.
    "i=0; (( i++ )); (( i += 5 )); echo $i; (( i > 3 )) && echo big; (( i == 0 )) || echo nonzero",
    "let x=3*4 y=x+1; echo $x $y; let 'z = y % 5'; echo $z; echo $(( x > y ? x : y ))",
    "n=0; for d in a b c; do n=$((n + 1)); done; echo $n; (( n-- )); echo $n; echo $(( ++n * 2 ))",
    "a=(1 2 3); echo $(( ${#a[@]} - 1 )); s=0; for v in \"${a[@]}\"; do (( s += v )); done; echo $s",
    // case
    "for s in Succeeded Failed Running x; do case $s in Succeeded) echo ok;; Failed|Canceled) echo bad;; Run*) echo wait;; *) echo other;; esac; done",
    "state=Unattached; case \"$state\" in\n  Attached)\n    echo in use\n    ;;\n  Unattached|Reserved) echo free ;;\nesac",
    "v=P30; case $v in P[0-9]) echo one;; P[0-9][0-9]) echo two;; esac; case x in '*') echo lit;; *) echo glob;; esac",
    // Here-documents and here-strings.
    "name=disk1\ncat <<EOF\nDisk: $name\n  size: $((4 * 32)) GiB\nEOF\necho after",
    "cat <<'EOF'\nno $expansion here\nEOF\ncat <<-END\n\tindented\n\tEND",
    "while read -r a b; do echo \"$b-$a\"; done <<< 'x 1\ny 2'\nread -r first rest <<< '  p q r  '; echo \"$first|$rest\"",
    "while IFS=, read -r n s; do echo \"$n=$s\"; done <<EOF\ndisk1,128\ndisk2,256\nEOF",
    "printf '%s\\n' a b c | while read -r line; do echo \"<$line>\"; done",
    // Functions with local.
    "x=global; f() { local x=inner; local -a l=(1 2); echo \"$x ${#l[@]} $1\"; }; f arg; echo $x ${#l[@]}",
    "count() { local n=0; for _ in \"$@\"; do (( n++ )); done; echo $n; }; count a b 'c d'; count",
    "f() { echo \"$#:$*\"; shift; echo \"$#:$@\"; }; f 1 2 3",
    // printf
    "printf '%-8s|%5d|%05.1f|%x\\n' disk 42 3.14159 255; printf '%s=%s\\n' a 1 b 2",
    "printf -v out '%03d' 7; echo $out; printf 'no newline'; printf ' then\\n'",
    // [[ =~ ]]
    "id=/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1; if [[ $id =~ resourceGroups/([^/]+)/.*/disks/(.+)$ ]]; then echo ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}; fi",
    "v=abc123; [[ $v =~ ^[a-z]+[0-9]+$ ]] && echo yes; [[ $v =~ \"a.c\" ]] || echo literal; [[ a.c =~ \"a.c\" ]] && echo dot",
    // set -e / -u / -o pipefail
    "set -o pipefail; false | true; echo $?; set +o pipefail; false | true; echo $?",
    "set -u; x=1; echo ${x} ${y:-default}; echo ${z-}; echo end",
    "set -u; echo before; echo $undefined_var; echo never",
    "set -euo pipefail; echo one; true | false; echo never",
    "set -u; declare -A m; m[a]=1; echo \"${m[a]} ${#m[@]}\"; echo \"${m[nope]}\"; echo never",
    // Parameter expansions.
    "v=Premium_LRS; echo ${v:-x} ${u:-x} ${u-y} ${v:+set} ${#v} ${v^^} ${v,,} ${v%%_*} ${v#*_} ${v/LRS/ZRS} ${v//S/s}",
    "f=disk-os-01.vhd; echo ${f%.*} ${f%%-*} ${f##*-} ${f#disk-} ${f:5} ${f:0:4} ${f: -3}",
    "u=; echo \"[${u:=filled}]\" $u; n=name; echo ${n^} ${N:-$n} \"${n/#na/NA}\" \"${n/%me/ME}\"",
    "s='a b  c'; echo \"${s// /_}\"; p='*'; echo \"${s/$p/X}\"; echo \"${s/\"$p\"/X}\"",
    // Redirections the simulator runs.
    "echo hidden >/dev/null; echo shown 2>/dev/null; echo err >&2; x=$(echo captured 2>&1); echo $x",
    // Brace expansion, bash's number bases and bit operators.
    "echo {a,b}{1,2} x{,y}z; echo {5..1} {a..c} {01..03} {1..10..4}; for i in {1..3}; do echo n$i; done",
    "echo \"{a,b}\" '{1..2}' {a} {} {x..} $(( 2**10 )) $(( 5 & 3 | 8 )) $(( ~0 )) $(( 1 << 4 >> 2 )) $(( 010 + 2#101 + 0x10 ))",
    // More of what scripts do with variables and functions.
    "x=\"a-b-c\"; IFS=- read -r p q r <<< \"$x\"; echo \"$p $q $r\"; f() { return 3; }; f; echo $?; f || echo failed",
    "a=(1 2 3); unset a[1]; echo ${#a[@]} ${a[@]}; n=5; while (( n > 0 )); do (( n -= 2 )); done; echo $n",
    "set -e; if false; then :; fi; echo ok1; false || true; echo ok2; f() { false; echo inside; }; f; echo after",
    "text=$(cat <<EOF\nline1\nline2\nEOF\n); echo \"$text\"; m=abc; echo ${m:1} ${m: -1} ${m:0:-1} ${#undefined}",
    // Process substitution into a loop, readarray, indirection, file tests.
    "while read -r d; do echo \"<$d>\"; done < <(printf '%s\\n' d1 d2); readarray -t ids < <(echo x; echo y); echo ${#ids[@]} ${ids[1]}",
    "mapfile -t lines <<< $'a\\nb'; echo ${#lines[@]}; name=target; target=value; echo ${!name}; [ -f /tmp/nope.vhd ] || echo nofile; [[ -e /dev/null ]] && echo devnull",
    // Arrays rebuilt from themselves, positional slices, names in arithmetic.
    "arr=(a b c); arr=(\"${arr[@]/#/pre-}\"); echo \"${arr[@]}\"; a=5; b=a; echo $(( b + 1 )); set -- x y z; echo ${@:2} \"${@:1:2}\"",
    "fib() { local n=$1; if (( n < 2 )); then echo $n; return; fi; local a=$(fib $((n-1))); local b=$(fib $((n-2))); echo $((a+b)); }; fib 10",
    "f() { local x=3; g; }; g() { echo $x; }; x=1; f; echo $x; f() { echo \"$1|$2\"; }; args=(\"a b\" c); f \"${args[@]}\"",
    // Bracket globs in [[ ]], numeric limits of brace ranges and printf.
    "for v in 12 a1 '' 9x; do [[ $v == [0-9]* ]] && echo \"num:$v\"; [[ $v != *[!a-z0-9]* ]] && echo \"ok:$v\"; done; echo {9223372036854775806..9223372036854775807}; printf '%.3d|%.2s\\n' 7 abc",
    // set -e and compound commands that end on an ignored failure.
    "set -e; for x in a; do [[ $x == b ]] && echo; done; echo \"after-for $?\"; if true; then [[ a == b ]] && echo; fi; echo \"after-if $?\"; { false && true; }; echo \"after-group $?\"; (false && true); echo never",
    "set -e; while read -r x; do [[ $x == a ]] && echo $x; done <<< $'a\\nb'; case a in a) false && true;; esac; echo \"after $?\"; f() { [[ a == b ]] && echo; }; f; echo never",
    // Backquotes and $@ in loops.
    "x=`echo back`; echo $x; set -- a 'b c'; for v in \"$@\"; do echo \"<$v>\"; done",
];

/// Standard output as lines (a transcript line may hold several, as
/// `echo "$multiline"` prints them).
fn stdout_lines(out: &[Line]) -> Vec<String> {
    out.iter()
        .filter_map(|l| match l {
            Line::Out(s) => Some(s.split('\n').map(str::to_string).collect::<Vec<_>>()),
            Line::Err(_) => None,
        })
        .flatten()
        .collect()
}

#[test]
fn scripts_print_what_bin_bash_prints() {
    if !std::path::Path::new("/bin/bash").exists() {
        eprintln!("no /bin/bash: the differential cases are skipped");
        return;
    }
    let mut failures = Vec::new();
    for script in DIFFERENTIAL {
        let real = std::process::Command::new("/bin/bash")
            .arg("-c")
            .arg(script)
            .env_clear()
            .output()
            .expect("bash runs");
        let expected: Vec<String> = String::from_utf8_lossy(&real.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let (out, shell) = run(script);
        let got = stdout_lines(&out);
        let status = real.status.code().unwrap_or(-1);
        if got != expected || shell.status != status {
            failures.push(format!(
                "{script}\n  bash:      {expected:?} (status {status})\n  simulator: {got:?} (status {}) {:?}",
                shell.status,
                out.iter()
                    .filter(|l| matches!(l, Line::Err(_)))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_new_constructs_build_printable_trees() {
    assert_eq!(tree("a=(x \"y z\") m[k]=v n+=1"), "a=(x 'y z') m[k]=v n+=1");
    assert_eq!(
        tree("declare -A m=([a]=1 [b]=2)"),
        "declare -A m=([a]=1 [b]=2)"
    );
    assert_eq!(
        tree("case $s in a|b) echo 1;; *) ;; esac"),
        "case ${s} in a|b) echo 1;; *) ;; esac"
    );
    assert_eq!(tree("(( i++ )); let x=1"), "(( i++ )); let x=1");
    assert_eq!(
        tree("echo ${v:-x} ${#a[@]} \"${v%%_*}\""),
        "echo ${v:-x} ${#a[@]} \"${v%%_*}\""
    );
    assert_eq!(
        tree("cat <<EOF\nhi $x\nEOF\necho done"),
        "cat <<EOF 'hi '\"${x}\"'\n' EOF; echo done"
    );
    assert_eq!(
        tree("while read l; do :; done <<< \"$x\" 2>/dev/null"),
        "while read l; do :; done <<< \"${x}\" 2>/dev/null"
    );
    assert_eq!(tree("sleep 1 &\nwait"), "sleep 1; wait");
}

#[test]
fn what_the_simulator_does_not_run_fails_that_command_only() {
    let (out, shell) = run("echo before\necho ${!pre*}\necho after ${x@Q}\necho end");
    assert_eq!(
        texts(&out),
        [
            "before",
            "E:bash: ${!pre*}: bad substitution (names by prefix or an indirect expansion with an operator; not run by the simulator's shell)",
            "E:bash: ${x@Q}: bad substitution (a parameter expansion the simulator does not know; not run by the simulator's shell)",
            "end"
        ]
    );
    assert_eq!(shell.status, 0);
    let (out, _) = run("diff <(echo a) <(echo b); echo next");
    assert_eq!(
        texts(&out),
        [
            "E:bash: <(echo a): process substitution as a file name is not run by the simulator's shell (it has no files; `< <(…)` is)",
            "next"
        ]
    );
    let (out, shell) = run("set -e\necho before\ncat < input.txt\necho never");
    assert_eq!(texts(&out)[0], "before");
    assert!(texts(&out)[1].contains("has no files"), "{out:?}");
    assert_eq!(out.len(), 2);
    assert_eq!(shell.status, 1);
}

#[test]
fn arrays_and_locals_stay_within_the_variable_budget() {
    let (out, shell) = run(
        "declare -A m\nfor i in $(seq 3); do m[k$i]=$i; done\nf() { local -A m=([z]=9); echo ${#m[@]}; }\nf\necho ${#m[@]} ${m[k2]}",
    );
    assert_eq!(texts(&out), ["1", "3 2"]);
    assert_eq!(
        shell.arrays.get("m").map(|a| a.keys()),
        Some(vec!["k1".to_string(), "k2".into(), "k3".into()])
    );
    // A growing array stops at the limit of all variables together.
    let (out, _) = run("x=$(printf '%01000000d' 0)\nwhile :; do a+=(\"$x\"); done");
    assert!(
        texts(&out)
            .last()
            .is_some_and(|l| l.contains("variables would hold more than 64 MiB")),
        "{out:?}"
    );
}

#[test]
fn patterns_over_long_values_are_refused_not_slow() {
    // Plain-text patterns have no limit; wildcards over long values are refused.
    let (out, _) = run(
        "x=$(printf '%060000d' 0)\ny=${x//0/a}; echo ${#y}\necho ${x%%0*}end\necho ${x//0*/b}\necho ok",
    );
    let texts = texts(&out);
    assert_eq!(texts[0], "60000");
    assert!(texts[1].contains("pattern limit"), "{texts:?}");
    assert!(texts[2].contains("pattern limit"), "{texts:?}");
    assert_eq!(texts[3], "ok");
}
