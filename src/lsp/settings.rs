//! Settings from the editor, `vblint.toml`, and the scanner they build.
//!
//! The editor's settings (from `initializationOptions`, then
//! `workspace/didChangeConfiguration` or `workspace/configuration`) are read
//! either under a `vblint` key or at the top level. They layer over the
//! workspace's `vblint.toml` the way command-line flags do: `quotes` wins,
//! `lexicon` folders and `disable` ids add up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::lexicon::Severity;
use crate::scan::{QuotePolicy, Scanner};

/// What the editor asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientSettings {
    pub(crate) quotes: Option<QuotePolicy>,
    pub(crate) lexicon: Vec<String>,
    pub(crate) disable: Vec<String>,
}

impl ClientSettings {
    /// Reads settings from the editor's JSON. `None` when the JSON holds no
    /// vblint settings at all (null, or an object without our keys). Values
    /// of the wrong type are skipped and described in `problems`.
    pub(crate) fn from_json(value: &Value, problems: &mut Vec<String>) -> Option<ClientSettings> {
        let obj = match value.get("vblint") {
            Some(inner @ Value::Object(_)) => inner,
            _ => value,
        };
        let Value::Object(map) = obj else {
            return None;
        };
        if !["quotes", "lexicon", "disable"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            return None;
        }
        let mut out = ClientSettings::default();
        match map.get("quotes") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => match s.as_str() {
                "skip" => out.quotes = Some(QuotePolicy::Skip),
                "info" => out.quotes = Some(QuotePolicy::Info),
                "flag" => out.quotes = Some(QuotePolicy::Flag),
                other => problems.push(format!(
                    "the setting `quotes` is `{other}`; use \"skip\", \"info\" or \"flag\""
                )),
            },
            Some(_) => {
                problems.push("the setting `quotes` must be \"skip\", \"info\" or \"flag\"".into())
            }
        }
        out.lexicon = strings(map.get("lexicon"), "lexicon", problems);
        out.disable = strings(map.get("disable"), "disable", problems);
        Some(out)
    }
}

fn strings(value: Option<&Value>, key: &str, problems: &mut Vec<String>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                    _ => problems.push(format!(
                        "the setting `{key}` must be a list of strings; skipped {item}"
                    )),
                }
            }
            out
        }
        Some(other) => {
            problems.push(format!(
                "the setting `{key}` must be a list of strings, not {other}"
            ));
            Vec::new()
        }
    }
}

/// A compiled scanner and what it was built from.
pub(crate) struct Engine {
    pub(crate) scanner: Scanner,
    /// The configuration file used, if any.
    pub(crate) config_path: Option<PathBuf>,
    /// The extra lexicon files and folders in effect.
    pub(crate) lexicon_paths: Vec<PathBuf>,
    /// Per entry: the one-line message, plain and for quoted findings.
    pub(crate) messages: Vec<(String, String)>,
    /// The most bytes one diagnostic of a finding can take as JSON.
    pub(crate) diagnostic_bytes: usize,
}

/// The note added to the message of a finding inside quotation marks.
pub(crate) const QUOTED_NOTE: &str =
    " (inside a quotation: these are someone's own words, so record them verbatim)";

impl Engine {
    /// Builds the scanner for a workspace.
    ///
    /// # Errors
    ///
    /// Every problem in the configuration file or the lexicon.
    pub(crate) fn build(
        root: Option<&Path>,
        client: &ClientSettings,
        session_disabled: &BTreeSet<String>,
    ) -> Result<Engine, Vec<Diagnostic>> {
        let config_path = root.and_then(Config::discover);
        let mut config = match &config_path {
            Some(path) => {
                let mut c = Config::load(path).map_err(|d| vec![d])?;
                c.path = Some(path.clone());
                c
            }
            None => Config::default(),
        };
        let resolve = |p: &String| {
            let p = PathBuf::from(p);
            match root {
                Some(r) if p.is_relative() => r.join(p),
                _ => p,
            }
        };
        let over = Config {
            lexicon: client.lexicon.iter().map(resolve).collect(),
            disable: client
                .disable
                .iter()
                .chain(session_disabled)
                .cloned()
                .collect(),
            quotes: client.quotes,
            ..Config::default()
        };
        config = config.merge(over);
        let lexicon = config.lexicon()?;
        let scanner = Scanner::new(Arc::new(lexicon), config.settings()).map_err(|d| vec![d])?;
        Ok(Engine::new(scanner, config_path, config.lexicon))
    }

    pub(crate) fn new(
        scanner: Scanner,
        config_path: Option<PathBuf>,
        lexicon_paths: Vec<PathBuf>,
    ) -> Engine {
        let messages = scanner
            .lexicon()
            .entries
            .iter()
            .map(|e| {
                let m = e.message();
                let q = format!("{m}{QUOTED_NOTE}");
                (m, q)
            })
            .collect::<Vec<(String, String)>>();
        // The longest message and id, escaped, twice the id (as `code` and
        // in `data`), and the rest of the object with the largest numbers.
        let json_len = |s: &str| serde_json::to_string(s).map_or(6 * s.len() + 2, |j| j.len());
        let longest_message = messages
            .iter()
            .map(|(_, quoted)| json_len(quoted))
            .max()
            .unwrap_or(0);
        let longest_id = scanner
            .lexicon()
            .entries
            .iter()
            .map(|e| json_len(&e.id))
            .max()
            .unwrap_or(0);
        let diagnostic_bytes = longest_message + 2 * longest_id + 256;
        Engine {
            scanner,
            config_path,
            lexicon_paths,
            messages,
            diagnostic_bytes,
        }
    }

    /// A scanner that finds nothing, held until `initialize` builds the
    /// real one (so that only one scanner is ever being built).
    pub(crate) fn empty() -> Engine {
        match crate::lexicon::LexiconBuilder::new()
            .build()
            .ok()
            .and_then(|l| Scanner::new(Arc::new(l), crate::scan::Settings::default()).ok())
        {
            Some(scanner) => Engine::new(scanner, None, Vec::new()),
            None => Engine::fallback(),
        }
    }

    /// The built-in lexicon with default settings: what runs if the first
    /// configuration is broken.
    pub(crate) fn fallback() -> Engine {
        let lexicon = crate::lexicon::Lexicon::builtin();
        let scanner = Scanner::new(Arc::new(lexicon), crate::scan::Settings::default())
            .expect("the built-in lexicon compiles");
        Engine::new(scanner, None, Vec::new())
    }
}

/// The LSP severity of a finding.
pub(crate) fn lsp_severity(s: Severity) -> lsp_types::DiagnosticSeverity {
    match s {
        Severity::Error => lsp_types::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp_types::DiagnosticSeverity::WARNING,
        Severity::Info => lsp_types::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp_types::DiagnosticSeverity::HINT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_nested_or_top_level() {
        let mut p = Vec::new();
        let a = ClientSettings::from_json(
            &json!({"vblint": {"quotes": "skip", "disable": ["x"], "server": {"path": "v"}}}),
            &mut p,
        )
        .unwrap();
        assert_eq!(a.quotes, Some(QuotePolicy::Skip));
        assert_eq!(a.disable, ["x"]);
        let b = ClientSettings::from_json(&json!({"quotes": "flag", "lexicon": "local"}), &mut p)
            .unwrap();
        assert_eq!(b.quotes, Some(QuotePolicy::Flag));
        assert_eq!(b.lexicon, ["local"]);
        assert!(p.is_empty());
        assert_eq!(ClientSettings::from_json(&Value::Null, &mut p), None);
        assert_eq!(
            ClientSettings::from_json(&json!({"other": 1}), &mut p),
            None
        );
    }

    #[test]
    fn bad_values_are_reported_and_skipped() {
        let mut p = Vec::new();
        let s =
            ClientSettings::from_json(&json!({"quotes": 3, "disable": ["a", 4]}), &mut p).unwrap();
        assert_eq!(s.quotes, None);
        assert_eq!(s.disable, ["a"]);
        assert_eq!(p.len(), 2);
    }
}
