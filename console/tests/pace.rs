//! A running script pauses when its pacer says so (the browser draws its
//! output meanwhile) and stops on Stop, as Ctrl+C stops a script in Cloud
//! Shell: what ran before stays done, nothing after it runs.

use std::cell::RefCell;
use std::rc::Rc;

use snaplab_console::pace::{finish, Go, Pacer, Pause, Progress, StopAfter};
use snaplab_console::{Console, Language, Line};

const LOOP: &str = "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 4 -o none
for i in $(seq 1 50); do
  az snapshot create -g rg -n s$i --source d --incremental -o none && echo made s$i
  sleep 60
done
echo finished";

const PS_LOOP: &str = "foreach ($i in @(1, 2, 3, 4, 5, 6, 7, 8)) { Write-Output \"turn $i\" }
Write-Output 'finished'";

/// Records what each pause saw, and pauses every `every` commands.
struct Watch {
    every: usize,
    seen: Rc<RefCell<Vec<(usize, usize, usize)>>>,
}

impl Pacer for Watch {
    fn pace(&mut self, p: Progress<'_>) -> Option<Pause> {
        if !p.steps.is_multiple_of(self.every) {
            return None;
        }
        self.seen
            .borrow_mut()
            .push((p.steps, p.commands, p.lines.len()));
        Some(Box::pin(std::future::ready(Go::On)))
    }
}

fn snapshots(console: &Console) -> usize {
    console.lab.snapshots().count()
}

#[test]
fn a_pacer_sees_the_output_grow_while_the_loop_runs() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut console = Console::new(snaplab_engine::Lab::new());
    let mut pacer = Watch {
        every: 10,
        seen: seen.clone(),
    };
    let t = finish(console.run_paced(Language::Bash, LOOP, &mut pacer));
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert_eq!(t.lines.last(), Some(&Line::Out("finished".into())));
    let seen = seen.borrow();
    assert!(seen.len() >= 5, "paused {} times", seen.len());
    // Progress only grows, and the output was there to draw before the end.
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    let (_, commands, lines) = seen[seen.len() / 2];
    assert!(commands > 2 && commands < 102, "{commands}");
    assert!(lines > 0 && lines < 50, "{lines}");
}

#[test]
fn stop_ends_a_bash_loop_keeping_what_ran_before_it() {
    let mut console = Console::new(snaplab_engine::Lab::new());
    let mut pacer = StopAfter {
        after: 40,
        paced: 0,
    };
    let t = finish(console.run_paced(Language::Bash, LOOP, &mut pacer));
    assert_eq!(t.status, 130, "bash's status after Ctrl+C");
    let last = t.lines.last().unwrap();
    assert!(
        matches!(last, Line::Err(l) if l.starts_with("^C")),
        "{last:?}"
    );
    assert!(!t.stdout().contains("finished"));
    let made = snapshots(&console);
    assert!(made > 0 && made < 50, "{made} snapshots");
    assert_eq!(t.stdout().matches("made s").count(), made);
    // The console goes on afterwards, with `$?` set as bash sets it.
    let t = console.run("echo $?; echo $i");
    assert_eq!(t.stdout(), format!("130\n{made}\n"));
}

#[test]
fn stop_ends_a_powershell_script_too() {
    let mut console = Console::new(snaplab_engine::Lab::new());
    let mut pacer = StopAfter { after: 4, paced: 0 };
    let t = finish(console.run_paced(Language::PowerShell, PS_LOOP, &mut pacer));
    assert_eq!(t.status, 1);
    assert!(t.stderr().starts_with("^C"), "{}", t.stderr());
    let out = t.stdout();
    assert!(out.contains("turn 1") && !out.contains("turn 8"), "{out}");
    assert!(!out.contains("finished"));
}

#[test]
fn without_a_pause_the_same_script_runs_to_its_end() {
    let mut console = Console::new(snaplab_engine::Lab::new());
    let t = console.run_in(Language::Bash, LOOP);
    assert_eq!(t.status, 0);
    assert_eq!(snapshots(&console), 50);
}
