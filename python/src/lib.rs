//! vblint for Python: the `vblint._vblint` extension module under the
//! `vblint` package (`python/vblint/`).
//!
//! A [`PyScanner`] is a compiled lexicon built from lexicon texts (the
//! built-in lexicon and layers read by [`files`]) and scanner settings. It
//! scans one text, many texts on every core with the GIL released, or Arrow
//! string arrays received and returned through the Arrow C Data Interface
//! ([`arrow`]). Findings carry the fields of the command line's JSON output
//! (`DESIGN.md`).

mod arrow;
mod files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rayon::prelude::*;
use vblint_core::diagnostic::{Diagnostic, SourceFile};
use vblint_core::lexicon::{Lexicon, LexiconBuilder, Severity};
use vblint_core::located::{self, Positions};
use vblint_core::scan::{Finding, QuotePolicy, Scanner, Settings};
use vblint_core::text::Normalized;

create_exception!(
    vblint,
    VblintError,
    PyValueError,
    "A problem with a lexicon or with the scanner's settings; the message names the file, line and column and says what to write instead."
);

/// Every diagnostic as one message: `file:line:col: what is wrong (help: …)`
/// per line, as the command line's one-line form writes them.
fn error(problems: &[Diagnostic]) -> PyErr {
    let text = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    VblintError::new_err(text)
}

/// Reads lexicon files or folders, one layer each, with the command line's
/// limits; returns `[[(name, text), …], …]`.
#[pyfunction]
fn read_lexicon_layers(paths: Vec<PathBuf>) -> PyResult<Vec<files::Layer>> {
    let mut layers = Vec::new();
    let mut problems = Vec::new();
    for p in &paths {
        match files::read_layer(p) {
            Ok(layer) => layers.push(layer),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(layers)
    } else {
        Err(error(&problems))
    }
}

/// A finding with its line and column.
struct Located {
    finding: Finding,
    line: usize,
    column: usize,
}

/// What the findings of one entry share, as Python objects made once.
struct EntryObjects {
    rule: Py<PyString>,
    category: Py<PyString>,
    message: Py<PyString>,
    quoted_message: Py<PyString>,
    alternatives: Vec<Py<PyString>>,
}

/// Python objects shared by every finding of a scanner.
struct Objects {
    entries: Vec<EntryObjects>,
    /// By severity: hint, info, warning, error.
    severity: [Py<PyString>; 4],
    keys: [Py<PyString>; 14],
    finding: Py<PyString>,
    path: Py<PyString>,
}

/// The JSON fields of a finding, in the command line's order.
const KEYS: [&str; 14] = [
    "type",
    "path",
    "record",
    "rule",
    "category",
    "severity",
    "line",
    "column",
    "start",
    "end",
    "text",
    "message",
    "alternatives",
    "quoted",
];

/// A compiled lexicon with its settings: `vblint.Scanner` wraps it.
#[pyclass(name = "_Scanner", module = "vblint._vblint", frozen)]
struct PyScanner {
    scanner: Scanner,
    objects: Objects,
}

impl PyScanner {
    fn lexicon(&self) -> &Arc<Lexicon> {
        self.scanner.lexicon()
    }

    /// Scans each text on every core, without the GIL.
    fn scan_all<T: AsRef<str> + Sync>(&self, py: Python<'_>, texts: &[T]) -> Vec<Vec<Located>> {
        let scanner = &self.scanner;
        py.detach(|| {
            texts
                .par_iter()
                .map_init(
                    || (Normalized::default(), Vec::new()),
                    |(norm, buf), text| scan_located(scanner, text.as_ref(), norm, buf),
                )
                .collect()
        })
    }

    fn dict<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        record: &Bound<'py, PyAny>,
        l: &Located,
    ) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.objects;
        let e = &o.entries[l.finding.entry.0 as usize];
        let k = &o.keys;
        let d = PyDict::new(py);
        let span = l.finding.span.clone();
        d.set_item(&k[0], &o.finding)?;
        d.set_item(&k[1], &o.path)?;
        d.set_item(&k[2], record)?;
        d.set_item(&k[3], &e.rule)?;
        d.set_item(&k[4], &e.category)?;
        d.set_item(&k[5], &o.severity[l.finding.severity.index()])?;
        d.set_item(&k[6], l.line)?;
        d.set_item(&k[7], l.column)?;
        d.set_item(&k[8], span.start)?;
        d.set_item(&k[9], span.end)?;
        d.set_item(&k[10], &text[span])?;
        let message = if l.finding.quoted {
            &e.quoted_message
        } else {
            &e.message
        };
        d.set_item(&k[11], message)?;
        d.set_item(&k[12], PyList::new(py, &e.alternatives)?)?;
        d.set_item(&k[13], l.finding.quoted)?;
        Ok(d)
    }
}

/// The findings of `text` with their lines and columns.
fn scan_located(
    scanner: &Scanner,
    text: &str,
    norm: &mut Normalized,
    buf: &mut Vec<Finding>,
) -> Vec<Located> {
    buf.clear();
    scanner.scan_into(text, norm, buf);
    let mut positions = Positions::new(text);
    buf.drain(..)
        .map(|finding| {
            let (line, column) = positions.line_column(finding.span.start);
            Located {
                finding,
                line,
                column,
            }
        })
        .collect()
}

#[pymethods]
impl PyScanner {
    /// Builds a scanner from lexicon texts: `builtin` says whether the
    /// built-in lexicon is the bottom layer, `layers` are `[[(name, text),
    /// …], …]`; `quotes` is `skip`, `info` or `flag`; `disable` lists entry
    /// ids; `severity` maps entry ids to `error`, `warning`, `info` or
    /// `hint`.
    #[new]
    fn new(
        py: Python<'_>,
        builtin: bool,
        layers: Vec<files::Layer>,
        quotes: &str,
        disable: Vec<String>,
        severity: BTreeMap<String, String>,
    ) -> PyResult<PyScanner> {
        let quotes = match quotes {
            "skip" => QuotePolicy::Skip,
            "info" => QuotePolicy::Info,
            "flag" => QuotePolicy::Flag,
            other => {
                return Err(error(&[Diagnostic::error(format!(
                    "`quotes` is `{other}`, which is not a quotation policy"
                ))
                .help("write `skip`, `info` or `flag`")]));
            }
        };
        let mut severities = BTreeMap::new();
        for (id, s) in severity {
            let level = match s.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                "hint" => Severity::Hint,
                other => {
                    return Err(error(&[Diagnostic::error(format!(
                        "the severity of `{id}` is `{other}`, which is not a severity"
                    ))
                    .help("write `error`, `warning`, `info` or `hint`")]));
                }
            };
            severities.insert(id, level);
        }
        let settings = Settings {
            quotes,
            disabled: disable.into_iter().collect::<BTreeSet<_>>(),
            severity: severities,
        };
        let scanner = py
            .detach(|| build(builtin, layers, settings))
            .map_err(|p| error(&p))?;
        let objects = objects(py, scanner.lexicon());
        Ok(PyScanner { scanner, objects })
    }

    /// The findings of one text, as dicts with the JSON output's fields
    /// (`path` is `-`, `record` is `record`).
    #[pyo3(signature = (text, record=None))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        record: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let text = text.to_cow()?;
        let found = py.detach(|| {
            scan_located(
                &self.scanner,
                &text,
                &mut Normalized::default(),
                &mut Vec::new(),
            )
        });
        let record = record.unwrap_or_else(|| py.None().into_bound(py));
        let list = PyList::empty(py);
        for l in &found {
            list.append(self.dict(py, &text, &record, l)?)?;
        }
        Ok(list)
    }

    /// The findings of many texts, scanned on every core with the GIL
    /// released, in the order of the texts; each finding's `record` is the
    /// text's item of `records`.
    fn check_many<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        records: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        if records.len() != texts.len() {
            return Err(PyValueError::new_err(format!(
                "{} texts but {} ids: give one id per text",
                texts.len(),
                records.len()
            )));
        }
        let found = self.scan_all(py, &texts);
        let list = PyList::empty(py);
        for ((text, record), found) in texts.iter().zip(&records).zip(&found) {
            for l in found {
                list.append(self.dict(py, text, record, l)?)?;
            }
        }
        Ok(list)
    }

    /// Scans one Arrow string array (given as the two PyCapsules of
    /// `__arrow_c_array__`) and returns the findings as an object with
    /// `__arrow_c_array__`: a struct array with the row of each finding
    /// (counted from `first_row`) and its fields.
    fn check_arrow_chunk<'py>(
        &self,
        py: Python<'py>,
        schema: &Bound<'py, PyAny>,
        array: &Bound<'py, PyAny>,
        first_row: u64,
    ) -> PyResult<arrow::Batch> {
        arrow::check_chunk(py, &self.scanner, schema, array, first_row)
    }

    /// The ids of the lexicon's entries that can match.
    fn rules(&self) -> Vec<String> {
        let settings = self.scanner.settings();
        self.lexicon()
            .active()
            .filter(|(_, e)| !settings.disabled.contains(&e.id))
            .map(|(_, e)| e.id.clone())
            .collect()
    }

    /// Problems in the lexicon that did not stop it loading, one line each.
    fn warnings(&self) -> Vec<String> {
        self.lexicon()
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

/// Loads the lexicon and compiles the scanner.
fn build(
    builtin: bool,
    layers: Vec<files::Layer>,
    settings: Settings,
) -> Result<Scanner, Vec<Diagnostic>> {
    let mut builder = LexiconBuilder::new();
    if builtin {
        builder.add_builtin();
    }
    for layer in layers {
        builder.add_layer(
            layer
                .into_iter()
                .map(|(name, text)| SourceFile::new(name, text)),
        );
    }
    let lexicon = builder.build()?;
    check_rule_ids(&lexicon, &settings)?;
    Scanner::new(Arc::new(lexicon), settings).map_err(|d| vec![d])
}

/// The error for a configured rule id the lexicon does not have.
fn check_rule_ids(lexicon: &Lexicon, settings: &Settings) -> Result<(), Vec<Diagnostic>> {
    let ids = settings.disabled.iter().chain(settings.severity.keys());
    match lexicon.unknown_rule(ids, "`Scanner().rules()` lists every entry id") {
        Some(d) => Err(vec![d]),
        None => Ok(()),
    }
}

fn objects(py: Python<'_>, lexicon: &Lexicon) -> Objects {
    let s = |text: &str| PyString::new(py, text).unbind();
    Objects {
        entries: lexicon
            .entries
            .iter()
            .map(|e| EntryObjects {
                rule: s(&e.id),
                category: s(e.category.as_str()),
                message: s(&located::message(e, false)),
                quoted_message: s(&located::message(e, true)),
                alternatives: e.alternatives.iter().map(|a| s(a)).collect(),
            })
            .collect(),
        severity: [
            Severity::Hint,
            Severity::Info,
            Severity::Warning,
            Severity::Error,
        ]
        .map(|v| PyString::intern(py, v.as_str()).unbind()),
        keys: KEYS.map(|k| PyString::intern(py, k).unbind()),
        finding: PyString::intern(py, "finding").unbind(),
        path: PyString::intern(py, "-").unbind(),
    }
}

#[pymodule]
fn _vblint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScanner>()?;
    m.add_class::<arrow::Batch>()?;
    m.add_function(wrap_pyfunction!(read_lexicon_layers, m)?)?;
    m.add("VblintError", m.py().get_type::<VblintError>())?;
    m.add("FIELDS", KEYS.to_vec())?;
    Ok(())
}
