//! The text behind code actions and hovers: inline suppression markers,
//! `vblint.toml` edits and entry explanations. Replacements come from
//! [`crate::fix::drop_ins`], as `vblint fix`'s do.
//!
//! Pure functions over strings and byte offsets; the server turns their
//! results into LSP edits.

use std::fmt::Write as _;

use crate::lexicon::Entry;

/// How an inline suppression marker is written in a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MarkerStyle {
    /// `<!-- vblint: ignore id -->` (Markdown, HTML, XML).
    HtmlComment,
    /// ` [vblint: ignore id]` (plain text and anything else).
    Bracket,
}

impl MarkerStyle {
    pub(crate) fn for_language(language_id: &str) -> MarkerStyle {
        match language_id {
            "markdown" | "html" | "xml" | "mdx" | "xhtml" | "vue" | "svelte" | "quarto" | "rmd" => {
                MarkerStyle::HtmlComment
            }
            _ => MarkerStyle::Bracket,
        }
    }

    /// The text appended at the end of the line to ignore `id` on it.
    pub(crate) fn marker(self, id: &str) -> String {
        match self {
            MarkerStyle::HtmlComment => format!(" <!-- vblint: ignore {id} -->"),
            MarkerStyle::Bracket => format!(" [vblint: ignore {id}]"),
        }
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

/// Markdown describing an entry, for hover and "Explain".
pub(crate) fn explain(entry: &Entry, quoted: bool, with_examples: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "**vblint: `{}`** ({}, {})\n",
        entry.id, entry.category, entry.severity
    );
    let _ = writeln!(s, "{}\n", entry.why.trim());
    if quoted {
        let _ = writeln!(
            s,
            "_This is inside a quotation: someone's own words must be recorded verbatim, so it is not to be reworded._\n"
        );
    }
    if entry.alternatives.is_empty() {
        let _ = writeln!(
            s,
            "No wording can be swapped in mechanically; see why above.\n"
        );
    } else {
        let _ = writeln!(s, "**Instead, consider:**\n");
        for a in &entry.alternatives {
            let _ = writeln!(s, "- {a}");
        }
        s.push('\n');
    }
    if with_examples && !entry.examples.is_empty() {
        let _ = writeln!(s, "**Flagged, for example:**\n");
        for e in &entry.examples {
            let _ = writeln!(s, "- {}", e.text);
        }
        s.push('\n');
    }
    if !entry.sources.is_empty() {
        let _ = writeln!(s, "**Sources:**\n");
        for src in &entry.sources {
            let _ = writeln!(s, "- {src}");
        }
    }
    s.trim_end().to_string()
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
    fn markers() {
        assert_eq!(
            MarkerStyle::for_language("markdown").marker("a-b"),
            " <!-- vblint: ignore a-b -->"
        );
        assert_eq!(
            MarkerStyle::for_language("plaintext").marker("a-b"),
            " [vblint: ignore a-b]"
        );
    }
}
