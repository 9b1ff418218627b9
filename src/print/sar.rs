//! The document released in answer to a subject access request: everything Harbour holds
//! about one learner (their record, every incident they appear in that this device's user
//! may see, their consent records, and what each evidence item is), with other people's
//! names replaced by what they were to the learner. Every piece of text passes through the
//! `Redactor` on its way onto the page, so the redaction list matches the document exactly.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use harbour_pdf::{Column, DocumentBuilder, Table};
use rusqlite::Connection;

use crate::domain::redaction::{Kind, Redactor};
use crate::domain::time::{show_date, show_instant, show_millis};
use crate::domain::{Agency, LearnerRole, RiskLevel};
use crate::print::case_file::centre_label;
use crate::read::evidence::EvidenceItem;
use crate::read::incidents::IncidentDetail;
use crate::read::learners::LearnerDetail;
use crate::{Error, Result};

fn pdf_error(e: harbour_pdf::PdfError) -> Error {
    Error::Invalid(format!(
        "The subject access document could not be produced: {e}"
    ))
}

/// Who is releasing the records, to whom, and when.
pub(crate) struct Release<'a> {
    pub organisation: &'a str,
    pub to: Option<&'a str>,
    pub released_on: NaiveDate,
    pub prepared_by: &'a str,
    pub at: DateTime<Utc>,
    pub disclosure: &'a str,
}

/// One incident as it goes into the document.
pub(crate) struct SarIncident {
    /// The learner's role in it, as stored (`subject`, `alleged`…).
    pub role: String,
    pub detail: IncidentDetail,
    pub evidence: Vec<EvidenceItem>,
    /// Evidence items released as files beside the document: item id to file name.
    pub released: BTreeMap<String, String>,
}

/// One consent form returned, or withdrawn.
pub(crate) struct SarConsent {
    pub form: String,
    pub form_version: String,
    pub signed_on: NaiveDate,
    pub signed_by: String,
    pub relationship: String,
    pub answers: Vec<(String, bool)>,
}

pub(crate) struct SarWithdrawal {
    pub form: String,
    pub purpose: Option<String>,
    pub withdrawn_on: NaiveDate,
    pub note: Option<String>,
}

/// What a role is called in the document, e.g. "another learner (alleged perpetrator)".
pub(crate) fn other_learner(role: &str) -> String {
    match LearnerRole::parse(role) {
        Ok(r) => format!("another learner ({})", r.label().to_lowercase()),
        Err(_) => "another learner".to_string(),
    }
}

/// The document's bytes. Names are replaced as `r` says, and each replacement is noted in it.
pub(crate) fn render(
    conn: &Connection,
    learner: &LearnerDetail,
    incidents: &[SarIncident],
    consents: &[SarConsent],
    withdrawals: &[SarWithdrawal],
    release: &Release<'_>,
    r: &mut Redactor,
) -> Result<Vec<u8>> {
    let l = &learner.learner;
    let mut doc =
        DocumentBuilder::new(&format!("Subject access disclosure {}", release.disclosure))
            .map_err(pdf_error)?;
    doc.footer_text(&format!(
        "{} – subject access disclosure {} – confidential",
        release.organisation, release.disclosure
    ));
    doc.title(&format!(
        "The records {} holds about {}",
        release.organisation, l.name
    ));
    doc.key_value("Released on", &show_date(release.released_on));
    doc.key_value(
        "Released to",
        release
            .to
            .unwrap_or("The person who asked for these records"),
    );
    doc.key_value("Prepared by", release.prepared_by);
    doc.key_value("Prepared at", &show_instant(release.at));
    doc.key_value("Disclosure", release.disclosure);
    doc.paragraph(&format!(
        "This document answers a subject access request under the UK GDPR. It sets out \
         everything {org} holds about {name} in its safeguarding records: the learner's \
         record, every incident they appear in, their consent records, and a description of \
         each piece of evidence. To protect other people, other learners are shown by their \
         role (for example [another learner (witness)]) and staff and other people by what \
         they did (for example [a member of staff]); each such replacement is in square \
         brackets.",
        org = release.organisation,
        name = l.name,
    ));

    doc.heading("The learner's record");
    doc.key_value("Name", &l.name);
    doc.key_value("Date of birth", &show_date(l.dob));
    doc.key_value("Centre", &centre_label(conn, &l.centre)?);
    if let Some(e) = &l.employer {
        doc.key_value("Employer", e);
    }
    if learner.carers.is_empty() {
        doc.paragraph("No parents or carers are recorded.");
    }
    for c in &learner.carers {
        let mut text = format!("Parent or carer: {} ({})", c.name, c.relationship);
        if let Some(p) = &c.phone {
            text.push_str(&format!(", {p}"));
        }
        doc.paragraph(&text);
    }

    doc.heading("Incidents");
    if incidents.is_empty() {
        doc.paragraph("The learner appears in no incidents.");
    }
    for i in incidents {
        incident(&mut doc, &l.id, i, r)?;
    }

    doc.heading("Consent records");
    if consents.is_empty() && withdrawals.is_empty() {
        doc.paragraph("No consent forms are recorded.");
    }
    for c in consents {
        doc.paragraph(&format!(
            "{} (version {}), signed on {} by {} ({})",
            c.form,
            c.form_version,
            show_date(c.signed_on),
            c.signed_by,
            c.relationship
        ));
        for (purpose, yes) in &c.answers {
            doc.key_value(purpose, if *yes { "Yes" } else { "No" });
        }
    }
    for (n, w) in withdrawals.iter().enumerate() {
        let mut text = format!(
            "Withdrawn on {}: {}",
            show_date(w.withdrawn_on),
            w.purpose
                .as_ref()
                .map(|p| format!("{} ({p})", w.form))
                .unwrap_or_else(|| format!("{} (the whole form)", w.form))
        );
        if let Some(note) = &w.note {
            let place = format!("Consent records, withdrawal {}, the note", n + 1);
            text.push_str(&format!(". Note: {}", r.text(&place, note)));
        }
        doc.paragraph(&text);
    }
    doc.finish().map_err(pdf_error)
}

fn incident(doc: &mut DocumentBuilder, me: &str, i: &SarIncident, r: &mut Redactor) -> Result<()> {
    let d = &i.detail;
    let s = &d.summary;
    let at = |what: &str| format!("Incident {}, {what}", s.reference);
    r.clear_scoped();
    for other in d.learners.iter().filter(|o| o.id != me) {
        r.add_scoped(
            &other.name,
            Kind::OtherLearner,
            &other_learner(&other.role),
            true,
        );
    }

    doc.heading(&format!("Incident {}", s.reference));
    let role = LearnerRole::parse(&i.role).map(|x| x.label()).unwrap_or("");
    doc.key_value("The learner's role", role);
    doc.key_value("Categories", &s.categories.join(", "));
    doc.key_value("Happened", &show_instant(s.occurred_at));
    let reporter = if r.is_kept(&d.reporter_name) {
        d.reporter_name.clone()
    } else {
        r.whole(
            &at("reported by"),
            Kind::Reporter,
            "the person who reported it",
        )
    };
    doc.key_value(
        "Reported",
        &format!(
            "{} by {reporter} ({})",
            show_instant(d.reported_at),
            r.text(&at("the reporter's job title"), &d.reporter_title)
        ),
    );
    if let Some(p) = &d.place {
        doc.key_value("Where or platform", &r.text(&at("where or platform"), p));
    }
    doc.key_value(
        "Status",
        if s.status == "closed" {
            "Closed"
        } else {
            "Open"
        },
    );
    if let Some(level) = &s.risk_level {
        let label: &str = match RiskLevel::parse(level) {
            Ok(x) => x.label(),
            Err(_) => level,
        };
        let mut text = label.to_string();
        if let Some(reason) = &d.risk_reason {
            text.push_str(&format!(
                ". Reason: {}",
                r.text(&at("the risk level's reason"), reason)
            ));
        }
        doc.key_value("Risk level", &text);
    }

    doc.paragraph("The account:");
    doc.paragraph(&r.text(&at("the account"), &d.account));

    doc.paragraph("Learners involved:");
    for other in &d.learners {
        let role = LearnerRole::parse(&other.role)
            .map(|x| x.label())
            .unwrap_or("");
        let name = if other.id == me {
            other.name.clone()
        } else {
            r.whole(
                &at("learners involved"),
                Kind::OtherLearner,
                &other_learner(&other.role),
            )
        };
        doc.paragraph(&format!("{name}: {role}"));
    }

    doc.paragraph("Referrals:");
    if d.referrals.is_empty() {
        doc.paragraph("None recorded.");
    }
    for (n, x) in d.referrals.iter().enumerate() {
        let agency = Agency::parse(&x.agency).map(|a| a.label()).unwrap_or("");
        let person = r.whole(
            &at(&format!("referral {}, the person referred to", n + 1)),
            Kind::AgencyPerson,
            "a person at the agency",
        );
        let mut text = format!("{agency}, {}, {person}", x.date);
        if let Some(reference) = &x.reference {
            text.push_str(&format!(", reference {reference}"));
        }
        doc.paragraph(&text);
    }

    doc.paragraph("Decisions and their reasons:");
    if d.decisions.is_empty() {
        doc.paragraph("None recorded.");
    }
    for (n, x) in d.decisions.iter().enumerate() {
        let lead = if x.not_to_refer {
            "Decision not to refer"
        } else {
            "Decision"
        };
        let place = at(&format!("decision {}", n + 1));
        doc.paragraph(&format!(
            "{lead}: {} Reason: {}",
            r.text(&place, &x.decision),
            r.text(&format!("{place}, its reason"), &x.reason)
        ));
    }

    doc.paragraph("Actions:");
    if d.actions.is_empty() {
        doc.paragraph("None recorded.");
    }
    for (n, x) in d.actions.iter().enumerate() {
        let place = at(&format!("action {}", n + 1));
        let owner = r.whole(
            &format!("{place}, its owner"),
            Kind::Staff,
            "a member of staff",
        );
        doc.paragraph(&format!(
            "{} (owner {owner}, due {}{})",
            r.text(&place, &x.description),
            x.due,
            if x.done { ", done" } else { "" }
        ));
    }

    if let Some(o) = &d.outcome {
        doc.key_value("Outcome", &r.text(&at("the outcome"), o));
    }

    doc.paragraph("Evidence (descriptions only):");
    if i.evidence.is_empty() {
        doc.paragraph("No evidence is held.");
    }
    for (n, e) in i.evidence.iter().enumerate() {
        let place = at(&format!("evidence item {}", n + 1));
        let mut text = format!(
            "Item {}: {}",
            n + 1,
            r.text(&format!("{place}, its description"), &e.description)
        );
        if let Some(x) = &e.shows {
            text.push_str(&format!(
                ". What it shows: {}",
                r.text(&format!("{place}, what it shows"), x)
            ));
        }
        let by = r.whole(
            &format!("{place}, captured by"),
            Kind::Staff,
            "a member of staff",
        );
        let captured = DateTime::parse_from_rfc3339(&e.captured_at)
            .map(|t| show_instant(t.with_timezone(&Utc)))
            .unwrap_or_else(|_| e.captured_at.clone());
        text.push_str(&format!(". Captured {captured} by {by}."));
        match i.released.get(&e.id) {
            Some(file) => text.push_str(&format!(
                " A copy of the file is released with this document: {file}."
            )),
            None => text.push_str(" The file itself is not part of this document."),
        }
        doc.paragraph(&text);
    }

    doc.paragraph("Chronology:");
    let mut t = Table::new(vec![
        Column::new("When", 1.6),
        Column::new("Who", 1.6),
        Column::new("What", 4.0),
    ]);
    for (n, e) in d.chronology.iter().enumerate() {
        let place = at(&format!("chronology entry {}", n + 1));
        let who = if r.is_kept(&e.author) {
            e.author.clone()
        } else {
            r.whole(
                &format!("{place}, who recorded it"),
                Kind::Staff,
                "a member of staff",
            )
        };
        t.add_row([show_millis(e.at_ms), who, r.text(&place, &e.text)]);
    }
    doc.table(&t).map_err(pdf_error)?;
    Ok(())
}
