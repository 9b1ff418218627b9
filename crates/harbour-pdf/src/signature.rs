//! Signature blocks for consent forms.
//!
//! Each label sits on the left with a ruled line to the right margin, tall
//! enough to sign by hand. The block is never split across pages: a parent
//! signing page 2 of a form must see everything they are signing next to.

use super::canvas::TextStyle;
use super::layout::DocumentBuilder;
use super::style::{
    mm, BODY_SIZE, CONTENT_WIDTH, MARGIN, PAGE_WIDTH, PARAGRAPH_GAP, RULE_THICKNESS,
};

/// The usual labels for a parent or carer signature block.
pub const SIGNATURE_LABELS: &[&str] = &["Signature", "Name", "Relationship", "Date"];

/// Height of one signature row; enough room for handwriting.
const ROW_HEIGHT: f32 = mm(11.0);

impl DocumentBuilder {
    /// Draws one labelled line per entry in `labels`, e.g.
    /// [`SIGNATURE_LABELS`]. Moved to a new page whole if it does not fit.
    pub fn signature_block(&mut self, labels: &[&str]) -> &mut Self {
        let style = TextStyle::regular(BODY_SIZE);
        let gutter = mm(3.0);
        // Label column fits the widest label, within sensible limits.
        let label_width = labels
            .iter()
            .map(|l| self.text_width(l, style))
            .fold(mm(25.0), f32::max)
            .min(CONTENT_WIDTH * 0.4);
        let line_start = MARGIN + label_width + gutter;

        self.gap(PARAGRAPH_GAP);
        self.ensure_space(labels.len() as f32 * ROW_HEIGHT);
        for label in labels {
            self.ensure_space(ROW_HEIGHT);
            let label =
                super::wrap::truncate_to_width(label, label_width, |s| self.text_width(s, style));
            // Writing line near the bottom of the row; label sits on it.
            let rule_y = self.y + ROW_HEIGHT - mm(2.0);
            let baseline = rule_y - 1.5;
            let fonts = &self.fonts;
            let Some(page) = self.pages.last_mut() else {
                break;
            };
            page.text(fonts, style, MARGIN, baseline, &label);
            page.hline(line_start, PAGE_WIDTH - MARGIN, rule_y, RULE_THICKNESS, 0.0);
            self.y += ROW_HEIGHT;
        }
        self.y += PARAGRAPH_GAP;
        self
    }
}
