//! The scanner alone, in process, on one thread: no file system, no output,
//! so that a change to matching can be measured on this noisy machine
//! without process start-up and I/O in the way. Run with
//!
//! ```sh
//! cargo bench --bench scan                       # a generated 10 MB text
//! cargo bench --bench scan -- /work/bench-copy/corpus/big-10M.txt
//! ```
//!
//! Prints the median and fastest of nine scans with the built-in lexicon,
//! and the throughput of the median.

use std::sync::Arc;
use std::time::{Duration, Instant};

use vblint::lexicon::Lexicon;
use vblint::scan::{Scanner, Settings};

/// A case-note header.
const HEADER: &str = "Recorded by: PC 4411 J. Nowak\nSubject: Zoë (DOB 03/04/2010)\n\n";

/// Narrative with no finding: most of what a scanner reads.
const PLAIN: &str = "21:05 Call from the foster carer: Zoë did not return from school and \
her phone is off. Checks made with friends, the school and the café on Mill Road; no trace. \
Strategy discussion held with the duty social worker, who will inform the independent \
reviewing officer in the morning.\n\n\
22:40 Located by patrol at the bus station and brought back to the placement. Safe and well \
check completed; return home interview to be offered tomorrow by the youth worker.\n\n";

/// Narrative with two findings.
const FLAGGED: &str = "23:10 Carer reports that she has been putting herself at risk by \
meeting an older boyfriend near the station.\n\n";

/// Two findings in about 4 KB of notes (the shared benchmark corpora have
/// about one in 7 KB).
fn document(bytes: usize) -> String {
    let unit = format!("{HEADER}{}{FLAGGED}", PLAIN.repeat(8));
    unit.repeat(bytes / unit.len() + 1)
}

fn main() {
    let text = match std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        Some(path) => {
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        }
        None => document(10 << 20),
    };
    let scanner = Scanner::new(Arc::new(Lexicon::builtin()), Settings::default())
        .expect("the built-in lexicon compiles");
    let mut findings = 0;
    let mut times: Vec<Duration> = (0..9)
        .map(|_| {
            let t = Instant::now();
            findings = scanner.scan(&text).len();
            t.elapsed()
        })
        .collect();
    times.sort();
    let (median, best) = (times[times.len() / 2], times[0]);
    println!(
        "scan, one thread: {:.1} MB, {findings} findings; median {:.1} ms ({:.0} MB/s), best {:.1} ms",
        text.len() as f64 / 1e6,
        median.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / median.as_secs_f64(),
        best.as_secs_f64() * 1e3,
    );
}
