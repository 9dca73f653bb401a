//! A managed disk's data: a fixed-size page blob that can be written, read and cleared.
//!
//! Byte offsets and lengths come in from users; this is where they are checked
//! (512-byte aligned, inside the disk) before they become page ranges. Every
//! check happens before any change, so a refused call leaves the disk as it was.

use crate::error::{EngineError, Result};
use crate::page_map::{PageMap, PageRange};
use crate::payload::{PatternKind, Payload};
use crate::units::{pages, GIB, MAX_DISK_SIZE_GIB, MAX_LARGE_DISK_SIZE_GIB, PAGE_SIZE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskData {
    size_bytes: u64,
    logical_sector_size: u64,
    map: PageMap,
}

/// The sizes a disk of type `sku` may have: 1 to 32,767 GiB, or to 64 TiB
/// for Ultra and Premium SSD v2.
pub fn check_size(sku: crate::catalog::DiskSku, size_gib: u64) -> Result<()> {
    let max_gib = if sku.is_v2_or_ultra() {
        MAX_LARGE_DISK_SIZE_GIB
    } else {
        MAX_DISK_SIZE_GIB
    };
    if size_gib == 0 || size_gib > max_gib {
        return Err(EngineError::InvalidDiskSize {
            size_gib,
            max_gib,
            sku: sku.name(),
        });
    }
    Ok(())
}

impl DiskData {
    /// An empty (all-zero) disk of `size_gib` GiB.
    /// (The limit for the disk's type is checked by the caller, which knows
    /// the type: [`check_size`]; this is only the largest any disk can be.)
    pub fn new(size_gib: u64, logical_sector_size: u64) -> Result<Self> {
        if size_gib == 0 || size_gib > MAX_LARGE_DISK_SIZE_GIB {
            return Err(EngineError::InvalidDiskSize {
                size_gib,
                max_gib: MAX_LARGE_DISK_SIZE_GIB,
                sku: "managed",
            });
        }
        if logical_sector_size != 512 && logical_sector_size != 4096 {
            return Err(EngineError::InvalidSectorSize {
                sector_size: logical_sector_size,
            });
        }
        Ok(DiskData {
            size_bytes: size_gib * GIB,
            logical_sector_size,
            map: PageMap::new(),
        })
    }

    /// An empty disk made for upload: exactly `upload_size_bytes` long (a
    /// fixed VHD's contents and its 512-byte footer), so its size need not
    /// be whole GiB. The caller has checked the size (the rules' `upload_size`).
    pub fn for_upload(upload_size_bytes: u64, logical_sector_size: u64) -> Result<Self> {
        let mut disk = DiskData::new(1, logical_sector_size)?;
        disk.size_bytes = upload_size_bytes;
        Ok(disk)
    }

    /// A disk of `size_bytes` (whole GiB, or an upload's size) holding
    /// `map`: how a stored disk is read back.
    pub fn with_size_bytes(
        size_bytes: u64,
        logical_sector_size: u64,
        map: PageMap,
    ) -> Result<Self> {
        let mut disk = DiskData::new(1, logical_sector_size)?;
        disk.size_bytes = size_bytes;
        disk.map = map;
        Ok(disk)
    }

    /// A disk holding `map` (a snapshot's pages): how a restore starts. O(1).
    pub fn with_pages(size_gib: u64, logical_sector_size: u64, map: PageMap) -> Result<Self> {
        let mut disk = DiskData::new(size_gib, logical_sector_size)?;
        disk.map = map;
        Ok(disk)
    }

    /// Grows the disk to `size_gib` (callers have checked it is not smaller).
    pub fn grow(&mut self, size_gib: u64) -> Result<()> {
        if size_gib == 0 || size_gib > MAX_LARGE_DISK_SIZE_GIB {
            return Err(EngineError::InvalidDiskSize {
                size_gib,
                max_gib: MAX_LARGE_DISK_SIZE_GIB,
                sku: "managed",
            });
        }
        self.size_bytes = self.size_bytes.max(size_gib * GIB);
        Ok(())
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    pub fn logical_sector_size(&self) -> u64 {
        self.logical_sector_size
    }

    /// Total 512-byte pages the disk can hold.
    pub fn page_count(&self) -> u64 {
        pages(self.size_bytes)
    }

    /// Bytes held in written pages: what an incremental snapshot of this disk
    /// would bill on its first snapshot (rule A6).
    pub fn used_bytes(&self) -> u64 {
        self.map.written_pages() * PAGE_SIZE
    }

    pub fn page_map(&self) -> &PageMap {
        &self.map
    }

    /// Writes real bytes at `offset`. Both must be page-aligned.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> Result<()> {
        self.write_blob(offset, 0, bytes::Bytes::copy_from_slice(data))
    }

    /// Writes real bytes that the store knows as `blob`.
    pub fn write_blob(&mut self, offset: u64, blob: u64, data: bytes::Bytes) -> Result<()> {
        let range = self.check_range(offset, data.len() as u64)?;
        self.map.write(range, Payload::Bytes { blob, data }, 0);
        Ok(())
    }

    /// Writes `length` bytes of a generated pattern at `offset`: how the
    /// simulator writes gigabytes without holding them.
    pub fn write_pattern(
        &mut self,
        offset: u64,
        length: u64,
        kind: PatternKind,
        seed: u64,
    ) -> Result<()> {
        let range = self.check_range(offset, length)?;
        self.map.write(range, Payload::pattern(kind, seed), 0);
        Ok(())
    }

    /// Clears (TRIMs) `length` bytes at `offset`: they read as zeros and stop counting as used.
    pub fn clear(&mut self, offset: u64, length: u64) -> Result<()> {
        let range = self.check_range(offset, length)?;
        self.map.clear(range);
        Ok(())
    }

    /// Reads `length` bytes at `offset`, materialising patterns.
    pub fn read(&self, offset: u64, length: u64) -> Result<Vec<u8>> {
        let range = self.check_range(offset, length)?;
        let mut out = vec![0u8; length as usize];
        self.map.read_into(range.start, &mut out);
        Ok(out)
    }

    /// Checks that `offset..offset+length` is page-aligned and inside the
    /// disk, and returns it as pages.
    pub fn check_range(&self, offset: u64, length: u64) -> Result<PageRange> {
        if offset % PAGE_SIZE != 0 || length % PAGE_SIZE != 0 {
            return Err(EngineError::MisalignedRange { offset, length });
        }
        let end = offset
            .checked_add(length)
            .filter(|&end| end <= self.size_bytes);
        match end {
            Some(end) => Ok(PageRange::new(pages(offset), pages(end))),
            None => Err(EngineError::RangePastEnd {
                offset,
                end: offset.saturating_add(length),
                disk_size: self.size_bytes,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::TIB;

    #[test]
    fn written_bytes_read_back_and_the_rest_is_zero() {
        let mut disk = DiskData::new(1, 512).unwrap();
        let data: Vec<u8> = (0..1024).map(|i| (i % 251) as u8).collect();
        disk.write(4096, &data).unwrap();
        assert_eq!(disk.read(4096, 1024).unwrap(), data);
        assert_eq!(disk.read(0, 512).unwrap(), vec![0u8; 512]);
        assert_eq!(disk.used_bytes(), 1024);
    }

    #[test]
    fn a_32_tib_disk_is_sparse() {
        let mut disk = DiskData::new(MAX_DISK_SIZE_GIB, 512).unwrap();
        assert_eq!(disk.page_count(), MAX_DISK_SIZE_GIB * GIB / 512);
        disk.write_pattern(31 * TIB, 10 * GIB, PatternKind::Random, 1)
            .unwrap();
        assert_eq!(disk.used_bytes(), 10 * GIB);
        assert_eq!(disk.page_map().extent_count(), 1);
        let tail = disk.read(31 * TIB + 10 * GIB - 512, 512).unwrap();
        assert!(tail.iter().any(|&b| b != 0));
    }

    #[test]
    fn clear_makes_pages_read_as_zeros_and_stop_counting() {
        let mut disk = DiskData::new(1, 512).unwrap();
        disk.write_pattern(0, 8192, PatternKind::Fill, 9).unwrap();
        disk.clear(1024, 2048).unwrap();
        assert_eq!(disk.used_bytes(), 8192 - 2048);
        assert_eq!(disk.read(1024, 2048).unwrap(), vec![0u8; 2048]);
        assert_eq!(disk.read(0, 1024).unwrap(), vec![9u8; 1024]);
    }

    #[test]
    fn misaligned_or_out_of_range_writes_are_refused_and_change_nothing() {
        let mut disk = DiskData::new(1, 512).unwrap();
        disk.write(0, &[5u8; 512]).unwrap();
        let before = disk.clone();

        let err = disk.write(100, &[1u8; 512]).unwrap_err();
        assert_eq!(err.code(), "InvalidPageRange");
        assert_eq!(
            err,
            EngineError::MisalignedRange {
                offset: 100,
                length: 512
            }
        );

        let err = disk.write(0, &[1u8; 100]).unwrap_err();
        assert_eq!(
            err,
            EngineError::MisalignedRange {
                offset: 0,
                length: 100
            }
        );

        let err = disk
            .write_pattern(GIB - 512, 1024, PatternKind::Fill, 1)
            .unwrap_err();
        assert_eq!(
            err,
            EngineError::RangePastEnd {
                offset: GIB - 512,
                end: GIB + 512,
                disk_size: GIB
            }
        );

        let err = disk.clear(u64::MAX - 511, 512).unwrap_err();
        assert!(matches!(err, EngineError::RangePastEnd { .. }));
        assert_eq!(disk, before);
    }

    #[test]
    fn sizes_and_sector_sizes_are_validated() {
        assert!(matches!(
            DiskData::new(0, 512).unwrap_err(),
            EngineError::InvalidDiskSize { size_gib: 0, .. }
        ));
        assert!(
            DiskData::new(65_536, 512).is_ok(),
            "64 TiB: the largest disk"
        );
        assert!(DiskData::new(65_537, 512).is_err());
        // The type decides: 32,767 GiB for most, 64 TiB for Ultra and Premium SSD v2.
        use crate::catalog::DiskSku;
        let err = check_size(DiskSku::PremiumLrs, 32_768).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The disk size 32768 GiB is not allowed: a Premium_LRS disk is 1 to 32,767 GiB."
        );
        assert!(check_size(DiskSku::PremiumLrs, 32_767).is_ok());
        assert!(check_size(DiskSku::UltraSsdLrs, 65_536).is_ok());
        assert!(check_size(DiskSku::PremiumV2Lrs, 65_536).is_ok());
        assert!(check_size(DiskSku::PremiumV2Lrs, 65_537).is_err());
        assert_eq!(
            DiskData::new(1, 1024).unwrap_err().code(),
            "InvalidParameter"
        );
        assert_eq!(DiskData::new(1, 4096).unwrap().logical_sector_size(), 4096);
    }
}
