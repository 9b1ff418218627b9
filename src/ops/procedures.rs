//! Following procedures: attaching one to an incident, recording each step (done with a
//! note, or not applicable with a reason) and recording immediate-referral triggers.

use rusqlite::params;
use uuid::Uuid;

use crate::domain::procedures::{self, ProcedureDef};
use crate::domain::text;
use crate::log::Body;
use crate::store::CaseLog;
use crate::{Error, Result};

/// The event that records an incident following `def`.
pub(crate) fn attach_body(incident: Uuid, def: ProcedureDef) -> Body {
    Body::ProcedureAttached {
        incident_id: incident,
        procedure_id: def.id,
        version: def.version,
        title: def.title,
        steps: def.steps,
    }
}

/// A procedure template (the current version: adapted, or built-in) as TOML to edit.
pub fn copy(log: &CaseLog, procedure: &str) -> Result<String> {
    procedures::to_toml(&procedures::find_in(log.conn(), procedure)?)
}

/// Records an organisation's own version of a procedure template, read from TOML. Its
/// version must be higher than the current version of that id; a new id is allowed.
pub fn adapt(log: &mut CaseLog, text: &str) -> Result<ProcedureDef> {
    let def = procedures::parse_template(text)?;
    let current = procedures::all(log.conn())?
        .into_iter()
        .find(|p| p.id == def.id);
    if let Some(current) = current {
        if def.version <= current.version {
            return Err(Error::invalid(format!(
                "Version {} of \u{201c}{}\u{201d} is not newer than the current version {}, so nothing was changed; raise the version number and try again.",
                def.version, def.id, current.version
            )));
        }
    }
    log.append(Body::ProcedureAdapted {
        procedure: def.clone(),
    })?;
    Ok(def)
}

/// Attaches a procedure (adapted or built-in) to an incident.
pub fn attach(log: &mut CaseLog, incident: Uuid, procedure: &str) -> Result<String> {
    let def = procedures::find_in(log.conn(), procedure)?;
    let already: bool = log.conn().query_row(
        "SELECT count(*) > 0 FROM incident_procedures WHERE incident_id = ?1 AND procedure_id = ?2",
        params![incident.to_string(), def.id],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid(format!(
            "This incident already follows \u{201c}{}\u{201d}.",
            def.title
        )));
    }
    let title = format!("{} (version {})", def.title, def.version);
    log.append(attach_body(incident, def))?;
    Ok(title)
}

/// How a step was dealt with.
#[derive(Debug, Clone)]
pub enum StepOutcome {
    Done { note: Option<String> },
    NotApplicable { reason: String },
}

/// Records a step as done or not applicable. `step` is a step id, or `procedure/step` when
/// the incident follows more than one procedure with that step.
pub fn step(log: &mut CaseLog, incident: Uuid, step: &str, outcome: StepOutcome) -> Result<()> {
    let typed = step.trim().to_lowercase();
    let (wanted_proc, wanted_step) = match typed.split_once('/') {
        Some((p, s)) => (Some(p.to_string()), s.to_string()),
        None => (None, typed.clone()),
    };
    let mut stmt = log.conn().prepare(
        "SELECT procedure_id FROM procedure_steps WHERE incident_id = ?1 AND step_id = ?2
           AND (?3 IS NULL OR procedure_id = ?3) ORDER BY procedure_id",
    )?;
    let found: Vec<String> = stmt
        .query_map(
            params![incident.to_string(), wanted_step, wanted_proc],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    let procedure_id = match found.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Error::invalid(format!(
                "This incident's procedures have no step \u{201c}{}\u{201d}; `harbour procedure show` lists them.",
                step.trim()
            )))
        }
        _ => {
            return Err(Error::invalid(format!(
                "More than one of this incident's procedures has a step \u{201c}{}\u{201d}; write it as {}/{}.",
                wanted_step, found[0], wanted_step
            )))
        }
    };
    let (done, note) = match outcome {
        StepOutcome::Done { note } => (true, text::optional_block("The note", note.as_deref())?),
        StepOutcome::NotApplicable { reason } => (
            false,
            Some(text::block("The reason the step does not apply", &reason)?),
        ),
    };
    log.append(Body::ProcedureStepRecorded {
        incident_id: incident,
        procedure_id,
        step_id: wanted_step,
        done,
        note,
    })?;
    Ok(())
}

/// Records an immediate-referral trigger.
pub fn trigger(log: &mut CaseLog, incident: Uuid, trigger: &str) -> Result<&'static str> {
    let code = procedures::parse_trigger(trigger)?;
    let already: bool = log.conn().query_row(
        "SELECT count(*) > 0 FROM incident_triggers WHERE incident_id = ?1 AND trigger_code = ?2",
        params![incident.to_string(), code],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid(
            "That trigger is already recorded for this incident.",
        ));
    }
    log.append(Body::ReferralTriggerRecorded {
        incident_id: incident,
        trigger: code.to_string(),
    })?;
    Ok(code)
}
