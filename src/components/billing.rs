//! Billing (rule A6): used size per snapshot, the daily consumed quantity
//! (used GiB / 31), cost per day and per month at sample prices, the same
//! snapshots costed as full ones, and the cost per day over simulated time.

use snaplab_engine::billing::{Bill, PriceTable};
use snaplab_engine::units::human_bytes;
use snaplab_engine::Lab;
use yew::prelude::*;

use super::LabAt;
use crate::i18n::{use_t, Lang};

#[derive(Properties, PartialEq)]
pub struct BillingProps {
    pub lab: LabAt,
}

/// (simulated ms, cost a day, cost a day had they been full): the lab's
/// start, each change of the cost (kept by the engine as the log grows, so
/// drawing it never replays the log), and now; drawn as steps, since the
/// cost holds until the next change.
pub fn cost_history(lab: &Lab) -> Vec<(u64, f64, f64)> {
    let mut points = vec![(snaplab_engine::clock::LAB_EPOCH.0, 0.0, 0.0)];
    for p in lab.cost_history() {
        let (_, daily, full) = *points.last().expect("starts with one");
        points.push((p.at.0, daily, full));
        points.push((p.at.0, p.daily_cost, p.full_equivalent_daily_cost));
    }
    let (_, daily, full) = *points.last().expect("starts with one");
    points.push((lab.now().0, daily, full));
    points
}

fn money(lang: Lang, v: f64) -> String {
    format!("${}", crate::i18n::number(lang, v, 4))
}

#[function_component(Billing)]
pub fn billing(props: &BillingProps) -> Html {
    let t = use_t();
    let lang = use_context::<Lang>().unwrap_or_default();
    let prices = PriceTable::default();
    let bill: Bill = props.lab.bill(&prices);
    let history = use_memo(props.lab.revision, |_| cost_history(&props.lab));
    let (w, h) = (600.0, 120.0);
    let (t0, t1) = (
        history.first().map_or(0, |p| p.0),
        history
            .last()
            .map_or(1, |p| p.0)
            .max(history.first().map_or(0, |p| p.0) + 1),
    );
    let top = history.iter().map(|p| p.2.max(p.1)).fold(0.0001, f64::max);
    let line = |pick: fn(&(u64, f64, f64)) -> f64| {
        history
            .iter()
            .map(|p| {
                format!(
                    "{:.1},{:.1}",
                    (p.0 - t0) as f64 / (t1 - t0) as f64 * w,
                    h - pick(p) / top * h
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <section class="card billing" aria-labelledby="billing-title">
            <h2 id="billing-title">{ t("billing.title") }</h2>
            <p class="hint">{ t("billing.sample") }{ format!(" ({})", prices.currency) }</p>
            <table class="snapshots billing-table">
                <thead><tr>
                    <th scope="col">{ t("snapshots.name") }</th><th scope="col">{ t("snapshots.used") }</th>
                    <th scope="col">{ t("snapshots.quantity") }</th><th scope="col">{ t("billing.perDay") }</th>
                    <th scope="col">{ t("billing.asFull") }</th>
                </tr></thead>
                <tbody>
                    { for bill.snapshots.iter().map(|l| html! {
                        <tr id={format!("bill-{}", l.name.to_lowercase())}>
                            <th scope="row">{ &l.name }</th>
                            <td class="num">{ human_bytes(l.used_bytes) }</td>
                            <td class="num quantity">{ crate::i18n::number(lang, l.daily_quantity, 4) }</td>
                            <td class="num">{ money(lang, l.daily_cost) }</td>
                            <td class="num">{ format!("{} · {}", human_bytes(l.full_equivalent_bytes), money(lang, l.full_equivalent_daily_cost)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <dl class="facts">
                // Keyed by the figure: a new one mounts afresh, and its "tick" plays.
                <dt>{ t("billing.perDay") }</dt><dd id="bill-day"><span class="tick" key={money(lang, bill.daily_cost)}>{ money(lang, bill.daily_cost) }</span></dd>
                <dt>{ t("billing.perMonth") }</dt><dd id="bill-month"><span class="tick" key={money(lang, bill.monthly_cost)}>{ money(lang, bill.monthly_cost) }</span></dd>
                <dt>{ t("billing.asFull") }</dt><dd id="bill-full-month">{ format!("{} / {}", money(lang, bill.full_equivalent_monthly_cost), t("billing.perMonth").to_lowercase()) }</dd>
                <dt>{ t("billing.saving") }</dt><dd id="bill-saving">{ money(lang, bill.monthly_saving()) }</dd>
            </dl>
            <h3>{ t("billing.history") }</h3>
            <svg class="chart" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={t("billing.history")}>
                <polyline class="full" points={line(|p| p.2)} />
                <polyline class="incremental" points={line(|p| p.1)} />
            </svg>
            <ul class="legend">
                <li><span class="swatch line-incremental"></span>{ t("wizard.incremental") }</li>
                <li><span class="swatch line-full"></span>{ t("billing.asFull") }</li>
            </ul>
        </section>
    }
}
