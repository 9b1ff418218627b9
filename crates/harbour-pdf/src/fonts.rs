//! The embedded DejaVu Sans fonts and text measurement.
//!
//! Harbour runs offline and on machines we do not control, so fonts are
//! compiled into the binary rather than looked up on the system. DejaVu Sans
//! covers everything UK English needs (£, €, accented names, en dashes and
//! curly quotes); printpdf subsets it on save, so only used glyphs are
//! embedded. Licence: `assets/fonts/LICENSE-DejaVu.txt`.
//!
//! Measurement uses each glyph's real advance width from the `hmtx` table,
//! which is exactly how printpdf positions glyphs for `TextItem::Text`
//! (it emits glyph ids without kerning), so wrapped lines never overrun.

use printpdf::{FontId, ParsedFont, PdfDocument};

use super::error::PdfError;

// The fonts live in the repository's `assets/fonts/` with their licence.
const REGULAR_TTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans.ttf"
));
const BOLD_TTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans-Bold.ttf"
));

/// Which face to draw a piece of text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One parsed face registered with a document.
struct Face {
    parsed: ParsedFont,
    id: FontId,
    units_per_em: f32,
}

impl Face {
    fn load(doc: &mut PdfDocument, bytes: &[u8], name: &'static str) -> Result<Self, PdfError> {
        let mut warnings = Vec::new();
        let parsed =
            ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or(PdfError::FontParse { name })?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(PdfError::FontParse { name });
        }
        let id = doc.add_font(&parsed);
        Ok(Self {
            parsed,
            id,
            units_per_em,
        })
    }

    /// Advance width of `c` in em. Characters missing from the font fall back
    /// to glyph 0 (`.notdef`), matching what printpdf will draw.
    fn advance_em(&self, c: char) -> f32 {
        let gid = self.parsed.lookup_glyph_index(c as u32).unwrap_or(0);
        f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
    }
}

/// Regular and bold DejaVu Sans, registered with one [`PdfDocument`].
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    /// Parses both embedded faces and registers them with `doc`.
    pub(crate) fn load(doc: &mut PdfDocument) -> Result<Self, PdfError> {
        Ok(Self {
            regular: Face::load(doc, REGULAR_TTF, "DejaVuSans.ttf")?,
            bold: Face::load(doc, BOLD_TTF, "DejaVuSans-Bold.ttf")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// printpdf resource id for `weight`.
    pub(crate) fn id(&self, weight: Weight) -> &FontId {
        &self.face(weight).id
    }

    /// Width of `text` in points at `size` points.
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let face = self.face(weight);
        text.chars().map(|c| face.advance_em(c)).sum::<f32>() * size
    }
}
