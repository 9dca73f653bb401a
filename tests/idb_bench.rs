//! In-browser storage benchmark: `bash scripts/bench-browser.sh` runs it in
//! headless Chromium (release build) and prints, from one run:
//! - MB/s of raw batched IndexedDB puts vs the store's write path (target ≥ 0.8×);
//! - MB/s of raw `getAll` reads vs the store's open + replay + read (target ≥ 0.5×);
//! - the time to take a snapshot of a disk with 64 MiB vs 1 GiB written
//!   (target: independent of the amount, under 50 ms).
//!
//! Not part of the test run: timings are figures to read, not assertions.
#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::typed_array::{Uint8Array, Uint8ArraySlice};
use snaplab::storage::{IdbStore, RECORDS};
use snaplab_engine::cmd;
use snaplab_engine::store::{Journal, CHUNK_SIZE};
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{Command, PatternKind, WriteData};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RG: &str = "rg";
const TOTAL: usize = 64 * MIB as usize;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn mbps(bytes: usize, ms: f64) -> f64 {
    bytes as f64 / 1e6 / (ms / 1000.0)
}

async fn raw_db(name: &str) -> Database {
    Database::delete_by_name(name).unwrap().await.unwrap();
    Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store(RECORDS).build()?;
            Ok(())
        })
        .await
        .unwrap()
}

async fn run(store: &IdbStore, journal: &mut Journal, command: Command) {
    let prepared = journal.prepare(command);
    store.commit(&prepared.batch, None).await.unwrap();
    journal.accept(&prepared).unwrap();
}

async fn fresh_store(name: &str) -> (IdbStore, Journal) {
    IdbStore::delete(name).await.unwrap();
    let store = IdbStore::open(name).await.unwrap();
    let opened = Journal::open(&store.load().await.unwrap()).unwrap();
    store.commit(&opened.recovery, None).await.unwrap();
    let mut journal = opened.journal;
    run(
        &store,
        &mut journal,
        Command::CreateGroup(cmd::CreateGroup {
            name: RG.into(),
            location: "westeurope".into(),
        }),
    )
    .await;
    run(
        &store,
        &mut journal,
        Command::CreateDisk(cmd::CreateDisk::premium(RG, "d", 2)),
    )
    .await;
    (store, journal)
}

/// One timing of each path; the benchmark alternates them and keeps medians.
struct Round {
    raw_write: f64,
    raw_read: f64,
    store_write: f64,
    store_read: f64,
}

async fn round(bytes: &[u8], round: usize) -> Round {
    // Raw: the same 64 KiB chunks, all in one readwrite transaction.
    let raw = raw_db(&format!("snaplab-bench-raw-{round}")).await;
    let start = now_ms();
    let tx = raw
        .transaction(RECORDS)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let object_store = tx.object_store(RECORDS).unwrap();
    for (i, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
        object_store
            .put(Uint8ArraySlice::new(chunk))
            .with_key(format!("chunk/{i:08}"))
            .primitive()
            .unwrap();
    }
    tx.commit().await.unwrap();
    let raw_write = now_ms() - start;

    let start = now_ms();
    let read_back: usize = {
        let tx = raw.transaction(RECORDS).build().unwrap();
        let object_store = tx.object_store(RECORDS).unwrap();
        let values: Vec<Uint8Array> = object_store
            .get_all::<Uint8Array>()
            .primitive()
            .unwrap()
            .await
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        values.into_iter().map(|v| Vec::from(v).len()).sum()
    };
    let raw_read = now_ms() - start;
    assert_eq!(read_back, TOTAL);
    raw.close();
    Database::delete_by_name(&format!("snaplab-bench-raw-{round}"))
        .unwrap()
        .await
        .unwrap();

    // The store: one Write command of the same bytes (shared, not copied).
    let name = format!("snaplab-bench-store-{round}");
    let (store, mut journal) = fresh_store(&name).await;
    let data = WriteData::bytes(bytes.to_vec());
    let start = now_ms();
    run(
        &store,
        &mut journal,
        Command::Write(cmd::Write {
            group: RG.into(),
            disk: "d".into(),
            offset: 0,
            data,
        }),
    )
    .await;
    let store_write = now_ms() - start;
    store.close();

    // The store's read path: open, read every record, replay, read the disk's bytes.
    let start = now_ms();
    let store = IdbStore::open(&name).await.unwrap();
    let journal = Journal::open(&store.load().await.unwrap()).unwrap().journal;
    let disk_bytes = journal
        .lab()
        .find_disk(RG, "d")
        .unwrap()
        .data
        .read(0, TOTAL as u64)
        .unwrap();
    let store_read = now_ms() - start;
    assert_eq!(disk_bytes, bytes);
    store.close();
    IdbStore::delete(&name).await.unwrap();
    Round {
        raw_write,
        raw_read,
        store_write,
        store_read,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

#[wasm_bindgen_test]
async fn storage_benchmark() {
    let bytes: Vec<u8> = (0..TOTAL).map(|i| (i * 31 % 251) as u8).collect();
    let mut rounds = Vec::new();
    for r in 0..5 {
        rounds.push(round(&bytes, r).await);
    }
    let raw_write = median(rounds.iter().map(|r| r.raw_write).collect());
    let raw_read = median(rounds.iter().map(|r| r.raw_read).collect());
    let store_write = median(rounds.iter().map(|r| r.store_write).collect());
    let store_read = median(rounds.iter().map(|r| r.store_read).collect());

    // Snapshot time with 64 MiB and with 1 GiB written.
    let mut snapshot_ms = Vec::new();
    for written in [64 * MIB, GIB] {
        let (store, mut journal) = fresh_store("snaplab-bench-snap").await;
        run(
            &store,
            &mut journal,
            Command::Write(cmd::Write {
                group: RG.into(),
                disk: "d".into(),
                offset: 0,
                data: WriteData::Pattern {
                    pattern: PatternKind::Random,
                    seed: 1,
                    length: written,
                },
            }),
        )
        .await;
        let start = now_ms();
        run(
            &store,
            &mut journal,
            Command::CreateSnapshot(cmd::CreateSnapshot {
                group: RG.into(),
                name: "s1".into(),
                source: "d".into(),
                incremental: true,
                sku: None,
                location: None,
                copy_start: false,
            }),
        )
        .await;
        snapshot_ms.push(now_ms() - start);
        assert_eq!(
            journal.lab().find_snapshot(RG, "s1").unwrap().used_bytes(),
            written
        );
        store.close();
    }

    console_log!("snaplab storage benchmark (headless Chromium, 64 MiB in 64 KiB chunks, medians of 5 alternating rounds)");
    console_log!(
        "write: raw batched puts {:.0} MB/s | store write path {:.0} MB/s | ratio {:.2} (target >= 0.8)",
        mbps(TOTAL, raw_write),
        mbps(TOTAL, store_write),
        raw_write / store_write
    );
    console_log!(
        "read:  raw getAll {:.0} MB/s | store open + replay + read {:.0} MB/s | ratio {:.2} (target >= 0.5)",
        mbps(TOTAL, raw_read),
        mbps(TOTAL, store_read),
        raw_read / store_read
    );
    console_log!(
        "snapshot of a disk with 64 MiB written {:.1} ms | with 1 GiB written {:.1} ms (target: independent of the amount, < 50 ms)",
        snapshot_ms[0],
        snapshot_ms[1]
    );
}
