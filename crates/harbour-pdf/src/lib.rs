//! PDF layout for Harbour's printed documents: consent forms, recovery
//! sheets and quarterly reports.
//!
//! Why a small home-grown layout layer on top of printpdf? printpdf 0.12
//! draws exactly what it is told (text at a point, lines, rectangles) but
//! does no wrapping or pagination outside its HTML mode. Harbour's documents
//! are simple top-to-bottom flows, so [`DocumentBuilder`] provides just that:
//! A4 portrait, 20 mm margins, word-wrapped text measured with the embedded
//! font's real glyph widths, tables, bar charts, signature blocks and a
//! "Page N of M" footer on every page.
//!
//! Everything works offline: DejaVu Sans (regular and bold) is compiled in
//! and subset into each PDF, so £, €, ü, en dashes and curly quotes print
//! correctly on any machine.
//!
//! Module map:
//! * [`layout`] – the builder, page flow and text blocks
//! * [`table`] – ruled tables with repeating header rows
//! * [`chart`] – horizontal bar charts
//! * [`signature`] – signature blocks
//! * `footer` – "Page N of M" footer, drawn at [`DocumentBuilder::finish`]
//! * `canvas` – printpdf drawing primitives in top-down coordinates
//! * `fonts`, `wrap` – embedded fonts, measurement and word wrapping
//! * [`output`] – atomic file writing
//! * [`error`] – [`PdfError`]

#![warn(missing_docs)]

mod canvas;
pub mod chart;
pub mod error;
mod fonts;
mod footer;
pub mod layout;
pub mod output;
pub mod signature;
pub mod style;
pub mod table;
mod wrap;

pub use chart::{Bar, BarChart};
pub use error::PdfError;
pub use layout::DocumentBuilder;
pub use output::write_atomic;
pub use signature::SIGNATURE_LABELS;
pub use table::{Column, Table};
