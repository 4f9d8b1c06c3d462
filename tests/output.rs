//! What vblint writes, where it can go wrong: an output that fails (a full
//! disk exits 2 and says so; a closed pipe ends the run quietly), names and
//! record ids that try to pass for findings, workflow commands or terminal
//! controls, case text in error messages, and lines and columns on one long
//! line of many findings. Every test runs the real binary.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

const FORMATS: [&str; 7] = [
    "human", "concise", "json", "jsonl", "sarif", "csv", "github",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn vblint(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null());
    cmd
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A folder of notes with findings, enough of them that every format
/// writes more than one buffer's worth.
fn notes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        std::fs::write(
            dir.path().join(format!("note-{i:02}.txt")),
            "Amy (14) is putting herself at risk.\nShe is streetwise and mature for her age.\n\
             She was a child prostitute.\n"
                .repeat(3),
        )
        .unwrap();
    }
    dir
}

/// Runs a command with standard output on a full disk.
#[cfg(target_os = "linux")]
fn to_full_disk(mut cmd: Command) -> Output {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    cmd.stdout(full).output().unwrap()
}

/// Runs a command with standard output on a pipe whose reader has already
/// gone, as after `| head -1`: every write fails.
fn to_closed_pipe(mut cmd: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer).stderr(Stdio::piped()).output().unwrap()
}

fn assert_write_error(o: &Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert_eq!(
        err.matches("vblint: cannot write the output: no space left on device")
            .count(),
        1,
        "{what}: {err}"
    );
    assert!(err.contains("free some disk space"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[cfg(target_os = "linux")]
#[test]
fn every_format_reports_a_full_disk_and_exits_2() {
    let dir = notes();
    for format in FORMATS {
        for threads in ["1", "2"] {
            let o = to_full_disk(vblint(
                dir.path(),
                &[
                    "check",
                    "--no-config",
                    "-j",
                    threads,
                    "--format",
                    format,
                    ".",
                ],
            ));
            assert_write_error(&o, &format!("--format {format} -j {threads}"));
            // Nothing after the failure: no summary line.
            assert!(!stderr(&o).contains("findings"), "{}", stderr(&o));
        }
    }
    // One small file: the failure comes with the last write.
    for format in FORMATS {
        let o = to_full_disk(vblint(
            dir.path(),
            &["check", "--no-config", "--format", format, "note-00.txt"],
        ));
        assert_write_error(&o, &format!("--format {format}, one file"));
    }
}

/// Every subcommand that writes to standard output, run in the fixtures.
fn writers(dir: &Path) -> Vec<Vec<String>> {
    let lexicons = root().join("tests/fixtures/lexicon");
    let l = |p: &str| lexicons.join(p).display().to_string();
    let fix_lexicon = root()
        .join("tests/fixtures/fix/lexicon")
        .display()
        .to_string();
    let note = dir.join("note-00.txt").display().to_string();
    let mut all: Vec<Vec<&str>> = vec![
        vec!["report", "--no-config", "."],
        vec!["report", "--no-config", "--format", "csv", "."],
        vec!["report", "--no-config", "--format", "json", "."],
        vec!["report", "--no-config", "--format", "html", "."],
        vec!["explain", "--no-config", "put-self-at-risk"],
        vec!["lexicon", "list"],
        vec!["lexicon", "stats"],
        vec!["lexicon", "stats", "--format", "json"],
        vec!["lexicon", "test"],
        vec!["lexicon", "export", "--builtin"],
    ];
    for format in FORMATS {
        all.push(vec!["check", "--no-config", "--format", format, "."]);
    }
    let mut all: Vec<Vec<String>> = all
        .into_iter()
        .map(|a| a.into_iter().map(String::from).collect())
        .collect();
    all.push(
        [
            "fix",
            "--diff",
            "--no-builtin",
            "--no-config",
            "--lexicon",
            &fix_lexicon,
            &note,
        ]
        .map(String::from)
        .to_vec(),
    );
    all.push(
        [
            "fix",
            "--diff",
            "--context",
            "none",
            "--no-builtin",
            "--no-config",
            "--lexicon",
            &fix_lexicon,
            &note,
        ]
        .map(String::from)
        .to_vec(),
    );
    all.push(
        ["lexicon", "fmt", "--check", &l("messy.toml")]
            .map(String::from)
            .to_vec(),
    );
    all.push(
        ["lexicon", "impact", &l("base"), &l("new"), &l("samples")]
            .map(String::from)
            .to_vec(),
    );
    all
}

#[cfg(target_os = "linux")]
#[test]
fn every_subcommand_reports_a_full_disk_and_exits_2() {
    let dir = notes();
    for args in writers(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = to_full_disk(vblint(dir.path(), &args));
        assert_write_error(&o, &args.join(" "));
    }
}

#[test]
fn a_closed_pipe_ends_every_subcommand_quietly() {
    let dir = notes();
    for args in writers(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // What the command writes to standard error when its output is
        // read: a closed pipe must add nothing to it, and leave out what
        // would have followed.
        let o = to_closed_pipe(vblint(dir.path(), &args));
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            args.join(" "),
            stderr(&o)
        );
        assert_eq!(stderr(&o), "", "{}", args.join(" "));
    }
}

#[test]
fn fix_write_goes_on_when_its_list_cannot_be_shown() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.txt", "b.txt"] {
        std::fs::write(dir.path().join(name), "She was a child prostitute.\n").unwrap();
    }
    let lexicon = root().join("tests/fixtures/fix/lexicon");
    let o = to_closed_pipe(vblint(
        dir.path(),
        &[
            "fix",
            "--write",
            "--no-builtin",
            "--no-config",
            "--lexicon",
            lexicon.to_str().unwrap(),
            ".",
        ],
    ));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["a.txt", "b.txt"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            "She was a child victim of sexual exploitation.\n"
        );
    }
}

/// Names that try to pass for a finding, a workflow command, or terminal
/// controls; each file holds one finding.
#[cfg(unix)]
const HOSTILE: [&str; 4] = [
    "x\n::error file=main.rs,line=1::INJECTED",
    "fake\nsafe.txt:1:1: warning[x] FAKE",
    "esc\u{1b}[2J\u{1b}]0;title\u{7}.txt",
    "rtl\u{202e}txt.exe\r.txt",
];

/// What the hostile names show as in output read by people.
#[cfg(unix)]
const SHOWN: [&str; 4] = [
    "x\\n::error file=main.rs,line=1::INJECTED",
    "fake\\nsafe.txt:1:1: warning[x] FAKE",
    "esc\\x1b[2J\\x1b]0;title\\x07.txt",
    "rtl\\u{202e}txt.exe\\r.txt",
];

#[cfg(unix)]
fn hostile_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in HOSTILE {
        std::fs::write(dir.path().join(name), "She is putting herself at risk.\n").unwrap();
    }
    dir
}

/// Whether `s` has a control character other than a line break, or a
/// character that reorders text.
fn has_controls(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
}

#[cfg(unix)]
#[test]
fn hostile_file_names_are_escaped_in_every_format() {
    let dir = hostile_folder();
    let mut sorted: Vec<(&str, &str)> = HOSTILE.into_iter().zip(SHOWN).collect();
    sorted.sort();
    // Concise, the default off a terminal: one line per finding, each
    // starting with the escaped name.
    for args in [
        &["check", "--no-config", "."][..],
        &["check", "--no-config", "--format", "concise", "."],
    ] {
        let o = vblint(dir.path(), args).output().unwrap();
        let out = stdout(&o);
        assert!(!has_controls(&out), "{out:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        for (line, (_, shown)) in lines.iter().zip(&sorted) {
            assert!(
                line.starts_with(&format!("./{shown}:1:8: warning[put-self-at-risk] ")),
                "{line}"
            );
        }
    }
    // Human: the name after `-->`.
    let o = vblint(
        dir.path(),
        &["check", "--no-config", "--format", "human", "."],
    )
    .output()
    .unwrap();
    let out = stdout(&o);
    assert!(!has_controls(&out), "{out:?}");
    for (_, shown) in &sorted {
        assert!(out.contains(&format!(" --> ./{shown}:1:8\n")), "{out}");
    }
    // GitHub: one workflow command per finding, a warning each, with the
    // name's `%`, CR, LF, `:` and `,` percent-encoded and other controls
    // escaped.
    let o = vblint(
        dir.path(),
        &["check", "--no-config", "--format", "github", "."],
    )
    .output()
    .unwrap();
    let out = stdout(&o);
    assert!(!has_controls(&out), "{out:?}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines.iter().all(|l| l.starts_with("::warning file=./")),
        "{out}"
    );
    assert!(out.contains(
        "::warning file=./x%0A%3A%3Aerror file=main.rs%2Cline=1%3A%3AINJECTED,line=1,col=8,"
    ));
    assert!(
        out.contains("::warning file=./rtl\\u{202e}txt.exe%0D.txt,line=1,"),
        "{out}"
    );
    // CSV: one row per finding; the path cell holds the escaped name.
    let o = vblint(
        dir.path(),
        &["check", "--no-config", "--format", "csv", "."],
    )
    .output()
    .unwrap();
    let out = stdout(&o);
    assert!(!has_controls(&out), "{out:?}");
    let mut rows = csv::Reader::from_reader(out.as_bytes());
    let paths: Vec<String> = rows
        .records()
        .map(|r| r.unwrap().get(1).unwrap().to_string())
        .collect();
    let expected: Vec<String> = sorted.iter().map(|(_, s)| format!("./{s}")).collect();
    assert_eq!(paths, expected);
    // JSON, JSON Lines and SARIF: serde escapes the controls, and the
    // exact name reads back.
    for format in ["json", "jsonl", "sarif"] {
        let o = vblint(
            dir.path(),
            &["check", "--no-config", "--format", format, "."],
        )
        .output()
        .unwrap();
        let out = stdout(&o);
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {out:?}"
        );
        for (name, _) in &sorted {
            let json = serde_json::to_string(&format!("./{name}")).unwrap();
            let uri = serde_json::to_string(&format!("./{name}").replace(' ', "%20")).unwrap();
            assert!(
                out.contains(&json) || out.contains(&uri),
                "{format}: {json} in {out}"
            );
        }
    }
    let o = vblint(
        dir.path(),
        &["check", "--no-config", "--format", "jsonl", "."],
    )
    .output()
    .unwrap();
    let found: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| v["path"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = sorted.iter().map(|(n, _)| format!("./{n}")).collect();
    assert_eq!(found, expected);
}

#[cfg(unix)]
#[test]
fn hostile_names_are_escaped_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "bad\n::error file=main.rs,line=1::INJECTED\u{1b}[2J.txt";
    std::fs::write(dir.path().join(bad), b"\xff not UTF-8\n").unwrap();
    let binary = "bin\nsafe.txt:1:1: warning[x] FAKE";
    std::fs::write(dir.path().join(binary), b"a\0b").unwrap();
    let export = "export\n::error::X\u{1b}[2J.csv";
    std::fs::write(
        dir.path().join(export),
        "ref,notes\n1,She is putting herself at risk.\n",
    )
    .unwrap();
    for format in FORMATS {
        let o = vblint(
            dir.path(),
            &["check", "--no-config", "--format", format, "."],
        )
        .output()
        .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(!has_controls(&err), "{format}: {err:?}");
        assert!(
            err.contains("vblint: `./bad\\n::error file=main.rs,line=1::INJECTED\\x1b[2J.txt` is not UTF-8 text"),
            "{format}: {err}"
        );
        assert!(
            err.contains("vblint: skipped `./bin\\nsafe.txt:1:1: warning[x] FAKE`: it looks like a binary file"),
            "{format}: {err}"
        );
        assert!(
            err.contains("vblint: `./export\\n::error::X\\x1b[2J.csv` is a CSV file"),
            "{format}: {err}"
        );
        // No message line is anything but a message.
        for line in err.lines() {
            assert!(
                line.starts_with("vblint: ") || line.starts_with("  "),
                "{format}: {line}"
            );
        }
    }
    // The same for `report`.
    let o = vblint(dir.path(), &["report", "--no-config", "."])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(!has_controls(&err), "{err:?}");
    for line in err.lines() {
        assert!(
            line.starts_with("vblint: ") || line.starts_with("  "),
            "{line}"
        );
    }
}

#[test]
fn hostile_record_ids_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = csv::Writer::from_path(dir.path().join("export.csv")).unwrap();
    export.write_record(["ref", "notes"]).unwrap();
    let ids = [
        "R1\n::error file=main.rs,line=1::INJECTED",
        "R2\nsafe.txt:1:1: warning[x] FAKE",
        "R3\u{1b}[2J",
    ];
    for id in ids {
        export
            .write_record([id, "She is putting herself at risk."])
            .unwrap();
    }
    export.flush().unwrap();
    let run = |format: &str| {
        vblint(
            dir.path(),
            &[
                "check",
                "--no-config",
                "--format",
                format,
                "export.csv",
                "--csv-text-column",
                "notes",
                "--csv-id-column",
                "ref",
            ],
        )
        .output()
        .unwrap()
    };
    let out = stdout(&run("concise"));
    assert!(!has_controls(&out), "{out:?}");
    assert_eq!(
        out.lines()
            .map(|l| l.split(':').next().unwrap())
            .collect::<Vec<_>>(),
        [
            "export.csv[R1\\n",
            "export.csv[R2\\nsafe.txt",
            "export.csv[R3\\x1b[2J]",
        ]
    );
    let out = stdout(&run("github"));
    assert!(!has_controls(&out), "{out:?}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.lines()
            .all(|l| l.starts_with("::warning file=export.csv,")),
        "{out}"
    );
    assert!(
        out.contains("(record R1%0A::error file=main.rs,line=1::INJECTED)"),
        "{out}"
    );
    let out = stdout(&run("human"));
    assert!(!has_controls(&out), "{out:?}");
    assert!(
        out.contains(" --> export.csv (record R3\\x1b[2J):6:8\n"),
        "{out}"
    );
    let out = stdout(&run("csv"));
    let records: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap().get(2).unwrap().to_string())
        .collect();
    assert_eq!(
        records,
        [
            "R1\\n::error file=main.rs,line=1::INJECTED",
            "R2\\nsafe.txt:1:1: warning[x] FAKE",
            "R3\\x1b[2J"
        ]
    );
    let out = stdout(&run("jsonl"));
    let records: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| v["record"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(records, ids);
}

#[test]
fn errors_about_a_csv_without_a_header_row_show_no_case_text() {
    let dir = tempfile::tempdir().unwrap();
    let note = "Amy (14) was seen getting into a car with an adult male outside the \
                children's home; staff said she is putting herself at risk.";
    std::fs::write(
        dir.path().join("export.csv"),
        format!("C-001,PC Hale,\"{note}\"\nC-002,PC Rowe,Visit at home.\n"),
    )
    .unwrap();
    for extra in [&[][..], &["--csv-text-column", "notes"]] {
        let mut args = vec!["check", "--no-config", "export.csv"];
        args.extend_from_slice(extra);
        let o = vblint(dir.path(), &args).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for text in ["Amy", "C-001", "PC Hale", "adult male"] {
            assert!(!err.contains(text), "{text} in {err}");
        }
        assert!(err.contains("3 column(s), numbered from 1"), "{err}");
        assert!(err.contains("does not look like a header row"), "{err}");
    }
    // Given by number, the column is read (from the second row: the first
    // is taken as the header).
    let o = vblint(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "concise",
            "export.csv",
            "--csv-text-column",
            "3",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Line, column and byte offset of every character start of `text`,
/// counted from the start.
fn positions(text: &str) -> std::collections::HashMap<usize, (usize, usize)> {
    let (mut line, mut column) = (1, 1);
    let mut out = std::collections::HashMap::new();
    for (i, c) in text.char_indices() {
        out.insert(i, (line, column));
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    out
}

#[test]
fn lines_and_columns_on_one_long_line_of_many_findings() {
    let dir = tempfile::tempdir().unwrap();
    let pieces = [
        "Zoë (14) is putting herself at risk. ",
        "東京 😀 e\u{301} streetwise, “mature for her age”. ",
        "Plain words, nothing to flag here at all. ",
        "\tShe is putting herself at risk\u{a0}again. ",
    ];
    let mut line = String::new();
    let mut i = 0;
    while line.len() < 200_000 {
        line.push_str(pieces[i % pieces.len()]);
        i += 7;
    }
    let text = format!("First line.\r\n{line}\nShe is putting herself at risk.\n");
    std::fs::write(dir.path().join("long.txt"), &text).unwrap();
    let at = positions(&text);
    let run = |format: &str| {
        let o = vblint(
            dir.path(),
            &["check", "--no-config", "--format", format, "long.txt"],
        )
        .output()
        .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        stdout(&o)
    };
    let findings: Vec<serde_json::Value> = run("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "finding")
        .collect();
    assert!(findings.len() > 4000, "{}", findings.len());
    let mut expected = Vec::new();
    for f in &findings {
        let start = f["start"].as_u64().unwrap() as usize;
        let (line, column) = at[&start];
        assert_eq!(
            (
                f["line"].as_u64().unwrap() as usize,
                f["column"].as_u64().unwrap() as usize
            ),
            (line, column),
            "{f}"
        );
        expected.push((line, column));
    }
    // Every other format shows the same places.
    let concise: Vec<(usize, usize)> = run("concise")
        .lines()
        .map(|l| {
            let mut parts = l.split(':').skip(1);
            let line = parts.next().unwrap().parse().unwrap();
            let column = parts.next().unwrap().parse().unwrap();
            (line, column)
        })
        .collect();
    assert_eq!(concise, expected);
    let human: Vec<(usize, usize)> = run("human")
        .lines()
        .filter_map(|l| l.strip_prefix(" --> long.txt:"))
        .map(|l| {
            let (line, column) = l.split_once(':').unwrap();
            (line.parse().unwrap(), column.parse().unwrap())
        })
        .collect();
    assert_eq!(human, expected);
    let github: Vec<(usize, usize)> = run("github")
        .lines()
        .map(|l| {
            let field = |name: &str| -> usize {
                let rest = &l[l.find(&format!(",{name}=")).unwrap() + name.len() + 2..];
                rest[..rest.find(',').unwrap()].parse().unwrap()
            };
            (field("line"), field("col"))
        })
        .collect();
    assert_eq!(github, expected);
    let csv: Vec<(usize, usize)> = csv::Reader::from_reader(run("csv").as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[6].parse().unwrap(), r[7].parse().unwrap())
        })
        .collect();
    assert_eq!(csv, expected);
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let sarif: Vec<(usize, usize)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                region["startLine"].as_u64().unwrap() as usize,
                region["startColumn"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(sarif, expected);
}

#[test]
fn the_readme_installs_with_the_lock_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("cargo install --locked --path . && vblint check examples/notes/"),
        "README.md"
    );
}
