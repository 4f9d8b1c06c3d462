//! Checks of a loaded lexicon that need the whole lexicon or a scanner:
//! duplicate and shadowed terms, except phrases that never apply,
//! alternatives that would themselves be flagged, and the examples inside
//! each entry.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::lexicon::{Entry, EntryId, Example, Lexicon};
use crate::scan::{Scanner, Settings};

/// The outcome of running one example.
#[derive(Clone, Debug)]
pub struct ExampleResult {
    /// The entry the example belongs to.
    pub entry: EntryId,
    /// Whether it is a counterexample.
    pub counter: bool,
    /// Its index in the entry's list.
    pub index: usize,
    /// `None` when it passed; otherwise what went wrong.
    pub failure: Option<Diagnostic>,
}

/// Runs every example and counterexample of the active entries (optionally
/// only those whose id contains `filter`).
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
        for (counter, list) in [(false, &entry.examples), (true, &entry.counterexamples)] {
            for (index, example) in list.iter().enumerate() {
                let failure = check_example(lexicon, scanner, id, entry, example, counter);
                results.push(ExampleResult {
                    entry: id,
                    counter,
                    index,
                    failure,
                });
            }
        }
    }
    results
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
        .filter(|f| f.entry != id && !f.quoted)
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
    // Alternatives must not be flagged themselves.
    for (_, entry) in lexicon.active() {
        for alternative in &entry.alternatives {
            for f in scanner.scan(alternative) {
                if f.quoted {
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
