//! Writes the crafted lab files of the adversarial corpus (each with valid
//! checksums) to `tests/adversarial/lab-files/`, or to the folder given:
//! `cargo run -p snaplab-engine --example craft [DIR]`.

#[path = "../tests/crafted/mod.rs"]
mod crafted;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/adversarial/lab-files"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in crafted::all() {
        std::fs::write(dir.join(name), &bytes)?;
        println!("{name}: {} bytes", bytes.len());
    }
    Ok(())
}
