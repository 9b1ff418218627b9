//! `harbour clock`: this computer's clock beside the case log's, and confirming the date
//! after a long pause (see `harbour::store::clock`).

use serde::Serialize;

use harbour::domain::time::show_millis;
use harbour::{Harbour, Result};

use super::args::ClockCmd;
use super::output::Out;

#[derive(Serialize)]
struct Shown {
    computer_ms: i64,
    newest_entry_ms: Option<i64>,
    warning: Option<harbour::store::clock::ClockWarning>,
}

pub fn run(h: &Harbour, c: ClockCmd, out: &Out) -> Result<()> {
    let log = h.log();
    match c {
        ClockCmd::Show => {
            let shown = Shown {
                computer_ms: log.now_ms(),
                newest_entry_ms: harbour::store::clock::newest_ms(log.conn())?,
                warning: log.clock_warning()?,
            };
            out.emit(&shown, || {
                let mut s = format!("This computer's clock: {}", show_millis(shown.computer_ms));
                match shown.newest_entry_ms {
                    Some(n) => s.push_str(&format!(
                        "\nNewest entry in the case log: {}",
                        show_millis(n)
                    )),
                    None => s.push_str("\nThe case log holds no entry yet."),
                }
                if let Some(w) = &shown.warning {
                    s.push_str(&format!("\n{}", w.message));
                }
                s
            });
        }
        ClockCmd::Confirm => {
            log.confirm_clock()?;
            out.done(&format!(
                "Today's date is confirmed as {}: Harbour will record entries again.",
                show_millis(log.now_ms())
            ));
        }
    }
    Ok(())
}
