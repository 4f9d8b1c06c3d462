//! `vblint fix --write` against what happens around it: another program
//! appending to the file while it is fixed, `kill -9` in the middle of a
//! write, temporary files a crash left behind, and names as long as a name
//! can be.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

fn lexicon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon")
}

fn fix_command(dir: &Path, file: &str) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .args([
            "fix",
            "--write",
            file,
            "--no-builtin",
            "--no-config",
            "--lexicon",
        ])
        .arg(lexicon());
    c
}

fn fix(dir: &Path, file: &str) -> Output {
    fix_command(dir, file).output().expect("runs vblint")
}

const LINE: &str = "She was treated as a child prostitute, it says here.\n";
const FIXED_LINE: &str =
    "She was treated as a child victim of sexual exploitation, it says here.\n";

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Whether the process `pid` has a file in `dir` open other than `except`
/// (vblint's temporary file: named, or with no name, which Linux shows as
/// `dir/#inode (deleted)`).
fn has_temp_open(pid: u32, dir: &Path, except: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| target.starts_with(dir) && target != except && target != dir)
    })
}

/// A small deterministic generator of delays.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Another program appends a line while `fix --write` runs, 100 times:
/// at a random moment, or just as vblint's temporary file is open (the
/// moment between reading and replacing the file). The line is never lost:
/// either vblint saw the change and left the file alone (exit 2, the file
/// as it was plus the line), or the line was appended to the fixed file.
#[test]
fn fix_appends_racing_a_write_are_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("note.txt");
    let original = LINE.repeat(200);
    // How long one run takes here, to spread the appends over it.
    std::fs::write(&path, &original).unwrap();
    let start = Instant::now();
    assert_eq!(fix(dir.path(), "note.txt").status.code(), Some(0));
    let run = u64::try_from(start.elapsed().as_micros())
        .unwrap()
        .max(1000);
    let mut rng = Lcg(23);
    let (mut refused, mut fixed) = (0, 0);
    for i in 0..100 {
        std::fs::write(&path, &original).unwrap();
        let mut child = fix_command(dir.path(), "note.txt")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if i % 2 == 0 {
            std::thread::sleep(Duration::from_micros(rng.below(run)));
        } else {
            let waiting = Instant::now();
            while !has_temp_open(child.id(), dir.path(), &path)
                && waiting.elapsed() < Duration::from_secs(20)
                && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_micros(100));
            }
        }
        let appended = format!("Appended line {i}.\n");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(appended.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let now = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            now.matches(&appended).count(),
            1,
            "run {i}: the appended line was lost (exit {:?}, {})",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        match out.status.code() {
            Some(2) => {
                assert_eq!(now, format!("{original}{appended}"), "run {i}");
                assert!(
                    String::from_utf8_lossy(&out.stderr)
                        .contains("changed while vblint was fixing it"),
                    "run {i}"
                );
                refused += 1;
            }
            Some(0) => {
                assert!(now.starts_with(FIXED_LINE), "run {i}");
                assert!(!now.contains("prostitute"), "run {i}");
                fixed += 1;
            }
            other => panic!("run {i}: exit {other:?}"),
        }
        assert_eq!(names(dir.path()), ["note.txt"], "run {i}");
    }
    eprintln!("{fixed} runs fixed the file, {refused} saw the change and left it alone");
    assert!(
        refused > 0 && fixed > 0,
        "the appends never met a write ({fixed} fixed, {refused} refused)"
    );
}

/// `kill -9` while the fixed text is being written leaves no temporary
/// file of case text behind, and the original as it was; five times.
#[cfg(target_os = "linux")]
#[test]
fn fix_kill_9_mid_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("note.txt");
    // Large enough that writing it takes a while: 20 MB, with one term.
    let original = format!("{LINE}{}\n", "x".repeat(20 << 20));
    for round in 0..5 {
        std::fs::write(&path, &original).unwrap();
        let mut child: Child = fix_command(dir.path(), "note.txt")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !has_temp_open(child.id(), dir.path(), &path) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "round {round}: vblint finished before it was seen writing"
            );
            assert!(start.elapsed() < Duration::from_secs(120), "round {round}");
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(names(dir.path()), ["note.txt"], "round {round}");
        assert!(
            std::fs::read_to_string(&path).unwrap() == original,
            "round {round}: the original changed"
        );
    }
}

/// Temporary files an earlier crash left (by vblint's names, more than 15
/// minutes old) are removed by the next `fix --write` in that folder; a
/// fresh one (perhaps another run's work in progress) and other files are
/// left alone.
#[test]
fn fix_removes_stale_temporary_files_it_owns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("note.txt"), LINE).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(16 * 60);
    for (name, modified) in [
        (".vblint-0123456789abcdef.tmp", Some(old)),
        (".note.txt.fedcba9876543210.vblint-tmp", Some(old)),
        (".vblint-1111111111111111.tmp", None),
        ("notes.bak", Some(old)),
    ] {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        f.set_len(10).unwrap();
        if let Some(m) = modified {
            f.set_modified(m).unwrap();
        }
    }
    let out = fix(dir.path(), "note.txt");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        names(dir.path()),
        [".vblint-1111111111111111.tmp", "note.txt", "notes.bak"]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("note.txt")).unwrap(),
        FIXED_LINE
    );
}

/// A file whose name is 244 characters long (and one of 255, the most a
/// name can have) is fixed: the temporary name does not grow with it.
#[test]
fn fix_files_with_the_longest_names_are_fixed() {
    let dir = tempfile::tempdir().unwrap();
    for len in [244, 255] {
        let name = format!("{}.txt", "n".repeat(len - 4));
        std::fs::write(dir.path().join(&name), LINE).unwrap();
        let out = fix(dir.path(), &name);
        assert_eq!(out.status.code(), Some(0), "{len}: {out:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&name)).unwrap(),
            FIXED_LINE
        );
        std::fs::remove_file(dir.path().join(&name)).unwrap();
    }
}
