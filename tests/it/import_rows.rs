//! A learner CSV import as spreadsheets write them: the same file imported twice adds nobody
//! the second time, empty rows at the end are ignored, a file not saved as UTF-8 is refused
//! with the step that fixes it, and errors name the line of the file, blank lines counted.

use crate::common::Folder;

fn import(f: &Folder, name: &str, content: &[u8]) -> (std::path::PathBuf, std::process::Output) {
    let path = f.tmp.path().join(name);
    std::fs::write(&path, content).expect("csv");
    let out = f.run(&["learner", "import", path.to_str().expect("path")]);
    (path, out)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

fn learners(f: &Folder) -> usize {
    f.json(&["learner", "list"]).as_array().expect("list").len()
}

const STARTERS: &str = "name,dob,centre\n\
                        Alex Example,2009-04-17,MAN\n\
                        Jo Sample,2008-05-06,MAN\n\
                        Kim Fourth,2007-06-07,MAN\n";

#[test]
fn importing_the_same_file_twice_adds_nobody_the_second_time() {
    let f = Folder::new();
    f.init();
    let (path, first) = import(&f, "starters.csv", STARTERS.as_bytes());
    assert_eq!(stdout(&first), "3 learners imported.", "{}", stderr(&first));

    let again = f.run(&["learner", "import", path.to_str().expect("path")]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        "0 learners imported; 3 were already held and were skipped."
    );
    assert_eq!(learners(&f), 3);

    // The same learner typed with other capitals or spacing is the same learner; a new
    // starter in the same file is still imported.
    let (_, more) = import(
        &f,
        "more.csv",
        b"name,dob,centre\nalex  EXAMPLE,2009-04-17,man\nNew Starter,2009-01-01,MAN\n",
    );
    assert_eq!(
        stdout(&more),
        "1 learners imported; 1 was already held and was skipped."
    );
    assert_eq!(learners(&f), 4);
}

#[test]
fn a_dry_run_lists_the_learners_already_held_by_line() {
    let f = Folder::new();
    f.init();
    f.add_learner("Jo Sample", "2008-05-06");
    let path = f.tmp.path().join("starters.csv");
    std::fs::write(&path, STARTERS).expect("csv");
    let out = f.ok(&[
        "learner",
        "import",
        "--dry-run",
        path.to_str().expect("path"),
    ]);
    assert_eq!(
        out,
        "2 learner(s) ready to import.\nLine 3: Jo Sample is already held and will be skipped."
    );
    let json = f.json(&[
        "learner",
        "import",
        "--dry-run",
        path.to_str().expect("path"),
    ]);
    assert_eq!(json["already_held"][0]["line"], 3);
    assert_eq!(json["already_held"][0]["name"], "Jo Sample");
}

#[test]
fn a_row_repeated_in_the_same_file_is_imported_once() {
    let f = Folder::new();
    f.init();
    let (_, out) = import(
        &f,
        "twice.csv",
        b"name,dob,centre\nAlex Example,2009-04-17,MAN\nAlex Example,2009-04-17,MAN\n",
    );
    assert_eq!(
        stdout(&out),
        "1 learners imported; 1 was already held and was skipped."
    );
    assert_eq!(learners(&f), 1);
}

#[test]
fn empty_rows_at_the_end_as_spreadsheets_write_them_are_ignored() {
    let f = Folder::new();
    f.init();
    let (_, out) = import(
        &f,
        "excel.csv",
        b"name,dob,centre,employer\r\nAlex Example,2009-04-17,MAN,Acme\r\nJo Sample,2008-05-06,MAN,\r\n,,,\r\n,,,\r\n\r\n,\r\n",
    );
    assert_eq!(stdout(&out), "2 learners imported.", "{}", stderr(&out));
    assert_eq!(learners(&f), 2);
}

#[test]
fn a_windows_1252_file_is_refused_with_the_step_that_fixes_it() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    // "Zoë" as Excel's plain "CSV" saves it on Windows: ë is the single byte 0xEB.
    let (_, out) = import(
        &f,
        "ansi.csv",
        b"name,dob,centre\r\nAlex Example,2009-04-17,MAN\r\nZo\xEB Example,2009-01-01,MAN\r\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "The file is not saved as UTF-8 (line 3 has a character that cannot be read); in Excel choose Save As, then \"CSV UTF-8 (Comma delimited)\", and import that file."
    );
    assert_eq!(f.snapshot(), before);

    // The same file saved as "CSV UTF-8" (with Excel's byte-order mark) imports.
    let (_, out) = import(
        &f,
        "utf8.csv",
        "\u{FEFF}name,dob,centre\r\nAlex Example,2009-04-17,MAN\r\nZoë Example,2009-01-01,MAN\r\n"
            .as_bytes(),
    );
    assert_eq!(stdout(&out), "2 learners imported.", "{}", stderr(&out));
}

#[test]
fn errors_name_the_line_of_the_file_counting_blank_lines_and_line_breaks_in_quotes() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    let (_, out) = import(
        &f,
        "gaps.csv",
        b"name,dob,centre,employer\n\
          \n\
          Alex Example,2009-04-17,MAN,\"Acme\nJoinery\"\n\
          \n\
          \n\
          Jo Sample,17/04/2009,MAN,\n\
          Kim Short,2007-06-07\n",
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("Nothing was imported because 3 rows could not be used"),
        "{err}"
    );
    // Alex's employer breaks the line inside quotes: a one-line field refused on line 3.
    assert!(
        err.contains("line 3: The employer must be on one line"),
        "{err}"
    );
    assert!(
        err.contains("line 7: \"17/04/2009\" is not a date"),
        "{err}"
    );
    assert!(
        err.contains("line 8: the row has 2 columns but the header has 4"),
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
}
