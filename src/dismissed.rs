//! Findings dismissed one by one ("Ignore here" in an editor), kept in a
//! `.vblint-ignore` file outside the notes themselves.
//!
//! A case note is a record: pasted into a records system, anything written
//! into it goes too. So a dismissal is not a marker in the text but a
//! *fingerprint* in a file of the workspace: a hash of a random salt (kept
//! in the file), the rule, the flagged words and up to three words either
//! side of them in the same sentence and line, all normalised (lower case,
//! words only). No text of any note is stored, and the same words elsewhere
//! with different words around them are still reported. A fingerprint
//! holds no file name or position, so it survives moving the note or the
//! sentence and editing other sentences; changing the words around a
//! finding shows it again.
//!
//! The file (written by the language server, read by `vblint check`):
//!
//! ```text
//! # comment lines
//! salt 3f9c0d2e8a7b41c6953e0f1d2c3b4a59
//! put-self-at-risk 5d41402abc4b2a76b9719d911017c592
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::lexicon::Lexicon;
use crate::scan::Finding;

/// The name of the file of dismissed findings.
pub const FILE_NAME: &str = ".vblint-ignore";

/// How many words either side of a finding go into its fingerprint.
const CONTEXT_WORDS: usize = 3;

/// How far (in bytes) either side of a finding those words are looked for.
const CONTEXT_BYTES: usize = 200;

/// Where the words around a finding stop: the ends of its sentence or its
/// line.
const SENTENCE_END: [char; 4] = ['.', '!', '?', '\n'];

/// A set of dismissed findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dismissed {
    salt: String,
    /// Fingerprints by rule id.
    by_rule: BTreeMap<String, BTreeSet<String>>,
}

impl Default for Dismissed {
    /// An empty set with a new random salt.
    fn default() -> Dismissed {
        let salt = format!(
            "{:016x}{:016x}",
            crate::atomic::random(),
            crate::atomic::random()
        );
        Dismissed {
            salt,
            by_rule: BTreeMap::new(),
        }
    }
}

impl Dismissed {
    /// Reads the text of a `.vblint-ignore` file. Lines that are not a
    /// salt, a `rule fingerprint` pair, a comment or blank are counted in
    /// the second value and skipped.
    pub fn parse(text: &str) -> (Dismissed, usize) {
        let mut out = Dismissed {
            salt: String::new(),
            by_rule: BTreeMap::new(),
        };
        let mut bad = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some("salt"), Some(salt), None) if is_hex(salt) => out.salt = salt.to_string(),
                (Some(rule), Some(fp), None) if is_hex(fp) && fp.len() == 32 => {
                    out.insert(rule, fp);
                }
                _ => bad += 1,
            }
        }
        (out, bad)
    }

    /// The text of the file, fingerprints sorted by rule and value.
    pub fn to_text(&self) -> String {
        let mut s = String::from(
            "# vblint: findings dismissed with \"Ignore here\" in an editor.\n\
             # Each line below `salt` is a rule and the fingerprint of one dismissed\n\
             # finding: a hash of the flagged words and a few words around them.\n\
             # No text of any note is kept here. Delete a line to see that finding\n\
             # again, or this file to see them all.\n",
        );
        let _ = writeln!(s, "salt {}", self.salt);
        for (rule, fps) in &self.by_rule {
            for fp in fps {
                let _ = writeln!(s, "{rule} {fp}");
            }
        }
        s
    }

    /// Reads `path`: `Ok(None)` if there is no such file.
    ///
    /// # Errors
    ///
    /// If the file exists but cannot be read as UTF-8 text.
    pub fn load(path: &Path) -> std::io::Result<Option<(Dismissed, usize)>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(Dismissed::parse(&text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The `.vblint-ignore` that applies to `start`: the first found walking
    /// up from it (as `vblint.toml` is found).
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// Whether nothing is dismissed.
    pub fn is_empty(&self) -> bool {
        self.by_rule.is_empty()
    }

    /// Adds a fingerprint; false if it was there already.
    pub fn insert(&mut self, rule: &str, fingerprint: &str) -> bool {
        self.by_rule
            .entry(rule.to_string())
            .or_default()
            .insert(fingerprint.to_string())
    }

    /// Whether the finding of `rule` at `span` of `text` is dismissed.
    pub fn contains(&self, rule: &str, text: &str, span: Range<usize>) -> bool {
        self.by_rule
            .get(rule)
            .is_some_and(|fps| fps.contains(&self.fingerprint(rule, text, span)))
    }

    /// Drops the dismissed findings of `text` (a no-op when nothing is
    /// dismissed; fingerprints are computed only for the rules that have
    /// dismissals).
    pub fn retain(&self, lexicon: &Lexicon, text: &str, findings: &mut Vec<Finding>) {
        if self.is_empty() {
            return;
        }
        findings.retain(|f| !self.contains(&lexicon.get(f.entry).id, text, f.span.clone()));
    }

    /// The fingerprint of the finding of `rule` at `span` of `text`: 32 hex
    /// digits of a SHA-256 of the salt, the rule, the flagged words and up
    /// to three words either side (in the same sentence and line).
    pub fn fingerprint(&self, rule: &str, text: &str, span: Range<usize>) -> String {
        let lo = text.floor_char_boundary(span.start.saturating_sub(CONTEXT_BYTES));
        let hi = text.ceil_char_boundary((span.end + CONTEXT_BYTES).min(text.len()));
        let before = &text[lo..span.start];
        let before = words(&before[before.rfind(SENTENCE_END).map_or(0, |i| i + 1)..]);
        let after = &text[span.end..hi];
        let after = words(&after[..after.find(SENTENCE_END).unwrap_or(after.len())]);
        let before = &before[before.len().saturating_sub(CONTEXT_WORDS)..];
        let after = &after[..after.len().min(CONTEXT_WORDS)];
        let mut input = String::new();
        for part in [
            self.salt.as_str(),
            rule,
            &words(&text[span]).join(" "),
            &before.join(" "),
            &after.join(" "),
        ] {
            input.push_str(part);
            input.push('\0');
        }
        let digest = sha256(input.as_bytes());
        let mut hex = String::with_capacity(32);
        for b in &digest[..16] {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The words of `s`, lower case, with typographic apostrophes made plain.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('\u{2019}', "'"))
        .collect()
}

/// SHA-256 (FIPS 180-4) of `data`.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    // The message, a 1 bit, zeros, and the length in bits: whole blocks.
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_test_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // Two blocks, the length in the second.
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    const NOTE: &str = "Amy is putting herself at risk by going to the address.";

    fn dismissed() -> Dismissed {
        Dismissed::parse("salt 0123456789abcdef\n").0
    }

    #[test]
    fn fingerprints_hold_no_text_and_survive_layout_and_moves() {
        let d = dismissed();
        let span = 7..30;
        let fp = d.fingerprint("put-self-at-risk", NOTE, span.clone());
        assert_eq!(fp.len(), 32);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
        // Moved down the note, spaced out and in capitals.
        let moved = format!(
            "Earlier text. And more.\n\n{}",
            NOTE.to_uppercase().replace(' ', "  ")
        );
        let start = moved.find("PUTTING").unwrap();
        let end = moved.find("RISK").unwrap() + 4;
        assert_eq!(d.fingerprint("put-self-at-risk", &moved, start..end), fp);
        // Other words around it, another rule or another salt: another fingerprint.
        let other = NOTE.replace("going to", "visiting");
        assert_ne!(d.fingerprint("put-self-at-risk", &other, span.clone()), fp);
        assert_ne!(d.fingerprint("other-rule", NOTE, span.clone()), fp);
        assert_ne!(
            Dismissed::default().fingerprint("put-self-at-risk", NOTE, span),
            fp
        );
    }

    #[test]
    fn the_file_round_trips_and_bad_lines_are_counted() {
        let mut d = dismissed();
        let fp = d.fingerprint("put-self-at-risk", NOTE, 7..30);
        assert!(d.insert("put-self-at-risk", &fp));
        assert!(!d.insert("put-self-at-risk", &fp));
        let text = d.to_text();
        assert!(!text.contains("putting"), "{text}");
        assert!(text.contains(&format!("put-self-at-risk {fp}\n")), "{text}");
        let (again, bad) = Dismissed::parse(&text);
        assert_eq!((again, bad), (d.clone(), 0));
        assert!(d.contains("put-self-at-risk", NOTE, 7..30));
        let (_, bad) = Dismissed::parse("salt xyz\nrule-only\nrule 12\n# fine\n\n");
        assert_eq!(bad, 3);
    }
}
