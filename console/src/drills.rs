//! Drills: generated exercises with random parameters, answered by the
//! engine itself, so answers cannot be memorised. A drill is a seed: the
//! same seed gives the same exercise (share it, check it later).

use snaplab_engine::units::MIB;
use snaplab_engine::Lab;

use crate::Console;

/// One exercise: commands that set a lab up, the question, and the answer the engine gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    pub seed: u64,
    pub script: Vec<String>,
    pub question_en: String,
    pub question_sv: String,
    /// The answer, in MiB.
    pub answer_mib: u64,
}

fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

/// "After these writes, how many MiB will the next incremental snapshot bill?"
pub fn next_snapshot_size(seed: u64) -> Drill {
    let mut s = seed | 1;
    let mut script = vec![
        "az group create -n rg -l westeurope -o none".to_string(),
        "az disk create -g rg -n disk1 --size-gb 8 -o none".to_string(),
        format!(
            "sim write -g rg --disk disk1 --offset 0 --length {}M -o none",
            16 + next(&mut s) % 48
        ),
        "az snapshot create -g rg -n snap1 --source disk1 --incremental -o none".to_string(),
    ];
    // A few writes (some overlapping, some identical rewrites) and a TRIM.
    for _ in 0..(2 + next(&mut s) % 3) {
        script.push(format!(
            "sim write -g rg --disk disk1 --offset {}M --length {}M -o none",
            next(&mut s) % 64,
            1 + next(&mut s) % 8
        ));
    }
    script.push(format!(
        "sim trim -g rg --disk disk1 --offset {}M --length {}M -o none",
        next(&mut s) % 64,
        1 + next(&mut s) % 4
    ));
    let mut console = Console::new(Lab::new());
    console.run(&script.join("\n"));
    console.run("az snapshot create -g rg -n snap2 --source disk1 --incremental -o none");
    let answer = console
        .lab
        .find_snapshot("rg", "snap2")
        .map(|s| s.used_bytes() / MIB)
        .unwrap_or(0);
    Drill {
        seed,
        script,
        question_en: "After these commands, how many MiB will the next incremental snapshot of disk1 bill?".into(),
        question_sv: "Efter de här kommandona, hur många MiB fakturerar nästa stegvisa ögonblicksbild av disk1?".into(),
        answer_mib: answer,
    }
}

impl Drill {
    pub fn check(&self, answer_mib: u64) -> bool {
        answer_mib == self.answer_mib
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drills_are_deterministic_vary_with_the_seed_and_are_answered_by_the_engine() {
        let a = next_snapshot_size(42);
        assert_eq!(a, next_snapshot_size(42));
        let answers: std::collections::BTreeSet<u64> =
            (1..40).map(|s| next_snapshot_size(s).answer_mib).collect();
        assert!(answers.len() > 5, "answers vary: {answers:?}");
        // The answer is the used size of the snapshot the engine takes after the script.
        let mut c = Console::new(Lab::new());
        c.run(&a.script.join("\n"));
        c.run("az snapshot create -g rg -n check --source disk1 --incremental -o none");
        assert_eq!(
            c.lab.find_snapshot("rg", "check").unwrap().used_bytes() / MIB,
            a.answer_mib
        );
        assert!(a.check(a.answer_mib) && !a.check(a.answer_mib + 1));
    }
}
