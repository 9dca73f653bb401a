//! `reference(name)`: a resource the deployment made, as its REST body.
//! The one place that says what `reference()` reads, so moving it to the
//! engine's REST resource model is a change to this function alone.

use serde_json::Value;
use snaplab_engine::Lab;

/// The body of the snapshot or disk `wanted` (a name or a resource ID) in
/// `group`, or why there is none.
pub fn resource_body(lab: &Lab, group: &str, wanted: &str) -> Result<Value, String> {
    let name = wanted.rsplit('/').next().unwrap_or_default();
    if let Ok(s) = lab.find_snapshot(group, name) {
        Ok(snaplab_engine::rest::az::snapshot_json(s, lab.now()))
    } else if let Ok(d) = lab.find_disk(group, name) {
        Ok(snaplab_engine::rest::az::disk_json(d, lab))
    } else {
        Err(format!(
            "reference(): the resource '{wanted}' is not defined in the template"
        ))
    }
}
