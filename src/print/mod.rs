//! Printed documents: the induction forms, the quarterly report, the recovery sheet, pack
//! summaries and the transfer receipt.
//!
//! Each is laid out with `harbour_pdf` (A4, 20 mm margins, "Page N of M", embedded font) from
//! data the core reads, so the app can print exactly what the command line prints.

pub(crate) mod case_file;
pub mod forms;
pub mod recovery;
pub mod report;
pub mod sar;
pub mod transfer;
