//! Fault injection for demos, each showing what the real system promises:
//! a full quota (the operation fails, nothing changes), the tab closing in
//! the middle of an operation (the next load shows the state before it),
//! and a writer during a cross-region copy (the copy holds the snapshot's
//! point in time, not the new writes).

use std::cell::Cell;
use std::rc::Rc;

use snaplab_console::Console;
use snaplab_engine::Lab;
use yew::prelude::*;

use super::Submit;
use crate::i18n::use_t;
use crate::state::Action;
use crate::storage::IdbStore;

#[derive(Properties)]
pub struct FaultsProps {
    pub lab: Lab,
    pub store: Rc<std::cell::RefCell<Option<Rc<IdbStore>>>>,
    /// Set: the next commit stores its chunks but not its log entry, then reloads.
    pub crash_next: Rc<Cell<bool>>,
    pub submit: Submit,
    pub dispatch: Callback<Action>,
}

impl PartialEq for FaultsProps {
    fn eq(&self, other: &Self) -> bool {
        self.lab.log().len() == other.lab.log().len()
    }
}

#[function_component(Faults)]
pub fn faults(props: &FaultsProps) -> Html {
    let t = use_t();
    let quota = {
        let (store, dispatch, message) = (
            props.store.clone(),
            props.dispatch.clone(),
            t("faults.armed"),
        );
        Callback::from(move |_| {
            if let Some(store) = store.borrow().as_ref() {
                store.fail_on_put(Some(1));
                dispatch.emit(Action::Notice(Ok(message.into())));
            }
        })
    };
    let crash = {
        let (flag, dispatch, message) = (
            props.crash_next.clone(),
            props.dispatch.clone(),
            t("faults.crashArmed"),
        );
        Callback::from(move |_| {
            flag.set(true);
            dispatch.emit(Action::Notice(Ok(message.into())));
        })
    };
    let writer = {
        let (lab, submit, dispatch) = (
            props.lab.clone(),
            props.submit.clone(),
            props.dispatch.clone(),
        );
        Callback::from(move |_| {
            // Snapshot, start a copy, write during it, and let it finish.
            let Some(disk) = lab.disks().next() else {
                return;
            };
            let (g, d) = (disk.at.group.clone(), disk.at.name.clone());
            let target = if disk.at.location == "northeurope" {
                "westeurope"
            } else {
                "northeurope"
            };
            let mut console = Console::new(lab.clone());
            let name = format!("copy-demo-{}", lab.log().len());
            let script = format!(
                "sim write -g {g} --disk {d} --offset 0 --length 8M --seed 11 -o none\n\
                 az snapshot create -g {g} -n {name} --source {d} --incremental -o none\n\
                 id=$(az snapshot show -g {g} -n {name} --query id -o tsv)\n\
                 az snapshot create -g {g} -n {name}-{target} --source $id -l {target} --incremental true --copy-start true -o none\n\
                 sim write -g {g} --disk {d} --offset 0 --length 8M --seed 12 -o none\n\
                 sim clock advance 1m -o none"
            );
            let result = console.run(&script);
            for command in console.executed {
                submit.emit(command);
            }
            let message = if result.status == 0 {
                Ok(format!("{name}-{target} finished copying while {d} was being written: it holds {name}'s point in time, not the new writes (restore it to compare)."))
            } else {
                Err(crate::state::Refusal {
                    code: "DemoFailed".into(),
                    message: result.stderr(),
                    rule: None,
                })
            };
            dispatch.emit(Action::Notice(message));
        })
    };
    html! {
        <section class="card faults" aria-labelledby="faults-title">
            <h2 id="faults-title">{ t("faults.title") }</h2>
            <div class="actions">
                <button type="button" onclick={quota}>{ t("faults.quota") }</button>
                <button type="button" onclick={crash}>{ t("faults.crash") }</button>
                <button type="button" onclick={writer}>{ t("faults.writer") }</button>
            </div>
        </section>
    }
}
