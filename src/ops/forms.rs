//! An organisation rewording its consent forms: copying the current version of a form as
//! TOML to edit, and adopting the edited file as the form's next version.
//!
//! The adapted form is recorded as a `form_adapted` event carrying the whole template, so it
//! reaches the other centres by sync and every printed form can be traced to its wording.

use crate::domain::form_templates::{check_adaptation, check_shape, parse_template};
use crate::domain::forms::{self, FormTemplate};
use crate::log::Body;
use crate::store::CaseLog;
use crate::Result;

/// The current version of a form (adapted or built-in) as TOML to edit.
pub fn copy(log: &CaseLog, form: &str) -> Result<String> {
    forms::template_toml(log.conn(), form)
}

/// Records an organisation's own wording of a form, read from TOML. It must be one of the
/// known forms, keep its questions, who signs it and its ages, have the text every form
/// needs, and carry a version higher than the current one. The event's author is this
/// device's coordinator. Returns the form as it will now be printed.
pub fn adapt(log: &mut CaseLog, text: &str) -> Result<FormTemplate> {
    let form = parse_template(text)?;
    // The shape check names an unknown id together with the forms there are.
    check_shape(&form)?;
    let current = forms::find_in(log.conn(), &form.id)?;
    check_adaptation(&form, &current)?;
    log.append(Body::FormAdapted { form: form.clone() })?;
    Ok(form)
}
