//! Inline suppression markers written by people in their documents:
//! `vblint: ignore RULE` on a line (or alone on the line before) and
//! `vblint-disable` … `vblint-enable` regions.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::packed;

/// Whether `text` contains `vblint` in any case, as every inline marker
/// does.
///
/// The search runs over the whole of a document, often a big one. It looks
/// for the four ways to write `vb` with aho-corasick's SIMD search (Teddy),
/// which passes over the pair's rare places, not for every `v`.
pub fn mentions_vblint(text: &str) -> bool {
    static VB: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
        packed::Config::new()
            .builder()
            .extend(["vb", "vB", "Vb", "VB"])
            .build()
    });
    let bytes = text.as_bytes();
    let is_vblint =
        |i: usize| bytes.len() - i >= 6 && bytes[i..i + 6].eq_ignore_ascii_case(b"vblint");
    match &*VB {
        Some(searcher) => searcher.find_iter(bytes).any(|m| is_vblint(m.start())),
        None => memchr::memchr2_iter(b'v', b'V', bytes).any(is_vblint),
    }
}

const IGNORE_MARKER: &str = "vblint: ignore";

/// Whether a line carries `vblint: ignore` for `rule` (or for every rule).
pub(super) fn marker_ignores(line: &str, rule: &str) -> bool {
    let mut rest = line;
    while let Some(i) = find_ascii_ci(rest, IGNORE_MARKER) {
        let after = &rest[i + IGNORE_MARKER.len()..];
        let ids = marker_ids(after);
        if ids.is_empty() || ids.contains(&rule) {
            return true;
        }
        rest = after;
    }
    false
}

/// The rule ids after a marker: kebab-case words separated by spaces or commas.
fn marker_ids(after: &str) -> Vec<&str> {
    let mut ids = Vec::new();
    for token in after.split([' ', ',', '\t']) {
        if token.is_empty() {
            continue;
        }
        let token = token.trim_end_matches(['-', '>', ']', ')', '*', '/']);
        if !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            ids.push(token);
        } else {
            break;
        }
    }
    ids
}

/// Whether a line holds nothing but a marker (and comment punctuation).
pub(super) fn is_marker_only(line: &str) -> bool {
    let Some(i) = find_ascii_ci(line, IGNORE_MARKER) else {
        return false;
    };
    line[..i].chars().all(|c| {
        c.is_whitespace() || matches!(c, '<' | '!' | '-' | '#' | '/' | '*' | '[' | '(' | ';' | '%')
    })
}

pub(super) fn disabled_regions(text: &str) -> Vec<(Range<usize>, Vec<String>)> {
    let mut regions = Vec::new();
    let finder = memchr::memmem::Finder::new(b"vblint-");
    let mut open: Vec<(usize, Vec<String>)> = Vec::new();
    for at in finder.find_iter(text.as_bytes()) {
        let rest = &text[at + "vblint-".len()..];
        let line_end = rest.find('\n').map_or(rest.len(), |i| i);
        let rest = &rest[..line_end];
        if let Some(after) = rest.strip_prefix("disable") {
            let ids = marker_ids(after).into_iter().map(String::from).collect();
            open.push((at, ids));
        } else if let Some(after) = rest.strip_prefix("enable") {
            let ids: Vec<String> = marker_ids(after).into_iter().map(String::from).collect();
            open.retain(|(start, rules)| {
                let closes = ids.is_empty() || *rules == ids;
                if closes {
                    regions.push((*start..at, rules.clone()));
                }
                !closes
            });
        }
    }
    regions.extend(
        open.into_iter()
            .map(|(start, rules)| (start..text.len(), rules)),
    );
    regions
}

/// Finds `needle` (ASCII, lower-case) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
