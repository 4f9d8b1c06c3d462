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

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::OnceLock;

use super::regions::{Paragraphs, floor, sentence_end_within, sentence_start_within};
use super::{DocContext, REACH, header_end};
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

/// What a word is, as bits: which of the lists above it is in.
mod class {
    pub(super) const ADULT: u32 = 1 << 0;
    pub(super) const PROFESSIONAL: u32 = 1 << 1;
    pub(super) const COPULA: u32 = 1 << 2;
    pub(super) const PREPOSITION: u32 = 1 << 3;
    pub(super) const CHILD: u32 = 1 << 4;
    pub(super) const COMPOUND: u32 = 1 << 5;
    pub(super) const PRONOUN: u32 = 1 << 6;
    pub(super) const UNIT: u32 = 1 << 7;
    pub(super) const PERSON: u32 = 1 << 8;
    /// Function words that are never names ("the", "is", "who"…).
    pub(super) const FUNCTION: u32 = 1 << 9;
    /// "twenties", "30s"…
    pub(super) const DECADE: u32 = 1 << 10;
    /// "year", "yrs", "yo"… after an age.
    pub(super) const YEAR: u32 = 1 << 11;
    pub(super) const DOB: u32 = 1 << 12;
}

/// Words that are never names, besides roles, pronouns and person nouns.
const FUNCTION_WORDS: &[&str] = &[
    "the", "is", "was", "a", "an", "and", "aged", "at", "it", "this", "who", "age",
];

const DECADES: &[&str] = &[
    "twenties", "thirties", "forties", "fifties", "20s", "30s", "40s", "50s",
];

const YEAR_WORDS: &[&str] = &["year", "years", "yr", "yrs", "yo", "y"];

/// The longest word in any list: a longer word is in none.
const LONGEST_LISTED: usize = 16;

/// Words of the lists with their classes.
type Bucket = Vec<(&'static [u8], u32)>;

/// The lists' words with their classes, built once, in buckets by length
/// and first byte ([`bucket`]).
fn class_table() -> &'static [Bucket] {
    static TABLE: OnceLock<Vec<Bucket>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lists: [(&[&str], u32); 13] = [
            (ADULT_ROLES, class::ADULT),
            (PROFESSIONALS, class::PROFESSIONAL),
            (COPULAS, class::COPULA),
            (PREPOSITIONS, class::PREPOSITION),
            (CHILD_ROLES, class::CHILD),
            (CHILD_COMPOUNDS, class::COMPOUND),
            (PRONOUNS, class::PRONOUN),
            (UNITS, class::UNIT),
            (PERSON_NOUNS, class::PERSON),
            (FUNCTION_WORDS, class::FUNCTION),
            (DECADES, class::DECADE),
            (YEAR_WORDS, class::YEAR),
            (&["dob", "d.o.b"], class::DOB),
        ];
        let mut table: Vec<Bucket> = vec![Vec::new(); (LONGEST_LISTED + 1) << 5];
        for (list, bit) in lists {
            for w in list {
                debug_assert!(
                    w.len() <= LONGEST_LISTED && w.bytes().all(|b| !b.is_ascii_uppercase())
                );
                let bucket = &mut table[bucket(w.as_bytes())];
                match bucket.iter_mut().find(|(k, _)| *k == w.as_bytes()) {
                    Some((_, bits)) => *bits |= bit,
                    None => bucket.push((w.as_bytes(), bit)),
                }
            }
        }
        table
    })
}

/// The bucket of a lower-cased word of at most [`LONGEST_LISTED`] bytes:
/// by its length and the low bits of its first byte.
fn bucket(word: &[u8]) -> usize {
    (word.len() << 5) | usize::from(word.first().map_or(0, |b| b & 31))
}

/// The classes of a word of the text, compared without case; 0 for a word
/// in no list.
fn class_of(word: &[u8]) -> u32 {
    if word.len() > LONGEST_LISTED || !word.is_ascii() {
        return 0;
    }
    let mut lower = [0u8; LONGEST_LISTED];
    let lower = &mut lower[..word.len()];
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    class_table()[bucket(lower)]
        .iter()
        .find(|(k, _)| *k == lower)
        .map_or(0, |&(_, bits)| bits)
}

/// Whether a word is one of `set`, without case.
fn word_in(word: &[u8], set: &[&str]) -> bool {
    set.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(word))
}

/// The number a word of at most five bytes states, if it may be an age
/// where it stands, with whether its own suffix or prefix makes it one
/// ("15yo", "F15"); `None` for other words, times, dates and decimals.
/// Reads only the word and the bytes next to it.
fn age_word(text: &str, w: &Range<usize>) -> Option<(u32, bool)> {
    let b = text.as_bytes();
    let mut buf = [0u8; 5];
    let word = &mut buf[..w.len()];
    word.copy_from_slice(&b[w.clone()]);
    word.make_ascii_lowercase();
    let word = &*word;
    let (digits, suffix_age) = if let Some(d) = word
        .strip_suffix(b"yo")
        .or_else(|| word.strip_suffix(b"yrs"))
        .or_else(|| word.strip_suffix(b"yr"))
    {
        (d, true)
    } else if matches!(word.first(), Some(b'f' | b'm')) && (2..=3).contains(&word.len()) {
        (&word[1..], true)
    } else {
        (word, false)
    };
    if digits.is_empty() || digits.len() > 2 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    if n == 0 {
        return None;
    }
    if suffix_age {
        return Some((n, true));
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
    Some((n, false))
}

/// The words of a stretch with their classes, looked up once each.
struct Split<'t> {
    text: &'t str,
    ws: Vec<Range<usize>>,
    classes: Vec<u32>,
}

impl<'t> Split<'t> {
    fn new(text: &'t str, range: Range<usize>) -> Split<'t> {
        let ws = words(text, range);
        let classes = Vec::with_capacity(ws.len());
        let mut split = Split { text, ws, classes };
        let b = text.as_bytes();
        for w in &split.ws {
            split.classes.push(class_of(&b[w.clone()]));
        }
        split
    }

    fn bytes(&self, i: usize) -> &'t [u8] {
        &self.text.as_bytes()[self.ws[i].clone()]
    }

    fn class(&self, i: usize) -> u32 {
        match self.classes.get(i) {
            Some(&c) => c,
            None => class_of(self.bytes(i)),
        }
    }

    /// Whether word `i` exists and has a class of `bits`.
    fn is(&self, i: Option<usize>, bits: u32) -> bool {
        i.is_some_and(|i| i < self.ws.len() && self.class(i) & bits != 0)
    }

    fn is_capitalised(&self, i: usize) -> bool {
        self.text.as_bytes()[self.ws[i].start].is_ascii_uppercase()
    }

    /// Whether word `i` may be a name (see the reference's `is_name_like`).
    fn is_name_like(&self, i: usize) -> bool {
        self.class(i)
            & (class::PERSON | class::ADULT | class::CHILD | class::PRONOUN | class::FUNCTION)
            == 0
            && !self.bytes(i).iter().all(u8::is_ascii_digit)
    }

    /// Whether a preposition stands one to three words before word `i`.
    fn object(&self, i: usize) -> bool {
        (1..=3).any(|k| self.is(i.checked_sub(k), class::PREPOSITION))
    }

    /// Whether word `i` may state an age: a number of at most two digits,
    /// with at most a three-letter suffix or a one-letter prefix.
    fn may_be_age(&self, i: usize) -> bool {
        let w = self.bytes(i);
        w.len() <= 5 && w.iter().any(u8::is_ascii_digit)
    }

    /// The age word `i` states, as the reference's `age_at`.
    fn age_at(&self, i: usize) -> Option<u32> {
        if !self.may_be_age(i) {
            return None;
        }
        let (n, suffix_age) = age_word(self.text, &self.ws[i])?;
        if suffix_age {
            return Some(n);
        }
        let text = self.text;
        let w = &self.ws[i];
        let prev = i.checked_sub(1);
        let next = Some(i + 1).filter(|&k| k < self.ws.len());
        let word_is =
            |k: Option<usize>, set: &[&str]| k.is_some_and(|k| word_in(self.bytes(k), set));
        if self.is(next, class::UNIT) {
            return None;
        }
        // 15-year-old, 15 years old, 15 yo, 15 yrs
        if self.is(next, class::YEAR) {
            return Some(n);
        }
        if self.is(prev, class::PERSON) {
            return Some(n);
        }
        // a lad of 22, the age of 13
        if word_is(prev, &["of"])
            && i.checked_sub(2).is_some_and(|k| {
                self.class(k) & class::PERSON != 0 || word_in(self.bytes(k), &["lad", "men"])
            })
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
        if word_is(prev, &["is", "was", "turned", "turns", "under", "now"])
            || word_is(prev, &["at"])
                && (next.is_none()
                    || self.is(next, class::PRONOUN)
                    || matches!(closer, Some(b',' | b'.' | b';')))
        {
            let ends = matches!(closer, Some(b',' | b'.' | b';' | b')') | None)
                || word_is(next, &["and", "but", "so", "he", "she"]);
            if ends || word_is(prev, &["under"]) {
                return Some(n);
            }
        }
        None
    }

    /// The name an age at word `i` is given ("Kofi (14)", "Kofi is 14"),
    /// with the word the mention starts at.
    fn name_of_age(&self, i: usize) -> (Option<usize>, usize) {
        let mut name = None;
        let mut first = i;
        if let Some(k) = i.checked_sub(1) {
            if self.is_capitalised(k) && self.is_name_like(k) {
                name = Some(k);
                first = k;
            } else if word_in(self.bytes(k), &["is", "was"]) && k >= 1 {
                let q = k - 1;
                if self.is_capitalised(q) && self.is_name_like(q) {
                    name = Some(q);
                    first = q;
                }
            }
        }
        (name, first)
    }

    /// The mentions of people in these words, in order (see the
    /// reference's `mentions`), with `name` telling the age the record gave
    /// a capitalised word that may be a name.
    fn mentions(&self, name: &mut dyn FnMut(&[u8]) -> Option<Who>) -> Vec<Mention> {
        let mut out = Vec::new();
        for i in 0..self.ws.len() {
            let at = self.ws[i].start;
            let c = self.class(i);
            if let Some(age) = self.age_at(i) {
                let who = if age >= 18 { Who::Adult } else { Who::Child };
                let (named, mut first) = self.name_of_age(i);
                let attached = self.is(i.checked_sub(1), class::ADULT | class::CHILD);
                // A name of two capitalised words ("Kane WILLIAMS (15)").
                if named.is_some() && first >= 1 {
                    let q = first - 1;
                    if self.is_capitalised(q) && self.is_name_like(q) && !self.object(first) {
                        first -= 1;
                    }
                }
                let own = named.is_none()
                    && i.checked_sub(1).is_some_and(|k| {
                        word_in(self.bytes(k), &["at", "is", "was", "under", "aged", "age"])
                    });
                let kind = if self.object(first) && !attached && !own {
                    Kind::Object
                } else {
                    Kind::Age {
                        named: attached || named.is_some(),
                    }
                };
                out.push(Mention {
                    at: self.ws[first].start,
                    who: Some(who),
                    kind,
                });
                continue;
            }
            let push = |out: &mut Vec<Mention>, who, kind| out.push(Mention { at, who, kind });
            if c & class::DECADE != 0 {
                push(&mut out, Some(Who::Adult), Kind::Object);
            } else if c & class::ADULT != 0 {
                let kind = if self.object(i) {
                    Kind::Object
                } else {
                    Kind::Role
                };
                push(&mut out, Some(Who::Adult), kind);
            } else if c & class::PROFESSIONAL != 0 {
                if self.is(Some(i + 1), class::COPULA) && !self.object(i) {
                    push(&mut out, Some(Who::Adult), Kind::Role);
                }
            } else if c & class::CHILD != 0 {
                if !self.is(Some(i + 1), class::COMPOUND) {
                    let kind = if self.object(i) {
                        Kind::Object
                    } else {
                        Kind::Role
                    };
                    push(&mut out, Some(Who::Child), kind);
                }
            } else if c & class::PRONOUN != 0 {
                push(&mut out, None, Kind::Pronoun);
            } else if self.is_capitalised(i)
                && self.is_name_like(i)
                && let Some(who) = name(self.bytes(i))
            {
                let kind = if self.object(i) {
                    Kind::Object
                } else {
                    Kind::Name
                };
                push(&mut out, Some(who), kind);
            }
        }
        out
    }
}

/// What a word stating an age says about the record it stands in: the
/// name it gives the age ("Kofi (14)": Kofi is a child) and whether the
/// age is a child's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Says {
    /// The word of a name given the age, and the age's adult or child.
    name: Option<(Range<usize>, Who)>,
    /// An age under 18.
    child: bool,
}

/// Whether the word `text[word]` may state an age: a number of at most
/// two digits, with at most a three-letter suffix or a one-letter prefix
/// ([`Split::may_be_age`]), and not a time, a date or a decimal
/// ([`age_word`]). The words around it are not looked at.
fn may_say(text: &str, word: &Range<usize>) -> bool {
    word.len() <= 5
        && text.as_bytes()[word.clone()].iter().any(u8::is_ascii_digit)
        && age_word(text, word).is_some()
}

/// What the word `text[word]` says read among the words of `text[range]`,
/// and the bytes of the words that reading looked at: the two words before
/// it and the one after.
fn read_word(text: &str, range: &Range<usize>, word: Range<usize>) -> (Range<usize>, Says) {
    let b = text.as_bytes();
    let prev = word_before(b, range, word.start);
    let prev2 = prev.as_ref().and_then(|p| word_before(b, range, p.start));
    let next = word_after(b, range, word.end);
    let reach = prev2
        .as_ref()
        .or(prev.as_ref())
        .map_or(word.start, |w| w.start)..next.as_ref().map_or(word.end, |w| w.end);
    let mut ws = Vec::with_capacity(4);
    ws.extend(prev2);
    ws.extend(prev);
    let i = ws.len();
    ws.push(word);
    ws.extend(next);
    let split = Split {
        text,
        ws,
        classes: Vec::new(),
    };
    let age = split.age_at(i);
    let name = age.and_then(|age| {
        let who = if age >= 18 { Who::Adult } else { Who::Child };
        let (k, _) = split.name_of_age(i);
        k.map(|k| (split.ws[k].clone(), who))
    });
    let child = age.is_some_and(|age| age < 18);
    (reach, Says { name, child })
}

/// A word of the text that may state an age, read once among the words
/// around it in the whole text.
#[derive(Clone, Debug)]
struct Site {
    /// Its run of word bytes, apostrophes at the ends included.
    run: Range<usize>,
    /// The bytes of the words its reading looked at.
    reach: Range<usize>,
    says: Says,
}

/// The words near a text's matches that may state an age ([`may_say`]),
/// each read once for all the matches whose record holds it.
///
/// A stretch of the text reads as its words read in the whole text, except
/// the words whose reading looked past its ends (the first three and the
/// last two, at most) and a word the stretch cuts: those are read again
/// within the stretch, as a split of the stretch alone reads them (the
/// reference's `named_ages` and `establishes_child`, which a property test
/// holds these to).
#[derive(Debug, Default)]
pub(crate) struct Readings {
    /// The runs starting in this stretch are in `sites`, if they may state
    /// an age.
    done: Range<usize>,
    sites: VecDeque<Site>,
    /// The last two stretches asked about (a match's record before and
    /// after its sentence, asked about for names and for a child, and
    /// again for the next match in the same sentence), with what they say.
    said: [(Range<usize>, Vec<Says>); 2],
    /// Which of `said` goes next.
    older: usize,
    /// The last sentence's mentions, by its bounds and its paragraph's end.
    mentions: Option<((usize, usize, usize), Vec<Mention>)>,
}

impl Readings {
    /// Lets go of the words before `pos`: the matches still to come look
    /// no further back.
    fn forget_before(&mut self, pos: usize) {
        while self.sites.front().is_some_and(|s| s.run.start < pos) {
            self.sites.pop_front();
        }
        if pos > self.done.end {
            self.sites.clear();
            self.done = pos..pos;
        } else {
            self.done.start = self.done.start.max(pos);
        }
    }

    /// Reads the words that start in `text[range]` (and not yet read).
    /// A stretch a little beyond those read (past the sentence of a match,
    /// to the rest of its paragraph) is read with the words in between.
    fn read_up_to(&mut self, text: &str, range: &Range<usize>) {
        /// The most bytes read in between rather than starting afresh.
        const GAP: usize = 2 * REACH;
        if range.start < self.done.start || range.start > self.done.end + GAP {
            self.sites.clear();
            self.done = range.start..range.start;
        }
        let b = text.as_bytes();
        let mut i = self.done.end;
        // A run that started before the stretch read so far belongs to
        // the words before it.
        if i > 0 && i < b.len() && is_word_byte(b[i - 1]) {
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
        }
        let from = i;
        while i < range.end
            && let Some(digit) = next_digit(b, i, range.end)
        {
            // The run of word bytes holding the digit.
            let mut start = digit;
            while start > from && is_word_byte(b[start - 1]) {
                start -= 1;
            }
            i = digit + 1;
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
            self.read_run(text, start..i);
        }
        // A run the stretch cuts at its end is read whole, digits after
        // the cut included, so that a stretch read later does not begin
        // inside it.
        if i < range.end
            && range.end < b.len()
            && is_word_byte(b[range.end - 1])
            && is_word_byte(b[range.end])
        {
            let mut start = range.end - 1;
            while start > i && is_word_byte(b[start - 1]) {
                start -= 1;
            }
            i = range.end;
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
            if b[range.end..i].iter().any(u8::is_ascii_digit) {
                self.read_run(text, start..i);
            }
        }
        self.done.end = self.done.end.max(i).max(range.end);
    }

    /// Reads a run of word bytes of the text, if its word may state an age.
    fn read_run(&mut self, text: &str, run: Range<usize>) {
        let b = text.as_bytes();
        if let Some(word) = trimmed(b, run.clone())
            && may_say(text, &word)
        {
            let (reach, says) = read_word(text, &(0..text.len()), word);
            self.sites.push_back(Site { run, reach, says });
        }
    }

    /// What the words of `text[range]` say, in order, each read as a split
    /// of `text[range]` reads it.
    fn says(&mut self, text: &str, range: Range<usize>) -> &[Says] {
        if let Some(k) = self.said.iter().position(|(r, _)| *r == range) {
            return &self.said[k].1;
        }
        let k = self.older;
        self.older = 1 - k;
        let mut out = std::mem::take(&mut self.said[k].1);
        out.clear();
        self.read_stretch(text, &range, &mut out);
        self.said[k] = (range, out);
        &self.said[k].1
    }

    /// Appends to `out` what the words of `text[range]` say ([`Self::says`]).
    fn read_stretch(&mut self, text: &str, range: &Range<usize>, out: &mut Vec<Says>) {
        if range.is_empty() {
            return;
        }
        self.read_up_to(text, range);
        let b = text.as_bytes();
        let direct = |run: Range<usize>, out: &mut Vec<Says>| {
            if let Some(word) = trimmed(b, run)
                && may_say(text, &word)
            {
                out.push(read_word(text, range, word).1);
            }
        };
        // A run cut by the start of the stretch: only its part inside.
        let mut from = range.start;
        if range.start > 0 && is_word_byte(b[range.start - 1]) {
            while from < range.end && is_word_byte(b[from]) {
                from += 1;
            }
            direct(range.start..from, out);
        }
        let first = self.sites.partition_point(|s| s.run.start < from);
        let mut cut_at_end = false;
        for site in self.sites.range(first..) {
            if site.run.start >= range.end {
                break;
            }
            if site.run.end > range.end {
                direct(site.run.start..range.end, out);
                cut_at_end = true;
            } else if site.reach.start < range.start || site.reach.end > range.end {
                direct(site.run.clone(), out);
            } else if site.says != Says::default() {
                out.push(site.says.clone());
            }
        }
        // A run cut at the end that states no age in the whole text is not
        // a site, but its part inside may state one ("F15" of "F15th").
        if !cut_at_end
            && let Some(last) = range.end.checked_sub(1)
            && last >= from
            && is_word_byte(b[last])
            && range.end < b.len()
            && is_word_byte(b[range.end])
        {
            let mut start = last;
            while start > from && is_word_byte(b[start - 1]) {
                start -= 1;
            }
            direct(start..range.end, out);
        }
    }

    /// The names given an age in `text[range]`, each with adult or child;
    /// a name given both is left out. Names are lower-cased.
    fn named_ages(&mut self, text: &str, range: Range<usize>) -> Vec<(String, Who)> {
        let mut names: Vec<(String, Who)> = Vec::new();
        let mut clash: Vec<String> = Vec::new();
        for (word, who) in self.says(text, range).iter().filter_map(|s| s.name.clone()) {
            let name = text[word].to_ascii_lowercase();
            match names.iter().find(|(n, _)| *n == name) {
                Some((_, w)) if *w != who => clash.push(name),
                Some(_) => {}
                None => names.push((name, who)),
            }
        }
        names.retain(|(n, _)| !clash.contains(n));
        names
    }

    /// Whether `text[range]` establishes a child: an age under 18, a child
    /// word, or a date of birth.
    fn establishes_child(&mut self, text: &str, range: Range<usize>) -> bool {
        self.says(text, range.clone()).iter().any(|s| s.child) || child_word_in(text, range)
    }
}

/// Whether `text[range]` has a child word or a date of birth: the words
/// that establish a child without an age.
fn child_word_in(text: &str, range: Range<usize>) -> bool {
    let split = Split::new(text, range);
    (0..split.ws.len()).any(|i| {
        let c = split.classes[i];
        c & class::DOB != 0
            || c & class::CHILD != 0
                && c & (class::DECADE | class::ADULT | class::PROFESSIONAL) == 0
                && !split.is(Some(i + 1), class::COMPOUND)
    })
}

/// The names given an age in `text[range]` ([`Readings::named_ages`]).
fn named_ages(text: &str, range: Range<usize>) -> Vec<(String, Who)> {
    Readings::default().named_ages(text, range)
}

/// Whether `text[range]` establishes a child ([`Readings::establishes_child`]).
fn establishes_child(text: &str, range: Range<usize>) -> bool {
    Readings::default().establishes_child(text, range)
}

/// Whether byte `c` is part of a word (see [`words`]).
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'\'' || c >= 0x80
}

/// The word of `text[range]` (as [`words`] splits it) that ends last at
/// or before `end`, if any.
fn word_before(b: &[u8], range: &Range<usize>, mut end: usize) -> Option<Range<usize>> {
    loop {
        while end > range.start && !is_word_byte(b[end - 1]) {
            end -= 1;
        }
        if end == range.start {
            return None;
        }
        let mut start = end;
        while start > range.start && is_word_byte(b[start - 1]) {
            start -= 1;
        }
        if let Some(w) = trimmed(b, start..end) {
            return Some(w);
        }
        end = start;
    }
}

/// The word of `text[range]` (as [`words`] splits it) that starts first at
/// or after `start`, if any.
fn word_after(b: &[u8], range: &Range<usize>, mut start: usize) -> Option<Range<usize>> {
    loop {
        while start < range.end && !is_word_byte(b[start]) {
            start += 1;
        }
        if start == range.end {
            return None;
        }
        let mut end = start;
        while end < range.end && is_word_byte(b[end]) {
            end += 1;
        }
        if let Some(w) = trimmed(b, start..end) {
            return Some(w);
        }
        start = end;
    }
}

/// A run of word bytes without the apostrophes at its ends; `None` if
/// nothing is left.
fn trimmed(b: &[u8], run: Range<usize>) -> Option<Range<usize>> {
    let (mut s, mut e) = (run.start, run.end);
    while s < e && b[s] == b'\'' {
        s += 1;
    }
    while e > s && b[e - 1] == b'\'' {
        e -= 1;
    }
    (s < e).then_some(s..e)
}

/// Where the first ASCII digit of `b[from..to]` is, looked for eight bytes
/// at a time: a word of eight bytes has a byte below 10 after an XOR with
/// `'0'` (the test of "Bit Twiddling Hacks": exact for a bound up to 128)
/// only if it has a digit, whose place is then found byte by byte.
fn next_digit(b: &[u8], from: usize, to: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
    let mut i = from;
    while i + 8 <= to {
        let chunk: [u8; 8] = b[i..i + 8].try_into().expect("eight bytes");
        let x = u64::from_ne_bytes(chunk) ^ ZEROS;
        if x.wrapping_sub(ONES * 10) & !x & HIGHS != 0
            && let Some(k) = chunk.iter().position(u8::is_ascii_digit)
        {
            return Some(i + k);
        }
        i += 8;
    }
    b[i..to].iter().position(u8::is_ascii_digit).map(|k| i + k)
}

/// The subject of the match at `span` among the mentions of its sentence,
/// and whether the sentence names a child anywhere (see the reference's
/// `subject_of`).
fn subject_of(text: &str, found: &[Mention], span: &Range<usize>) -> (Option<Who>, bool) {
    // A child in an object ("aware of the risks to his son") is not who
    // the sentence is about.
    let child_named = found
        .iter()
        .any(|m| m.who == Some(Who::Child) && m.kind != Kind::Object);
    let mut pronoun_seen = false;
    let mut subject = None;
    for m in found.iter().rev().filter(|m| m.at < span.start) {
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
                .find(|m| m.at >= span.end && m.at < span.end + 48 && m.kind != Kind::Pronoun)
                .and_then(|m| m.who);
        }
    }
    (subject, child_named)
}

/// What a document's whole header says, found on first use.
#[derive(Debug, Default)]
pub(crate) struct HeaderFacts {
    end: OnceLock<usize>,
    names: OnceLock<Vec<(String, Who)>>,
    child: OnceLock<bool>,
}

impl DocContext<'_> {
    /// Whether an entry with `subject` applies to the match at `span`;
    /// `paragraphs` holds the paragraph bounds of the text's matches.
    ///
    /// The same as the reference's `subject_allows`, in less work: the
    /// whole header is read once per document, the record's names only
    /// when the sentence has a word that may be one, and only its numbers'
    /// words; whether the record establishes a child only when the
    /// sentence has not decided.
    pub(crate) fn subject_allows(
        &self,
        subject: Subject,
        span: &Range<usize>,
        paragraphs: &mut Paragraphs,
        readings: &mut Readings,
    ) -> bool {
        if subject == Subject::Any {
            return true;
        }
        let text = self.text;
        let para_start = paragraphs.start(text, span.start);
        let para_end = paragraphs.end(text, span.end);
        let s_start = sentence_start_within(text, span.start, para_start);
        let s_end = sentence_end_within(text, span.end, para_end);
        // The record around the sentence: its header, the bytes before it
        // (at most RECORD_BEFORE) and the rest of its paragraph.
        let whole_header = *self.header.end.get_or_init(|| header_end(text));
        let header = 0..whole_header.min(s_start);
        let before = floor(text, s_start.saturating_sub(RECORD_BEFORE)).max(header.end)..s_start;
        let after = s_end..para_end;
        readings.forget_before(before.start);
        // The mentions depend on the sentence and its record only: the
        // next match in the same sentence takes them as they are.
        let key = (s_start, s_end, para_end);
        let known = readings.mentions.take().filter(|(k, _)| *k == key);
        let mut names: Option<Vec<(String, Who)>> = None;
        let mut name = |word: &[u8]| {
            let names = names.get_or_insert_with(|| {
                let mut names = if header.end == whole_header {
                    self.header
                        .names
                        .get_or_init(|| named_ages(text, header.clone()))
                        .clone()
                } else {
                    named_ages(text, header.clone())
                };
                for (n, w) in readings
                    .named_ages(text, before.clone())
                    .into_iter()
                    .chain(readings.named_ages(text, after.clone()))
                {
                    if !names.iter().any(|(m, _)| *m == n) {
                        names.push((n, w));
                    }
                }
                names
            });
            names
                .iter()
                .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(word))
                .map(|&(_, who)| who)
        };
        let found = match known {
            Some((_, found)) => found,
            None => Split::new(text, s_start..s_end).mentions(&mut name),
        };
        let (who, child_named) = subject_of(text, &found, span);
        readings.mentions = Some((key, found));
        if who == Some(Who::Adult) && !child_named {
            return false;
        }
        if subject == Subject::NotAdult || child_named || who == Some(Who::Child) {
            return true;
        }
        let header_child = || {
            if header.end == whole_header {
                *self
                    .header
                    .child
                    .get_or_init(|| establishes_child(text, header.clone()))
            } else {
                establishes_child(text, header.clone())
            }
        };
        self.facts.age.is_some_and(|a| a < 18)
            || header_child()
            || readings.establishes_child(text, before.clone())
            || readings.establishes_child(text, after.clone())
    }
}

/// The rules as first written, word by word with a `String` per word:
/// the reference the property tests hold the scanner's version to.
#[cfg(test)]
pub(super) mod reference {
    use super::super::regions::{paragraph_end, paragraph_start};
    use super::*;

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
        } else if (word.starts_with('f') || word.starts_with('m'))
            && word.len() <= 3
            && word.len() >= 2
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
                && (next.is_none()
                    || next_is(PRONOUNS)
                    || matches!(closer, Some(b',' | b'.' | b';')))
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
    pub(super) fn mentions(
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
                    attached =
                        ADULT_ROLES.contains(&pl.as_str()) || CHILD_ROLES.contains(&pl.as_str());
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
    pub(super) fn establishes_child(text: &str, range: Range<usize>) -> bool {
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
    pub(super) fn named_ages(text: &str, range: Range<usize>) -> Vec<(String, Who)> {
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
                    .find(|(m, _)| {
                        m.at >= span.end && m.at < span.end + 48 && m.kind != Kind::Pronoun
                    })
                    .and_then(|(m, _)| m.who);
            }
        }
        (subject, child_named)
    }

    /// Whether an entry with `subject` applies to the match at `span`.
    pub(super) fn subject_allows(
        ctx: &DocContext<'_>,
        subject: Subject,
        span: &Range<usize>,
    ) -> bool {
        if subject == Subject::Any {
            return true;
        }
        let text = ctx.text;
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
        ctx.facts.age.is_some_and(|a| a < 18)
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
        let span = at..at + term.len();
        let ctx = DocContext::new(text, 0);
        let fast = ctx.subject_allows(
            subject,
            &span,
            &mut Paragraphs::default(),
            &mut Readings::default(),
        );
        assert_eq!(
            fast,
            reference::subject_allows(&ctx, subject, &span),
            "{text}"
        );
        fast
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
    fn a_stretch_reads_only_its_part_of_a_word_it_cuts() {
        // "boyfriend" shows no child, but the stretch ending in its "boy"
        // reads a child word, as a split of the stretch alone does.
        let text = "Met the boyfriend and her 15yo friend Andy, 22. Mr Schoolgirl";
        for range in [0..11, 12..40, 9..29, 30..44, 54..61] {
            assert_eq!(
                establishes_child(text, range.clone()),
                reference::establishes_child(text, range.clone()),
                "{range:?}"
            );
            assert_eq!(
                named_ages(text, range.clone()),
                reference::named_ages(text, range.clone()),
                "{range:?}"
            );
        }
        assert!(establishes_child(text, 0..11));
        assert!(!establishes_child(text, 0..17));
        // "Schoolgirl" here is a name, but its "girl" is a child word.
        assert!(establishes_child(text, 57..61));
    }

    #[test]
    fn a_word_cut_by_one_stretch_is_read_whole_for_the_next() {
        // The first stretch ends inside "F15" before its digits; the next
        // reaches past it and must still read it.
        let text = "to\u{2019}The100:F15:, is";
        let mut readings = Readings::default();
        assert!(!readings.establishes_child(text, 0..13));
        assert!(readings.establishes_child(text, 0..15));
        assert!(reference::establishes_child(text, 0..15));
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
        assert!(ctx.subject_allows(
            Child,
            &(7..22),
            &mut Paragraphs::default(),
            &mut Readings::default()
        ));
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

    /// Pieces of case notes rich in what the rules read: ages in every
    /// form, roles, names, pronouns, prepositions, numbers that are not
    /// ages, sentence and paragraph breaks.
    fn pieces() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec(
            proptest::prop_oneof![
                6 => proptest::sample::select(vec![
                    "Ruby", "RUBY", "Andy", "Kane", "WILLIAMS", "Tina", "Dean", "I", "The",
                    "the", "she", "She", "he", "they", "her", "Mum", "mum's", "dad", "Mr",
                    "staff", "Staff", "officers", "are", "is", "was", "has", "with", "to", "by",
                    "and", "of", "at", "under", "aged", "age", "child", "YP", "girl", "boys",
                    "protection", "services", "male", "lad", "men", "year", "years", "old",
                    "yo", "13", "14", "15", "17", "18", "22", "32", "41", "0", "05", "100",
                    "15yo", "16yrs", "F15", "m23", "F", "twenties", "30s", "hours", "DOB",
                    "dob", "boyfriend", "consensual", "sexually", "active", "seeing", "turned",
                    "now", "so", "but", "herself", "Complainant", "teacher", "from", "childish",
                    "F15years",
                ]).prop_map(String::from),
                5 => proptest::sample::select(vec![
                    " ", " ", " ", ", ", ". ", " (", ") ", "\n", "\n\n", ":", "/", "-", "'",
                    "; ", "? ", ".5", "£", "é", "’",
                ]).prop_map(String::from),
                1 => proptest::sample::select(vec![
                    " x".repeat(150), "Ruby (13). ".to_string(), "Andy is 33. ".to_string(),
                ]),
            ],
            0..120,
        )
        .prop_map(|p| p.concat())
    }

    proptest::proptest! {
        /// The digit search eight bytes at a time finds the first digit.
        #[test]
        fn digits_are_found_eight_bytes_at_a_time(
            bytes in proptest::collection::vec(proptest::sample::select(vec![
                b'0', b'5', b'9', b'/', b':', b'a', b' ', 0x80, 0xb9, 0xff, 0x00, 0x39, 0x3a,
            ]), 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            proptest::prop_assert_eq!(
                next_digit(&bytes, from, bytes.len()),
                bytes[from..].iter().position(u8::is_ascii_digit).map(|k| from + k)
            );
        }

        /// Every word's classes are its lists, and an age is read as the
        /// reference reads it, on any part of a text.
        #[test]
        fn words_are_read_as_the_reference_reads_them(
            text in pieces(),
            cut in (0usize..3000, 0usize..3000),
        ) {
            let (lo, hi) = (cut.0 % (text.len() + 1), cut.1 % (text.len() + 1));
            let part = floor(&text, lo.min(hi))..floor(&text, lo.max(hi));
            proptest::prop_assert_eq!(
                named_ages(&text, part.clone()),
                reference::named_ages(&text, part.clone())
            );
            proptest::prop_assert_eq!(
                establishes_child(&text, part.clone()),
                reference::establishes_child(&text, part)
            );
            let split = Split::new(&text, 0..text.len());
            let whole = reference::mentions(&text, 0..text.len(), &[]);
            let fast = split.mentions(&mut |_| None);
            proptest::prop_assert_eq!(
                format!("{:?}", fast),
                format!("{:?}", whole.iter().map(|(m, _)| *m).collect::<Vec<_>>())
            );
            proptest::prop_assert_eq!(
                named_ages(&text, 0..text.len()),
                reference::named_ages(&text, 0..text.len())
            );
            proptest::prop_assert_eq!(
                establishes_child(&text, 0..text.len()),
                reference::establishes_child(&text, 0..text.len())
            );
        }

        /// One `Readings` asked about stretch after stretch, forward and
        /// back, overlapping or not, letting go of the words before some,
        /// reads each as the reference reads it alone.
        #[test]
        fn readings_kept_between_stretches_read_as_the_reference(
            text in pieces(),
            cuts in proptest::collection::vec((0usize..3000, 0usize..3000, 0usize..4), 1..10),
        ) {
            let mut readings = Readings::default();
            for (a, b, forget) in cuts {
                let (lo, hi) = (a % (text.len() + 1), b % (text.len() + 1));
                let part = floor(&text, lo.min(hi))..floor(&text, lo.max(hi));
                if forget == 0 {
                    readings.forget_before(part.start);
                }
                proptest::prop_assert_eq!(
                    readings.named_ages(&text, part.clone()),
                    reference::named_ages(&text, part.clone()),
                    "names in {:?}", part
                );
                proptest::prop_assert_eq!(
                    readings.establishes_child(&text, part.clone()),
                    reference::establishes_child(&text, part.clone()),
                    "a child in {:?}", part
                );
            }
        }

        /// Whether an entry with a subject applies is what the reference
        /// says, for every match of a text in order (sharing the paragraph
        /// bounds and the header read once), with and without an age from
        /// the record's other fields.
        #[test]
        fn subject_allows_as_the_reference_does(
            text in pieces(),
            at in proptest::collection::vec((0usize..2000, 1usize..24), 1..12),
            age in proptest::option::of(0u32..40),
        ) {
            let mut spans: Vec<Range<usize>> = at
                .iter()
                .map(|&(s, l)| {
                    let start = floor(&text, s % (text.len() + 1));
                    start..super::super::ceil(&text, start + l)
                })
                .collect();
            spans.sort_by_key(|s| s.start);
            let ctx = DocContext::new(&text, 0).with_facts(RecordFacts { age });
            let mut paragraphs = Paragraphs::default();
            let mut readings = Readings::default();
            for span in spans {
                for subject in [Subject::NotAdult, Subject::Child] {
                    proptest::prop_assert_eq!(
                        ctx.subject_allows(subject, &span, &mut paragraphs, &mut readings),
                        reference::subject_allows(&ctx, subject, &span),
                        "{:?} at {:?}", subject, span
                    );
                }
            }
        }
    }
}
