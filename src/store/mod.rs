//! The encrypted database: schema, the case log, the tables built from it, and their checks.

pub mod caselog;
pub mod clock;
pub mod db;
pub mod fork;
pub mod project;
pub mod project_consent;
mod project_disclosures;
mod project_evidence;
mod project_forms;
pub(crate) mod project_retention;
mod project_transfers;
pub mod revocation;
pub mod rows;
pub mod schema;
pub mod scratch;
pub mod verify;

pub use caselog::{CaseLog, Device, IngestReport};
