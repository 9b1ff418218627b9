//! Original file names become safe, unique pack names.

use harbour_evidence::naming::is_safe_name;
use harbour_evidence::{safe_name, SafeNames};
use proptest::prelude::*;
use std::collections::HashSet;

fn one(original: &str) -> String {
    safe_name(original, &mut HashSet::new())
}

#[test]
fn ordinary_names_are_kept() {
    assert_eq!(
        one("Screenshot 2025-03-14 at 19.02.11.png"),
        "Screenshot 2025-03-14 at 19.02.11.png"
    );
    assert_eq!(one("chat export (Alex).txt"), "chat export (Alex).txt");
    assert_eq!(one("photo_émilie.jpg"), "photo_émilie.jpg");
}

#[test]
fn dangerous_names_are_defused() {
    assert_eq!(one("../../etc/passwd"), "_._etc_passwd");
    assert_eq!(one("..\\..\\windows\\system.ini"), "_._windows_system.ini");
    assert_eq!(one("/absolute/path.txt"), "_absolute_path.txt");
    assert_eq!(one("C:\\Users\\x.doc"), "C__Users_x.doc");
    assert_eq!(one("line\nbreak\ttab.txt"), "line_break_tab.txt");
    assert_eq!(one(".hidden"), "hidden");
    assert_eq!(one(".."), "file");
    assert_eq!(one(""), "file");
    assert_eq!(one("   "), "file");
    assert_eq!(one("trailing dots..."), "trailing dots");
    assert_eq!(one("CON.txt"), "_CON.txt");
    assert_eq!(one("nul"), "_nul");
    assert_eq!(one("what?*<>|\".jpg"), "what______.jpg");
    // Right-to-left override disguising an executable as a photo.
    assert_eq!(one("holiday\u{202E}gpj.exe"), "holiday_gpj.exe");
}

#[test]
fn long_names_are_shortened_keeping_the_extension() {
    let long = format!("{}.jpeg", "a".repeat(500));
    let name = one(&long);
    assert!(name.len() <= 120);
    assert!(name.ends_with(".jpeg"));
    let long_unicode = format!("{}.png", "é".repeat(200));
    let name = one(&long_unicode);
    assert!(name.len() <= 120 && name.ends_with(".png"));
}

#[test]
fn clashes_get_numbered_ignoring_case() {
    let mut names = SafeNames::new();
    assert_eq!(names.assign("photo.jpg"), "photo.jpg");
    assert_eq!(names.assign("photo.jpg"), "photo (2).jpg");
    assert_eq!(names.assign("PHOTO.JPG"), "PHOTO (3).JPG");
    assert_eq!(names.assign("a/photo.jpg"), "a_photo.jpg");
    assert_eq!(names.assign("README"), "README");
    assert_eq!(names.assign("readme"), "readme (2)");
}

proptest! {
    #[test]
    fn any_name_becomes_safe_and_unique(originals in proptest::collection::vec(any::<String>(), 1..20)) {
        let mut used = HashSet::new();
        let mut seen = HashSet::new();
        for original in &originals {
            let name = safe_name(original, &mut used);
            prop_assert!(!name.is_empty());
            prop_assert!(!name.contains('/') && !name.contains('\\'));
            prop_assert!(!name.contains(".."));
            prop_assert!(!name.starts_with('.'));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(name.len() <= 120);
            prop_assert!(is_safe_name(&name), "{name:?} is not stable");
            prop_assert!(seen.insert(name.to_lowercase()), "{name:?} repeated");
        }
    }
}
