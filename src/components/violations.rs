//! Every refused operation: its Azure-style code, the rule behind it with a
//! one-line explanation, and the simulated time.

use snaplab_engine::events::{Event, Outcome};
use yew::prelude::*;

use crate::i18n::use_t;

/// One line per rule id, from the engine's one table of rules.
pub fn rule_summary(rule: &str) -> &'static str {
    snaplab_engine::rules::rule(rule).map_or("", |r| r.summary)
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
