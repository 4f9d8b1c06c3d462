//! Phrase matching by anchor and verification.
//!
//! A lexicon phrase is a sequence of slots (see
//! [`crate::lexicon::variant::slots`]): `put|puts {self} [serious] at risk`
//! has a verb slot, a pronoun slot, an optional adjective and two fixed
//! words. Written out, one such phrase stands for thousands of concrete
//! phrases, and an automaton over all of them is large, slow to build and
//! slow to run (cache misses).
//!
//! Instead, each phrase contributes one *anchor* slot — the required slot
//! whose options are longest, so the rarest in text — and the automaton holds
//! only the anchors' options: a few hundred short words. Where an anchor
//! occurs on word boundaries, the slots before it are matched backwards and
//! the slots after it forwards, against the normalised text, trying every
//! option (and "left out" for optional slots). Every combination found is a
//! match of one concrete phrase, so the result is exactly the set of
//! occurrences that a search for every concrete phrase would report.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::on_word_boundaries;

/// One occurrence of a phrase in normalised text, on word boundaries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RawMatch {
    /// Start in the normalised text.
    pub start: usize,
    /// End in the normalised text.
    pub end: usize,
    /// The phrase, in the order phrases were given to [`PhraseSet::new`].
    pub phrase: usize,
}

/// A phrase in matching form.
#[derive(Debug)]
struct Compiled {
    /// Per slot, its options as lower-case bytes; an empty option means the
    /// slot may be left out.
    slots: Vec<Vec<Box<[u8]>>>,
    /// The slot the automaton finds.
    anchor: usize,
}

/// Where an anchor string leads: a phrase and its anchor slot.
type Targets = Vec<u32>;

/// A set of phrases compiled for matching.
#[derive(Debug)]
pub(crate) struct PhraseSet {
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern: the phrases it anchors.
    targets: Vec<Targets>,
    phrases: Vec<Compiled>,
    /// The number of concrete phrases the slots stand for.
    forms: usize,
}

/// Words too common to make a good anchor when a phrase has anything rarer.
const COMMON: &[&str] = &[
    "a", "an", "and", "as", "at", "be", "been", "being", "by", "for", "from", "had", "has", "have",
    "her", "him", "his", "in", "is", "it", "of", "on", "or", "she", "he", "the", "their", "them",
    "they", "to", "was", "were", "with",
];

impl PhraseSet {
    /// Compiles phrases given as slots of normalised, lower-case options.
    /// Phrases with no required slot never match (the loader rejects them).
    ///
    /// # Errors
    ///
    /// If the automaton cannot be built.
    pub(crate) fn new<'p>(
        phrases: impl IntoIterator<Item = &'p [Vec<String>]>,
    ) -> Result<PhraseSet, aho_corasick::BuildError> {
        let mut compiled = Vec::new();
        let mut strings: Vec<&[u8]> = Vec::new();
        let mut targets: Vec<Targets> = Vec::new();
        let mut index: std::collections::HashMap<&[u8], usize> = Default::default();
        let mut forms = 0usize;
        for slots in phrases {
            let phrase = compiled.len() as u32;
            let anchor = choose_anchor(slots);
            forms = forms.saturating_add(
                slots
                    .iter()
                    .map(Vec::len)
                    .fold(1usize, usize::saturating_mul),
            );
            if let Some(anchor) = anchor {
                for option in &slots[anchor] {
                    let key = option.as_bytes();
                    let slot = *index.entry(key).or_insert_with(|| {
                        strings.push(key);
                        targets.push(Vec::new());
                        targets.len() - 1
                    });
                    if targets[slot].last() != Some(&phrase) {
                        targets[slot].push(phrase);
                    }
                }
            }
            compiled.push(Compiled {
                slots: slots
                    .iter()
                    .map(|options| options.iter().map(|o| o.as_bytes().into()).collect())
                    .collect(),
                anchor: anchor.unwrap_or(usize::MAX),
            });
        }
        let automaton = if strings.is_empty() {
            None
        } else {
            // A DFA: with only the anchors in it, it builds in a few
            // milliseconds and takes about a megabyte.
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&strings)?,
            )
        };
        Ok(PhraseSet {
            automaton,
            targets,
            phrases: compiled,
            forms,
        })
    }

    /// The number of concrete phrases matched.
    pub(crate) fn forms(&self) -> usize {
        self.forms
    }

    /// The number of anchor strings in the automaton.
    pub(crate) fn anchors(&self) -> usize {
        self.targets.len()
    }

    /// Appends every occurrence of every phrase in `text` (normalised) that
    /// sits on word boundaries, sorted by start, then end, then phrase; of
    /// several phrases with the same span only the first is kept (the same
    /// concrete words defined twice: the first definition wins).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<RawMatch>) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        let from = out.len();
        let bytes = text.as_bytes();
        let mut lefts = Vec::new();
        let mut rights = Vec::new();
        for m in automaton.find_overlapping_iter(text) {
            // Inside a phrase an anchor is bordered by spaces; at its edges
            // by word boundaries: either way, by word boundaries.
            if !on_word_boundaries(text, m.start(), m.end()) {
                continue;
            }
            for &p in &self.targets[m.pattern().as_usize()] {
                let phrase = &self.phrases[p as usize];
                lefts.clear();
                rights.clear();
                extend_left(bytes, &phrase.slots[..phrase.anchor], m.start(), &mut lefts);
                if lefts.is_empty() {
                    continue;
                }
                extend_right(
                    bytes,
                    &phrase.slots[phrase.anchor + 1..],
                    m.end(),
                    &mut rights,
                );
                for &start in &lefts {
                    for &end in &rights {
                        if on_word_boundaries(text, start, end) {
                            out.push(RawMatch {
                                start,
                                end,
                                phrase: p as usize,
                            });
                        }
                    }
                }
            }
        }
        let found = &mut out[from..];
        found.sort_unstable();
        let mut kept = from;
        for i in from..out.len() {
            if kept == from
                || (out[kept - 1].start, out[kept - 1].end) != (out[i].start, out[i].end)
            {
                out.swap(kept, i);
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

/// The anchor slot of a phrase: a required slot (no empty option) whose
/// shortest option is longest, not a common word if there is a choice; ties
/// go to the slot with fewer options.
fn choose_anchor(slots: &[Vec<String>]) -> Option<usize> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, options)| !options.is_empty() && options.iter().all(|o| !o.is_empty()))
        .max_by_key(|(i, options)| {
            let shortest = options.iter().map(String::len).min().unwrap_or(0);
            let common = options.iter().any(|o| COMMON.contains(&o.as_str()));
            (
                !common,
                shortest,
                std::cmp::Reverse(options.len()),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(i, _)| i)
}

/// Matches `slots` backwards from `pos` (the start of what follows them),
/// pushing every possible start, without duplicates.
fn extend_left(text: &[u8], slots: &[Vec<Box<[u8]>>], pos: usize, out: &mut Vec<usize>) {
    let Some((last, rest)) = slots.split_last() else {
        if !out.contains(&pos) {
            out.push(pos);
        }
        return;
    };
    for option in last {
        if option.is_empty() {
            extend_left(text, rest, pos, out);
        } else if pos > option.len()
            && text[pos - 1] == b' '
            && text[pos - 1 - option.len()..pos - 1].eq_ignore_ascii_case(option)
        {
            extend_left(text, rest, pos - 1 - option.len(), out);
        }
    }
}

/// Matches `slots` forwards from `pos` (the end of what precedes them),
/// pushing every possible end, without duplicates.
fn extend_right(text: &[u8], slots: &[Vec<Box<[u8]>>], pos: usize, out: &mut Vec<usize>) {
    let Some((first, rest)) = slots.split_first() else {
        if !out.contains(&pos) {
            out.push(pos);
        }
        return;
    };
    for option in first {
        if option.is_empty() {
            extend_right(text, rest, pos, out);
        } else if text.len() > pos + option.len()
            && text[pos] == b' '
            && text[pos + 1..pos + 1 + option.len()].eq_ignore_ascii_case(option)
        {
            extend_right(text, rest, pos + 1 + option.len(), out);
        }
    }
}

/// The ranges of `out` from a [`PhraseSet::find`] call, for tests.
#[cfg(test)]
pub(crate) fn spans(matches: &[RawMatch]) -> Vec<std::ops::Range<usize>> {
    matches.iter().map(|m| m.start..m.end).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(phrases: &[&[&[&str]]]) -> PhraseSet {
        let owned: Vec<Vec<Vec<String>>> = phrases
            .iter()
            .map(|p| {
                p.iter()
                    .map(|s| s.iter().map(|o| o.to_string()).collect())
                    .collect()
            })
            .collect();
        PhraseSet::new(owned.iter().map(Vec::as_slice)).unwrap()
    }

    fn found(set: &PhraseSet, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        set.find(text, &mut out);
        out.iter()
            .map(|m| (text[m.start..m.end].to_string(), m.phrase))
            .collect()
    }

    #[test]
    fn anchors_on_the_rarest_required_slot() {
        let slots = |p: &[&[&str]]| -> Vec<Vec<String>> {
            p.iter()
                .map(|s| s.iter().map(|o| o.to_string()).collect())
                .collect()
        };
        let p = slots(&[
            &["put", "puts"],
            &["herself", "her self"],
            &["at"],
            &["serious", ""],
            &["risk"],
        ]);
        assert_eq!(choose_anchor(&p), Some(1));
        let p = slots(&[&["at"], &["risk"]]);
        assert_eq!(choose_anchor(&p), Some(1));
        let p = slots(&[&["a", ""]]);
        assert_eq!(choose_anchor(&p), None);
    }

    #[test]
    fn every_combination_of_options_matches() {
        let s = set(&[&[
            &["put", "puts"],
            &["herself", "her self"],
            &["serious", ""],
            &["at"],
            &["risk"],
        ]]);
        assert_eq!(
            found(
                &s,
                "She PUTS her self at risk; he put herself serious at risk."
            ),
            [
                ("PUTS her self at risk".into(), 0),
                ("put herself serious at risk".into(), 0)
            ]
        );
        assert!(found(&s, "put herself at risky").is_empty());
        assert!(found(&s, "input herself at risk").is_empty());
        assert!(
            found(&s, "put  herself at risk").is_empty(),
            "text is normalised first"
        );
    }

    #[test]
    fn overlapping_and_nested_phrases_are_all_reported() {
        let s = set(&[
            &[&["older", ""], &["boyfriend"]],
            &[&["boyfriend"], &["aged"]],
        ]);
        let mut out = Vec::new();
        s.find("her older boyfriend aged 30", &mut out);
        assert_eq!(spans(&out), [4..19, 10..19, 10..24]);
    }

    #[test]
    fn the_first_definition_of_a_span_wins() {
        let s = set(&[&[&["consent"]], &[&["consent"]]]);
        assert_eq!(found(&s, "consent"), [("consent".into(), 0)]);
    }

    /// Every concrete phrase the slots stand for.
    fn expand(slots: &[Vec<String>]) -> Vec<String> {
        let mut out = vec![String::new()];
        for options in slots {
            out = out
                .iter()
                .flat_map(|prefix| {
                    options
                        .iter()
                        .map(move |o| match (prefix.is_empty(), o.is_empty()) {
                            (_, true) => prefix.clone(),
                            (true, false) => o.clone(),
                            (false, false) => format!("{prefix} {o}"),
                        })
                })
                .collect();
        }
        out
    }

    /// The reference: every occurrence of every concrete phrase on word
    /// boundaries, ignoring ASCII case, the first phrase winning a span.
    fn naive(phrases: &[Vec<Vec<String>>], text: &str) -> Vec<RawMatch> {
        let mut out: Vec<RawMatch> = Vec::new();
        for (p, slots) in phrases.iter().enumerate() {
            for v in expand(slots).iter().filter(|v| !v.is_empty()) {
                for start in 0..text.len() {
                    let end = start + v.len();
                    if end <= text.len()
                        && text.is_char_boundary(start)
                        && text.is_char_boundary(end)
                        && text[start..end].eq_ignore_ascii_case(v)
                        && on_word_boundaries(text, start, end)
                        && !out.iter().any(|m| (m.start, m.end) == (start, end))
                    {
                        out.push(RawMatch {
                            start,
                            end,
                            phrase: p,
                        });
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    proptest::proptest! {
        #[test]
        fn anchored_matching_equals_searching_every_concrete_phrase(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "put", "PUT", "puts", "herself", "her", "self", "at", "AT", "serious",
                    "risk", "risky", "older", "boyfriend", "aged", "consent", "form", "x",
                    "é", "-", ".", "\n", "'",
                ]),
                0..24,
            ),
            joins in proptest::collection::vec(proptest::sample::select(vec![" ", "", " ", "\n"]), 24),
        ) {
            let mut text = String::new();
            for (w, j) in words.iter().zip(&joins) {
                text.push_str(w);
                text.push_str(j);
            }
            let phrases: Vec<Vec<Vec<String>>> = [
                &[&["put", "puts"][..], &["herself", "her self"], &["serious", ""], &["at"], &["risk"]][..],
                &[&["older", ""], &["boyfriend"]],
                &[&["boyfriend"], &["aged", ""], &["at", ""]],
                &[&["consent"]],
                &[&["consent"], &["form"]],
                &[&["at"], &["risk", "serious risk"]],
                &[&["her", ""], &["self", "x"]],
            ]
            .iter()
            .map(|p| p.iter().map(|s| s.iter().map(|o| o.to_string()).collect()).collect())
            .collect();
            let set = PhraseSet::new(phrases.iter().map(Vec::as_slice)).unwrap();
            let mut found = Vec::new();
            set.find(&text, &mut found);
            proptest::prop_assert_eq!(found, naive(&phrases, &text));
        }
    }
}
