//! Everything the JavaScript API does, in plain Rust: building scanners from
//! lexicon layers, scanning, and writing findings, explanations and
//! problems as the JSON the command line writes. `lib.rs` only moves
//! values across the JavaScript boundary.

use std::cell::RefCell;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use vblint_core::diagnostic::{Diagnostic, closest};
use vblint_core::lexicon::{
    BUILTIN_PREFIX, Category, Entry, FixPolicy, Lexicon, LexiconBuilder, Severity,
};
use vblint_core::located::QUOTED_NOTE;
use vblint_core::scan::{Finding, Scanner, Settings};
use vblint_core::text::Normalized;
use vblint_core::validate::{
    BuiltinExampleResult, BuiltinKind, ExampleKind, builtin_examples_of_replaced,
    replacement_warnings, run_examples, validate, validation_scanner,
};

use crate::options::LinterOptions;

thread_local! {
    /// The built-in lexicon, loaded on first use.
    static BUILTIN: RefCell<Option<Arc<Lexicon>>> = const { RefCell::new(None) };
}

/// The built-in lexicon, shared by every scanner built on it alone.
pub fn builtin() -> Arc<Lexicon> {
    BUILTIN.with(|b| {
        Arc::clone(
            b.borrow_mut()
                .get_or_insert_with(|| Arc::new(Lexicon::builtin())),
        )
    })
}

/// A compiled lexicon and the buffers a scan reuses.
#[derive(Debug)]
pub struct Engine {
    scanner: Scanner,
    norm: RefCell<Normalized>,
    findings: RefCell<Vec<Finding>>,
}

impl Engine {
    /// Loads the lexicon layers and compiles them with the settings.
    ///
    /// # Errors
    ///
    /// Every problem in the lexicon files (by file, line and column), or a
    /// disabled or re-ranked rule id that the lexicon does not have.
    pub fn new(options: LinterOptions) -> Result<Engine, Vec<Diagnostic>> {
        let lexicon = if options.builtin && options.layers.is_empty() {
            builtin()
        } else {
            let mut builder = LexiconBuilder::new();
            if options.builtin {
                builder.add_builtin();
            }
            for layer in options.layers {
                builder.add_layer(layer);
            }
            Arc::new(builder.build()?)
        };
        Engine::with_lexicon(lexicon, options.settings)
    }

    /// Compiles a loaded lexicon with the settings.
    ///
    /// # Errors
    ///
    /// A disabled or re-ranked rule id that the lexicon does not have.
    pub fn with_lexicon(
        lexicon: Arc<Lexicon>,
        settings: Settings,
    ) -> Result<Engine, Vec<Diagnostic>> {
        check_rule_ids(&lexicon, &settings).map_err(|d| vec![d])?;
        let scanner = Scanner::new(lexicon, settings).map_err(|d| vec![d])?;
        Ok(Engine {
            scanner,
            norm: RefCell::default(),
            findings: RefCell::default(),
        })
    }

    /// The lexicon.
    pub fn lexicon(&self) -> &Arc<Lexicon> {
        self.scanner.lexicon()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        self.scanner.settings()
    }

    /// Scans `text` and appends its findings to `out`, [`FIELDS`] numbers
    /// each (see [`locate_into`]).
    pub fn check_into(&self, text: &str, out: &mut Vec<u32>) {
        let mut findings = self.findings.borrow_mut();
        findings.clear();
        self.scanner
            .scan_into(text, &mut self.norm.borrow_mut(), &mut findings);
        locate_into(text, &findings, out);
    }

    /// The drop-in edits of each finding of `text` (the findings of
    /// [`Engine::check_into`], in the same order), as a JSON array with one
    /// array of edits per finding, best first: the replacements the
    /// language server offers as quick fixes (`vblint_core::fix::drop_ins`).
    /// A finding with no edit that fits (a quotation, reported wording,
    /// an entry without a replacement that fits) has an empty array.
    pub fn fixes_json(&self, text: &str) -> String {
        let mut findings = self.findings.borrow_mut();
        findings.clear();
        self.scanner
            .scan_into(text, &mut self.norm.borrow_mut(), &mut findings);
        let rows: Vec<Vec<FixEdit>> = findings
            .iter()
            .map(|f| {
                vblint_core::fix::drop_ins(&self.scanner, text, f)
                    .into_iter()
                    .map(|e| {
                        let start_utf16 = utf16_len(&text[..e.span.start]);
                        FixEdit {
                            start: e.span.start,
                            end: e.span.end,
                            start_utf16,
                            end_utf16: start_utf16 + utf16_len(&text[e.span.clone()]),
                            replacement: e.replacement,
                        }
                    })
                    .collect()
            })
            .collect();
        to_json(&rows)
    }

    /// What findings of each entry share, by entry index, as a JSON array:
    /// `id`, `category`, `message` (outside and inside a quotation) and
    /// `alternatives`.
    pub fn rule_table_json(&self) -> String {
        let rows: Vec<RuleRow<'_>> = self
            .lexicon()
            .entries
            .iter()
            .map(|e| {
                let message = e.message();
                RuleRow {
                    id: &e.id,
                    category: e.category.as_str(),
                    quoted_message: format!("{message}{QUOTED_NOTE}"),
                    message,
                    alternatives: &e.alternatives,
                }
            })
            .collect();
        to_json(&rows)
    }

    /// The explanation of a rule, as JSON.
    ///
    /// # Errors
    ///
    /// If the lexicon has no such rule.
    pub fn explain_json(&self, rule: &str) -> Result<String, Diagnostic> {
        let entry = self.entry(rule)?;
        Ok(to_json(&Explanation::new(entry)))
    }

    /// A rule's alternatives, as a JSON array.
    ///
    /// # Errors
    ///
    /// If the lexicon has no such rule.
    pub fn alternatives_json(&self, rule: &str) -> Result<String, Diagnostic> {
        Ok(to_json(&self.entry(rule)?.alternatives))
    }

    /// Every rule of the lexicon, as a JSON array.
    pub fn rules_json(&self) -> String {
        let rules: Vec<Rule<'_>> = self
            .lexicon()
            .entries
            .iter()
            .map(|e| Rule {
                id: &e.id,
                category: e.category.as_str(),
                severity: e.severity,
                retired: e.retired,
                enabled: !e.retired && !self.settings().disabled.contains(&e.id),
                message: e.message(),
            })
            .collect();
        to_json(&rules)
    }

    /// The lexicon's warnings (problems that did not stop it loading), as a
    /// JSON array of problems.
    pub fn warnings_json(&self) -> String {
        problems_json(&self.lexicon().warnings)
    }

    /// The files a lexicon check reports on, as `vblint lexicon check`
    /// chooses them: a force's own files when it has any, else every file.
    fn reported_files(&self) -> Vec<&str> {
        let files = &self.lexicon().files;
        let own: Vec<&str> = files
            .iter()
            .map(|f| f.name.as_str())
            .filter(|name| !name.starts_with(BUILTIN_PREFIX))
            .collect();
        if own.is_empty() {
            files.iter().map(|f| f.name.as_str()).collect()
        } else {
            own
        }
    }

    /// Every problem `vblint lexicon check` reports in the reported files
    /// (structure, duplicate terms, alternatives that would be flagged,
    /// failing examples), as a JSON array of problems.
    pub fn validate_json(&self) -> String {
        let lexicon = self.lexicon();
        let files = self.reported_files();
        let mut problems: Vec<Diagnostic> = match validation_scanner(lexicon) {
            Ok(scanner) => validate(lexicon, &scanner)
                .into_iter()
                .filter(|d| {
                    d.file
                        .as_ref()
                        .is_none_or(|f| files.contains(&f.name.as_str()))
                })
                .collect(),
            Err(d) => vec![d],
        };
        // As `vblint lexicon check`: a warning for each built-in entry the
        // force's files replace or retire.
        if lexicon
            .files
            .iter()
            .any(|f| f.name.starts_with(BUILTIN_PREFIX))
        {
            problems.extend(replacement_warnings(lexicon, &builtin()));
        }
        problems_json(&problems)
    }

    /// Runs the examples, counterexamples and before/after pairs of the
    /// entries in the reported files, as `vblint lexicon test` does, and
    /// returns each outcome as JSON: `{ entries, passed, failed, results }`.
    pub fn test_json(&self) -> String {
        let lexicon = self.lexicon();
        let files = self.reported_files();
        let scanner = match validation_scanner(lexicon) {
            Ok(s) => s,
            Err(d) => {
                return to_json(&TestReport {
                    entries: 0,
                    passed: 0,
                    failed: 1,
                    results: Vec::new(),
                    problems: serde_json::from_str(&problems_json(&[d]))
                        .expect("problems are JSON"),
                });
            }
        };
        // A force's files over the built-in lexicon are tested as the
        // command line tests a folder: every example of the layered
        // lexicon, and the built-in examples of each entry they replace.
        let layered = lexicon
            .files
            .iter()
            .any(|f| f.name.starts_with(BUILTIN_PREFIX));
        let builtin_lexicon = builtin();
        let mut results: Vec<TestResult<'_>> = run_examples(lexicon, &scanner, None)
            .into_iter()
            .filter(|r| layered || files.contains(&lexicon.get(r.entry).origin.file.name.as_str()))
            .map(|r| TestResult::new(lexicon.get(r.entry), r.kind, r.index, r.failure))
            .collect();
        if layered {
            results.extend(
                builtin_examples_of_replaced(lexicon, &builtin_lexicon, &scanner, None)
                    .into_iter()
                    .map(TestResult::of_builtin),
            );
        }
        let entries: std::collections::BTreeSet<&str> = results.iter().map(|r| r.rule).collect();
        let failed = results.iter().filter(|r| !r.passed).count();
        to_json(&TestReport {
            entries: entries.len(),
            passed: results.len() - failed,
            failed,
            results,
            problems: Vec::new(),
        })
    }

    fn entry(&self, rule: &str) -> Result<&Entry, Diagnostic> {
        let lexicon = self.lexicon();
        match lexicon.find(rule) {
            Some(id) => Ok(lexicon.get(id)),
            None => {
                let d = Diagnostic::error(format!("there is no lexicon entry `{rule}`"));
                let ids = lexicon.entries.iter().map(|e| e.id.as_str());
                Err(match closest(rule, ids) {
                    Some(c) => d.help(format!("did you mean `{c}`?")),
                    None => d.help("`rules()` lists every entry id"),
                })
            }
        }
    }
}

/// The error `vblint check` gives for a configured rule id the lexicon does
/// not have.
fn check_rule_ids(lexicon: &Lexicon, settings: &Settings) -> Result<(), Diagnostic> {
    let ids = settings.disabled.iter().chain(settings.severity.keys());
    match lexicon.unknown_rule(ids, "`rules()` lists every entry id") {
        Some(d) => Err(d),
        None => Ok(()),
    }
}

fn to_json(value: &(impl Serialize + ?Sized)) -> String {
    serde_json::to_string(value).expect("values serialise")
}

/// What findings of one entry share.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleRow<'a> {
    id: &'a str,
    category: &'static str,
    message: String,
    quoted_message: String,
    alternatives: &'a [String],
}

/// One drop-in edit, for `fixes()`: the byte and UTF-16 range it replaces
/// (the finding, and any words around it that the replacement rewrites)
/// and the new text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixEdit {
    start: usize,
    end: usize,
    start_utf16: usize,
    end_utf16: usize,
    replacement: String,
}

/// How many numbers [`locate_into`] writes per finding.
pub const FIELDS: usize = 9;

/// Appends, for each finding of `text` (in order of their start), the
/// numbers that with the rule table make the finding's JSON object of
/// `vblint check --format json`: entry index, severity (0 hint, 1 info,
/// 2 warning, 3 error), line, column, start, end (bytes), start and end in
/// UTF-16 code units, and 1 if quoted else 0.
pub fn locate_into(text: &str, findings: &[Finding], out: &mut Vec<u32>) {
    let mut cursor = Cursor::new(text);
    out.reserve(findings.len() * FIELDS);
    for f in findings {
        let at = cursor.locate(f.span.start);
        let end_utf16 = at.utf16 + utf16_len(&text[f.span.clone()]);
        let severity = match f.severity {
            Severity::Hint => 0,
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
        };
        out.extend(
            [
                f.entry.0 as usize,
                severity,
                at.line,
                at.column,
                f.span.start,
                f.span.end,
                at.utf16,
                end_utf16,
                usize::from(f.quoted),
            ]
            // Offsets of a JavaScript string (under 2^30 UTF-16 units, so
            // under 2^32 UTF-8 bytes) fit in 32 bits.
            .map(|n| n as u32),
        );
    }
}

/// Where a byte offset is: 1-based line, 1-based column in Unicode scalar
/// values, and the offset in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Position {
    line: usize,
    column: usize,
    utf16: usize,
}

/// Positions of increasing byte offsets in one forward pass: lines are
/// counted as the command line counts them (`\n` ends a line, so a CRLF
/// line's column does not count the `\r` of the line before).
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
    utf16: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
            utf16: 0,
        }
    }

    /// The position of `offset`; offsets that go back start over.
    fn locate(&mut self, offset: usize) -> Position {
        if offset < self.offset {
            *self = Cursor::new(self.text);
        }
        let between = &self.text[self.offset..offset];
        if let Some(last) = memchr::memrchr(b'\n', between.as_bytes()) {
            self.line += vblint_core::text::count_line_breaks(between.as_bytes());
            self.line_start = self.offset + last + 1;
        }
        self.utf16 += utf16_len(between);
        self.offset = offset;
        Position {
            line: self.line,
            column: self.text[self.line_start..offset].chars().count() + 1,
            utf16: self.utf16,
        }
    }
}

/// The length of `s` in UTF-16 code units: one per scalar value, two for
/// those outside the Basic Multilingual Plane (four-byte UTF-8).
fn utf16_len(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from((b as i8) >= -0x40) + usize::from(b >= 0xF0))
        .sum()
}

/// One rule, for `rules()`.
#[derive(Serialize)]
struct Rule<'a> {
    id: &'a str,
    category: &'static str,
    severity: Severity,
    retired: bool,
    /// Whether it can match with these settings.
    enabled: bool,
    message: String,
}

/// Everything about one rule, for `explain()`: what `vblint explain`
/// prints, as data.
#[derive(Serialize)]
struct Explanation<'a> {
    id: &'a str,
    category: &'static str,
    severity: Severity,
    message: String,
    why: &'a str,
    alternatives: &'a [String],
    fix: FixPolicy,
    sources: &'a [String],
    terms: Vec<&'a str>,
    except: Vec<&'a str>,
    examples: Vec<&'a str>,
    counterexamples: Vec<&'a str>,
    retired: bool,
    added: Option<&'a str>,
    reviewed: Option<&'a str>,
    file: &'a str,
    line: usize,
}

impl<'a> Explanation<'a> {
    fn new(e: &'a Entry) -> Explanation<'a> {
        let examples = |xs: &'a [vblint_core::lexicon::Example]| {
            xs.iter().map(|x| x.text.trim()).collect::<Vec<_>>()
        };
        Explanation {
            id: &e.id,
            category: e.category.as_str(),
            severity: e.severity,
            message: e.message(),
            why: &e.why,
            alternatives: &e.alternatives,
            fix: e.fix,
            sources: &e.sources,
            terms: e.terms.iter().map(|t| t.source.as_str()).collect(),
            except: e.except.iter().map(|t| t.source.as_str()).collect(),
            examples: examples(&e.examples),
            counterexamples: examples(&e.counterexamples),
            retired: e.retired,
            added: e.added.as_deref(),
            reviewed: e.reviewed.as_deref(),
            file: &e.origin.file.name,
            line: e.origin.file.line_col(e.origin.span.start).0,
        }
    }
}

/// A problem in a lexicon file or in the options, for JavaScript.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem<'a> {
    severity: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    label: Option<&'a str>,
    help: Option<&'a str>,
    notes: &'a [String],
    /// One line: `file:line:column: message (help: …)`.
    text: String,
    /// rustc-style, with the line of the file and a caret under the
    /// offending text.
    rendered: String,
}

/// What a run of a lexicon's examples found, for `Linter.test()`.
#[derive(Serialize)]
struct TestReport<'a> {
    /// How many entries had something to test.
    entries: usize,
    passed: usize,
    failed: usize,
    results: Vec<TestResult<'a>>,
    /// A problem that stopped the examples running at all.
    problems: Vec<Value>,
}

/// One example, counterexample, before/after pair or replacement tested.
#[derive(Serialize)]
struct TestResult<'a> {
    rule: &'a str,
    /// "example", "counterexample", "fix" or "replacement"; "built-in-example"
    /// or "built-in-counterexample" for a replaced built-in entry's own.
    kind: &'static str,
    /// 1-based, in the entry's list of that kind.
    number: usize,
    /// The sentence tested (the `before` of a pair, the `match` of a
    /// replacement).
    text: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    passed: bool,
    /// What went wrong and what to write instead, when it failed.
    problem: Option<Value>,
}

impl<'a> TestResult<'a> {
    fn new(
        entry: &'a Entry,
        kind: ExampleKind,
        index: usize,
        failure: Option<Diagnostic>,
    ) -> TestResult<'a> {
        let (text, span) = match kind {
            ExampleKind::Example => {
                let x = &entry.examples[index];
                (x.text.trim(), x.span.clone())
            }
            ExampleKind::Counterexample => {
                let x = &entry.counterexamples[index];
                (x.text.trim(), x.span.clone())
            }
            ExampleKind::Fix => {
                let x = &entry.fixes[index].before;
                (x.text.trim(), x.span.clone())
            }
            ExampleKind::Replace => {
                let r = &entry.replace[index];
                (r.pattern.source.as_str(), r.with_span.clone())
            }
        };
        let (line, column) = entry.origin.file.line_col(span.start);
        let problem = failure.map(|d| {
            let list: Vec<Value> =
                serde_json::from_str(&problems_json(&[d])).expect("problems are JSON");
            list.into_iter().next().expect("one problem")
        });
        TestResult {
            rule: &entry.id,
            kind: kind.as_str(),
            number: index + 1,
            text,
            file: &entry.origin.file.name,
            line,
            column,
            passed: problem.is_none(),
            problem,
        }
    }

    /// The outcome of a built-in entry's example run against the force's
    /// entry that replaces it, placed at the built-in example.
    fn of_builtin(r: BuiltinExampleResult<'a>) -> TestResult<'a> {
        let b = r.builtin;
        let x = match r.kind {
            BuiltinKind::Example => &b.examples[r.index],
            BuiltinKind::Counterexample => &b.counterexamples[r.index],
        };
        let (line, column) = b.origin.file.line_col(x.span.start);
        let problem = r.failure.map(|d| {
            let list: Vec<Value> =
                serde_json::from_str(&problems_json(&[d])).expect("problems are JSON");
            list.into_iter().next().expect("one problem")
        });
        TestResult {
            rule: &b.id,
            kind: r.kind.as_str(),
            number: r.index + 1,
            text: x.text.trim(),
            file: &b.origin.file.name,
            line,
            column,
            passed: problem.is_none(),
            problem,
        }
    }
}

/// The categories of victim-blaming language, in the lexicon's order,
/// with what each means, as a JSON array of `{ id, description }`.
pub fn categories_json() -> String {
    #[derive(Serialize)]
    struct Row {
        id: &'static str,
        description: &'static str,
    }
    let rows: Vec<Row> = Category::ALL
        .iter()
        .map(|&c| Row {
            id: c.as_str(),
            description: category_description(c),
        })
        .collect();
    to_json(&rows)
}

/// What a category of language does, in one sentence.
fn category_description(c: Category) -> &'static str {
    match c {
        Category::ConsentChoice => "Implies the child agreed to, chose or sought the abuse.",
        Category::Responsibility => "Makes the child the author of the risk or of their own harm.",
        Category::Sexualising => "Judges or sexualises the child.",
        Category::Adultifying => "Presents the child as older or more knowing than a child.",
        Category::Criminalising => {
            "Casts the exploited child as offender, employee or gang member."
        }
        Category::Transactional => "Frames abuse as trade.",
        Category::Minimising => "Softens or euphemises the abuse.",
        Category::AbuserAsPartner => "Casts the abuser as a partner or friend.",
        Category::Dehumanising => "Labels the child as an object or a tool.",
        Category::Discrediting => {
            "Casts the child as the problem for services, or as untrustworthy."
        }
        Category::Unfinished => "A part of a suggested wording left to fill in.",
    }
}

/// Problems as a JSON array.
pub fn problems_json(problems: &[Diagnostic]) -> String {
    let problems: Vec<Problem<'_>> = problems
        .iter()
        .map(|d| {
            let at = |offset: usize| d.file.as_ref().map(|f| f.line_col(offset));
            let start = d.span.as_ref().and_then(|s| at(s.start));
            let end = d.span.as_ref().and_then(|s| at(s.end));
            Problem {
                severity: if d.is_error() { "error" } else { "warning" },
                message: &d.message,
                file: d.file.as_ref().map(|f| f.name.as_str()),
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                label: d.label.as_deref(),
                help: d.help.as_deref(),
                notes: &d.notes,
                text: d.to_string(),
                rendered: d.render(false),
            }
        })
        .collect();
    to_json(&problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{LinterOptions, linter_options};
    use serde_json::{Value, json};

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn cursor_counts_lines_columns_and_utf16_units() {
        let text = "a\r\nb😀é x\ny";
        let mut c = Cursor::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            c.locate(x),
            Position {
                line: 2,
                column: 5,
                utf16: 8
            }
        );
        let y = text.find('y').unwrap();
        assert_eq!(
            c.locate(y),
            Position {
                line: 3,
                column: 1,
                utf16: 10
            }
        );
        // Going back starts over.
        assert_eq!(
            c.locate(0),
            Position {
                line: 1,
                column: 1,
                utf16: 0
            }
        );
        assert_eq!(utf16_len(text), text.encode_utf16().count());
    }

    /// The findings of `text` as (rule id, the numbers after the entry
    /// index).
    fn check(engine: &Engine, text: &str) -> Vec<(String, [u32; FIELDS - 1])> {
        let mut numbers = Vec::new();
        engine.check_into(text, &mut numbers);
        numbers
            .chunks(FIELDS)
            .map(|n| {
                let id = engine.lexicon().entries[n[0] as usize].id.clone();
                (id, n[1..].try_into().unwrap())
            })
            .collect()
    }

    #[test]
    fn findings_are_located_in_lines_columns_bytes_and_utf16_units() {
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let text = "😀 She was “streetwise”.\r\nShe is very streetwise.";
        let found = check(&engine, text);
        let start = text.rfind("streetwise").unwrap();
        let s16 = text[..start].encode_utf16().count() as u32;
        let start = start as u32;
        assert_eq!(
            found,
            [
                ("streetwise".into(), [1, 1, 12, 16, 26, 12, 22, 1]),
                (
                    "streetwise".into(),
                    [2, 2, 13, start, start + 10, s16, s16 + 10, 0]
                ),
            ]
        );
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16(&utf16[s16 as usize..s16 as usize + 10]).unwrap(),
            "streetwise"
        );
    }

    #[test]
    fn the_rule_table_holds_each_entry_s_message_and_alternatives() {
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let table = parse(&engine.rule_table_json());
        let lexicon = engine.lexicon();
        assert_eq!(table.as_array().unwrap().len(), lexicon.entries.len());
        let i = lexicon.find("streetwise").unwrap().0 as usize;
        let entry = &lexicon.entries[i];
        let row = &table[i];
        assert_eq!(row["id"], "streetwise");
        assert_eq!(row["category"], "adultifying");
        assert_eq!(row["message"], entry.message().as_str());
        assert_eq!(
            row["quotedMessage"],
            format!("{}{QUOTED_NOTE}", entry.message()).as_str()
        );
        assert_eq!(row["alternatives"], json!(entry.alternatives));
    }

    #[test]
    fn a_local_layer_adds_and_replaces_rules() {
        let options = linter_options(&json!({
            "lexicon": [{ "name": "local.toml", "text": LOCAL }],
            "quotes": "skip",
        }))
        .unwrap();
        let engine = Engine::new(options).unwrap();
        let found = check(&engine, "He is a wrong'un and \"a wrong'un\".");
        let rules: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(rules, ["local-wrongun"]);
        assert!(engine.lexicon().find("streetwise").is_some());
        let explained = parse(&engine.explain_json("local-wrongun").unwrap());
        assert_eq!(explained["file"], "local.toml");
        assert_eq!(explained["line"], 1);
        assert_eq!(explained["alternatives"], json!(["describe what happened"]));
    }

    const LOCAL: &str = r#"[[entry]]
id = "local-wrongun"
category = "discrediting"
terms = ["wrong'un"]
alternatives = ["describe what happened"]
why = "A label, not a description."
sources = ["local guidance"]
examples = ["He is a wrong'un."]
"#;

    #[test]
    fn lexicon_errors_name_file_line_and_column() {
        let bad = LOCAL.replace("category", "catgory");
        let options = linter_options(&json!({
            "lexicon": [{ "name": "force/local.toml", "text": bad }],
        }))
        .unwrap();
        let errors = Engine::new(options).unwrap_err();
        let json = parse(&problems_json(&errors));
        let first = &json[0];
        assert_eq!(first["severity"], "error");
        assert_eq!(first["file"], "force/local.toml");
        assert_eq!(first["line"], 3);
        assert_eq!(first["column"], 1);
        assert_eq!(first["help"], "did you mean `category`?");
        assert!(
            first["text"]
                .as_str()
                .unwrap()
                .starts_with("force/local.toml:3:1: unknown key `catgory`")
        );
        assert!(first["rendered"].as_str().unwrap().contains("^"));
    }

    #[test]
    fn an_unknown_rule_id_is_an_error_with_a_suggestion() {
        let options = LinterOptions {
            settings: Settings {
                disabled: ["streetwyse".to_string()].into(),
                ..Settings::default()
            },
            ..LinterOptions::default()
        };
        let errors = Engine::new(options).unwrap_err();
        assert_eq!(
            errors[0].message,
            "there is no lexicon entry `streetwyse` to configure"
        );
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `streetwise`?")
        );
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let e = engine.explain_json("streetwyse").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `streetwise`?"));
    }

    #[test]
    fn fixes_give_the_drop_in_edits_of_each_finding_in_utf16_units() {
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let text = "😀 Leah was putting herself at risk. She said \"I'm streetwise\".";
        let fixes = parse(&engine.fixes_json(text));
        let found = check(&engine, text);
        assert_eq!(fixes.as_array().unwrap().len(), found.len());
        let first = &fixes[0][0];
        let (s, e) = (
            first["startUtf16"].as_u64().unwrap() as usize,
            first["endUtf16"].as_u64().unwrap() as usize,
        );
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16(&utf16[s..e]).unwrap(),
            &text[first["start"].as_u64().unwrap() as usize
                ..first["end"].as_u64().unwrap() as usize]
        );
        assert!(
            first["replacement"]
                .as_str()
                .unwrap()
                .starts_with("being placed at risk")
        );
        // Someone's own words are never rewritten.
        let quoted = found.iter().position(|(id, _)| id == "streetwise").unwrap();
        assert_eq!(fixes[quoted], json!([]));
    }

    #[test]
    fn explain_and_rules_describe_the_builtin_lexicon() {
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let e = parse(&engine.explain_json("streetwise").unwrap());
        let entry = engine
            .lexicon()
            .get(engine.lexicon().find("streetwise").unwrap());
        assert_eq!(e["why"], entry.why.as_str());
        assert_eq!(e["alternatives"], json!(entry.alternatives));
        assert_eq!(e["sources"], json!(entry.sources));
        assert!(e["file"].as_str().unwrap().starts_with("<built-in>/"));
        assert!(!e["examples"].as_array().unwrap().is_empty());
        let alternatives = parse(&engine.alternatives_json("streetwise").unwrap());
        assert_eq!(alternatives, e["alternatives"]);
        let rules = parse(&engine.rules_json());
        assert_eq!(
            rules.as_array().unwrap().len(),
            engine.lexicon().entries.len()
        );
    }

    #[test]
    fn a_force_s_examples_are_run_and_failures_say_where_and_what_to_do() {
        let bad = LOCAL.replace(
            "examples = [\"He is a wrong'un.\"]",
            "examples = [\"He is a wrong'un.\", \"He is a bad lad.\"]\ncounterexamples = [\"He is wrong.\"]",
        );
        let options = linter_options(&json!({
            "lexicon": [[{ "name": "force/local.toml", "text": bad }]],
        }))
        .unwrap();
        let engine = Engine::new(options).unwrap();
        let report = parse(&engine.test_json());
        // The built-in examples run too, with the force's file layered on
        // top, as `vblint lexicon test FOLDER` runs them.
        assert!(report["entries"].as_u64().unwrap() > 1);
        assert!(report["passed"].as_u64().unwrap() > 100);
        assert_eq!(report["failed"], 1);
        let results = report["results"].as_array().unwrap();
        let own: Vec<_> = results
            .iter()
            .filter(|r| r["file"] == "force/local.toml")
            .collect();
        assert_eq!(own.len(), 3);
        let failed = results.iter().find(|r| r["passed"] == false).unwrap();
        assert_eq!(failed["rule"], "local-wrongun");
        assert_eq!(failed["kind"], "example");
        assert_eq!(failed["number"], 2);
        assert_eq!(failed["text"], "He is a bad lad.");
        assert_eq!(failed["file"], "force/local.toml");
        assert_eq!(failed["line"], 8);
        let problem = &failed["problem"];
        assert_eq!(problem["file"], "force/local.toml");
        assert_eq!(problem["line"], 8);
        assert!(problem["help"].as_str().is_some_and(|h| !h.is_empty()));
        // The same failure is one of the lexicon check's problems, and only
        // the force's file is reported on.
        let problems = parse(&engine.validate_json());
        let problems = problems.as_array().unwrap();
        assert!(problems.iter().any(|p| p["text"] == problem["text"]));
        assert!(problems.iter().all(|p| p["file"] == "force/local.toml"));
    }

    #[test]
    fn without_a_force_s_files_the_built_in_examples_are_run_and_pass() {
        let engine = Engine::new(LinterOptions::default()).unwrap();
        let report = parse(&engine.test_json());
        assert_eq!(report["failed"], 0);
        assert!(report["passed"].as_u64().unwrap() > 100);
        let categories = parse(&categories_json());
        assert_eq!(categories.as_array().unwrap().len(), Category::ALL.len());
        assert_eq!(categories[0]["id"], "consent-choice");
    }
}
