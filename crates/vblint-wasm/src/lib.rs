//! vblint for JavaScript: the scanner of `vblint-core` compiled to
//! WebAssembly, for browsers and Node.js (`build.sh` makes `pkg/`).
//!
//! - `check(text, options?)` scans with the built-in lexicon and returns the
//!   findings `vblint check --format json` reports, with the same fields and
//!   values, plus `startUtf16` and `endUtf16` (the span in a JavaScript
//!   string's code units).
//! - `explain(rule)`, `alternatives(rule)`, `rules()` and `categories()`
//!   describe the lexicon.
//! - `new Linter({ lexicon, builtin, quotes, disable, severity })` layers a
//!   force's own lexicon files (TOML text) over the built-in one and keeps
//!   the compiled scanner for repeated checks; its `test()` and
//!   `validate()` run the force's examples and checks as `vblint lexicon
//!   test` and `vblint lexicon check` do.
//!
//! Every error is thrown as an `Error` named `VblintError` whose `problems`
//! list says what is wrong, where (file, line, column for lexicon files)
//! and what to write instead. Nothing is read from or sent to anywhere: the
//! caller passes every text in.
//!
//! The work is done in plain Rust in [`engine`] and [`options`]; this file
//! only moves values across the boundary: findings as numbers that a small
//! JavaScript function turns into objects, everything else as JSON text.

pub mod engine;
pub mod options;

use std::cell::RefCell;

use js_sys::JsString;
use serde_json::Value;
use vblint_core::diagnostic::Diagnostic;
use wasm_bindgen::prelude::*;

use engine::{Engine, builtin, categories_json, problems_json};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** One finding: the fields of `vblint check --format json`, plus the span in UTF-16 code units. */
export interface Finding {
  type: "finding";
  /** `options.path`, or "-". */
  path: string;
  /** `options.record`, or null. */
  record: string | null;
  /** The lexicon entry id. */
  rule: string;
  category: string;
  /** After the quotation policy and severity overrides. */
  severity: "error" | "warning" | "info" | "hint";
  /** 1-based. */
  line: number;
  /** 1-based, in Unicode scalar values. */
  column: number;
  /** Byte offsets of the match in the UTF-8 encoding of the text. */
  start: number;
  end: number;
  /** Offsets of the match in the JavaScript string: `text.slice(startUtf16, endUtf16)` is the match. */
  startUtf16: number;
  endUtf16: number;
  /** The matched text, exactly as written. */
  text: string;
  message: string;
  alternatives: string[];
  /** Inside quotation marks: someone's own words. */
  quoted: boolean;
}

/** A drop-in replacement for a finding: what the language server's quick fix writes. */
export interface Fix {
  /** Byte offsets in the UTF-8 encoding of the text: the finding and any words around it that the replacement rewrites. */
  start: number;
  end: number;
  /** The same range in the JavaScript string. */
  startUtf16: number;
  endUtf16: number;
  /** The new text, capitalised like the old. */
  replacement: string;
}

export type QuotePolicy = "skip" | "info" | "flag";
export type Severity = "error" | "warning" | "info" | "hint";

/** How to scan: the settings of vblint.toml. */
export interface ScanSettings {
  /** What to do with terms inside quotation marks (default "info"). */
  quotes?: QuotePolicy;
  /** Rule ids that never match. */
  disable?: string[];
  /** Severity overrides by rule id. */
  severity?: Record<string, Severity>;
}

/** Where the findings say they come from. */
export interface FindingOrigin {
  /** The `path` of each finding (default "-"). */
  path?: string;
  /** The `record` of each finding (default null). */
  record?: string | null;
}

export interface CheckOptions extends ScanSettings, FindingOrigin {}

/** One lexicon file: a name to show in errors and its TOML text. */
export interface LexiconFile {
  name: string;
  text: string;
}

export interface LinterOptions extends ScanSettings {
  /** Lexicon layers over the built-in one, in order: each a file, or the files of one folder. */
  lexicon?: Array<LexiconFile | LexiconFile[]>;
  /** Whether the built-in lexicon is the bottom layer (default true). */
  builtin?: boolean;
}

/** Everything about one rule: what `vblint explain` prints. */
export interface Explanation {
  id: string;
  category: string;
  severity: Severity;
  /** The one-line message of its findings. */
  message: string;
  why: string;
  alternatives: string[];
  /** "safe": `vblint fix` may swap in the first alternative; "review": a person chooses. */
  fix: "safe" | "review";
  sources: string[];
  terms: string[];
  except: string[];
  examples: string[];
  counterexamples: string[];
  retired: boolean;
  added: string | null;
  reviewed: string | null;
  /** Where the entry is defined. */
  file: string;
  line: number;
}

export interface Rule {
  id: string;
  category: string;
  severity: Severity;
  retired: boolean;
  /** Whether it can match with these settings. */
  enabled: boolean;
  message: string;
}

/** A problem in a lexicon file or in the options. */
export interface Problem {
  severity: "error" | "warning";
  message: string;
  file: string | null;
  /** 1-based; column in Unicode scalar values. */
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  label: string | null;
  /** What to write instead. */
  help: string | null;
  notes: string[];
  /** One line: `file:line:column: message (help: …)`. */
  text: string;
  /** rustc-style, with the line of the file and a caret under the problem. */
  rendered: string;
}

/** A category of victim-blaming language. */
export interface Category {
  id: string;
  /** What language of this category does, in one sentence. */
  description: string;
}

/** One example, counterexample, before/after pair or replacement of an entry, run. */
export interface ExampleResult {
  rule: string;
  kind: "example" | "counterexample" | "fix" | "replacement" | "built-in-example" | "built-in-counterexample";
  /** 1-based, in the entry's list of that kind. */
  number: number;
  /** The sentence tested (a pair's `before`; a replacement's `match`). */
  text: string;
  file: string;
  /** 1-based; column in Unicode scalar values. */
  line: number;
  column: number;
  passed: boolean;
  /** What went wrong and what to write instead, when it failed. */
  problem: Problem | null;
}

/** What `Linter.test()` found: `vblint lexicon test`, as data. */
export interface TestReport {
  /** How many entries had something to test. */
  entries: number;
  passed: number;
  failed: number;
  results: ExampleResult[];
  /** A problem that stopped the examples running at all. */
  problems: Problem[];
}

/** What every function throws: `problems` says what is wrong and where. */
export interface VblintError extends Error {
  name: "VblintError";
  problems: Problem[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `CheckOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "CheckOptions")]
    pub type CheckOptionsArg;
    /// `LinterOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "LinterOptions")]
    pub type LinterOptionsArg;
    /// `FindingOrigin` in TypeScript.
    #[wasm_bindgen(typescript_type = "FindingOrigin")]
    pub type FindingOriginArg;
}

/// Builds the finding objects in JavaScript from the numbers Rust computes
/// ([`engine::locate_into`]) and the rule table ([`Engine::rule_table_json`]):
/// a finding's `text` is cut from the caller's own string, and its message
/// and alternatives come from its rule, so no finding is encoded as JSON or
/// copied as a string across the boundary. Each finding is
/// [`engine::FIELDS`] numbers, the 9 below.
#[wasm_bindgen(inline_js = r#"
const SEVERITY = ["hint", "info", "warning", "error"];
export function vblintFindings(numbers, text, path, record, rules) {
  const out = new Array(numbers.length / 9);
  for (let i = 0, j = 0; j < numbers.length; i++, j += 9) {
    const rule = rules[numbers[j]];
    const quoted = numbers[j + 8] === 1;
    out[i] = {
      type: "finding",
      path,
      record: record ?? null,
      rule: rule.id,
      category: rule.category,
      severity: SEVERITY[numbers[j + 1]],
      line: numbers[j + 2],
      column: numbers[j + 3],
      start: numbers[j + 4],
      end: numbers[j + 5],
      startUtf16: numbers[j + 6],
      endUtf16: numbers[j + 7],
      text: text.slice(numbers[j + 6], numbers[j + 7]),
      message: quoted ? rule.quotedMessage : rule.message,
      alternatives: rule.alternatives.slice(),
      quoted,
    };
  }
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = vblintFindings)]
    fn build_findings(
        numbers: &[u32],
        text: &JsString,
        path: &str,
        record: Option<String>,
        rules: &JsValue,
    ) -> JsValue;
}

const _: () = assert!(
    engine::FIELDS == 9,
    "vblintFindings reads nine numbers a finding"
);

/// An engine with its rule table as a JavaScript value, and the buffer its
/// findings' numbers are written to.
struct Door {
    engine: Engine,
    rules: JsValue,
    numbers: RefCell<Vec<u32>>,
}

impl Door {
    fn new(engine: Engine) -> Result<Door, JsValue> {
        let rules = parse(&engine.rule_table_json())?;
        Ok(Door {
            engine,
            rules,
            numbers: RefCell::default(),
        })
    }

    fn check(&self, text: &JsString, origin: &options::Origin) -> Result<JsValue, JsValue> {
        let Some(string) = text.as_string() else {
            return Err(error(&[Diagnostic::error(
                "the text to check must be a string",
            )]));
        };
        let mut numbers = self.numbers.borrow_mut();
        numbers.clear();
        self.engine.check_into(&string, &mut numbers);
        Ok(build_findings(
            &numbers,
            text,
            &origin.path,
            origin.record.clone(),
            &self.rules,
        ))
    }
}

thread_local! {
    /// The engine `check` last used: rebuilt only when its settings change.
    static DEFAULT: RefCell<Option<Door>> = const { RefCell::new(None) };
}

/// Runs `f` with the built-in engine for `settings`.
fn with_default<T>(
    settings: vblint_core::scan::Settings,
    f: impl FnOnce(&Door) -> Result<T, JsValue>,
) -> Result<T, JsValue> {
    DEFAULT.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell
            .as_ref()
            .is_none_or(|d| *d.engine.settings() != settings)
        {
            let engine = Engine::with_lexicon(builtin(), settings).map_err(|p| error(&p))?;
            *cell = Some(Door::new(engine)?);
        }
        f(cell.as_ref().expect("set above"))
    })
}

/// The error thrown for problems: an `Error` named `VblintError`, its
/// message the problems one per line, and the problems as data.
fn error(problems: &[Diagnostic]) -> JsValue {
    let message = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let e = js_sys::Error::new(&message);
    e.set_name("VblintError");
    let list = parse(&problems_json(problems)).unwrap_or(JsValue::NULL);
    // Setting a property of a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("problems"), &list);
    e.into()
}

fn parse(json: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(json)
}

/// Options from JavaScript as JSON: undefined and null are no options.
fn options(value: Option<impl Into<JsValue>>) -> Result<Value, JsValue> {
    let Some(value) = value
        .map(Into::into)
        .filter(|v: &JsValue| !v.is_undefined() && !v.is_null())
    else {
        return Ok(Value::Null);
    };
    let bad = || {
        error(&[Diagnostic::error("the options must be a plain object")
            .help("write { quotes: \"skip\" }, for example")])
    };
    let json = js_sys::JSON::stringify(&value).map_err(|_| bad())?;
    let json = json.as_string().ok_or_else(bad)?;
    serde_json::from_str(&json).map_err(|_| bad())
}

/// Scans `text` with the built-in lexicon and returns its findings in
/// order.
///
/// # Errors
///
/// Throws a `VblintError` for unknown options or rule ids.
#[wasm_bindgen(unchecked_return_type = "Finding[]")]
pub fn check(
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsString,
    options: Option<CheckOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options = options::check_options(&self::options(options)?).map_err(|d| error(&[d]))?;
    with_default(options.settings, |door| door.check(text, &options.origin))
}

/// Everything about a rule of the built-in lexicon.
///
/// # Errors
///
/// Throws a `VblintError` if there is no such rule.
#[wasm_bindgen(unchecked_return_type = "Explanation")]
pub fn explain(rule: &str) -> Result<JsValue, JsValue> {
    with_default(Default::default(), |door| {
        parse(&door.engine.explain_json(rule).map_err(|d| error(&[d]))?)
    })
}

/// The alternatives of a rule of the built-in lexicon.
///
/// # Errors
///
/// Throws a `VblintError` if there is no such rule.
#[wasm_bindgen(unchecked_return_type = "string[]")]
pub fn alternatives(rule: &str) -> Result<JsValue, JsValue> {
    with_default(Default::default(), |door| {
        parse(
            &door
                .engine
                .alternatives_json(rule)
                .map_err(|d| error(&[d]))?,
        )
    })
}

/// Every rule of the built-in lexicon.
///
/// # Errors
///
/// None in practice (the built-in lexicon always loads).
#[wasm_bindgen(unchecked_return_type = "Rule[]")]
pub fn rules() -> Result<JsValue, JsValue> {
    with_default(Default::default(), |door| parse(&door.engine.rules_json()))
}

/// The drop-in replacements of each finding of `text` with the built-in
/// lexicon: one array per finding of `check(text, options)`, in the same
/// order, best first; empty where nothing fits (inside a quotation, in
/// reported wording, or where the entry offers no replacement that fits).
///
/// # Errors
///
/// Throws a `VblintError` for unknown options or rule ids.
#[wasm_bindgen(unchecked_return_type = "Fix[][]")]
pub fn fixes(text: &str, options: Option<CheckOptionsArg>) -> Result<JsValue, JsValue> {
    let options = options::check_options(&self::options(options)?).map_err(|d| error(&[d]))?;
    with_default(options.settings, |door| {
        parse(&door.engine.fixes_json(text))
    })
}

/// The categories of victim-blaming language, in the lexicon's order.
///
/// # Errors
///
/// None in practice.
#[wasm_bindgen(unchecked_return_type = "Category[]")]
pub fn categories() -> Result<JsValue, JsValue> {
    parse(&categories_json())
}

/// The version of vblint.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A lexicon (the built-in one, with a force's own files layered over it)
/// compiled once for repeated checks.
#[wasm_bindgen]
pub struct Linter {
    door: Door,
}

#[wasm_bindgen]
impl Linter {
    /// Loads the lexicon layers and compiles them with the settings.
    ///
    /// # Errors
    ///
    /// Throws a `VblintError` listing every problem in the lexicon files
    /// (file, line, column, what to write instead), or an unknown option
    /// or rule id.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<LinterOptionsArg>) -> Result<Linter, JsValue> {
        let options = options::linter_options(&self::options(options)?).map_err(|d| error(&[d]))?;
        let engine = Engine::new(options).map_err(|p| error(&p))?;
        Ok(Linter {
            door: Door::new(engine)?,
        })
    }

    /// Scans `text` and returns its findings in order.
    ///
    /// # Errors
    ///
    /// Throws a `VblintError` for unknown options.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: &JsString,
        options: Option<FindingOriginArg>,
    ) -> Result<JsValue, JsValue> {
        let origin =
            options::linter_check_options(&self::options(options)?).map_err(|d| error(&[d]))?;
        self.door.check(text, &origin)
    }

    /// The drop-in replacements of each finding of `text`: one array per
    /// finding of `check(text)`, in the same order, best first.
    ///
    /// # Errors
    ///
    /// None in practice.
    #[wasm_bindgen(unchecked_return_type = "Fix[][]")]
    pub fn fixes(&self, text: &str) -> Result<JsValue, JsValue> {
        parse(&self.door.engine.fixes_json(text))
    }

    /// Everything about a rule.
    ///
    /// # Errors
    ///
    /// Throws a `VblintError` if there is no such rule.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(&self, rule: &str) -> Result<JsValue, JsValue> {
        parse(
            &self
                .door
                .engine
                .explain_json(rule)
                .map_err(|d| error(&[d]))?,
        )
    }

    /// A rule's alternatives.
    ///
    /// # Errors
    ///
    /// Throws a `VblintError` if there is no such rule.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn alternatives(&self, rule: &str) -> Result<JsValue, JsValue> {
        parse(
            &self
                .door
                .engine
                .alternatives_json(rule)
                .map_err(|d| error(&[d]))?,
        )
    }

    /// Every rule of the lexicon.
    ///
    /// # Errors
    ///
    /// None in practice.
    #[wasm_bindgen(unchecked_return_type = "Rule[]")]
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        parse(&self.door.engine.rules_json())
    }

    /// Runs the examples, counterexamples and before/after pairs of the
    /// entries in the force's files (every file when there are none), as
    /// `vblint lexicon test` does.
    ///
    /// # Errors
    ///
    /// None in practice.
    #[wasm_bindgen(unchecked_return_type = "TestReport")]
    pub fn test(&self) -> Result<JsValue, JsValue> {
        parse(&self.door.engine.test_json())
    }

    /// Every problem `vblint lexicon check` reports in the force's files
    /// (every file when there are none): failing examples, terms another
    /// entry has, alternatives that would be flagged, and the loading
    /// warnings.
    ///
    /// # Errors
    ///
    /// None in practice.
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn validate(&self) -> Result<JsValue, JsValue> {
        parse(&self.door.engine.validate_json())
    }

    /// Problems in the lexicon files that did not stop them loading.
    ///
    /// # Errors
    ///
    /// None in practice.
    #[wasm_bindgen(getter, unchecked_return_type = "Problem[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        parse(&self.door.engine.warnings_json())
    }
}
