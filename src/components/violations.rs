//! Every refused operation: its Azure-style code, the rule behind it with a
//! one-line explanation, and the simulated time.

use snaplab_engine::events::{Event, Outcome};
use yew::prelude::*;

use crate::i18n::use_t;

/// One line per rule id, for people (the reference sheet's wording, shortened).
pub fn rule_summary(rule: &str) -> &'static str {
    match rule {
        "A4" => "Diffs only between snapshots of one family.",
        "A10" => "A disk is written in 512-byte pages.",
        "B1" => "At most 7 incremental snapshots per disk every 5 minutes.",
        "B2" => "At most 500 incremental snapshots per disk at one time.",
        "B3" => "SAS on at most 5 snapshots of one family at a time.",
        "B4" => "Not movable between subscriptions, nor creatable outside the disk's.",
        "B5" => "Not movable to another resource group; copy instead.",
        "B6" => "No diff across a resize over the 4 TiB boundary.",
        "B7" => "Disks only grow, and not while attached to a running VM.",
        "C1" => "Premium SSD v2 / Ultra snapshots need feature access.",
        "C2" => "Unusable until the background copy completes.",
        "C3" => "At most 3 snapshots pending while a background copy runs.",
        "C4" => "At most 5 disks created at once from one such snapshot.",
        "C5" => "A disk from such a snapshot attaches only once copied.",
        "C6" => "4096-byte sector snapshots create only Ultra / Premium SSD v2 disks.",
        "C7" => "Premium SSD v2 / Ultra snapshots only in some regions.",
        "D3" => "One copy per disk at a time, in creation order, 100 per region.",
        _ => "",
    }
}

#[derive(Properties, PartialEq)]
pub struct ViolationsProps {
    pub events: Vec<Event>,
}

#[function_component(Violations)]
pub fn violations(props: &ViolationsProps) -> Html {
    let t = use_t();
    let refused: Vec<&Event> = props
        .events
        .iter()
        .filter(|e| e.outcome.is_refusal())
        .collect();
    html! {
        <section class="card violations" aria-labelledby="violations-title">
            <h2 id="violations-title">{ t("violations.title") }{ format!(" ({})", refused.len()) }</h2>
            if refused.is_empty() {
                <p class="hint">{ t("violations.none") }</p>
            } else {
                <table class="violations-table">
                    <thead><tr>
                        <th scope="col">{ t("violations.time") }</th><th scope="col">{ t("violations.code") }</th>
                        <th scope="col">{ t("violations.rule") }</th><th scope="col">{ t("violations.message") }</th>
                    </tr></thead>
                    <tbody>
                        { for refused.iter().rev().map(|e| {
                            let Outcome::Refused { code, message, rule, simulated } = &e.outcome else { return html! {} };
                            html! {
                                <tr>
                                    <td class="time">{ e.time.hms() }</td>
                                    <td><code>{ code }</code>{ if *simulated { " (simulated)" } else { "" } }</td>
                                    <td>{ match rule { Some(r) => html! { <><strong>{ r }</strong>{ " " }{ rule_summary(r) }</> }, None => html! { "—" } } }</td>
                                    <td>{ format!("{}: {message}", e.operation) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
