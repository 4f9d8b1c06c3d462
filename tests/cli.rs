//! The command line as a user meets it: every output format, stdin, the exit
//! codes, `explain`, and the lexicon commands, snapshot-tested against a
//! small fixture lexicon so the snapshots do not move when the built-in
//! lexicon grows.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use std::io::Write as _;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");

fn vblint(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vblint"));
    cmd.current_dir(FIXTURES).env("NO_COLOR", "1").args(args);
    cmd
}

/// Runs with the fixture lexicon only.
fn fixture(args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--no-builtin", "--lexicon", "lexicon", "--no-config"]);
    vblint(&all).output().unwrap()
}

fn show(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn human_format() {
    insta::assert_snapshot!(show(&fixture(&["check", "--format", "human", "notes"])));
}

#[test]
fn concise_format() {
    insta::assert_snapshot!(show(&fixture(&["check", "--format", "concise", "notes"])));
}

#[test]
fn json_format() {
    let out = fixture(&["check", "--format", "json", "notes"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!(value);
}

#[test]
fn jsonl_format_has_every_contract_field() {
    let out = fixture(&["check", "--format", "jsonl", "notes"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fields = [
        "type",
        "path",
        "record",
        "rule",
        "category",
        "severity",
        "line",
        "column",
        "start",
        "end",
        "text",
        "message",
        "alternatives",
        "quoted",
    ];
    let findings: Vec<_> = lines.iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(findings.len(), 4);
    for f in &findings {
        for field in fields {
            assert!(f.get(field).is_some(), "missing {field} in {f}");
        }
    }
    // Spans are byte offsets into the original file, and `text` is exactly
    // what is written there.
    for f in &findings {
        let bytes = std::fs::read(Path::new(FIXTURES).join(f["path"].as_str().unwrap())).unwrap();
        let (s, e) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            std::str::from_utf8(&bytes[s..e]).unwrap(),
            f["text"].as_str().unwrap()
        );
    }
    assert_eq!(lines.last().unwrap()["type"], "summary");
    insta::assert_snapshot!(text);
}

#[test]
fn quotations_policy() {
    for policy in ["skip", "info", "flag"] {
        let out = fixture(&[
            "check",
            "--format",
            "concise",
            "--quotes",
            policy,
            "notes/a.txt",
        ]);
        insta::assert_snapshot!(format!("quotes_{policy}"), show(&out));
    }
}

#[test]
fn redacted_and_no_context() {
    let out = fixture(&[
        "check",
        "--format",
        "human",
        "--context",
        "redacted",
        "notes/sub/b.md",
    ]);
    insta::assert_snapshot!("context_redacted", show(&out));
    let out = fixture(&[
        "check",
        "--format",
        "human",
        "--context",
        "none",
        "notes/sub/b.md",
    ]);
    let text = show(&out);
    assert!(!text.contains("Amy"), "case text leaked: {text}");
    insta::assert_snapshot!("context_none", text);
}

#[test]
fn stdin() {
    let mut child = fixture_command(&["check", "--format", "concise", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("She is putting\nherself at risk.\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    insta::assert_snapshot!(show(&out));
}

fn fixture_command(args: &[&str]) -> Command {
    let mut all = args.to_vec();
    all.extend(["--no-builtin", "--lexicon", "lexicon", "--no-config"]);
    vblint(&all)
}

#[test]
fn exit_codes() {
    // 0: clean file.
    assert_eq!(
        fixture(&["check", "notes/clean.txt"]).status.code(),
        Some(0)
    );
    // 1: findings at or above --fail-on.
    assert_eq!(fixture(&["check", "notes/a.txt"]).status.code(), Some(1));
    // --fail-on error: b.md has a warning only; a.txt has an error.
    let fail_on_error = |path| {
        fixture(&["check", "--fail-on", "error", path])
            .status
            .code()
    };
    assert_eq!(fail_on_error("notes/sub/b.md"), Some(0));
    assert_eq!(fail_on_error("notes/a.txt"), Some(1));
    assert_eq!(
        fixture(&["check", "--exit-zero", "notes/a.txt"])
            .status
            .code(),
        Some(0)
    );
    // 2: a missing file does not stop the batch, but the exit code is 2.
    let out = fixture(&["check", "--format", "concise", "nope.txt", "notes/a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("notes/a.txt:1:"), "{stdout}");
    insta::assert_snapshot!("missing_file", show(&out));
    // 2: a broken lexicon.
    let out = vblint(&["check", "--no-config", "--lexicon", "bad-lexicon", "notes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_config_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vblint.toml"), "qoutes = \"skip\"\n").unwrap();
    std::fs::write(dir.path().join("note.txt"), "She consented.\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "note.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown key `qoutes` in the configuration"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `quotes`?"), "{stderr}");
    assert!(stderr.contains("vblint.toml:1:1"), "{stderr}");
}

#[test]
fn config_disables_rules_and_sets_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = Path::new(FIXTURES).join("lexicon");
    std::fs::write(
        dir.path().join("vblint.toml"),
        "builtin-lexicon = false\ndisable = [\"consent\"]\nquotes = \"skip\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("note.txt"),
        "She consented. Her \"boyfriend\" and her boyfriend.\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .current_dir(dir.path())
        .args(["check", "--format", "concise", "--lexicon"])
        .arg(&lexicon)
        .arg("note.txt")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("note.txt:1:40: warning[boyfriend]"),
        "{stdout}"
    );
}

/// Each path is checked with the vblint.toml of its own folder (found by
/// walking up from it), whatever the order of the paths; a note says which
/// configuration each path was checked with when they differ.
#[test]
fn each_path_is_checked_with_its_own_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = Path::new(FIXTURES).join("lexicon");
    for (folder, config) in [
        (
            "a",
            "builtin-lexicon = false\ndisable = [\"consent\", \"boyfriend\"]\n",
        ),
        ("b", "builtin-lexicon = false\n"),
    ] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("vblint.toml"), config).unwrap();
        std::fs::write(
            dir.path().join(folder).join("note.txt"),
            "She consented. Her boyfriend.\n",
        )
        .unwrap();
    }
    let run = |paths: [&str; 2]| {
        Command::new(env!("CARGO_BIN_EXE_vblint"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(["check", "--format", "concise", "--lexicon"])
            .arg(&lexicon)
            .args(paths)
            .output()
            .unwrap()
    };
    for paths in [["a", "b"], ["b", "a"]] {
        let out = run(paths);
        assert_eq!(out.status.code(), Some(1), "{paths:?}: {}", show(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut places: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.split(": ").next())
            .collect();
        places.sort_unstable();
        assert_eq!(
            places,
            ["b/note.txt:1:20", "b/note.txt:1:5"],
            "{paths:?}: {stdout}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        for folder in ["a", "b"] {
            assert!(
                stderr.contains(&format!(
                    "vblint: note: `{folder}` is checked with the configuration `{folder}/vblint.toml`"
                )),
                "{paths:?}: {stderr}"
            );
        }
    }
}

/// A folder is walked in sorted order, leaving out hidden files and what
/// `.gitignore` and `.ignore` files (in it and in the folders above) list,
/// unless `--hidden` or `--no-ignore` asks for them.
#[test]
fn folders_are_walked_in_order_without_ignored_or_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("notes");
    let text = "She is putting herself at risk.\n";
    for file in [
        "b.txt",
        "a.txt",
        "sub/c.txt",
        "sub/drafts/d.txt",
        "old.log",
        ".hidden/e.txt",
        ".f.txt",
        "sub/keep.log",
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.path().join(".gitignore"), "*.log\n").unwrap();
    std::fs::write(root.join("sub/.ignore"), "drafts/\n!keep.log\n").unwrap();
    let files = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
            .current_dir(dir.path())
            .args(["check", "--format", "concise"])
            .args(extra)
            .arg("notes")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout
            .lines()
            .filter_map(|l| l.split(':').next().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        files(&[]),
        [
            "notes/a.txt",
            "notes/b.txt",
            "notes/sub/c.txt",
            "notes/sub/keep.log"
        ]
    );
    assert_eq!(
        files(&["--hidden"]),
        [
            "notes/.f.txt",
            "notes/.hidden/e.txt",
            "notes/a.txt",
            "notes/b.txt",
            "notes/sub/c.txt",
            "notes/sub/keep.log"
        ]
    );
    assert_eq!(
        files(&["--no-ignore"]),
        [
            "notes/a.txt",
            "notes/b.txt",
            "notes/old.log",
            "notes/sub/c.txt",
            "notes/sub/drafts/d.txt",
            "notes/sub/keep.log"
        ]
    );
}

/// Runs vblint in `dir` with the small lexicon of the `fix` fixtures.
fn with_fix_lexicon(dir: &Path, args: &[&str]) -> Output {
    let lexicon = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon");
    Command::new(env!("CARGO_BIN_EXE_vblint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .arg("--lexicon")
        .arg(lexicon)
        .output()
        .unwrap()
}

/// A folder's own `vblint.toml` inside a folder being walked applies to
/// the files under it, in `check`, `report`, `sample` and `fix`, and a note
/// says so; `report` counts each path given under its own configuration,
/// whatever the order of the paths. The configuration files themselves are
/// not scanned.
#[test]
fn each_file_gets_the_configuration_of_its_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = "She was treated as a child prostitute. Her boyfriend.\n";
    let off = "builtin-lexicon = false\ndisable = [\"child-prostitute\", \"boyfriend\"]\n";
    let on = "builtin-lexicon = false\n";
    for (folder, config) in [("top", on), ("top/sub", off), ("a", off), ("b", on)] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("vblint.toml"), config).unwrap();
        std::fs::write(dir.path().join(folder).join("note.txt"), text).unwrap();
    }
    let run = |args: &[&str]| with_fix_lexicon(dir.path(), args);
    let check = run(&["check", "--format", "concise", "top"]);
    assert_eq!(check.status.code(), Some(1), "{}", show(&check));
    let stdout = String::from_utf8_lossy(&check.stdout);
    let places: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split(": ").next())
        .collect();
    assert_eq!(places, ["top/note.txt:1:22"], "{stdout}");
    let note = "vblint: note: the files in `top/sub` are checked with its own configuration \
                `top/sub/vblint.toml`";
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains(note), "{}", show(&check));
    // The configuration files are settings, not writing: not scanned.
    assert!(
        stderr.contains("in 1 of 2 files scanned"),
        "{}",
        show(&check)
    );

    // The dip-sample pack reads each file under its own folder's
    // configuration too, and draws no configuration file.
    let sample = run(&["sample", "a", "b", "top"]);
    assert_eq!(sample.status.code(), Some(0), "{}", show(&sample));
    let pack = String::from_utf8_lossy(&sample.stdout);
    let flagged: Vec<(&str, bool)> = pack
        .split("<h2>")
        .filter_map(|page| {
            let (_, rest) = page.split_once(": record ")?;
            let (name, _) = rest.split_once('<')?;
            Some((name, page.contains("<mark title=\"child-prostitute\">")))
        })
        .collect();
    assert_eq!(
        flagged,
        [
            ("a/note.txt", false),
            ("b/note.txt", true),
            ("top/note.txt", true),
            ("top/sub/note.txt", false)
        ],
        "{}",
        show(&sample)
    );
    assert!(
        String::from_utf8_lossy(&sample.stderr).contains(
            "vblint: note: the files in `top/sub` are sampled with its own configuration"
        ),
        "{}",
        show(&sample)
    );
    assert!(
        pack.contains("; the files checked with `b/vblint.toml`: fnv1a64:"),
        "the pack names both lexicons: {pack}"
    );

    for paths in [["a", "b"], ["b", "a"]] {
        let report = run(&["report", "--format", "json", paths[0], paths[1], "top"]);
        assert_eq!(report.status.code(), Some(0), "{}", show(&report));
        let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        let files: Vec<&String> = json["by"]["file"].as_object().unwrap().keys().collect();
        assert_eq!(files, ["b/note.txt", "top/note.txt"], "{paths:?}: {json}");
        // The version of the second lexicon in use is given with the
        // configuration that chose it (the first path's is the version).
        let others = json["lexicon"]["others"].as_array().unwrap();
        assert_eq!(others.len(), 1, "{paths:?}: {json}");
        assert_eq!(
            others[0]["configuration"],
            format!("{}/vblint.toml", paths[1]),
            "{paths:?}: {json}"
        );
        assert_ne!(others[0]["hash"], json["lexicon"]["hash"], "{json}");
        let stderr = String::from_utf8_lossy(&report.stderr);
        for folder in ["a", "b"] {
            assert!(
                stderr.contains(&format!(
                    "vblint: note: `{folder}` is reported with the configuration `{folder}/vblint.toml`"
                )),
                "{paths:?}: {stderr}"
            );
        }
        assert!(
            stderr.contains(
                "vblint: note: the files in `top/sub` are reported with its own configuration"
            ),
            "{paths:?}: {stderr}"
        );
    }

    let fix = run(&["fix", "--write", "top"]);
    assert_eq!(fix.status.code(), Some(0), "{}", show(&fix));
    let fixed = std::fs::read_to_string(dir.path().join("top/note.txt")).unwrap();
    assert!(!fixed.contains("prostitute"), "{fixed}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("top/sub/note.txt")).unwrap(),
        text,
        "a folder whose configuration switches the entry off is not rewritten"
    );
    assert!(
        String::from_utf8_lossy(&fix.stderr)
            .contains("vblint: note: the files in `top/sub` are fixed with its own configuration"),
        "{}",
        show(&fix)
    );
}

/// A `vblint.toml` inside a walked folder leaves out the files its
/// `exclude` globs name, matched from its own folder, in `check`, `report`
/// and `fix`; the same names elsewhere are still read.
#[test]
fn a_nested_configuration_excludes_files_below_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = "She was treated as a child prostitute.\n";
    std::fs::create_dir_all(dir.path().join("top/sub/drafts")).unwrap();
    std::fs::create_dir_all(dir.path().join("top/drafts")).unwrap();
    std::fs::write(
        dir.path().join("top/vblint.toml"),
        "builtin-lexicon = false\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("top/sub/vblint.toml"),
        "builtin-lexicon = false\nexclude = [\"drafts/**\"]\n",
    )
    .unwrap();
    for file in ["top/drafts/a.txt", "top/sub/b.txt", "top/sub/drafts/c.txt"] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let run = |args: &[&str]| with_fix_lexicon(dir.path(), args);
    let check = run(&["check", "--format", "concise", "top"]);
    assert_eq!(check.status.code(), Some(1), "{}", show(&check));
    let stdout = String::from_utf8_lossy(&check.stdout);
    let files: Vec<&str> = stdout.lines().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(files, ["top/drafts/a.txt", "top/sub/b.txt"], "{stdout}");

    let report = run(&["report", "--format", "json", "top"]);
    assert_eq!(report.status.code(), Some(0), "{}", show(&report));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let files: Vec<&String> = json["by"]["file"].as_object().unwrap().keys().collect();
    assert_eq!(files, ["top/drafts/a.txt", "top/sub/b.txt"], "{json}");

    let fix = run(&["fix", "--write", "top"]);
    assert_eq!(fix.status.code(), Some(0), "{}", show(&fix));
    let read = |file: &str| std::fs::read_to_string(dir.path().join(file)).unwrap();
    assert!(!read("top/drafts/a.txt").contains("prostitute"));
    assert!(!read("top/sub/b.txt").contains("prostitute"));
    assert_eq!(
        read("top/sub/drafts/c.txt"),
        text,
        "an excluded file is not rewritten"
    );
}

#[test]
fn explain() {
    insta::assert_snapshot!(show(&fixture_explain("boyfriend")));
    let out = fixture_explain("boyfreind");
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("explain_unknown", show(&out));
}

fn fixture_explain(rule: &str) -> Output {
    vblint(&[
        "explain",
        rule,
        "--no-builtin",
        "--lexicon",
        "lexicon",
        "--no-config",
    ])
    .output()
    .unwrap()
}

#[test]
fn lexicon_check_reports_file_line_column_and_fix() {
    let out = vblint(&[
        "lexicon",
        "check",
        "--no-builtin",
        "bad-lexicon/unknown-key.toml",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("lexicon_check_unknown_key", show(&out));
    let out = vblint(&["lexicon", "check", "--no-builtin", "bad-lexicon/bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("lexicon_check_bad_values", show(&out));
    let out = vblint(&["lexicon", "check", "--no-builtin", "lexicon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

#[test]
fn lexicon_test_and_list() {
    let out = vblint(&["lexicon", "test", "--no-builtin", "lexicon"])
        .output()
        .unwrap();
    insta::assert_snapshot!("lexicon_test", show(&out));
    let out = vblint(&["lexicon", "list", "--no-builtin", "lexicon"])
        .output()
        .unwrap();
    insta::assert_snapshot!("lexicon_list", show(&out));
}

#[test]
fn builtin_lexicon_works_with_no_configuration() {
    let out = vblint(&["check", "--no-config", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(b"YP is putting herself at risk.\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"rule\":\"put-self-at-risk\""), "{text}");
}
