//! Drawing primitives for one page, in top-down coordinates.
//!
//! PDF measures y upwards from the bottom edge; layout code is far easier to
//! read when y grows downwards like a page of text. This module is the only
//! place that converts between the two, and the only place that knows which
//! printpdf [`Op`]s make up a line of text, a rule or a filled box.

use printpdf::{
    Color, Greyscale, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, TextItem,
};

use super::fonts::{Fonts, Weight};
use super::style::{LEADING, PAGE_HEIGHT, TEXT_GREY};

/// Face and size of a run of text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
}

impl TextStyle {
    pub(crate) const fn regular(size: f32) -> Self {
        Self {
            weight: Weight::Regular,
            size,
        }
    }

    pub(crate) const fn bold(size: f32) -> Self {
        Self {
            weight: Weight::Bold,
            size,
        }
    }

    /// Height of one line box.
    pub(crate) fn line_height(self) -> f32 {
        self.size * LEADING
    }

    /// Offset from the top of a line box to the baseline: centres the capital
    /// letters (cap height ≈ 0.73 em in DejaVu Sans) in the box.
    pub(crate) fn baseline_offset(self) -> f32 {
        self.line_height() / 2.0 + 0.365 * self.size
    }
}

/// Ops for one page, built up as blocks are laid out.
#[derive(Default)]
pub(crate) struct Page {
    ops: Vec<Op>,
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level.clamp(0.0, 1.0),
        icc_profile: None,
    })
}

fn point(x: f32, y_from_top: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(PAGE_HEIGHT - y_from_top),
        },
        bezier: false,
    }
}

impl Page {
    /// Consumes the page, returning its printpdf operations.
    pub(crate) fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// Draws one line of text with its baseline at `baseline` (from the top).
    pub(crate) fn text(
        &mut self,
        fonts: &Fonts,
        font: TextStyle,
        x: f32,
        baseline: f32,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(fonts.id(font.weight).clone()),
                size: Pt(font.size),
            },
            Op::SetFillColor {
                col: grey(TEXT_GREY),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(PAGE_HEIGHT - baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Draws a horizontal rule from `x1` to `x2` at `y`.
    pub(crate) fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, grey_level: f32) {
        self.ops.extend([
            Op::SetOutlineColor {
                col: grey(grey_level),
            },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y), point(x2, y)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Draws a vertical rule from `y1` to `y2` at `x`.
    pub(crate) fn vline(&mut self, x: f32, y1: f32, y2: f32, thickness: f32, grey_level: f32) {
        self.ops.extend([
            Op::SetOutlineColor {
                col: grey(grey_level),
            },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x, y1), point(x, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Fills a rectangle whose top-left corner is (`x`, `top`).
    pub(crate) fn fill_rect(&mut self, x: f32, top: f32, width: f32, height: f32, grey_level: f32) {
        self.ops.push(Op::SetFillColor {
            col: grey(grey_level),
        });
        self.rect(x, top, width, height, PaintMode::Fill);
    }

    /// Strokes the outline of a rectangle whose top-left corner is (`x`, `top`).
    pub(crate) fn stroke_rect(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        thickness: f32,
        grey_level: f32,
    ) {
        self.ops.extend([
            Op::SetOutlineColor {
                col: grey(grey_level),
            },
            Op::SetOutlineThickness { pt: Pt(thickness) },
        ]);
        self.rect(x, top, width, height, PaintMode::Stroke);
    }

    fn rect(&mut self, x: f32, top: f32, width: f32, height: f32, mode: PaintMode) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                mode: Some(mode),
                ..Rect::from_xywh(Pt(x), Pt(PAGE_HEIGHT - top - height), Pt(width), Pt(height))
            },
        });
    }
}
