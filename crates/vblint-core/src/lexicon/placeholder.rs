//! vblint's own `placeholder` rule: a part of a suggested wording left to
//! fill in, such as `[name the adult]`, found in a text.
//!
//! Quick fixes write the lexicon's wordings into a note, placeholders and
//! all; the rule makes sure none of them reaches a record unfinished. It
//! flags the placeholders of the lexicon in effect (those of every
//! alternative and every `[[entry.replace]]` wording), in square brackets,
//! whatever their capitalisation. It is the last entry of every lexicon;
//! `disable = ["placeholder"]` switches it off like any entry.

use super::template::{Template, placeholders};
use super::{
    BUILTIN_PREFIX, Category, Entry, Example, FixPolicy, Lexicon, Origin, PLACEHOLDER_RULE,
    Severity,
};
use crate::diagnostic::SourceFile;
use crate::text::normalize_phrase;

/// The text of a placeholder as the scanner compares it: what is inside
/// the brackets, normalised and lower-cased.
pub fn key(placeholder: &str) -> String {
    let inner = placeholder
        .strip_prefix('[')
        .and_then(|p| p.strip_suffix(']'))
        .unwrap_or(placeholder);
    normalize_phrase(inner)
}

/// Collects the lexicon's placeholders and appends the rule's entry.
pub(crate) fn add_rule(lexicon: &mut Lexicon) {
    let mut found: Vec<&str> = Vec::new();
    for (_, entry) in lexicon.active() {
        let templates = entry.replace.iter().map(|r| &r.with);
        for p in entry
            .alternatives
            .iter()
            .flat_map(|a| placeholders(a))
            .chain(templates.flat_map(Template::placeholders))
        {
            if !found.contains(&p) {
                found.push(p);
            }
        }
    }
    let example = found
        .iter()
        .find(|p| p.starts_with("[name"))
        .or(found.first());
    let examples = example
        .map(|p| Example {
            text: format!("Strategy meeting: she is being exploited by {p}."),
            span: 0..0,
        })
        .into_iter()
        .collect();
    let mut keys: Vec<String> = found.iter().map(|p| key(p)).collect();
    keys.sort();
    keys.dedup();
    lexicon.placeholders = keys;
    lexicon.entries.push(Entry {
        id: PLACEHOLDER_RULE.to_string(),
        category: Category::Unfinished,
        severity: Severity::Hint,
        terms: Vec::new(),
        except: Vec::new(),
        alternatives: Vec::new(),
        replace: Vec::new(),
        fix: FixPolicy::Review,
        why: "A part of a suggested wording is still to be filled in. Write what the brackets ask for \
              (for example the adult's name), or reword the sentence, and remove the brackets before the record is saved."
            .to_string(),
        sources: vec!["vblint: the placeholders of the lexicon's suggested wordings".to_string()],
        added: None,
        reviewed: None,
        guards: Vec::new(),
        subject: super::Subject::Any,
        examples,
        counterexamples: Vec::new(),
        fixes: Vec::new(),
        retired: false,
        origin: Origin {
            file: SourceFile::new(format!("{BUILTIN_PREFIX}/{PLACEHOLDER_RULE}"), ""),
            span: 0..0,
            id_span: 0..0,
            layer: 0,
            replaces: None,
        },
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::diagnostic::SourceFile;
    use crate::lexicon::{LexiconBuilder, PLACEHOLDER_RULE, Severity};
    use crate::scan::{QuotePolicy, Scanner, Settings};

    const LEXICON: &str = r#"
[[entry]]
id = "naive"
category = "responsibility"
terms = ["naive"]
alternatives = ["is being targeted because she is [describe her vulnerability]"]
why = "Blames the child."
sources = ["x"]
examples = ["She is naive."]

[[entry.replace]]
match = "is naive"
with = "is being groomed by [name the adults]"
"#;

    fn scanner(settings: Settings) -> Scanner {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("test.toml", LEXICON));
        Scanner::new(Arc::new(b.build().unwrap()), settings).unwrap()
    }

    fn found(s: &Scanner, text: &str) -> Vec<(String, String, Severity)> {
        s.scan(text)
            .into_iter()
            .map(|f| {
                let id = s.lexicon().get(f.entry).id.clone();
                (id, text[f.span].to_string(), f.severity)
            })
            .collect()
    }

    #[test]
    fn the_placeholders_of_alternatives_and_replacements_are_collected() {
        let s = scanner(Settings::default());
        let lexicon = s.lexicon();
        assert_eq!(
            lexicon.placeholders,
            ["describe her vulnerability", "name the adults"]
        );
        let rule = lexicon.entries.last().unwrap();
        assert_eq!(rule.id, PLACEHOLDER_RULE);
        assert_eq!(
            rule.examples[0].text,
            "Strategy meeting: she is being exploited by [name the adults]."
        );
    }

    #[test]
    fn a_placeholder_left_in_a_text_is_a_hint_in_order_with_the_terms() {
        let s = scanner(Settings::default());
        let hint = |t: &str| (PLACEHOLDER_RULE.to_string(), t.to_string(), Severity::Hint);
        assert_eq!(
            found(
                &s,
                "She is naive. YP IS BEING GROOMED BY [NAME THE ADULTS] at [ describe  her\u{a0}vulnerability ]."
            ),
            [
                ("naive".to_string(), "naive".to_string(), Severity::Warning),
                hint("[NAME THE ADULTS]"),
                hint("[ describe  her\u{a0}vulnerability ]"),
            ]
        );
        // Brackets that are not the lexicon's placeholders, or that do not
        // close on the line, are left alone.
        assert!(found(&s, "Notes [sic] and [redacted]; [name the\nadults].").is_empty());
        // An inline marker switches it off like any rule.
        assert!(found(&s, "By [name the adults]. vblint: ignore placeholder").is_empty());
    }

    #[test]
    fn quotations_and_settings_apply() {
        let s = scanner(Settings::default());
        let f = s.scan("She said \"[name the adults]\".");
        assert_eq!(f.len(), 1);
        assert!(f[0].quoted);
        let skip = Settings {
            quotes: QuotePolicy::Skip,
            ..Settings::default()
        };
        assert!(
            scanner(skip)
                .scan("She said \"[name the adults]\".")
                .is_empty()
        );
        let off = Settings {
            disabled: [PLACEHOLDER_RULE.to_string()].into(),
            ..Settings::default()
        };
        assert!(scanner(off).scan("By [name the adults].").is_empty());
        let loud = Settings {
            severity: [(PLACEHOLDER_RULE.to_string(), Severity::Error)].into(),
            ..Settings::default()
        };
        assert_eq!(
            scanner(loud).scan("By [name the adults].")[0].severity,
            Severity::Error
        );
    }
}
