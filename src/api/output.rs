//! Where a file the app writes goes, from what the coordinator typed or chose: never
//! nowhere, never the app's working folder, and always with its ending. A bare name
//! ("recovery sheet") goes into `Documents/Harbour` (made if need be); a missing ending
//! (`.pdf`, `.zip`) is added. The command line takes paths as given, as commands do.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The folder a bare file name is saved into: `Documents/Harbour`, or `Harbour` in the home
/// folder where there is no documents folder.
pub fn default_folder() -> Option<PathBuf> {
    dirs::document_dir()
        .or_else(dirs::home_dir)
        .map(|d| d.join("Harbour"))
}

/// The file to write for `typed`, ending in `.{ending}`; a relative path is placed in
/// `folder` (which is made if it is missing).
pub fn file_to_write(typed: &str, ending: &str, folder: Option<&Path>) -> Result<PathBuf> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Error::Required {
            field: "path",
            sentence: "Choose where to save the file.",
        });
    }
    let mut path = PathBuf::from(typed);
    let has_ending = path
        .extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ending));
    if !has_ending {
        let mut name = path.as_os_str().to_os_string();
        name.push(format!(".{ending}"));
        path = PathBuf::from(name);
    }
    if path.is_relative() {
        let Some(folder) = folder else {
            return Err(Error::invalid(
                "Choose a folder to save the file in: this computer has no home folder to put it in.",
            ));
        };
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, &e))?;
        path = folder.join(path);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_name_goes_into_the_harbour_folder_with_its_ending() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let folder = tmp.path().join("Documents/Harbour");
        let path = file_to_write(" recovery sheet ", "pdf", Some(&folder)).expect("path");
        assert_eq!(path, folder.join("recovery sheet.pdf"));
        assert!(folder.is_dir(), "the folder is made");
        let given = tmp.path().join("report.PDF");
        let kept = file_to_write(given.to_str().expect("path"), "pdf", Some(&folder));
        assert_eq!(kept.expect("path"), given, "an ending in capitals is kept");
        let err = file_to_write("  ", "pdf", Some(&folder)).expect_err("empty");
        assert_eq!(err.to_string(), "Choose where to save the file.");
    }
}
