//! Hostile templates, each made here: a long variable chain, variables
//! doubling through concat(), 200 × 800 copy loops, a 4,000-long
//! dependsOn chain, circles, and a bad output. Each ends well under a
//! second of CPU with an Azure-style InvalidTemplate error (or its result), and a
//! refused one leaves the lab exactly as it was.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use snaplab_console::Console;
use snaplab_engine::Lab;

fn lab() -> Console {
    let mut c = Console::new(Lab::new());
    let t = c.run("az group create -n rg -l westeurope -o none\naz disk create -g rg -n data --size-gb 8 -o none");
    assert_eq!(t.status, 0, "{}", t.stderr());
    c
}

fn template(variables: Value, resources: Vec<Value>, outputs: Value) -> String {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "variables": variables,
        "resources": resources,
        "outputs": outputs,
    })
    .to_string()
}

fn disk(name: Value) -> Value {
    json!({
        "type": "Microsoft.Compute/disks",
        "apiVersion": "2022-03-02",
        "name": name,
        "location": "westeurope",
        "sku": { "name": "Standard_LRS" },
        "properties": { "creationData": { "createOption": "Empty" }, "diskSizeGB": 4 }
    })
}

/// Deploys `template`; the error as az prints it, the time taken.
fn deploy(c: &mut Console, template: &str) -> (Result<Value, String>, Duration) {
    let started = Instant::now();
    let result = c
        .deploy("rg", template, &BTreeMap::new())
        .map_err(|f| f.printed().0);
    (result, started.elapsed())
}

/// The wall time a hostile template may take here. Each takes well under
/// a second of CPU in a debug build (the whole 20,000-variable test about
/// half a second, template building included; the old quadratic and cubic
/// resolution took minutes), but tests share two cores with other builds.
const QUICK: Duration = Duration::from_secs(5);

/// Deploys a template that must be refused: quickly, with
/// `expected` in an InvalidTemplate error, and the lab unchanged.
fn refused(template: &str, expected: &str) -> String {
    let mut c = lab();
    let before = c.lab.clone();
    let (result, took) = deploy(&mut c, template);
    let Err(error) = result else {
        panic!("must be refused, but deployed (expected {expected:?})");
    };
    assert!(
        error.starts_with("ERROR: (InvalidTemplate) Deployment template validation failed: '"),
        "{error}"
    );
    assert!(
        error.contains(expected),
        "expected {expected:?} in:\n{error}"
    );
    assert!(took < QUICK, "took {took:?}");
    assert!(c.lab == before, "the refused template changed the lab");
    error
}

#[test]
fn a_long_variable_chain_is_worked_out_once_each() {
    // v0 = 1, v1 = add(v0, 1), … declared in the order that made the old
    // resolution pass over them thousands of times.
    let n = 20_000;
    let mut variables = Map::new();
    variables.insert("v00000".into(), json!(1));
    for i in 1..n {
        variables.insert(
            format!("v{i:05}"),
            json!(format!("[add(variables('v{:05}'), 1)]", i - 1)),
        );
    }
    let last = format!("v{:05}", n - 1);
    let t = template(
        Value::Object(variables),
        vec![disk(json!("[concat('d', string(variables('v00002')))]"))],
        json!({ "last": { "type": "int", "value": format!("[variables('{last}')]") } }),
    );
    let mut c = lab();
    let (result, took) = deploy(&mut c, &t);
    let result = result.unwrap();
    assert_eq!(result["properties"]["outputs"]["last"]["value"], json!(n));
    assert!(c.lab.find_disk("rg", "d3").is_ok());
    assert!(took < QUICK, "took {took:?}");
}

#[test]
fn variables_named_at_run_time_are_worked_out_first() {
    let t = template(
        json!({
            "a": "[variables(concat('b', 'c'))]",
            "bc": "[variables(concat('c', 'd'))]",
            "cd": "[concat('dyn', 'amic')]",
        }),
        vec![disk(json!("[variables('a')]"))],
        json!({}),
    );
    let mut c = lab();
    deploy(&mut c, &t).0.unwrap();
    assert!(c.lab.find_disk("rg", "dynamic").is_ok());
}

#[test]
fn variables_in_a_circle_are_named() {
    let error = refused(
        &template(
            json!({ "a": "[variables('b')]", "b": "[concat(variables('c'), 'x')]", "c": "[variables('a')]", "free": "1" }),
            vec![disk(json!("d"))],
            json!({}),
        ),
        "$.variables.a: the variable is not defined: 'b' (the template variables use each other in a circle: a → b → c → a)",
    );
    assert!(!error.contains("free"), "{error}");
    // The same through names computed at run time.
    refused(
        &template(
            json!({ "a": "[variables(concat('b', ''))]", "b": "[variables(concat('a', ''))]" }),
            vec![disk(json!("d"))],
            json!({}),
        ),
        "the template variables use each other in a circle: a → b → a",
    );
}

#[test]
fn variables_doubling_through_concat_stop_at_the_value_limit() {
    let mut variables = Map::new();
    variables.insert("x0".into(), json!("ab"));
    for i in 1..64 {
        variables.insert(
            format!("x{i:02}"),
            json!(format!(
                "[concat(variables('x{:02}'), variables('x{:02}'))]",
                i - 1,
                i - 1
            )),
        );
    }
    // "x0" sorts after "x01": rename it so every name has two digits.
    let x0 = variables.remove("x0").unwrap();
    variables.insert("x00".into(), x0);
    refused(
        &template(Value::Object(variables), vec![disk(json!("d"))], json!({})),
        "$.variables.x19: the value would hold more than 1 MiB (the simulator's limit on one template value, as on a shell variable)",
    );
    // Arrays double too.
    let mut arrays = Map::new();
    arrays.insert("a00".into(), json!(["xxxxxxxx"]));
    for i in 1..64 {
        arrays.insert(
            format!("a{i:02}"),
            json!(format!(
                "[concat(variables('a{:02}'), variables('a{:02}'))]",
                i - 1,
                i - 1
            )),
        );
    }
    let error = refused(
        &template(Value::Object(arrays), vec![disk(json!("d"))], json!({})),
        "the value would hold more than 1 MiB",
    );
    assert!(error.contains("$.variables.a1"), "{error}");
}

#[test]
fn many_copies_of_a_large_value_stop_at_the_total_limit() {
    let big = "x".repeat(900_000);
    // Each copy's name reads the 900 KB variable: fine once, not 800 times.
    let mut resource = disk(json!(
        "[concat('d', string(copyIndex()), string(length(variables('big'))))]"
    ));
    resource["copy"] = json!({ "name": "loop", "count": 800 });
    refused(
        &template(json!({ "big": big }), vec![resource], json!({})),
        "the template's values come to more than 16 MiB in all (the simulator's limit; ARM refuses a template over 4 MB once expanded)",
    );
}

#[test]
fn two_hundred_copy_loops_of_800_hit_arm_s_resource_cap_at_once() {
    let resources: Vec<Value> = (0..200)
        .map(|i| {
            let mut r = disk(json!(format!("[concat('d{i}-', copyIndex())]")));
            r["copy"] = json!({ "name": format!("loop{i}"), "count": 800 });
            r
        })
        .collect();
    let error = refused(
        &template(json!({}), resources, json!({})),
        "The number of template resources limit exceeded. Limit: '800' and actual: '160000'",
    );
    assert_eq!(
        error.lines().next().unwrap(),
        "ERROR: (InvalidTemplate) Deployment template validation failed: 'The number of template resources limit exceeded. Limit: '800' and actual: '160000''."
    );
}

#[test]
fn the_cap_counts_copies_and_plain_resources_together() {
    // 799 copies and two plain resources: 801.
    let mut looped = disk(json!("[concat('d', copyIndex())]"));
    looped["copy"] = json!({ "name": "loop", "count": 799 });
    refused(
        &template(
            json!({}),
            vec![looped.clone(), disk(json!("a")), disk(json!("b"))],
            json!({}),
        ),
        "Limit: '800' and actual: '801'",
    );
    // 799 and one: exactly 800 is allowed, and is made.
    let mut c = lab();
    let (result, took) = deploy(
        &mut c,
        &template(json!({}), vec![looped, disk(json!("a"))], json!({})),
    );
    let result = result.unwrap();
    assert_eq!(
        result["properties"]["outputResources"]
            .as_array()
            .unwrap()
            .len(),
        800
    );
    assert_eq!(c.lab.disks().count(), 801);
    assert!(took < QUICK, "took {took:?}");
}

#[test]
fn a_4000_long_depends_on_chain_is_refused_at_once_and_800_is_ordered() {
    let chain = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                let mut r = disk(json!(format!("d{i}")));
                if i + 1 < n {
                    // Each depends on the next: the last declared is made first.
                    r["dependsOn"] = json!([format!(
                        "[resourceId('Microsoft.Compute/disks', 'd{}')]",
                        i + 1
                    )]);
                }
                r
            })
            .collect()
    };
    refused(
        &template(json!({}), chain(4000), json!({})),
        "Limit: '800' and actual: '4000'",
    );
    let mut c = lab();
    let (result, took) = deploy(&mut c, &template(json!({}), chain(800), json!({})));
    let result = result.unwrap();
    let listed: Vec<&str> = result["properties"]["outputResources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(listed.len(), 800);
    assert_eq!(listed[0], "d799");
    assert_eq!(listed[799], "d0");
    assert!(took < QUICK, "took {took:?}");
}

#[test]
fn a_dependency_circle_names_its_resources() {
    let mut a = disk(json!("a"));
    a["dependsOn"] = json!(["b"]);
    let mut b = disk(json!("b"));
    b["dependsOn"] = json!(["c"]);
    let mut c = disk(json!("c"));
    c["dependsOn"] = json!(["b"]);
    refused(
        &template(json!({}), vec![a, b, c, disk(json!("free"))], json!({})),
        "$.resources: Circular dependency detected on resource: '/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourceGroups/rg/providers/Microsoft.Compute/disks/b' (circular dependency: b → c → b)",
    );
}

#[test]
fn a_bad_output_refuses_the_deployment_before_anything_is_made() {
    let t = template(
        json!({}),
        vec![disk(json!("made"))],
        json!({
            "fine": { "type": "string", "value": "[reference('made').name]" },
            "bad": { "type": "string", "value": "[reference('nowhere').name]" }
        }),
    );
    refused(
        &t,
        "$.outputs.bad: reference(): the resource 'nowhere' is not defined in the template",
    );
    // Outputs read the resources the deployment makes, as before.
    let t = template(
        json!({}),
        vec![disk(json!("made"))],
        json!({ "size": { "type": "int", "value": "[reference('made').diskSizeGB]" } }),
    );
    let mut c = lab();
    let result = deploy(&mut c, &t).0.unwrap();
    assert_eq!(result["properties"]["outputs"]["size"]["value"], json!(4));
    assert!(c.lab.find_disk("rg", "made").is_ok());
}

#[test]
fn indexes_read_arrays_and_objects() {
    let t = template(
        json!({ "names": ["first", "second"], "by": { "k": "third" } }),
        vec![
            disk(json!("[variables('names')[1]]")),
            disk(json!("[variables('by')['k']]")),
        ],
        json!({ "o": { "type": "string", "value": "[variables('by').k]" } }),
    );
    let mut c = lab();
    let result = deploy(&mut c, &t).0.unwrap();
    assert!(c.lab.find_disk("rg", "second").is_ok());
    assert!(c.lab.find_disk("rg", "third").is_ok());
    assert_eq!(
        result["properties"]["outputs"]["o"]["value"],
        json!("third")
    );
    refused(
        &template(
            json!({ "names": ["a"] }),
            vec![disk(json!("[variables('names')[1]]"))],
            json!({}),
        ),
        "$.resources[0].name: the index 1 is outside the array of 1",
    );
}

#[test]
fn two_hundred_thousand_function_calls_is_the_limit() {
    // 800 copies, each name made with about 300 calls: past 200,000.
    let calls = vec!["string(1)"; 300].join(", ");
    let mut resource = disk(json!(format!(
        "[concat('d', string(copyIndex()), length(concat({calls})))]"
    )));
    resource["copy"] = json!({ "name": "loop", "count": 800 });
    refused(
        &template(json!({}), vec![resource], json!({})),
        "$.resources[0].name: the template evaluates more than 200000 function calls (the simulator's limit)",
    );
}
