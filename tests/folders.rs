//! Folders: the output is in sorted path order whatever the number of
//! threads, even though files are scanned while the folder is still being
//! walked; and a closed output stops the run cleanly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

fn lexicon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon")
}

fn check(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .args(["check", "--no-config", "--no-builtin", "--lexicon"])
        .arg(lexicon())
        .args(args)
        .stdin(Stdio::null());
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    check(dir, args).output().expect("runs vblint")
}

const FINDING: &str = "She was called a child prostitute.\n";

/// Writes `n` notes spread over nested folders, created in an order unlike
/// the sorted one, and returns their paths as vblint shows them, sorted.
fn notes(dir: &Path, n: usize) -> Vec<String> {
    let mut shown = Vec::new();
    for i in (0..n).rev() {
        let folder = format!("area-{}/case-{:02}", i % 3, (i * 7) % 13);
        std::fs::create_dir_all(dir.join(&folder)).unwrap();
        let name = format!("{folder}/note-{i:04}.txt");
        std::fs::write(dir.join(&name), format!("Note {i}.\n{FINDING}")).unwrap();
        shown.push(format!("./{name}"));
    }
    shown.sort();
    shown
}

fn paths_in(stdout: &[u8]) -> Vec<String> {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    text.lines()
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn output_is_in_sorted_order_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = notes(dir.path(), 300);
    // A file large enough to be scanned in pieces on every thread, among
    // the small ones: the notes after it finish first and must wait.
    let filler = "Nothing of note was recorded on this visit to the family.\n";
    let mut big = filler.repeat(3 << 20 >> 6);
    big.push_str(FINDING);
    std::fs::write(dir.path().join("area-1/case-00/big.txt"), big).unwrap();
    expected.push("./area-1/case-00/big.txt".to_string());
    expected.sort();

    let one = run(dir.path(), &["--format", "concise", "--threads", "1", "."]);
    assert_eq!(one.status.code(), Some(1), "{one:?}");
    assert_eq!(paths_in(&one.stdout), expected);
    for threads in ["2", "4"] {
        let many = run(
            dir.path(),
            &["--format", "concise", "--threads", threads, "."],
        );
        assert_eq!(many.status.code(), Some(1), "{many:?}");
        assert_eq!(
            String::from_utf8_lossy(&many.stdout),
            String::from_utf8_lossy(&one.stdout),
            "--threads {threads} changed the output"
        );
        assert_eq!(many.stderr, one.stderr);
    }
}

#[test]
fn problems_are_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let expected = notes(dir.path(), 40);
    std::fs::write(dir.path().join("area-0/bad.txt"), b"caf\xe9 \n").unwrap();
    for threads in ["1", "2"] {
        let o = run(
            dir.path(),
            &["--format", "concise", "--threads", threads, "."],
        );
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        assert_eq!(paths_in(&o.stdout), expected);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("`./area-0/bad.txt` is not UTF-8"), "{err}");
    }
}

#[test]
fn a_closed_output_ends_the_run_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    notes(dir.path(), 2000);
    for threads in ["1", "2"] {
        let mut child = check(
            dir.path(),
            &["--format", "concise", "--threads", threads, "."],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        // Read one finding, then close the pipe, as `| head -1` does.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("child-prostitute"), "{first}");
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "--threads {threads}: {o:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    }
}
