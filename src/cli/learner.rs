//! `harbour learner …`

use harbour::api::learners::{add_learner, AddLearnerRequest};
use harbour::domain::text::shown_line;
use harbour::domain::time::{age_on, show_date, show_millis, today};
use harbour::domain::{Carer, LearnerRole};
use harbour::ops::learners;
use harbour::read::learners as read;
use harbour::{Error, Harbour, Result};

use super::args::LearnerCmd;
use super::output::Out;

fn parse_carer(text: &str) -> Result<Carer> {
    let parts: Vec<&str> = text.split(':').map(str::trim).collect();
    match parts.as_slice() {
        [name, relationship] => Ok(Carer {
            name: name.to_string(),
            relationship: relationship.to_string(),
            phone: None,
        }),
        [name, relationship, phone] => Ok(Carer {
            name: name.to_string(),
            relationship: relationship.to_string(),
            phone: Some(phone.to_string()),
        }),
        _ => Err(Error::invalid(
            "Give a parent or carer as \"Name:Relationship\" or \"Name:Relationship:Phone\".",
        )),
    }
}

pub fn run(h: &mut Harbour, c: LearnerCmd, out: &Out) -> Result<()> {
    let viewer = h.log().device().author;
    let log = h.log_mut();
    match c {
        LearnerCmd::Add {
            name,
            dob,
            centre,
            employer,
            carers,
            even_if_duplicate,
        } => {
            let request = AddLearnerRequest {
                name,
                dob,
                centre,
                employer,
                carers: carers
                    .iter()
                    .map(|c| parse_carer(c))
                    .collect::<Result<_>>()?,
                even_if_duplicate,
            };
            let id = add_learner(h, request)?;
            out.emit(&serde_json::json!({ "id": id }), || id.to_string());
        }
        LearnerCmd::List { centre, name } => {
            let rows = read::list(log.conn(), centre.as_deref(), name.as_deref())?;
            out.emit(&rows, || {
                if rows.is_empty() {
                    return "No learners recorded yet.".into();
                }
                rows.iter()
                    .map(|l| {
                        let age = age_on(l.dob, today())
                            .map(|a| format!("{a}"))
                            .unwrap_or_default();
                        format!(
                            "{}  {:<28} {}  (age {age})  {}",
                            l.id,
                            shown_line(&l.name),
                            show_date(l.dob),
                            shown_line(&l.centre)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        LearnerCmd::Show { id } => {
            let id = harbour::ops::resolve_learner(log, &id)?;
            let d = read::detail(log.conn(), viewer, id)?;
            let retention = harbour::read::retention::learner_file(log.conn(), viewer, id)?;
            let consent = harbour::read::retention::consent(log.conn(), id)?;
            let disclosures = harbour::read::disclosures::for_learner(log.conn(), id)?;
            let mut value = serde_json::to_value(&d).map_err(|e| {
                Error::Integrity(format!("the learner could not be written as JSON: {e}"))
            })?;
            if let Some(map) = value.as_object_mut() {
                map.insert(
                    "retention".into(),
                    serde_json::json!({ "file": retention, "consent": consent }),
                );
                map.insert(
                    "disclosures".into(),
                    serde_json::to_value(&disclosures).unwrap_or_default(),
                );
            }
            out.emit(&value, || {
                let l = &d.learner;
                let mut s = format!(
                    "{}\nBorn {} · Centre {}{}\n",
                    shown_line(&l.name),
                    show_date(l.dob),
                    shown_line(&l.centre),
                    l.employer
                        .as_ref()
                        .map(|e| format!(" · Employer {}", shown_line(e)))
                        .unwrap_or_default()
                );
                for c in &d.carers {
                    s.push_str(&format!(
                        "Parent or carer: {} ({})\n",
                        shown_line(&c.name),
                        shown_line(&c.relationship)
                    ));
                }
                s.push_str(&super::retention::describe(&retention));
                s.push('\n');
                if let Some(c) = &consent {
                    s.push_str(&format!(
                        "Consent records: review date {}\n",
                        harbour::read::retention::shown_review(c)
                    ));
                }
                for x in &disclosures {
                    s.push_str(&format!(
                        "Subject access disclosure: {} to {} by {} ({})\n",
                        show_date(x.released_on),
                        x.to.as_deref()
                            .map(shown_line)
                            .unwrap_or_else(|| "the person who asked".into()),
                        shown_line(&x.released_by),
                        x.document
                    ));
                }
                if d.incidents.is_empty() {
                    s.push_str("\nNot involved in any incident.\n");
                }
                for i in &d.incidents {
                    let role = LearnerRole::parse(&i.role).map(|r| r.label()).unwrap_or("");
                    s.push_str(&format!("\n{} — {} — {}\n", i.reference, role, i.status));
                    for e in &i.chronology {
                        s.push_str(&format!(
                            "  {}  {}: {}\n",
                            show_millis(e.at_ms),
                            e.author,
                            e.text
                        ));
                    }
                }
                s
            });
        }
        LearnerCmd::Import { file, dry_run } => {
            let f = std::fs::File::open(&file).map_err(|e| Error::ReadFile {
                path: file.clone(),
                reason: harbour::error::plain_io(&e),
            })?;
            let preview = learners::preview_csv(log, f)?;
            let held = preview.already_held.len();
            if dry_run {
                out.emit(&preview, || {
                    let mut s = format!("{} learner(s) ready to import.", preview.learners.len());
                    for row in &preview.already_held {
                        s.push_str(&format!(
                            "\nLine {}: {} is already held and will be skipped.",
                            row.line,
                            shown_line(&row.name)
                        ));
                    }
                    for p in &preview.problems {
                        s.push_str(&format!("\nLine {}: {}", p.line, p.problem));
                    }
                    s
                });
                return Ok(());
            }
            let ids = learners::import(log, preview)?;
            out.emit(
                &serde_json::json!({ "imported": ids.len(), "already_held": held, "ids": ids }),
                || match held {
                    0 => format!("{} learners imported.", ids.len()),
                    1 => format!(
                        "{} learners imported; 1 was already held and was skipped.",
                        ids.len()
                    ),
                    n => format!(
                        "{} learners imported; {n} were already held and were skipped.",
                        ids.len()
                    ),
                },
            );
        }
    }
    Ok(())
}
