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
        panic!("running as root without setpriv (util-linux), so permissions are not enforced");
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
    assert!(made, "mkfifo (coreutils) is needed to make a pipe");
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
    assert!(
        err(&o).contains("vblint.toml` is 1024 MB, larger than the 1 MB allowed"),
        "{}",
        err(&o)
    );
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

// ==== Issue 22 and 23: one door for every input, and nothing blocks ========

/// Makes a named pipe; false where `mkfifo` is missing.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Like [`run_bounded`], and the most memory the process held (its peak
/// resident set, in KB), read from the kernel when it ends.
#[cfg(target_os = "linux")]
// The child is reaped by `wait4`, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
fn run_measured(mut c: Command) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs vblint");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let start = Instant::now();
    let mut status = 0;
    // SAFETY: `rusage` is plain data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes; `pid` is our child.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        assert_eq!(reaped, 0, "wait4 failed");
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("vblint did not finish within 120 seconds (it blocked)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    (output, u64::try_from(usage.ru_maxrss).unwrap())
}

/// A Word document with one paragraph of `text`.
fn docx(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    write!(
        zip,
        "<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

/// A "zip bomb": a Word document whose text part unpacks to `unpacked`
/// bytes of empty elements (about a thousand times its packed size), and
/// the same file with the part's size in both zip headers rewritten to
/// claim 1,000 bytes, as a hostile file may.
fn docx_bomb(unpacked: usize) -> (Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document><w:body>").unwrap();
    let piece = b"<a/>".repeat(16 * 1024);
    for _ in 0..unpacked / piece.len() {
        zip.write_all(&piece).unwrap();
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    let honest = zip.finish().unwrap().into_inner();
    let mut lying = honest.clone();
    let name = b"word/document.xml";
    // The local header (`PK\3\4`, uncompressed size at 22) and the central
    // directory's (`PK\1\2`, uncompressed size at 24), each followed by
    // the name (at 30 and 46).
    for (signature, size_at, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
        let at = (0..lying.len() - name_at - name.len())
            .find(|&i| {
                &lying[i..i + 4] == signature
                    && &lying[i + name_at..i + name_at + name.len()] == name
            })
            .expect("a header of the text part");
        lying[at + size_at..at + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
    }
    (honest, lying)
}

/// Promise 6, bounded: `--max-file-size` applies to every kind of input,
/// not only to plain text.
#[test]
fn bounded_every_kind_of_input_obeys_max_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let filler = "word ".repeat(400);
    std::fs::write(
        dir.path().join("a.html"),
        format!("<p>a child prostitute {filler}</p>"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        format!("id,notes\n1,a child prostitute {filler}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.jsonl"),
        format!("{{\"notes\":\"a child prostitute {filler}\"}}\n"),
    )
    .unwrap();
    // Incompressible text, so that the packed file is over the limit too.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let noise: String = (0..3000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b'a' + (seed % 26) as u8)
        })
        .collect();
    std::fs::write(dir.path().join("a.docx"), docx(&noise)).unwrap();
    good(dir.path(), "b.txt");
    let o = check(
        dir.path(),
        &[
            "--max-file-size",
            "1K",
            "--csv-text-column",
            "notes",
            "--json-text-field",
            "notes",
            ".",
        ],
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    for name in ["a.html", "a.csv", "a.jsonl", "a.docx"] {
        let size = std::fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(
            err(&o).contains(&format!(
                "`./{name}` is {size} bytes larger than the 1024 bytes limit; it was not scanned"
            )),
            "{name}: {}",
            err(&o)
        );
    }
    assert!(!out(&o).contains("a."), "{}", out(&o));
    assert_good_scanned(&o, "./b.txt");
}

/// Promise 6, bounded: a small Word document whose text unpacks to far
/// more than the limit (a "zip bomb") is refused with a clear message,
/// whether its headers tell its unpacked size or lie about it, and is
/// never unpacked whole: memory stays far below the unpacked size.
#[cfg(target_os = "linux")]
#[test]
fn bounded_a_docx_zip_bomb_is_refused_in_bounded_memory() {
    const UNPACKED: usize = 640 << 20;
    let dir = tempfile::tempdir().unwrap();
    let (honest, lying) = docx_bomb(UNPACKED);
    assert!(
        honest.len() < UNPACKED / 500,
        "{} bytes packed",
        honest.len()
    );
    std::fs::write(dir.path().join("honest.docx"), &honest).unwrap();
    std::fs::write(dir.path().join("lying.docx"), &lying).unwrap();
    good(dir.path(), "b.txt");
    // The honest file is refused for the size it claims, before anything
    // is unpacked; the lying one as soon as it unpacks past its claim.
    for (name, refusal) in [
        (
            "honest.docx",
            "the text of `honest.docx` unpacks to more than the 256 MB limit (640 MB); \
             it was not scanned",
        ),
        (
            "lying.docx",
            "`lying.docx` could not be read as a Word document (File is larger than its \
             declared uncompressed size); it was not scanned",
        ),
    ] {
        let mut c = command(dir.path(), "check");
        c.args([
            "--format",
            "concise",
            "--no-config",
            "--no-builtin",
            "--lexicon",
        ])
        .arg(lexicon())
        .args([name, "b.txt"]);
        let (o, peak_kb) = run_measured(c);
        assert_eq!(code(&o), 2, "{name}: {}", err(&o));
        assert!(err(&o).contains(refusal), "{name}: {}", err(&o));
        assert_good_scanned(&o, "b.txt");
        assert!(
            peak_kb < 160 << 10,
            "{name}: vblint held {} MB to refuse it",
            peak_kb >> 10
        );
    }
}

/// Promise 6, bounded: a pipe or a device named on the command line is
/// skipped without blocking whatever its extension (each kind of input
/// has its own reader), and so is a link to one.
#[cfg(unix)]
#[test]
fn bounded_pipes_and_devices_of_every_kind_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["p.html", "p.docx", "p.csv", "p.jsonl", "p.txt"];
    for name in names {
        assert!(
            mkfifo(&dir.path().join(name)),
            "mkfifo (coreutils) is needed to make a pipe"
        );
    }
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.html")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", dir.path().join("random.jsonl")).unwrap();
    good(dir.path(), "b.txt");
    let mut args = vec!["--csv-text-column", "1", "--json-text-field", "t"];
    args.extend(names);
    args.extend(["zero.html", "random.jsonl", "b.txt"]);
    let o = check(dir.path(), &args);
    assert_eq!(code(&o), 1, "{}", err(&o));
    for name in names.iter().chain(&["zero.html", "random.jsonl"]) {
        assert!(
            err(&o).contains(&format!(
                "skipped `{name}`: it is a pipe, socket or device, not a file"
            )),
            "{name}: {}",
            err(&o)
        );
    }
    assert_good_scanned(&o, "b.txt");
    // `report` reads exports through the same door.
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
        .args(["--csv-text-column", "1", "--json-text-field", "t"])
        .args(["p.csv", "p.jsonl", "random.jsonl", "b.txt"]);
        c
    });
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("skipped `p.csv`"), "{}", err(&o));
}

/// Promise 6, bounded: a file that is not an export gives at most 20
/// messages about records it cannot read, then one that says reading
/// stopped, not one per line.
#[test]
fn bounded_an_export_reports_at_most_20_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| match (i.wrapping_mul(2_654_435_761) >> 24) as u8 {
            0 => b'\n',
            b => b,
        })
        .collect();
    let mut jsonl = b"{\"t\":\"a child prostitute\"}\n".to_vec();
    jsonl.extend(&noise);
    std::fs::write(dir.path().join("noise.jsonl"), &jsonl).unwrap();
    let mut csv = b"id,t\n1,a child prostitute\n".to_vec();
    csv.extend(b"2,one field too many,x\n".repeat(5000));
    std::fs::write(dir.path().join("noise.csv"), &csv).unwrap();
    good(dir.path(), "b.txt");
    let o = check(
        dir.path(),
        &[
            "--csv-text-column",
            "t",
            "--json-text-field",
            "t",
            "noise.jsonl",
            "noise.csv",
            "b.txt",
        ],
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    for (name, check) in [
        ("noise.jsonl", "that it is a JSON Lines file"),
        ("noise.csv", "that it is a CSV export"),
    ] {
        let e = err(&o);
        let lines: Vec<&str> = e
            .lines()
            .filter(|l| l.contains(&format!("{name}:")))
            .collect();
        assert_eq!(lines.len(), 21, "{name}: {}", err(&o));
        assert!(
            lines[20].contains(&format!(
                "more than 20 records of this file could not be read, so reading stopped here; check {check}"
            )),
            "{}",
            lines[20]
        );
        // The good record before the noise was scanned.
        assert!(out(&o).contains(&format!("{name}[1]:")), "{}", out(&o));
    }
    assert!(
        err(&o).len() < 20_000,
        "{} bytes of messages",
        err(&o).len()
    );
    assert_good_scanned(&o, "b.txt");
}

/// Promise 6, bounded: a configuration or lexicon file that is a pipe or a
/// device (named in vblint.toml, by --config or by --lexicon) is an error
/// at once, never a hang or gigabytes read; the language server's
/// `initialize` answers too.
#[cfg(unix)]
#[test]
fn bounded_pipes_and_devices_as_configuration_or_lexicon_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        mkfifo(&dir.path().join("fifo.toml")),
        "mkfifo (coreutils) is needed to make a pipe"
    );
    good(dir.path(), "b.txt");
    std::fs::write(
        dir.path().join("vblint.toml"),
        "lexicon = [\"fifo.toml\"]\n",
    )
    .unwrap();
    let o = run_bounded({
        let mut c = command(dir.path(), "check");
        c.arg("b.txt");
        c
    });
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("lexicon file `")
            && err(&o).contains("fifo.toml` is a pipe, socket or device, not a file"),
        "{}",
        err(&o)
    );
    std::fs::remove_file(dir.path().join("vblint.toml")).unwrap();
    for args in [
        &["--config", "fifo.toml", "b.txt"][..],
        &["--config", "/dev/zero", "b.txt"],
        &["--no-config", "--lexicon", "fifo.toml", "b.txt"],
        &["--no-config", "--lexicon", "/dev/zero", "b.txt"],
    ] {
        let o = run_bounded({
            let mut c = command(dir.path(), "check");
            c.args(args);
            c
        });
        assert_eq!(code(&o), 2, "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("is a pipe, socket or device, not a file"),
            "{args:?}: {}",
            err(&o)
        );
    }
    // `lexicon fmt` reads lexicon files the same way.
    let o = run_bounded({
        let mut c = command(dir.path(), "lexicon");
        c.args(["fmt", "--check", "fifo.toml"]);
        c
    });
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("is a pipe, socket or device"),
        "{}",
        err(&o)
    );
    // The language server answers `initialize` in a workspace whose
    // vblint.toml names the pipe.
    std::fs::write(
        dir.path().join("vblint.toml"),
        "lexicon = [\"fifo.toml\"]\n",
    )
    .unwrap();
    let answer = lsp_initialize(dir.path());
    assert_eq!(answer["id"], 1, "{answer}");
    assert!(answer["result"]["capabilities"].is_object(), "{answer}");
}

/// Starts `vblint lsp` in `root`, sends `initialize`, and returns the
/// first message that answers it (failing after 60 seconds).
#[cfg(unix)]
fn lsp_initialize(root: &Path) -> serde_json::Value {
    use std::io::{BufRead, BufReader, Write};
    let mut child = Command::new(BIN)
        .arg("lsp")
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs vblint lsp");
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "capabilities": {},
            "rootUri": format!("file://{}", root.display()),
        },
    })
    .to_string();
    let mut stdin = child.stdin.take().unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if let Some(n) = line.trim().strip_prefix("Content-Length:") {
                    length = n.trim().parse().unwrap();
                }
                if line.trim().is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let message: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if message.get("id").is_some() && message.get("method").is_none() {
                let _ = tx.send(message);
                return;
            }
        }
    });
    let answer = rx.recv_timeout(Duration::from_secs(60));
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    answer.expect("vblint lsp answered `initialize` within 60 seconds")
}

/// Promise 7, the workspace: a lexicon path in vblint.toml that leads out
/// of the workspace through a symbolic link (the path itself, a folder on the
/// way, or a file in a lexicon folder) is refused, and nothing of the file
/// outside is shown.
#[cfg(unix)]
#[test]
fn workspace_lexicon_paths_cannot_leave_it_through_links() {
    use std::os::unix::fs::symlink;
    let top = tempfile::tempdir().unwrap();
    let ws = top.path().join("ws");
    std::fs::create_dir_all(ws.join("local")).unwrap();
    std::fs::create_dir(top.path().join("outside")).unwrap();
    // A file outside whose text would show in a TOML error.
    std::fs::write(
        top.path().join("outside/secret.toml"),
        "root:x:0:0:root:/root:/bin/bash\n",
    )
    .unwrap();
    symlink(top.path().join("outside"), ws.join("etc")).unwrap();
    symlink(
        top.path().join("outside/secret.toml"),
        ws.join("local/secret.toml"),
    )
    .unwrap();
    symlink("/etc", ws.join("sys")).unwrap();
    good(&ws, "b.txt");
    for (path, link) in [
        ("etc/secret.toml", "etc/secret.toml"),
        ("etc", "etc"),
        ("local", "local/secret.toml"),
        ("sys/passwd", "sys/passwd"),
    ] {
        std::fs::write(ws.join("vblint.toml"), format!("lexicon = [\"{path}\"]\n")).unwrap();
        let o = run_bounded({
            let mut c = command(&ws, "check");
            c.args(["--format", "concise", "b.txt"]);
            c
        });
        assert_eq!(code(&o), 2, "{path}: {}", err(&o));
        assert!(
            err(&o).contains(&format!(
                "the lexicon path `{path}` is outside the folder of this configuration"
            )),
            "{path}: {}",
            err(&o)
        );
        assert!(
            err(&o).contains(&format!("{link}` is a symbolic link to a place outside it")),
            "{path}: {}",
            err(&o)
        );
        assert!(!err(&o).contains("root:"), "{path}: {}", err(&o));
    }
}

/// A UTF-16 text with a byte-order mark, as Windows saves "Unicode text".
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

/// `vblint check --format json` with the fixture lexicon.
fn check_json(dir: &Path, args: &[&str]) -> Output {
    let mut c = command(dir, "check");
    c.args([
        "--format",
        "json",
        "--no-config",
        "--no-builtin",
        "--lexicon",
    ])
    .arg(lexicon())
    .args(args);
    run_bounded(c)
}

/// The JSON findings of `check --format json`.
fn json_findings(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", out(o), err(o)))
}

/// The output contract: a UTF-16 file (little- or
/// big-endian, with its byte-order mark) is scanned, not skipped as
/// binary; `start` and `end` are offsets of the file's own bytes, and
/// line and column count characters. A UTF-8 byte-order mark is not a
/// column.
#[test]
fn contract_utf16_and_byte_order_marks_keep_offsets_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = "A child prostitute, Zoë 😀.\r\nZoë was called a child prostitute.\r\n";
    std::fs::write(dir.path().join("le.txt"), utf16(text, false)).unwrap();
    std::fs::write(dir.path().join("be.txt"), utf16(text, true)).unwrap();
    std::fs::write(dir.path().join("bom.txt"), format!("\u{FEFF}{text}")).unwrap();
    std::fs::write(dir.path().join("plain.txt"), text).unwrap();
    let o = check_json(dir.path(), &["le.txt", "be.txt", "bom.txt", "plain.txt"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let findings = json_findings(&o);
    assert_eq!(findings.len(), 8, "{}", out(&o));
    for f in &findings {
        let path = f["path"].as_str().unwrap();
        let place = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
        assert!(place == (1, 3) || place == (2, 18), "{f}");
        assert_eq!(
            f["text"].as_str().unwrap().to_lowercase(),
            "child prostitute",
            "{f}"
        );
        let bytes = std::fs::read(dir.path().join(path)).unwrap();
        let (start, end) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        let written = match path {
            "le.txt" | "be.txt" => {
                let units: Vec<u16> = bytes[start..end]
                    .chunks_exact(2)
                    .map(|u| {
                        if path == "be.txt" {
                            u16::from_be_bytes([u[0], u[1]])
                        } else {
                            u16::from_le_bytes([u[0], u[1]])
                        }
                    })
                    .collect();
                String::from_utf16(&units).unwrap()
            }
            _ => String::from_utf8(bytes[start..end].to_vec()).unwrap(),
        };
        assert_eq!(
            written,
            f["text"].as_str().unwrap(),
            "{path}: {start}..{end}"
        );
    }
    // Concise output: the same lines and columns for all four.
    let o = check(dir.path(), &["le.txt", "be.txt", "bom.txt", "plain.txt"]);
    for name in ["le.txt", "be.txt", "bom.txt", "plain.txt"] {
        for place in ["1:3", "2:18"] {
            assert!(
                out(&o).contains(&format!("{name}:{place}: warning[child-prostitute]")),
                "{}",
                out(&o)
            );
        }
    }
}

/// The output contract for exports: a UTF-16 CSV (as spreadsheets save
/// "Unicode text") is read record by record; lines and columns are those
/// of the file, and `start` and `end` offsets of the field's text in the
/// file's encoding.
#[test]
fn contract_a_utf16_csv_export_is_read_with_its_lines_and_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "ref\tnotes\r\nR1\tNothing here.\r\nR2\tZoë 😀 was called a child prostitute.\r\n";
    std::fs::write(dir.path().join("export.csv"), utf16(csv, false)).unwrap();
    let o = check_json(
        dir.path(),
        &[
            "--csv-text-column",
            "notes",
            "--csv-id-column",
            "ref",
            "export.csv",
        ],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    let findings = json_findings(&o);
    assert_eq!(findings.len(), 1, "{}", out(&o));
    let f = &findings[0];
    assert_eq!(f["record"], "R2");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(23)),
        "{f}"
    );
    // After "R2\t", "Zoë 😀 was called a " is 19 characters and 20 UTF-16
    // code units (the emoji takes two).
    assert_eq!(
        (f["start"].as_u64(), f["end"].as_u64()),
        (Some(40), Some(72)),
        "{f}"
    );
}

/// Promise 5, safe fixes: `fix --write` on a UTF-16 file writes UTF-16
/// back, with the same byte-order mark and every other byte as it was; a
/// file marked as UTF-16 that is not valid UTF-16 is refused and left
/// untouched.
#[test]
fn safe_fixes_keep_utf16_files_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Zoë 😀\r\nShe is a child prostitute.\r\n";
    let fixed = "Zoë 😀\r\nShe is a child victim of sexual exploitation.\r\n";
    for big_endian in [false, true] {
        std::fs::write(dir.path().join("a.txt"), utf16(text, big_endian)).unwrap();
        let o = run_bounded({
            let mut c = command(dir.path(), "fix");
            c.args(["--write", "--no-config", "--no-builtin", "--lexicon"])
                .arg(lexicon())
                .arg("a.txt");
            c
        });
        assert_eq!(code(&o), 0, "{}", err(&o));
        assert!(out(&o).contains("fixed a.txt (1 change)"), "{}", out(&o));
        assert_eq!(
            std::fs::read(dir.path().join("a.txt")).unwrap(),
            utf16(fixed, big_endian),
            "big-endian: {big_endian}"
        );
    }
    let mut broken = utf16(text, false);
    broken.splice(4..4, 0xD800u16.to_le_bytes());
    std::fs::write(dir.path().join("b.txt"), &broken).unwrap();
    let o = run_bounded({
        let mut c = command(dir.path(), "fix");
        c.args(["--write", "--no-config", "--no-builtin", "--lexicon"])
            .arg(lexicon())
            .arg("b.txt");
        c
    });
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains(
            "`b.txt` starts with a UTF-16 byte-order mark but is not UTF-16 text \
             (first bad byte at offset 4); it was not changed"
        ),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read(dir.path().join("b.txt")).unwrap(), broken);
}

/// Promise 5, safe fixes: each path is fixed under its own vblint.toml,
/// whatever the order of the paths; a folder whose configuration switches
/// an entry off (training material that quotes the terms) is never
/// rewritten for it because another path came first.
#[test]
fn safe_fixes_follow_each_paths_own_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let text = "She is a child prostitute.\n";
    let fixed = "She is a child victim of sexual exploitation.\n";
    for paths in [["cases", "training"], ["training", "cases"]] {
        for (folder, config) in [
            ("cases", "builtin-lexicon = false\n"),
            (
                "training",
                "builtin-lexicon = false\ndisable = [\"child-prostitute\"]\n",
            ),
        ] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("vblint.toml"), config).unwrap();
            std::fs::write(dir.path().join(folder).join("note.txt"), text).unwrap();
        }
        let o = run_bounded({
            let mut c = command(dir.path(), "fix");
            c.args(["--write", "--lexicon"]).arg(lexicon()).args(paths);
            c
        });
        assert_eq!(code(&o), 0, "{paths:?}: {}", err(&o));
        let read = |folder: &str| {
            std::fs::read_to_string(dir.path().join(folder).join("note.txt")).unwrap()
        };
        assert_eq!(read("cases"), fixed, "{paths:?}");
        assert_eq!(read("training"), text, "{paths:?}");
        assert!(
            err(&o).contains(
                "vblint: note: `training` is fixed with the configuration `training/vblint.toml`"
            ),
            "{}",
            err(&o)
        );
    }
}

/// The output contract for exports: a JSON Lines file with a UTF-8
/// byte-order mark, or in UTF-16, is read like any other (the mark is not
/// taken for the start of the first record).
#[test]
fn contract_json_lines_with_a_byte_order_mark_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = "{\"id\":\"R1\",\"t\":\"Zoë, a child prostitute\"}\n";
    std::fs::write(dir.path().join("utf8.jsonl"), format!("\u{FEFF}{jsonl}")).unwrap();
    std::fs::write(dir.path().join("utf16.jsonl"), utf16(jsonl, true)).unwrap();
    let o = check_json(
        dir.path(),
        &[
            "--json-text-field",
            "t",
            "--json-id-field",
            "id",
            "utf8.jsonl",
            "utf16.jsonl",
        ],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    let findings = json_findings(&o);
    assert_eq!(findings.len(), 2, "{}", out(&o));
    for f in &findings {
        assert_eq!(f["record"], "R1", "{f}");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(1), Some(24)),
            "{f}"
        );
        // Offsets of the field's text: "Zoë, a " is 8 bytes in UTF-8, 7
        // UTF-16 code units.
        let start = if f["path"] == "utf8.jsonl" { 8 } else { 14 };
        assert_eq!(f["start"].as_u64(), Some(start), "{f}");
    }
}

/// HTML full of bare `&` (400,000 of them, no `;` anywhere) or of empty
/// `<script></script>` pairs (400,000) is read in linear time: each takes
/// seconds, not minutes (both were quadratic: over 60 seconds), and a
/// document of a quarter the size takes no more than about a quarter of
/// the time.
#[test]
fn bounded_html_of_bare_ampersands_and_scripts_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let timed = |name: &str, body: String| {
        std::fs::write(dir.path().join(name), body).unwrap();
        let start = Instant::now();
        let o = check(dir.path(), &[name]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        start.elapsed()
    };
    for (kind, piece) in [("amp", "a & b "), ("script", "<script></script>")] {
        let small = timed(&format!("{kind}-small.html"), piece.repeat(100_000));
        let large = timed(&format!("{kind}.html"), piece.repeat(400_000));
        assert!(
            large < Duration::from_secs(30),
            "{kind}: 400,000 took {large:?}"
        );
        // Quadratic time would make the large file take 16 times as long;
        // a margin for a busy machine and the start-up both share.
        assert!(
            large < small * 8 + Duration::from_secs(2),
            "{kind}: 100,000 took {small:?}, 400,000 took {large:?}"
        );
    }
}
