//! [`DocumentBuilder`]: flowing blocks of content onto A4 pages.
//!
//! Harbour's printed documents (consent forms, recovery sheets, quarterly
//! reports) are simple top-to-bottom flows of blocks. Rather than a general
//! layout engine, the builder keeps a cursor on the current page and starts a
//! new page whenever the next line would cross the bottom margin. Blocks that
//! read badly when split (headings, signature blocks, charts) are moved to a
//! new page whole when they fit on one.
//!
//! Tables, charts, signature blocks and the footer live in their own modules
//! as further `impl DocumentBuilder` blocks; this file holds the page flow and
//! the text blocks.

use std::path::Path;

use printpdf::{PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions};

use super::canvas::{Page, TextStyle};
use super::error::PdfError;
use super::fonts::Fonts;
use super::style::{
    mm, BODY_SIZE, CONTENT_BOTTOM, CONTENT_WIDTH, HEADING_SIZE, KEY_COLUMN_WIDTH, MARGIN,
    PAGE_HEIGHT, PAGE_WIDTH, PARAGRAPH_GAP, RULE_GREY, RULE_THICKNESS, TITLE_SIZE,
};
use super::wrap::wrap_text;

/// Builds a multi-page A4 portrait PDF from a sequence of blocks.
///
/// ```
/// # fn main() -> Result<(), harbour_pdf::PdfError> {
/// let mut doc = harbour_pdf::DocumentBuilder::new("Consent form")?;
/// doc.footer_text("Northbridge Training Centre – confidential");
/// doc.title("Consent form");
/// doc.key_value("Learner", "Alex Example");
/// doc.paragraph("I consent to the activities described overleaf.");
/// doc.signature_block(harbour_pdf::SIGNATURE_LABELS);
/// let bytes = doc.finish()?;
/// assert!(bytes.starts_with(b"%PDF"));
/// # Ok(())
/// # }
/// ```
pub struct DocumentBuilder {
    pub(crate) doc: PdfDocument,
    pub(crate) fonts: Fonts,
    /// Finished pages plus the current one (always the last; never empty).
    pub(crate) pages: Vec<Page>,
    /// Cursor: top of the next block, in points from the top of the page.
    pub(crate) y: f32,
    pub(crate) footer_text: Option<String>,
    /// Footer text that replaces `footer_text` from a page onwards: `(page index, text)`,
    /// in page order.
    pub(crate) running_footers: Vec<(usize, String)>,
}

impl DocumentBuilder {
    /// Starts a document; `title` becomes the PDF's metadata title.
    ///
    /// Fails only if the embedded fonts cannot be parsed.
    pub fn new(title: &str) -> Result<Self, PdfError> {
        let mut doc = PdfDocument::new(title);
        doc.metadata.info.creator = "Harbour".to_owned();
        doc.metadata.info.producer = "Harbour (printpdf)".to_owned();
        // printpdf 0.12 defaults all three dates to 1 January 1970.
        let now = printpdf::DateTime::now_utc();
        doc.metadata.info.creation_date = now;
        doc.metadata.info.modification_date = now;
        doc.metadata.info.metadata_date = now;
        let fonts = Fonts::load(&mut doc)?;
        Ok(Self {
            doc,
            fonts,
            pages: vec![Page::default()],
            y: MARGIN,
            footer_text: None,
            running_footers: Vec::new(),
        })
    }

    /// Sets text printed at the bottom left of every page, next to
    /// "Page N of M" (e.g. the centre name and "Confidential").
    /// Truncated with an ellipsis if it would not fit on one line.
    pub fn footer_text(&mut self, text: &str) -> &mut Self {
        self.footer_text = Some(text.to_owned());
        self
    }

    /// Sets the footer text from the current page onwards, until it is set again: for
    /// example the learner whose forms follow, so that a page that comes loose from a
    /// printed pile still says whose it is. Call it after [`page_break`](Self::page_break).
    pub fn running_footer(&mut self, text: &str) -> &mut Self {
        let page = self.pages.len().saturating_sub(1);
        self.running_footers.retain(|(from, _)| *from < page);
        self.running_footers.push((page, text.to_owned()));
        self
    }

    /// The footer text for the page at `index` (from 0).
    pub(crate) fn footer_for(&self, index: usize) -> Option<&str> {
        self.running_footers
            .iter()
            .rev()
            .find(|(from, _)| *from <= index)
            .map(|(_, text)| text.as_str())
            .or(self.footer_text.as_deref())
    }

    /// Number of pages so far (including the current one).
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    // ----- page flow -------------------------------------------------------

    pub(crate) fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// True when nothing has been placed on the current page yet.
    pub(crate) fn at_page_top(&self) -> bool {
        self.y <= MARGIN + 0.01
    }

    /// Space left above the footer on the current page.
    pub(crate) fn remaining(&self) -> f32 {
        CONTENT_BOTTOM - self.y
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits on this one (or this page
    /// is empty, in which case a new page would not help).
    pub(crate) fn ensure_space(&mut self, height: f32) {
        if height > self.remaining() && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical gap between blocks; swallowed at the top of a page.
    pub(crate) fn gap(&mut self, height: f32) {
        if !self.at_page_top() {
            self.y += height;
        }
    }

    /// Lays out rows of lines for one or more side-by-side columns, breaking
    /// pages between rows. Each entry is `(x, style, lines)`.
    pub(crate) fn flow_columns(&mut self, columns: &[(f32, TextStyle, Vec<String>)]) {
        let rows = columns.iter().map(|c| c.2.len()).max().unwrap_or(0);
        let line_height = columns
            .iter()
            .map(|c| c.1.line_height())
            .fold(0.0_f32, f32::max);
        for row in 0..rows {
            self.ensure_space(line_height);
            let top = self.y;
            for (x, style, lines) in columns {
                if let Some(line) = lines.get(row) {
                    let baseline = top + style.baseline_offset();
                    let fonts = &self.fonts;
                    let page = match self.pages.last_mut() {
                        Some(p) => p,
                        None => continue,
                    };
                    page.text(fonts, *style, *x, baseline, line);
                }
            }
            self.y += line_height;
        }
    }

    pub(crate) fn wrap(&self, text: &str, style: TextStyle, width: f32) -> Vec<String> {
        wrap_text(text, width, |s| {
            self.fonts.width(s, style.weight, style.size)
        })
    }

    pub(crate) fn text_width(&self, text: &str, style: TextStyle) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    // ----- text blocks -----------------------------------------------------

    /// Document title: large bold text with a rule underneath.
    pub fn title(&mut self, text: &str) -> &mut Self {
        let style = TextStyle::bold(TITLE_SIZE);
        let lines = self.wrap(text, style, CONTENT_WIDTH);
        // Keep the title with at least a couple of body lines.
        let needed = lines.len() as f32 * style.line_height() + 3.0 * BODY_SIZE;
        self.gap(PARAGRAPH_GAP * 2.0);
        self.ensure_space(needed);
        self.flow_columns(&[(MARGIN, style, lines)]);
        self.y += 2.0;
        let y = self.y;
        self.page()
            .hline(MARGIN, PAGE_WIDTH - MARGIN, y, RULE_THICKNESS, RULE_GREY);
        self.y += PARAGRAPH_GAP * 1.5;
        self
    }

    /// Section heading in bold. Never left alone at the bottom of a page.
    pub fn heading(&mut self, text: &str) -> &mut Self {
        let style = TextStyle::bold(HEADING_SIZE);
        let lines = self.wrap(text, style, CONTENT_WIDTH);
        self.gap(PARAGRAPH_GAP * 1.5);
        let body_line = TextStyle::regular(BODY_SIZE).line_height();
        self.ensure_space(lines.len() as f32 * style.line_height() + 3.0 * body_line);
        self.flow_columns(&[(MARGIN, style, lines)]);
        self.y += PARAGRAPH_GAP / 2.0;
        self
    }

    /// Body paragraph, word-wrapped to the margins. `\n` forces a line break.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        let style = TextStyle::regular(BODY_SIZE);
        let lines = self.wrap(text, style, CONTENT_WIDTH);
        self.flow_columns(&[(MARGIN, style, lines)]);
        self.y += PARAGRAPH_GAP;
        self
    }

    /// One "Key: value" row with the key in bold in a fixed-width label
    /// column, so consecutive rows line up. A colon is added to the key
    /// unless it already ends with one. Both sides wrap if long.
    pub fn key_value(&mut self, key: &str, value: &str) -> &mut Self {
        let key_style = TextStyle::bold(BODY_SIZE);
        let value_style = TextStyle::regular(BODY_SIZE);
        let key = if key.is_empty() || key.ends_with(':') {
            key.to_owned()
        } else {
            format!("{key}:")
        };
        let gutter = mm(3.0);
        let key_lines = self.wrap(&key, key_style, KEY_COLUMN_WIDTH - gutter);
        let value_lines = self.wrap(value, value_style, CONTENT_WIDTH - KEY_COLUMN_WIDTH);
        self.flow_columns(&[
            (MARGIN, key_style, key_lines),
            (MARGIN + KEY_COLUMN_WIDTH, value_style, value_lines),
        ]);
        self.y += 2.0;
        self
    }

    /// Vertical white space of `millimetres` (ignored at the top of a page).
    pub fn spacer(&mut self, millimetres: f32) -> &mut Self {
        self.gap(mm(millimetres));
        if self.y > CONTENT_BOTTOM {
            self.new_page();
        }
        self
    }

    /// Starts the following content on a new page (e.g. "start this learner
    /// on a new page"). Does nothing if the current page is still empty, so
    /// calling it before every learner never produces blank pages.
    pub fn page_break(&mut self) -> &mut Self {
        if !self.at_page_top() {
            self.new_page();
        }
        self
    }

    // ----- output ------------------------------------------------------------

    /// Adds the footers and serialises the document to PDF bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        let pages = std::mem::take(&mut self.pages);
        let total = pages.len();
        let mut pdf_pages = Vec::with_capacity(total);
        for (index, mut page) in pages.into_iter().enumerate() {
            self.draw_footer(&mut page, index + 1, total);
            pdf_pages.push(PdfPage::new(
                printpdf::Mm(210.0),
                printpdf::Mm(297.0),
                page.into_ops(),
            ));
        }
        debug_assert!((PAGE_HEIGHT - mm(297.0)).abs() < 0.01);
        self.doc.with_pages(pdf_pages);
        let mut warnings = Vec::new();
        let bytes = self.doc.save(&PdfSaveOptions::default(), &mut warnings);
        if let Some(err) = warnings
            .iter()
            .find(|w| w.severity == PdfParseErrorSeverity::Error)
        {
            return Err(PdfError::Serialise(err.msg.clone()));
        }
        Ok(bytes)
    }

    /// [`finish`](Self::finish)es the document and writes it to `path`
    /// atomically (temporary file in the same folder, fsync, rename).
    pub fn write_to(self, path: &Path) -> Result<(), PdfError> {
        let bytes = self.finish()?;
        super::output::write_atomic(path, &bytes)
    }
}
