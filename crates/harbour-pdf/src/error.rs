//! Error type for the PDF module.
//!
//! Report generation runs in an offline desktop app where a failed print job
//! must be explained to a coordinator, not crash the app. Every fallible
//! operation therefore returns [`PdfError`] rather than panicking.

use std::path::PathBuf;

/// Everything that can go wrong while building or saving a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// One of the embedded fonts could not be parsed. This indicates a
    /// corrupted build rather than a user error.
    #[error("embedded font `{name}` could not be parsed")]
    FontParse {
        /// File name of the font that failed.
        name: &'static str,
    },

    /// A table was given rows whose cell count does not match its columns.
    #[error("table row {row} has {found} cells but the table has {expected} columns")]
    TableShape {
        /// Zero-based index of the offending row.
        row: usize,
        /// Number of columns declared for the table.
        expected: usize,
        /// Number of cells found in the row.
        found: usize,
    },

    /// A table was declared without columns, or with a non-positive width.
    #[error("table columns are invalid: {0}")]
    InvalidColumns(&'static str),

    /// printpdf reported an error while serialising the document.
    #[error("PDF serialisation failed: {0}")]
    Serialise(String),

    /// Writing the finished file to disk failed.
    #[error("could not write PDF to {path}: {source}")]
    Io {
        /// Destination (or temporary) path involved.
        path: PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}
