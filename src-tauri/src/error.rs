//! Errors as they cross to the window: a stable code and one plain sentence.

use harbour::Code;
use serde::Serialize;

/// What the UI receives when a command fails: `{"code": "wrong_passphrase", "message": "…"}`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppError {
    pub code: Code,
    pub message: String,
}

impl From<harbour::Error> for AppError {
    fn from(e: harbour::Error) -> Self {
        AppError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl AppError {
    pub fn locked() -> Self {
        AppError {
            code: Code::Locked,
            message: "Harbour is locked; unlock it to carry on.".into(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reaches_the_window_as_its_code_and_one_sentence() {
        let shown = serde_json::to_value(AppError::from(harbour::Error::WrongPassphrase))
            .expect("serialise");
        assert_eq!(
            shown,
            serde_json::json!({
                "code": "wrong_passphrase",
                "message": "That passphrase is not right for this Harbour data folder."
            })
        );
        let locked = serde_json::to_value(AppError::locked()).expect("serialise");
        assert_eq!(locked["code"], "locked");
        assert_eq!(locked.as_object().map(|o| o.len()), Some(2), "{locked}");
    }
}
