//! SECURITY.md cannot drift from the tests: every test it names
//! (`tests/<file>.rs::<name>` or `src/<path>.rs::<name>`) exists as a
//! `#[test]` function in that file, and every numbered promise has a row in
//! "How each promise is tested" that names at least one test.

use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The `file::name` references in `text`: backquoted, a path under `tests/`
/// or `src/` ending in `.rs`, then `::` and a function name.
fn references(text: &str) -> Vec<(String, String)> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| {
            let (file, name) = code.split_once("::")?;
            let ok_file =
                (file.starts_with("tests/") || file.starts_with("src/")) && file.ends_with(".rs");
            let ok_name =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            (ok_file && ok_name).then(|| (file.to_string(), name.to_string()))
        })
        .collect()
}

/// Whether `source` has a test function `name`: `fn name(` after a
/// `#[test]` attribute (other attributes may come between).
fn has_test(source: &str, name: &str) -> bool {
    let needle = format!("fn {name}(");
    source.match_indices(&needle).any(|(at, _)| {
        let before = &source[..at];
        let attributes: Vec<&str> = before
            .lines()
            .rev()
            .take_while(|l| {
                let l = l.trim();
                l.starts_with("#[") || l.starts_with("///") || l.is_empty()
            })
            .collect();
        attributes.iter().any(|l| l.trim() == "#[test]")
    })
}

#[test]
fn every_test_security_md_names_exists() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("SECURITY.md")).unwrap();
    let refs = references(&text);
    assert!(refs.len() > 30, "only {} references found", refs.len());
    let mut missing = Vec::new();
    for (file, name) in &refs {
        let source = std::fs::read_to_string(Path::new(ROOT).join(file))
            .unwrap_or_else(|e| panic!("SECURITY.md names {file}, which cannot be read: {e}"));
        if !has_test(&source, name) {
            missing.push(format!("{file}::{name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "SECURITY.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn every_promise_has_a_test() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("SECURITY.md")).unwrap();
    let promises_at = text.find("## Promises").expect("a Promises section");
    let table_at = text
        .find("## How each promise is tested")
        .expect("a How each promise is tested section");
    let numbers: BTreeSet<u32> = text[promises_at..table_at]
        .lines()
        .filter_map(|l| l.split_once(". **").and_then(|(n, _)| n.parse().ok()))
        .collect();
    assert!(numbers.len() >= 8, "{numbers:?}");
    let mut tested = BTreeSet::new();
    for row in text[table_at..].lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').collect();
        if cells.len() < 3 || references(cells[2]).is_empty() {
            continue;
        }
        let first = cells[1].trim();
        for part in first.split(|c: char| !c.is_ascii_digit() && c != ',') {
            for n in part.split(',') {
                if let Ok(n) = n.trim().parse::<u32>() {
                    tested.insert(n);
                }
            }
        }
    }
    let untested: Vec<&u32> = numbers.difference(&tested).collect();
    assert!(untested.is_empty(), "promises without a test: {untested:?}");
}

#[test]
fn the_checker_finds_what_is_there_and_only_that() {
    let source = "#[test]\nfn real() {}\n\n/// Doc.\n#[test]\n#[cfg(unix)]\nfn documented() {}\nfn helper() {}\n";
    assert!(has_test(source, "real"));
    assert!(has_test(source, "documented"));
    assert!(!has_test(source, "helper"));
    assert!(!has_test(source, "absent"));
    assert_eq!(
        references("see `tests/a.rs::b_c` and `not::this` and `src/x.rs::y`"),
        [
            ("tests/a.rs".to_string(), "b_c".to_string()),
            ("src/x.rs".to_string(), "y".to_string())
        ]
    );
}
