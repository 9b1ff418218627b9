//! The quarterly report to the executive team, drawn from `read::reports::Figures`.

use harbour_pdf::{BarChart, Column, DocumentBuilder, Table};

use crate::domain::time::show_date;
use crate::read::reports::{Count, Figures};
use crate::Result;

fn count_table(doc: &mut DocumentBuilder, first: &str, f: &Figures, rows: &[Count]) -> Result<()> {
    let mut t = Table::new(vec![
        Column::new(first, 3.0),
        Column::new(f.period.label.clone(), 1.0),
        Column::new(f.previous.label.clone(), 1.0),
    ]);
    for r in rows {
        t.add_row([
            r.label.clone(),
            r.current.to_string(),
            r.previous.to_string(),
        ]);
    }
    doc.table(&t)?;
    Ok(())
}

fn chart(doc: &mut DocumentBuilder, caption: &str, rows: &[Count]) {
    let mut c = BarChart::new(Some(caption));
    for r in rows {
        c.bar(r.label.clone(), r.current as f64);
    }
    doc.bar_chart(&c);
}

/// Lays out the report; `finish` or `write_to` the result.
pub fn render(f: &Figures) -> Result<DocumentBuilder> {
    let title = format!("Online-safety report {}", f.period.label);
    let mut doc = DocumentBuilder::new(&title)?;
    doc.footer_text(&format!(
        "{} \u{2013} {title} \u{2013} confidential",
        f.organisation
    ));
    doc.title(&title);
    doc.key_value("Organisation", &f.organisation);
    doc.key_value(
        "Period",
        &format!(
            "{} to {}",
            show_date(f.period.from),
            show_date(f.period.last_day())
        ),
    );
    doc.key_value(
        "Compared with",
        &format!(
            "{} ({} to {})",
            f.previous.label,
            show_date(f.previous.from),
            show_date(f.previous.last_day())
        ),
    );
    doc.key_value("Figures as at", &show_date(f.as_of));
    doc.key_value(
        "Policy review due",
        &f.policy_review_date
            .map(show_date)
            .unwrap_or_else(|| "not set".into()),
    );
    doc.paragraph(if f.named.is_empty() {
        "This report names no learner."
    } else {
        "This copy has a named appendix: keep it as confidential as the case records themselves."
    });

    doc.heading(&format!(
        "Incidents: {} this period, {} the period before",
        f.incidents, f.incidents_previous
    ));
    doc.paragraph("An incident in more than one category is counted once in each.");
    if f.by_category.is_empty() {
        doc.paragraph("No incidents were recorded in either period.");
    } else {
        count_table(&mut doc, "Category", f, &f.by_category)?;
        chart(
            &mut doc,
            &format!("By category, {}", f.period.label),
            &f.by_category,
        );
    }

    doc.heading("By centre");
    if f.by_centre.is_empty() {
        doc.paragraph("No incidents were recorded in either period.");
    } else {
        count_table(&mut doc, "Centre", f, &f.by_centre)?;
        chart(
            &mut doc,
            &format!("By centre, {}", f.period.label),
            &f.by_centre,
        );
    }

    doc.heading("By month");
    let mut t = Table::new(vec![
        Column::new("Month", 3.0),
        Column::new("Incidents", 1.0),
    ]);
    let mut c = BarChart::new(Some("Incidents by month, this period and the one before"));
    for m in &f.by_month {
        t.add_row([m.label.clone(), m.count.to_string()]);
        c.bar(m.label.clone(), m.count as f64);
    }
    doc.table(&t)?;
    doc.bar_chart(&c);

    doc.heading(&format!("Open cases: {}", f.open_cases.len()));
    if f.open_cases.is_empty() {
        doc.paragraph("No case is open.");
    } else {
        let mut t = Table::new(vec![
            Column::new("Reference", 2.0),
            Column::new("Centre", 1.0),
            Column::new("Reported", 1.3),
            Column::new("Days open", 1.0),
            Column::new("Risk", 1.0),
        ]);
        for o in &f.open_cases {
            t.add_row([
                o.reference.clone(),
                o.centre.clone(),
                show_date(o.reported_on),
                o.age_days.to_string(),
                o.risk_level
                    .clone()
                    .unwrap_or_else(|| "not assessed".into()),
            ]);
        }
        doc.table(&t)?;
    }

    doc.heading(&format!("Actions overdue: {}", f.overdue_actions.len()));
    if f.overdue_actions.is_empty() {
        doc.paragraph("No action is overdue.");
    } else {
        let mut t = Table::new(vec![
            Column::new("Reference", 2.0),
            Column::new("Action", 3.0),
            Column::new("Owner", 1.5),
            Column::new("Due", 1.2),
            Column::new("Days overdue", 1.0),
        ]);
        for a in &f.overdue_actions {
            t.add_row([
                a.reference.clone(),
                a.description.clone(),
                a.owner.clone(),
                show_date(a.due),
                a.days_overdue.to_string(),
            ]);
        }
        doc.table(&t)?;
    }

    doc.heading("Referrals by agency");
    if f.referrals_by_agency.is_empty() {
        doc.paragraph("No referrals were made in either period.");
    } else {
        count_table(&mut doc, "Agency", f, &f.referrals_by_agency)?;
    }

    doc.heading("Consent forms outstanding");
    if f.forms_outstanding.is_empty() {
        doc.paragraph("Every learner's forms are returned and current.");
    } else {
        doc.paragraph("Learners whose form has not been returned, or whose yearly review is due.");
        let mut t = Table::new(vec![Column::new("Form", 3.0), Column::new("Learners", 1.0)]);
        for o in &f.forms_outstanding {
            t.add_row([o.title.clone(), o.learners.to_string()]);
        }
        doc.table(&t)?;
    }

    if !f.named.is_empty() {
        doc.page_break();
        doc.title("Appendix: incidents this period, with the learners named");
        let mut t = Table::new(vec![
            Column::new("Reference", 2.0),
            Column::new("Date", 1.2),
            Column::new("Categories", 2.0),
            Column::new("Learners", 3.0),
            Column::new("Status", 0.9),
        ]);
        for n in &f.named {
            t.add_row([
                n.reference.clone(),
                show_date(n.occurred_on),
                n.categories.join(", "),
                n.learners
                    .iter()
                    .map(|l| format!("{} ({})", l.name, l.role))
                    .collect::<Vec<_>>()
                    .join("; "),
                n.status.clone(),
            ]);
        }
        doc.table(&t)?;
    }
    Ok(doc)
}
