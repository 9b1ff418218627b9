//! Writes a sample three-page document so the layout can be inspected.
//! Usage: `cargo run --example sample -- [output.pdf]`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample.pdf".to_owned());
    let doc = common::sample_document("Alex Example")?;
    doc.write_to(std::path::Path::new(&path))?;
    println!("wrote {path}");
    Ok(())
}
