//! Lexicons that would expand to gigabytes: a word of many hyphens (each
//! hyphen matches a hyphen, a space or nothing), a long phrase of a set
//! referenced many times, and many phrases that each stay within their own
//! bounds. A folder an analyst is handed may carry such a lexicon in its
//! `vblint.toml`; scanning it must fail with a clear message, quickly and
//! within bounded memory, never abort.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

/// The most memory a refused lexicon may take: the bound SECURITY.md
/// promises for hostile input.
const MAX_RSS_BYTES: u64 = 512 << 20;

struct Run {
    code: i32,
    stderr: String,
    max_rss: u64,
}

/// Runs `vblint check` on `dir` (which holds the `vblint.toml`), with its
/// peak memory from the kernel's accounting, killed after 60 seconds.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also gives its peak memory"
)]
fn check(dir: &Path) -> Run {
    let stderr_path = dir.join("stderr.txt");
    let child = Command::new(BIN)
        .arg("check")
        .arg(dir.join("notes"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("runs vblint");
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let start = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our
        // own child, which std will not reap because we never wait on it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(done >= 0, "wait4 failed");
        if done == pid {
            break (status, usage);
        }
        if start.elapsed() > Duration::from_secs(60) {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("vblint did not finish within 60 seconds");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        libc::WIFEXITED(status),
        "vblint was killed by signal {} (an abort means memory ran out)",
        libc::WTERMSIG(status)
    );
    Run {
        code: libc::WEXITSTATUS(status),
        stderr: std::fs::read_to_string(stderr_path).unwrap(),
        // Linux gives the peak resident set in kilobytes.
        max_rss: u64::try_from(usage.ru_maxrss).unwrap() * 1024,
    }
}

/// A folder with notes and a `vblint.toml` that adds `lexicon` as a layer.
fn folder(lexicon: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(
        dir.path().join("notes/note.txt"),
        "She is putting herself at risk.\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("lex")).unwrap();
    std::fs::write(dir.path().join("lex/local.toml"), lexicon).unwrap();
    std::fs::write(dir.path().join("vblint.toml"), "lexicon = [\"lex/\"]\n").unwrap();
    dir
}

fn entry(terms: &str) -> String {
    format!(
        "[[entry]]\nid = \"local\"\ncategory = \"responsibility\"\nterms = [{terms}]\n\
         alternatives = [\"x\"]\nwhy = \"x\"\nsources = [\"x\"]\nexamples = [\"x\"]\n"
    )
}

fn assert_refused(run: &Run, says: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert!(
        run.stderr.contains("lex/local.toml"),
        "names the file: {}",
        run.stderr
    );
    assert!(
        run.max_rss < MAX_RSS_BYTES,
        "peak memory {} MiB",
        run.max_rss >> 20
    );
}

#[test]
fn lexicon_hyphen_bomb_is_refused_before_expanding() {
    // 3^17 forms of 35 bytes: about 4.5 GB if written out.
    let word = ["ab"; 18].join("-");
    let run = check(folder(&entry(&format!("\"{word}\"")).to_string()).path());
    assert_refused(&run, "more than 4096 variants");
}

#[test]
fn lexicon_set_reference_bomb_is_refused_before_copying() {
    // A 1 MB phrase referenced 100,000 times in one term: 100 GB if copied.
    let big = "w ".repeat(1 << 19);
    let refs = ["{big}"; 100_000].join(" ");
    let lexicon = format!(
        "[sets]\nbig = [\"{big}\"]\n\n{}",
        entry(&format!("\"{refs}\""))
    );
    let run = check(folder(&lexicon).path());
    assert_refused(&run, "longer than 1024 bytes");
}

#[test]
fn lexicon_of_many_large_phrases_is_refused_within_bounds() {
    // Each phrase stays within its own bounds (4,096 variants, 800 KB of
    // words) but a few hundred of them would hold hundreds of megabytes.
    let options: Vec<String> = (0..4096).map(|i| format!("{i:0>200}")).collect();
    let set = options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(",");
    let terms = vec!["\"at {many}\""; 400].join(",");
    let lexicon = format!("[sets]\nmany = [{set}]\n\n{}", entry(&terms));
    let run = check(folder(&lexicon).path());
    assert_refused(&run, "the lexicon's phrases hold more than 32 MB");
}
