//! Reading lexicon files: TOML with spans, then resolution into a
//! [`Lexicon`] with every phrase expanded.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use toml::Spanned;

use super::template::{Person, Template};
use super::variant::{self, Hyphens, VariantError};
use super::{
    BUILTIN, BUILTIN_PREFIX, Category, Entry, Example, FixPair, FixPolicy, Guard, GuardAction,
    GuardPhrase, GuardScope, GuardWord, Lexicon, Origin, PLACEHOLDER_RULE, Phrase, Replace,
    Severity,
};
use crate::diagnostic::{Diagnostic, SourceFile, closest};
use crate::text::normalize_phrase;

/// The most bytes one lexicon file may have: far more than any real file,
/// small enough that a hostile file cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// The most files one lexicon folder may hold.
pub const MAX_FILES: usize = 1000;

/// The most words a guard may look at.
const MAX_WINDOW: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    language: Option<Spanned<String>>,
    #[serde(default)]
    sets: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    guard: Vec<Spanned<RawGuard>>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGuard {
    id: Option<Spanned<String>>,
    description: Option<String>,
    #[serde(default)]
    action: GuardAction,
    #[serde(default)]
    scope: GuardScope,
    window: Option<Spanned<i64>>,
    #[serde(default)]
    before: Vec<Spanned<String>>,
    #[serde(default)]
    after: Vec<Spanned<String>>,
    #[serde(default)]
    around: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    id: Spanned<String>,
    category: Category,
    #[serde(default = "default_severity")]
    severity: Severity,
    terms: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    except: Vec<Spanned<String>>,
    alternatives: Vec<String>,
    #[serde(default)]
    fix: FixPolicy,
    why: Spanned<String>,
    sources: Spanned<Vec<String>>,
    added: Option<Spanned<String>>,
    reviewed: Option<Spanned<String>>,
    #[serde(default)]
    guards: Vec<Spanned<String>>,
    #[serde(default)]
    guard: Vec<Spanned<RawGuard>>,
    #[serde(default)]
    subject: super::Subject,
    examples: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    counterexamples: Vec<Spanned<String>>,
    #[serde(default)]
    fixes: Vec<Spanned<RawFixPair>>,
    #[serde(default)]
    retired: bool,
    #[serde(default)]
    replace: Vec<Spanned<RawReplace>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplace {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    with: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixPair {
    before: Spanned<String>,
    after: Spanned<String>,
}

fn default_severity() -> Severity {
    Severity::Warning
}

/// The keys a file, an entry and a guard may have, for "did you mean"; the
/// entry and guard keys are the formatter's canonical lists.
pub(crate) const FILE_KEYS: &[&str] = &["language", "sets", "guard", "entry"];
pub(crate) const ENTRY_KEYS: &[&str] = super::canonical::ENTRY_ORDER;
pub(crate) const GUARD_KEYS: &[&str] = super::canonical::GUARD_ORDER;
pub(crate) const REPLACE_KEYS: &[&str] = super::canonical::REPLACE_ORDER;
pub(crate) const FIX_PAIR_KEYS: &[&str] = &["before", "after"];

/// Collects lexicon files in layers and builds a [`Lexicon`].
#[derive(Default)]
pub struct LexiconBuilder {
    files: Vec<(Arc<SourceFile>, usize)>,
    layer: usize,
}

impl LexiconBuilder {
    /// An empty builder.
    pub fn new() -> LexiconBuilder {
        LexiconBuilder::default()
    }

    /// Adds the built-in lexicon as the bottom layer.
    pub fn add_builtin(&mut self) -> &mut Self {
        for (name, text) in BUILTIN {
            let file = SourceFile::new(format!("{BUILTIN_PREFIX}/{name}"), *text);
            self.files.push((file, 0));
        }
        self.layer = self.layer.max(1);
        self
    }

    /// Adds one in-memory file as its own new layer.
    pub fn add_source(&mut self, file: Arc<SourceFile>) -> &mut Self {
        self.layer += 1;
        self.files.push((file, self.layer));
        self
    }

    /// Adds files as one new layer: the files of one lexicon folder, which
    /// may not define the same entry twice.
    pub fn add_layer(&mut self, files: impl IntoIterator<Item = Arc<SourceFile>>) -> &mut Self {
        self.layer += 1;
        let layer = self.layer;
        self.files
            .extend(files.into_iter().map(|file| (file, layer)));
        self
    }

    /// Parses and resolves every file.
    ///
    /// # Errors
    ///
    /// Every problem found.
    pub fn build(&self) -> Result<Lexicon, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for (file, layer) in &self.files {
            match parse_file(file) {
                Ok(raw) => parsed.push((Arc::clone(file), *layer, raw)),
                Err(d) => errors.push(d),
            }
        }
        let lexicon = resolve(parsed, &mut errors);
        if errors.iter().any(Diagnostic::is_error) {
            Err(errors)
        } else {
            let mut lexicon = lexicon;
            lexicon.warnings = errors;
            lexicon.files = self.files.iter().map(|(f, _)| Arc::clone(f)).collect();
            super::placeholder::add_rule(&mut lexicon);
            Ok(lexicon)
        }
    }
}

fn parse_file(file: &Arc<SourceFile>) -> Result<RawFile, Diagnostic> {
    toml::from_str::<RawFile>(&file.text).map_err(|e| toml_error(file, &e))
}

/// Turns a TOML or serde error into a plain-English diagnostic.
fn toml_error(file: &Arc<SourceFile>, e: &toml::de::Error) -> Diagnostic {
    let raw = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let mut d;
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let keys = if rest.contains("`language`") || rest.contains("`sets`") {
            ("a lexicon file", FILE_KEYS)
        } else if rest.contains("`window`") {
            ("a guard", GUARD_KEYS)
        } else if rest.contains("`match`") {
            ("a replacement ([[entry.replace]])", REPLACE_KEYS)
        } else if rest.contains("`before`") {
            ("a before/after pair of `fixes`", FIX_PAIR_KEYS)
        } else {
            ("an entry", ENTRY_KEYS)
        };
        d = Diagnostic::error(format!("unknown key `{key}` in {}", keys.0))
            .at(file, span)
            .label("not a key this table can have");
        d = match closest(key, keys.1.iter().copied()) {
            Some(k) => d.help(format!("did you mean `{k}`?")),
            None => d.help(format!("the keys allowed here are: {}", keys.1.join(", "))),
        };
    } else if let Some(rest) = raw.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        d = Diagnostic::error(format!("this table is missing the required key `{key}`"))
            .at(file, span)
            .help(missing_help(key));
    } else if let Some(rest) = raw.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let expected = rest.split("expected ").nth(1).unwrap_or_default();
        // serde writes "one of `a`, `b`" for many values, "`a` or `b`" for two.
        let expected = expected.strip_prefix("one of ").unwrap_or(expected);
        d = Diagnostic::error(format!("`{value}` is not an allowed value here"))
            .at(file, span)
            .help(format!("write one of {expected}"));
        let options: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        if let Some(k) = closest(value, options.iter().copied()) {
            d = d.help(format!("did you mean `{k}`?"));
        }
    } else {
        let first = raw.lines().next().unwrap_or(&raw).to_string();
        d = Diagnostic::error(format!("this is not valid lexicon TOML: {first}"))
            .at(file, span)
            .help(
                "check quotes and brackets: text goes in \"double quotes\", lists in [square brackets], \
                 and each entry starts with a line [[entry]]",
            );
        if raw.contains("invalid type") {
            d = d.help(format!(
                "{first}: a list is written [\"one\", \"two\"] and a single text \"like this\""
            ));
        }
    }
    d
}

fn missing_help(key: &str) -> String {
    match key {
        "id" => "add a line such as `id = \"my-new-term\"` (lower-case words joined by hyphens)".into(),
        "category" => format!(
            "add `category = \"...\"` with one of: {}",
            Category::ALL.map(Category::as_str).join(", ")
        ),
        "terms" => "add `terms = [\"the phrase to flag\"]`".into(),
        "alternatives" => "add `alternatives = [\"child-centred wording\"]`; use [] only if `why` explains why no swap is safe".into(),
        "why" => "add `why = \"...\"`: one or two sentences on why this wording harms the child".into(),
        "sources" => "add `sources = [\"title of the guidance (year)\"]`".into(),
        "examples" => "add `examples = [\"a sentence this entry must flag\"]`".into(),
        "match" => "add `match = \"...\"`: the words this replacement replaces, in the variant syntax, covering the entry's term".into(),
        "with" => "add `with = \"...\"`: the words written instead of the matched ones".into(),
        "before" => "write each pair as `{ before = \"the sentence as written\", after = \"the sentence after the fix\" }`".into(),
        "after" => "write each pair as `{ before = \"the sentence as written\", after = \"the sentence after the fix\" }`".into(),
        _ => format!("add the key `{key}`"),
    }
}

/// The byte range inside a quoted TOML string for a range inside its value,
/// when the string has no escapes (else the whole string).
fn inner_span(file: &SourceFile, string_span: &Range<usize>, inner: &Range<usize>) -> Range<usize> {
    let raw = file.text.get(string_span.clone()).unwrap_or_default();
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    if raw.contains('\\') || raw.len() < 2 * quote {
        return string_span.clone();
    }
    let start = string_span.start + quote + inner.start;
    let end = (string_span.start + quote + inner.end).min(string_span.end);
    start..end.max(start)
}

fn variant_error(file: &Arc<SourceFile>, span: &Range<usize>, e: VariantError) -> Diagnostic {
    Diagnostic::error(e.message)
        .at(file, inner_span(file, span, &e.range))
        .help(e.help)
}

fn resolve(
    parsed: Vec<(Arc<SourceFile>, usize, RawFile)>,
    errors: &mut Vec<Diagnostic>,
) -> Lexicon {
    let mut language: Option<(String, Arc<SourceFile>, Range<usize>)> = None;
    let mut sets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut set_origin: HashMap<String, (usize, Arc<SourceFile>, Range<usize>)> = HashMap::new();

    // Pass 1: language and sets, which terms in any file may use.
    for (file, layer, raw) in &parsed {
        if let Some(lang) = &raw.language {
            match &language {
                Some((l, first, first_span)) if l != lang.get_ref() && *layer == 0 => {
                    let (line, _) = first.line_col(first_span.start);
                    errors.push(
                        Diagnostic::error(format!(
                            "this file is in `{}` but the lexicon is in `{l}`",
                            lang.get_ref()
                        ))
                        .at(file, lang.span())
                        .note(format!("the language was first set in {}:{line}", first.name))
                        .help("one lexicon holds one language; keep other languages in their own folder"),
                    );
                }
                Some(_) => {}
                None => language = Some((lang.get_ref().clone(), Arc::clone(file), lang.span())),
            }
        }
        for (name, values) in &raw.sets {
            if let Some((first_layer, first, first_span)) = set_origin.get(name)
                && first_layer == layer
            {
                let (line, _) = first.line_col(first_span.start);
                errors.push(
                    Diagnostic::error(format!("the set `{name}` is defined twice"))
                        .at(file, values.span())
                        .note(format!("first defined in {}:{line}", first.name))
                        .help("keep one definition and delete the other"),
                );
                continue;
            }
            let mut list = Vec::new();
            for v in values.get_ref() {
                if v.get_ref().trim().is_empty() {
                    errors.push(
                        Diagnostic::error(format!("the set `{name}` has an empty phrase"))
                            .at(file, v.span())
                            .help("delete the empty \"\" or write the words"),
                    );
                } else {
                    list.push(v.get_ref().trim().to_string());
                }
            }
            set_origin.insert(name.clone(), (*layer, Arc::clone(file), values.span()));
            sets.insert(name.clone(), list);
        }
    }

    // Pass 2: shared guards.
    let mut guards: Vec<Guard> = Vec::new();
    // The variants of every phrase so far, and their bytes.
    let mut budget = Budget::default();
    let mut guard_ids: HashMap<String, (usize, usize, Arc<SourceFile>, Range<usize>)> =
        HashMap::new();
    for (file, layer, raw) in &parsed {
        for g in &raw.guard {
            let Some(id) = &g.get_ref().id else {
                errors.push(
                    Diagnostic::error("a shared [[guard]] needs an `id`")
                        .at(file, g.span())
                        .help("add `id = \"negation\"` (or any kebab-case name) so entries can list it in `guards`"),
                );
                continue;
            };
            let Some(guard) = resolve_guard(file, g, &sets, &mut budget, errors) else {
                continue;
            };
            if let Some((first_layer, index, first, first_span)) = guard_ids.get(id.get_ref()) {
                if first_layer == layer {
                    let (line, _) = first.line_col(first_span.start);
                    errors.push(
                        Diagnostic::error(format!("the guard `{}` is defined twice", id.get_ref()))
                            .at(file, id.span())
                            .note(format!("first defined in {}:{line}", first.name))
                            .help("give one of them another id"),
                    );
                } else {
                    // A later layer overrides a shared guard.
                    guards[*index] = guard;
                }
                continue;
            }
            guard_ids.insert(
                id.get_ref().clone(),
                (*layer, guards.len(), Arc::clone(file), id.span()),
            );
            guards.push(guard);
        }
    }

    // Pass 3: entries.
    let mut entries: Vec<Entry> = Vec::new();
    let mut entry_index: HashMap<String, usize> = HashMap::new();
    for (file, layer, raw) in parsed {
        for spanned in raw.entry {
            let span = spanned.span();
            let e = spanned.into_inner();
            let id = e.id.get_ref().clone();
            let id_span = e.id.span();
            if !is_kebab_case(&id) {
                errors.push(
                    Diagnostic::error(format!("`{id}` is not a valid entry id"))
                        .at(&file, id_span.clone())
                        .help(format!(
                            "use lower-case letters, digits and single hyphens, for example `{}`",
                            to_kebab_case(&id)
                        )),
                );
            }
            let origin = Origin {
                file: Arc::clone(&file),
                span,
                id_span: id_span.clone(),
                layer,
                replaces: None,
            };
            let mut entry_guards = Vec::new();
            for g in &e.guards {
                match guard_ids.get(g.get_ref()) {
                    Some((_, index, _, _)) => entry_guards.push(*index),
                    None => {
                        let known: Vec<&str> = guard_ids.keys().map(String::as_str).collect();
                        let mut d = Diagnostic::error(format!("unknown guard `{}`", g.get_ref()))
                            .at(&file, g.span());
                        d = match closest(g.get_ref(), known.iter().copied()) {
                            Some(k) => d.help(format!("did you mean `{k}`?")),
                            None => d.help(
                                "define it as a [[guard]] with this id, or remove it from `guards`",
                            ),
                        };
                        errors.push(d);
                    }
                }
            }
            for g in &e.guard {
                if let Some(id) = &g.get_ref().id {
                    errors.push(
                        Diagnostic::error("an entry's own [[entry.guard]] cannot have an `id`")
                            .at(&file, id.span())
                            .help("remove the `id`, or move the guard to a shared [[guard]] table"),
                    );
                }
                if let Some(guard) = resolve_guard(&file, g, &sets, &mut budget, errors) {
                    entry_guards.push(guards.len());
                    guards.push(guard);
                }
            }
            let terms = resolve_phrases(&file, e.terms.get_ref(), &sets, &mut budget, errors);
            if e.terms.get_ref().is_empty() {
                errors.push(
                    Diagnostic::error(format!("the entry `{id}` has no terms"))
                        .at(&file, e.terms.span())
                        .help("write at least one phrase to flag, or set `retired = true`"),
                );
            }
            let except = resolve_phrases(&file, &e.except, &sets, &mut budget, errors);
            let replace = resolve_replaces(&file, &e.replace, &sets, &mut budget, errors);
            if id == PLACEHOLDER_RULE {
                errors.push(
                    Diagnostic::error(format!("the entry id `{id}` is vblint's own rule"))
                        .at(&file, id_span.clone())
                        .help("give this entry another id; `placeholder` flags parts of suggested wordings left to fill in, and can be switched off with `disable = [\"placeholder\"]` in vblint.toml"),
                );
            }

            if e.why.get_ref().trim().is_empty() {
                errors.push(
                    Diagnostic::error(format!("the entry `{id}` has an empty `why`"))
                        .at(&file, e.why.span())
                        .help("explain in one or two sentences why this wording harms the child"),
                );
            }
            if e.sources.get_ref().is_empty() {
                errors.push(
                    Diagnostic::error(format!("the entry `{id}` has no sources"))
                        .at(&file, e.sources.span())
                        .help("name the guidance behind it, for example \"NSPCC, Why language matters (2023)\""),
                );
            }
            if e.examples.get_ref().is_empty() && !e.retired {
                errors.push(
                    Diagnostic::error(format!("the entry `{id}` has no examples"))
                        .at(&file, e.examples.span())
                        .help("add at least one sentence, as a case note would say it, that this entry must flag"),
                );
            }
            for date in [&e.added, &e.reviewed].into_iter().flatten() {
                if !is_date(date.get_ref()) {
                    errors.push(
                        Diagnostic::error(format!("`{}` is not a date", date.get_ref()))
                            .at(&file, date.span())
                            .help("write dates as \"YYYY-MM-DD\", for example \"2026-11-28\""),
                    );
                }
            }
            let entry = Entry {
                id: id.clone(),
                category: e.category,
                severity: e.severity,
                terms,
                except,
                alternatives: e.alternatives,
                replace,
                fix: e.fix,
                why: e.why.into_inner().trim().to_string(),
                sources: e.sources.into_inner(),
                added: e.added.map(Spanned::into_inner),
                reviewed: e.reviewed.map(Spanned::into_inner),
                guards: entry_guards,
                subject: e.subject,
                examples: examples(e.examples.into_inner()),
                counterexamples: examples(e.counterexamples),
                fixes: fix_pairs(e.fixes),
                retired: e.retired,
                origin,
            };
            match entry_index.get(&id) {
                Some(&i) if entries[i].origin.layer == layer => {
                    let first = &entries[i].origin;
                    let (line, _) = first.file.line_col(first.id_span.start);
                    errors.push(
                        Diagnostic::error(format!("the entry id `{id}` is used twice"))
                            .at(&file, id_span)
                            .note(format!("first used in {}:{line}", first.file.name))
                            .help(
                                "give this entry another id; ids must be unique across the lexicon",
                            ),
                    );
                }
                // A later layer replaces the entry (or retires it).
                Some(&i) => {
                    let mut entry = entry;
                    entry.origin.replaces = Some(entries[i].origin.layer);
                    entries[i] = entry;
                }
                None => {
                    entry_index.insert(id, entries.len());
                    entries.push(entry);
                }
            }
        }
    }
    Lexicon {
        language: language.map_or_else(|| "en-GB".to_string(), |(l, _, _)| l),
        entries,
        guards,
        sets,
        files: Vec::new(),
        warnings: Vec::new(),
        placeholders: Vec::new(),
    }
}

fn examples(list: Vec<Spanned<String>>) -> Vec<Example> {
    list.into_iter()
        .map(|s| Example {
            span: s.span(),
            text: s.into_inner(),
        })
        .collect()
}

/// What the phrases of a lexicon expand to so far: variants and bytes,
/// bounded by [`variant::MAX_PER_LEXICON`] and [`MAX_PHRASE_BYTES`] so that
/// many phrases that each stay within their own bounds cannot together
/// exhaust memory.
#[derive(Default)]
struct Budget {
    forms: usize,
    bytes: usize,
    /// Set once a bound is passed: the error is reported once, and no more
    /// phrases are kept (the lexicon does not load).
    spent: bool,
}

/// The most bytes the expanded phrases of one lexicon may hold: far more
/// than any real lexicon (the built-in one holds well under 1 MB).
pub const MAX_PHRASE_BYTES: usize = 32 << 20;

impl Budget {
    /// Takes `forms` variants of `bytes` bytes for `phrase`; false (with an
    /// error, the first time) when the lexicon goes over a bound.
    fn take(
        &mut self,
        forms: usize,
        bytes: usize,
        file: &Arc<SourceFile>,
        phrase: &Spanned<String>,
        errors: &mut Vec<Diagnostic>,
    ) -> bool {
        if self.spent {
            return false;
        }
        self.forms = self.forms.saturating_add(forms);
        self.bytes = self.bytes.saturating_add(bytes);
        let message = if self.forms > variant::MAX_PER_LEXICON {
            format!(
                "with this phrase the lexicon expands to more than {} variants",
                variant::MAX_PER_LEXICON
            )
        } else if self.bytes > MAX_PHRASE_BYTES {
            format!(
                "with this phrase the lexicon's phrases hold more than {} MB",
                MAX_PHRASE_BYTES >> 20
            )
        } else {
            return true;
        };
        self.spent = true;
        let over = VariantError {
            message,
            help: "shorten phrases with many optional words or large sets, \
                   or remove phrases that other phrases already cover"
                .into(),
            range: 0..phrase.get_ref().len(),
        };
        errors.push(variant_error(file, &phrase.span(), over));
        false
    }
}

/// Resolves the phrases of an entry, within the lexicon's `budget`.
fn resolve_phrases(
    file: &Arc<SourceFile>,
    raw: &[Spanned<String>],
    sets: &BTreeMap<String, Vec<String>>,
    budget: &mut Budget,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Phrase> {
    let mut out = Vec::new();
    for p in raw {
        if budget.spent {
            break;
        }
        match parse_phrase(p, sets, false) {
            Ok((phrase, count, bytes)) => {
                if !budget.take(count, bytes, file, p, errors) {
                    continue;
                }
                out.push(phrase);
            }
            Err(e) => errors.push(variant_error(file, &p.span(), e)),
        }
    }
    out
}

/// Parses one phrase of the variant syntax (hyphens flexible), with the
/// number of variants it stands for, which must be within
/// [`variant::MAX_PER_PHRASE`] when `bounded` (the phrases the scanner
/// matches; a replacement's `match` is matched slot by slot and never
/// written out).
/// Parses a phrase into its slots, with the variants it counts for in the
/// lexicon's budget and their bytes. A `pattern` is matched slot by slot
/// and never expanded: it counts for its options, not their combinations.
fn parse_phrase(
    p: &Spanned<String>,
    sets: &BTreeMap<String, Vec<String>>,
    pattern: bool,
) -> Result<(Phrase, usize, usize), VariantError> {
    let (written, count) = if pattern {
        let written = variant::pattern_slots(p.get_ref(), sets)?;
        let options = written.iter().map(Vec::len).sum();
        (written, options)
    } else {
        let written = variant::slots(p.get_ref(), sets, Hyphens::Flexible)?;
        let count = variant::count(p.get_ref(), &written)?;
        (written, count)
    };
    let bytes = written.iter().flatten().map(String::len).sum();
    let slots = written
        .iter()
        .map(|options| {
            let normalized = options.iter().map(|o| normalize_phrase(o));
            let mut slot: Vec<String> = Vec::with_capacity(options.len());
            if options.len() <= 32 {
                // A few options (a word's spellings, a short set): a linear
                // search costs less than hashing them.
                for n in normalized {
                    if !slot.contains(&n) {
                        slot.push(n);
                    }
                }
            } else {
                let mut seen = HashSet::with_capacity(options.len());
                slot.extend(normalized.filter(|n| seen.insert(n.clone())));
            }
            slot
        })
        .collect();
    let phrase = Phrase {
        source: p.get_ref().clone(),
        span: p.span(),
        slots,
        written,
        variants: OnceLock::new(),
    };
    Ok((phrase, count, bytes))
}

/// Resolves an entry's `[[entry.replace]]` tables.
fn resolve_replaces(
    file: &Arc<SourceFile>,
    raw: &[Spanned<RawReplace>],
    sets: &BTreeMap<String, Vec<String>>,
    budget: &mut Budget,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Replace> {
    let mut out = Vec::new();
    for table in raw {
        if budget.spent {
            break;
        }
        let r = table.get_ref();
        let pattern = match parse_phrase(&r.pattern, sets, true) {
            Ok((phrase, count, bytes)) => {
                if !budget.take(count, bytes, file, &r.pattern, errors) {
                    continue;
                }
                phrase
            }
            Err(e) => {
                errors.push(variant_error(file, &r.pattern.span(), e));
                continue;
            }
        };
        let with = match Template::parse(r.with.get_ref(), pattern.slots.len()) {
            Ok(t) => t,
            Err(e) => {
                errors.push(variant_error(file, &r.with.span(), e));
                continue;
            }
        };
        let has_pronoun = pattern.slots.iter().any(|options| {
            options
                .iter()
                .any(|o| o.split(' ').any(|w| Person::of(w).is_some()))
        });
        if with.uses_pronoun() && !has_pronoun {
            let at = r.with.get_ref().find('{').unwrap_or(0);
            let end = r.with.get_ref()[at..]
                .find('}')
                .map_or(r.with.get_ref().len(), |i| at + i + 1);
            errors.push(
                Diagnostic::error(
                    "this replacement follows the pronoun of the matched words, but its `match` has no pronoun",
                )
                .at(file, inner_span(file, &r.with.span(), &(at..end)))
                .label("which pronoun should this be?")
                .help(
                    "put the pronoun in `match` (for example `{self}`, `{poss}` or `her|his|their`), or write the words out",
                ),
            );
            continue;
        }
        out.push(Replace {
            pattern,
            with,
            with_span: r.with.span(),
            span: table.span(),
        });
    }
    out
}

fn fix_pairs(list: Vec<Spanned<RawFixPair>>) -> Vec<FixPair> {
    list.into_iter()
        .map(|p| {
            let p = p.into_inner();
            FixPair {
                before: Example {
                    span: p.before.span(),
                    text: p.before.into_inner(),
                },
                after: Example {
                    span: p.after.span(),
                    text: p.after.into_inner(),
                },
            }
        })
        .collect()
}

fn resolve_guard(
    file: &Arc<SourceFile>,
    raw: &Spanned<RawGuard>,
    sets: &BTreeMap<String, Vec<String>>,
    budget: &mut Budget,
    errors: &mut Vec<Diagnostic>,
) -> Option<Guard> {
    let g = raw.get_ref();
    let before_errors = errors.len();
    let window = match &g.window {
        Some(w) if !(1..=MAX_WINDOW as i64).contains(w.get_ref()) => {
            errors.push(
                Diagnostic::error(format!("a window of {} words is not allowed", w.get_ref()))
                    .at(file, w.span())
                    .help(format!("use a number from 1 to {MAX_WINDOW}")),
            );
            3
        }
        Some(w) => *w.get_ref() as usize,
        None => 3,
    };
    if g.window.is_some() && g.scope != GuardScope::Words {
        errors.push(
            Diagnostic::warning("`window` only applies to guards with scope \"words\"")
                .at(file, g.window.as_ref().map_or(raw.span(), Spanned::span))
                .help("remove `window`, or set `scope = \"words\"`"),
        );
    }
    if matches!(g.scope, GuardScope::Header | GuardScope::Document)
        && !(g.before.is_empty() && g.after.is_empty())
    {
        errors.push(
            Diagnostic::error(
                "a guard with scope \"header\" or \"document\" looks at the whole text",
            )
            .at(file, raw.span())
            .help("list its phrases under `around`, not `before` or `after`"),
        );
    }
    let mut phrases = |list: &[Spanned<String>]| -> Vec<GuardPhrase> {
        let mut out = Vec::new();
        for p in list {
            if budget.spent {
                break;
            }
            match variant::expand(p.get_ref(), sets, Hyphens::Literal) {
                Ok(variants) => {
                    let bytes = variants.iter().map(String::len).sum();
                    if !budget.take(variants.len(), bytes, file, p, errors) {
                        continue;
                    }
                    for v in variants {
                        let words = guard_words(&v);
                        if words.is_empty() {
                            errors.push(
                                Diagnostic::error("this guard phrase has no words")
                                    .at(file, p.span())
                                    .help("write the words to look for"),
                            );
                        } else {
                            out.push(GuardPhrase { text: v, words });
                        }
                    }
                }
                Err(e) => errors.push(variant_error(file, &p.span(), e)),
            }
        }
        out
    };
    let guard = Guard {
        id: g.id.as_ref().map(|s| s.get_ref().clone()),
        description: g.description.clone(),
        action: g.action,
        scope: g.scope,
        window,
        before: phrases(&g.before),
        after: phrases(&g.after),
        around: phrases(&g.around),
    };
    if guard.before.is_empty() && guard.after.is_empty() && guard.around.is_empty() {
        errors.push(
            Diagnostic::error("this guard has no phrases")
                .at(file, raw.span())
                .help("add `before`, `after` or `around` with the words to look for"),
        );
    }
    (errors[before_errors..].iter().all(|d| !d.is_error())).then_some(guard)
}

/// Splits a guard phrase into words the way text is split (see
/// [`crate::text::words`]), keeping `#` and `#lo-hi` number patterns.
pub(crate) fn guard_words(phrase: &str) -> Vec<GuardWord> {
    let mut out = Vec::new();
    for token in phrase.split_whitespace() {
        let core = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '#');
        if let Some(rest) = core.strip_prefix('#') {
            if rest.is_empty() {
                out.push(GuardWord::AnyNumber);
                continue;
            }
            if let Some((lo, hi)) = rest.split_once('-')
                && let (Ok(lo), Ok(hi)) = (lo.parse(), hi.parse())
            {
                out.push(GuardWord::Number(lo, hi));
                continue;
            }
        }
        let normalized = normalize_phrase(token);
        for w in crate::text::words(&normalized) {
            out.push(GuardWord::Word(w.1.to_string()));
        }
    }
    out
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn to_kebab_case(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<Lexicon, Vec<Diagnostic>> {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("test.toml", text));
        b.build()
    }

    const GOOD: &str = r#"
[sets]
self = ["herself", "himself"]

[[guard]]
id = "negation"
before = ["not", "no"]

[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = ["put|putting {self} at risk"]
alternatives = ["is being placed at risk by [name the adult]"]
why = "Blames the child."
sources = ["NSPCC (2023)"]
guards = ["negation"]
examples = ["She is putting herself at risk."]
"#;

    #[test]
    fn loads_a_good_file() {
        let lex = build(GOOD).unwrap();
        // The entry, then vblint's own placeholder rule.
        assert_eq!(lex.entries.len(), 2);
        assert_eq!(lex.entries[1].id, PLACEHOLDER_RULE);
        assert_eq!(lex.placeholders, ["name the adult"]);
        let e = &lex.entries[0];
        assert_eq!(e.terms[0].variants().len(), 4);
        assert_eq!(e.guards, vec![0]);
        assert_eq!(lex.guards[0].before.len(), 2);
    }

    fn first_error(text: &str) -> String {
        let errs = build(text).expect_err("should fail");
        errs[0].to_string()
    }

    #[test]
    fn unknown_key_says_where_and_what_instead() {
        let bad = GOOD.replace("category =", "sevrity = \"warning\"\ncategory =");
        let msg = first_error(&bad);
        assert!(
            msg.starts_with("test.toml:11:1: unknown key `sevrity` in an entry"),
            "{msg}"
        );
        assert!(msg.contains("did you mean `severity`?"), "{msg}");
    }

    #[test]
    fn bad_category_suggests_the_closest() {
        let msg = first_error(&GOOD.replace("\"responsibility\"", "\"responsibilty\""));
        assert!(
            msg.contains("`responsibilty` is not an allowed value"),
            "{msg}"
        );
        assert!(msg.contains("did you mean `responsibility`?"), "{msg}");
    }

    #[test]
    fn unknown_value_lists_the_allowed_ones_once() {
        let msg = first_error(&GOOD.replace("\"responsibility\"", "\"qqqq\""));
        assert!(msg.contains("write one of `consent-choice`, `"), "{msg}");
        assert!(!msg.contains("one of one of"), "{msg}");
    }

    #[test]
    fn bad_variant_points_inside_the_string() {
        let msg = first_error(&GOOD.replace("{self}", "{selves}"));
        assert!(
            msg.starts_with("test.toml:12:23: unknown set `{selves}`"),
            "{msg}"
        );
    }

    #[test]
    fn a_phrase_of_too_many_variants_is_refused_without_writing_them_out() {
        // Thirteen words of two forms each: 8,192 variants, over the limit
        // of 4,096. Twelve are within it, and are written out only when
        // asked for.
        let words = |n: usize| vec!["a|b"; n].join(" ");
        let msg = first_error(&GOOD.replace("put|putting {self} at risk", &words(13)));
        assert!(
            msg.starts_with("test.toml:12:11: this phrase expands to more than 4096 variants"),
            "{msg}"
        );
        let lex = build(&GOOD.replace("put|putting {self} at risk", &words(12))).unwrap();
        assert_eq!(lex.entries[0].terms[0].variants().len(), 4096);
    }

    #[test]
    fn a_lexicon_of_too_many_variants_names_the_phrase_that_goes_over() {
        // Phrases of 4,096 variants each: 48 of them stay within the
        // lexicon's limit of 200,000, the 49th goes over.
        let terms = |n: usize| {
            (0..n)
                .map(|i| format!("\"w{i} {}\"", ["a|b"; 12].join(" ")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let with = |n: usize| {
            GOOD.replace(
                "[\"put|putting {self} at risk\"]",
                &format!("[{}]", terms(n)),
            )
        };
        assert!(build(&with(48)).is_ok());
        let errs = build(&with(49)).expect_err("over the limit");
        assert_eq!(errs.len(), 1);
        let msg = errs[0].to_string();
        assert!(
            msg.contains("with this phrase the lexicon expands to more than 200000 variants"),
            "{msg}"
        );
        assert!(msg.starts_with("test.toml:12:"), "{msg}");
        let at: usize = msg["test.toml:12:".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(&with(49).lines().nth(11).unwrap()[at - 1..at + 3], "w48 ");
    }

    #[test]
    fn duplicate_ids_and_unknown_guards() {
        let twice = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[entry]]").unwrap()..]);
        let msg = first_error(&twice);
        assert!(
            msg.contains("the entry id `put-self-at-risk` is used twice"),
            "{msg}"
        );
        let msg = first_error(&GOOD.replace("guards = [\"negation\"]", "guards = [\"negaton\"]"));
        assert!(
            msg.contains("unknown guard `negaton`") && msg.contains("did you mean `negation`?"),
            "{msg}"
        );
    }

    #[test]
    fn later_layers_override_by_id() {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("base.toml", GOOD));
        b.add_source(SourceFile::new(
            "local.toml",
            GOOD.replace("Blames the child.", "Local wording.")
                .replace("[sets]\nself = [\"herself\", \"himself\"]\n", ""),
        ));
        let lex = b.build().unwrap();
        assert_eq!(lex.entries.len(), 2, "the entry and the placeholder rule");
        assert_eq!(lex.entries[0].why, "Local wording.");
    }

    #[test]
    fn guard_words_parse_numbers() {
        assert_eq!(
            guard_words("aged #18-99"),
            vec![GuardWord::Word("aged".into()), GuardWord::Number(18, 99)]
        );
        assert_eq!(
            guard_words("Mum’s (#)"),
            vec![GuardWord::Word("mum's".into()), GuardWord::AnyNumber]
        );
    }

    #[test]
    fn replacement_tables_are_checked_where_they_are_written() {
        let with = |table: &str| format!("{GOOD}\n[[entry.replace]]\n{table}\n");
        // The table's keys are on lines 20 and 21.
        let msg = first_error(&with("match = \"putting {self} at risk\"\nwiht = \"x\""));
        assert!(
            msg.starts_with(
                "test.toml:21:1: unknown key `wiht` in a replacement ([[entry.replace]])"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("the keys allowed here are: match, with"),
            "{msg}"
        );
        let msg = first_error(&with("match = \"putting {self} at risk\""));
        assert!(
            msg.contains("this table is missing the required key `with`"),
            "{msg}"
        );
        let msg = first_error(&with(
            "match = \"putting {self} at risk\"\nwith = \"being placed at {5} risk\"",
        ));
        assert!(
            msg.starts_with("test.toml:21:25: `{5}` names word 5 of the match, which has 4 words"),
            "{msg}"
        );
        let msg = first_error(&with(
            "match = \"at risk\"\nwith = \"at risk from adults exploiting {them}\"",
        ));
        assert!(
            msg.starts_with("test.toml:21:40: this replacement follows the pronoun of the matched words, but its `match` has no pronoun"),
            "{msg}"
        );
        let msg = first_error(&with("match = \"putting {selves} at risk\"\nwith = \"x\""));
        assert!(
            msg.starts_with("test.toml:20:18: unknown set `{selves}`"),
            "{msg}"
        );
        let msg = first_error(&with("match = \"at risk\"\nwith = \"said \\\"no\\\"\""));
        assert!(
            msg.contains("a replacement cannot contain the quotation mark"),
            "{msg}"
        );
        // A good table, with a pair, loads.
        let lex = build(&with("match = \"putting {self} at risk\"\nwith = \"being placed at risk by [name the adult]\"")).unwrap();
        assert_eq!(lex.entries[0].replace.len(), 1);
        assert_eq!(
            lex.entries[0].replace[0].with.source,
            "being placed at risk by [name the adult]"
        );
    }

    #[test]
    fn fix_pairs_and_reserved_names() {
        let pairs = GOOD.replace(
            "examples = [",
            "fixes = [{ before = \"a\", afterr = \"b\" }]\nexamples = [",
        );
        let msg = first_error(&pairs);
        assert!(
            msg.contains("unknown key `afterr` in a before/after pair of `fixes`"),
            "{msg}"
        );
        assert!(msg.contains("did you mean `after`?"), "{msg}");
        let msg = first_error(&GOOD.replace("\"put-self-at-risk\"", "\"placeholder\""));
        assert!(
            msg.contains("the entry id `placeholder` is vblint's own rule"),
            "{msg}"
        );
        let msg = first_error(&GOOD.replace("\"responsibility\"", "\"unfinished\""));
        assert!(
            msg.contains("`unfinished` is not an allowed value"),
            "{msg}"
        );
    }

    #[test]
    fn the_builtin_lexicon_loads() {
        let lex = Lexicon::builtin();
        assert!(lex.entries.len() >= 12, "{}", lex.entries.len());
    }
}
