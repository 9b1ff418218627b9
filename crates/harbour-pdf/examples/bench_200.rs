//! Rough timing for a large print run: 200 learners × 3 pages (600 pages).
//! Not a test, because timings vary by machine.
//! Usage: `cargo run --release --example bench_200`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut doc = harbour_pdf::DocumentBuilder::new("Bench: 200 learners")?;
    doc.footer_text("Northbridge Training Centre – confidential");
    for i in 1..=200 {
        common::learner_pack(&mut doc, &format!("Learner {i:03} Example"))?;
    }
    let pages = doc.page_count();
    let laid_out = start.elapsed();
    let bytes = doc.finish()?;
    let total = start.elapsed();
    println!(
        "{pages} pages: layout {:.2} s, total {:.2} s, {} bytes ({:.1} KB per page)",
        laid_out.as_secs_f64(),
        total.as_secs_f64(),
        bytes.len(),
        bytes.len() as f64 / 1024.0 / pages as f64
    );
    Ok(())
}
