//! `harbour consent …`: recording returned forms and withdrawals, checking consent, and
//! who is missing which form.

use std::collections::BTreeMap;

use harbour::domain::forms;
use harbour::domain::time::{parse_date, show_date, today};
use harbour::ops::consent::{self as ops, NewConsent};
use harbour::read::consent as read;
use harbour::{Error, Harbour, Result};

use super::args::ConsentCmd;
use super::output::Out;

fn yes_no(purpose: &str, text: &str) -> Result<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" => Ok(true),
        "no" | "n" => Ok(false),
        _ => Err(Error::invalid(format!(
            "Answer {purpose} with yes or no, not \"{text}\"."
        ))),
    }
}

pub fn consent(h: &mut Harbour, c: ConsentCmd, out: &Out) -> Result<()> {
    let log = h.log_mut();
    match c {
        ConsentCmd::Record {
            learner,
            form,
            form_version,
            signed_by,
            relationship,
            date,
            internal,
            website,
            social_media,
            press,
            consent,
            answers: extra,
        } => {
            let template = forms::find_in(log.conn(), &form)?;
            let recorded_version = form_version
                .as_deref()
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|| template.version.clone());
            let mut answers = BTreeMap::new();
            for (purpose, value) in [
                ("internal", internal),
                ("website", website),
                ("social-media", social_media),
                ("press", press),
            ] {
                if let Some(v) = value {
                    answers.insert(purpose.to_string(), yes_no(purpose, &v)?);
                }
            }
            if let Some(v) = consent {
                let [only] = template.questions.as_slice() else {
                    return Err(Error::invalid(format!(
                        "--consent is for a form with one question; the {} form has {}.",
                        template.title.to_lowercase(),
                        template.questions.len()
                    )));
                };
                answers.insert(only.id.clone(), yes_no(&only.id, &v)?);
            }
            for a in extra {
                let (p, v) = a.split_once('=').ok_or_else(|| {
                    Error::invalid(format!(
                        "Give an answer as PURPOSE=yes or PURPOSE=no, not \"{a}\"."
                    ))
                })?;
                let p = p.trim().to_lowercase();
                answers.insert(p.clone(), yes_no(&p, v)?);
            }
            let id = ops::record(
                log,
                NewConsent {
                    learner,
                    form,
                    form_version,
                    signed_by,
                    relationship,
                    signed_on: parse_date(&date)?,
                    answers,
                },
            )?;
            out.emit(
                &serde_json::json!({ "ok": true, "event_id": id, "form_version": recorded_version }),
                || format!("{} (version {recorded_version}) recorded.", template.title),
            );
        }
        ConsentCmd::Withdraw {
            learner,
            form,
            purpose,
            date,
            note,
        } => {
            let on = parse_date(&date)?;
            ops::withdraw(log, &learner, &form, purpose.as_deref(), on, note)?;
            out.done(&format!(
                "Withdrawal recorded{} from {}.",
                purpose.map(|p| format!(" for {p}")).unwrap_or_default(),
                show_date(on)
            ));
        }
        ConsentCmd::Check {
            learner,
            purpose,
            on,
        } => {
            let id = harbour::ops::resolve_learner(log, &learner)?;
            let on = on
                .map(|d| parse_date(&d))
                .transpose()?
                .unwrap_or_else(today);
            let c = read::check(log.conn(), id, &purpose, on)?;
            out.emit(&c, || format!("{}\n{}", c.answer_label, c.basis));
        }
        ConsentCmd::Missing { centre, on } => {
            let on = on
                .map(|d| parse_date(&d))
                .transpose()?
                .unwrap_or_else(today);
            let rows = read::missing(log.conn(), centre.as_deref(), on)?;
            out.emit(&rows, || {
                if rows.is_empty() {
                    return "Every learner's forms are returned and current.".into();
                }
                rows.iter()
                    .map(|m| {
                        format!(
                            "{}  {:<28} {}  age {:<3} {:<40} {}",
                            m.learner_id, m.name, m.centre, m.age, m.form_title, m.reason
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}
