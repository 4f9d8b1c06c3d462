//! The variant syntax of lexicon phrases.
//!
//! A phrase is a list of words separated by spaces. Each word may be:
//!
//! - `a|b|c`: one of these words;
//! - `[a|b]`: optionally one of these words;
//! - `{name}`: any phrase of a named set (sets are plain phrases);
//! - a word containing `-`: the hyphen, a space or nothing (`risk-taking`
//!   matches "risk-taking", "risk taking" and "risktaking"), for terms and
//!   except phrases only.
//!
//! Expansion is bounded, and the bounds are checked before anything is
//! written out: one phrase may give at most [`MAX_PER_PHRASE`] variants, and
//! none longer than [`MAX_VARIANT_BYTES`], so neither a careless edit nor a
//! hostile file (a word of many hyphens, a long set referenced many times)
//! can make the scanner unusably large or exhaust memory while loading.

use std::collections::BTreeMap;
use std::ops::Range;

/// The most variants one phrase may expand to.
pub const MAX_PER_PHRASE: usize = 4096;

/// The most variants a whole lexicon may expand to.
pub const MAX_PER_LEXICON: usize = 200_000;

/// The longest one variant of a phrase may be, in bytes: far longer than any
/// real term.
pub const MAX_VARIANT_BYTES: usize = 1024;

/// The error for a phrase over [`MAX_PER_PHRASE`] variants.
fn too_many(phrase: &str) -> VariantError {
    VariantError {
        message: format!("this phrase expands to more than {MAX_PER_PHRASE} variants"),
        help: "split it into several shorter phrases, or remove optional words".into(),
        range: 0..phrase.len(),
    }
}

/// The error for a phrase whose options take over [`MAX_OPTION_BYTES`].
fn too_big(phrase: &str) -> VariantError {
    VariantError {
        message: format!(
            "the words of this phrase take more than {} KB",
            MAX_OPTION_BYTES >> 10
        ),
        ..too_long(phrase)
    }
}

/// The error for a phrase with a variant over [`MAX_VARIANT_BYTES`].
fn too_long(phrase: &str) -> VariantError {
    VariantError {
        message: format!("this phrase stands for words longer than {MAX_VARIANT_BYTES} bytes"),
        help: "a term is a few words; split long text into several phrases, \
               and keep the phrases of sets short"
            .into(),
        range: 0..phrase.len(),
    }
}

/// An error in a phrase, with the byte range of the offending part inside the
/// phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantError {
    /// What is wrong, in plain words.
    pub message: String,
    /// What to write instead.
    pub help: String,
    /// The offending part, as a byte range of the phrase.
    pub range: Range<usize>,
}

/// How hyphens inside words are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hyphens {
    /// A hyphen matches a hyphen, a space or nothing (terms, except phrases).
    Flexible,
    /// Hyphens are kept as they are (guard phrases, which are split into
    /// words later anyway).
    Literal,
}

/// Parses `phrase` into its slots: one per word of the phrase, each the list
/// of word sequences that may stand there (an empty string for an optional
/// word left out). Every concrete phrase is one option from each slot, joined
/// with single spaces; the scanner matches slots directly, [`expand`] lists
/// the combinations.
///
/// # Errors
///
/// Returns an error for empty phrases, empty alternatives, unbalanced
/// brackets or braces, unknown set names, phrases whose every word is
/// optional, and phrases over [`MAX_PER_PHRASE`] variants or with a variant
/// over [`MAX_VARIANT_BYTES`] (found before the options are written out).
pub fn slots(
    phrase: &str,
    sets: &BTreeMap<String, Vec<String>>,
    hyphens: Hyphens,
) -> Result<Vec<Vec<String>>, VariantError> {
    parse_slots(phrase, sets, hyphens, true)
}

/// The slots of a pattern that is matched slot by slot and never expanded
/// (the `match` of a replacement): like [`slots`], but its variants may be
/// more than [`MAX_PER_PHRASE`]. Its options are still bounded, in number
/// and bytes, before they are written out.
///
/// # Errors
///
/// The errors of [`slots`], but for the number of variants.
pub fn pattern_slots(
    phrase: &str,
    sets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Vec<String>>, VariantError> {
    parse_slots(phrase, sets, Hyphens::Flexible, false)
}

/// The most bytes the options of one phrase's slots may hold together.
pub const MAX_OPTION_BYTES: usize = 1 << 20;

fn parse_slots(
    phrase: &str,
    sets: &BTreeMap<String, Vec<String>>,
    hyphens: Hyphens,
    bounded: bool,
) -> Result<Vec<Vec<String>>, VariantError> {
    if phrase.trim().is_empty() {
        return Err(VariantError {
            message: "this phrase is empty".into(),
            help: "write the words to match, or delete the empty phrase".into(),
            range: 0..phrase.len(),
        });
    }
    let mut slots = Vec::new();
    // The variants so far (before duplicates are removed) and the length of
    // the longest, so that neither is ever exceeded by writing options out.
    let mut forms = 1usize;
    let mut longest = 0usize;
    let mut bytes = 0usize;
    for (range, word) in words(phrase) {
        let room_bytes = MAX_OPTION_BYTES.saturating_sub(bytes);
        let options = word_options(word, sets, hyphens, room_bytes).map_err(|mut e| {
            if e.range == (0..usize::MAX) {
                e.range = 0..phrase.len();
            } else {
                e.range = (range.start + e.range.start)..(range.start + e.range.end);
            }
            e
        })?;
        forms = forms.saturating_mul(options.len());
        if bounded && forms > MAX_PER_PHRASE {
            return Err(too_many(phrase));
        }
        longest += 1 + options.iter().map(String::len).max().unwrap_or(0);
        if longest > MAX_VARIANT_BYTES + 1 {
            return Err(too_long(phrase));
        }
        bytes += options.iter().map(String::len).sum::<usize>();
        slots.push(options);
    }
    if slots
        .iter()
        .all(|options| options.iter().any(String::is_empty))
    {
        return Err(VariantError {
            message: "every word of this phrase is optional, so it would match nothing".into(),
            help: "make at least one word required (remove its [brackets])".into(),
            range: 0..phrase.len(),
        });
    }
    Ok(slots)
}

/// Expands `phrase` into every concrete phrase it stands for.
///
/// The result is in the order the alternatives are written, without
/// duplicates, each variant with single spaces between words.
///
/// # Errors
///
/// The errors of [`slots`], and expansions over [`MAX_PER_PHRASE`].
pub fn expand(
    phrase: &str,
    sets: &BTreeMap<String, Vec<String>>,
    hyphens: Hyphens,
) -> Result<Vec<String>, VariantError> {
    let slots = slots(phrase, sets, hyphens)?;
    count(phrase, &slots)?;
    Ok(combine(&slots))
}

/// The number of concrete phrases that `slots` (of `phrase`) stand for,
/// counted before duplicates are removed, without writing them out.
///
/// # Errors
///
/// When they stand for more than [`MAX_PER_PHRASE`].
pub fn count(phrase: &str, slots: &[Vec<String>]) -> Result<usize, VariantError> {
    let mut count = 1usize;
    for options in slots {
        count = count.saturating_mul(options.len());
        if count > MAX_PER_PHRASE {
            return Err(too_many(phrase));
        }
    }
    Ok(count)
}

/// Every concrete phrase that `slots` stand for (see [`expand`]), which
/// [`count`] has bounded.
pub fn combine(slots: &[Vec<String>]) -> Vec<String> {
    let mut variants: Vec<String> = vec![String::new()];
    for options in slots {
        let mut next = Vec::with_capacity(variants.len() * options.len());
        for prefix in &variants {
            for option in options {
                let joined = match (prefix.is_empty(), option.is_empty()) {
                    (_, true) => prefix.clone(),
                    (true, false) => option.clone(),
                    (false, false) => format!("{prefix} {option}"),
                };
                next.push(joined);
            }
        }
        variants = next;
    }
    let mut seen = std::collections::HashSet::new();
    variants.retain(|v| !v.is_empty() && seen.insert(v.clone()));
    variants
}

/// Splits a phrase into words with their byte ranges; spaces inside `[...]`
/// and `{...}` never occur in valid syntax, so a plain split is enough.
fn words(phrase: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let base = phrase.as_ptr() as usize;
    phrase.split_whitespace().map(move |w| {
        let start = w.as_ptr() as usize - base;
        (start..start + w.len(), w)
    })
}

/// The options for one word of a phrase; an empty string means "nothing"
/// (an optional word left out).
fn word_options(
    word: &str,
    sets: &BTreeMap<String, Vec<String>>,
    hyphens: Hyphens,
    room_bytes: usize,
) -> Result<Vec<String>, VariantError> {
    let err = |message: String, help: &str, range: Range<usize>| VariantError {
        message,
        help: help.to_string(),
        range,
    };
    let (optional, inner, offset) = if let Some(rest) = word.strip_prefix('[') {
        let Some(inner) = rest.strip_suffix(']') else {
            return Err(err(
                "this `[` is not closed".into(),
                "optional words are written `[word]` or `[one|other]`, with no spaces inside",
                0..word.len(),
            ));
        };
        (true, inner, 1)
    } else {
        (false, word, 0)
    };
    if let Some(pos) = inner.find(['[', ']']) {
        return Err(err(
            format!("unexpected `{}` inside a word", &inner[pos..pos + 1]),
            "write optional words as a whole word in brackets: `[very|so]`",
            offset + pos..offset + pos + 1,
        ));
    }
    let mut options = Vec::new();
    // Checked before each alternative is written out; the range `0..MAX`
    // stands for the whole phrase, which `slots` fills in.
    let whole = 0..usize::MAX;
    // The bytes the options written so far take.
    let mut taken = 0usize;
    let mut room = |options: &Vec<String>, more: usize, longest: usize, bytes: usize| {
        taken = taken.saturating_add(bytes);
        if options.len().saturating_add(more) > MAX_PER_PHRASE {
            Err(VariantError {
                range: whole.clone(),
                ..too_many("")
            })
        } else if longest > MAX_VARIANT_BYTES {
            Err(VariantError {
                range: whole.clone(),
                ..too_long("")
            })
        } else if taken > room_bytes {
            Err(VariantError {
                range: whole.clone(),
                ..too_big("")
            })
        } else {
            Ok(())
        }
    };
    let mut at = offset;
    for alternative in inner.split('|') {
        let range = at..at + alternative.len();
        at += alternative.len() + 1;
        if alternative.is_empty() {
            return Err(err(
                "empty alternative between `|` signs".into(),
                "remove the extra `|`, or write the missing word",
                range.start.saturating_sub(1)..range.end + 1,
            ));
        }
        if let Some(name) = alternative.strip_prefix('{') {
            let Some(name) = name.strip_suffix('}') else {
                return Err(err(
                    "this `{` is not closed".into(),
                    "a set is written `{name}`, for example `{self}`",
                    range,
                ));
            };
            let Some(values) = sets.get(name) else {
                let known: Vec<&str> = sets.keys().map(String::as_str).collect();
                let help = if known.is_empty() {
                    "define the set in a `[sets]` table first".to_string()
                } else {
                    format!("the sets defined in this lexicon are: {}", known.join(", "))
                };
                return Err(VariantError {
                    message: format!("unknown set `{{{name}}}`"),
                    help,
                    range,
                });
            };
            let longest = values.iter().map(String::len).max().unwrap_or(0);
            let bytes = values.iter().map(String::len).sum();
            room(&options, values.len(), longest, bytes)?;
            options.extend(
                values
                    .iter()
                    .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")),
            );
            continue;
        }
        if let Some(pos) = alternative.find(['{', '}']) {
            return Err(err(
                format!("unexpected `{}`", &alternative[pos..pos + 1]),
                "a set is written as a whole word: `{self}`",
                range.start + pos..range.start + pos + 1,
            ));
        }
        if hyphens == Hyphens::Flexible && alternative.contains('-') {
            let forms = hyphen_form_count(alternative);
            let bytes = forms.saturating_mul(alternative.len());
            room(&options, forms, alternative.len(), bytes)?;
            options.extend(hyphen_forms(alternative));
        } else {
            room(&options, 1, alternative.len(), alternative.len())?;
            options.push(alternative.to_string());
        }
    }
    if optional {
        options.push(String::new());
    }
    Ok(options)
}

/// The number of forms [`hyphen_forms`] gives for `word`, without writing
/// them out: three for every hyphen between two parts.
fn hyphen_form_count(word: &str) -> usize {
    let parts = word.split('-').filter(|p| !p.is_empty()).count();
    let joins = u32::try_from(parts.saturating_sub(1)).unwrap_or(u32::MAX);
    3usize.saturating_pow(joins)
}

/// `risk-taking` → `risk-taking`, `risk taking`, `risktaking`.
fn hyphen_forms(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split('-').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 {
        return vec![word.to_string()];
    }
    let mut forms = vec![parts[0].to_string()];
    for part in &parts[1..] {
        forms = forms
            .iter()
            .flat_map(|f| {
                [
                    format!("{f}-{part}"),
                    format!("{f} {part}"),
                    format!("{f}{part}"),
                ]
            })
            .collect();
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets() -> BTreeMap<String, Vec<String>> {
        let mut s = BTreeMap::new();
        s.insert("self".into(), vec!["herself".into(), "her self".into()]);
        s
    }

    fn ok(phrase: &str) -> Vec<String> {
        expand(phrase, &sets(), Hyphens::Flexible).unwrap()
    }

    #[test]
    fn alternatives_optional_and_sets() {
        assert_eq!(
            ok("put|puts {self} [serious] risk"),
            [
                "put herself serious risk",
                "put herself risk",
                "put her self serious risk",
                "put her self risk",
                "puts herself serious risk",
                "puts herself risk",
                "puts her self serious risk",
                "puts her self risk",
            ]
        );
    }

    #[test]
    fn hyphen_forms_expand() {
        assert_eq!(
            ok("risk-taking"),
            ["risk-taking", "risk taking", "risktaking"]
        );
        assert_eq!(
            expand("risk-taking", &sets(), Hyphens::Literal).unwrap(),
            ["risk-taking"]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = expand("put {selves} at risk", &sets(), Hyphens::Flexible).unwrap_err();
        assert_eq!(e.message, "unknown set `{selves}`");
        assert_eq!(e.range, 4..12);
        let e = expand("put||puts", &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("empty alternative"));
        let e = expand("at [serious risk", &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("not closed"), "{e:?}");
        assert_eq!(e.range, 3..11);
        let e = expand("   ", &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("empty"));
        let e = expand("[a] [b]", &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("optional"));
    }

    #[test]
    fn expansion_is_bounded() {
        let word = "a|b|c|d|e|f|g|h";
        let phrase = [word; 5].join(" ");
        let e = expand(&phrase, &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("more than 4096"));
    }

    #[test]
    fn a_word_of_many_hyphens_is_refused_before_it_is_expanded() {
        // 3^17 forms: written out, well over a gigabyte.
        let word = ["a"; 18].join("-");
        let e = slots(&word, &sets(), Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("more than 4096"), "{e:?}");
        assert_eq!(e.range, 0..word.len());
        assert_eq!(hyphen_form_count(&word), 3usize.pow(17));
        assert_eq!(
            hyphen_form_count("risk-taking"),
            hyphen_forms("risk-taking").len()
        );
        // Literal hyphens (guard phrases) are one form.
        assert_eq!(slots(&word, &sets(), Hyphens::Literal).unwrap()[0].len(), 1);
    }

    #[test]
    fn a_long_set_referenced_many_times_is_refused_before_it_is_copied() {
        let mut sets = sets();
        sets.insert("big".into(), vec!["x".repeat(1 << 20)]);
        let e = slots("{big}", &sets, Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("longer than 1024 bytes"), "{e:?}");
        sets.insert("mid".into(), vec!["y".repeat(600)]);
        let phrase = ["{mid}"; 100_000].join(" ");
        let e = slots(&phrase, &sets, Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("longer than 1024 bytes"), "{e:?}");
        assert_eq!(e.range, 0..phrase.len());
        // Many options in one word are counted before they are copied.
        sets.insert("many".into(), (0..5000).map(|i| format!("w{i}")).collect());
        let e = slots("at {many}", &sets, Hyphens::Flexible).unwrap_err();
        assert!(e.message.contains("more than 4096"), "{e:?}");
    }
}
