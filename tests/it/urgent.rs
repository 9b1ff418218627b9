//! The urgent police referral comes first: an incident that needs one says so at the top of
//! its page and of the dashboard (and `harbour status`) until a referral to the police is
//! recorded on it.

use crate::common;

use common::{open_incident, refer, Folder};
use serde_json::Value;

fn urgent_on_dashboard(f: &Folder) -> Vec<String> {
    let v: Value = f.json(&["status"]);
    v["urgent"]
        .as_array()
        .expect("urgent")
        .iter()
        .map(|c| c["reference"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn an_urgent_referral_is_shown_first_until_the_police_referral_is_recorded() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17"); // 17 on 20/11/2026
    let jo = f.add_learner("Jo Sample", "2008-01-02"); // 18 on 20/11/2026
    let young = open_incident(&f, "nudes", &[(&alex, "subject")]);
    let adult = open_incident(&f, "nudes", &[(&alex, "subject"), (&jo, "alleged")]);
    let bullying = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);

    let shown: Value = f.json(&["incident", "show", &young]);
    assert_eq!(shown["urgent"], serde_json::json!([]));
    let shown: Value = f.json(&["incident", "show", &adult]);
    assert_eq!(shown["urgent"][0]["code"], "child-sexual-abuse");
    assert_eq!(urgent_on_dashboard(&f), vec![adult.clone()]);
    let said = f.ok(&["status"]);
    assert!(
        said.starts_with(&format!(
            "URGENT: {adult} needs a police referral. Child sexual abuse"
        )),
        "{said}"
    );

    // An immediate risk of harm is urgent too, on any incident.
    f.ok(&[
        "incident",
        "risk",
        &bullying,
        "immediate",
        "--reason",
        "Threats to meet after college",
    ]);
    let shown: Value = f.json(&["incident", "show", &bullying]);
    assert_eq!(shown["urgent"][0]["code"], "immediate-risk");
    let mut both = vec![adult.clone(), bullying.clone()];
    both.sort();
    let mut listed = urgent_on_dashboard(&f);
    listed.sort();
    assert_eq!(listed, both);

    // CEOP is not the police: the need stays until the police referral is recorded.
    refer(&f, &adult, "ceop");
    assert!(urgent_on_dashboard(&f).contains(&adult));
    refer(&f, &adult, "police");
    let shown: Value = f.json(&["incident", "show", &adult]);
    assert_eq!(shown["urgent"], serde_json::json!([]));
    assert_eq!(urgent_on_dashboard(&f), vec![bullying.clone()]);
    refer(&f, &bullying, "police");
    assert!(urgent_on_dashboard(&f).is_empty());
    assert!(!f.ok(&["status"]).contains("URGENT"));
}
