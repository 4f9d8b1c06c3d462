//! The lexicon: victim-blaming terms, their child-centred alternatives, the
//! explanation of why each is harmful, and the context rules that keep
//! precision real.
//!
//! A lexicon is loaded from TOML files (see `lexicon/FORMAT.md`), in layers:
//! the built-in lexicon compiled into the binary first, then any folders a
//! force adds. A later layer adds entries, overrides an entry by id, or
//! retires one. Loading collects every problem it can find, each located by
//! file, line and column, instead of stopping at the first.
//!
//! This module never scans text; [`crate::scan`] compiles a [`Lexicon`] into a
//! scanner.

pub mod canonical;
mod load;
pub mod placeholder;
pub mod schema;
pub mod stats;
pub mod template;
pub mod variant;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, SourceFile};

#[cfg(test)]
pub(crate) use load::{
    ENTRY_KEYS, FILE_KEYS, FIX_PAIR_KEYS, GUARD_KEYS, REPLACE_KEYS, guard_words,
};
pub use load::{LexiconBuilder, MAX_FILE_BYTES, MAX_FILES, MAX_PHRASE_BYTES};

/// How serious a finding is. Ordered from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A gentle suggestion.
    Hint,
    /// Information, such as a term inside a quotation.
    Info,
    /// Victim-blaming language that should be reworded.
    Warning,
    /// Language that must never be used about a child.
    Error,
}

impl Severity {
    /// The lower-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Its place from least to most serious (hint 0 … error 3), for
    /// tables indexed by severity.
    pub fn index(self) -> usize {
        match self {
            Severity::Hint => 0,
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ten kinds of victim-blaming language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Implies the child agreed to, chose or sought the abuse.
    ConsentChoice,
    /// Makes the child the author of the risk or of their own harm.
    Responsibility,
    /// Judges or sexualises the child.
    Sexualising,
    /// Presents the child as older or more knowing than a child.
    Adultifying,
    /// Casts the exploited child as offender, employee or gang member.
    Criminalising,
    /// Frames abuse as trade.
    Transactional,
    /// Softens or euphemises the abuse.
    Minimising,
    /// Casts the abuser as a partner or friend.
    AbuserAsPartner,
    /// Labels the child as an object or a tool.
    Dehumanising,
    /// Casts the child as the problem for services, or as untrustworthy.
    Discrediting,
    /// Not a kind of victim-blaming language: a part of a suggested wording
    /// left to fill in (vblint's own `placeholder` rule; lexicon files
    /// cannot use it).
    #[serde(skip_deserializing)]
    Unfinished,
}

impl Category {
    /// Every category of victim-blaming language, in the order above
    /// (every category a lexicon file may use).
    pub const ALL: [Category; 10] = [
        Category::ConsentChoice,
        Category::Responsibility,
        Category::Sexualising,
        Category::Adultifying,
        Category::Criminalising,
        Category::Transactional,
        Category::Minimising,
        Category::AbuserAsPartner,
        Category::Dehumanising,
        Category::Discrediting,
    ];

    /// The kebab-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ConsentChoice => "consent-choice",
            Category::Responsibility => "responsibility",
            Category::Sexualising => "sexualising",
            Category::Adultifying => "adultifying",
            Category::Criminalising => "criminalising",
            Category::Transactional => "transactional",
            Category::Minimising => "minimising",
            Category::AbuserAsPartner => "abuser-as-partner",
            Category::Dehumanising => "dehumanising",
            Category::Discrediting => "discrediting",
            Category::Unfinished => "unfinished",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `vblint fix` may make an entry's replacements without a person.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixPolicy {
    /// `vblint fix` makes the entry's first replacement that fits and has
    /// no `[placeholder]` (see [`Entry::replace`]); without `[[entry.replace]]`
    /// tables, the first alternative replaces the matched words.
    Safe,
    /// A person must choose the wording (usually to name the adult); quick
    /// fixes in an editor are still offered.
    #[default]
    Review,
}

/// Whom the sentence around a match must be about for the entry to apply
/// (see `scan::context::subject`): the subject is read from the sentence
/// (a stated age, a role word, a name) and from the record around it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// Anyone: the subject is not looked at.
    #[default]
    Any,
    /// Not flagged when the sentence is about an adult (a stated age of
    /// 18 or more, or an adult role such as mum, officer or suspect) and
    /// names no child.
    NotAdult,
    /// As `not-adult`, and only flagged when a child is established: in
    /// the sentence (an age under 18, "YP", "the child", the record's
    /// child by name) or in the record (its first lines, its earlier
    /// sentences, the rest of the paragraph, or a record's age column).
    Child,
}

impl Subject {
    /// The name used in lexicon files.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Any => "any",
            Subject::NotAdult => "not-adult",
            Subject::Child => "child",
        }
    }
}

/// What a guard does when one of its phrases is found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardAction {
    /// Drop the match.
    #[default]
    Suppress,
    /// Keep the match only if a phrase is found.
    Require,
}

/// Where a guard looks for its phrases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardScope {
    /// Within `window` words of the match.
    #[default]
    Words,
    /// In the same sentence.
    Sentence,
    /// In the same paragraph.
    Paragraph,
    /// In the first lines of the document.
    Header,
    /// Anywhere in the document.
    Document,
}

/// The number of lines that make up a document's header.
pub const HEADER_LINES: usize = 10;

/// One word of a guard phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuardWord {
    /// A word, lower-case, with typographic apostrophes folded.
    Word(String),
    /// `#`: any number.
    AnyNumber,
    /// `#lo-hi`: a whole number in the range.
    Number(u32, u32),
}

impl GuardWord {
    /// Whether a word of the text (already lower-case) matches.
    pub fn matches(&self, word: &str) -> bool {
        match self {
            GuardWord::Word(w) => w == word,
            GuardWord::AnyNumber => !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()),
            GuardWord::Number(lo, hi) => {
                word.parse::<u32>().is_ok_and(|n| (*lo..=*hi).contains(&n))
            }
        }
    }
}

/// A guard phrase as a list of words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardPhrase {
    /// The phrase as written (one expanded variant).
    pub text: String,
    /// Its words.
    pub words: Vec<GuardWord>,
}

/// A context guard: words around a match that suppress it, or that it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    /// The name of a shared guard; `None` for an entry's own guard.
    pub id: Option<String>,
    /// What the guard is for.
    pub description: Option<String>,
    /// Suppress or require.
    pub action: GuardAction,
    /// Where to look.
    pub scope: GuardScope,
    /// How many words to look at, for [`GuardScope::Words`].
    pub window: usize,
    /// Phrases that count before the match.
    pub before: Vec<GuardPhrase>,
    /// Phrases that count after the match.
    pub after: Vec<GuardPhrase>,
    /// Phrases that count on either side.
    pub around: Vec<GuardPhrase>,
}

/// Where an entry came from, for diagnostics.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The file.
    pub file: Arc<SourceFile>,
    /// The whole `[[entry]]` table.
    pub span: Range<usize>,
    /// The `id` value.
    pub id_span: Range<usize>,
    /// The layer: 0 for the built-in lexicon, then one per added folder.
    pub layer: usize,
    /// The layer of the entry with the same id that this one replaces
    /// (overrides or retires), if any.
    pub replaces: Option<usize>,
}

/// A lexicon phrase with where it was written.
#[derive(Clone, Debug)]
pub struct Phrase {
    /// As written, in the variant syntax.
    pub source: String,
    /// The byte range of the string in its file.
    pub span: Range<usize>,
    /// The phrase as slots (see [`variant::slots`]): per word, its
    /// normalised, lower-case options, an empty string for "left out". This
    /// is what the scanner matches.
    pub slots: Vec<Vec<String>>,
    /// The slots as written, before normalisation.
    written: Vec<Vec<String>>,
    /// Every concrete variant, written out on first use (see
    /// [`Phrase::variants`]).
    variants: OnceLock<Vec<String>>,
}

impl Phrase {
    /// Every concrete, normalised, lower-case variant, without duplicates,
    /// in the order the alternatives are written.
    ///
    /// The scanner matches [`Phrase::slots`] and never needs these; they
    /// are written out on first use (by the lexicon tools), so that
    /// loading a lexicon does not build tens of thousands of strings.
    pub fn variants(&self) -> &[String] {
        self.variants.get_or_init(|| {
            let mut seen = std::collections::HashSet::new();
            variant::combine(&self.written)
                .iter()
                .map(|v| crate::text::normalize_phrase(v))
                .filter(|n| seen.insert(n.clone()))
                .collect()
        })
    }
}

/// An example sentence with where it was written.
#[derive(Clone, Debug)]
pub struct Example {
    /// The sentence.
    pub text: String,
    /// The byte range of the string in its file.
    pub span: Range<usize>,
}

/// A replacement that fits the words it replaces: an `[[entry.replace]]`
/// table. Quick fixes and `vblint fix` offer it where its `match` phrase
/// covers a finding of the entry.
#[derive(Clone, Debug)]
pub struct Replace {
    /// The words replaced, in the variant syntax: they cover the matched
    /// term and may reach beyond it on either side ("is sexually active
    /// with" around the term "sexually active"). Matched slot by slot; its
    /// variants are not bounded, so [`Phrase::variants`] is not for it.
    pub pattern: Phrase,
    /// What is written instead.
    pub with: template::Template,
    /// The byte range of the `with` string in its file.
    pub with_span: Range<usize>,
    /// The byte range of the whole table in its file.
    pub span: Range<usize>,
}

/// A sentence and what its preferred quick fix must make of it: an item of
/// an entry's `fixes`.
#[derive(Clone, Debug)]
pub struct FixPair {
    /// The sentence as written, with one finding of the entry.
    pub before: Example,
    /// The sentence after the fix.
    pub after: Example,
}

/// One lexicon entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Stable kebab-case id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Severity before any policy is applied.
    pub severity: Severity,
    /// The terms that match.
    pub terms: Vec<Phrase>,
    /// Longer phrases that must not be flagged.
    pub except: Vec<Phrase>,
    /// Child-centred alternatives.
    pub alternatives: Vec<String>,
    /// Replacements that fit the matched words, in the order they are
    /// offered.
    pub replace: Vec<Replace>,
    /// Whether `vblint fix` may make the replacements without a person.
    pub fix: FixPolicy,
    /// Plain-English explanation.
    pub why: String,
    /// The guidance behind the entry.
    pub sources: Vec<String>,
    /// When the entry was added.
    pub added: Option<String>,
    /// When the entry was last reviewed.
    pub reviewed: Option<String>,
    /// Indexes into [`Lexicon::guards`].
    pub guards: Vec<usize>,
    /// Whom the sentence must be about.
    pub subject: Subject,
    /// Sentences that must be flagged.
    pub examples: Vec<Example>,
    /// Sentences that must not be flagged.
    pub counterexamples: Vec<Example>,
    /// Sentences and what their preferred quick fix makes of them.
    pub fixes: Vec<FixPair>,
    /// Retired entries never match.
    pub retired: bool,
    /// Where it was written.
    pub origin: Origin,
}

impl Entry {
    /// The one-line message for a finding of this entry.
    pub fn message(&self) -> String {
        let first = self
            .why
            .split_inclusive(". ")
            .next()
            .unwrap_or(&self.why)
            .trim();
        first.to_string()
    }
}

/// Identifies an entry within its lexicon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub u32);

/// A loaded lexicon.
#[derive(Clone, Debug)]
pub struct Lexicon {
    /// The language of every file, such as `en-GB`.
    pub language: String,
    /// The entries, built-in first, in file and table order.
    pub entries: Vec<Entry>,
    /// Shared and inline guards.
    pub guards: Vec<Guard>,
    /// Named word sets.
    pub sets: BTreeMap<String, Vec<String>>,
    /// Every file loaded.
    pub files: Vec<Arc<SourceFile>>,
    /// Problems that do not stop loading (warnings).
    pub warnings: Vec<Diagnostic>,
    /// The placeholders (`[…]` parts to fill in) of every alternative and
    /// replacement, normalised and lower-cased, without brackets: what the
    /// [`PLACEHOLDER_RULE`] flags in a text.
    pub placeholders: Vec<String>,
}

/// The id of vblint's own rule (not written in any lexicon file) that
/// flags a placeholder of the lexicon's wordings, such as `[name the
/// adult]`, left in a text. Every lexicon has it, as its last entry.
pub const PLACEHOLDER_RULE: &str = "placeholder";

/// The built-in lexicon files, compiled in.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_lexicon.rs"));

/// The name under which built-in files are shown.
pub const BUILTIN_PREFIX: &str = "<built-in>";

impl Lexicon {
    /// The built-in lexicon.
    ///
    /// # Panics
    ///
    /// Panics if the built-in lexicon does not load, which the test suite
    /// rules out.
    pub fn builtin() -> Lexicon {
        let mut builder = LexiconBuilder::new();
        builder.add_builtin();
        match builder.build() {
            Ok(lexicon) => lexicon,
            Err(errors) => panic!(
                "the built-in lexicon does not load: {}",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    /// The entry with this id.
    pub fn get(&self, id: EntryId) -> &Entry {
        &self.entries[id.0 as usize]
    }

    /// Finds an entry by its id.
    pub fn find(&self, id: &str) -> Option<EntryId> {
        self.entries
            .iter()
            .position(|e| e.id == id)
            .map(|i| EntryId(i as u32))
    }

    /// The error for the first of `ids` (rule ids named in settings) that
    /// has no entry here, with the closest id as a suggestion, or
    /// `list_hint` (where every id is listed) when none is close.
    pub fn unknown_rule<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String>,
        list_hint: &str,
    ) -> Option<Diagnostic> {
        let unknown = ids.into_iter().find(|id| self.find(id).is_none())?;
        let d = Diagnostic::error(format!(
            "there is no lexicon entry `{unknown}` to configure"
        ));
        let ids = self.entries.iter().map(|e| e.id.as_str());
        Some(match crate::diagnostic::closest(unknown, ids) {
            Some(c) => d.help(format!("did you mean `{c}`?")),
            None => d.help(list_hint.to_string()),
        })
    }

    /// Iterates over the entries that can match (not retired).
    pub fn active(&self) -> impl Iterator<Item = (EntryId, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.retired)
            .map(|(i, e)| (EntryId(i as u32), e))
    }
}

/// Whether `path` looks like a lexicon file (a `.toml` file that is not a
/// configuration file).
pub fn is_lexicon_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
        && !matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("vblint.toml" | ".vblint.toml" | "Cargo.toml")
        )
}
