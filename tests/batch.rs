//! CLI snapshot tests for batch inputs (CSV, JSON Lines, DOCX, HTML), the
//! sarif/github/csv formats, `report`, sampling and baselines.

use std::path::Path;
use std::process::Command;

/// Reports name the lexicon's version (a hash, the number of entries and the
/// newest review), which changes whenever the built-in lexicon does.
macro_rules! assert_report_snapshot {
    ($value:expr) => {
        insta::with_settings!({filters => vec![
            (r"fnv1a64:[0-9a-f]{16}", "[lexicon hash]"),
            (r"\(\d+ entries; newest entry review: [^)]*\)", "([lexicon entries and review])"),
            (r#""entries": \d+"#, r#""entries": "[n]""#),
            (r#""newest_review": "[0-9-]+""#, r#""newest_review": "[date]""#),
        ]}, {
            insta::assert_snapshot!($value);
        });
    };
}

/// Runs vblint in the fixtures folder and returns "exit: N", stdout, stderr.
fn run(args: &[&str]) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/batch");
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(args)
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("vblint runs");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn csv_concise_with_id_and_two_columns() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-text-column",
        "summary",
        "--csv-id-column",
        "ref",
        "--format",
        "concise",
        "--no-config",
    ]));
}

#[test]
fn csv_jsonl_by_column_number() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "5",
        "--format",
        "jsonl",
        "--no-config",
    ]));
}

#[test]
fn csv_without_text_column_lists_columns() {
    insta::assert_snapshot!(run(&["check", "export.csv", "--no-config"]));
}

#[test]
fn csv_unknown_column() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "nots",
        "--no-config",
    ]));
}

#[test]
fn csv_broken_records_are_skipped_and_exit_2() {
    insta::assert_snapshot!(run(&[
        "check",
        "broken.csv",
        "--csv-text-column",
        "notes",
        "--format",
        "concise",
        "--no-config",
    ]));
}

#[test]
fn csv_windows_1252_note() {
    insta::assert_snapshot!(run(&[
        "check",
        "cp1252.csv",
        "--csv-text-column",
        "notes",
        "--format",
        "jsonl",
        "--no-config",
    ]));
}

#[test]
fn tsv_with_bom_detects_tab() {
    insta::assert_snapshot!(run(&[
        "check",
        "bom-tab.tsv",
        "--csv-text-column",
        "notes",
        "--format",
        "concise",
        "--no-config",
    ]));
}

#[test]
fn jsonl_input() {
    insta::assert_snapshot!(run(&[
        "check",
        "notes.jsonl",
        "--json-text-field",
        "text",
        "--json-id-field",
        "id",
        "--format",
        "jsonl",
        "--no-config",
    ]));
}

#[test]
fn docx_and_html_inputs() {
    insta::assert_snapshot!(run(&[
        "check",
        "meeting.docx",
        "export.html",
        "--format",
        "concise",
        "--no-config",
    ]));
}

#[test]
fn sarif_format() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.html",
        "bom-tab.tsv",
        "--csv-text-column",
        "notes",
        "--format",
        "sarif",
        "--no-config",
    ]));
}

#[test]
fn github_format() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--format",
        "github",
        "--no-config",
    ]));
}

#[test]
fn csv_format() {
    insta::assert_snapshot!(run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--format",
        "csv",
        "--no-config",
    ]));
}

#[test]
fn report_table_with_authors_teams_months() {
    assert_report_snapshot!(run(&[
        "report",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-text-column",
        "summary",
        "--csv-id-column",
        "ref",
        "--csv-author-column",
        "author",
        "--csv-team-column",
        "team",
        "--csv-date-column",
        "date",
        "--min-count",
        "2",
        "--by",
        "author",
        "--by",
        "team",
        "--no-config",
    ]));
}

#[test]
fn report_json_and_csv() {
    let args = [
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-date-column",
        "date",
        "--no-config",
    ];
    let mut json = vec!["report", "--format", "json"];
    json.extend(args);
    let mut csv = vec!["report", "--format", "csv"];
    csv.extend(args);
    assert_report_snapshot!(format!("{}\n{}", run(&json), run(&csv)));
}

#[test]
fn report_html_has_no_case_text() {
    let out = run(&[
        "report",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-date-column",
        "date",
        "--format",
        "html",
        "--no-config",
    ]);
    assert!(out.contains("<svg"), "{out}");
    assert!(!out.contains("Amy"), "case text leaked: {out}");
    assert!(!out.contains("<script"), "{out}");
}

#[test]
fn sample_is_stable_for_a_seed() {
    let args = [
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--sample",
        "1",
        "--seed",
        "3",
        "--format",
        "concise",
        "--no-config",
    ];
    let a = run(&args);
    assert_eq!(a, run(&args));
    insta::assert_snapshot!(a);
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.txt");
    let base = base.to_str().unwrap();
    let first = run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--write-baseline",
        base,
        "--format",
        "concise",
        "--no-config",
    ]);
    assert!(first.contains("exit: 1"), "{first}");
    let again = run(&[
        "check",
        "export.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--baseline",
        base,
        "--format",
        "concise",
        "--no-config",
    ]);
    insta::assert_snapshot!(again);
}

#[test]
fn a_baseline_survives_a_renamed_export_and_warns_when_it_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.txt");
    let base = base.to_str().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/batch");
    let renamed = dir.path().join("export-2025-02.csv");
    std::fs::copy(fixtures.join("export.csv"), &renamed).unwrap();
    let args = |file: &str, flag: &str| {
        run(&[
            "check",
            file,
            "--csv-text-column",
            "notes",
            "--csv-id-column",
            "ref",
            flag,
            base,
            "--format",
            "concise",
            "--no-config",
        ])
    };
    assert!(args("export.csv", "--write-baseline").contains("exit: 1"));
    let again = args(renamed.to_str().unwrap(), "--baseline");
    assert!(again.starts_with("exit: 0"), "{again}");
    assert!(!again.contains("matches none"), "{again}");
    // A baseline of other findings matches nothing: a warning says so.
    std::fs::write(base, "# vblint baseline\n0123456789abcdef:1\n").unwrap();
    let other = args("export.csv", "--baseline");
    assert!(other.starts_with("exit: 1"), "{other}");
    assert!(
        other.contains("warning: the baseline") && other.contains("matches none of these findings"),
        "{other}"
    );
}

/// A baseline that cannot be read stops the run before anything is
/// checked, with one error that says how to make one, even when the paths
/// given are checked under two configurations.
#[test]
fn a_missing_baseline_is_one_error_before_anything_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["a", "b"] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(
            dir.path().join(folder).join("vblint.toml"),
            format!("# the configuration of {folder}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(folder).join("note.txt"),
            "She is putting herself at risk.\n",
        )
        .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(["check", "--baseline", "missing.txt", "a", "b"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing is checked");
    assert_eq!(
        stderr.matches("create one with --write-baseline").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn report_sample_lists_every_sampled_record_and_says_it_is_a_sample() {
    let args = |format: &str| {
        run(&[
            "report",
            "export.csv",
            "--csv-text-column",
            "notes",
            "--csv-id-column",
            "ref",
            "--sample",
            "2",
            "--seed",
            "3",
            "--format",
            format,
            "--no-config",
        ])
    };
    let json = args("json");
    let body = json.split("--- stdout\n").nth(1).unwrap();
    let body = body.split("--- stderr").next().unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let sampled = v["by"]["sampled"].as_object().unwrap();
    assert_eq!(sampled.len(), 2, "{body}");
    assert_eq!(v["sample"]["drawn"], 2);
    assert_eq!(v["sample"]["read"], 3);
    assert!(
        v["provenance"]["sample"]
            .as_str()
            .unwrap()
            .starts_with("a random sample of 2 of 3 records"),
        "{body}"
    );
    let html = args("html");
    assert!(html.contains("<b>This is a sample.</b>"), "{html}");
    assert!(
        html.contains("Sampled records (every record drawn)"),
        "{html}"
    );
}

#[test]
fn sample_pack_has_a_page_per_record_with_findings_marked_and_redaction() {
    let pack = |context: &str| {
        run(&[
            "sample",
            "export.csv",
            "--csv-text-column",
            "notes",
            "--csv-id-column",
            "ref",
            "--sample",
            "3",
            "--context",
            context,
            "--no-config",
        ])
    };
    let full = pack("full");
    assert!(full.starts_with("exit: 0"), "{full}");
    assert_eq!(
        full.matches("<section class=\"record\">").count(),
        3,
        "{full}"
    );
    assert!(full.contains("<b>This is a sample.</b> 3 records drawn at random from 3 read"));
    assert!(full.contains("<mark title=\"put-self-at-risk\">"), "{full}");
    assert!(full.contains("Amy"), "full context shows the text");
    assert!(full.contains("<span class=\"box\"></span>"), "tick boxes");
    assert!(
        full.contains("vblint found nothing in this record"),
        "a record without findings has a page"
    );
    let redacted = pack("redacted");
    assert!(!redacted.contains("Amy"), "{redacted}");
    assert!(
        redacted.contains("<mark title=\"put-self-at-risk\">putting herself at risk"),
        "{redacted}"
    );
    let none = pack("none");
    assert!(!none.contains("Amy") && !none.contains("<mark"), "{none}");
    assert!(none.contains("put-self-at-risk"));
}

/// The record's age column, or its date of birth on the record's date, is
/// the scanner's record context: "She is sexually active" is flagged in a
/// record about a child (R1: age 14; R3: born 2010, record of 2024) and not
/// in one about an adult (R2: 18 on the record's date) or about no one known
/// (R4).
#[test]
fn csv_age_and_dob_columns_give_the_record_context() {
    insta::assert_snapshot!(run(&[
        "check",
        "ages.csv",
        "--csv-text-column",
        "notes",
        "--csv-id-column",
        "ref",
        "--csv-age-column",
        "age",
        "--csv-dob-column",
        "dob",
        "--csv-date-column",
        "date",
        "--format",
        "concise",
        "--no-config",
    ]));
}

#[test]
fn csv_dob_column_needs_the_record_date() {
    let out = run(&[
        "check",
        "ages.csv",
        "--csv-text-column",
        "notes",
        "--csv-dob-column",
        "dob",
        "--no-config",
    ]);
    assert!(out.starts_with("exit: 2"), "{out}");
    assert!(out.contains("--csv-date-column"), "{out}");
}

#[test]
fn jsonl_age_field_gives_the_record_context() {
    insta::assert_snapshot!(run(&[
        "check",
        "ages.jsonl",
        "--json-text-field",
        "text",
        "--json-id-field",
        "id",
        "--json-age-field",
        "age",
        "--format",
        "concise",
        "--no-config",
    ]));
}
