//! Checks of a loaded lexicon that need the whole lexicon or a scanner:
//! duplicate and shadowed terms, except phrases that never apply,
//! alternatives that would themselves be flagged, the examples inside each
//! entry, and its before/after pairs of fixes (which every replacement must
//! have).

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::lexicon::{Category, Entry, EntryId, Example, FixPair, Lexicon};
use crate::scan::{Scanner, Settings};

/// What a test of an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleKind {
    /// An item of `examples`: must be flagged.
    Example,
    /// An item of `counterexamples`: must not be flagged.
    Counterexample,
    /// An item of `fixes`: a replacement must turn `before` into `after`.
    Fix,
    /// An `[[entry.replace]]` table: some pair of `fixes` must test it.
    Replace,
}

impl ExampleKind {
    /// The name used in `vblint lexicon test` output.
    pub fn as_str(self) -> &'static str {
        match self {
            ExampleKind::Example => "example",
            ExampleKind::Counterexample => "counterexample",
            ExampleKind::Fix => "fix",
            ExampleKind::Replace => "replacement",
        }
    }
}

/// The outcome of running one example.
#[derive(Clone, Debug)]
pub struct ExampleResult {
    /// The entry the example belongs to.
    pub entry: EntryId,
    /// What was tested.
    pub kind: ExampleKind,
    /// Its index in the entry's list.
    pub index: usize,
    /// `None` when it passed; otherwise what went wrong.
    pub failure: Option<Diagnostic>,
}

/// Runs every example, counterexample and before/after pair of the active
/// entries, and checks that a pair tests every replacement (optionally
/// only for entries whose id contains `filter`).
pub fn run_examples(
    lexicon: &Arc<Lexicon>,
    scanner: &Scanner,
    filter: Option<&str>,
) -> Vec<ExampleResult> {
    let mut results = Vec::new();
    for (id, entry) in lexicon.active() {
        if filter.is_some_and(|f| !entry.id.contains(f)) {
            continue;
        }
        for (kind, list) in [
            (ExampleKind::Example, &entry.examples),
            (ExampleKind::Counterexample, &entry.counterexamples),
        ] {
            for (index, example) in list.iter().enumerate() {
                let counter = kind == ExampleKind::Counterexample;
                let failure = check_example(lexicon, scanner, id, entry, example, counter);
                results.push(ExampleResult {
                    entry: id,
                    kind,
                    index,
                    failure,
                });
            }
        }
        let mut tested = vec![false; entry.replace.len()];
        for (index, pair) in entry.fixes.iter().enumerate() {
            let failure = check_pair(lexicon, scanner, id, entry, pair, &mut tested);
            results.push(ExampleResult {
                entry: id,
                kind: ExampleKind::Fix,
                index,
                failure,
            });
        }
        for (index, (r, tested)) in entry.replace.iter().zip(tested).enumerate() {
            let failure = (!tested).then(|| {
                Diagnostic::error(format!(
                    "no before/after pair of `{}` tests this replacement",
                    entry.id
                ))
                .at(&entry.origin.file, r.with_span.clone())
                .label("never tested")
                .help(format!(
                    "add to the entry's `fixes` a pair {{ before = \"...\", after = \"...\" }}: a sentence with the words of `match` \"{}\", and the same sentence with the replacement in their place",
                    r.pattern.source
                ))
            });
            results.push(ExampleResult {
                entry: id,
                kind: ExampleKind::Replace,
                index,
                failure,
            });
        }
    }
    results
}

/// Checks one before/after pair, marking in `tested` the replacements that
/// give its `after`.
fn check_pair(
    lexicon: &Lexicon,
    scanner: &Scanner,
    id: EntryId,
    entry: &Entry,
    pair: &FixPair,
    tested: &mut [bool],
) -> Option<Diagnostic> {
    let file = &entry.origin.file;
    let before = &pair.before.text;
    let ours: Vec<_> = scanner
        .scan(before)
        .into_iter()
        .filter(|f| f.entry == id && !f.quoted)
        .collect();
    let [finding] = ours.as_slice() else {
        let message = if ours.is_empty() {
            format!("this `before` sentence is not flagged by `{}`", entry.id)
        } else {
            format!(
                "this `before` sentence is flagged {} times by `{}`",
                ours.len(),
                entry.id
            )
        };
        return Some(
            Diagnostic::error(message)
                .at(file, pair.before.span.clone())
                .help("write a sentence with exactly one finding of this entry, outside quotation marks"),
        );
    };
    let offered = crate::fix::fitting(scanner, before, finding);
    if offered.is_empty() {
        let line_start = before[..finding.span.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let mut d = Diagnostic::error(format!(
            "no replacement of `{}` fits this `before` sentence",
            entry.id
        ))
        .at(file, pair.before.span.clone())
        .label(format!(
            "the finding is \"{}\"",
            &before[finding.span.clone()]
        ));
        if crate::fix::reports_wording(&before[line_start..finding.span.start]) {
            d = d.note("the sentence reports or corrects someone's wording before the finding, where nothing is rewritten");
        }
        return Some(d.help(
            "add an [[entry.replace]] whose `match` covers these words, or change the sentence",
        ));
    }
    let results: Vec<(Option<usize>, String)> = offered
        .iter()
        .map(|(table, e)| (*table, crate::fix::apply(before, std::slice::from_ref(e))))
        .collect();
    let mut found = false;
    for (table, after) in &results {
        if *after == pair.after.text {
            found = true;
            if let Some(t) = table {
                tested[*t] = true;
            }
        }
    }
    if !found {
        let mut given: Vec<&str> = results.iter().map(|(_, a)| a.as_str()).collect();
        given.dedup();
        return Some(
            Diagnostic::error("this `after` is not what a replacement makes of `before`")
                .at(file, pair.after.span.clone())
                .note(format!(
                    "the replacements give: \"{}\"",
                    given.join("\", \"")
                ))
                .help(
                    "write the `after` a replacement gives, or change the [[entry.replace]] table",
                ),
        );
    }
    let still: Vec<String> = scanner
        .scan(&pair.after.text)
        .iter()
        .filter(|f| !f.quoted && lexicon.get(f.entry).category != Category::Unfinished)
        .map(|f| {
            format!(
                "`{}` (\"{}\")",
                lexicon.get(f.entry).id,
                &pair.after.text[f.span.clone()]
            )
        })
        .collect();
    if !still.is_empty() {
        return Some(
            Diagnostic::error("the fixed sentence is flagged again")
                .at(file, pair.after.span.clone())
                .note(format!("it is flagged by {}", still.join(", ")))
                .help("reword the replacement so that it does not use victim-blaming language"),
        );
    }
    None
}

fn check_example(
    lexicon: &Lexicon,
    scanner: &Scanner,
    id: EntryId,
    entry: &Entry,
    example: &Example,
    counter: bool,
) -> Option<Diagnostic> {
    let findings = scanner.scan(&example.text);
    let ours: Vec<_> = findings
        .iter()
        .filter(|f| f.entry == id && !f.quoted)
        .collect();
    let file = &entry.origin.file;
    let others: Vec<String> = findings
        .iter()
        .filter(|f| {
            f.entry != id && !f.quoted && lexicon.get(f.entry).category != Category::Unfinished
        })
        .map(|f| {
            format!(
                "`{}` (\"{}\")",
                lexicon.get(f.entry).id,
                &example.text[f.span.clone()]
            )
        })
        .collect();
    if !counter && ours.is_empty() {
        let mut d = Diagnostic::error(format!("this example is not flagged by `{}`", entry.id))
            .at(file, example.span.clone())
            .label("expected a finding here");
        if findings.iter().any(|f| f.entry == id && f.quoted) {
            d = d.note(
                "it is only found inside quotation marks, which count as someone's own words",
            );
        }
        if !others.is_empty() {
            d = d.note(format!("it is flagged by {} instead", others.join(", ")));
        }
        return Some(d.help(
            "add a term that matches this sentence, or check that a guard or except phrase does not suppress it",
        ));
    }
    if counter && !ours.is_empty() {
        let matched: Vec<&str> = ours.iter().map(|f| &example.text[f.span.clone()]).collect();
        return Some(
            Diagnostic::error(format!(
                "this counterexample is flagged by `{}` (\"{}\")",
                entry.id,
                matched.join("\", \"")
            ))
            .at(file, example.span.clone())
            .label("expected no finding here")
            .help("add an `except` phrase or a guard for this use, or narrow the term"),
        );
    }
    None
}

/// Every structural problem of the lexicon, including failing examples.
pub fn validate(lexicon: &Arc<Lexicon>, scanner: &Scanner) -> Vec<Diagnostic> {
    let mut out = lexicon.warnings.clone();
    // Duplicate terms across entries, and terms that an except phrase hides.
    let mut terms: HashMap<&str, (EntryId, &crate::lexicon::Phrase)> = HashMap::new();
    let mut excepts: HashMap<&str, (EntryId, &crate::lexicon::Phrase)> = HashMap::new();
    for (id, entry) in lexicon.active() {
        for phrase in &entry.except {
            for v in phrase.variants() {
                excepts.entry(v).or_insert((id, phrase));
            }
        }
    }
    for (id, entry) in lexicon.active() {
        for phrase in &entry.terms {
            let mut reported = false;
            for v in phrase.variants() {
                if reported {
                    break;
                }
                if let Some((first, first_phrase)) = terms.get(v.as_str()) {
                    let other = lexicon.get(*first);
                    let (line, _) = other.origin.file.line_col(first_phrase.span.start);
                    let what = if *first == id { "this entry" } else { "entry" };
                    out.push(
                        Diagnostic::error(format!(
                            "the phrase \"{v}\" is already a term of {what} `{}`",
                            other.id
                        ))
                        .at(&entry.origin.file, phrase.span.clone())
                        .note(format!("first listed in {}:{line}", other.origin.file.name))
                        .help("each phrase may belong to one entry only; remove it here or there"),
                    );
                    reported = true;
                } else if let Some((owner, except)) = excepts.get(v.as_str()) {
                    let other = lexicon.get(*owner);
                    let (line, _) = other.origin.file.line_col(except.span.start);
                    out.push(
                        Diagnostic::error(format!(
                            "the term \"{v}\" can never be flagged: it is also an except phrase of `{}`",
                            other.id
                        ))
                        .at(&entry.origin.file, phrase.span.clone())
                        .note(format!("the except phrase is in {}:{line}", other.origin.file.name))
                        .help("remove the term, or make the except phrase longer than the term"),
                    );
                    reported = true;
                } else {
                    terms.insert(v, (id, phrase));
                }
            }
        }
    }
    // Except phrases that contain none of their entry's terms never apply
    // to it (they still hide other entries' terms, which is rarely meant).
    for (id, entry) in lexicon.active() {
        for phrase in &entry.except {
            let applies = phrase
                .variants()
                .iter()
                .any(|v| scanner.scan_raw_terms(v).contains(&id));
            if !applies {
                out.push(
                    Diagnostic::warning(format!(
                        "the except phrase \"{}\" contains no term of `{}`",
                        phrase.source, entry.id
                    ))
                    .at(&entry.origin.file, phrase.span.clone())
                    .help("an except phrase is a longer phrase around one of the entry's terms, such as \"consent form\""),
                );
            }
        }
    }
    // Alternatives must not be flagged themselves (their placeholders are
    // meant to be there).
    for (_, entry) in lexicon.active() {
        for alternative in &entry.alternatives {
            for f in scanner.scan(alternative) {
                if f.quoted || lexicon.get(f.entry).category == Category::Unfinished {
                    continue;
                }
                let by = &lexicon.get(f.entry).id;
                out.push(
                    Diagnostic::error(format!(
                        "the alternative \"{alternative}\" of `{}` would itself be flagged by `{by}` (\"{}\")",
                        entry.id,
                        &alternative[f.span.clone()]
                    ))
                    .at(&entry.origin.file, entry.origin.id_span.clone())
                    .help("reword the alternative so that it does not use victim-blaming language"),
                );
            }
        }
    }
    for r in run_examples(lexicon, scanner, None) {
        out.extend(r.failure);
    }
    out
}

/// Builds the scanner used for validation: every active entry, default
/// settings.
///
/// # Errors
///
/// If the scanner cannot be built.
pub fn validation_scanner(lexicon: &Arc<Lexicon>) -> Result<Scanner, Diagnostic> {
    Scanner::new(Arc::clone(lexicon), Settings::default())
}

/// Which list of a replaced built-in entry an example comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinKind {
    /// The built-in entry's `examples`: a replacement must still flag them.
    Example,
    /// Its `counterexamples`: a replacement must leave them alone.
    Counterexample,
}

impl BuiltinKind {
    /// The name used in `vblint lexicon test` output.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinKind::Example => "built-in-example",
            BuiltinKind::Counterexample => "built-in-counterexample",
        }
    }
}

/// The outcome of running one example of a built-in entry that a force's
/// entry replaces, against the force's entry.
#[derive(Clone, Debug)]
pub struct BuiltinExampleResult<'a> {
    /// The id the two entries share.
    pub rule: String,
    /// The built-in entry the example belongs to.
    pub builtin: &'a Entry,
    /// Which of its lists.
    pub kind: BuiltinKind,
    /// The index in that list.
    pub index: usize,
    /// `None` when it passed; otherwise what went wrong.
    pub failure: Option<Diagnostic>,
}

/// Entries of a force's folder that replace a built-in entry with the same
/// id, with the built-in entry they replace.
pub fn replaced_builtins<'a>(
    lexicon: &'a Lexicon,
    builtin: &'a Lexicon,
) -> Vec<(&'a Entry, &'a Entry)> {
    lexicon
        .entries
        .iter()
        .filter(|e| e.origin.layer > 0 && e.origin.replaces == Some(0))
        .filter_map(|e| {
            let b = builtin.get(builtin.find(&e.id)?);
            // A copy of a built-in file (such as the repository's own
            // `lexicon/` folder) replaces nothing.
            let copy = crate::lexicon::BUILTIN
                .iter()
                .any(|(_, text)| *text == e.origin.file.text);
            (!copy).then_some((e, b))
        })
        .collect()
}

/// A warning for each local entry that replaces or retires a built-in one.
pub fn replacement_warnings(lexicon: &Lexicon, builtin: &Lexicon) -> Vec<Diagnostic> {
    replaced_builtins(lexicon, builtin)
        .into_iter()
        .map(|(e, _)| {
            let what = if e.retired { "retires" } else { "replaces" };
            Diagnostic::warning(format!(
                "`{}` {what} the built-in entry with the same id",
                e.id
            ))
            .at(&e.origin.file, e.origin.id_span.clone())
            .label(format!("{what} the built-in `{}`", e.id))
            .help(
                "if you meant a new entry, give it another id; if you meant to change the built-in one, `vblint lexicon test` checks its built-in examples against yours",
            )
        })
        .collect()
}

/// Runs the examples of each built-in entry a local entry replaces against
/// the layered lexicon: the local entry must still flag the built-in
/// examples and leave the built-in counterexamples alone.
pub fn builtin_examples_of_replaced<'a>(
    lexicon: &'a Lexicon,
    builtin: &'a Lexicon,
    scanner: &Scanner,
    filter: Option<&str>,
) -> Vec<BuiltinExampleResult<'a>> {
    let mut out = Vec::new();
    for (e, b) in replaced_builtins(lexicon, builtin) {
        if e.retired || filter.is_some_and(|f| !e.id.contains(f)) {
            continue;
        }
        let (line, _) = e.origin.file.line_col(e.origin.id_span.start);
        let place = format!("{}:{line}", e.origin.file.name);
        for (counter, list) in [(false, &b.examples), (true, &b.counterexamples)] {
            for (i, ex) in list.iter().enumerate() {
                let ours: Vec<_> = scanner
                    .scan(&ex.text)
                    .into_iter()
                    .filter(|f| !f.quoted && lexicon.get(f.entry).id == e.id)
                    .collect();
                let failure = if !counter && ours.is_empty() {
                    Some(
                        Diagnostic::error(format!(
                            "this built-in example is no longer flagged: `{}` in {place} replaces the built-in entry",
                            e.id
                        ))
                        .at(&b.origin.file, ex.span.clone())
                        .label("the built-in lexicon expects a finding here")
                        .help("keep the built-in terms in your entry, give your entry another id, or retire the built-in one on purpose with `retired = true`"),
                    )
                } else if counter && !ours.is_empty() {
                    Some(
                        Diagnostic::error(format!(
                            "this built-in counterexample is now flagged by `{}` in {place}",
                            e.id
                        ))
                        .at(&b.origin.file, ex.span.clone())
                        .label("the built-in lexicon expects no finding here")
                        .help(
                            "add an `except` phrase or a guard to your entry, or narrow its terms",
                        ),
                    )
                } else {
                    None
                };
                let kind = if counter {
                    BuiltinKind::Counterexample
                } else {
                    BuiltinKind::Example
                };
                out.push(BuiltinExampleResult {
                    rule: e.id.clone(),
                    builtin: b,
                    kind,
                    index: i,
                    failure,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;
    use crate::lexicon::LexiconBuilder;

    const ENTRY: &str = r#"
[[entry]]
id = "sexually-active"
category = "sexualising"
terms = ["sexually active"]
alternatives = ["has been raped"]
why = "Blames the child."
sources = ["x"]
examples = ["Leah (14) is sexually active."]
fixes = [
  { before = "Leah (14) is sexually active.", after = "Leah (14) is being sexually abused." },
  PAIRS
]

[[entry.replace]]
match = "is|was sexually active"
with = "{1} being sexually abused"

[[entry.replace]]
match = "is|was sexually active with"
with = "{1} being sexually abused by"
"#;

    /// The failures of `vblint lexicon test` for the entry with `pairs`:
    /// what, which, the message with its location, and the notes.
    fn failures(pairs: &str) -> Vec<(ExampleKind, usize, String, String)> {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("test.toml", ENTRY.replace("PAIRS", pairs)));
        let lexicon = Arc::new(b.build().unwrap());
        let scanner = validation_scanner(&lexicon).unwrap();
        run_examples(&lexicon, &scanner, None)
            .into_iter()
            .filter_map(|r| {
                let d = r.failure?;
                Some((r.kind, r.index, d.to_string(), d.notes.join("; ")))
            })
            .collect()
    }

    #[test]
    fn every_replacement_needs_a_pair_that_passes() {
        let done = "{ before = \"She was sexually active with him.\", after = \"She was being sexually abused by him.\" },";
        assert_eq!(failures(done), []);
        // The second table is never tested.
        let f = failures("");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (ExampleKind::Replace, 1));
        assert!(
            f[0].2.starts_with(
                "test.toml:21:8: no before/after pair of `sexually-active` tests this replacement"
            ),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn a_pair_must_be_what_a_replacement_gives() {
        let wrong = "{ before = \"She was sexually active with him.\", after = \"She was raped by him.\" },";
        let f = failures(wrong);
        assert_eq!((f[0].0, f[0].1), (ExampleKind::Fix, 1));
        assert!(
            f[0].2
                .contains("this `after` is not what a replacement makes of `before`"),
            "{}",
            f[0].2
        );
        assert_eq!(
            f[0].3,
            "the replacements give: \"She was being sexually abused by him.\""
        );
        let unflagged = "{ before = \"She is well.\", after = \"She is well.\" },";
        assert!(
            failures(unflagged)[0]
                .2
                .contains("this `before` sentence is not flagged by `sexually-active`")
        );
        let reported =
            "{ before = \"She was described as sexually active with him.\", after = \"x\" },";
        let f = failures(reported);
        assert!(
            f[0].2
                .contains("no replacement of `sexually-active` fits this `before` sentence"),
            "{}",
            f[0].2
        );
        assert!(
            f[0].3.contains("reports or corrects someone's wording"),
            "{}",
            f[0].3
        );
    }
}
