//! `harbour retention …`: the rules, records due for review, review decisions, legal holds.

use harbour::domain::text::shown_line;
use harbour::domain::time::{parse_date, show_date, today};
use harbour::log::RetentionDecision;
use harbour::ops::retention::{self as ops, Review};
use harbour::read::retention::{self as read, Retention};
use harbour::{Harbour, Result};

use super::args::RetentionCmd;
use super::output::Out;

/// A record's retention in a few lines, as `retention show` and `learner show` print it.
pub fn describe(r: &Retention) -> String {
    let mut s = format!(
        "Review date: {}\nRule: {} (retention rule {} version {}). Source: {}",
        read::shown_review(r),
        r.rule_title,
        r.rule,
        r.rule_version,
        r.rule_source
    );
    for n in &r.notes {
        s.push_str(&format!("\n{n}"));
    }
    if let Some(d) = &r.decision {
        let what = match (d.decision.as_str(), d.keep_until) {
            ("keep", Some(u)) => format!("keep until {}", show_date(u)),
            _ if d.overridden_by_hold => {
                "destroy, but a legal hold overrides it and the record is kept".to_string()
            }
            _ if d.early => "destroy, before the review date (override)".to_string(),
            _ => "destroy".to_string(),
        };
        s.push_str(&format!(
            "\nDecided by {} on {}: {what}. Reason: {}",
            d.by, d.at, d.reason
        ));
    }
    if r.destroyed {
        s.push_str(
            "\nThe decision to destroy is recorded; Harbour does not yet erase a learner's file from its signed case log.",
        );
    }
    for h in &r.holds {
        s.push_str(&format!(
            "\nLEGAL HOLD on {} since {} ({}): {}",
            h.on_label, h.placed_at, h.placed_by, h.reason
        ));
    }
    s
}

fn row(r: &Retention) -> String {
    let held = if r.holds.is_empty() {
        ""
    } else {
        "  [legal hold]"
    };
    let date = r
        .review_on
        .map(show_date)
        .unwrap_or_else(|| "not yet known".into());
    format!(
        "{date}  {:<36} {} v{}: {}{held}",
        shown_line(&r.label),
        r.rule,
        r.rule_version,
        r.because
    )
}

pub fn run(h: &mut Harbour, c: RetentionCmd, out: &Out) -> Result<()> {
    let viewer = h.log().device().author;
    match c {
        RetentionCmd::Rules => {
            let all = read::rules(h.log().conn())?;
            out.emit(&all, || {
                all.iter()
                    .map(|r| {
                        let whose = if r.adapted { "adapted" } else { "built-in" };
                        format!(
                            "{:<18} version {} ({whose}): {}, {}.\n{:<18} Source: {}",
                            r.rule.record, r.rule.version, r.rule.title, r.keeps, "", r.rule.source
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        RetentionCmd::Copy { record, out: path } => {
            let text = ops::copy(h.log(), &record)?;
            harbour::fsutil::write_atomically(&path, text.as_bytes())?;
            out.done(&format!(
                "Retention rule written to {}; edit it, raise its version and run `harbour retention adapt`.",
                path.display()
            ));
        }
        RetentionCmd::Adapt { file } => {
            let text = harbour::limits::read_text(
                &file,
                harbour::limits::TEMPLATE_BYTES,
                "a retention rule",
            )?;
            let rule = ops::adapt(h.log_mut(), &text)?;
            out.emit(
                &serde_json::json!({ "ok": true, "record": rule.record, "version": rule.version }),
                || {
                    format!(
                        "Reviews from now on follow version {} of the retention rule for {} ({}).",
                        rule.version, rule.record, rule.title
                    )
                },
            );
        }
        RetentionCmd::Due { on, all } => {
            let on = match on {
                Some(d) => parse_date(&d)?,
                None => today(),
            };
            let rows = if all {
                read::all(h.log().conn(), viewer)?
            } else {
                read::due(h.log().conn(), viewer, on)?
            };
            out.emit(&rows, || {
                if rows.is_empty() {
                    return if all {
                        "No records held yet.".into()
                    } else {
                        format!("No records are due for review on {}.", show_date(on))
                    };
                }
                let mut s = if all {
                    String::new()
                } else {
                    format!(
                        "{} record{} due for review on {}:\n",
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" },
                        show_date(on)
                    )
                };
                s.push_str(&rows.iter().map(row).collect::<Vec<_>>().join("\n"));
                s
            });
        }
        RetentionCmd::Show { record } => {
            let record = ops::resolve_record(h.log(), &record)?;
            let r = read::of(h.log().conn(), viewer, record)?.ok_or_else(|| {
                harbour::Error::invalid(
                    "That incident is part of the files of the learners in it; show a learner's file instead.",
                )
            })?;
            out.emit(&r, || format!("{}\n{}", shown_line(&r.label), describe(&r)));
        }
        RetentionCmd::Review {
            record,
            keep_until,
            destroy,
            reason,
            early,
        } => {
            let record = ops::resolve_record(h.log(), &record)?;
            let decision = match (keep_until, destroy) {
                (Some(d), false) => RetentionDecision::Keep {
                    until: parse_date(&d)?,
                },
                _ => RetentionDecision::Destroy,
            };
            let r = ops::review(
                h.log_mut(),
                record,
                Review {
                    decision,
                    reason,
                    early,
                },
                today(),
            )?;
            out.emit(&r, || {
                if r.destroyed {
                    format!(
                        "The decision to destroy {} is recorded, with its reason. Harbour does not yet erase a learner's file from its signed case log: the decision is what is kept.",
                        shown_line(&r.label)
                    )
                } else {
                    format!(
                        "{} is kept; its next review is on {}.",
                        shown_line(&r.label),
                        read::shown_review(&r)
                    )
                }
            });
        }
        RetentionCmd::Hold { record, reason } => {
            let record = ops::resolve_record(h.log(), &record)?;
            let id = ops::hold(h.log_mut(), record, &reason)?;
            let label = read::label(h.log().conn(), record)?;
            out.emit(&serde_json::json!({ "ok": true, "hold": id }), || {
                format!(
                    "{} is under a legal hold and cannot be destroyed until it is lifted.",
                    shown_line(&label)
                )
            });
        }
        RetentionCmd::Lift { record, reason } => {
            let record = ops::resolve_record(h.log(), &record)?;
            let n = ops::lift(h.log_mut(), record, &reason)?;
            let label = read::label(h.log().conn(), record)?;
            out.emit(&serde_json::json!({ "ok": true, "lifted": n }), || {
                format!("The legal hold on {} is lifted.", shown_line(&label))
            });
        }
        RetentionCmd::Holds => {
            let all = read::holds_in_force(h.log().conn(), viewer)?;
            out.emit(&all, || {
                if all.is_empty() {
                    return "No legal holds are in force.".into();
                }
                all.iter()
                    .map(|h| {
                        format!(
                            "{}  since {} ({}): {}",
                            shown_line(&h.on_label),
                            h.placed_at,
                            h.placed_by,
                            h.reason
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}
