//! A script run on a staged journal stores, as one batch, exactly what
//! committing its commands one by one stores; and the transcript is the
//! lab's real outcome (the app relies on both).

use snaplab_console::{Console, Memory, Staged};
use snaplab_engine::store::{BlockStore, Journal, MemoryStore, Session};

const SCRIPT: &str = "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 4 --sku Premium_LRS -o none
sim write -g rg --disk d --offset 0 --length 1M --seed 1 -o none
az snapshot create -g rg -n s1 --source d --incremental -o none
sim write -g rg --disk d --offset 0 --length 64K --seed 2 -o none
az snapshot create -g rg -n s2 --source d --incremental -o none
az snapshot delete -g rg -n s1
az disk update -g rg -n d --size-gb 2";

#[test]
fn a_staged_script_is_one_batch_equal_to_committing_each_command() {
    // One by one, as a session commits.
    let mut one_by_one = Session::open(MemoryStore::new()).unwrap();
    let mut reference = Console::new(snaplab_engine::Lab::new());
    reference.run(SCRIPT);
    for command in reference.executed.clone() {
        let _ = one_by_one.execute(command);
    }

    // Staged, then one commit.
    let opened = Journal::open(&Default::default()).unwrap();
    let mut store = MemoryStore::new();
    store.commit(opened.recovery).unwrap();
    let mut console = Console::with_memory(Staged::new(opened.journal), Memory::default());
    let t = console.run(SCRIPT);
    assert_eq!(t.status, 1, "the shrink is refused (B7): {}", t.stderr());
    assert!(t.stderr().contains("rule B7"));
    let (staged, _, executed) = console.into_parts();
    assert_eq!(staged.count, 8);
    assert_eq!(executed.len(), 8);
    store.commit(staged.batch).unwrap();

    assert_eq!(
        store.records(),
        one_by_one.store().records(),
        "the same records"
    );
    let reopened = Journal::open(store.records()).unwrap().journal;
    assert_eq!(
        format!("{:?}", reopened.lab().events().collect::<Vec<_>>()),
        format!("{:?}", staged.journal.lab().events().collect::<Vec<_>>())
    );
}

#[test]
fn the_console_remembers_variables_between_runs_through_its_memory() {
    let opened = Journal::open(&Default::default()).unwrap();
    let mut first = Console::with_memory(Staged::new(opened.journal), Memory::default());
    first.run("rg=rg-mem\naz group create -n $rg -l westeurope -o none");
    first.run_pwsh("$name = 'd1'");
    let (staged, memory, _) = first.into_parts();
    let mut second = Console::with_memory(staged, memory);
    let t = second.run("az disk create -g $rg -n d1 --size-gb 1 -o none && echo ok");
    assert_eq!(t.stdout(), "ok\n", "{}", t.stderr());
    let t = second.run_pwsh("Write-Output $name");
    assert_eq!(t.stdout(), "d1\n");
}
