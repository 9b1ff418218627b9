//! `harbour forms …` and `harbour consent …`

use std::collections::BTreeMap;

use harbour::domain::forms;
use harbour::domain::time::{parse_date, show_date, today};
use harbour::ops::consent::{self as ops, NewConsent};
use harbour::ops::learners;
use harbour::print::forms as print;
use harbour::read::consent as read;
use harbour::{Error, Harbour, Result};

use super::args::{ConsentCmd, FormsCmd};
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

pub fn forms(h: &mut Harbour, c: FormsCmd, out: &Out) -> Result<()> {
    match c {
        FormsCmd::List => {
            let all = forms::built_in()?;
            out.emit(&all, || {
                all.iter()
                    .map(|f| format!("{:<16} version {:<8} {}", f.id, f.version, f.title))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        FormsCmd::Print {
            learners: given,
            staff,
            cohort,
            induction,
            out: path,
        } => {
            let induction = parse_date(&induction)?;
            let log = h.log_mut();
            let (ids, imported) = match cohort {
                Some(file) => {
                    let f = std::fs::File::open(&file).map_err(|e| Error::ReadFile {
                        path: file.clone(),
                        reason: harbour::error::plain_io(&e),
                    })?;
                    let preview = learners::preview_csv(log, f)?;
                    let ids = learners::import(log, preview)?;
                    let n = ids.len();
                    (ids, n)
                }
                None => (
                    given
                        .iter()
                        .map(|l| harbour::ops::resolve_learner(log, l))
                        .collect::<Result<Vec<_>>>()?,
                    0,
                ),
            };
            let staff = staff
                .iter()
                .map(|s| harbour::ops::resolve_staff(log, s))
                .collect::<Result<Vec<_>>>()?;
            let mut plan = print::plan(log.conn(), &ids, induction)?;
            plan.staff = print::plan_staff(log.conn(), &staff)?;
            let doc = print::render(&plan)?;
            let pages = doc.page_count();
            doc.write_to(&path)?;
            out.emit(
                &serde_json::json!({
                    "file": path,
                    "pages": pages,
                    "imported": imported,
                    "learners": plan.learners,
                    "staff": plan.staff,
                }),
                || {
                    let mut s = String::new();
                    if imported > 0 {
                        s.push_str(&format!("{imported} learners imported.\n"));
                    }
                    let plural = |n: usize| if n == 1 { "" } else { "s" };
                    let (l, st) = (plan.learners.len(), plan.staff.len());
                    let whom = match (l, st) {
                        (_, 0) => format!("{l} learner{}", plural(l)),
                        (0, _) => format!("{st} member{} of staff", plural(st)),
                        _ => format!(
                            "{l} learner{} and {st} member{} of staff",
                            plural(l),
                            plural(st)
                        ),
                    };
                    s.push_str(&format!(
                        "Forms for {whom} ({pages} pages) printed to {}.",
                        path.display()
                    ));
                    s
                },
            );
        }
    }
    Ok(())
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
            let template = forms::find(&form)?;
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
                &serde_json::json!({ "ok": true, "event_id": id, "form_version": template.version }),
                || format!("{} recorded.", template.title),
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
