//! Canonical formatting of lexicon files, keeping every comment.
//!
//! The canonical form, applied by `vblint lexicon fmt` and checked in CI with
//! `vblint lexicon fmt --check lexicon/`:
//!
//! * keys of an entry in the order of [`ENTRY_ORDER`], keys of a guard in the
//!   order of [`GUARD_ORDER`], keys of a replacement in the order of
//!   [`REPLACE_ORDER`]; unknown keys keep their order after them (the loader
//!   reports them);
//! * `key = value` with one space either side of `=`;
//! * an array with more than one item (or with a comment inside) has one
//!   item per line, indented by two spaces, with a trailing comma; an array
//!   of one item stays on one line;
//! * strings are written the way `toml_edit` writes them by default (basic
//!   `"…"` strings, a literal `'…'` string when the text contains `"`, and a
//!   multi-line string when it contains a line break), so the same text is
//!   always quoted the same way;
//! * no blank lines inside a table; exactly one blank line before every
//!   table header; no runs of blank lines; the file ends with one newline.
//!
//! Comments above a key move with the key; comments at the end of a line stay
//! on their line; comments inside arrays stay above the item they precede.
//! Formatting is idempotent: formatting formatted text changes nothing.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// The canonical order of an entry's keys.
pub const ENTRY_ORDER: &[&str] = &[
    "id",
    "category",
    "severity",
    "terms",
    "except",
    "alternatives",
    "fix",
    "why",
    "sources",
    "added",
    "reviewed",
    "guards",
    "subject",
    "examples",
    "counterexamples",
    "fixes",
    "retired",
    "guard",
    "replace",
];

/// The canonical order of a guard's keys.
pub const GUARD_ORDER: &[&str] = &[
    "id",
    "description",
    "action",
    "scope",
    "window",
    "before",
    "after",
    "around",
];

/// The canonical order of a replacement's keys (`[[entry.replace]]`).
pub const REPLACE_ORDER: &[&str] = &["match", "with"];

/// The tables an entry may hold, with the order of their keys.
const ENTRY_TABLES: &[(&str, &[&str])] = &[("guard", GUARD_ORDER), ("replace", REPLACE_ORDER)];

/// Formats one lexicon file.
///
/// # Errors
///
/// If the text is not valid TOML (the message says where).
pub fn format_lexicon(text: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        e.to_string().lines().next().unwrap_or_default().to_string()
    })?;
    let root = doc.as_table_mut();
    let mut first_header = true;
    // The root's own key-values (language, …).
    let has_root_values = root.iter().any(|(_, item)| item.is_value());
    if has_root_values {
        first_header = false;
    }
    format_values(root, None, true);
    // Tables, in document order.
    let mut order: Vec<(isize, String)> = root
        .iter()
        .filter(|(_, item)| !item.is_value())
        .map(|(k, item)| (table_position(item), k.to_string()))
        .collect();
    order.sort();
    // Header decor is normalised in document order so that only the very
    // first header of a file goes without a blank line.
    let mut headers: Vec<(isize, HeaderRef)> = Vec::new();
    for (_, key) in &order {
        match root.get(key) {
            Some(Item::Table(t)) => {
                headers.push((t.position().unwrap_or(0), HeaderRef::Table(key.clone())));
            }
            Some(Item::ArrayOfTables(a)) => {
                for (i, t) in a.iter().enumerate() {
                    headers.push((
                        t.position().unwrap_or(0),
                        HeaderRef::Array(key.clone(), i, None),
                    ));
                    for &(name, _) in ENTRY_TABLES {
                        if let Some(Item::ArrayOfTables(inner)) = t.get(name) {
                            for (j, g) in inner.iter().enumerate() {
                                headers.push((
                                    g.position().unwrap_or(0),
                                    HeaderRef::Array(key.clone(), i, Some((name, j))),
                                ));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    headers.sort_by_key(|h| h.0);
    for (_, h) in headers {
        let table = match &h {
            HeaderRef::Table(k) => root.get_mut(k).and_then(Item::as_table_mut),
            HeaderRef::Array(k, i, inner) => {
                let t = root
                    .get_mut(k)
                    .and_then(Item::as_array_of_tables_mut)
                    .and_then(|a| a.get_mut(*i));
                match (t, inner) {
                    (Some(t), Some((name, j))) => t
                        .get_mut(name)
                        .and_then(Item::as_array_of_tables_mut)
                        .and_then(|a| a.get_mut(*j)),
                    (t, None) => t,
                    _ => None,
                }
            }
        };
        let Some(table) = table else { continue };
        let prefix = table
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        let mut block = comment_block(&prefix);
        if !first_header {
            block.insert(0, '\n');
        }
        first_header = false;
        table.decor_mut().set_prefix(block);
        let suffix = keep_comment(table.decor().suffix().and_then(|s| s.as_str()));
        table.decor_mut().set_suffix(suffix);
        let order = match &h {
            HeaderRef::Array(k, _, None) if k == "entry" => Some(ENTRY_ORDER),
            HeaderRef::Array(_, _, Some((name, _))) => ENTRY_TABLES
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, order)| *order),
            HeaderRef::Array(_, _, None) => Some(GUARD_ORDER),
            HeaderRef::Table(_) => None,
        };
        format_values(table, order, false);
    }
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    doc.set_trailing(comment_block(&trailing));
    let mut out = doc.to_string();
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

enum HeaderRef {
    Table(String),
    /// An array of tables: its key, the index, and a table inside that
    /// (`[[entry.guard]]`, `[[entry.replace]]`) by name and index.
    Array(String, usize, Option<(&'static str, usize)>),
}

fn table_position(item: &Item) -> isize {
    match item {
        Item::Table(t) => t.position().unwrap_or(0),
        Item::ArrayOfTables(a) => a.iter().filter_map(Table::position).min().unwrap_or(0),
        _ => 0,
    }
}

/// Sorts a table's values into `order` (when given) and normalises each
/// key-value. At the top level of a file blank lines between keys are kept
/// (collapsed to one); inside tables they are removed.
fn format_values(table: &mut Table, order: Option<&[&str]>, top: bool) {
    if let Some(order) = order {
        let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
        table.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())));
    }
    let mut first = true;
    for (mut key, item) in table.iter_mut() {
        let Item::Value(value) = item else { continue };
        let prefix = key
            .leaf_decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        let block = if top {
            let mut b = comment_block(&prefix);
            if !first && prefix.starts_with('\n') | prefix.starts_with("\r\n") {
                b.insert(0, '\n');
            }
            b
        } else {
            comment_lines(&prefix, "")
        };
        first = false;
        key.leaf_decor_mut().set_prefix(block);
        key.leaf_decor_mut().set_suffix(" ");
        format_value(value, 0);
        value.decor_mut().set_prefix(" ");
    }
}

/// Writes one value in the canonical form (arrays one item per line).
pub fn canonical_value(value: &mut Value) {
    format_value(value, 0);
}

fn format_value(value: &mut Value, depth: usize) {
    let suffix = keep_comment(value.decor().suffix().and_then(|s| s.as_str()));
    match value {
        Value::String(f) => {
            let decor = f.decor().clone();
            let mut new = toml_edit::Formatted::new(f.value().clone());
            *new.decor_mut() = decor;
            *f = new;
        }
        Value::Integer(f) => {
            let decor = f.decor().clone();
            let mut new = toml_edit::Formatted::new(*f.value());
            *new.decor_mut() = decor;
            *f = new;
        }
        Value::Boolean(f) => {
            let decor = f.decor().clone();
            let mut new = toml_edit::Formatted::new(*f.value());
            *new.decor_mut() = decor;
            *f = new;
        }
        Value::Array(a) => format_array(a, depth),
        Value::InlineTable(t) => {
            t.fmt();
        }
        _ => {}
    }
    value.decor_mut().set_suffix(suffix);
}

fn format_array(array: &mut Array, depth: usize) {
    let has_comment = |s: Option<&str>| s.is_some_and(|s| s.contains('#'));
    let commented = array.iter().any(|v| {
        has_comment(v.decor().prefix().and_then(|p| p.as_str()))
            || has_comment(v.decor().suffix().and_then(|p| p.as_str()))
    }) || has_comment(array.trailing().as_str());
    let indent = "  ".repeat(depth + 1);
    if array.len() <= 1 && !commented {
        for v in array.iter_mut() {
            format_value(v, depth + 1);
            v.decor_mut().set_prefix("");
            v.decor_mut().set_suffix("");
        }
        array.set_trailing("");
        array.set_trailing_comma(false);
        return;
    }
    for v in array.iter_mut() {
        let prefix = v
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        let suffix = v
            .decor()
            .suffix()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        format_value(v, depth + 1);
        // A comment between an item and its comma is moved above the item.
        let mut comments = comment_lines(&prefix, &indent);
        comments.push_str(&comment_lines(&suffix, &indent));
        v.decor_mut().set_prefix(format!("\n{comments}{indent}"));
        v.decor_mut().set_suffix("");
    }
    let trailing = array.trailing().as_str().unwrap_or_default().to_string();
    let outer = "  ".repeat(depth);
    let comments = comment_lines(&trailing, &indent);
    array.set_trailing(format!("\n{comments}{outer}"));
    array.set_trailing_comma(true);
}

/// The comment lines of a decor, each re-indented, each ending in `\n`.
fn comment_lines(raw: &str, indent: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            out.push_str(indent);
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// A block of comments and blank lines above a header or a top-level key:
/// trailing spaces removed, runs of blank lines collapsed, no blank lines at
/// the start or the end.
fn comment_block(raw: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in raw.lines() {
        let t = line.trim();
        if t.is_empty() && lines.last().is_none_or(|l: &&str| l.is_empty()) {
            continue;
        }
        lines.push(t);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Keeps a comment at the end of a line (with the spaces before it as
/// written); drops plain whitespace.
fn keep_comment(raw: Option<&str>) -> String {
    match raw {
        Some(s) if s.contains('#') => {
            let t = s.trim_end();
            let hash = t.find('#').unwrap_or(0);
            let lead = &t[..hash];
            if lead.is_empty() || lead.contains('\n') {
                format!(" {}", &t[hash..])
            } else {
                t.to_string()
            }
        }
        _ => String::new(),
    }
}

/// A short line diff of two texts: at most `max` changed lines, each with
/// its line number, as `-` (old) and `+` (new).
pub fn short_diff(old: &str, new: &str, max: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common start and end, then a plain LCS on the middle.
    let mut start = 0;
    while start < a.len() && start < b.len() && a[start] == b[start] {
        start += 1;
    }
    let mut end = 0;
    while end < a.len() - start
        && end < b.len() - start
        && a[a.len() - 1 - end] == b[b.len() - 1 - end]
    {
        end += 1;
    }
    let am = &a[start..a.len() - end];
    let bm = &b[start..b.len() - end];
    let mut out = String::new();
    let mut shown = 0;
    let mut push = |out: &mut String, sign: char, line: usize, text: &str| {
        if shown < max {
            out.push_str(&format!("  {line:>5} {sign} {text}\n"));
        }
        shown += 1;
    };
    if am.len().saturating_mul(bm.len()) > 4_000_000 {
        for (i, l) in am.iter().enumerate() {
            push(&mut out, '-', start + i + 1, l);
        }
        for (i, l) in bm.iter().enumerate() {
            push(&mut out, '+', start + i + 1, l);
        }
    } else {
        let (n, m) = (am.len(), bm.len());
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if am[i] == bm[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
                push(&mut out, '-', start + i + 1, am[i]);
                i += 1;
            } else {
                push(&mut out, '+', start + j + 1, bm[j]);
                j += 1;
            }
        }
    }
    if shown > max {
        out.push_str(&format!("  … and {} more changed line(s)\n", shown - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSY: &str = r#"#:schema ./schema.json
language   =   "en-GB"


# Sets used below.
[sets]
self = ["herself",   "himself"] # reflexive
one = [ "only" ]

[[guard]]
before = ["not", "no"]
id = "negation"


[[entry]]
why = 'Blames the child.'
# the id comes first
id = "put-self-at-risk"
category = "responsibility"

terms = [
  # the main form
  "put|putting {self} at risk", "placing {self} at risk"
]
examples = ["She is putting herself at risk."]
sources = ["NSPCC (2023)"]   # one source
alternatives = []
[[entry.guard]]
window = 4
after = ["by the adults"]
"#;

    #[test]
    fn canonical_form_keeps_comments_and_orders_keys() {
        let out = format_lexicon(MESSY).unwrap();
        insta::assert_snapshot!(out);
        for comment in [
            "#:schema ./schema.json",
            "# Sets used below.",
            "# reflexive",
            "# the id comes first",
            "# the main form",
            "# one source",
        ] {
            assert!(out.contains(comment), "lost {comment}");
        }
    }

    #[test]
    fn formatting_is_idempotent_and_keeps_the_data() {
        let once = format_lexicon(MESSY).unwrap();
        assert_eq!(format_lexicon(&once).unwrap(), once);
        let a: toml::Table = toml::from_str(MESSY).unwrap();
        let b: toml::Table = toml::from_str(&once).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_builtin_lexicon_formats_idempotently() {
        for (name, text) in crate::lexicon::BUILTIN {
            let once = format_lexicon(text).unwrap();
            assert_eq!(format_lexicon(&once).unwrap(), once, "{name}");
            let a: toml::Table = toml::from_str(text).unwrap();
            let b: toml::Table = toml::from_str(&once).unwrap();
            assert_eq!(a, b, "{name}");
            assert_eq!(
                text.matches('#').count(),
                once.matches('#').count(),
                "{name}: comments lost or added"
            );
        }
    }

    #[test]
    fn replacements_and_pairs_take_their_places() {
        let text = r#"[[entry]]
fixes = [{before="a",after="b"}]
id = "x"
[[entry.replace]]
with = "being placed at risk"
match = "putting {self} at risk"
[[entry.guard]]
after = ["by them"]
"#;
        let out = format_lexicon(text).unwrap();
        assert_eq!(
            out,
            r#"[[entry]]
id = "x"
fixes = [{ before = "a", after = "b" }]

[[entry.replace]]
match = "putting {self} at risk"
with = "being placed at risk"

[[entry.guard]]
after = ["by them"]
"#
        );
        assert_eq!(format_lexicon(&out).unwrap(), out);
    }

    #[test]
    fn diff_shows_changed_lines() {
        let d = short_diff("a\nb\nc\n", "a\nB\nc\n", 10);
        assert_eq!(d, "      2 - b\n      2 + B\n");
    }
}
