//! Browser tests: run in headless Chromium through wasm-bindgen-test-runner
//! (`scripts/test.sh` runs them). The engine in wasm, the lab in IndexedDB
//! (write/read/snapshot/restore, reopen, aborted operations, GC, quota,
//! export/import), and the Yew app mounting.
#![cfg(target_arch = "wasm32")]

use snaplab_engine::cmd;
use std::collections::BTreeSet;

use snaplab::storage::IdbStore;
use snaplab_engine::store::{self, Journal, CHUNK_SIZE};
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{Command, DiskData, Lab, PatternKind, WriteData};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RG: &str = "rg";

fn bytes_write(disk: &str, offset: u64, bytes: Vec<u8>) -> Command {
    Command::Write(cmd::Write {
        group: RG.into(),
        disk: disk.into(),
        offset,
        data: WriteData::bytes(bytes),
    })
}

fn snapshot(name: &str, disk: &str) -> Command {
    Command::CreateSnapshot(cmd::CreateSnapshot {
        group: RG.into(),
        name: name.into(),
        source: disk.into(),
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    })
}

fn setup() -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: RG.into(),
            location: "westeurope".into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium(RG, "d", 4)),
    ]
}

/// Everything a user can see of a lab (first 4 MiB of each disk and snapshot, by hash).
fn picture(lab: &Lab) -> String {
    let hash = snaplab_engine::checksum::stable_hash_bytes;
    let mut out = format!("{:?} log={}\n", lab.now(), lab.operations());
    for d in lab.disks() {
        out += &format!(
            "disk {} {} {} {:x}\n",
            d.at.name,
            d.unique_id,
            d.data.used_bytes(),
            hash(&d.data.read(0, 4 * MIB).unwrap())
        );
    }
    for s in lab.snapshots() {
        let mut bytes = vec![0; 4 * MIB as usize];
        s.content.read_into(0, &mut bytes);
        out += &format!(
            "snap {} {} {} {:x}\n",
            s.at.name,
            s.unique_id,
            s.used_bytes(),
            hash(&bytes)
        );
    }
    out
}

/// Opens `name` fresh: deleted first, then opened and replayed.
async fn fresh(name: &str) -> (IdbStore, Journal) {
    IdbStore::delete(name).await.unwrap();
    reopen(name).await
}

/// A fresh database holding group `rg` and disk `d`.
async fn fresh_lab(name: &str) -> (IdbStore, Journal) {
    let (store, mut journal) = fresh(name).await;
    for c in setup() {
        run(&store, &mut journal, c).await.unwrap();
    }
    (store, journal)
}

/// Closes and reopens `name`, checks the lab looks as `expected`, and deletes it.
async fn assert_reopens_as(store: IdbStore, name: &str, expected: &str) {
    store.close();
    let (store, journal) = reopen(name).await;
    assert_eq!(
        picture(journal.lab()),
        expected,
        "after closing and reopening the database"
    );
    store.close();
    IdbStore::delete(name).await.unwrap();
}

async fn reopen(name: &str) -> (IdbStore, Journal) {
    let store = IdbStore::open(name).await.unwrap();
    let opened = Journal::open(&store.load().await.unwrap()).unwrap();
    store.commit(&opened.recovery, None).await.unwrap();
    (store, opened.journal)
}

async fn run(store: &IdbStore, journal: &mut Journal, command: Command) -> Result<String, String> {
    let prepared = journal.prepare(command);
    store
        .commit(&prepared.batch, None)
        .await
        .map_err(|e| e.to_string())?;
    journal.accept(&prepared).map_err(|e| e.to_string())
}

#[wasm_bindgen_test]
async fn a_lab_opens_from_its_checkpoint_reading_only_the_log_after_it_then_the_rest() {
    let name = "snaplab-test-recent";
    let (store, mut journal) = fresh_lab(name).await;
    journal.set_checkpoint_every(4);
    // Real bytes, each place written three times: older blobs are freed.
    for i in 0..9u64 {
        let c = bytes_write("d", (i % 3) * 4096, vec![i as u8 + 1; 4096]);
        run(&store, &mut journal, c).await.unwrap();
    }
    let expected = picture(journal.lab());
    store.close();

    let store = IdbStore::open(name).await.unwrap();
    assert_eq!(store.mark().await.unwrap().1, 11);
    let recent = store.load_recent().await.unwrap();
    let logged: Vec<&String> = recent.keys().filter(|k| k.starts_with("log/")).collect();
    assert_eq!(
        logged,
        [8, 9, 10, 11]
            .map(store::log_key)
            .iter()
            .collect::<Vec<_>>(),
        "only the log from the newest checkpoint on is read"
    );
    assert!(recent.contains_key("meta/schema") && recent.keys().any(|k| k.starts_with("chunk/")));
    let mut opened = Journal::open(&recent).unwrap();
    assert_eq!(opened.from_checkpoint, Some(8));
    assert!(opened.recovery.is_empty(), "{:?}", opened.recovery);
    assert_eq!(picture(opened.journal.lab()), expected);
    assert_eq!(opened.journal.lab().log().len(), 3);

    let older = store.load_older(8).await.unwrap();
    assert_eq!(older.keys().filter(|k| k.starts_with("log/")).count(), 8);
    opened.journal.attach_older(&older).unwrap();
    assert_eq!(opened.journal.lab().log().len(), 11);
    assert_eq!(
        opened
            .journal
            .lab()
            .log()
            .map(|c| c.operation())
            .collect::<Vec<_>>(),
        journal
            .lab()
            .log()
            .map(|c| c.operation())
            .collect::<Vec<_>>()
    );
    // And the whole read still opens to the same lab.
    let whole = Journal::open(&store.load().await.unwrap()).unwrap().journal;
    assert_eq!(picture(whole.lab()), expected);
    store.close();
    IdbStore::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
fn engine_writes_and_reads_pages_in_wasm() {
    let mut disk = DiskData::new(32_767, 512).unwrap();
    disk.write(GIB, &[0x5A; 1024]).unwrap();
    disk.write_pattern(10 * GIB, 64 * MIB, PatternKind::Fill, 0xC3)
        .unwrap();
    disk.clear(10 * GIB, 512).unwrap();
    assert_eq!(disk.read(GIB, 1024).unwrap(), vec![0x5A; 1024]);
    assert_eq!(disk.read(10 * GIB, 512).unwrap(), vec![0; 512]);
    assert_eq!(disk.read(10 * GIB + 512, 512).unwrap(), vec![0xC3; 512]);
    assert_eq!(disk.used_bytes(), 1024 + 64 * MIB - 512);
    assert_eq!(
        disk.write(7, &[1; 512]).unwrap_err().code(),
        "InvalidPageRange"
    );
}

#[wasm_bindgen_test]
async fn write_snapshot_restore_survive_closing_and_reopening_the_database() {
    let name = "snaplab-test-reopen";
    let (store, mut journal) = fresh_lab(name).await;
    let upload: Vec<u8> = (0..300 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    run(&store, &mut journal, bytes_write("d", 0, upload.clone()))
        .await
        .unwrap();
    run(&store, &mut journal, snapshot("s1", "d"))
        .await
        .unwrap();
    run(&store, &mut journal, bytes_write("d", 512, vec![9; 512]))
        .await
        .unwrap();
    run(
        &store,
        &mut journal,
        Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
            group: RG.into(),
            name: "r".into(),
            source: "s1".into(),
            sku: None,
            size_gib: None,
        }),
    )
    .await
    .unwrap();
    run(
        &store,
        &mut journal,
        Command::AdvanceClock(cmd::AdvanceClock { millis: 3_600_000 }),
    )
    .await
    .unwrap();
    let before = picture(journal.lab());
    store.close();

    let (store, journal) = reopen(name).await;
    assert_eq!(
        picture(journal.lab()),
        before,
        "every byte and property after reopening"
    );
    let restored = journal.lab().find_disk(RG, "r").unwrap();
    assert_eq!(
        restored.data.read(0, upload.len() as u64).unwrap(),
        upload,
        "the restore holds the snapshot's bytes"
    );
    // Stored as 64 KiB Uint8Array chunks, not JSON.
    let records = store.load().await.unwrap();
    let chunks: Vec<_> = records.keys().filter(|k| k.starts_with("chunk/")).collect();
    assert_eq!(
        chunks.len(),
        5 + 1,
        "300 KiB in 5 chunks, and one for the 512-byte write"
    );
    assert_eq!(records[chunks[0]].len(), CHUNK_SIZE);
    store.close();
    IdbStore::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_quota_error_leaves_the_stored_lab_as_before_the_operation() {
    let name = "snaplab-test-quota";
    let (store, mut journal) = fresh_lab(name).await;
    run(&store, &mut journal, bytes_write("d", 0, vec![1; 4096]))
        .await
        .unwrap();
    let before = picture(journal.lab());
    let records_before = store.load().await.unwrap();

    // The 2nd put of the next operation fails, as a full disk would.
    store.fail_on_put(Some(2));
    let err = run(
        &store,
        &mut journal,
        bytes_write("d", 8192, vec![2; 200 * 1024]),
    )
    .await
    .unwrap_err();
    assert!(err.contains("QuotaExceededError"), "{err}");
    assert_eq!(
        picture(journal.lab()),
        before,
        "the lab in memory is as before"
    );
    assert_eq!(
        store.load().await.unwrap(),
        records_before,
        "the stored records are as before"
    );
    store.fail_on_put(None);
    assert_reopens_as(store, name, &before).await;
}

#[wasm_bindgen_test]
async fn an_upload_interrupted_before_its_commit_record_is_rolled_back() {
    let name = "snaplab-test-interrupted";
    let (store, mut journal) = fresh_lab(name).await;
    let before = picture(journal.lab());
    // 5 MiB = 80 chunks; at 64 chunks a transaction they go in two chunk
    // transactions, then the log entry. Fail the log entry's transaction: the
    // chunks are stored, the commit record is not.
    store.set_chunks_per_transaction(64);
    store.fail_on_put(Some(81));
    let err = run(
        &store,
        &mut journal,
        bytes_write("d", 0, vec![3; 5 * MIB as usize]),
    )
    .await
    .unwrap_err();
    assert!(err.contains("QuotaExceededError"), "{err}");
    let orphans = store
        .load()
        .await
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("chunk/"))
        .count();
    assert_eq!(orphans, 80, "chunks stored by the first phase");
    store.fail_on_put(None);
    store.close();

    let (store, journal) = reopen(name).await;
    assert_eq!(
        picture(journal.lab()),
        before,
        "the state before the upload"
    );
    assert_eq!(
        store
            .load()
            .await
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("chunk/"))
            .count(),
        0,
        "orphans swept"
    );
    store.close();
    IdbStore::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn gc_frees_unreferenced_chunks_and_never_referenced_ones() {
    let name = "snaplab-test-gc";
    let (store, mut journal) = fresh_lab(name).await;
    // A deterministic shuffle of uploads, snapshots, restores, overwrites and deletes.
    let mut seed = 12345u64;
    let mut rand = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut snapshots: Vec<String> = vec![];
    let mut disks: Vec<String> = vec!["d".into()];
    for step in 0..60 {
        let disk = disks[rand(disks.len() as u64) as usize].clone();
        let command = match rand(6) {
            0 | 1 => bytes_write(
                &disk,
                rand(64) * 512,
                vec![step as u8; (1 + rand(300)) as usize * 512],
            ),
            2 => {
                snapshots.push(format!("s{step}"));
                run(
                    &store,
                    &mut journal,
                    Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }),
                )
                .await
                .unwrap();
                snapshot(&format!("s{step}"), &disk)
            }
            3 if !snapshots.is_empty() => {
                let s = snapshots.remove(rand(snapshots.len() as u64) as usize);
                Command::DeleteSnapshot(cmd::DeleteSnapshot {
                    group: RG.into(),
                    name: s,
                })
            }
            4 if !snapshots.is_empty() => {
                disks.push(format!("r{step}"));
                Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
                    group: RG.into(),
                    name: format!("r{step}"),
                    source: snapshots[rand(snapshots.len() as u64) as usize].clone(),
                    sku: None,
                    size_gib: None,
                })
            }
            5 if disks.len() > 1 => {
                let gone = disks.remove(rand(disks.len() as u64) as usize);
                Command::DeleteDisk(cmd::DeleteDisk {
                    group: RG.into(),
                    name: gone,
                })
            }
            _ => Command::Clear(cmd::Clear {
                group: RG.into(),
                disk,
                offset: 0,
                length: rand(200) * 512 + 512,
            }),
        };
        run(&store, &mut journal, command).await.unwrap();
        let stored: BTreeSet<u64> = store
            .load()
            .await
            .unwrap()
            .keys()
            .filter_map(|k| {
                k.strip_prefix("chunk/")
                    .and_then(|r| r.split('/').next())
                    .and_then(|b| b.parse().ok())
            })
            .collect();
        let referenced: BTreeSet<u64> = journal
            .lab()
            .page_maps()
            .flat_map(|m| m.all_blobs())
            .collect();
        assert_eq!(
            stored, referenced,
            "after step {step}: stored chunks must be exactly the referenced blobs"
        );
    }
    let before = picture(journal.lab());
    assert_reopens_as(store, name, &before).await;
}

#[wasm_bindgen_test]
async fn export_and_import_round_trip_and_a_damaged_file_changes_nothing() {
    let name = "snaplab-test-export";
    let (store, mut journal) = fresh_lab(name).await;
    run(
        &store,
        &mut journal,
        bytes_write("d", 0, vec![4; 100 * 1024]),
    )
    .await
    .unwrap();
    run(&store, &mut journal, snapshot("s1", "d"))
        .await
        .unwrap();
    let file = store::export(&store.load().await.unwrap());

    let other = "snaplab-test-import";
    let (target, _) = fresh(other).await;
    let mut damaged = file.clone();
    damaged[100] ^= 0xFF;
    assert!(store::import(&damaged).is_err());
    assert!(
        target.load().await.unwrap().len() <= 1,
        "a refused import changes nothing"
    );
    let mut records = store::import(&file).unwrap();
    target.replace_all(&records).await.unwrap();
    assert_eq!(target.load().await.unwrap(), records);
    // What was exported, plus the checkpoint the import's replay made.
    records.retain(|k, _| !k.starts_with("checkpoint/"));
    assert_eq!(store::export(&records), file, "byte for byte");
    target.close();
    let (target, imported) = reopen(other).await;
    assert_eq!(picture(imported.lab()), picture(journal.lab()));
    target.close();
    store.close();
    IdbStore::delete(name).await.unwrap();
    IdbStore::delete(other).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_shows_the_starter_disk_from_indexeddb() {
    IdbStore::delete(snaplab::storage::LAB_DB).await.unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<snaplab::app::App>::with_root(root.clone()).render();
    // Wait for the lab to open (IndexedDB) and render.
    for _ in 0..100 {
        if document.get_element_by_id("disk-disk1-pages").is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    let text = root.text_content().unwrap();
    assert!(text.contains("Snaplab"), "{text}");
    assert_eq!(
        document
            .get_element_by_id("disk-disk1-pages")
            .unwrap()
            .text_content()
            .unwrap(),
        "67,108,864"
    );
    assert_eq!(
        document
            .get_element_by_id("disk-disk1-used")
            .unwrap()
            .text_content()
            .unwrap(),
        "0 B"
    );
}

#[wasm_bindgen_test]
async fn the_block_map_component_classifies_and_zooms() {
    use snaplab::components::block_map::{BlockMap, BlockMapProps};
    use snaplab::components::At;
    let mut lab = Lab::new();
    for c in setup() {
        lab.execute(c).unwrap();
    }
    lab.execute(bytes_write("d", 0, vec![1; 512])).unwrap();
    lab.execute(snapshot("s1", "d")).unwrap();
    lab.execute(Command::Write(cmd::Write {
        group: RG.into(),
        disk: "d".into(),
        offset: 2 * GIB,
        data: WriteData::Pattern {
            pattern: PatternKind::Fill,
            seed: 2,
            length: MIB,
        },
    }))
    .unwrap();
    let disk = lab.find_disk(RG, "d").unwrap().clone();

    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let layers = snaplab::app::chain_layers(&lab, &disk);
    yew::Renderer::<BlockMap>::with_root_and_props(
        root.clone(),
        BlockMapProps {
            disk: At::new(1, disk.id(), disk),
            layers: At::new(1, "d", layers),
            diff: None,
        },
    )
    .render();
    gloo_timers::future::TimeoutFuture::new(20).await;
    let canvas = document.get_element_by_id("map-d").expect("the canvas");
    let attr = |name: &str| canvas.get_attribute(name).unwrap();
    // 4 GiB in 1,280 cells of 6,554 pages: the first cell holds the snapshotted page; the
    // changed MiB (pages 4,194,304–4,196,351) straddles cells 639 and 640.
    assert_eq!(attr("data-snapshotted-cells"), "1");
    assert_eq!(attr("data-changed-cells"), "2");
    assert_eq!(
        attr("data-pages-per-cell"),
        (8 * 1024 * 1024u64).div_ceil(1280).to_string()
    );
    // Under the map, the chain: s1 holds its page; the pending MiB is the next layer.
    let chain = document
        .get_element_by_id("map-d-chain")
        .expect("the chain");
    assert_eq!(chain.get_attribute("data-layers").unwrap(), "2");
    assert!(
        chain
            .get_attribute("aria-label")
            .unwrap()
            .ends_with("s1 512 B; → next 1 MiB"),
        "{}",
        chain.get_attribute("aria-label").unwrap()
    );
    assert!(
        attr("aria-label").contains("2 Changed since last snapshot, 1 Written, in a snapshot"),
        "{}",
        attr("aria-label")
    );
    // Zoom in with the button: fewer pages a cell.
    let buttons = root.query_selector_all("button").unwrap();
    let zoom: web_sys::HtmlElement = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .find(|b| b.text_content().as_deref() == Some("Zoom in"))
        .expect("a Zoom in button");
    zoom.click();
    gloo_timers::future::TimeoutFuture::new(20).await;
    assert_eq!(
        attr("data-pages-per-cell"),
        ((8 * 1024 * 1024u64).div_ceil(1280) / 16).to_string()
    );
}

/// Two tabs on one lab: two connections to one database, each with its own
/// journal, as two tabs have. The fence in each write transaction lets the
/// first writer commit and refuses the second whole; nothing committed is
/// lost, and a replacement (a reset) in one fences the other out.
#[wasm_bindgen_test]
async fn two_tabs_on_one_lab_cannot_overwrite_each_others_committed_work() {
    use snaplab::storage::{Fence, CHANGED_ELSEWHERE, LAB_ID_KEY};
    let name = "snaplab-test-two-tabs";
    let (tab_a, mut journal_a) = fresh_lab(name).await;
    let mut named = store::Batch::default();
    named
        .puts
        .push((LAB_ID_KEY.into(), b"lab-1".to_vec().into()));
    tab_a.commit(&named, None).await.unwrap();
    let (tab_b, journal_b) = reopen(name).await;
    assert_eq!(journal_a.entries(), journal_b.entries());
    let fence = |entries| Fence {
        lab: "lab-1".into(),
        entries,
    };

    // Both write "the next operation": A first, then B, from the same base.
    let base = journal_a.entries();
    let a = journal_a.prepare(bytes_write("d", 0, vec![0xA1; 512]));
    tab_a.commit(&a.batch, Some(&fence(base))).await.unwrap();
    journal_a.accept(&a).unwrap();
    let b = journal_b.prepare(bytes_write("d", 4096, vec![0xB2; 512]));
    let refused = tab_b
        .commit(&b.batch, Some(&fence(base)))
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), CHANGED_ELSEWHERE);

    // A's write is stored, and B's is nowhere (not even its chunk).
    let records = tab_b.load().await.unwrap();
    let reopened = Journal::open(&records).unwrap().journal;
    assert_eq!(reopened.entries(), base + 1);
    let disk = reopened.lab().find_disk(RG, "d").unwrap();
    assert_eq!(disk.data.read(0, 512).unwrap(), vec![0xA1; 512]);
    assert_eq!(disk.data.read(4096, 512).unwrap(), vec![0; 512]);
    assert_eq!(
        records.keys().filter(|k| k.starts_with("chunk/")).count(),
        1
    );

    // B follows (reopens), then writes on top of A's work.
    drop(journal_b);
    let mut journal_b = reopened;
    let b = journal_b.prepare(bytes_write("d", 4096, vec![0xB2; 512]));
    tab_b
        .commit(&b.batch, Some(&fence(journal_b.entries())))
        .await
        .unwrap();
    journal_b.accept(&b).unwrap();

    // A reset in B: a new lab id. A, still on the old lab, is fenced out
    // (the id alone refuses it, whatever the new log's length).
    let (records, _) = store::records_for(setup()).unwrap();
    let mut records = records;
    records.insert(LAB_ID_KEY.into(), b"lab-2".to_vec());
    tab_b.replace_all(&records).await.unwrap();
    let late = journal_a.prepare(bytes_write("d", 8192, vec![0xA3; 512]));
    let refused = tab_a
        .commit(&late.batch, Some(&fence(journal_a.entries())))
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), CHANGED_ELSEWHERE);
    let stored = Journal::open(&tab_a.load().await.unwrap()).unwrap().journal;
    assert_eq!(stored.entries(), setup().len(), "the reset lab, untouched");
    tab_a.close();
    tab_b.close();
    IdbStore::delete(name).await.unwrap();
}

/// Waits (up to 10 s) until `done` says so, yielding to the browser.
async fn until(done: impl Fn() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    done()
}

#[wasm_bindgen_test]
async fn a_tab_lets_go_of_the_database_for_an_upgrade_or_a_deletion_and_says_so() {
    use snaplab::storage::Watch;
    use std::cell::RefCell;
    use std::rc::Rc;
    let name = "snaplab-test-versionchange";
    IdbStore::delete(name).await.unwrap();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let watch = || Watch {
        blocked: yew::Callback::noop(),
        closed: {
            let heard = heard.clone();
            yew::Callback::from(move |deleted: bool| heard.borrow_mut().push(deleted))
        },
    };
    let old = IdbStore::open_watched(name, 1, watch()).await.unwrap();
    let opened = Journal::open(&old.load().await.unwrap()).unwrap();
    old.commit(&opened.recovery, None).await.unwrap();
    let mut journal = opened.journal;
    for c in setup() {
        run(&old, &mut journal, c).await.unwrap();
    }

    // A newer Snaplab in another tab opens the database at version 2. Had
    // the old tab kept its connection, this would wait for ever.
    let newer = IdbStore::open_watched(name, 2, Watch::default())
        .await
        .unwrap();
    assert_eq!(*heard.borrow(), vec![false], "told: upgraded elsewhere");
    // The records are still there for the newer one.
    let loaded = newer.load().await;
    let reopened = Journal::open(&loaded.expect("the newer tab reads the lab")).unwrap();
    assert_eq!(reopened.journal.entries(), setup().len());
    // The old connection is closed: a write fails with an error, not a hang.
    let refused = old
        .commit(
            &snaplab_engine::store::Batch {
                puts: vec![("meta/x".into(), b"1".to_vec().into())],
                ..Default::default()
            },
            None,
        )
        .await;
    assert!(refused.is_err(), "{refused:?}");
    newer.close();

    // Deleting the database (another tab's reset, or clearing site data).
    let again = IdbStore::open_watched(name, 2, watch()).await.unwrap();
    IdbStore::delete(name).await.unwrap();
    assert_eq!(
        *heard.borrow(),
        vec![false, true],
        "told: deleted elsewhere"
    );
    drop(again);
}

#[wasm_bindgen_test]
async fn an_open_blocked_by_an_old_tab_says_so_and_goes_on_once_it_closes() {
    use snaplab::storage::Watch;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    let name = "snaplab-test-blocked";
    IdbStore::delete(name).await.unwrap();
    // An old tab that never lets go: a connection without a versionchange handler.
    let holder = indexed_db_futures::database::Database::open(name)
        .with_version(1u32)
        .await
        .unwrap();
    let blocked = Rc::new(Cell::new(false));
    let opened = Rc::new(RefCell::new(None));
    {
        let (blocked, opened) = (blocked.clone(), opened.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let watch = Watch {
                blocked: yew::Callback::from(move |()| blocked.set(true)),
                closed: yew::Callback::noop(),
            };
            let result = IdbStore::open_watched(name, 2, watch).await;
            *opened.borrow_mut() = Some(result.map(|_| ()).map_err(|e| e.to_string()));
        });
    }
    assert!(until(|| blocked.get()).await, "the open says it is blocked");
    assert!(
        opened.borrow().is_none(),
        "and waits while the old tab holds on"
    );
    holder.close();
    assert!(
        until(|| opened.borrow().is_some()).await,
        "it goes on once the old tab closes"
    );
    assert_eq!(*opened.borrow(), Some(Ok(())));
    IdbStore::delete(name).await.unwrap();
}

/// The page killed at every commit point of a large upload (its chunk
/// transactions, then its log entry) and of a lab replacement, before a
/// transaction starts and while one is open: each time, the reopened lab
/// is the last one committed, with no chunk left behind, and it goes on
/// working (the next upload gets the blob id the lost one would have had).
#[wasm_bindgen_test]
async fn a_page_killed_at_any_commit_point_reopens_to_the_last_committed_lab() {
    use snaplab::storage::{Crash, CRASHED};
    let name = "snaplab-test-crash";
    let upload: Vec<u8> = (0..5 * CHUNK_SIZE)
        .map(|i| (i / 512) as u8 ^ 0x5A)
        .collect();
    // 5 chunks, 2 per transaction: 3 chunk transactions and the log entry.
    let points = 4;
    let mut seen_after = None;
    for crash in (1..=points)
        .flat_map(|n| [Some(Crash::Before(n)), Some(Crash::During(n))])
        .chain([None])
    {
        let (store, mut journal) = fresh_lab(name).await;
        run(&store, &mut journal, bytes_write("d", 0, vec![7; 3 * 512]))
            .await
            .unwrap();
        run(&store, &mut journal, snapshot("s1", "d"))
            .await
            .unwrap();
        let before = picture(journal.lab());
        let stored_before = store.load().await.unwrap();

        store.set_chunks_per_transaction(2);
        store.crash_at(crash);
        let result = run(&store, &mut journal, bytes_write("d", 0, upload.clone())).await;
        assert_eq!(result.is_err(), crash.is_some(), "{crash:?}: {result:?}");
        if crash.is_some() {
            assert_eq!(result.unwrap_err(), CRASHED);
        }
        // The page is gone: its memory with it. A new page opens the lab.
        store.close();
        let (store, mut reopened) = reopen(name).await;
        let after = picture(reopened.lab());
        match crash {
            Some(_) => {
                assert_eq!(
                    after, before,
                    "killed at {crash:?}: the lab before the upload"
                );
                assert_eq!(
                    store.load().await.unwrap(),
                    stored_before,
                    "killed at {crash:?}: no chunk of the lost upload is left"
                );
            }
            None => {
                assert_ne!(after, before);
                seen_after = Some(after.clone());
            }
        }
        // It goes on: the same upload now commits, to the same lab a run
        // without a crash gives.
        let again = run(&store, &mut reopened, bytes_write("d", 0, upload.clone())).await;
        if crash.is_some() {
            again.unwrap();
        }
        store.close();
    }
    assert!(seen_after.is_some());

    // A lab replacement (import, lesson, undo, reset): one transaction.
    for crash in [Some(Crash::Before(1)), Some(Crash::During(1)), None] {
        let (store, mut journal) = fresh_lab(name).await;
        run(&store, &mut journal, bytes_write("d", 0, vec![9; 512]))
            .await
            .unwrap();
        let before = picture(journal.lab());
        let (records, replacement) = store::records_for(setup().into_iter().chain([
            bytes_write("d", 4096, vec![3; 1024]),
            snapshot("other", "d"),
        ]))
        .unwrap();
        store.crash_at(crash);
        let result = store.replace_all(&records).await;
        assert_eq!(result.is_err(), crash.is_some(), "{crash:?}");
        store.close();
        let (store, reopened) = reopen(name).await;
        let expected = match crash {
            Some(_) => before.clone(),
            None => picture(replacement.lab()),
        };
        assert_eq!(
            picture(reopened.lab()),
            expected,
            "replacement killed at {crash:?}"
        );
        store.close();
    }
    IdbStore::delete(name).await.unwrap();
}
