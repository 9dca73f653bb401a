//! Fault injection for demos, each showing what the real system promises:
//! a full quota (the operation fails, nothing changes), the tab closing in
//! the middle of an operation (the next load shows the state before it),
//! and a writer during a cross-region copy (the copy holds the snapshot's
//! point in time, not the new writes).

use yew::prelude::*;

use super::LabAt;
use crate::i18n::use_t;
use crate::services::lab_store::Fault;
use crate::state::{Action, Work};

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub lab: LabAt,
    /// Arms a fault in the storage service's plan for its next store.
    pub arm: Callback<Fault>,
    pub dispatch: Callback<Action>,
}

#[function_component(Faults)]
pub fn faults(props: &FaultsProps) -> Html {
    let t = use_t();
    let quota = {
        let (arm, dispatch, message) =
            (props.arm.clone(), props.dispatch.clone(), t("faults.armed"));
        Callback::from(move |_| {
            arm.emit(Fault::Quota);
            dispatch.emit(Action::Notice(Ok(message.into())));
        })
    };
    let crash = {
        let (arm, dispatch, message) = (
            props.arm.clone(),
            props.dispatch.clone(),
            t("faults.crashArmed"),
        );
        Callback::from(move |_| {
            arm.emit(Fault::CloseTab);
            dispatch.emit(Action::Notice(Ok(message.into())));
        })
    };
    let writer = {
        let (lab, dispatch) = (props.lab.clone(), props.dispatch.clone());
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
            let name = format!("copy-demo-{}", lab.operations());
            let script = format!(
                "sim write -g {g} --disk {d} --offset 0 --length 8M --seed 11 -o none\n\
                 az snapshot create -g {g} -n {name} --source {d} --incremental -o none\n\
                 id=$(az snapshot show -g {g} -n {name} --query id -o tsv)\n\
                 az snapshot create -g {g} -n {name}-{target} --source $id -l {target} --incremental true --copy-start true -o none\n\
                 sim write -g {g} --disk {d} --offset 0 --length 8M --seed 12 -o none\n\
                 sim clock advance 1m -o none"
            );
            dispatch.emit(Action::Queue(Work::Demo {
                script,
                success: format!("{name}-{target} finished copying while {d} was being written: it holds {name}'s point in time, not the new writes (restore it to compare)."),
            }));
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
