//! The lexicon tools as a training officer uses them: the real binary on small
//! fixture lexicons in `tests/fixtures/lexicon/`, with the output snapshotted.
//! The fixtures never use the built-in lexicon (`--no-builtin`), so these
//! snapshots do not change when the built-in lexicon grows.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicon")
}

/// Runs vblint in the fixture folder; returns exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    run_in(&fixtures(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("vblint runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shown((code, stdout, stderr): (i32, String, String)) -> String {
    format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}")
}

#[test]
fn bad_unknown_key_suggests_the_right_one() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "check",
        "--no-builtin",
        "bad/unknown-key.toml"
    ])));
}

#[test]
fn bad_variant_syntax_points_with_a_caret() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "check",
        "--no-builtin",
        "bad/variant.toml"
    ])));
}

#[test]
fn bad_duplicate_id_names_both_places() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "check",
        "--no-builtin",
        "bad/duplicate.toml"
    ])));
}

#[test]
fn bad_failing_examples_are_listed() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "test",
        "--no-builtin",
        "bad/failing-example.toml"
    ])));
}

#[test]
fn list_shows_layers() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "list",
        "--no-builtin",
        "base",
        "local"
    ])));
}

#[test]
fn stats_table_and_json() {
    let args = [
        "lexicon",
        "stats",
        "--no-builtin",
        "--today",
        "2026-03-01",
        "base",
        "local",
    ];
    insta::assert_snapshot!(shown(run(&args)));
    let (code, json, _) = run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["active"], 3);
    assert_eq!(v["retired"], 1);
    assert_eq!(v["fix_safe"], 0);
    // Never reviewed first, then the oldest date.
    assert_eq!(v["due_for_review"][0]["id"], "streetwise");
    assert_eq!(v["due_for_review"][1]["id"], "put-self-at-risk");
    assert_eq!(v["due_for_review"].as_array().unwrap().len(), 2);
}

#[test]
fn impact_lists_added_and_removed_findings() {
    insta::assert_snapshot!(shown(run(&[
        "lexicon",
        "impact",
        "--no-builtin",
        "local",
        "new",
        "samples"
    ])));
    let (_, full, _) = run(&[
        "lexicon",
        "impact",
        "--no-builtin",
        "--context",
        "full",
        "local",
        "new",
        "samples",
    ]);
    assert!(full.contains("Amy (14) is streetwise"), "{full}");
    let (_, none, _) = run(&[
        "lexicon",
        "impact",
        "--no-builtin",
        "--context",
        "none",
        "local",
        "new",
        "samples",
    ]);
    assert!(!none.contains("mature"), "{none}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn fmt_check_then_fmt_then_check_is_clean() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("messy.toml"), tmp.path().join("messy.toml")).unwrap();
    let check = run_in(tmp.path(), &["lexicon", "fmt", "--check", "messy.toml"]);
    assert_eq!(check.0, 1);
    insta::assert_snapshot!("fmt_check", shown(check));
    let (code, _, _) = run_in(tmp.path(), &["lexicon", "fmt", "messy.toml"]);
    assert_eq!(code, 0);
    let formatted = std::fs::read_to_string(tmp.path().join("messy.toml")).unwrap();
    insta::assert_snapshot!("fmt_result", formatted);
    assert!(formatted.contains("# The id always comes first."));
    assert!(formatted.contains("# two terms"));
    let (code, out, _) = run_in(tmp.path(), &["lexicon", "fmt", "--check", "messy.toml"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn export_import_round_trip_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("local");
    copy_dir(&fixtures().join("base"), &dir);
    let before = std::fs::read_to_string(dir.join("base.toml")).unwrap();
    let (code, csv, err) = run_in(
        tmp.path(),
        &["lexicon", "export", "--format", "csv", "local"],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("export_csv", csv);
    std::fs::write(tmp.path().join("lexicon.csv"), &csv).unwrap();
    let (code, out, _) = run_in(
        tmp.path(),
        &["lexicon", "import", "lexicon.csv", "--into", "local"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("0 updated, 0 added, 3 unchanged"), "{out}");
    let after = std::fs::read_to_string(dir.join("base.toml")).unwrap();
    assert_eq!(before, after);

    // An edit in the sheet changes only that key.
    let edited = csv.replace(
        "A child does not choose to be exploited.",
        "Children do not choose exploitation.",
    );
    std::fs::write(tmp.path().join("lexicon.csv"), edited).unwrap();
    let (code, out, _) = run_in(
        tmp.path(),
        &["lexicon", "import", "lexicon.csv", "--into", "local"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("updated lifestyle-choice: why"), "{out}");
    let after = std::fs::read_to_string(dir.join("base.toml")).unwrap();
    assert_eq!(
        after,
        before.replace(
            "A child does not choose to be exploited.",
            "Children do not choose exploitation."
        )
    );
}

#[test]
fn test_runs_builtin_examples_under_a_local_folder_and_warns_on_a_replaced_id() {
    let (code, out, err) = run(&["lexicon", "test", "override"]);
    assert_eq!(
        code, 1,
        "a local entry that breaks built-in examples fails:\n{out}\n{err}"
    );
    assert!(
        out.contains("(the built-in examples run too, with the folder layered on top)"),
        "{out}"
    );
    assert!(
        out.contains("FAILED put-self-at-risk built-in-example 1"),
        "{out}"
    );
    assert!(
        err.contains("warning: `put-self-at-risk` replaces the built-in entry with the same id"),
        "{err}"
    );
    assert!(
        err.contains("this built-in example is no longer flagged"),
        "{err}"
    );
    // The same folder on its own passes: its own examples are fine.
    let (code, out, _) = run(&["lexicon", "test", "--no-builtin", "override"]);
    assert_eq!(code, 0, "{out}");
    // `lexicon check` warns too.
    let (_, _, err) = run(&["lexicon", "check", "override"]);
    assert!(
        err.contains("replaces the built-in entry with the same id"),
        "{err}"
    );
}

#[test]
fn impact_accepts_a_missing_or_empty_old_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for old in [empty.to_str().unwrap(), "no-such-folder"] {
        let (code, out, err) = run(&["lexicon", "impact", "--no-builtin", old, "new", "samples"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("is missing or has no .toml files"), "{err}");
        assert!(out.contains("0 finding(s) before, 2 after"), "{out}");
    }
}

#[test]
fn export_starts_with_a_bom_and_import_writes_the_schema_for_new_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("local");
    copy_dir(&fixtures().join("base"), &dir);
    let (code, csv, _) = run_in(tmp.path(), &["lexicon", "export", "local"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with('\u{feff}'), "no byte-order mark for Excel");
    // A new row for a new file: the file is created with a #:schema line
    // that points at a schema.json that exists.
    let mut lines = csv.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    let columns: Vec<&str> = header.split(',').collect();
    let row: Vec<String> = columns
        .iter()
        .map(|c| match *c {
            "id" => "new-term".to_string(),
            "category" => "minimising".to_string(),
            "file" => "extra.toml".to_string(),
            "terms" => "just messing about".to_string(),
            "alternatives" => "was being abused".to_string(),
            "why" => "It makes abuse sound small.".to_string(),
            _ => String::new(),
        })
        .collect();
    let sheet = format!("{csv}{}\n", row.join(","));
    std::fs::write(tmp.path().join("sheet.csv"), sheet).unwrap();
    let (code, out, err) = run_in(
        tmp.path(),
        &["lexicon", "import", "sheet.csv", "--into", "local"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("added   new-term to extra.toml"), "{out}");
    let created = std::fs::read_to_string(dir.join("extra.toml")).unwrap();
    let schema_line = created.lines().next().unwrap();
    let target = schema_line
        .strip_prefix("#:schema ")
        .expect("a #:schema line");
    let schema = dir.join(target);
    let text = std::fs::read_to_string(&schema).expect("the #:schema path exists");
    assert!(text.contains("\"$schema\""), "{}", schema.display());
}

#[test]
fn guide_is_printable_html_per_category() {
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(["lexicon", "guide", "--no-builtin", "base"])
        .current_dir(fixtures())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("vblint runs");
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("@page{size:A4"));
    insta::assert_snapshot!(html);
}
