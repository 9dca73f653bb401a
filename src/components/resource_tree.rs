//! The portal's resource tree: subscription → resource groups → disks,
//! snapshots and virtual machines. Picking a disk shows it in the centre.

use snaplab_engine::units::human_bytes;
use yew::prelude::*;

use super::LabAt;
use crate::i18n::use_t;

#[derive(Properties, PartialEq)]
pub struct ResourceTreeProps {
    pub lab: LabAt,
    /// The ARM id of the disk in the centre.
    pub selected: Option<String>,
    pub on_select: Callback<String>,
}

#[function_component(ResourceTree)]
pub fn resource_tree(props: &ResourceTreeProps) -> Html {
    let t = use_t();
    let lab = &props.lab;
    let sub = lab.current_subscription();
    let mut groups: Vec<_> = lab.groups().filter(|g| g.subscription == sub.id).collect();
    groups.sort_by_key(|g| g.name.to_lowercase());
    let in_group = |group: &str, at_group: &str| group.eq_ignore_ascii_case(at_group);
    html! {
        <nav class="tree" aria-label={t("tree.title")}>
            <h2 class="tree-title">{ t("tree.title") }</h2>
            <p class="tree-sub" title={sub.id.clone()}><span class="icon sub" aria-hidden="true"></span>{ &sub.name }</p>
            <ul role="tree" aria-label={sub.name.clone()}>
            { for groups.iter().map(|g| {
                let mut disks: Vec<_> = lab.disks().filter(|d| d.at.subscription == sub.id && in_group(&g.name, &d.at.group)).collect();
                disks.sort_by_key(|d| d.at.name.to_lowercase());
                let mut snapshots: Vec<_> = lab.snapshots().filter(|s| s.at.subscription == sub.id && in_group(&g.name, &s.at.group)).collect();
                snapshots.sort_by_key(|s| s.seq);
                let vms: Vec<_> = lab.vms().filter(|v| v.at.subscription == sub.id && in_group(&g.name, &v.at.group)).collect();
                html! {
                    <li role="treeitem" aria-expanded="true" class="tree-group">
                        <span class="tree-label"><span><span class="icon group" aria-hidden="true"></span>{ &g.name }</span><span class="tree-meta">{ &g.location }</span></span>
                        <ul role="group">
                            { for disks.iter().map(|d| {
                                let id = d.id();
                                let selected = props.selected.as_deref() == Some(id.as_str());
                                let on_select = props.on_select.clone();
                                let pick = id.clone();
                                html! {
                                    <li role="treeitem" aria-selected={selected.to_string()}>
                                        <button type="button" class={classes!("tree-item", selected.then_some("selected"))}
                                            id={format!("tree-disk-{}", d.at.name.to_lowercase())}
                                            aria-current={selected.then_some("true")}
                                            onclick={Callback::from(move |_| on_select.emit(pick.clone()))}>
                                            <span class="icon disk" aria-hidden="true"></span>{ &d.at.name }
                                            <span class="tree-meta">{ human_bytes(d.data.used_bytes()) }</span>
                                        </button>
                                    </li>
                                }
                            }) }
                            { for snapshots.iter().map(|s| html! {
                                <li role="treeitem" class="tree-leaf" title={format!("{} · {}", if s.incremental { t("tree.incremental") } else { t("tree.full") }, s.id())}>
                                    <span class={classes!("icon", "snapshot", (!s.incremental).then_some("full"))} aria-hidden="true"></span>{ &s.at.name }
                                </li>
                            }) }
                            { for vms.iter().map(|v| html! {
                                <li role="treeitem" class="tree-leaf">
                                    <span class="icon vm" aria-hidden="true"></span>{ &v.at.name }
                                    <span class="tree-meta">{ if v.running { t("tree.running") } else { t("tree.deallocated") } }</span>
                                </li>
                            }) }
                        </ul>
                    </li>
                }
            }) }
            </ul>
        </nav>
    }
}
