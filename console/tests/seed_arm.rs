//! Seed 001's Resource Manager template, deployed verbatim with its
//! placeholder given a value; and ARM's validation of API versions,
//! functions and properties, with the JSON path in every error.

use std::collections::BTreeMap;

use snaplab_console::arm::{self, SEED_TEMPLATE};
use snaplab_console::{az::Failure, Console};
use snaplab_engine::Lab;

fn lab() -> (Lab, String) {
    let mut c = Console::new(Lab::new());
    let t = c.run("az group create -n rg -l westeurope -o none\naz disk create -g rg -n contosodisk1 --size-gb 16 -o none\nsim write -g rg --disk contosodisk1 --offset 0 --length 1M -o none");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    let id = c.lab.find_disk("rg", "contosodisk1").unwrap().id();
    (c.lab, id)
}

fn deploy(
    lab: &mut Lab,
    template: &str,
    params: &[(&str, &str)],
) -> Result<serde_json::Value, String> {
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (mut executed, locks) = (Vec::new(), snaplab_console::Locks::none());
    let mut rt = snaplab_console::Runner::new(lab, &locks, &mut executed);
    arm::deploy(&mut rt, "rg", template, &params).map_err(|f| match f {
        Failure::Refused(e) => format!("({}) {e}", e.code()),
        Failure::Usage(m) | Failure::Error(m) => m,
        Failure::Service { code, message, .. } => format!("({code}) {message}"),
        Failure::Cancelled => "cancelled".into(),
    })
}

#[test]
fn seed_template_creates_an_incremental_snapshot() {
    let (mut lab, disk_id) = lab();
    let template = SEED_TEMPLATE.replace("<your_managed_disk_resource_ID>", &disk_id);
    let out = deploy(&mut lab, &template, &[]).unwrap();
    assert_eq!(out["properties"]["provisioningState"], "Succeeded");
    let snapshot = lab.find_snapshot("rg", "contosodisk1_snapshot1").unwrap();
    assert!(snapshot.incremental);
    assert_eq!(snapshot.at.location, "westeurope");
    assert_eq!(snapshot.used_bytes(), 1 << 20);
    assert_eq!(out["properties"]["outputResources"][0]["id"], snapshot.id());
}

#[test]
fn seed_template_through_az_deployment_group_create_with_parameters() {
    let (lab, disk_id) = lab();
    let mut c = Console::new(lab);
    c.files = Box::new(|path| (path == "snapshot.json").then(|| SEED_TEMPLATE.to_string()));
    let t = c.run(&format!(
        "az deployment group create -g rg --template-file snapshot.json --parameters diskName=contosodisk1 diskResourceId={disk_id} --query properties.provisioningState -o tsv"
    ));
    assert_eq!(
        (t.stdout().as_str(), t.status),
        ("Succeeded\n", 0),
        "{:?}",
        t.lines
    );
    assert!(c.lab.find_snapshot("rg", "contosodisk1_snapshot1").is_ok());
    let t = c.run("az deployment group create -g rg --template-file missing.json");
    assert_eq!(
        t.stderr(),
        "ERROR: the template file 'missing.json' could not be read\n"
    );
}

#[test]
fn arm_validation_names_the_reason_and_the_json_path() {
    let (mut lab, disk_id) = lab();
    let template = SEED_TEMPLATE.replace("<your_managed_disk_resource_ID>", &disk_id);
    // CopyStart before 2020-12-01.
    let old = template
        .replace("\"Copy\"", "\"CopyStart\"")
        .replace("2022-03-22", "2020-09-30");
    let err = deploy(&mut lab, &old, &[]).unwrap_err();
    assert!(err.contains("$.resources[0].properties.creationData.createOption: CopyStart needs apiVersion 2020-12-01 or later; the template uses 2020-09-30"), "{err}");
    // incremental before 2019-03-01.
    let err = deploy(&mut lab, &template.replace("2022-03-22", "2018-06-01"), &[]).unwrap_err();
    assert!(
        err.contains(
            "$.resources[0].properties.incremental: 'incremental' needs apiVersion 2019-03-01"
        ),
        "{err}"
    );
    // An unknown function, an unknown property, an undeclared parameter, bad JSON.
    let err = deploy(&mut lab, &template.replace("concat(", "concatenate("), &[]).unwrap_err();
    assert!(
        err.contains("$.resources[0].name: the template function 'concatenate' is not valid"),
        "{err}"
    );
    let err = deploy(
        &mut lab,
        &template.replace(
            "\"incremental\": true",
            "\"incremental\": true, \"encryption\": {}",
        ),
        &[],
    )
    .unwrap_err();
    assert!(
        err.contains("$.resources[0].properties.encryption: the property is not valid"),
        "{err}"
    );
    let err = deploy(&mut lab, &template, &[("diskname", "x")]).unwrap_err();
    assert!(
        err.contains("the parameter 'diskname' was given but the template does not declare it"),
        "{err}"
    );
    let err = deploy(&mut lab, "{ \"resources\": [", &[]).unwrap_err();
    assert!(
        err.contains("$: the template is not valid JSON") && err.contains("line 1"),
        "{err}"
    );
    let err = deploy(&mut lab, &template.replace("2022-03-22", "2099-01-01"), &[]).unwrap_err();
    assert!(
        err.contains(
            "$.resources[0].apiVersion: '2099-01-01' is not a Microsoft.Compute API version"
        ),
        "{err}"
    );
    // A redeployment of the same template is create-or-update: it succeeds
    // and changes nothing, as in Azure.
    deploy(&mut lab, &template, &[]).unwrap();
    deploy(&mut lab, &template, &[]).unwrap();
    assert_eq!(lab.snapshots().count(), 1, "one snapshot, not two");
}

#[test]
fn native_deploy_command() {
    let dir = std::env::temp_dir().join(format!("snaplab-deploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("lab.snaplab");
    let bin = env!("CARGO_BIN_EXE_snaplab");
    let setup = std::process::Command::new(bin)
        .args(["run", "-", "--state", state.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"az group create -n rg -l westeurope -o none\naz disk create -g rg -n contosodisk1 --size-gb 8 -o none\naz disk show -g rg -n contosodisk1 --query id -o tsv\n")?;
            child.wait_with_output()
        })
        .unwrap();
    let disk_id = String::from_utf8(setup.stdout).unwrap().trim().to_string();
    let template = dir.join("t.json");
    std::fs::write(
        &template,
        SEED_TEMPLATE.replace("<your_managed_disk_resource_ID>", &disk_id),
    )
    .unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "deploy",
            template.to_str().unwrap(),
            "-g",
            "rg",
            "--state",
            state.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"provisioningState\": \"Succeeded\""));
    let check = std::process::Command::new(bin)
        .args(["run", "-", "--state", state.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"az snapshot list -g rg --query \"[].name\" -o tsv\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "contosodisk1_snapshot1\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
