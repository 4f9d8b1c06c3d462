//! Privacy promises of SECURITY.md, tested on the real binary:
//!
//! - no network: under `strace`, `check`, `lexicon test` and `fix --diff`
//!   make no `socket`, `connect`, `bind`, `sendto` or `sendmsg` call;
//! - nothing written: under `strace`, the same commands open no file for
//!   writing and create, rename or delete nothing;
//! - no case text in messages: error messages never quote the file, and
//!   `--context none` output holds no word of the file but the flagged term's
//!   rule id and the lexicon's own words.
//!
//! The strace tests print why they are skipped when strace is missing; CI
//! installs it (`.ci/privacy-deps.sh`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

/// Words that appear only in the case file, never in the lexicon.
const SECRET_WORDS: [&str; 5] = ["Zebrafinch", "Quagmire", "Oddlyname", "Flat", "Kestrel"];

const CASE: &str = "Zebrafinch Quagmire met Kestrel, who is a child prostitute.\n\
Flat 9, Oddlyname Road.\n";

fn lexicon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon")
}

fn case_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("case.txt"), CASE).unwrap();
    dir
}

fn lexicon_args() -> Vec<String> {
    vec![
        "--no-config".into(),
        "--no-builtin".into(),
        "--lexicon".into(),
        lexicon().display().to_string(),
    ]
}

/// Runs vblint under strace, tracing `filter`, and returns the trace.
///
/// The tests that trace system calls are not in a plain `cargo test`: they
/// need strace, which a fresh machine may not have. CI installs it and runs
/// them with `--ignored`; where strace is missing or cannot trace, they fail.
fn trace(dir: &Path, filter: &str, args: &[String]) -> String {
    let strace = Command::new("strace").arg("-V").output();
    assert!(
        strace.is_ok_and(|o| o.status.success()),
        "strace is not installed: install it with .ci/privacy-deps.sh (or apt-get install strace)"
    );
    let log = dir.join("strace.log");
    let o = Command::new("strace")
        .current_dir(dir)
        .args(["-f", "-qq", "-e"])
        .arg(format!("trace={filter}"))
        .arg("-o")
        .arg(&log)
        .arg(BIN)
        .args(args)
        .output()
        .expect("runs strace");
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    std::fs::remove_file(&log).ok();
    assert!(
        !(trace.is_empty() && !o.status.success() && o.status.code() != Some(1)),
        "strace cannot trace here (no ptrace?): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    trace
}

fn commands() -> Vec<(&'static str, Vec<String>)> {
    let mut check = vec!["check".to_string(), "--format".into(), "json".into()];
    check.extend(lexicon_args());
    check.push("case.txt".into());
    let lexicon_test = vec!["lexicon".to_string(), "test".into()];
    let mut fix = vec!["fix".to_string(), "--diff".into()];
    fix.extend(lexicon_args());
    fix.push("case.txt".into());
    vec![
        ("check", check),
        ("lexicon test", lexicon_test),
        ("fix --diff", fix),
    ]
}

#[test]
#[ignore = "needs strace (apt-get install strace); CI runs it with --ignored"]
fn no_network_system_calls() {
    for (name, args) in commands() {
        let dir = case_dir();
        let trace = trace(dir.path(), "network", &args);
        for call in [
            "socket(",
            "connect(",
            "bind(",
            "sendto(",
            "sendmsg(",
            "socketpair(",
        ] {
            assert!(
                !trace.contains(call),
                "`vblint {name}` made a network call `{call}`:\n{trace}"
            );
        }
    }
}

#[test]
#[ignore = "needs strace (apt-get install strace); CI runs it with --ignored"]
fn nothing_written_except_by_fix_write() {
    for (name, args) in commands() {
        let dir = case_dir();
        let trace = trace(
            dir.path(),
            "open,openat,openat2,creat,link,linkat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,truncate,ftruncate",
            &args,
        );
        for line in trace.lines() {
            let writes = line.contains("O_WRONLY")
                || line.contains("O_RDWR")
                || line.contains("O_CREAT")
                || line.contains("O_TMPFILE")
                || [
                    "creat(",
                    "link(",
                    "linkat(",
                    "rename",
                    "unlink",
                    "mkdir",
                    "truncate(",
                ]
                .iter()
                .any(|c| line.contains(c));
            // The dynamic loader may open /dev/tty-like files read-write; no
            // such file is opened by vblint, so any write is a failure.
            assert!(!writes, "`vblint {name}` wrote: {line}");
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("case.txt")).unwrap(),
            CASE
        );
        let entries = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1, "`vblint {name}` created a file");
    }
    // And `fix --write` is seen to write (the trace is meaningful): a new
    // file (named, or nameless until linked where the system has
    // O_TMPFILE) swapped in by a rename.
    let dir = case_dir();
    let mut args = vec!["fix".to_string(), "--write".into()];
    args.extend(lexicon_args());
    args.push("case.txt".into());
    let trace = trace(dir.path(), "openat,linkat,rename,renameat,renameat2", &args);
    assert!(
        (trace.contains("O_CREAT") || trace.contains("O_TMPFILE")) && trace.contains("rename"),
        "{trace}"
    );
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .args(lexicon_args())
        .output()
        .expect("runs vblint")
}

fn all_output(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn context_none_shows_no_case_text() {
    let dir = case_dir();
    for format in ["human", "concise"] {
        let o = run(
            dir.path(),
            &[
                "check",
                "--format",
                format,
                "--color",
                "never",
                "--context",
                "none",
                "case.txt",
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        let text = all_output(&o);
        assert!(text.contains("child-prostitute"), "{text}");
        for w in SECRET_WORDS {
            assert!(
                !text.contains(w),
                "`{w}` shown with --context none ({format}):\n{text}"
            );
        }
    }
    let o = run(dir.path(), &["fix", "--context", "none", "case.txt"]);
    let text = all_output(&o);
    assert!(text.contains("case.txt:1:43: [child-prostitute]"), "{text}");
    for w in SECRET_WORDS {
        assert!(
            !text.contains(w),
            "`{w}` shown by fix --context none:\n{text}"
        );
    }
    // The test means something: with --context full the words are shown.
    let o = run(
        dir.path(),
        &[
            "check",
            "--format",
            "human",
            "--color",
            "never",
            "--context",
            "full",
            "case.txt",
        ],
    );
    assert!(all_output(&o).contains("Zebrafinch"));
}

#[test]
fn error_messages_never_quote_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = b"Zebrafinch Quagmire, Flat 9 Oddlyname Road, Kestrel ".to_vec();
    bad.extend_from_slice(b"\xff\xfe child prostitute\n");
    std::fs::write(dir.path().join("bad.txt"), &bad).unwrap();
    let mut binary = b"Zebrafinch Quagmire Kestrel\0".to_vec();
    binary.extend_from_slice(b"Flat Oddlyname");
    std::fs::write(dir.path().join("bin.doc"), &binary).unwrap();
    for sub in [
        &["check", "--format", "human", "--context", "full"][..],
        &["fix", "--write"][..],
    ] {
        let mut args = sub.to_vec();
        args.extend(["bad.txt", "bin.doc"]);
        let o = run(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2));
        let text = all_output(&o);
        assert!(text.contains("bad.txt` is not UTF-8"), "{text}");
        for w in SECRET_WORDS {
            assert!(
                !text.contains(w),
                "`{w}` quoted in an error message:\n{text}"
            );
        }
    }
}

#[test]
fn privacy_deps_script_installs_strace() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/privacy-deps.sh");
    let text = std::fs::read_to_string(script).expect(".ci/privacy-deps.sh exists");
    assert!(text.contains("strace"));
}
