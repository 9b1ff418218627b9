//! The case log: an append-only, signed, hash-chained log of events.
//!
//! This one log is the audit trail, the chronology and what sync exchanges. Each device's
//! events form a linear chain (sequence numbers 1, 2, 3… each naming the previous event's
//! hash) signed with the device's Ed25519 key. Events carry a hybrid logical clock, so every
//! device sorts the same set of events into the same order and builds the same tables.

pub mod body;
pub mod event;
pub mod hlc;

pub use body::{
    Body, CustodyAction, EvidenceCaptured, Field, Handover, IncidentOpened, ProcedureStep,
    RecordRef, RetentionDecision, KIND_VERSION,
};
pub use event::{signature_holds, DeviceSigner, Event, EventHeader, Fault};
pub use hlc::Hlc;
