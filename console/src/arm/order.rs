//! Kahn's topological sort, for variables that use each other and for
//! resources' `dependsOn`: O(n log n + e) for n items and e dependencies
//! (the heap keeps template order among items ready together, as the
//! simulator always has), and on a cycle, one cycle to name.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An order of `0..deps.len()` in which each item comes after the items
/// `deps[item]` names, the earliest ready item first; or, if there is no
/// such order, a cycle: items each depending on the next, the last on the
/// first.
pub fn topological(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (item, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(item);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(item)) = ready.pop() {
        order.push(item);
        for &next in &dependents[item] {
            waiting[next] -= 1;
            if waiting[next] == 0 {
                ready.push(Reverse(next));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every item left waits on another item left: walking from one to a
    // dependency still waiting must come round to an item seen before.
    let mut seen_at = vec![None; n];
    let mut walk = Vec::new();
    let mut at = (0..n).find(|&i| waiting[i] > 0).expect("an item left");
    while seen_at[at].is_none() {
        seen_at[at] = Some(walk.len());
        walk.push(at);
        at = *deps[at]
            .iter()
            .find(|&&d| waiting[d] > 0)
            .expect("an item left waits on another");
    }
    Err(walk.split_off(seen_at[at].expect("seen")))
}

#[cfg(test)]
mod tests {
    use super::topological;

    #[test]
    fn dependencies_first_then_template_order() {
        // 0 needs 3; 1 and 2 need nothing; 3 needs 2.
        assert_eq!(
            topological(&[vec![3], vec![], vec![], vec![2]]),
            Ok(vec![1, 2, 3, 0])
        );
        assert_eq!(
            topological(&[vec![], vec![0, 0]]),
            Ok(vec![0, 1]),
            "a dependency named twice"
        );
    }

    #[test]
    fn a_cycle_is_named_not_what_hangs_off_it() {
        // 0 needs 1, 1 needs 2, 2 needs 1; 3 is free.
        assert_eq!(
            topological(&[vec![1], vec![2], vec![1], vec![]]),
            Err(vec![1, 2])
        );
        assert_eq!(topological(&[vec![0]]), Err(vec![0]));
    }

    #[test]
    fn a_long_chain_is_linear() {
        let n = 200_000;
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let started = std::time::Instant::now();
        assert_eq!(topological(&deps).unwrap().len(), n);
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    }
}
