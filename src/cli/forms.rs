//! `harbour forms …`: listing the forms (built-in or the organisation's own wording),
//! copying and adapting one, and printing a cohort's induction forms.

use harbour::api::forms::{self as api, PrintFormsRequest};
use harbour::ops::forms as ops;
use harbour::read::forms as read_forms;
use harbour::{Harbour, Result};

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
            let printed = api::print_forms(
                h,
                PrintFormsRequest {
                    learners: given,
                    staff,
                    cohort_csv: cohort,
                    induction,
                    path,
                },
            )?;
            let (imported, pages, path) = (printed.imported, printed.pages, &printed.path);
            out.emit(
                &serde_json::json!({
                    "file": path,
                    "pages": pages,
                    "imported": imported,
                    "learners": printed.learners,
                    "staff": printed.staff,
                }),
                || {
                    let mut s = String::new();
                    if imported > 0 {
                        s.push_str(&format!("{imported} learners imported.\n"));
                    }
                    let plural = |n: usize| if n == 1 { "" } else { "s" };
                    let (l, st) = (printed.learners.len(), printed.staff.len());
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
