//! Hostile and broken input: every case gives a clear message and the right
//! exit code, never hangs or reads a huge file into memory, and the other
//! files of the batch are still scanned.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

fn lexicon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon")
}

fn command(dir: &Path, sub: &str) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir).arg(sub);
    c
}

/// `vblint check --format concise` with the fixture lexicon, killed after
/// 60 seconds so that a hang fails the test instead of blocking it.
fn check(dir: &Path, args: &[&str]) -> Output {
    let mut c = command(dir, "check");
    c.args([
        "--format",
        "concise",
        "--no-config",
        "--no-builtin",
        "--lexicon",
    ])
    .arg(lexicon())
    .args(args);
    run_bounded(c)
}

fn run_bounded(mut c: Command) -> Output {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs vblint");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("vblint did not finish within 60 seconds (it blocked)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    Output {
        status: child.wait().unwrap(),
        stdout,
        stderr,
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file with one finding, to prove the batch went on.
fn good(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), "She was always a child prostitute.\n").unwrap();
}

fn assert_good_scanned(o: &Output, name: &str) {
    assert!(
        out(o).contains(&format!("{name}:1:18: warning[child-prostitute]")),
        "`{name}` was not scanned: stdout {} stderr {}",
        out(o),
        err(o)
    );
}

#[test]
fn invalid_utf8_is_an_error_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        b"Jane Doe, DOB 01/02/2011 \xc3\x28 private\n",
    )
    .unwrap();
    good(dir.path(), "b.txt");
    let o = check(dir.path(), &["."]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("`./a.txt` is not UTF-8 text (first bad byte at offset 25); it was not scanned"),
        "{e}"
    );
    assert!(e.contains("save or export the file as UTF-8"), "{e}");
    assert!(
        !e.contains("Jane") && !e.contains("private"),
        "case text in {e}"
    );
    assert_good_scanned(&o, "./b.txt");
}

#[test]
fn binary_files_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.bin"), b"child prostitute\0\x01\x02").unwrap();
    good(dir.path(), "b.txt");
    let o = check(dir.path(), &["."]);
    assert_eq!(
        code(&o),
        1,
        "a skipped binary file is not an error: {}",
        err(&o)
    );
    assert!(
        err(&o).contains("skipped `./a.bin`: it looks like a binary file, not text"),
        "{}",
        err(&o)
    );
    assert!(!out(&o).contains("a.bin"));
    assert_good_scanned(&o, "./b.txt");
}

#[test]
fn a_2_gb_file_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.txt")).unwrap();
    big.set_len(2 << 30).unwrap(); // sparse: costs no disk
    drop(big);
    good(dir.path(), "b.txt");
    let start = Instant::now();
    let o = check(dir.path(), &["."]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "it read the big file"
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("`./big.txt` is 2048 MB larger than the 256 MB limit; it was not scanned"),
        "{e}"
    );
    assert!(e.contains("--max-file-size"), "{e}");
    assert_good_scanned(&o, "./b.txt");
}

#[test]
fn max_file_size_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a child prostitute ".repeat(100)).unwrap();
    good(dir.path(), "b.txt");
    let o = check(dir.path(), &["--max-file-size", "1K", "."]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("`./a.txt` is 1900 bytes larger than the 1024 bytes limit"),
        "{}",
        err(&o)
    );
    assert_good_scanned(&o, "./b.txt");
    let o = check(dir.path(), &["--max-file-size", "lots", "."]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("`lots` is not a size"), "{}", err(&o));
}

#[test]
fn standard_input_is_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command(dir.path(), "check");
    c.args([
        "--format",
        "concise",
        "--no-config",
        "--max-file-size",
        "1K",
        "-",
    ]);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // The reader stops after the limit; a closed pipe is fine here.
        let _ = stdin.write_all(&vec![b'a'; 64 * 1024]);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("`standard input` is larger than the 1024 bytes limit"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_very_long_line_is_scanned() {
    // 16 MB on one line, with a term at the end: bounded time and memory.
    let dir = tempfile::tempdir().unwrap();
    let mut text = "word ".repeat(16 << 20 >> 2 >> 1);
    text.push_str("a child prostitute");
    std::fs::write(dir.path().join("long.txt"), &text).unwrap();
    let o = check(dir.path(), &["long.txt"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("long.txt:1:"), "{}", out(&o));
}

#[test]
fn deeply_nested_folders_are_walked() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for _ in 0..200 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    good(&deep, "deep.txt");
    good(dir.path(), "top.txt");
    let o = check(dir.path(), &["."]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("/d/d/deep.txt:1:18"), "{}", out(&o));
    assert_good_scanned(&o, "./top.txt");
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed_but_a_named_link_is() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    symlink("..", dir.path().join("sub/up")).unwrap();
    symlink("self", dir.path().join("self")).unwrap();
    symlink("sub", dir.path().join("again")).unwrap();
    good(&dir.path().join("sub"), "a.txt");
    std::fs::write(dir.path().join("target.md"), "a child prostitute\n").unwrap();
    symlink("target.md", dir.path().join("link.md")).unwrap();
    let o = check(dir.path(), &["."]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    // Each file once, through its real path only.
    assert_eq!(out(&o).matches("a.txt").count(), 1, "{}", out(&o));
    assert_eq!(out(&o).matches("target.md").count(), 1, "{}", out(&o));
    assert!(!out(&o).contains("link.md"), "{}", out(&o));
    // Given by name, a link is followed once.
    let o = check(dir.path(), &["link.md"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("link.md:1:3"), "{}", out(&o));
    // A link loop given by name is a clear error.
    let o = check(dir.path(), &["self", "sub/a.txt"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("cannot read `self`"), "{}", err(&o));
    assert_good_scanned(&o, "sub/a.txt");
}

/// Runs `vblint check` as an unprivileged user when the tests run as root,
/// so that permissions are enforced; `None` when that is not possible.
#[cfg(unix)]
fn check_unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let id = Command::new("id").arg("-u").output().ok()?;
    let mut c = if String::from_utf8_lossy(&id.stdout).trim() == "0" {
        Command::new("setpriv").arg("--version").output().ok()?;
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    c.current_dir(dir)
        .args([
            "check",
            "--format",
            "concise",
            "--no-config",
            "--no-builtin",
            "--lexicon",
        ])
        .arg(lexicon())
        .args(args);
    Some(run_bounded(c))
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_errors_and_the_batch_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let top = tempfile::tempdir().unwrap();
    let dir = top.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The fixture lexicon must be readable by the unprivileged user too.
    let lex = dir.join("lex");
    std::fs::create_dir(&lex).unwrap();
    std::fs::copy(lexicon().join("fix.toml"), lex.join("fix.toml")).unwrap();
    std::fs::write(dir.join("secret.txt"), "a child prostitute\n").unwrap();
    std::fs::set_permissions(
        dir.join("secret.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::create_dir(dir.join("closed")).unwrap();
    good(&dir.join("closed"), "inside.txt");
    std::fs::set_permissions(dir.join("closed"), std::fs::Permissions::from_mode(0o000)).unwrap();
    good(dir, "b.txt");
    std::fs::set_permissions(dir.join("b.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let Some(o) = check_unprivileged(dir, &["--lexicon", "lex", "."]) else {
        eprintln!("skipped: running as root without setpriv, permissions are not enforced");
        return;
    };
    std::fs::set_permissions(dir.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&o), 2, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("cannot read `./secret.txt`: permission denied"),
        "{e}"
    );
    assert!(
        e.contains("could not scan part of a folder: permission denied"),
        "{e}"
    );
    assert!(e.contains("ask for read access"), "{e}");
    assert_good_scanned(&o, "./b.txt");
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_are_skipped_and_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    good(dir.path(), "b.txt");
    // In a folder.
    let o = check(dir.path(), &["."]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        err(&o).contains("skipped `./pipe`: it is a pipe, socket or device, not a file"),
        "{}",
        err(&o)
    );
    assert_good_scanned(&o, "./b.txt");
    // By name, and a device.
    let o = check(dir.path(), &["pipe", "/dev/zero", "b.txt"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        err(&o).contains("skipped `pipe`: it is a pipe"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("skipped `/dev/zero`: it is a pipe"),
        "{}",
        err(&o)
    );
    assert_good_scanned(&o, "b.txt");
    // `report` reads files the same way.
    let o = run_bounded({
        let mut c = command(dir.path(), "report");
        c.args([
            "--format",
            "json",
            "--no-config",
            "--no-builtin",
            "--lexicon",
        ])
        .arg(lexicon())
        .args(["pipe", "/dev/zero", "b.txt", "."]);
        c
    });
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains(r#""files": 2"#), "{}", out(&o));
}

#[test]
fn variant_expansion_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let words: Vec<String> = (0..20).map(|i| format!("w{i}|x{i}")).collect();
    let term = words.join(" ");
    let lexicon = format!(
        "[[entry]]\nid = \"huge\"\ncategory = \"minimising\"\nterms = [\"{term}\"]\n\
         alternatives = [\"x\"]\nwhy = \"x\"\nsources = [\"x\"]\nexamples = [\"w0\"]\n"
    );
    std::fs::write(dir.path().join("huge.toml"), lexicon).unwrap();
    let o = run_bounded({
        let mut c = command(dir.path(), "lexicon");
        c.args(["check", "--no-builtin", "huge.toml"]);
        c
    });
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("huge.toml:"), "located: {}", err(&o));
    assert!(
        err(&o).contains("4,096") || err(&o).contains("4096"),
        "{}",
        err(&o)
    );
}

#[test]
fn huge_lexicon_and_config_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(dir.path().join("big.toml")).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let o = run_bounded({
        let mut c = command(dir.path(), "lexicon");
        c.args(["check", "--no-builtin", "big.toml"]);
        c
    });
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("lexicon file `big.toml` is 1024 MB, larger than the 8 MB allowed"),
        "{}",
        err(&o)
    );
    let f = std::fs::File::create(dir.path().join("vblint.toml")).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    good(dir.path(), "b.txt");
    let o = run_bounded({
        let mut c = command(dir.path(), "check");
        c.arg("b.txt");
        c
    });
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("is larger than 1 MB"), "{}", err(&o));
}

#[test]
fn configured_lexicon_paths_cannot_leave_the_workspace() {
    let top = tempfile::tempdir().unwrap();
    let ws = top.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    std::fs::create_dir(top.path().join("outside")).unwrap();
    std::fs::copy(
        lexicon().join("fix.toml"),
        top.path().join("outside/fix.toml"),
    )
    .unwrap();
    for escape in ["../outside", "sub/../../outside", "/etc"] {
        std::fs::write(
            ws.join("vblint.toml"),
            format!("lexicon = [\"{escape}\"]\n"),
        )
        .unwrap();
        good(&ws, "b.txt");
        let o = run_bounded({
            let mut c = command(&ws, "check");
            c.args(["--format", "concise", "b.txt"]);
            c
        });
        assert_eq!(code(&o), 2, "{escape}: {}", err(&o));
        assert!(
            err(&o).contains(&format!(
                "the lexicon path `{escape}` is outside the folder of this configuration"
            )),
            "{}",
            err(&o)
        );
    }
}

#[test]
fn fix_shares_the_same_guards() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.txt")).unwrap();
    big.set_len(2 << 30).unwrap();
    drop(big);
    std::fs::write(dir.path().join("bad.txt"), b"\xff").unwrap();
    good(dir.path(), "b.txt");
    let o = run_bounded({
        let mut c = command(dir.path(), "fix");
        c.args(["--write", "--no-config", "--no-builtin", "--lexicon"])
            .arg(lexicon())
            .arg(".");
        c
    });
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("`./big.txt` is 2048 MB larger than the 256 MB limit"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("`./bad.txt` is not UTF-8 text"),
        "{}",
        err(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.txt")).unwrap(),
        "She was always a child victim of sexual exploitation.\n"
    );
}
