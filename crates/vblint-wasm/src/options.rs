//! The options JavaScript passes in, read from their JSON form with
//! messages that say which option is wrong and what to write instead.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Map, Value};
use vblint_core::diagnostic::{Diagnostic, SourceFile, closest};
use vblint_core::lexicon::Severity;
use vblint_core::scan::{QuotePolicy, Settings};

/// Where findings are reported as coming from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The `path` field: `-` unless given.
    pub path: String,
    /// The `record` field: `None` unless given.
    pub record: Option<String>,
}

impl Default for Origin {
    fn default() -> Origin {
        Origin {
            path: "-".into(),
            record: None,
        }
    }
}

/// The options of the `check` function: scanner settings and the origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Quotation policy, disabled entries and severity overrides.
    pub settings: Settings,
    /// The `path` and `record` of the findings.
    pub origin: Origin,
}

/// The options of a `Linter`: the lexicon layers and scanner settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinterOptions {
    /// Whether the built-in lexicon is the bottom layer.
    pub builtin: bool,
    /// Lexicon layers over it, in order: each the files of one folder (or
    /// one file).
    pub layers: Vec<Vec<Arc<SourceFile>>>,
    /// Quotation policy, disabled entries and severity overrides.
    pub settings: Settings,
}

impl Default for LinterOptions {
    fn default() -> LinterOptions {
        LinterOptions {
            builtin: true,
            layers: Vec::new(),
            settings: Settings::default(),
        }
    }
}

const CHECK_KEYS: &[&str] = &["quotes", "disable", "severity", "path", "record"];
const LINTER_KEYS: &[&str] = &["lexicon", "builtin", "quotes", "disable", "severity"];
const LINTER_CHECK_KEYS: &[&str] = &["path", "record"];

/// Reads the options of `check(text, options)`.
///
/// # Errors
///
/// A diagnostic naming the option that is wrong.
pub fn check_options(value: &Value) -> Result<CheckOptions, Diagnostic> {
    let map = object(value, "the options of `check`", CHECK_KEYS, &[])?;
    Ok(CheckOptions {
        settings: settings(map)?,
        origin: origin(map)?,
    })
}

/// Reads the options of `new Linter(options)`.
///
/// # Errors
///
/// A diagnostic naming the option that is wrong.
pub fn linter_options(value: &Value) -> Result<LinterOptions, Diagnostic> {
    let map = object(
        value,
        "the options of `new Linter`",
        LINTER_KEYS,
        &[(
            LINTER_CHECK_KEYS,
            "give it to `linter.check(text, { … })`, not to `new Linter`",
        )],
    )?;
    let builtin = match map.get("builtin") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(wrong_type("builtin", "true or false")),
    };
    Ok(LinterOptions {
        builtin,
        layers: layers(map.get("lexicon"))?,
        settings: settings(map)?,
    })
}

/// Reads the options of `linter.check(text, options)`.
///
/// # Errors
///
/// A diagnostic naming the option that is wrong.
pub fn linter_check_options(value: &Value) -> Result<Origin, Diagnostic> {
    let map = object(
        value,
        "the options of `linter.check`",
        LINTER_CHECK_KEYS,
        &[(
            &["quotes", "disable", "severity", "lexicon", "builtin"],
            "a Linter's lexicon and settings are fixed when it is made: give this to `new Linter({ … })`",
        )],
    )?;
    origin(map)
}

/// The options as an object (undefined and null mean none), with every key
/// known.
fn object<'a>(
    value: &'a Value,
    what: &str,
    keys: &[&str],
    elsewhere: &[(&[&str], &str)],
) -> Result<&'a Map<String, Value>, Diagnostic> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let map = match value {
        Value::Null => EMPTY.get_or_init(Map::new),
        Value::Object(map) => map,
        _ => {
            return Err(Diagnostic::error(format!("{what} must be an object"))
                .help(format!("write {{ {}: … }}", keys[0])));
        }
    };
    for key in map.keys() {
        if keys.contains(&key.as_str()) {
            continue;
        }
        let d = Diagnostic::error(format!("unknown option `{key}` in {what}"));
        if let Some((_, help)) = elsewhere.iter().find(|(k, _)| k.contains(&key.as_str())) {
            return Err(d.help(*help));
        }
        return Err(match closest(key, keys.iter().copied()) {
            Some(k) => d.help(format!("did you mean `{k}`?")),
            None => d.help(format!("the options here are: {}", keys.join(", "))),
        });
    }
    Ok(map)
}

fn wrong_type(key: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(format!("the option `{key}` must be {expected}"))
}

fn settings(map: &Map<String, Value>) -> Result<Settings, Diagnostic> {
    let quotes = match map.get("quotes") {
        None | Some(Value::Null) => QuotePolicy::default(),
        Some(Value::String(s)) => match s.as_str() {
            "skip" => QuotePolicy::Skip,
            "info" => QuotePolicy::Info,
            "flag" => QuotePolicy::Flag,
            other => {
                return Err(
                    Diagnostic::error(format!("`{other}` is not a quotation policy"))
                        .help("write \"skip\", \"info\" (the default) or \"flag\""),
                );
            }
        },
        Some(_) => return Err(wrong_type("quotes", "\"skip\", \"info\" or \"flag\"")),
    };
    let disabled = match map.get("disable") {
        None | Some(Value::Null) => BTreeSet::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| wrong_type("disable", "an array of rule ids (strings)"))?,
        Some(_) => return Err(wrong_type("disable", "an array of rule ids (strings)")),
    };
    let severity = match map.get("severity") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(id, v)| {
                let level = match v.as_str() {
                    Some("error") => Severity::Error,
                    Some("warning") => Severity::Warning,
                    Some("info") => Severity::Info,
                    Some("hint") => Severity::Hint,
                    _ => {
                        return Err(Diagnostic::error(format!(
                            "the severity of `{id}` must be a severity name"
                        ))
                        .help("write \"error\", \"warning\", \"info\" or \"hint\""));
                    }
                };
                Ok((id.clone(), level))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(wrong_type(
                "severity",
                "an object of rule ids and severities, such as { \"boyfriend\": \"error\" }",
            ));
        }
    };
    Ok(Settings {
        quotes,
        disabled,
        severity,
    })
}

fn origin(map: &Map<String, Value>) -> Result<Origin, Diagnostic> {
    let path = match map.get("path") {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(wrong_type("path", "a string")),
    };
    let record = match map.get("record") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(wrong_type("record", "a string or null")),
    };
    Ok(Origin { path, record })
}

/// The `lexicon` option: an array whose items are each one layer, either
/// one file `{ name, text }` or the files of one folder, as an array.
fn layers(value: Option<&Value>) -> Result<Vec<Vec<Arc<SourceFile>>>, Diagnostic> {
    let help = "write lexicon: [{ name: \"local.toml\", text: \"…\" }] (an array of files, or of arrays of files for several layers)";
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(wrong_type("lexicon", "an array of lexicon files").help(help));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Array(files) => files
                .iter()
                .map(|f| file(f, i))
                .collect::<Result<Vec<_>, _>>(),
            other => file(other, i).map(|f| vec![f]),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|d| d.help(help))
}

fn file(value: &Value, layer: usize) -> Result<Arc<SourceFile>, Diagnostic> {
    let wrong = || {
        Diagnostic::error(format!(
            "lexicon layer {} must be a file {{ name, text }} or an array of them",
            layer + 1
        ))
    };
    let Value::Object(map) = value else {
        return Err(wrong());
    };
    match (map.get("name"), map.get("text")) {
        (Some(Value::String(name)), Some(Value::String(text))) if map.len() == 2 => {
            Ok(SourceFile::new(name.clone(), text.clone()))
        }
        _ => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_options_means_the_defaults() {
        assert_eq!(
            check_options(&Value::Null).unwrap(),
            CheckOptions::default()
        );
        assert_eq!(
            linter_options(&json!({})).unwrap(),
            LinterOptions::default()
        );
        assert_eq!(check_options(&Value::Null).unwrap().origin.path, "-");
    }

    #[test]
    fn settings_are_read() {
        let o = check_options(&json!({
            "quotes": "skip",
            "disable": ["boyfriend"],
            "severity": { "consent": "error" },
            "path": "note.txt",
            "record": "R1",
        }))
        .unwrap();
        assert_eq!(o.settings.quotes, QuotePolicy::Skip);
        assert!(o.settings.disabled.contains("boyfriend"));
        assert_eq!(o.settings.severity["consent"], Severity::Error);
        assert_eq!(o.origin.path, "note.txt");
        assert_eq!(o.origin.record.as_deref(), Some("R1"));
    }

    #[test]
    fn a_misspelt_option_gets_a_suggestion() {
        let e = check_options(&json!({ "quote": "skip" })).unwrap_err();
        assert_eq!(
            e.message,
            "unknown option `quote` in the options of `check`"
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `quotes`?"));
    }

    #[test]
    fn a_scanner_option_given_to_linter_check_says_where_it_belongs() {
        let e = linter_check_options(&json!({ "quotes": "skip" })).unwrap_err();
        assert!(e.help.unwrap().contains("new Linter"));
        let e = linter_options(&json!({ "path": "x" })).unwrap_err();
        assert!(e.help.unwrap().contains("linter.check"));
    }

    #[test]
    fn wrong_values_name_what_to_write() {
        let e = check_options(&json!({ "quotes": "ignore" })).unwrap_err();
        assert_eq!(e.message, "`ignore` is not a quotation policy");
        let e = check_options(&json!({ "disable": "boyfriend" })).unwrap_err();
        assert!(e.message.contains("array of rule ids"));
        let e = check_options(&json!({ "severity": { "consent": "high" } })).unwrap_err();
        assert!(e.help.unwrap().contains("\"warning\""));
        let e = check_options(&json!("skip")).unwrap_err();
        assert_eq!(e.message, "the options of `check` must be an object");
    }

    #[test]
    fn lexicon_layers_are_files_or_arrays_of_files() {
        let o = linter_options(&json!({
            "builtin": false,
            "lexicon": [
                { "name": "a.toml", "text": "A" },
                [{ "name": "b.toml", "text": "B" }, { "name": "c.toml", "text": "C" }],
            ],
        }))
        .unwrap();
        assert!(!o.builtin);
        let names: Vec<Vec<&str>> = o
            .layers
            .iter()
            .map(|l| l.iter().map(|f| f.name.as_str()).collect())
            .collect();
        assert_eq!(names, [vec!["a.toml"], vec!["b.toml", "c.toml"]]);
        let e = linter_options(&json!({ "lexicon": ["a.toml"] })).unwrap_err();
        assert_eq!(
            e.message,
            "lexicon layer 1 must be a file { name, text } or an array of them"
        );
    }
}
