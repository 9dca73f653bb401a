//! Browser tests: run in headless Chromium through wasm-bindgen-test-runner
//! (`scripts/test.sh` runs them). They prove the stack: the engine runs in
//! wasm, IndexedDB stores and returns bytes, and the Yew app mounts.
#![cfg(target_arch = "wasm32")]

use snaplab::storage::ChunkStore;
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{DiskData, PatternKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn engine_writes_and_reads_pages_in_wasm() {
    let mut disk = DiskData::new(32_767, 512).unwrap();
    disk.write(GIB, &[0x5A; 1024]).unwrap();
    disk.write_pattern(10 * GIB, 64 * MIB, PatternKind::Fill, 0xC3).unwrap();
    disk.clear(10 * GIB, 512).unwrap();
    assert_eq!(disk.read(GIB, 1024).unwrap(), vec![0x5A; 1024]);
    assert_eq!(disk.read(10 * GIB, 512).unwrap(), vec![0; 512]);
    assert_eq!(disk.read(10 * GIB + 512, 512).unwrap(), vec![0xC3; 512]);
    assert_eq!(disk.used_bytes(), 1024 + 64 * MIB - 512);
    assert_eq!(disk.write(7, &[1; 512]).unwrap_err().code(), "InvalidPageRange");
}

#[wasm_bindgen_test]
async fn indexeddb_stores_bytes_and_returns_them_after_reopening() {
    let name = "snaplab-test-roundtrip";
    ChunkStore::delete(name).await.unwrap();
    let bytes: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 256) as u8).collect();

    let store = ChunkStore::open(name).await.unwrap();
    assert_eq!(store.get("disk1/0").await.unwrap(), None);
    store.put("disk1/0", &bytes).await.unwrap();
    store.close();

    // A new connection reads what the committed transaction wrote.
    let store = ChunkStore::open(name).await.unwrap();
    assert_eq!(store.get("disk1/0").await.unwrap(), Some(bytes.clone()));
    store.put("disk1/0", &bytes[..512]).await.unwrap();
    assert_eq!(store.get("disk1/0").await.unwrap().map(|b| b.len()), Some(512));
    store.close();
    ChunkStore::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_shows_the_engine_disk() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<snaplab::app::App>::with_root(root.clone()).render();
    // Let Yew's scheduler run the first render.
    gloo_timers::future::TimeoutFuture::new(0).await;
    let text = root.text_content().unwrap();
    assert!(text.contains("Snaplab"), "{text}");
    assert_eq!(document.get_element_by_id("disk-pages").unwrap().text_content().unwrap(), "67,108,864");
    assert_eq!(document.get_element_by_id("disk-used").unwrap().text_content().unwrap(), "0 B");
}
