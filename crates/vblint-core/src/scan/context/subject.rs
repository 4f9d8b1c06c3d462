//! Who a sentence is about, for entries with a `subject` (see
//! [`crate::lexicon::Subject`]).
//!
//! A sentence names people in a few recognisable ways: a stated age next
//! to a name or noun ("Claire (32)", "the male, 29,", "a 24-year-old",
//! "aged 15", "F15", "Kofi is 14"), a role ("Mum", "the officer", "the
//! suspect", "YP", "the child") or a name the record has already given an
//! age. Each such mention is an adult (18 or more, an adult role) or a
//! child (under 18, a child word).
//!
//! The subject of a match is the nearest mention before it in its
//! sentence; a pronoun between a role word and the match ("Staff believe
//! she is…") refers back past the role word to the nearest aged or named
//! mention, or to no one; with no mention before it, a match followed by
//! "of" takes the first mention after it ("the boyfriend of the victim's
//! mother"). A sentence that names a child anywhere is never treated as
//! about an adult.
//!
//! The record around the sentence is its document's first lines (the
//! header), the 600 bytes before the sentence and the rest of its
//! paragraph, plus facts a caller gives for the record (an age column):
//! it establishes a child for `subject = "child"` and gives ages to names.
//! Only that much is read, so an edit further away cannot change a
//! finding (see `Scanner::rescan`).

use std::ops::Range;

use super::regions::{
    floor, paragraph_end, paragraph_start, sentence_end_within, sentence_start_within,
};
use super::{DocContext, header_end};
use crate::lexicon::Subject;

/// How many bytes before the sentence count as its record's earlier
/// sentences (a few sentences: enough for "Ruby (13) …" before "Ruby is
/// easily led", and cheap to split for every candidate).
const RECORD_BEFORE: usize = 600;

/// Adult or child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    Adult,
    Child,
}

/// Facts about a record that its text may not state: what a caller knows
/// from the record's other fields (a CSV or JSONL age column).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFacts {
    /// The age of the person the record is about, in whole years.
    pub age: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A stated age; `named` when a name stands right before it.
    Age { named: bool },
    /// A role word ("mum", "officer", "YP").
    Role,
    /// A name the record gave an age.
    Name,
    /// she, he, they…
    Pronoun,
    /// A person in an object ("with Ms Carter (39)"): names a child for
    /// the sentence but is not its subject.
    Object,
}

#[derive(Clone, Copy, Debug)]
struct Mention {
    at: usize,
    who: Option<Who>,
    kind: Kind,
}

/// Words of `text[range]`: runs of ASCII letters, digits, apostrophes and
/// non-ASCII characters.
fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'\'' || c >= 0x80;
    while i < range.end {
        if is_word(b[i]) {
            let s = i;
            while i < range.end && is_word(b[i]) {
                i += 1;
            }
            // Apostrophes at the ends are quotation marks, not part of a word.
            let (mut s2, mut e2) = (s, i);
            while s2 < e2 && b[s2] == b'\'' {
                s2 += 1;
            }
            while e2 > s2 && b[e2 - 1] == b'\'' {
                e2 -= 1;
            }
            if s2 < e2 {
                out.push(s2..e2);
            }
        } else {
            i += 1;
        }
    }
    out
}

const ADULT_ROLES: &[&str] = &[
    "mum",
    "mum's",
    "mother",
    "mother's",
    "mom",
    "mam",
    "dad",
    "dad's",
    "father",
    "father's",
    "stepdad",
    "stepfather",
    "stepmum",
    "stepmother",
    "nan",
    "nana",
    "gran",
    "grandma",
    "grandmother",
    "grandad",
    "grandfather",
    "aunt",
    "auntie",
    "uncle",
    "landlady",
    "landlord",
    "suspect",
    "suspect's",
    "defendant",
    "defendant's",
    "husband",
    "wife",
    "lodger",
    "mr",
    "mrs",
    "ms",
    "parent",
    "parents",
    "adult",
    "adults",
    "complainant's",
    "neighbour",
];

/// Professionals: the subject of a sentence only when a form of "be" or
/// "have" follows ("Staff are aware of the risks"); otherwise they are
/// the ones reporting on or acting for the child ("officers stopped…").
const PROFESSIONALS: &[&str] = &[
    "officer",
    "officers",
    "pc",
    "dc",
    "ds",
    "sergeant",
    "inspector",
    "staff",
    "carer",
    "carers",
    "manager",
    "teacher",
    "teachers",
    "nurse",
    "worker",
    "workers",
    "caller",
    "police",
    "professionals",
    "team",
    "school",
];

const COPULAS: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "themselves",
    "herself",
    "himself",
];

/// Words that make the mention after them an object, not a subject.
const PREPOSITIONS: &[&str] = &[
    "with", "to", "by", "from", "for", "at", "about", "against", "towards", "and", "between",
];

const CHILD_ROLES: &[&str] = &[
    "yp",
    "yp's",
    "child",
    "child's",
    "girl",
    "boy",
    "daughter",
    "son",
    "pupil",
    "schoolgirl",
    "schoolboy",
    "teenager",
    "cyp",
    "girls",
    "boys",
    "children",
    "kids",
    "minor",
    "minors",
    "underage",
    "pupils",
];

/// Words after "child" that make it part of a service's or offence's name.
const CHILD_COMPOUNDS: &[&str] = &[
    "protection",
    "sexual",
    "criminal",
    "exploitation",
    "abuse",
    "services",
    "care",
    "minding",
    "safeguarding",
    "practice",
    "in",
];

const PRONOUNS: &[&str] = &[
    "she",
    "he",
    "her",
    "him",
    "herself",
    "himself",
    "they",
    "them",
    "themselves",
    "his",
];

/// Words after a number that make it a quantity, not an age.
const UNITS: &[&str] = &[
    "hours",
    "hour",
    "hrs",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "minutes",
    "mins",
    "times",
    "pounds",
    "miles",
    "am",
    "pm",
    "occasions",
    "people",
    "men",
    "males",
    "girls",
    "boys",
    "children",
    "st",
    "nd",
    "rd",
    "th",
    "percent",
    "calls",
    "episodes",
];

/// Nouns for a person that an age may follow ("male 25", "child 14").
const PERSON_NOUNS: &[&str] = &[
    "child", "male", "female", "man", "woman", "boy", "girl", "lad", "yp", "pt", "patient",
    "victim", "ip", "f", "m", "age", "aged", "ages",
];

/// Whether a capitalised word may be a name (not a role, pronoun or
/// function word).
fn is_name_like(word: &str) -> bool {
    !PERSON_NOUNS.contains(&word)
        && !ADULT_ROLES.contains(&word)
        && !CHILD_ROLES.contains(&word)
        && !PRONOUNS.contains(&word)
        && !matches!(
            word,
            "the"
                | "is"
                | "was"
                | "a"
                | "an"
                | "and"
                | "aged"
                | "at"
                | "it"
                | "this"
                | "who"
                | "age"
        )
        && !word.bytes().all(|c| c.is_ascii_digit())
}

fn lower(text: &str, w: &Range<usize>) -> String {
    text[w.clone()].to_ascii_lowercase()
}

fn is_capitalised(text: &str, w: &Range<usize>) -> bool {
    text.as_bytes()[w.start].is_ascii_uppercase()
}

/// The age a word states, if it is a number that reads as an age where it
/// stands: `(32)`, `, 29,`, `aged 15`, `15-year-old`, `15yo`, `F15`, `is 14`.
fn age_at(text: &str, ws: &[Range<usize>], i: usize) -> Option<u32> {
    let b = text.as_bytes();
    let w = &ws[i];
    let word = lower(text, w);
    // Digits with a suffix: 15yo, 15yrs, f15, m23.
    let (digits, suffix_age) = if let Some(d) = word
        .strip_suffix("yo")
        .or_else(|| word.strip_suffix("yrs"))
        .or_else(|| word.strip_suffix("yr"))
    {
        (d.to_string(), true)
    } else if (word.starts_with('f') || word.starts_with('m')) && word.len() <= 3 && word.len() >= 2
    {
        (word[1..].to_string(), true)
    } else {
        (word.clone(), false)
    };
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    if n == 0 {
        return None;
    }
    if suffix_age {
        return Some(n);
    }
    // Times, dates and decimals: 21:40, 05/03, 1.5
    let before = if w.start > 0 { b[w.start - 1] } else { b' ' };
    let after = b.get(w.end).copied().unwrap_or(b' ');
    let next_is_digit = b.get(w.end + 1).is_some_and(u8::is_ascii_digit);
    if matches!(after, b':' | b'/' | b'%')
        || matches!(before, b':' | b'/' | b'\xa3' | b'$')
        || (after == b'.' && next_is_digit)
    {
        return None;
    }
    let prev = i.checked_sub(1).map(|k| lower(text, &ws[k]));
    let prev2 = i.checked_sub(2).map(|k| lower(text, &ws[k]));
    let next = ws.get(i + 1).map(|r| lower(text, r));
    let next2 = ws.get(i + 2).map(|r| lower(text, r));
    let next_is = |set: &[&str]| next.as_deref().is_some_and(|n| set.contains(&n));
    if next_is(UNITS) {
        return None;
    }
    // 15-year-old, 15 years old, 15 yo, 15 yrs
    if next_is(&["year", "years", "yr", "yrs", "yo", "y"]) {
        return Some(n);
    }
    let prev_is = |set: &[&str]| prev.as_deref().is_some_and(|p| set.contains(&p));
    if prev_is(PERSON_NOUNS) {
        return Some(n);
    }
    // a lad of 22, the age of 13
    if prev_is(&["of"])
        && prev2
            .as_deref()
            .is_some_and(|p| PERSON_NOUNS.contains(&p) || p == "lad" || p == "men")
    {
        return Some(n);
    }
    // (32), (F, 15), , 29,
    let gap_before = text[..w.start].trim_end_matches([' ', '\t']);
    let opener = gap_before.as_bytes().last().copied();
    let closer = text[w.end..]
        .trim_start_matches([' ', '\t'])
        .as_bytes()
        .first()
        .copied();
    if matches!(opener, Some(b'(' | b','))
        && matches!(closer, Some(b')' | b',' | b'.' | b';') | None)
    {
        return Some(n);
    }
    // "Kofi is 14.", "since she was 13", "at 15 he…"
    if prev_is(&["is", "was", "turned", "turns", "under", "now"])
        || prev_is(&["at"])
            && (next.is_none() || next_is(PRONOUNS) || matches!(closer, Some(b',' | b'.' | b';')))
    {
        let ends = matches!(closer, Some(b',' | b'.' | b';' | b')') | None)
            || next_is(&["and", "but", "so", "he", "she"]);
        if ends || prev_is(&["under"]) {
            return Some(n);
        }
    }
    let _ = next2;
    None
}

/// The mentions of people in `text[range]`, in order, using `names` (names
/// with the age the record gave them) for names.
fn mentions(
    text: &str,
    range: Range<usize>,
    names: &[(String, Who)],
) -> Vec<(Mention, Option<String>)> {
    let ws = words(text, range);
    let mut out = Vec::new();
    // Whether a preposition stands one or two words before word `i`
    // ("the contact with the 19-year-old", "against the agency worker").
    let object = |i: usize| {
        (1..=3).any(|k| {
            i.checked_sub(k)
                .is_some_and(|j| PREPOSITIONS.contains(&lower(text, &ws[j]).as_str()))
        })
    };
    let mut push = |at: usize, who: Option<Who>, kind: Kind, name: Option<String>| {
        out.push((Mention { at, who, kind }, name));
    };
    for i in 0..ws.len() {
        let w = &ws[i];
        let word = lower(text, w);
        if let Some(age) = age_at(text, &ws, i) {
            let who = if age >= 18 { Who::Adult } else { Who::Child };
            // The name before it, or the name before "is" ("Kofi is 14").
            let mut name = None;
            let mut first = i;
            let mut attached = false;
            if let Some(k) = i.checked_sub(1) {
                let p = &ws[k];
                let pl = lower(text, p);
                attached = ADULT_ROLES.contains(&pl.as_str()) || CHILD_ROLES.contains(&pl.as_str());
                if is_capitalised(text, p) && is_name_like(&pl) {
                    name = Some(pl);
                    first = k;
                } else if matches!(pl.as_str(), "is" | "was") && k >= 1 {
                    let q = &ws[k - 1];
                    let ql = lower(text, q);
                    if is_capitalised(text, q) && is_name_like(&ql) {
                        name = Some(ql);
                        first = k - 1;
                    }
                }
            }
            // A name of two capitalised words ("Kane WILLIAMS (15)").
            if name.is_some() && first >= 1 {
                let q = &ws[first - 1];
                if is_capitalised(text, q) && is_name_like(&lower(text, q)) && !object(first) {
                    first -= 1;
                }
            }
            // An age after "at", "is" or "was" belongs to the subject
            // ("became sexually active with an adult at 12").
            let own = i.checked_sub(1).is_some_and(|k| {
                matches!(
                    lower(text, &ws[k]).as_str(),
                    "at" | "is" | "was" | "under" | "aged" | "age"
                )
            }) && name.is_none();
            let kind = if object(first) && !attached && !own {
                Kind::Object
            } else {
                Kind::Age {
                    named: attached || name.is_some(),
                }
            };
            push(ws[first].start, Some(who), kind, name);
            continue;
        }
        // in his twenties, in their 30s
        if matches!(
            word.as_str(),
            "twenties" | "thirties" | "forties" | "fifties" | "20s" | "30s" | "40s" | "50s"
        ) {
            push(w.start, Some(Who::Adult), Kind::Object, None);
            continue;
        }
        if ADULT_ROLES.contains(&word.as_str()) {
            let kind = if object(i) { Kind::Object } else { Kind::Role };
            push(w.start, Some(Who::Adult), kind, None);
            continue;
        }
        if PROFESSIONALS.contains(&word.as_str()) {
            let acts = ws
                .get(i + 1)
                .is_some_and(|n| COPULAS.contains(&lower(text, n).as_str()));
            if acts && !object(i) {
                push(w.start, Some(Who::Adult), Kind::Role, None);
            }
            continue;
        }
        if CHILD_ROLES.contains(&word.as_str()) {
            let compound = ws
                .get(i + 1)
                .is_some_and(|n| CHILD_COMPOUNDS.contains(&lower(text, n).as_str()));
            if !compound {
                let kind = if object(i) { Kind::Object } else { Kind::Role };
                push(w.start, Some(Who::Child), kind, None);
            }
            continue;
        }
        if PRONOUNS.contains(&word.as_str()) {
            push(w.start, None, Kind::Pronoun, None);
            continue;
        }
        if is_capitalised(text, w)
            && let Some((_, who)) = names.iter().find(|(n, _)| *n == word)
        {
            let kind = if object(i) { Kind::Object } else { Kind::Name };
            push(w.start, Some(*who), kind, None);
        }
    }
    out
}

/// Whether `text[range]` establishes a child: an age under 18, a child
/// word, or a date of birth.
fn establishes_child(text: &str, range: Range<usize>) -> bool {
    let ws = words(text, range.clone());
    if ws
        .iter()
        .any(|w| matches!(lower(text, w).as_str(), "dob" | "d.o.b"))
    {
        return true;
    }
    mentions(text, range, &[])
        .iter()
        .any(|(m, _)| m.who == Some(Who::Child))
}

/// The names given an age in `text[range]`, each with adult or child; a
/// name given both is left out.
fn named_ages(text: &str, range: Range<usize>) -> Vec<(String, Who)> {
    let mut names: Vec<(String, Who)> = Vec::new();
    let mut clash: Vec<String> = Vec::new();
    for (m, name) in mentions(text, range, &[]) {
        let (Some(name), Some(who)) = (name, m.who) else {
            continue;
        };
        match names.iter().find(|(n, _)| *n == name) {
            Some((_, w)) if *w != who => clash.push(name),
            Some(_) => {}
            None => names.push((name, who)),
        }
    }
    names.retain(|(n, _)| !clash.contains(n));
    names
}

/// The subject of the match at `span` in the sentence `sentence`, and
/// whether the sentence names a child anywhere.
fn subject_of(
    text: &str,
    sentence: Range<usize>,
    span: &Range<usize>,
    names: &[(String, Who)],
) -> (Option<Who>, bool) {
    let found = mentions(text, sentence, names);
    // A child in an object ("aware of the risks to his son") is not who
    // the sentence is about.
    let child_named = found
        .iter()
        .any(|(m, _)| m.who == Some(Who::Child) && m.kind != Kind::Object);
    let mut pronoun_seen = false;
    let mut subject = None;
    for (m, _) in found.iter().rev().filter(|(m, _)| m.at < span.start) {
        match m.kind {
            Kind::Pronoun => pronoun_seen = true,
            Kind::Object => {}
            Kind::Role if pronoun_seen => {}
            Kind::Age { named: false } if pronoun_seen && m.who == Some(Who::Adult) => {}
            _ => {
                subject = m.who;
                break;
            }
        }
    }
    if subject.is_none() && !pronoun_seen {
        // "the boyfriend of the victim's mother, Dean (41)"
        let rest = text[span.end..].trim_start();
        if rest.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("of ")) {
            subject = found
                .iter()
                .find(|(m, _)| m.at >= span.end && m.at < span.end + 48 && m.kind != Kind::Pronoun)
                .and_then(|(m, _)| m.who);
        }
    }
    (subject, child_named)
}

impl DocContext<'_> {
    /// Whether an entry with `subject` applies to the match at `span`.
    pub(crate) fn subject_allows(&self, subject: Subject, span: &Range<usize>) -> bool {
        if subject == Subject::Any {
            return true;
        }
        let text = self.text;
        let para_start = paragraph_start(text, span.start);
        let para_end = paragraph_end(text, span.end);
        let s_start = sentence_start_within(text, span.start, para_start);
        let s_end = sentence_end_within(text, span.end, para_end);
        // The record around the sentence: its header, the bytes before it
        // (at most RECORD_BEFORE) and the rest of its paragraph.
        let header = 0..header_end(text).min(s_start);
        let before = floor(text, s_start.saturating_sub(RECORD_BEFORE)).max(header.end)..s_start;
        let after = s_end..para_end;
        let mut names = named_ages(text, header.clone());
        for (n, w) in named_ages(text, before.clone())
            .into_iter()
            .chain(named_ages(text, after.clone()))
        {
            if !names.iter().any(|(m, _)| *m == n) {
                names.push((n, w));
            }
        }
        let (who, child_named) = subject_of(text, s_start..s_end, span, &names);
        if who == Some(Who::Adult) && !child_named {
            return false;
        }
        if subject == Subject::NotAdult || child_named || who == Some(Who::Child) {
            return true;
        }
        self.facts.age.is_some_and(|a| a < 18)
            || establishes_child(text, header)
            || establishes_child(text, before)
            || establishes_child(text, after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(text: &str, term: &str, subject: Subject) -> bool {
        let at = text.find(term).unwrap();
        DocContext::new(text, 0).subject_allows(subject, &(at..at + term.len()))
    }

    #[test]
    fn an_adult_by_age_or_role_is_not_the_child() {
        use Subject::*;
        assert!(!allows(
            "Claire (32) left early to meet her boyfriend.",
            "boyfriend",
            NotAdult
        ));
        assert!(!allows(
            "The male, 29, is a drug runner for the OCG.",
            "drug runner",
            NotAdult
        ));
        assert!(!allows(
            "Mum (38) describes herself as naive.",
            "naive",
            NotAdult
        ));
        assert!(!allows(
            "The boyfriend of the victim's mother, Dean (41), was present.",
            "boyfriend",
            NotAdult
        ));
        assert!(allows(
            "Keira (15) is seeing a 24-year-old.",
            "seeing",
            NotAdult
        ));
        assert!(allows(
            "Dad says Kirsty (14) is seeing a lad of 22.",
            "seeing",
            NotAdult
        ));
        assert!(allows(
            "Complainant (34) describes being in a relationship with her teacher from the age of 13.",
            "in a relationship",
            NotAdult
        ));
    }

    #[test]
    fn the_record_establishes_the_child() {
        use Subject::*;
        assert!(allows(
            "Child: Niamh, 14.\nShe is sexually active.",
            "sexually active",
            Child
        ));
        assert!(allows(
            "SEXUALLY ACTIVE WITH KYLE. YP IS 14.",
            "SEXUALLY ACTIVE",
            Child
        ));
        assert!(!allows("She is sexually active.", "sexually active", Child));
        assert!(!allows(
            "Claire (32) said she is sexually active.",
            "sexually active",
            Child
        ));
        // A name the record gave a child's age is the child.
        assert!(allows(
            "Ruby (13) was seen at the park. Mum feels Ruby is easily led.",
            "easily led",
            NotAdult
        ));
        // A name the record gave an adult's age is an adult.
        assert!(!allows(
            "Andy is 33. Andy has a boyfriend.",
            "boyfriend",
            NotAdult
        ));
        let ctx =
            DocContext::new("She is sexually active.", 0).with_facts(RecordFacts { age: Some(14) });
        assert!(ctx.subject_allows(Child, &(7..22)));
    }

    #[test]
    fn times_dates_and_quantities_are_not_ages() {
        assert!(!establishes_child(
            "14:05 call at 12:00 on 05/03, 3 hours",
            0..36
        ));
        assert!(establishes_child("aged 15", 0..7));
        assert!(establishes_child("a 15-year-old", 0..13));
        assert!(establishes_child("F15", 0..3));
    }
}
