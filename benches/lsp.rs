//! Language-server timings, without criterion. Run with
//! `cargo bench --bench lsp` (add `CARGO_TARGET_DIR=...` as usual).
//!
//! (a) a full scan plus diagnostics conversion (offsets to UTF-16 positions,
//!     serialised to JSON) of a 5 MB document;
//! (b) one keystroke in a 100 KB report: an incremental edit of the text and
//!     line index, then the rescan and conversion.
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

    let report = document(100 << 10);
    let len = report.len();
    let mut bench = Bench::new(report);
    let (findings, _) = bench.check();
    // Type a character, or delete it again, in the middle of line 200.
    let mut typed = 0;
    let mut keystroke = |bench: &mut Bench| {
        if typed % 2 == 0 {
            bench.edit(200, 30, "x");
        } else {
            bench.delete(200, 30, 31);
        }
        typed += 1;
    };
    let (total, total_best) = measure(101, || {
        keystroke(&mut bench);
        bench.check();
    });
    let (edit, _) = measure(101, || keystroke(&mut bench));
    let (scan, _) = measure(101, || {
        bench.scan();
    });
    let (convert, _) = measure(101, || {
        bench.diagnostics();
    });
    println!(
        "(b) keystroke in a {:.0} KB report ({findings} findings): edit + rescan + diagnostics median {:.3} ms (best {:.3}); edit {:.4} ms, scanner {:.3} ms, server conversion {:.3} ms",
        len as f64 / 1e3,
        ms(total),
        ms(total_best),
        ms(edit),
        ms(scan),
        ms(convert),
    );
}
