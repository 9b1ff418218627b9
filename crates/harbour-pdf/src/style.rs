//! Page geometry, type sizes and colours in one place.
//!
//! Keeping every magic number here means the look of consent forms, recovery
//! sheets and quarterly reports can be tuned without touching layout logic.
//! All lengths are PDF points (1/72 inch) unless the name says otherwise.

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Converts millimetres to points.
pub const fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// A4 portrait width.
pub const PAGE_WIDTH: f32 = mm(210.0);
/// A4 portrait height.
pub const PAGE_HEIGHT: f32 = mm(297.0);
/// Margin on all four sides. 20 mm is well clear of the unprintable edge of
/// ordinary office laser and inkjet printers (typically 4–6 mm).
pub const MARGIN: f32 = mm(20.0);
/// Usable width between the left and right margins.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Height reserved above the bottom margin for the footer (rule + one line).
/// The footer sits *inside* the margins so nothing is printed near the edge.
pub const FOOTER_HEIGHT: f32 = mm(10.0);
/// Lowest y (measured from the top of the page) body content may reach.
pub const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT;

/// Document title size.
pub const TITLE_SIZE: f32 = 18.0;
/// Section heading size.
pub const HEADING_SIZE: f32 = 13.0;
/// Body text size (paragraphs, key/value rows, signature labels).
pub const BODY_SIZE: f32 = 10.5;
/// Table cell size.
pub const TABLE_SIZE: f32 = 10.0;
/// Footer size.
pub const FOOTER_SIZE: f32 = 8.5;

/// Line height as a multiple of the font size.
pub const LEADING: f32 = 1.35;
/// Space after a paragraph or key/value group.
pub const PARAGRAPH_GAP: f32 = 6.0;

/// Width of the bold label column in key/value rows.
pub const KEY_COLUMN_WIDTH: f32 = mm(45.0);
/// Inner padding of table cells.
pub const CELL_PADDING: f32 = 4.0;
/// Thickness of table borders and signature lines.
pub const RULE_THICKNESS: f32 = 0.6;

/// Text colour: near-black greyscale prints crisply on mono printers.
pub const TEXT_GREY: f32 = 0.0;
/// Table header background (light grey, legible on mono printers).
pub const HEADER_FILL_GREY: f32 = 0.88;
/// Rule / border colour.
pub const RULE_GREY: f32 = 0.35;
/// Bar fill colour in charts (mid grey so it survives black-and-white printing).
pub const BAR_FILL_GREY: f32 = 0.55;
