//! What the command line adds to the core's sentences: the flag or command that helps.
//!
//! The core's errors speak of the action ("An allegation about a member of staff must say
//! whom it concerns."), because the app shows them too, where a flag means nothing. Here the
//! command line names its own way forward. The app's window points at its own controls.

use harbour::Error;

/// The sentence to print for an error on the command line: the core's sentence, then the
/// command-line hint where there is one.
pub fn sentence(e: &Error) -> String {
    let text = e.to_string();
    match hint(e) {
        Some(hint) => format!("{text} {hint}"),
        None => text,
    }
}

fn hint(e: &Error) -> Option<&'static str> {
    Some(match e {
        Error::NotSetUp(_) => "Run `harbour init` first.",
        Error::PassphraseNeeded => {
            "Type it when asked, or set HARBOUR_PASSPHRASE, or give --passphrase-file."
        }
        Error::PackPassphraseNeeded => "Type it when asked, or give --pack-passphrase-file.",
        Error::UnknownCategory(_) => "`harbour category list` shows them.",
        Error::PossibleDuplicate { .. } => "Give --even-if-duplicate to do so.",
        Error::Required { field, .. } => match *field {
            "concerns_staff" => "Give it with --concerns.",
            "to_setting" => "Give it with --to, e.g. --to \"Riverside College\".",
            "to" => "Give it with --to.",
            "centre" => "Give it with --centre.",
            _ => return None,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_names_its_flag_after_the_cores_sentence() {
        let e = Error::Required {
            field: "concerns_staff",
            sentence: "An allegation about a member of staff must say whom it concerns.",
        };
        assert_eq!(
            sentence(&e),
            "An allegation about a member of staff must say whom it concerns. Give it with --concerns."
        );
        assert!(
            !e.to_string().contains("--"),
            "the core's sentence names no flag"
        );
        assert_eq!(
            sentence(&Error::UnknownCategory("sexting".into())),
            "\"sexting\" is not a category. `harbour category list` shows them."
        );
        assert_eq!(sentence(&Error::Cancelled), Error::Cancelled.to_string());
    }
}
