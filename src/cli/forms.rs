//! `harbour forms …`: listing the forms (built-in or the organisation's own wording),
//! copying and adapting one, and printing a cohort's induction forms.

use harbour::domain::time::parse_date;
use harbour::ops::forms as ops;
use harbour::ops::learners;
use harbour::print::forms as print;
use harbour::read::forms as read_forms;
use harbour::{Error, Harbour, Result};

use super::args::FormsCmd;
use super::output::Out;

pub fn forms(h: &mut Harbour, c: FormsCmd, out: &Out) -> Result<()> {
    match c {
        FormsCmd::List => {
            let all = read_forms::list(h.log().conn())?;
            out.emit(&all, || {
                all.iter()
                    .map(|f| {
                        let whose = match &f.adapted {
                            Some(a) => format!(
                                "adapted by {} on {} (built-in version {})",
                                a.by, a.at, a.built_in_version
                            ),
                            None => "built-in".into(),
                        };
                        format!(
                            "{:<16} version {:<8} {}\n{:<16} {whose}",
                            f.id, f.version, f.title, ""
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        FormsCmd::Copy { form, out: path } => {
            let text = ops::copy(h.log(), &form)?;
            harbour::fsutil::write_atomically(&path, text.as_bytes())?;
            out.done(&format!(
                "Form template written to {}; edit its wording, raise its version and run `harbour forms adapt`.",
                path.display()
            ));
        }
        FormsCmd::Adapt { file } => {
            let text = harbour::limits::read_text(
                &file,
                harbour::limits::TEMPLATE_BYTES,
                "a form template",
            )?;
            let form = ops::adapt(h.log_mut(), &text)?;
            out.emit(
                &serde_json::json!({ "ok": true, "id": form.id, "version": form.version, "title": form.title }),
                || {
                    format!(
                        "Forms printed from now on use {} version {} ({}).",
                        form.id, form.version, form.title
                    )
                },
            );
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
