//! The footer printed on every page: optional text on the left and
//! "Page N of M" on the right, above a thin rule.
//!
//! It is drawn in [`DocumentBuilder::finish`] because the total page count
//! is only known once all content has been laid out. The footer occupies the
//! space reserved by [`FOOTER_HEIGHT`](super::style::FOOTER_HEIGHT), inside
//! the bottom margin, so it is never clipped by a printer.

use super::canvas::{Page, TextStyle};
use super::layout::DocumentBuilder;
use super::style::{
    CONTENT_WIDTH, FOOTER_SIZE, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, RULE_GREY, RULE_THICKNESS,
};
use super::wrap::truncate_to_width;

impl DocumentBuilder {
    pub(crate) fn draw_footer(&self, page: &mut Page, number: usize, total: usize) {
        let style = TextStyle::regular(FOOTER_SIZE);
        // Descenders (≈0.24 em) rest on the bottom margin.
        let baseline = PAGE_HEIGHT - MARGIN - 0.24 * FOOTER_SIZE;
        let rule_y = baseline - FOOTER_SIZE - 4.0;
        page.hline(
            MARGIN,
            PAGE_WIDTH - MARGIN,
            rule_y,
            RULE_THICKNESS / 2.0,
            RULE_GREY,
        );

        let label = format!("Page {number} of {total}");
        let label_width = self.text_width(&label, style);
        page.text(
            &self.fonts,
            style,
            PAGE_WIDTH - MARGIN - label_width,
            baseline,
            &label,
        );

        if let Some(text) = self.footer_for(number - 1) {
            let room = CONTENT_WIDTH - label_width - 12.0;
            let one_line = text.replace(['\r', '\n'], " ");
            let text = truncate_to_width(&one_line, room, |s| self.text_width(s, style));
            page.text(&self.fonts, style, MARGIN, baseline, &text);
        }
    }
}
