//! Whether a sentence reports someone else's wording before a finding, so
//! that rewriting the finding would falsify the report: "earlier reports
//! called them child pornography", "she was previously described as
//! promiscuous", "Mum says she keeps going back to him", "amended from
//! child prostitute".
//!
//! The check looks at the words from the start of the sentence (after the
//! last `.`, `!`, `?`, `;` or `:` of the line, a colon between digits
//! excepted) up to the finding, for a cue below. It is deliberately broad:
//! a cue costs a quick fix, never a finding.

use crate::text::words;

/// Words that report or name someone's wording, one or more consecutive
/// words each, lower case.
const CUES: &[&[&str]] = &[
    // Naming: the words are someone's label.
    &["called"],
    &["calls"],
    &["calling"],
    &["call", "him"],
    &["call", "her"],
    &["call", "them"],
    &["call", "it"],
    &["call", "this"],
    &["describe"],
    &["describes"],
    &["described"],
    &["describing"],
    &["description"],
    &["referred", "to"],
    &["refers", "to"],
    &["refer", "to"],
    &["referring", "to"],
    &["known", "as"],
    &["label"],
    &["labels"],
    &["labelled"],
    &["labeled"],
    &["labelling"],
    &["labeling"],
    &["branded"],
    &["termed"],
    &["dubbed"],
    &["nicknamed"],
    &["recorded", "as"],
    &["logged", "as"],
    &["written", "as"],
    &["written", "up", "as"],
    &["noted", "as"],
    &["characterised"],
    &["characterized"],
    &["portrayed"],
    &["so", "called"],
    &["the", "term"],
    &["the", "terms"],
    &["the", "word"],
    &["the", "words"],
    &["the", "phrase"],
    &["the", "phrases"],
    &["the", "wording"],
    &["the", "language"],
    &["own", "words"],
    // Speech and opinion: what someone said or thinks, in their words.
    &["say"],
    &["says"],
    &["said"],
    &["saying"],
    &["tell"],
    &["tells"],
    &["told"],
    &["states"],
    &["stated"],
    &["stating"],
    &["disclosed"],
    &["discloses"],
    &["claims"],
    &["claimed"],
    &["claiming"],
    &["alleges"],
    &["alleged"],
    &["admits"],
    &["admitted"],
    &["believe"],
    &["believes"],
    &["believed"],
    &["think"],
    &["thinks"],
    &["thought"],
    &["feel"],
    &["feels"],
    &["felt"],
    &["view"],
    &["views"],
    &["opinion"],
    &["according", "to"],
    &["report"],
    &["reports"],
    &["reported"],
    &["reporting"],
    // Corrections: the words are the wording being corrected.
    &["previously", "recorded"],
    &["originally", "recorded"],
    &["amended"],
    &["corrected"],
    &["correction"],
    &["changed", "from"],
    &["instead", "of"],
    &["rather", "than"],
    &["replaced"],
    &["replacing"],
    &["reworded"],
    &["rewritten"],
];

/// Cues that are something else when the next word is one of these
/// ("reported missing" is a police procedure, not reported wording).
const NOT_CUES: &[(&str, &[&str])] = &[
    ("report", &["missing"]),
    ("reports", &["missing"]),
    ("reported", &["missing"]),
    ("reporting", &["missing"]),
];

/// Whether the sentence before the end of `before` (the text of a line up
/// to a finding) reports someone else's wording, so the finding must not
/// be rewritten.
pub fn reports_wording(before: &str) -> bool {
    let sentence = &before[sentence_start(before)..];
    let said: Vec<String> = words(sentence).map(|(_, w)| w.to_lowercase()).collect();
    (0..said.len()).any(|i| {
        CUES.iter().any(|cue| {
            said.len() - i >= cue.len()
                && cue.iter().zip(&said[i..]).all(|(c, w)| c == w)
                && !NOT_CUES.iter().any(|(word, next)| {
                    cue.len() == 1
                        && cue[0] == *word
                        && said.get(i + 1).is_some_and(|n| next.contains(&n.as_str()))
                })
        })
    })
}

/// Where the sentence that `before` ends in starts: just after the last
/// `.`, `!`, `?`, `;` or `:` followed by a space (a colon or full stop
/// between digits, as in "21:40" or "1.5", does not end a sentence).
fn sentence_start(before: &str) -> usize {
    let bytes = before.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'.' | b'!' | b'?' | b';' | b':') {
            continue;
        }
        let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
        let digit_after = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if matches!(b, b'.' | b':') && digit_before && digit_after {
            continue;
        }
        start = i + 1;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_speech_and_corrections_are_reported_wording() {
        for before in [
            "Earlier reports called them ",
            "She was previously described as ",
            "School describe her as ",
            "The referral referred to her as a ",
            "Audit 2019: the term ",
            "Mum says she ",
            "23:15 IP (14) STATES SHE ",
            "Night staff believe the allegation is ",
            "Record amended from ",
            "Note: use non-recent abuse instead of ",
            "He was known as a ",
            "Her so-called ",
        ] {
            assert!(reports_wording(before), "{before:?}");
        }
    }

    #[test]
    fn plain_statements_are_not() {
        for before in [
            "She keeps ",
            "14:05 Call from carer: YP is ",
            "Mum called police at 21:40. She is ",
            "Staff said she was cold; she is ",
            "Chloe has been reported missing 23 times and is a ",
            "Missing episode 4: Jayden continues to ",
            "",
        ] {
            assert!(!reports_wording(before), "{before:?}");
        }
    }

    #[test]
    fn sentences_end_at_stops_not_in_times() {
        assert_eq!(sentence_start("At 21:40 she "), 0);
        assert_eq!(sentence_start("He said so. She "), 11);
        assert_eq!(sentence_start("Log: she "), 4);
        assert_eq!(sentence_start("It was 1.5 miles; she "), 17);
    }
}
