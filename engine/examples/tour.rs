//! A short native tour of the engine: `cargo run -p snaplab-engine --example tour`.
//!
//! Creates the largest managed disk, writes real bytes and a 10 GiB generated
//! pattern, TRIMs part of it, and shows that only written pages cost memory.

use snaplab_engine::units::{group_thousands, human_bytes, GIB, MAX_DISK_SIZE_GIB, TIB};
use snaplab_engine::{DiskData, PatternKind};

fn main() {
    let mut disk = DiskData::new(MAX_DISK_SIZE_GIB, 512).expect("32,767 GiB is a valid size");
    println!(
        "disk: {} in {} pages of 512 B",
        human_bytes(disk.size_bytes()),
        group_thousands(disk.page_count())
    );

    disk.write(
        0,
        b"Hello from Snaplab! This is a whole 512-byte page.....".repeat(10)[..512].as_ref(),
    )
    .unwrap();
    disk.write_pattern(TIB, 10 * GIB, PatternKind::Random, 7)
        .unwrap();
    disk.clear(TIB, GIB).unwrap();
    println!(
        "after writing 512 B and 10 GiB, then TRIMming 1 GiB: used {} in {} ranges ({} extents held in memory)",
        human_bytes(disk.used_bytes()),
        disk.page_map().written_ranges().len(),
        disk.page_map().extent_count()
    );
    let first = disk.read(0, 512).unwrap();
    println!("page 0 reads: {:?}", String::from_utf8_lossy(&first[..18]));

    match disk.write(100, &[0; 512]) {
        Ok(()) => unreachable!("a misaligned write must be refused"),
        Err(e) => println!("a write at byte 100 is refused: ({}) {e}", e.code()),
    }
}
