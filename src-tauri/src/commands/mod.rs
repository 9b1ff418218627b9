//! Harbour's commands for the window: each a thin wrapper over one core call.

pub mod backup;
pub mod consent;
pub mod evidence;
pub mod incidents;
pub mod learners;
pub mod procedures;
pub mod retention;
pub mod session;
pub mod settings;
pub mod sync;
