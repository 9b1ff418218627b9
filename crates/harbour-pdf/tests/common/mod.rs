//! Fictional sample content shared by the integration tests and the examples
//! (`examples/` include this file with `#[path]`). No real people or places.

#![allow(dead_code)]

use harbour_pdf::{BarChart, Column, DocumentBuilder, PdfError, Table, SIGNATURE_LABELS};

/// Long paragraph whose last word ("kingfisher") must survive wrapping.
pub const LONG_PARAGRAPH: &str = "During the residential week learners will take part in \
supervised outdoor activities including canoeing, orienteering and a guided coastal walk. \
Staff hold current first-aid certificates and at least two members of staff will be on site \
at all times. Please tell us about any medical conditions, allergies or dietary needs so that \
we can plan safely, and let us know if anything changes before departure. The group will \
return to the centre on Friday afternoon, and learners will keep a nature log naming every \
bird they see, from the humble sparrow to the bright blue kingfisher";

/// Adds one learner's three-page pack: consent form, recovery sheet and
/// attendance summary, each starting on a new page.
pub fn learner_pack(doc: &mut DocumentBuilder, learner: &str) -> Result<(), PdfError> {
    doc.page_break();
    doc.title("Consent form – residential trip");
    doc.key_value("Learner", learner)
        .key_value("Centre", "Northbridge Training Centre")
        .key_value("Trip cost", "£245.00 (about €285), payable by 1 March")
        .key_value(
            "Emergency contact",
            "Jordan Example, 01632 960 123 (fictional number reserved for drama use)",
        );
    doc.heading("About the trip");
    doc.paragraph(LONG_PARAGRAPH);
    doc.paragraph(
        "Our partner centre in Germany sends its “warmest regards” – Grüße € – and \
         reminds learners that it’s a phone-free week.",
    );
    doc.heading("Parent or carer consent");
    doc.paragraph(
        "I give consent for the learner named above to take part in the activities \
         described, and for staff to seek emergency medical treatment if needed.",
    );
    doc.signature_block(SIGNATURE_LABELS);

    doc.page_break();
    doc.title("Recovery sheet");
    doc.key_value("Learner", learner)
        .key_value("Date", "14 March 2025");
    let mut table = Table::new(vec![
        Column::new("Time", 1.0),
        Column::new("Observation", 4.0),
        Column::new("Staff initials", 1.4),
    ]);
    table
        .add_row(["09:15", "Arrived on time; settled quickly.", "JE"])
        .add_row([
            "10:40",
            "Complained of a headache after the canoeing session; given water and rested in \
             the shade for twenty minutes, then rejoined the group feeling much better.",
            "SE",
        ])
        .add_row(["12:30", "Ate lunch – vegetarian option.", "JE"])
        .add_row(["15:05", "Collected by parent at the end of the day.", "SE"]);
    doc.table(&table)?;
    doc.paragraph("Notes are confidential and kept in line with centre policy.");

    doc.page_break();
    doc.title("Attendance summary");
    doc.heading("Sessions attended this quarter");
    let mut chart = BarChart::new(Some("Sessions attended by month"));
    chart
        .bar("January", 18.0)
        .bar("February", 15.0)
        .bar("March – including the residential week", 22.0)
        .bar_with_label("Fees outstanding (£)", 4.5, "£4.50");
    doc.bar_chart(&chart);
    let mut summary = Table::new(vec![Column::new("Measure", 3.0), Column::new("Value", 1.0)]);
    summary
        .add_row(["Attendance rate", "92%"])
        .add_row(["Punctuality", "88%"]);
    doc.table(&summary)?;
    Ok(())
}

/// A finished builder holding one learner pack (three pages).
pub fn sample_document(learner: &str) -> Result<DocumentBuilder, PdfError> {
    let mut doc = DocumentBuilder::new("Harbour sample")?;
    doc.footer_text("Northbridge Training Centre – confidential");
    learner_pack(&mut doc, learner)?;
    Ok(doc)
}
