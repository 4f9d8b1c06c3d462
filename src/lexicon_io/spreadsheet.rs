//! A spreadsheet round trip for teams that work in Excel: `vblint lexicon
//! export --format csv` and `vblint lexicon import`.
//!
//! One row per entry, one column per key in the canonical order, then
//! `guard` and `file`:
//!
//! * lists (terms, except, alternatives, sources, guards, examples,
//!   counterexamples) are written one item per line inside the cell (Alt+Enter
//!   in Excel). A line break is used rather than a character such as `|`
//!   because `|` already means "or" in terms;
//! * `retired` is `true` or empty;
//! * `guard` and `replace` hold the entry's own `[[entry.guard]]` and
//!   `[[entry.replace]]` tables, one per line, as TOML inline tables such as
//!   `{ action = "suppress", after = ["by him"] }`;
//! * `fixes` holds the before/after pairs, one per line, as inline tables
//!   `{ before = "…", after = "…" }`;
//! * `file` is the lexicon file the entry lives in.
//!
//! The TOML files stay the source of truth. Import edits them in place with
//! `toml_edit`: only the keys whose cell differs from the file are rewritten,
//! so comments and layout elsewhere are kept; an empty cell removes an
//! optional key. A row whose id is not in any file becomes a new entry at the
//! end of the file named in `file`, or of `<category>.toml`. Entries missing
//! from the sheet are left alone (retire an entry with `retired = true`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use crate::lexicon::canonical::ENTRY_ORDER;

/// The columns, in order: an entry's keys in canonical order, then the file
/// the entry lives in.
fn columns() -> impl Iterator<Item = &'static str> + Clone {
    ENTRY_ORDER.iter().copied().chain(std::iter::once("file"))
}

const LIST_KEYS: &[&str] = &[
    "terms",
    "except",
    "alternatives",
    "sources",
    "guards",
    "examples",
    "counterexamples",
];

/// Keys that must be present; an empty cell writes an empty list or string
/// rather than removing them.
const REQUIRED: &[&str] = &[
    "id",
    "category",
    "terms",
    "alternatives",
    "why",
    "sources",
    "examples",
];

/// One lexicon file opened for editing.
pub struct EditFile {
    /// Where it is.
    pub path: PathBuf,
    /// The name shown in the `file` column.
    pub name: String,
    /// The document.
    pub doc: DocumentMut,
    /// Whether import changed it.
    pub changed: bool,
}

/// Opens lexicon files for export or import.
///
/// # Errors
///
/// A message naming the file if it cannot be read or is not TOML.
pub fn open(path: &Path, name: String, text: &str) -> Result<EditFile, String> {
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|e| format!("{}: not valid TOML: {}", path.display(), first_line(&e)))?;
    Ok(EditFile {
        path: path.to_path_buf(),
        name,
        doc,
        changed: false,
    })
}

fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// The keys that hold an entry's own tables (`[[entry.guard]]`,
/// `[[entry.replace]]`).
const TABLE_KEYS: &[&str] = &["guard", "replace"];

/// The keys that hold a list of inline tables.
const INLINE_LIST_KEYS: &[&str] = &["fixes"];

/// The cell text of one key of an entry table.
fn cell(table: &Table, key: &str) -> String {
    if TABLE_KEYS.contains(&key) {
        return match table.get(key) {
            Some(Item::ArrayOfTables(a)) => a
                .iter()
                .map(|t| {
                    let mut inline = t.clone().into_inline_table();
                    inline.fmt();
                    inline.to_string().trim().to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Some(Item::Value(v)) => v.to_string().trim().to_string(),
            _ => String::new(),
        };
    }
    match table.get(key) {
        Some(Item::Value(Value::String(s))) => s.value().clone(),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.value().clone(),
                other => other.to_string().trim().to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Some(Item::Value(Value::Boolean(b))) => {
            if *b.value() {
                "true".into()
            } else {
                String::new()
            }
        }
        Some(Item::Value(v)) => v.to_string().trim().to_string(),
        _ => String::new(),
    }
}

fn entries(doc: &DocumentMut) -> impl Iterator<Item = &Table> {
    doc.get("entry")
        .and_then(Item::as_array_of_tables)
        .into_iter()
        .flat_map(ArrayOfTables::iter)
}

/// Writes every entry of `files` as CSV.
///
/// # Errors
///
/// If writing fails.
pub fn export(files: &[EditFile], mut out: impl std::io::Write) -> Result<(), csv::Error> {
    // A byte-order mark first, so that Excel opens the sheet as UTF-8
    // (curly quotes and accents intact); import skips it.
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns())?;
    for f in files {
        for table in entries(&f.doc) {
            let row: Vec<String> = columns()
                .map(|c| {
                    if c == "file" {
                        f.name.clone()
                    } else {
                        cell(table, c)
                    }
                })
                .collect();
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// `(id, changed keys)` for entries changed in place.
    pub updated: Vec<(String, Vec<String>)>,
    /// `(id, file name)` for new entries.
    pub added: Vec<(String, String)>,
    /// Rows that matched an entry and changed nothing.
    pub unchanged: usize,
    /// Entry ids in the files but not in the sheet.
    pub not_in_sheet: Vec<String>,
    /// Files created for new entries.
    pub created: Vec<PathBuf>,
}

/// Applies a CSV sheet to `files` (the lexicon folder `into`), creating new
/// files there when needed.
///
/// # Errors
///
/// A message for a sheet that cannot be used: unknown or missing columns, a
/// row without an id, an id given twice, bad inline guard text.
pub fn import(
    sheet: impl std::io::Read,
    files: &mut Vec<EditFile>,
    into: &Path,
) -> Result<ImportReport, String> {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(sheet);
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| format!("cannot read the sheet's header row: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    for h in &headers {
        if !columns().any(|c| c == h) {
            let hint = crate::diagnostic::closest(h, columns())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            return Err(format!("the sheet has an unknown column `{h}`{hint}"));
        }
    }
    if !headers.iter().any(|h| h == "id") {
        return Err("the sheet has no `id` column".into());
    }
    let mut report = ImportReport::default();
    let mut seen = BTreeMap::new();
    for (n, record) in r.records().enumerate() {
        let row = n + 2;
        let record = record.map_err(|e| format!("row {row}: {e}"))?;
        let cells: BTreeMap<&str, String> = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter().map(|c| c.replace("\r\n", "\n")))
            .collect();
        let id = cells
            .get("id")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if id.is_empty() {
            if cells.values().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(format!("row {row} has no id"));
        }
        if let Some(first) = seen.insert(id.clone(), row) {
            return Err(format!("row {row}: the id `{id}` is also on row {first}"));
        }
        let found = files
            .iter()
            .position(|f| entries(&f.doc).any(|t| cell(t, "id") == id));
        match found {
            Some(fi) => {
                let file = &mut files[fi];
                let table = file
                    .doc
                    .get_mut("entry")
                    .and_then(Item::as_array_of_tables_mut)
                    .and_then(|a| a.iter_mut().find(|t| cell(t, "id") == id))
                    .expect("found above");
                let mut changed = Vec::new();
                for (key, value) in &cells {
                    if *key == "file" || *key == "id" || cell(table, key) == *value {
                        continue;
                    }
                    set_key(table, key, value).map_err(|e| format!("row {row} ({id}): {e}"))?;
                    changed.push((*key).to_string());
                }
                if changed.is_empty() {
                    report.unchanged += 1;
                } else {
                    file.changed = true;
                    report.updated.push((id, changed));
                }
            }
            None => {
                let name = match cells.get("file").map(|s| s.trim()) {
                    Some(f) if !f.is_empty() => f.to_string(),
                    _ => format!(
                        "{}.toml",
                        cells.get("category").map_or("local", |c| c.trim())
                    ),
                };
                if name.contains(['/', '\\']) || !name.ends_with(".toml") {
                    return Err(format!(
                        "row {row} ({id}): `{name}` is not a lexicon file name such as `local.toml`"
                    ));
                }
                let fi = match files.iter().position(|f| f.name == name) {
                    Some(i) => i,
                    None => {
                        let path = into.join(&name);
                        let language = files
                            .iter()
                            .find_map(|f| {
                                f.doc
                                    .get("language")
                                    .and_then(Item::as_str)
                                    .map(String::from)
                            })
                            .unwrap_or_else(|| "en-GB".into());
                        let text = format!("#:schema ./schema.json\nlanguage = \"{language}\"\n");
                        report.created.push(path.clone());
                        files.push(open(&path, name.clone(), &text)?);
                        files.len() - 1
                    }
                };
                let mut table = Table::new();
                for key in ENTRY_ORDER {
                    if let Some(value) = cells.get(key) {
                        if value.trim().is_empty() && !REQUIRED.contains(key) {
                            continue;
                        }
                        set_key(&mut table, key, value)
                            .map_err(|e| format!("row {row} ({id}): {e}"))?;
                    }
                }
                let file = &mut files[fi];
                let doc = &mut file.doc;
                if !doc.contains_key("entry") {
                    doc.insert("entry", Item::ArrayOfTables(ArrayOfTables::new()));
                }
                table.decor_mut().set_prefix("\n");
                doc["entry"]
                    .as_array_of_tables_mut()
                    .ok_or_else(|| format!("{name}: `entry` is not a list of [[entry]] tables"))?
                    .push(table);
                file.changed = true;
                report.added.push((id, name));
            }
        }
    }
    for f in files.iter() {
        for t in entries(&f.doc) {
            let id = cell(t, "id");
            if !seen.contains_key(&id) {
                report.not_in_sheet.push(id);
            }
        }
    }
    Ok(report)
}

/// Sets one key of an entry table from its cell text.
fn set_key(table: &mut Table, key: &str, text: &str) -> Result<(), String> {
    let empty = text.trim().is_empty();
    if empty && !REQUIRED.contains(&key) {
        table.remove(key);
        return Ok(());
    }
    let value: Value = if TABLE_KEYS.contains(&key) {
        let mut tables = ArrayOfTables::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut t = inline_table(key, line)?.into_table();
            t.decor_mut().set_prefix("\n");
            tables.push(t);
        }
        table.insert(key, Item::ArrayOfTables(tables));
        return Ok(());
    } else if INLINE_LIST_KEYS.contains(&key) {
        let mut a = Array::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            a.push(inline_table(key, line)?);
        }
        Value::Array(a)
    } else if LIST_KEYS.contains(&key) {
        let mut a = Array::new();
        for line in text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
        {
            a.push(line);
        }
        Value::Array(a)
    } else if key == "retired" {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::from(true),
            "false" | "no" | "0" => Value::from(false),
            other => return Err(format!("`retired` must be true or empty, not `{other}`")),
        }
    } else {
        Value::from(text.trim())
    };
    let mut value = value;
    crate::lexicon::canonical::canonical_value(&mut value);
    match table.get_mut(key) {
        Some(Item::Value(old)) => {
            // Keep the comments around the old value.
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        _ => {
            value.decor_mut().set_prefix(" ");
            table.insert(key, Item::Value(value));
            // Move the new key to its canonical place.
            let rank = |k: &str| {
                ENTRY_ORDER
                    .iter()
                    .position(|o| *o == k)
                    .unwrap_or(ENTRY_ORDER.len())
            };
            table.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())));
        }
    }
    Ok(())
}

/// One line of a `guard`, `replace` or `fixes` cell as an inline table.
fn inline_table(key: &str, line: &str) -> Result<InlineTable, String> {
    let parsed: DocumentMut = format!("g = {line}").parse().map_err(|e| {
        format!(
            "the {key} `{line}` is not a TOML inline table: {}",
            first_line(&e)
        )
    })?;
    parsed
        .get("g")
        .and_then(Item::as_inline_table)
        .cloned()
        .ok_or_else(|| format!("the {key} `{line}` is not written {{ key = value, … }}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"#:schema ./schema.json
language = "en-GB"

# A comment that must survive.
[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = [
  "put|putting {self} at risk", # main form
  "placing {self} at risk",
]
alternatives = ["is being placed at risk by [name the adult]"]
why = "Blames the child."
sources = ["NSPCC (2023)"]
examples = ["She is putting herself at risk."]

[[entry.guard]]
after = ["by the adults"]
window = 4
"#;

    fn folder() -> Vec<EditFile> {
        vec![open(Path::new("x/local.toml"), "local.toml".into(), FILE).unwrap()]
    }

    fn csv_of(files: &[EditFile]) -> String {
        let mut out = Vec::new();
        export(files, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn round_trip_changes_nothing() {
        let mut files = folder();
        let sheet = csv_of(&files);
        let report = import(sheet.as_bytes(), &mut files, Path::new("x")).unwrap();
        assert!(report.updated.is_empty(), "{report:?}");
        assert_eq!(report.unchanged, 1);
        assert_eq!(files[0].doc.to_string(), FILE);
    }

    #[test]
    fn the_builtin_lexicon_round_trips_with_its_replacements_and_pairs() {
        let mut files: Vec<EditFile> = crate::lexicon::BUILTIN
            .iter()
            .map(|(name, text)| open(Path::new(name), (*name).to_string(), text).unwrap())
            .collect();
        let sheet = csv_of(&files);
        assert!(
            sheet.contains("{ match = \"\"putting|placing {self}"),
            "replace column"
        );
        assert!(
            sheet.contains("{ before = \"\"She keeps putting herself at risk."),
            "fixes column"
        );
        let report = import(sheet.as_bytes(), &mut files, Path::new("x")).unwrap();
        assert!(report.updated.is_empty(), "{report:?}");
        for (f, (_, text)) in files.iter().zip(crate::lexicon::BUILTIN) {
            assert_eq!(f.doc.to_string(), *text, "{}", f.name);
        }
    }

    #[test]
    fn import_edits_in_place_and_adds_entries() {
        let mut files = folder();
        let sheet = csv_of(&files).replace("Blames the child.", "Puts the risk inside the child.")
            + "new-term,minimising,info,a new term,,,,Why.,Source (2024),,,,,An example with a new term.,,,,,,\n";
        let report = import(sheet.as_bytes(), &mut files, Path::new("x")).unwrap();
        assert_eq!(
            report.updated,
            [("put-self-at-risk".to_string(), vec!["why".to_string()])]
        );
        assert_eq!(
            report.added,
            [("new-term".to_string(), "minimising.toml".to_string())]
        );
        let text = files[0].doc.to_string();
        assert!(text.contains("# A comment that must survive."));
        assert!(text.contains("# main form"));
        assert!(text.contains("why = \"Puts the risk inside the child.\""));
        insta::assert_snapshot!(files[1].doc.to_string());
    }
}
