//! Resource Manager templates: `az deployment group create` and the app's
//! "Deploy a custom template" blade. Parameters with `defaultValue`,
//! template expressions (`[parameters('x')]`, `[concat(...)]`,
//! `[resourceGroup().location]`, `[reference('s').name]`, `[variables('v')[0]]`,
//! …) and resources of type `Microsoft.Compute/snapshots` and
//! `Microsoft.Compute/disks`, validated as ARM does: an `apiVersion` too old
//! for a property is refused with the reason, and an unknown function or
//! property names its JSON path.
//!
//! | step | file |
//! |---|---|
//! | an expression's text into tokens | `lexer.rs` |
//! | tokens into a syntax tree, and the tree printed back | `parser.rs`, `ast.rs` |
//! | template values compiled and evaluated, within limits | `eval.rs` |
//! | the template functions | `functions.rs` (`reference()`: `reference.rs`) |
//! | variables, each worked out once | `variables.rs` |
//! | the order `dependsOn` asks for, and cycles | `order.rs` |
//! | one resource as an engine command | `resources.rs` |
//! | a deployment: validate, preflight (outputs too), then create | `deploy.rs` |

mod ast;
mod deploy;
mod eval;
mod functions;
pub mod jsonc;
mod lexer;
mod order;
mod parser;
mod reference;
mod resources;
mod variables;

use snaplab_engine::EngineError;

use crate::failure::Failure;

pub use ast::{Expr, Step};
pub use deploy::{deploy, deploy_named, run_template, Deployed, MAX_RESOURCES};
pub use eval::{MAX_CALLS, MAX_EVALUATED_BYTES, MAX_VALUE_BYTES};
pub use parser::parse;

/// An error in the template, with where it is.
fn invalid(path: &str, message: impl std::fmt::Display) -> Failure {
    Failure::Refused(EngineError::InvalidTemplate {
        detail: format!("{path}: {message}"),
    })
}

/// Seed 001's template, verbatim (its indentation included): the app's
/// "Deploy a custom template" blade starts from it, and the tests deploy it.
pub const SEED_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "diskName": {
      "type": "string",
      "defaultValue": "contosodisk1"
    },
  "diskResourceId": {
    "defaultValue": "<your_managed_disk_resource_ID>",
    "type": "String"
  }
  }, 
  "resources": [
  {
    "type": "Microsoft.Compute/snapshots",
    "name": "[concat( parameters('diskName'),'_snapshot1')]",
    "location": "[resourceGroup().location]",
    "apiVersion": "2022-03-22",
    "properties": {
      "creationData": {
        "createOption": "Copy",
        "sourceResourceId": "[parameters('diskResourceId')]"
      },
      "incremental": true
    }
  }
  ]
}
"#;

/// The Compute API versions the simulator knows (oldest first).
pub const API_VERSIONS: &[&str] = &[
    "2016-04-30-preview",
    "2017-03-30",
    "2018-04-01",
    "2018-06-01",
    "2018-09-30",
    "2019-03-01",
    "2019-07-01",
    "2019-11-01",
    "2020-05-01",
    "2020-06-30",
    "2020-09-30",
    "2020-12-01",
    "2021-04-01",
    "2021-08-01",
    "2021-12-01",
    "2022-03-02",
    "2022-03-22",
    "2022-07-02",
    "2023-01-02",
    "2023-04-02",
    "2023-10-02",
    "2024-03-02",
];

/// The first API version with incremental snapshots, and with CopyStart.
pub const INCREMENTAL_SINCE: &str = "2019-03-01";
pub const COPY_START_SINCE: &str = "2020-12-01";

/// Copies one `copy` loop may make (ARM's limit).
pub const MAX_COPIES: i64 = 800;

/// Function calls and indexes an expression may nest (a hostile template
/// nests thousands, which would overflow the stack).
pub const MAX_NESTING: usize = 64;
