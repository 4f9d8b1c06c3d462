//! Language-server timings, without criterion: `cargo bench --bench lsp`.
//!
//! (a) a full scan plus diagnostics conversion (offsets to UTF-16 positions,
//!     serialised to JSON) of a 5 MB document;
//! (b) one keystroke in a 100 KB report: an incremental edit of the text and
//!     line index, then the rescan and conversion.
//!
//! Prints the median and the fastest of several runs.

use std::time::{Duration, Instant};

use vblint::lsp::bench::Bench;

/// A case-note paragraph with non-ASCII text and three findings.
const UNIT: &str = "21:05 Foster carer’s call: Amy texted “leave me alone” 😢 at 20:40 and has left the foster home.\n\
21:40 Her sister forwarded a 👩\u{200d}👧 photo taken at the café on Mill Road; Amy is putting herself at risk by going to the address.\n\
22:15 Since September her risk-taking behaviour has increased; strategy meeting requested for 29/11/2026.\n\
Action: return home interview to be offered when Amy is found; carers to call 101 with any sighting.\n";

fn document(bytes: usize) -> String {
    UNIT.repeat(bytes / UNIT.len() + 1)
}

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

fn main() {
    let big = document(5 << 20);
    let len = big.len();
    let mut bench = Bench::new(big);
    let (findings, json) = bench.check();
    let (median, best) = measure(11, || {
        bench.check();
    });
    println!(
        "(a) full scan + diagnostics of {:.1} MB ({findings} findings, {:.1} MB of JSON): median {:.1} ms, best {:.1} ms",
        len as f64 / 1e6,
        json as f64 / 1e6,
        median.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3
    );

    let report = document(100 << 10);
    let len = report.len();
    let mut bench = Bench::new(report);
    let (findings, _) = bench.check();
    let mut typed = 0;
    let (median, best) = measure(201, || {
        // Type a character, or delete it again, in the middle of line 200.
        if typed % 2 == 0 {
            bench.edit(200, 30, "x");
        } else {
            bench.delete(200, 30, 31);
        }
        typed += 1;
        bench.check();
    });
    println!(
        "(b) keystroke in a {:.0} KB report ({findings} findings): edit + rescan + diagnostics median {:.3} ms, best {:.3} ms",
        len as f64 / 1e3,
        median.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3
    );
}
