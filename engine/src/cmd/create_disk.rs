//! `az disk create --size-gb`: an empty managed disk; with
//! `--upload-type Upload --upload-size-bytes`, one made to be written
//! through a write SAS (`ReadyToUpload`).

use super::prelude::*;
use super::{ConvertDisk, ResizeDisk};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDisk {
    pub group: String,
    pub name: String,
    pub location: Option<String>,
    pub sku: String,
    pub size_gib: u64,
    pub logical_sector_size: u64,
    /// The availability zone ("1", "2" or "3"): a zonal disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Provisioned IOPS and MB/s: Premium SSD v2 and Ultra Disks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mbps: Option<u64>,
    /// `createOption: Upload`: the VHD's size with its footer; `size_gib`
    /// is then not used (the disk is exactly this long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_size_bytes: Option<u64>,
}

impl CreateDisk {
    /// `az disk create -g GROUP -n NAME --sku SKU --size-gb GIB`: in the
    /// group's region, 512-byte sectors, not zonal, default performance.
    pub fn new(group: &str, name: &str, sku: &str, size_gib: u64) -> CreateDisk {
        CreateDisk {
            group: group.into(),
            name: name.into(),
            location: None,
            sku: sku.into(),
            size_gib,
            logical_sector_size: 512,
            zone: None,
            iops: None,
            mbps: None,
            upload_size_bytes: None,
        }
    }

    /// `az disk create --upload-type Upload --upload-size-bytes BYTES`: a
    /// disk waiting for a VHD of `upload_size_bytes` (footer included).
    pub fn upload(group: &str, name: &str, sku: &str, upload_size_bytes: u64) -> CreateDisk {
        CreateDisk {
            upload_size_bytes: Some(upload_size_bytes),
            ..CreateDisk::new(group, name, sku, 0)
        }
    }

    /// A Premium SSD (`Premium_LRS`), the disk most labs start with.
    pub fn premium(group: &str, name: &str, size_gib: u64) -> CreateDisk {
        CreateDisk::new(group, name, "Premium_LRS", size_gib)
    }

    /// The same disk with `--logical-sector-size`.
    pub fn sector_size(self, logical_sector_size: u64) -> CreateDisk {
        CreateDisk {
            logical_sector_size,
            ..self
        }
    }
}

impl Operation for CreateDisk {
    fn kind(&self) -> Kind {
        Kind::CreateDisk
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let at = lab.place(&self.group, &self.name, self.location.as_deref(), "disk")?;
        let sku = DiskSku::parse(&self.sku)?;
        let data = match self.upload_size_bytes {
            Some(bytes) => {
                rules::upload_size(bytes)?;
                DiskData::for_upload(bytes, self.logical_sector_size)?
            }
            None => {
                crate::disk::check_size(sku, self.size_gib)?;
                DiskData::new(self.size_gib, self.logical_sector_size)?
            }
        };
        rules::c6_disk_sector_size(sku, self.logical_sector_size)?;
        let zone = self.zone.as_deref().map(check_zone).transpose()?;
        let performance = rules::c9_performance(sku, self.iops, self.mbps)?;
        if let Some(existing) = lab.disk_at(&at.key()) {
            return self.update_existing(lab, existing.clone(), &at, sku);
        }
        let unique_id = lab.next_unique_id();
        let mut disk = Disk::empty(at, sku, unique_id, lab.now(), data);
        disk.zone = zone;
        disk.performance = performance;
        let summary = match self.upload_size_bytes {
            Some(bytes) => {
                disk.origin = DiskOrigin::Upload {
                    upload_size_bytes: bytes,
                };
                disk.upload = Some(UploadStage::Ready);
                format!(
                    "disk {} created for upload: {} {} (ReadyToUpload)",
                    self.name,
                    human_bytes(bytes),
                    sku.name()
                )
            }
            None => format!(
                "disk {} created: {} GiB {}",
                self.name,
                self.size_gib,
                sku.name()
            ),
        };
        lab.insert_disk(disk);
        Ok(summary)
    }
}

impl CreateDisk {
    /// Creating a disk that already exists (ARM's PUT is create-or-update):
    /// the same request changes nothing and succeeds; a larger size grows it
    /// and new IOPS / MB/s are provisioned (a resize, with its rules, B7,
    /// C9); a new sku converts the disk's type; what cannot change is
    /// refused.
    fn update_existing(
        &self,
        lab: &mut LabState,
        disk: Disk,
        asked: &Placement,
        sku: DiskSku,
    ) -> Result<String> {
        let name = disk.at.name.clone();
        let was_upload = match disk.origin {
            DiskOrigin::Upload { upload_size_bytes } => Some(upload_size_bytes),
            _ => None,
        };
        if self.upload_size_bytes.is_some() && self.upload_size_bytes != was_upload {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "creationData.uploadSizeBytes",
                hint: format!(
                    "Disk '{name}' was created with createOption {}.",
                    disk.origin.create_option()
                ),
            });
        }
        if self.upload_size_bytes.is_some() {
            return Ok(format!(
                "disk {name} exists with these properties: nothing changed (create-or-update)"
            ));
        }
        if self.location.is_some() && !asked.location.eq_ignore_ascii_case(&disk.at.location) {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "location",
                hint: format!("Disk '{name}' is in {}.", disk.at.location),
            });
        }
        if self.logical_sector_size != disk.data.logical_sector_size() {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "creationData.logicalSectorSize",
                hint: format!(
                    "Disk '{name}' has {}-byte sectors.",
                    disk.data.logical_sector_size()
                ),
            });
        }
        // A new size or provisioned performance in the PUT is an update (az
        // disk update sends the whole disk back with the values changed).
        let (now_iops, now_mbps) = disk.performance.unzip();
        let new_performance = self.iops.is_some_and(|i| Some(i) != now_iops)
            || self.mbps.is_some_and(|m| Some(m) != now_mbps);
        // A new sku converts the disk's type (rules::convert_disk_type),
        // checked before the size changes so a refusal changes nothing.
        let convert = (sku != disk.sku).then(|| ConvertDisk {
            group: disk.at.group.clone(),
            name: name.clone(),
            sku: sku.name().to_string(),
        });
        if convert.is_some() {
            rules::convert_disk_type(lab, &disk, sku)?;
            crate::disk::check_size(sku, self.size_gib.max(disk.size_gib()))?;
        }
        let mut summary = None;
        if self.size_gib != disk.size_gib() || new_performance {
            summary = Some(
                ResizeDisk {
                    iops: self.iops,
                    mbps: self.mbps,
                    ..ResizeDisk::to(&disk.at.group, &name, self.size_gib)
                }
                .apply(lab)?,
            );
        }
        if let Some(convert) = convert {
            let converted = convert.apply(lab)?;
            summary = Some(match summary {
                Some(resized) => format!("{converted}; {resized}"),
                None => converted,
            });
        }
        if let Some(summary) = summary {
            return Ok(summary);
        }
        Ok(format!(
            "disk {name} exists with these properties: nothing changed (create-or-update)"
        ))
    }
}

/// An availability zone as Azure names them.
fn check_zone(zone: &str) -> Result<String> {
    match zone.trim() {
        z @ ("1" | "2" | "3") => Ok(z.to_string()),
        other => Err(EngineError::InvalidParameter {
            reason: format!("The availability zone '{other}' is not valid: use 1, 2 or 3."),
        }),
    }
}
