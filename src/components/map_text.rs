//! The block map and the snapshot chain in words, for screen readers: what
//! is written, what changed since the last snapshot, and what each snapshot
//! holds. Derived from the same data the canvases draw (the disk and its
//! chain's layers), so the text and the picture cannot disagree.

use snaplab_engine::model::Disk;
use snaplab_engine::units::human_bytes;
use yew::prelude::*;

use super::block_map::{Layer, LayerKind};
use crate::i18n::{number, tr, Lang};

/// "Disk disk1: 3 written ranges, 65 MiB in use; 1 MiB changed since
/// snapshot snapshot-a." (the disk's last incremental snapshot).
pub fn map_summary(lang: Lang, disk: &Disk, layers: &[Layer]) -> String {
    let t = |key: &str| tr(lang, key);
    let since = layers
        .iter()
        .rev()
        // Changes count from the last incremental snapshot (a full one
        // starts no new delta: the pending layer draws the same).
        .find(|l| l.kind == LayerKind::Incremental)
        .map_or_else(
            || t("map.sinceCreated").to_string(),
            |l| t("map.sinceSnapshot").replace("{name}", &l.label),
        );
    let ranges = disk.data.page_map().written_ranges().len();
    t("map.summary")
        .replace("{disk}", &disk.at.name)
        .replace("{ranges}", &number(lang, ranges as f64, 0))
        .replace("{used}", &human_bytes(disk.data.used_bytes()))
        .replace("{changed}", &human_bytes(disk.changed.page_count() * 512))
        .replace("{since}", &since)
}

/// "Snapshot chain, oldest first: snapshot-a (incremental) holds 64 MiB;
/// for the next incremental snapshot: 1 MiB." `None` without a snapshot or a change.
pub fn chain_summary(lang: Lang, layers: &[Layer]) -> Option<String> {
    let t = |key: &str| tr(lang, key);
    let items: Vec<String> = layers
        .iter()
        .map(|l| {
            let used = human_bytes(l.used);
            match l.kind {
                LayerKind::Pending => t("chain.pending").replace("{used}", &used),
                kind => t("chain.holds")
                    .replace("{name}", &l.label)
                    .replace(
                        "{kind}",
                        t(if kind == LayerKind::Full {
                            "tree.full"
                        } else {
                            "tree.incremental"
                        }),
                    )
                    .replace("{used}", &used),
            }
        })
        .collect();
    (!items.is_empty()).then(|| format!("{} {}.", t("chain.summary"), items.join("; ")))
}

/// The two descriptions, hidden from the eye (the canvases show them) and
/// referred to by the canvases' `aria-describedby`.
pub fn described(lang: Lang, id: &str, disk: &Disk, layers: &[Layer]) -> Html {
    html! {
        <div class="visually-hidden">
            <p id={format!("{id}-summary")}>{ map_summary(lang, disk, layers) }</p>
            if let Some(chain) = chain_summary(lang, layers) {
                <p id={format!("{id}-chain-summary")}>{ chain }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use snaplab_engine::{cmd, Command, PatternKind, WriteData};

    use super::*;
    use crate::components::chain::chain_layers;

    fn write(offset: u64, length: u64) -> Command {
        Command::Write(cmd::Write {
            group: "rg".into(),
            disk: "d".into(),
            offset,
            data: WriteData::Pattern {
                pattern: PatternKind::Fill,
                seed: 1,
                length,
            },
        })
    }

    #[test]
    fn the_text_says_what_the_map_and_the_chain_draw() {
        let mut lab = snaplab_engine::testkit::lab_with_disk("rg", "d", 4);
        let text = |lab: &snaplab_engine::Lab, lang| {
            let disk = lab.find_disk("rg", "d").unwrap();
            let layers = chain_layers(lab, disk);
            (
                map_summary(lang, disk, &layers),
                chain_summary(lang, &layers),
            )
        };
        assert_eq!(
            text(&lab, Lang::En),
            (
                "Disk d: 0 written ranges, 0 B in use; 0 B changed since it was created.".into(),
                None
            )
        );
        for c in [
            write(0, 64 << 20),
            snaplab_engine::testkit::snapshot("rg", "s1", "d"),
            write(1 << 30, 1 << 20),
            write(2 << 30, 1 << 20),
        ] {
            lab.execute(c).unwrap();
        }
        let (map, chain) = text(&lab, Lang::En);
        assert_eq!(
            map,
            "Disk d: 3 written ranges, 66 MiB in use; 2 MiB changed since snapshot s1."
        );
        assert_eq!(
            chain.as_deref(),
            Some("Snapshot chain, oldest first: s1 (incremental) holds 64 MiB; for the next incremental snapshot: 2 MiB.")
        );
        lab.execute(snaplab_engine::testkit::full_snapshot("rg", "f", "d"))
            .unwrap();
        let (map, chain) = text(&lab, Lang::Sv);
        assert_eq!(
            map,
            "Disk d: 3 skrivna områden, 66 MiB används; 2 MiB ändrat sedan ögonblicksbilden s1."
        );
        assert_eq!(
            chain.as_deref(),
            Some("Ögonblicksbildskedjan, äldst först: s1 (stegvis) håller 64 MiB; f (fullständig) håller 66 MiB; till nästa stegvisa ögonblicksbild: 2 MiB.")
        );
    }
}
