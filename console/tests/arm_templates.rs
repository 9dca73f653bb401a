//! Templates as ARM runs them, in the style of "Resource iteration in ARM
//! templates" and the incremental-snapshot docs' templates (written for
//! Snaplab): copy loops and copyIndex(), variables, format(), if(),
//! uniqueString(), dependsOn ordering, allowedValues, outputs with
//! reference(), the whole template validated first, and the deployment
//! named after its file.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use snaplab_console::Console;
use snaplab_engine::Lab;

fn lab() -> Console {
    let mut c = Console::new(Lab::new());
    let t = c.run("az group create -n rg -l westeurope -o none\naz disk create -g rg -n data --size-gb 8 -o none");
    assert_eq!(t.status, 0, "{}", t.stderr());
    c
}

fn deploy(c: &mut Console, template: &Value, params: &[(&str, &str)]) -> Result<Value, String> {
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    c.deploy("rg", &template.to_string(), &params)
        .map_err(|f| f.printed().0)
}

fn iteration_template() -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "snapshotCount": { "type": "int", "defaultValue": 3 },
            "storage": { "type": "string", "defaultValue": "Standard_ZRS", "allowedValues": ["Standard_LRS", "Standard_ZRS"] }
        },
        "variables": {
            "prefix": "[format('{0}-snap', variables('base'))]",
            "base": "[toLower('DATA')]",
            "diskId": "[resourceId('Microsoft.Compute/disks', 'data')]"
        },
        "resources": [
            {
                "type": "Microsoft.Compute/snapshots",
                "apiVersion": "2022-03-02",
                "name": "[concat(variables('prefix'), copyIndex(1))]",
                "location": "[resourceGroup().location]",
                "sku": { "name": "[parameters('storage')]" },
                "dependsOn": ["[resourceId('Microsoft.Compute/disks', 'late')]"],
                "copy": { "name": "snapshotLoop", "count": "[parameters('snapshotCount')]" },
                "properties": {
                    "creationData": { "createOption": "Copy", "sourceResourceId": "[variables('diskId')]" },
                    "incremental": "[if(equals(copyIndex(), 0), false(), true())]"
                }
            },
            {
                "type": "Microsoft.Compute/disks",
                "apiVersion": "2022-03-02",
                "name": "late",
                "location": "westeurope",
                "sku": { "name": "Standard_LRS" },
                "scale": null,
                "properties": { "creationData": { "createOption": "Empty" }, "diskSizeGB": 4 }
            }
        ],
        "outputs": {
            "firstSnapshot": { "type": "string", "value": "[reference(concat(variables('prefix'), '1')).name]" },
            "tag": { "type": "string", "value": "[uniqueString(resourceGroup().id, 'data')]" }
        }
    })
}

#[test]
fn a_copy_loop_makes_its_resources_with_copyindex_variables_and_outputs() {
    let mut c = lab();
    let result = deploy(&mut c, &iteration_template(), &[]).unwrap();
    let names: Vec<String> = c
        .lab
        .snapshots()
        .map(|s| format!("{}:{}:{}", s.at.name, s.incremental, s.sku.name()))
        .collect();
    assert_eq!(
        names,
        [
            "data-snap1:false:Standard_ZRS",
            "data-snap2:true:Standard_ZRS",
            "data-snap3:true:Standard_ZRS"
        ]
    );
    // dependsOn: the disk declared last was created first.
    let listed: Vec<&str> = result["properties"]["outputResources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(listed, ["late", "data-snap1", "data-snap2", "data-snap3"]);
    let outputs = &result["properties"]["outputs"];
    assert_eq!(
        outputs["firstSnapshot"],
        json!({ "type": "string", "value": "data-snap1" })
    );
    let tag = outputs["tag"]["value"].as_str().unwrap();
    assert_eq!(tag.len(), 13);
    assert!(
        tag.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{tag}"
    );
    // Deterministic, as ARM's is: the same inputs, the same string.
    let again = deploy(&mut c, &iteration_template(), &[]).unwrap();
    assert_eq!(again["properties"]["outputs"]["tag"]["value"], json!(tag));
    assert_eq!(
        c.lab.snapshots().count(),
        3,
        "a redeployment is create-or-update"
    );
}

#[test]
fn allowed_values_counts_and_missing_dependencies_are_refused_before_anything_exists() {
    let mut c = lab();
    let refused = deploy(&mut c, &iteration_template(), &[("storage", "Premium_LRS")]).unwrap_err();
    assert!(
        refused.starts_with("ERROR: (InvalidTemplate) Deployment template validation failed: '$.parameters.storage: the provided value \"Premium_LRS\" is not valid: it must be one of [\"Standard_LRS\", \"Standard_ZRS\"]'."),
        "{refused}"
    );
    let refused = deploy(&mut c, &iteration_template(), &[("snapshotCount", "801")]).unwrap_err();
    assert!(
        refused.contains("the count must be from 0 to 800, not 801"),
        "{refused}"
    );
    let mut template = iteration_template();
    template["resources"][0]["dependsOn"] = json!(["nowhere"]);
    let refused = deploy(&mut c, &template, &[]).unwrap_err();
    assert!(
        refused.contains("depends on 'nowhere', which is not defined in the template"),
        "{refused}"
    );
    template["variables"]["base"] = json!("[variables('prefix')]");
    let refused = deploy(&mut c, &template, &[]).unwrap_err();
    assert!(refused.contains("the variable is not defined"), "{refused}");
    assert_eq!(c.lab.snapshots().count(), 0);
    assert_eq!(
        c.lab.disks().count(),
        1,
        "not even the disk the template declares"
    );
}

#[test]
fn az_names_the_deployment_after_its_file_unless_name_is_given() {
    let mut c = lab();
    let dir = std::env::temp_dir().join(format!("snaplab-arm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("snapshots.json");
    std::fs::write(&file, iteration_template().to_string()).unwrap();
    c.files = Box::new(|path| std::fs::read_to_string(path).ok());
    let t = c.run(&format!(
        "az deployment group create -g rg --template-file {} --query name -o tsv\naz deployment group create -g rg -n nightly --template-file {} --query \"[name, properties.outputs.firstSnapshot.value]\" -o tsv",
        file.display(),
        file.display()
    ));
    assert_eq!(
        t.stdout(),
        "snapshots\nnightly\ndata-snap1\n",
        "{}",
        t.stderr()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
