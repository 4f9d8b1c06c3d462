//! The text behind code actions and hovers: comment markers,
//! `vblint.toml` edits, hovers and entry explanations. Replacements come
//! from [`crate::fix::drop_ins`], as `vblint fix`'s do.
//!
//! Pure functions over strings and byte offsets; the server turns their
//! results into LSP edits.

use std::fmt::Write as _;

use crate::lexicon::{Entry, FixPolicy, Severity};

/// The comment that makes vblint ignore `id` on a line, for languages that
/// have comments (Markdown, HTML, XML and the like); `None` for plain text
/// and anything else, where it would become part of the note.
pub(crate) fn comment_marker(language_id: &str, id: &str) -> Option<String> {
    match language_id {
        "markdown" | "html" | "xml" | "mdx" | "xhtml" | "vue" | "svelte" | "quarto" | "rmd" => {
            Some(format!(" <!-- vblint: ignore {id} -->"))
        }
        _ => None,
    }
}

/// `vblint.toml` text with `id` added to its `disable` list, keeping every
/// comment and the layout. `None` if it is already there.
///
/// # Errors
///
/// A message if the current text is not valid TOML or `disable` is not a
/// list.
pub(crate) fn add_disabled(config: &str, id: &str) -> Result<Option<String>, String> {
    let mut doc: toml_edit::DocumentMut = config.parse().map_err(|e: toml_edit::TomlError| {
        format!("vblint.toml is not valid TOML: {}", e.message())
    })?;
    let table = doc.as_table_mut();
    match table.get_mut("disable") {
        None => {
            let mut array = toml_edit::Array::new();
            array.push(id);
            // Top-level keys must come before the first table header, which
            // toml_edit does by placing new values with the root's keys.
            table.insert("disable", toml_edit::value(array));
        }
        Some(item) => {
            let Some(array) = item.as_array_mut() else {
                return Err("`disable` in vblint.toml is not a list".into());
            };
            if array.iter().any(|v| v.as_str() == Some(id)) {
                return Ok(None);
            }
            array.push(id);
        }
    }
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(Some(out))
}

/// How a hover offers the full explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MoreLink {
    /// A `command:` link that runs "Explain" (clients that run them).
    Command,
    /// A pointer to the "Explain" quick fix and `vblint explain`.
    Hint,
}

/// The `command:` URI that runs "Explain" for `id`.
pub(crate) fn explain_command_uri(id: &str) -> String {
    let args = serde_json::json!([id]).to_string();
    let mut uri = format!("command:{}?", super::handlers::EXPLAIN_COMMAND);
    for b in args.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}

/// The part of an entry's `why` that its diagnostic message does not
/// already say (the message is the first sentence), on one line.
fn why_beyond_message(entry: &Entry) -> Option<String> {
    let why = entry.why.trim();
    let rest = why.strip_prefix(entry.message().as_str())?.trim();
    let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    (!rest.is_empty()).then_some(rest)
}

/// The hover of a finding: short, and without repeating its diagnostic
/// message (which editors show with it). For a finding outside quotation
/// marks: the rest of the entry's why, the alternatives and a link to the
/// full explanation. For a quoted one: that it is someone's own words, to
/// be kept verbatim, and how it is shown (no alternatives: they are not to
/// be used there).
pub(crate) fn hover(
    entry: &Entry,
    quoted: bool,
    severity: Severity,
    markdown: bool,
    more: MoreLink,
) -> String {
    let bold = |s: &str| {
        if markdown {
            format!("**{s}**")
        } else {
            s.to_string()
        }
    };
    let code = |s: &str| {
        if markdown {
            format!("`{s}`")
        } else {
            s.to_string()
        }
    };
    let mut parts = Vec::new();
    if quoted {
        let shown = if matches!(severity, Severity::Info | Severity::Hint) {
            format!(
                "{} inside a quotation, these are someone's own words, to be kept verbatim. Nothing needs changing.",
                bold("Information only:")
            )
        } else {
            format!(
                "{} these are someone's own words, to be kept verbatim. Your settings flag quoted words, but do not reword them.",
                bold("Inside a quotation:")
            )
        };
        parts.push(shown);
    } else {
        if let Some(why) = why_beyond_message(entry) {
            parts.push(why);
        }
        if entry.alternatives.is_empty() {
            parts.push(format!(
                "{} no wording can be swapped in; describe what the adult did.",
                bold("Instead:")
            ));
        } else {
            let mut list = format!("{}\n", bold("Write instead:"));
            for a in &entry.alternatives {
                let _ = writeln!(list, "- {a}");
            }
            parts.push(list.trim_end().to_string());
        }
    }
    parts.push(match more {
        MoreLink::Command if markdown => format!(
            "[More about `{}`…]({} \"Why, alternatives, examples and sources\")",
            entry.id,
            explain_command_uri(&entry.id)
        ),
        _ => format!(
            "More: the quick fix “Explain {}”, or {}.",
            code(&entry.id),
            code(&format!("vblint explain {}", entry.id))
        ),
    });
    parts.join("\n\n")
}

/// The full explanation of an entry, as a Markdown document: why, what to
/// write instead, examples and sources.
pub(crate) fn explain_markdown(entry: &Entry) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# `{}`\n", entry.id);
    let _ = writeln!(s, "*{} · {}*\n", entry.category, entry.severity);
    let _ = writeln!(s, "## Why it matters\n\n{}\n", entry.why.trim());
    let _ = writeln!(s, "## Write instead\n");
    if entry.alternatives.is_empty() {
        let _ = writeln!(
            s,
            "No wording can be swapped in mechanically: describe what the adult did.\n"
        );
    } else {
        for a in &entry.alternatives {
            let _ = writeln!(s, "- {a}");
        }
        s.push('\n');
        if entry.fix == FixPolicy::Safe {
            let _ = writeln!(
                s,
                "`vblint fix` may put the first of these in automatically.\n"
            );
        }
    }
    if !entry.examples.is_empty() || !entry.counterexamples.is_empty() {
        let _ = writeln!(s, "## Examples\n");
        if !entry.examples.is_empty() {
            let _ = writeln!(s, "Flagged:\n");
            for e in &entry.examples {
                let _ = writeln!(s, "- {}", e.text.trim());
            }
            s.push('\n');
        }
        if !entry.counterexamples.is_empty() {
            let _ = writeln!(s, "Not flagged:\n");
            for e in &entry.counterexamples {
                let _ = writeln!(s, "- {}", e.text.trim());
            }
            s.push('\n');
        }
    }
    if !entry.sources.is_empty() {
        let _ = writeln!(s, "## Sources\n");
        for src in &entry.sources {
            let _ = writeln!(s, "- {src}");
        }
    }
    s.trim_end().to_string()
}

/// A short plain-text explanation (for a message box): why, and what to
/// write instead.
pub(crate) fn explain_plain(entry: &Entry) -> String {
    let why = entry.why.split_whitespace().collect::<Vec<_>>().join(" ");
    let instead = if entry.alternatives.is_empty() {
        "no wording can be swapped in; describe what the adult did".to_string()
    } else {
        entry.alternatives.join("; ")
    };
    format!(
        "{}: {why} Write instead: {instead}. For examples and sources, run “vblint explain {}”.",
        entry.id, entry.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_keeps_comments() {
        let text = "# Our settings\nquotes = \"info\" # keep quotes as info\n\n[severity]\nconsent = \"error\"\n";
        let out = add_disabled(text, "naive").unwrap().unwrap();
        assert!(out.contains("# Our settings"), "{out}");
        assert!(out.contains("# keep quotes as info"), "{out}");
        let parsed: toml::Table = out.parse().unwrap();
        assert_eq!(
            parsed["disable"].as_array().unwrap()[0].as_str(),
            Some("naive")
        );
        assert_eq!(parsed["severity"]["consent"].as_str(), Some("error"));
        let again = add_disabled(&out, "boyfriend").unwrap().unwrap();
        let parsed: toml::Table = again.parse().unwrap();
        assert_eq!(parsed["disable"].as_array().unwrap().len(), 2);
        assert_eq!(add_disabled(&again, "naive").unwrap(), None);
        assert_eq!(
            add_disabled("", "x").unwrap().unwrap(),
            "disable = [\"x\"]\n"
        );
        assert!(add_disabled("disable = 3", "x").is_err());
    }

    #[test]
    fn comment_markers_only_where_the_language_has_comments() {
        assert_eq!(
            comment_marker("markdown", "a-b").as_deref(),
            Some(" <!-- vblint: ignore a-b -->")
        );
        assert_eq!(comment_marker("plaintext", "a-b"), None);
        assert_eq!(comment_marker("unknown-language", "a-b"), None);
    }

    #[test]
    fn command_links_are_percent_encoded() {
        assert_eq!(
            explain_command_uri("put-self-at-risk"),
            "command:vblint.explain?%5B%22put-self-at-risk%22%5D"
        );
    }
}
