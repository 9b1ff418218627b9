//! `harbour incident …`

use harbour::domain::text::{shown, shown_line};
use harbour::domain::time::{
    parse_date, parse_instant, show_date, show_instant, show_millis, today,
};
use harbour::domain::{Agency, LearnerRole, Reporter, RiskLevel};
use harbour::ops::incidents::{self as ops, NewIncident};
use harbour::read::incidents::{self as read, IncidentFilter, IncidentSummary};
use harbour::read::search;
use std::io::Write;

use harbour::{Error, Harbour, Result};

use super::args::{IncidentCmd, ListArgs, NewIncidentArgs};
use super::output::Out;

fn learner_and_role(text: &str) -> Result<(String, LearnerRole)> {
    let (id, role) = text.rsplit_once(':').ok_or_else(|| {
        Error::invalid("Give each learner as ID:role, e.g. 0193…:subject, :alleged or :witness.")
    })?;
    Ok((id.to_string(), LearnerRole::parse(role)?))
}

/// Multi-line text with its later lines indented, so that a line of an account can never
/// pass for a heading of the page it is printed in.
fn indented(text: &str, by: &str) -> String {
    shown(text).replace('\n', &format!("\n{by}"))
}

/// "  [risk level changed on two devices]" for an incident with an unsettled conflict.
fn conflict_mark(fields: &[String]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let words: Vec<&str> = fields
        .iter()
        .map(|f| {
            harbour::log::Field::parse(f)
                .map(|f| f.label())
                .unwrap_or(f.as_str())
        })
        .collect();
    format!("  [{} changed on two devices]", words.join(" and "))
}

fn table(rows: &[IncidentSummary]) -> String {
    if rows.is_empty() {
        return "No incidents found.".into();
    }
    rows.iter()
        .map(|i| {
            format!(
                "{:<16} {:<6} {:<16} {:<8} {}{}{}",
                shown_line(&i.reference),
                i.status,
                show_instant(i.occurred_at),
                i.risk_level.as_deref().unwrap_or("-"),
                i.categories.join(", "),
                if i.restricted { "  [restricted]" } else { "" },
                conflict_mark(&i.in_conflict)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn new(h: &mut Harbour, a: NewIncidentArgs, out: &Out) -> Result<()> {
    let account = match (&a.account, &a.account_file) {
        (_, Some(f)) => harbour::limits::read_text(
            f,
            harbour::domain::text::TEXT_MAX_BYTES as u64,
            "an account",
        )?,
        (Some(t), None) => t.clone(),
        (None, None) => String::new(),
    };
    let n = NewIncident {
        learners: a
            .learners
            .iter()
            .map(|l| learner_and_role(l))
            .collect::<Result<_>>()?,
        categories: a.categories,
        account,
        occurred_at: parse_instant(&a.occurred)?,
        reported_at: a.reported.as_deref().map(parse_instant).transpose()?,
        place: a.place,
        reporter: Reporter::parse(&a.reporter)?,
        centre: a.centre,
        concerns_staff: a.concerns,
        first_actions: a.first_actions,
        procedures: a.procedures,
    };
    let opened = ops::open(h.log_mut(), n)?;
    let procs = harbour::read::procedures::show(h.log().conn(), opened.id)?;
    let followed: Vec<&str> = procs.procedures.iter().map(|p| p.title.as_str()).collect();
    if !out.json {
        // Standard output stays the reference alone, so that scripts can take it; what the
        // incident follows and what is suggested goes to standard error for the person.
        let mut said = String::new();
        if !followed.is_empty() {
            said.push_str(&format!("Procedures followed: {}.\n", followed.join("; ")));
        }
        for s in &procs.suggested {
            said.push_str(&suggestion_line(&opened.reference, s));
        }
        if !said.is_empty() {
            let _ = write!(std::io::stderr().lock(), "{}", shown(&said));
        }
    }
    out.emit(
        &serde_json::json!({
            "id": opened.id,
            "reference": opened.reference,
            "procedures": followed,
            "suggested": procs.suggested,
        }),
        || opened.reference.clone(),
    );
    Ok(())
}

/// A procedure the policy offers for an incident, and how to follow it, in one line.
pub(crate) fn suggestion_line(
    reference: &str,
    s: &harbour::read::procedures::Suggestion,
) -> String {
    let question = s
        .question
        .as_deref()
        .map(|q| format!(" ({q})"))
        .unwrap_or_default();
    format!(
        "Suggested: {}{question}. If it applies: harbour procedure attach {reference} {}\n",
        s.title, s.id
    )
}

fn list(h: &Harbour, a: ListArgs, out: &Out) -> Result<()> {
    let log = h.log();
    let filter = IncidentFilter {
        status: a
            .status
            .map(|s| harbour::domain::Status::parse(&s).map(|s| s.code().to_string()))
            .transpose()?,
        category: a.category,
        centre: a.centre,
        learner: a
            .learner
            .map(|l| harbour::ops::resolve_learner(log, &l))
            .transpose()?,
        from: a.from.as_deref().map(parse_instant).transpose()?,
        to: a.to.as_deref().map(parse_instant).transpose()?,
        limit: Some(a.limit as u32),
    };
    let rows = read::list(log.conn(), log.device().author, &filter)?;
    out.emit(&rows, || table(&rows));
    Ok(())
}

fn show(h: &Harbour, reference: &str, out: &Out) -> Result<()> {
    let log = h.log();
    let id = ops::resolve(log, reference)?;
    let d = read::detail(log.conn(), log.device().author, id)?;
    let flags = harbour::read::procedures::flags(log.conn(), id)?;
    let conflicts = harbour::read::conflicts::list(log.conn(), log.device().author, Some(id))?;
    let held = read::imagery_held(log.conn(), id)?;
    let record = harbour::log::RecordRef::Incident(id);
    let retention = harbour::read::retention::incident(log.conn(), log.device().author, id)?;
    let holds = harbour::read::retention::holds(log.conn(), record)?;
    let shown = serde_json::to_value(&d)
        .map(|mut v| {
            v["retention"] = serde_json::to_value(&retention).unwrap_or_default();
            v["legal_holds"] = serde_json::to_value(&holds).unwrap_or_default();
            v["flags"] = serde_json::to_value(&flags).unwrap_or_default();
            v["conflicts"] = serde_json::to_value(&conflicts).unwrap_or_default();
            v["imagery_held"] = serde_json::to_value(&held).unwrap_or_default();
            v
        })
        .unwrap_or_default();
    out.emit(&shown, || {
        let s0 = &d.summary;
        let mut s = format!(
            "{}  ·  {}  ·  centre {}\nCategories: {}\nHappened: {}   Reported: {} by {} ({})\n",
            shown_line(&s0.reference),
            if s0.status == "closed" {
                "Closed"
            } else {
                "Open"
            },
            shown_line(&s0.centre),
            s0.categories.join(", "),
            show_instant(s0.occurred_at),
            show_instant(d.reported_at),
            shown_line(&d.reporter_name),
            shown_line(&d.reporter_title)
        );
        if let Some(p) = &d.place {
            s.push_str(&format!("Where or platform: {}\n", shown_line(p)));
        }
        for hold in &holds {
            s.push_str(&format!(
                "LEGAL HOLD on {} since {} ({}): {}\n",
                shown_line(&hold.on_label),
                hold.placed_at,
                hold.placed_by,
                hold.reason
            ));
        }
        if let Some(r) = &retention {
            s.push_str(&format!(
                "Review date: {} — retention rule {} version {}\n",
                harbour::read::retention::shown_review(r),
                r.rule,
                r.rule_version
            ));
        }
        if let Some(r) = &s0.risk_level {
            let label = RiskLevel::parse(r).map(|r| r.label()).unwrap_or("");
            s.push_str(&format!(
                "Risk: {label} — {}\n",
                d.risk_reason.as_deref().unwrap_or("")
            ));
        }
        if s0.restricted {
            s.push_str("Restricted: an allegation about a member of staff.\n");
        }
        for f in &flags {
            s.push_str(&format!("FLAG: {}\n", f.text));
        }
        if let Some(w) = read::imagery_warning(&held) {
            s.push_str(&format!("IMAGERY HELD: {w}\n"));
            for i in &held {
                s.push_str(&format!(
                    "  \u{201c}{}\u{201d} ({}): {} [{}]\n",
                    i.description, i.file_name, i.what, i.item_id
                ));
            }
        }
        for c in &conflicts {
            s.push_str(&format!(
                "CHANGED ON TWO DEVICES: {}",
                harbour::read::conflicts::describe(c)
            ));
        }
        s.push_str(&format!(
            "\nAccount, in the learner's own words:\n  {}\n",
            indented(&d.account, "  ")
        ));
        s.push_str("\nLearners involved:\n");
        for l in &d.learners {
            let role = LearnerRole::parse(&l.role).map(|r| r.label()).unwrap_or("");
            let age = l
                .age_at_incident
                .map(|a| format!(", aged {a} at the time"))
                .unwrap_or_default();
            s.push_str(&format!("  {} — {role}{age}\n", shown_line(&l.name)));
        }
        s.push_str("\nChronology:\n");
        for e in &d.chronology {
            let short = &e.id[e.id.len().saturating_sub(12)..];
            s.push_str(&format!(
                "  [{short}] {}  {}\n      {}\n",
                show_millis(e.at_ms),
                shown_line(&e.author),
                indented(&e.text, "      ")
            ));
            if let Some(c) = &e.corrects {
                s.push_str(&format!(
                    "      (corrects entry {})\n",
                    &c[c.len().saturating_sub(12)..]
                ));
            }
            for c in &e.corrected_by {
                s.push_str(&format!(
                    "      (corrected by entry {})\n",
                    &c[c.len().saturating_sub(12)..]
                ));
            }
        }
        if !d.actions.is_empty() {
            s.push_str("\nActions:\n");
            for a in &d.actions {
                let due = parse_date(&a.due)
                    .map(show_date)
                    .unwrap_or_else(|_| a.due.clone());
                let state = if a.withdrawn.is_some() {
                    "withdrawn"
                } else if a.done {
                    "done"
                } else if a.due < today().to_string() {
                    "OVERDUE"
                } else {
                    "open"
                };
                s.push_str(&format!(
                    "  {} — {} (due {due}, {state}) [{}]\n",
                    indented(&a.description, "    "),
                    shown_line(&a.owner),
                    a.id
                ));
            }
        }
        if !d.links.is_empty() {
            s.push_str("\nLinked incidents:\n");
            for l in &d.links {
                s.push_str(&format!("  {}\n", shown_line(&l.reference)));
            }
        }
        if let Some(o) = &d.outcome {
            s.push_str(&format!("\nOutcome: {}\n", indented(o, "  ")));
        }
        s
    });
    Ok(())
}

pub fn run(h: &mut Harbour, c: IncidentCmd, out: &Out) -> Result<()> {
    match c {
        IncidentCmd::New(a) => return new(h, a, out),
        IncidentCmd::List(a) => return list(h, a, out),
        IncidentCmd::Show { reference } => return show(h, &reference, out),
        IncidentCmd::Categorise {
            reference,
            category,
        } => {
            let log = h.log_mut();
            let id = ops::resolve(log, &reference)?;
            let c = ops::add_category(log, id, &category)?;
            out.emit(&c, || {
                let mut s = format!("Category added: {}.", c.category);
                for p in &c.procedures {
                    s.push_str(&format!("\nProcedure attached: {p}"));
                }
                if !c.imagery_held.is_empty() {
                    s.push_str(
                        "\nIMAGERY HELD: this incident is now about sharing nudes or up-skirting, and Harbour holds evidence that is or may be imagery; no one may open or copy it. If the police ask for it, hand it over (harbour evidence handover), then erase Harbour\u{2019}s copy (harbour evidence erase ITEM --reason \"…\"):",
                    );
                    for i in &c.imagery_held {
                        s.push_str(&format!("\n  {i}"));
                    }
                }
                s
            });
            return Ok(());
        }
        IncidentCmd::Search { words, limit } => {
            let log = h.log();
            let rows = search::search(log.conn(), log.device().author, &words.join(" "), limit)?;
            out.emit(&rows, || table(&rows));
            return Ok(());
        }
        _ => {}
    }
    let log = h.log_mut();
    let done = match c {
        IncidentCmd::Note { reference, text } => {
            let id = ops::resolve(log, &reference)?;
            let entry = ops::note(log, id, &text)?;
            format!("Note added (entry {entry}).")
        }
        IncidentCmd::Correct {
            reference,
            entry,
            text,
            reason,
        } => {
            let id = ops::resolve(log, &reference)?;
            let e = ops::correct(log, id, &entry, &text, &reason)?;
            format!("Correction added (entry {e}); the original entry is kept.")
        }
        IncidentCmd::Involve { reference, learner } => {
            let id = ops::resolve(log, &reference)?;
            let (l, role) = learner_and_role(&learner)?;
            ops::involve(log, id, &l, role)?;
            format!("Learner added as {}.", role.label())
        }
        IncidentCmd::Refer {
            reference,
            agency,
            date,
            person,
            agency_reference,
        } => {
            let id = ops::resolve(log, &reference)?;
            let agency = Agency::parse(&agency)?;
            let date = date
                .as_deref()
                .map(parse_date)
                .transpose()?
                .unwrap_or_else(today);
            ops::refer(log, id, agency, date, &person, agency_reference.as_deref())?;
            format!("Referral to {} recorded.", agency.label())
        }
        IncidentCmd::Withdraw {
            reference,
            entry,
            reason,
        } => {
            let id = ops::resolve(log, &reference)?;
            ops::withdraw(log, id, &entry, &reason)?;
            "Withdrawn; it stays in the record, marked as recorded in error.".into()
        }
        IncidentCmd::Decide {
            reference,
            decision,
            reason,
            not_to_refer,
        } => {
            let id = ops::resolve(log, &reference)?;
            ops::decide(log, id, &decision, &reason, not_to_refer)?;
            "Decision recorded with its reasons.".into()
        }
        IncidentCmd::Action {
            reference,
            description,
            owner,
            due,
        } => {
            let id = ops::resolve(log, &reference)?;
            let action = ops::add_action(log, id, &description, &owner, parse_date(&due)?)?;
            format!("Action added ({action}).")
        }
        IncidentCmd::ActionDone {
            reference,
            action,
            note,
        } => {
            let id = ops::resolve(log, &reference)?;
            ops::action_done(log, id, &action, note.as_deref())?;
            "Action marked done.".into()
        }
        IncidentCmd::Risk {
            reference,
            level,
            reason,
        } => {
            let id = ops::resolve(log, &reference)?;
            let level = RiskLevel::parse(&level)?;
            ops::set_risk(log, id, level, &reason)?;
            format!("Risk level set to {}.", level.label())
        }
        IncidentCmd::Link {
            reference,
            other,
            reason,
        } => {
            let id = ops::resolve(log, &reference)?;
            ops::link(log, id, &other, reason.as_deref())?;
            "Incidents linked.".into()
        }
        IncidentCmd::Close {
            reference,
            outcome,
            reason,
        } => {
            let id = ops::resolve(log, &reference)?;
            ops::close(log, id, &outcome, &reason)?;
            "Incident closed.".into()
        }
        IncidentCmd::Reopen { reference, reason } => {
            let id = ops::resolve(log, &reference)?;
            ops::reopen(log, id, &reason)?;
            "Incident reopened.".into()
        }
        IncidentCmd::New(_)
        | IncidentCmd::List(_)
        | IncidentCmd::Show { .. }
        | IncidentCmd::Search { .. }
        | IncidentCmd::Categorise { .. } => String::new(),
    };
    out.done(&done);
    Ok(())
}
