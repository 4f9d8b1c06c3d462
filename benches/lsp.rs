//! Language-server timings, without criterion. Run with
//! `cargo bench --bench lsp` (add `CARGO_TARGET_DIR=...` as usual).
//!
//! (a) a full scan plus diagnostics conversion (offsets to UTF-16 positions,
//!     serialised to JSON) of a 5 MB document;
//! (b) one keystroke in a 100 KB report written in paragraphs: an
//!     incremental edit of the text and line index, then the rescan of the
//!     paragraphs near the edit (as the server does) and the conversion of
//!     all the document's findings.
//!
//! Each prints the median and the fastest run, split into the scanner's part
//! (`vblint::scan`) and the server's part (edits, positions, JSON).

use std::time::{Duration, Instant};

use vblint::lsp::bench::Bench;

/// Case-note lines with non-ASCII text and two findings.
const UNIT: &str = "21:05 Foster carer’s call: Amy texted “leave me alone” 😢 at 20:40 and has left the foster home.\n\
21:40 Her sister forwarded a 👩\u{200d}👧 photo taken at the café on Mill Road; Amy is putting herself at risk by going to the address.\n\
22:15 Since September her risk-taking behaviour has increased; strategy meeting requested for 29/11/2026.\n\
Action: return home interview to be offered when Amy is found; carers to call 101 with any sighting.\n";

fn document(bytes: usize) -> String {
    UNIT.repeat(bytes / UNIT.len() + 1)
}

/// Median and fastest of `runs` timings of `f`.
fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let big = document(5 << 20);
    let len = big.len();
    let mut bench = Bench::new(big);
    let (findings, json) = bench.check();
    let (total, total_best) = measure(7, || {
        bench.check();
    });
    let (scan, _) = measure(7, || {
        bench.scan();
    });
    let (convert, _) = measure(7, || {
        bench.diagnostics();
    });
    println!(
        "(a) 5 MB document ({:.1} MB, {findings} findings, {:.1} MB of JSON): full scan + diagnostics median {:.1} ms (best {:.1}); scanner {:.1} ms, server conversion {:.1} ms",
        len as f64 / 1e6,
        json as f64 / 1e6,
        ms(total),
        ms(total_best),
        ms(scan),
        ms(convert),
    );

    // A report is written in paragraphs: one blank line after each entry.
    let report = format!("{UNIT}\n").repeat((100 << 10) / (UNIT.len() + 1) + 1);
    let len = report.len();
    let mut bench = Bench::new(report);
    let (findings, _) = bench.check();
    // Type a character, or delete it again, in the middle of line 200.
    let mut parts: Vec<[Duration; 3]> = (0..101)
        .map(|i| {
            let t = Instant::now();
            if i % 2 == 0 {
                bench.edit(200, 30, "x");
            } else {
                bench.delete(200, 30, 31);
            }
            let edited = Instant::now();
            bench.rescan();
            let scanned = Instant::now();
            bench.diagnostics();
            [edited - t, scanned - edited, scanned.elapsed()]
        })
        .collect();
    let median = |parts: &mut Vec<[Duration; 3]>, k: usize| {
        parts.sort_by_key(|p| p[k]);
        parts[parts.len() / 2][k]
    };
    let (edit, scan, convert) = (
        median(&mut parts, 0),
        median(&mut parts, 1),
        median(&mut parts, 2),
    );
    let mut totals: Vec<Duration> = parts.iter().map(|p| p[0] + p[1] + p[2]).collect();
    totals.sort();
    let (total, total_best) = (totals[totals.len() / 2], totals[0]);
    println!(
        "(b) keystroke in a {:.0} KB report ({findings} findings): edit + rescan of the paragraphs near it + diagnostics median {:.3} ms (best {:.3}); edit {:.4} ms, scanner {:.3} ms, server conversion {:.3} ms",
        len as f64 / 1e3,
        ms(total),
        ms(total_best),
        ms(edit),
        ms(scan),
        ms(convert),
    );
}
