//! The adversarial corpus (`tests/adversarial/`): crafted share links and
//! lab files with valid checksums, runaway and deeply nested scripts, and
//! hostile templates, each listed in `cases.json` with the clear error it
//! must give. Every case runs against a stored lab and leaves it exactly as
//! it was. (The browser runs the links and files too: `e2e/tests/adversarial.test.mjs`.)
//!
//! The crafted inputs are made by `write_the_corpus` (run it with
//! `cargo test -p snaplab-console --test adversarial -- --ignored` after
//! changing the recipes) and committed, so the browser reads the same bytes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};
use snaplab_console::{Console, Language, Memory, Staged};
use snaplab_engine::checksum::stable_hash_bytes;
use snaplab_engine::share;
use snaplab_engine::store::{self, BlockStore, Journal, MemoryStore};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/adversarial")
}

/// A small lab as the app stores it (a group, a disk with real bytes, a
/// snapshot), made through the console as a user would make it.
fn stored_lab() -> MemoryStore {
    let opened = Journal::open(&BTreeMap::new()).unwrap();
    let mut store = MemoryStore::new();
    store.commit(opened.recovery).unwrap();
    let mut console = Console::with_memory(Staged::new(opened.journal), Memory::default());
    let t = console.run(
        "az group create -n rg -l westeurope -o none
az disk create -g rg -n d --size-gb 4 -o none
sim write -g rg --disk d --offset 0 --text 'real bytes to keep' -o none
az snapshot create -g rg -n s --source d --incremental true -o none",
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    store.commit(console.into_parts().0.batch).unwrap();
    store
}

/// What the app does with each kind of input, against `store`: only an
/// input that passes every check replaces or changes the stored lab.
fn attempt(store: &mut MemoryStore, kind: &str, bytes: &[u8]) -> Result<String, String> {
    let text = || String::from_utf8_lossy(bytes).to_string();
    match kind {
        "link" => {
            let (records, _) = share::open(text().trim()).map_err(|e| e.to_string())?;
            replace(store, records);
            Ok("opened".into())
        }
        "file" => {
            let records = store::import(bytes).map_err(|e| e.to_string())?;
            replace(store, records);
            Ok("imported".into())
        }
        "bash" | "pwsh" | "arm" => {
            let opened = Journal::open(store.records()).unwrap();
            let mut console = Console::with_memory(Staged::new(opened.journal), Memory::default());
            let (stderr, ok) = if kind == "arm" {
                match console.deploy("rg", &text(), &BTreeMap::new()) {
                    Ok(_) => (String::new(), true),
                    Err(f) => (f.printed().0, false),
                }
            } else {
                let language = if kind == "bash" {
                    Language::Bash
                } else {
                    Language::PowerShell
                };
                let t = console.run_in(language, &text());
                (t.stderr(), t.status == 0)
            };
            let (staged, _, _) = console.into_parts();
            // What a script did before its error stays done, as in Azure: stored.
            store.commit(staged.batch).unwrap();
            // A hostile script may end "successfully" (a `for` over a failed
            // `seq` is status 0, as in bash): what counts is what it said.
            if ok && stderr.is_empty() {
                Ok(stderr)
            } else {
                Err(stderr)
            }
        }
        other => panic!("unknown kind {other}"),
    }
}

fn replace(store: &mut MemoryStore, records: BTreeMap<String, Vec<u8>>) {
    let mut batch = store::Batch {
        puts: records.into_iter().map(|(k, v)| (k, v.into())).collect(),
        deletes: store.records().keys().cloned().collect(),
        strict: true,
    };
    batch
        .deletes
        .retain(|k| !batch.puts.iter().any(|(p, _)| p == k));
    store.commit(batch).unwrap();
}

#[test]
fn every_case_is_refused_with_its_clear_error_and_the_stored_lab_is_unchanged() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("cases.json")).unwrap())
            .unwrap();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    for case in &cases {
        let file = case["file"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        let mut store = stored_lab();
        let before = store.records().clone();
        let started = std::time::Instant::now();
        let result = attempt(&mut store, kind, &bytes);
        let error = result.expect_err(&format!("{file} must be refused"));
        assert!(
            error.contains(expect),
            "{file}: expected {expect:?} in:\n{error}"
        );
        assert_eq!(store.records(), &before, "{file} changed the stored lab");
        assert!(
            started.elapsed().as_secs() < 20,
            "{file} took {:?}",
            started.elapsed()
        );
        // And the stored lab still opens.
        Journal::open(store.records()).unwrap();
    }
}

/// Writes the crafted inputs (checksums and all). Run after changing a recipe.
#[test]
#[ignore]
fn write_the_corpus() {
    let dir = corpus();
    std::fs::create_dir_all(&dir).unwrap();
    let put = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let group = json!({"op": "createGroup", "name": "rg", "location": "westeurope"});
    let disk = json!({"op": "createDisk", "group": "rg", "name": "d", "location": null, "sku": "Premium_LRS", "sizeGib": 4, "logicalSectorSize": 512});
    let link = |commands: Value| share::wrap(commands.to_string().as_bytes());

    // Links: valid checksums, hostile contents.
    put("link-stored-blob.txt", link(json!([group, disk, {"op": "write", "group": "rg", "disk": "d", "offset": 0, "data": {"kind": "stored", "blob": 1, "length": 4611686018427387904u64}}])).as_bytes());
    put("link-non-ascii-hex.txt", link(json!([group, disk, {"op": "write", "group": "rg", "disk": "d", "offset": 0, "data": {"kind": "bytes", "bytes": "é0".repeat(256)}}])).as_bytes());
    put(
        "link-not-a-log.txt",
        share::wrap(b"{\"this is\": \"not a log\"}").as_bytes(),
    );
    put(
        "link-too-long.txt",
        format!("v1.0000000000000000.{}", "A".repeat(70_000)).as_bytes(),
    );
    let mut tampered = link(json!([group, disk]));
    tampered.replace_range(
        3..4,
        if tampered.as_bytes()[3] == b'0' {
            "1"
        } else {
            "0"
        },
    );
    put("link-tampered.txt", tampered.as_bytes());

    // Lab files: valid checksums, hostile records.
    let file = |records: &[(&str, Vec<u8>)]| {
        store::export(
            &records
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let entry = |v: &Value| v.to_string().into_bytes();
    // A lab whose third log entry writes `data` to the disk.
    let writes = |data: Value| {
        file(&[
            ("meta/schema", b"1".to_vec()),
            ("log/000000000001", entry(&group)),
            ("log/000000000002", entry(&disk)),
            (
                "log/000000000003",
                entry(
                    &json!({"op": "write", "group": "rg", "disk": "d", "offset": 0, "data": data}),
                ),
            ),
        ])
    };
    put(
        "file-claims-a-huge-blob.snaplab",
        &writes(json!({"kind": "stored", "blob": 1, "length": 4611686018427387904u64})),
    );
    put(
        "file-non-ascii-hex.snaplab",
        &writes(json!({"kind": "bytes", "bytes": "ü1"})),
    );
    put(
        "file-newer-schema.snaplab",
        &file(&[("meta/schema", b"99".to_vec())]),
    );
    put(
        "file-log-out-of-sequence.snaplab",
        &file(&[
            ("meta/schema", b"1".to_vec()),
            ("log/000000000002", entry(&group)),
        ]),
    );
    // A record claiming 2^64 - 1 bytes, with a valid checksum.
    let mut huge = b"SNAPLAB\0".to_vec();
    huge.extend_from_slice(&1u32.to_le_bytes());
    huge.extend_from_slice(&1u64.to_le_bytes());
    huge.extend_from_slice(&3u32.to_le_bytes());
    huge.extend_from_slice(b"abc");
    huge.extend_from_slice(&u64::MAX.to_le_bytes());
    let sum = stable_hash_bytes(&huge);
    huge.extend_from_slice(&sum.to_le_bytes());
    put("file-record-claims-2-64-bytes.snaplab", &huge);
    put("file-not-a-lab.txt", b"name,size\ndisk1,32\n");

    // Scripts and templates.
    put(
        "bash-deep-substitution.sh",
        format!("echo {}hi{}\n", "$(echo ".repeat(300), ")".repeat(300)).as_bytes(),
    );
    put("bash-endless-loop.sh", b"while true; do :; done\n");
    put(
        "bash-string-doubling.sh",
        b"x=a\nwhile true; do x=$x$x; done\n",
    );
    put(
        "bash-seq-extremes.sh",
        b"for i in $(seq -9223372036854775808 9223372036854775807); do echo $i; done\n",
    );
    put(
        "bash-deep-query.sh",
        format!(
            "az group list --query \"{}@{}\"\n",
            "[".repeat(2000),
            "]".repeat(2000)
        )
        .as_bytes(),
    );
    put(
        "pwsh-deep-parentheses.ps1",
        format!("$x = {}1{}\n", "(".repeat(2000), ")".repeat(2000)).as_bytes(),
    );
    let disk_resource = |name: Value, sku: &str| json!({"type": "Microsoft.Compute/disks", "apiVersion": "2022-03-02", "name": name, "location": "westeurope", "sku": {"name": sku}, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 4}});
    let template = |resources: Vec<Value>| {
        json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": resources
        })
        .to_string()
    };
    let deep = json!(format!(
        "[{}'a'{}]",
        "concat(".repeat(3000),
        ")".repeat(3000)
    ));
    put(
        "arm-deep-expression.json",
        template(vec![
            disk_resource(deep, "Premium_LRS"),
            disk_resource(json!("ok"), "Premium_LRS"),
        ])
        .as_bytes(),
    );
    // The first resource is fine; the second's SKU does not exist: nothing may be created.
    put(
        "arm-one-bad-resource.json",
        template(vec![
            disk_resource(json!("first"), "Premium_LRS"),
            disk_resource(json!("second"), "Premium_GRS"),
        ])
        .as_bytes(),
    );
    // The resource is fine; an output is not: it is evaluated in the
    // preflight, so nothing is created.
    let mut with_outputs: Value =
        serde_json::from_str(&template(vec![disk_resource(json!("made"), "Premium_LRS")])).unwrap();
    with_outputs["outputs"] =
        json!({"bad": {"type": "string", "value": "[reference('nowhere').name]"}});
    put("arm-bad-output.json", with_outputs.to_string().as_bytes());
    let loops: Vec<Value> = (0..200)
        .map(|i| {
            let mut r = disk_resource(
                json!(format!("[concat('d{i}-', copyIndex())]")),
                "Premium_LRS",
            );
            r["copy"] = json!({"name": format!("loop{i}"), "count": 800});
            r
        })
        .collect();
    put("arm-copy-loops-200x800.json", template(loops).as_bytes());
    let with_variables = |variables: Value| {
        let mut t: Value =
            serde_json::from_str(&template(vec![disk_resource(json!("d2"), "Premium_LRS")]))
                .unwrap();
        t["variables"] = variables;
        t.to_string()
    };
    put(
        "arm-variable-circle.json",
        with_variables(json!({"a": "[concat(variables('b'), 'x')]", "b": "[variables('a')]"}))
            .as_bytes(),
    );
    let mut doubling = serde_json::Map::new();
    doubling.insert("x00".into(), json!("ab"));
    for i in 1..64 {
        doubling.insert(
            format!("x{i:02}"),
            json!(format!(
                "[concat(variables('x{:02}'), variables('x{:02}'))]",
                i - 1,
                i - 1
            )),
        );
    }
    put(
        "arm-variable-doubling.json",
        with_variables(Value::Object(doubling)).as_bytes(),
    );
    let nested = format!("{}1{}", "{\"a\":".repeat(5000), "}".repeat(5000));
    put("arm-deeply-nested-json.json", nested.as_bytes());
}
