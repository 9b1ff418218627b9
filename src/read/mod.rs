//! What the app and the command line show: read-only views over the tables.
//!
//! Every view that lists incidents hides those about the person using this device (an
//! allegation about a member of staff never reaches the person it concerns).

pub mod conflicts;
pub mod consent;
pub mod dashboard;
pub mod disclosures;
pub mod evidence;
pub mod forms;
pub mod incidents;
pub mod learners;
pub mod org;
pub mod procedures;
pub mod reports;
pub mod retention;
pub mod search;
pub mod transfers;
pub mod urgent;
pub mod vocabulary;

pub use incidents::{IncidentDetail, IncidentFilter, IncidentSummary};
