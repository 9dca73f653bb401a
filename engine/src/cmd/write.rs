//! `sim write`: bytes or a generated pattern written to a disk (A10: whole pages).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Write {
    pub group: String,
    pub disk: String,
    pub offset: u64,
    pub data: WriteData,
}

impl Operation for Write {
    fn kind(&self) -> Kind {
        Kind::Write
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.disk)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let Write {
            group,
            disk,
            offset,
            data,
        } = self;
        let offset = *offset;
        let length = data.length();
        let target = lab.find_disk(group, disk)?;
        rules::upload_writable(target)?;
        let range = target.data.check_range(offset, length)?;
        // Real bytes get a blob id, in log order, so a replay gives the same ids.
        let blob = matches!(data, WriteData::Bytes { .. } | WriteData::Freed { .. })
            .then(|| lab.allocate_blob(range));
        let d = lab.disk_mut(group, disk)?;
        match (data, blob) {
            (WriteData::Bytes { bytes }, Some(blob)) => {
                d.data.write_blob(offset, blob, bytes.clone())?
            }
            (
                WriteData::Pattern {
                    pattern,
                    seed,
                    length,
                },
                _,
            ) => d.data.write_pattern(offset, *length, *pattern, *seed)?,
            (WriteData::Freed { length }, _) => {
                d.data
                    .write_pattern(offset, *length, PatternKind::Fill, 0)?
            }
            (WriteData::Stored { blob, .. }, _) => {
                return Err(EngineError::InvalidParameter {
                    reason: format!("The bytes of blob {blob} were not loaded from storage."),
                })
            }
            (WriteData::Bytes { .. }, None) => unreachable!("bytes always get a blob"),
        }
        // Any write is a change, identical bytes or not (A8).
        d.changed.insert(range);
        Ok(format!(
            "wrote {} at byte {offset} of {disk}",
            human_bytes(length)
        ))
    }
}
