//! Errors as they cross to the window: a stable code and one plain sentence.

use serde::Serialize;

/// What the UI receives when a command fails.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl From<harbour::Error> for AppError {
    fn from(e: harbour::Error) -> Self {
        AppError {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

impl AppError {
    pub fn locked() -> Self {
        AppError {
            code: "locked".into(),
            message: "Harbour is locked; unlock it to carry on.".into(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
