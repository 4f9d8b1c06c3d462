//! `vblint fix`: diff and write modes, exit codes, quotations, placeholders,
//! capitalisation, line endings, BOM, permissions, idempotence, and failed
//! writes leaving the original intact.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

fn lexicon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/lexicon")
}

fn fix(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .arg("fix")
        .args(args)
        .arg("--lexicon")
        .arg(lexicon())
        .arg("--no-builtin")
        .arg("--no-config")
        .output()
        .expect("runs vblint")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const TEXT: &str = "She was treated as a child prostitute.\n\
CHILD PROSTITUTE in the call log.\n\
Child prostitute at the start.\n\
She said \"a child prostitute\" to the officer.\n\
She is putting herself at risk with her older boyfriend.\n\
Earlier reports called her a child prostitute.\n\
This is an historic abuse case.\n";

// Line 4 is a quotation, line 6 reports someone else's wording; line 5 has
// only a placeholder alternative and a review entry; line 7 rewrites the
// article before the term too.
const FIXED: &str = "She was treated as a child victim of sexual exploitation.\n\
CHILD VICTIM OF SEXUAL EXPLOITATION in the call log.\n\
Child victim of sexual exploitation at the start.\n\
She said \"a child prostitute\" to the officer.\n\
She is putting herself at risk with her older boyfriend.\n\
Earlier reports called her a child prostitute.\n\
This is a non-recent abuse case.\n";

#[test]
fn diff_is_the_default_changes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), TEXT).unwrap();
    let o = fix(dir.path(), &["a.txt"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("--- a/a.txt") && out.contains("+++ b/a.txt"),
        "{out}"
    );
    assert!(
        out.contains("-She was treated as a child prostitute."),
        "{out}"
    );
    assert!(
        out.contains("+She was treated as a child victim of sexual exploitation."),
        "{out}"
    );
    assert!(out.contains("+This is a non-recent abuse case."), "{out}");
    assert!(!out.contains("+Earlier reports"), "{out}");
    assert!(
        stderr(&o).contains("4 terms can be fixed safely"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
        TEXT
    );
    // --diff spelled out is the same.
    assert_eq!(code(&fix(dir.path(), &["--diff", "a.txt"])), 1);
}

#[test]
fn write_applies_safe_fixes_only_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, TEXT).unwrap();
    let o = fix(dir.path(), &["--write", "a.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Quotation kept verbatim, placeholder alternative and review entry untouched.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FIXED);
    let o = fix(dir.path(), &["--write", "a.txt"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("nothing to fix"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FIXED);
    // And --diff now has nothing to show: exit 0.
    let o = fix(dir.path(), &["a.txt"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn crlf_bom_and_permissions_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crlf.txt");
    let text = "\u{FEFF}Line one, a child prostitute.\r\nLine two.\r\nNo newline at the end";
    std::fs::write(&file, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = fix(dir.path(), &["--write", "crlf.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "\u{FEFF}Line one, a child victim of sexual exploitation.\r\nLine two.\r\nNo newline at the end"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn folders_are_fixed_and_clean_files_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/a.txt"), "a child prostitute\n").unwrap();
    std::fs::write(dir.path().join("notes/b.txt"), "nothing here\n").unwrap();
    let before = std::fs::metadata(dir.path().join("notes/b.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let o = fix(dir.path(), &["--write", "notes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/a.txt")).unwrap(),
        "a child victim of sexual exploitation\n"
    );
    let after = std::fs::metadata(dir.path().join("notes/b.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn context_none_lists_changes_without_case_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), TEXT).unwrap();
    let o = fix(dir.path(), &["--context", "none", "a.txt"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("a.txt:1:22: [child-prostitute]"), "{out}");
    assert!(
        out.contains("a.txt:2:1: [child-prostitute] would be replaced by \"CHILD VICTIM"),
        "{out}"
    );
    assert!(
        out.contains("a.txt:7:9: [historic-abuse] would be replaced by \"a non-recent abuse\""),
        "{out}"
    );
    for word in ["treated", "officer", "call log", "start", "case"] {
        assert!(!out.contains(word), "case text `{word}` in {out}");
    }
}

#[test]
fn read_only_file_is_refused_and_left_intact() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ro.txt");
    std::fs::write(&file, TEXT).unwrap();
    std::fs::write(dir.path().join("ok.txt"), "a child prostitute\n").unwrap();
    let mut perms = std::fs::metadata(&file).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&file, perms).unwrap();
    let o = fix(dir.path(), &["--write", "ro.txt", "ok.txt"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("`ro.txt` is read-only; it was left as it was"),
        "{err}"
    );
    assert!(err.contains("make the file writable"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TEXT);
    // The batch went on.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ok.txt")).unwrap(),
        "a child victim of sexual exploitation\n"
    );
}

/// Runs as an unprivileged user when the tests run as root, so that
/// permissions are enforced; `None` if that is not possible.
#[cfg(unix)]
fn unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok()?;
    let is_root = String::from_utf8_lossy(&root.stdout).trim() == "0";
    let mut cmd = if is_root {
        if Command::new("setpriv").arg("--version").output().is_err() {
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.current_dir(dir)
        .arg("fix")
        .args(args)
        .arg("--lexicon")
        .arg(lexicon())
        .arg("--no-builtin")
        .arg("--no-config");
    cmd.output().ok()
}

#[cfg(unix)]
#[test]
fn read_only_folder_fails_the_write_and_keeps_the_original() {
    use std::os::unix::fs::PermissionsExt;
    let top = tempfile::tempdir().unwrap();
    std::fs::set_permissions(top.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = top.path().join("locked");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("a.txt");
    std::fs::write(&file, TEXT).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let Some(o) = unprivileged(&dir, &["--write", "a.txt"]) else {
        panic!("running as root without setpriv (util-linux), so permissions are not enforced");
    };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("could not write `a.txt`: permission denied; the file was left as it was"),
        "{err}"
    );
    assert!(
        err.contains("check that you may change this file and its folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TEXT);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn invalid_utf8_and_binary_are_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.txt"),
        b"child prostitute \xff\xfe secret\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bin.dat"), b"child prostitute\0\0\0").unwrap();
    std::fs::write(dir.path().join("ok.txt"), "a child prostitute\n").unwrap();
    let o = fix(dir.path(), &["--write", "bad.txt", "bin.dat", "ok.txt"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(
            "`bad.txt` is not UTF-8 text (first bad byte at offset 17); it was not changed"
        ),
        "{err}"
    );
    assert!(
        err.contains("skipped `bin.dat`: it looks like a binary file"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("bad.txt")).unwrap(),
        b"child prostitute \xff\xfe secret\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ok.txt")).unwrap(),
        "a child victim of sexual exploitation\n"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_given_by_name_fixes_its_target_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("real.txt"), "a child prostitute\n").unwrap();
    std::os::unix::fs::symlink("real.txt", dir.path().join("link.txt")).unwrap();
    let o = fix(dir.path(), &["--write", "link.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.txt")).unwrap(),
        "a child victim of sexual exploitation\n"
    );
}

#[test]
fn missing_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = fix(dir.path(), &["nope.txt"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read `nope.txt`: no such file or folder"));
}

#[test]
fn help_documents_exit_codes() {
    let o = Command::new(BIN).args(["fix", "--help"]).output().unwrap();
    let help = stdout(&o);
    assert!(help.contains("Exit codes"), "{help}");
    assert!(help.contains("--write") && help.contains("--diff"));
}

#[test]
fn library_helpers() {
    use vblint::fix::match_case;
    assert_eq!(
        match_case("CHILD PROSTITUTE", "child victim"),
        "CHILD VICTIM"
    );
    assert_eq!(
        match_case("Child prostitute", "child victim"),
        "Child victim"
    );
    assert_eq!(
        match_case("child prostitute", "child victim"),
        "child victim"
    );
}

/// With the built-in lexicon, a writer reporting or correcting someone
/// else's wording gets no finding, so `fix --write` leaves those sentences
/// exactly as written; the same term in the writer's own voice is fixed.
#[test]
fn reported_and_corrected_wording_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    let reported = "Earlier reports called them child pornography; they are indecent images of children.\n\
She was previously described as promiscuous; this has been corrected in the chronology.\n\
Mum has asked that we stop calling Leah naive.\n\
The 2019 file refers to historic abuse; we now record it as non-recent abuse.\n";
    std::fs::write(&file, reported).unwrap();
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["fix", "--write", "note.txt", "--no-config"])
        .output()
        .expect("runs vblint");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to fix"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), reported);
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["check", "note.txt", "--no-config", "--format", "concise"])
        .output()
        .expect("runs vblint");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // The writer's own use is still fixed.
    std::fs::write(&file, "This is a historic abuse case.\n").unwrap();
    let o = Command::new(BIN)
        .current_dir(dir.path())
        .args(["fix", "--write", "note.txt", "--no-config"])
        .output()
        .expect("runs vblint");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "This is a non-recent abuse case.\n"
    );
}
