//! End-to-end tests: build real PDFs, then read them back with poppler's
//! `pdftotext` and `pdftoppm` (Debian package poppler-utils).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use harbour_pdf::{Column, DocumentBuilder, PdfError, Table};

const PAGE_WIDTH_PT: f64 = 595.276;
const PAGE_HEIGHT_PT: f64 = 841.89;
const MARGIN_PT: f64 = 20.0 * 72.0 / 25.4;

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("could not run {program} (is poppler-utils installed?): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.trim().is_empty(),
        "{program} {args:?} printed errors: {stderr}"
    );
    String::from_utf8(out.stdout).expect("tool output is UTF-8")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp path is UTF-8")
}

/// `pdftotext -layout` for the whole document.
fn layout_text(pdf: &Path) -> String {
    run("pdftotext", &["-layout", path_str(pdf), "-"])
}

/// `pdftotext -layout` for one page (1-based).
fn page_text(pdf: &Path, page: usize) -> String {
    let n = page.to_string();
    run(
        "pdftotext",
        &["-layout", "-f", &n, "-l", &n, path_str(pdf), "-"],
    )
}

fn write_doc(doc: DocumentBuilder, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    doc.write_to(&path).expect("document writes");
    path
}

fn sample_pdf(dir: &Path) -> PathBuf {
    let doc = common::sample_document("Alex Example").expect("sample builds");
    assert_eq!(
        doc.page_count(),
        3,
        "sample pack should be exactly three pages"
    );
    write_doc(doc, dir, "sample.pdf")
}

/// Word bounding boxes `(page, xMin, yMin, xMax, yMax, word)` from
/// `pdftotext -bbox`, which reports coordinates from the top-left in points.
fn word_boxes(pdf: &Path) -> Vec<(usize, f64, f64, f64, f64, String)> {
    let html = run("pdftotext", &["-bbox", path_str(pdf), "-"]);
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).expect("attribute present") + key.len();
        let end = start + tag[start..].find('"').expect("closing quote");
        tag[start..end].parse().expect("numeric attribute")
    };
    let mut page = 0;
    let mut boxes = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let close = rest.find('>').expect("tag end");
            let tag = &rest[..close];
            let word = rest[close + 1..].trim_end_matches("</word>").to_owned();
            boxes.push((
                page,
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
                word,
            ));
        }
    }
    boxes
}

#[test]
fn sample_text_survives_pdftotext() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = sample_pdf(dir.path());
    let text = layout_text(&pdf);

    for expected in [
        "Consent form – residential trip",
        "Alex Example",
        "Northbridge Training Centre",
        "£245.00 (about €285), payable by 1 March",
        "Grüße €",
        "“warmest regards”",
        "it’s a phone-free week",
        // Table cells, including the header and a wrapped cell's last line.
        "Staff initials",
        "Arrived on time; settled quickly.",
        "then rejoined the group feeling much better.",
        "Ate lunch – vegetarian option.",
        "92%",
        // Chart value labels.
        "£4.50",
        // Signature labels.
        "Relationship",
        "Page 1 of 3",
        "Page 2 of 3",
        "Page 3 of 3",
        "Northbridge Training Centre – confidential",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    // The long paragraph really wrapped, and its last word survived on a
    // later line than its first.
    let first = text
        .lines()
        .position(|l| l.contains("During the residential week"))
        .expect("paragraph start");
    let last = text
        .lines()
        .position(|l| l.contains("bright blue kingfisher"))
        .expect("paragraph's last word");
    assert!(last >= first + 3, "paragraph should span several lines");

    // Each learner section starts on its own page.
    assert!(page_text(&pdf, 1).contains("Consent form"));
    assert!(page_text(&pdf, 2).contains("Recovery sheet"));
    assert!(page_text(&pdf, 3).contains("Attendance summary"));
}

#[test]
fn every_page_renders_with_pdftoppm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = sample_pdf(dir.path());
    let prefix = dir.path().join("render");
    run(
        "pdftoppm",
        &["-png", "-r", "50", path_str(&pdf), path_str(&prefix)],
    );

    let mut pngs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("list temp dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    assert_eq!(pngs.len(), 3, "one PNG per page: {pngs:?}");
    for png in pngs {
        let bytes = std::fs::read(&png).expect("read png");
        assert!(bytes.starts_with(b"\x89PNG"), "{png:?} is a PNG");
        assert!(bytes.len() > 1000, "{png:?} is not blank-sized");
    }
}

#[test]
fn fonts_are_subset_so_files_stay_small() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = sample_pdf(dir.path());
    let size = std::fs::metadata(&pdf).expect("metadata").len();
    // The full DejaVu Sans regular + bold TTFs are ~1.4 MB together.
    assert!(size < 200 * 1024, "sample PDF is {size} bytes");
    assert!(
        size > 5 * 1024,
        "sample PDF suspiciously small: {size} bytes"
    );
}

/// A document designed to stress wrapping and pagination.
fn stress_document() -> Result<DocumentBuilder, PdfError> {
    let mut doc = DocumentBuilder::new("Stress")?;
    doc.footer_text(
        "Northbridge Training Centre – quarterly safeguarding report – a deliberately long \
         footer that must be shortened rather than collide with the page number",
    );
    doc.title(
        "Quarterly safeguarding report – a title long enough to need wrapping onto a second line",
    );
    for i in 0..12 {
        doc.paragraph(&format!(
            "Paragraph {i}: {} Unbreakable: https://example.org/a/very/long/path/that/cannot/be/broken/at/spaces/{i}",
            common::LONG_PARAGRAPH
        ));
    }
    let mut table = Table::new(vec![
        Column::new("Learner", 2.0),
        Column::new("Concern", 5.0),
        Column::new("Outcome", 2.0),
    ]);
    for i in 0..60 {
        table.add_row([
            format!("Learner {i:02}"),
            format!("Fictional concern number {i} with enough words to wrap inside the cell"),
            "Resolved – no further action".to_owned(),
        ]);
    }
    doc.table(&table)?;
    Ok(doc)
}

#[test]
fn text_never_crosses_the_margins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = stress_document().expect("stress builds");
    let pages = doc.page_count();
    assert!(pages >= 4, "stress document spans pages (got {pages})");
    let pdf = write_doc(doc, dir.path(), "stress.pdf");

    let boxes = word_boxes(&pdf);
    assert!(!boxes.is_empty());
    let tolerance = 0.5;
    for (page, x_min, y_min, x_max, y_max, word) in &boxes {
        assert!(
            *x_min >= MARGIN_PT - tolerance && *x_max <= PAGE_WIDTH_PT - MARGIN_PT + tolerance,
            "page {page}: {word:?} crosses a side margin ({x_min:.1}–{x_max:.1})"
        );
        assert!(
            *y_min >= MARGIN_PT - tolerance && *y_max <= PAGE_HEIGHT_PT - MARGIN_PT + tolerance,
            "page {page}: {word:?} crosses the top/bottom margin ({y_min:.1}–{y_max:.1})"
        );
    }
    assert_eq!(boxes.last().map(|b| b.0), Some(pages));
}

#[test]
fn table_header_repeats_and_footer_is_on_every_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = stress_document().expect("stress builds");
    let pages = doc.page_count();
    let pdf = write_doc(doc, dir.path(), "stress.pdf");

    let mut table_pages = 0;
    for page in 1..=pages {
        let text = page_text(&pdf, page);
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "page {page} footer missing:\n{text}"
        );
        assert!(text.contains('…'), "long footer text is truncated");
        if text.contains("Learner ") {
            table_pages += 1;
            assert!(
                text.contains("Concern") && text.contains("Outcome"),
                "page {page} has table rows but no header:\n{text}"
            );
        }
    }
    assert!(table_pages >= 2, "the table should continue over pages");
    let all = layout_text(&pdf);
    for i in [0, 30, 59] {
        assert!(all.contains(&format!("Learner {i:02}")), "row {i} missing");
    }
}

#[test]
fn row_taller_than_a_page_is_split_not_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut doc = DocumentBuilder::new("Tall row").expect("builder");
    let mut table = Table::new(vec![Column::new("Date", 1.0), Column::new("Notes", 4.0)]);
    let notes: Vec<String> = (1..=90).map(|i| format!("Note line {i}.")).collect();
    table.add_row(["1 April".to_owned(), notes.join("\n")]);
    doc.table(&table).expect("table draws");
    assert!(doc.page_count() >= 2);
    let pdf = write_doc(doc, dir.path(), "tall.pdf");
    let text = layout_text(&pdf);
    for i in [1, 45, 90] {
        assert!(text.contains(&format!("Note line {i}.")), "line {i} lost");
    }
}

#[test]
fn page_break_on_an_empty_page_adds_nothing() {
    let mut doc = DocumentBuilder::new("Breaks").expect("builder");
    doc.page_break().page_break();
    assert_eq!(doc.page_count(), 1);
    doc.paragraph("First learner.");
    doc.page_break().page_break();
    assert_eq!(doc.page_count(), 2);
    doc.paragraph("Second learner.");
    assert_eq!(doc.page_count(), 2);
}

#[test]
fn mismatched_table_row_is_rejected() {
    let mut doc = DocumentBuilder::new("Bad table").expect("builder");
    let mut table = Table::new(vec![Column::new("A", 1.0), Column::new("B", 1.0)]);
    table.add_row(["only one cell"]);
    let err = doc.table(&table).err().expect("shape error");
    assert!(matches!(
        err,
        PdfError::TableShape {
            row: 0,
            expected: 2,
            found: 1
        }
    ));
    let zero = Table::new(vec![Column::new("A", 0.0)]);
    assert!(matches!(doc.table(&zero), Err(PdfError::InvalidColumns(_))));
}

#[test]
fn atomic_write_replaces_file_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, b"old contents").expect("seed file");
    let pdf = sample_pdf(dir.path());
    harbour_pdf::write_atomic(&path, &std::fs::read(&pdf).expect("read")).expect("write");
    assert!(std::fs::read(&path)
        .expect("read back")
        .starts_with(b"%PDF"));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "temporary file left behind: {names:?}"
    );

    let missing = dir.path().join("no-such-folder").join("x.pdf");
    assert!(matches!(
        harbour_pdf::write_atomic(&missing, b"%PDF"),
        Err(PdfError::Io { .. })
    ));
}
