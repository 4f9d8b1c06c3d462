//! Finding fingerprints for baselines and SARIF `partialFingerprints`.
//!
//! A fingerprint must survive unrelated edits, so it holds no line number or
//! offset: it hashes the rule, the path of a file or the id of a record (not
//! its file's name, so a renamed export still matches), the matched text
//! (normalised: lower case, single spaces), up to three normalised words
//! either side, and the occurrence index of that same combination in the
//! document (so two identical sentences in one note stay two findings).

use std::collections::HashMap;

use super::Source;
use crate::scan::Finding;

/// 64-bit FNV-1a, stable across platforms and releases.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Computes fingerprints of the findings of one document, in order.
#[derive(Default)]
pub struct Fingerprinter {
    seen: HashMap<u64, usize>,
}

impl Fingerprinter {
    /// The fingerprint of `finding` in `source` (call in document order).
    pub fn fingerprint(&mut self, source: &Source<'_>, rule: &str, finding: &Finding) -> String {
        let text = source.text;
        let matched = words(&text[finding.span.clone()]).join(" ");
        let lo = text.floor_char_boundary(finding.span.start.saturating_sub(80));
        let hi = text.ceil_char_boundary((finding.span.end + 80).min(text.len()));
        let before = words(&text[lo..finding.span.start]);
        let after = words(&text[finding.span.end..hi]);
        let before = before[before.len().saturating_sub(3)..].join(" ");
        let after = after[..after.len().min(3)].join(" ");
        // A record is known by its id, not by the file it came in: a
        // monthly export saved under a new name keeps its fingerprints.
        let (path, record) = match source.record {
            Some(id) => ("", id),
            None => (source.path, ""),
        };
        let key = fnv1a(&[rule, path, record, &matched, &before, &after]);
        let n = self.seen.entry(key).or_default();
        *n += 1;
        format!("{key:016x}:{}", *n)
    }
}
