//! Aggregated counts for `vblint report`: per rule, category, file or
//! record, author, team and month, with rates per 1,000 records.
//!
//! A summary never holds case text: only ids, names of columns' values
//! (author, team) and counts. Counts below the minimum are shown as `<N`
//! so that a small team or one author is not exposed by accident.

use std::collections::BTreeMap;

use serde::Serialize;

/// Findings and records for one key.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Cell {
    /// Records (or files) counted under this key.
    pub records: usize,
    /// Findings.
    pub findings: usize,
}

/// Everything counted.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Files scanned (plain files, documents).
    pub files: usize,
    /// Records scanned (CSV, JSON Lines).
    pub records: usize,
    /// Records or files with at least one finding.
    pub units_with_findings: usize,
    /// All findings.
    pub findings: usize,
    /// Per entry id.
    pub by_rule: BTreeMap<String, Cell>,
    /// Per category.
    pub by_category: BTreeMap<String, Cell>,
    /// Per file, or per `file#record`.
    pub by_unit: BTreeMap<String, Cell>,
    /// Per author.
    pub by_author: BTreeMap<String, Cell>,
    /// Per team.
    pub by_team: BTreeMap<String, Cell>,
    /// Per month (`YYYY-MM`, or `unknown`).
    pub by_month: BTreeMap<String, Cell>,
}

/// What one record or file contributes.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// `path` or `path#record`.
    pub name: String,
    /// Whether it is a record.
    pub record: bool,
    /// Author, team and raw date.
    pub author: Option<String>,
    /// The team.
    pub team: Option<String>,
    /// The date as written.
    pub date: Option<String>,
    /// (rule, category) per finding.
    pub findings: Vec<(String, &'static str)>,
}

/// The month (`YYYY-MM`) of a date written as `2024-03-05`,
/// `2024-03-05T10:00`, `2024-03-05 10:00` or UK day-first `05/03/2024`.
pub fn month_of(date: &str) -> Option<String> {
    let d = date.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = |y: &str, m: &str| {
        let m: u32 = m.parse().ok()?;
        (digits(y) && y.len() == 4 && (1..=12).contains(&m)).then(|| format!("{y}-{m:02}"))
    };
    let head = d.split(['T', ' ']).next()?;
    let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| digits(p)) {
        return None;
    }
    if parts[0].len() == 4 {
        ok(parts[0], parts[1])
    } else if parts[2].len() == 4 {
        ok(parts[2], parts[1])
    } else {
        None
    }
}

impl Summary {
    /// Adds one record or file.
    pub fn add(&mut self, unit: &Unit) {
        let n = unit.findings.len();
        if unit.record {
            self.records += 1;
        } else {
            self.files += 1;
        }
        self.findings += n;
        if n > 0 {
            self.units_with_findings += 1;
            let c = self.by_unit.entry(unit.name.clone()).or_default();
            c.records += 1;
            c.findings += n;
        }
        let mut touched_rules: Vec<&str> = Vec::new();
        let mut touched_categories: Vec<&str> = Vec::new();
        for (rule, category) in &unit.findings {
            let c = self.by_rule.entry(rule.clone()).or_default();
            c.findings += 1;
            if !touched_rules.contains(&rule.as_str()) {
                touched_rules.push(rule);
                c.records += 1;
            }
            let c = self.by_category.entry((*category).to_string()).or_default();
            c.findings += 1;
            if !touched_categories.contains(category) {
                touched_categories.push(category);
                c.records += 1;
            }
        }
        let bump = |map: &mut BTreeMap<String, Cell>, key: String| {
            let c = map.entry(key).or_default();
            c.records += 1;
            c.findings += n;
        };
        if let Some(a) = &unit.author {
            bump(&mut self.by_author, non_empty(a));
        }
        if let Some(t) = &unit.team {
            bump(&mut self.by_team, non_empty(t));
        }
        if let Some(d) = &unit.date {
            bump(
                &mut self.by_month,
                month_of(d).unwrap_or_else(|| "unknown".into()),
            );
        }
    }

    /// Records, or files when there are no records: the denominator of rates.
    pub fn units(&self) -> usize {
        if self.records > 0 {
            self.records
        } else {
            self.files
        }
    }

    /// What is counted: "records" or "files".
    pub fn unit_word(&self) -> &'static str {
        if self.records > 0 { "records" } else { "files" }
    }
}

fn non_empty(s: &str) -> String {
    if s.trim().is_empty() {
        "(blank)".into()
    } else {
        s.trim().to_string()
    }
}

/// How small counts are shown.
#[derive(Clone, Copy, Debug)]
pub struct Suppress {
    /// Counts below this are shown as `<min`.
    pub min: usize,
}

impl Suppress {
    /// A count, or `<min` when it is small (zero stays zero).
    pub fn count(self, n: usize) -> String {
        if n > 0 && n < self.min {
            format!("<{}", self.min)
        } else {
            n.to_string()
        }
    }

    /// The rate per 1,000 records, or `–` when the count is suppressed.
    pub fn rate(self, findings: usize, records: usize) -> String {
        if records == 0 || (findings > 0 && findings < self.min) {
            "–".into()
        } else {
            format!("{:.1}", findings as f64 * 1000.0 / records as f64)
        }
    }

    /// Whether a group of `records` records is too small to show by itself.
    pub fn hides_group(self, records: usize) -> bool {
        records < self.min
    }
}

/// One section: title, key heading and rows.
pub type Section = (&'static str, &'static str, Vec<(String, Cell)>);

/// The sections of a report, rows sorted for reading.
pub fn sections(s: &Summary, top_units: usize) -> Vec<Section> {
    let by_findings = |m: &BTreeMap<String, Cell>| {
        let mut v: Vec<(String, Cell)> = m.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(&b.0)));
        v
    };
    let mut out = vec![
        ("By category", "category", by_findings(&s.by_category)),
        ("By rule", "rule", by_findings(&s.by_rule)),
    ];
    let mut units = by_findings(&s.by_unit);
    units.truncate(top_units);
    out.push((
        if s.records > 0 {
            "Records with most findings"
        } else {
            "Files with most findings"
        },
        if s.records > 0 { "record" } else { "file" },
        units,
    ));
    if !s.by_author.is_empty() {
        out.push(("By author", "author", by_findings(&s.by_author)));
    }
    if !s.by_team.is_empty() {
        out.push(("By team", "team", by_findings(&s.by_team)));
    }
    if !s.by_month.is_empty() {
        let v: Vec<(String, Cell)> = s.by_month.iter().map(|(k, c)| (k.clone(), *c)).collect();
        out.push(("By month", "month", v));
    }
    out
}

/// Whether a section's "records" column is a denominator for a rate (the
/// group is a set of records) rather than "records with this finding".
pub fn is_group(key: &str) -> bool {
    matches!(key, "author" | "team" | "month")
}

/// A plain-text table report (names shown as [`super::escape::name`]
/// says).
pub fn table(s: &Summary, sup: Suppress) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let units = s.units();
    let word = s.unit_word();
    let _ = writeln!(out, "vblint report");
    let _ = writeln!(
        out,
        "{} findings in {} of {} {word}; {} per 1,000 {word}",
        s.findings,
        s.units_with_findings,
        units,
        sup.rate(s.findings.max(sup.min), units).replace('–', "0.0")
    );
    let _ = writeln!(
        out,
        "(counts below {} are shown as <{}; rates are per 1,000 {word})",
        sup.min, sup.min
    );
    for (title, key, rows) in sections(s, 20) {
        let _ = writeln!(out, "\n{title}");
        let group = is_group(key);
        let headers = if group {
            [key, word, "findings", "per 1,000"]
        } else {
            [
                key,
                if s.records > 0 { "records" } else { "files" },
                "findings",
                "% of all",
            ]
        };
        let mut lines: Vec<[String; 4]> = vec![headers.map(str::to_string)];
        for (k, c) in rows {
            let name = super::escape::name(&k).into_owned();
            let records = if group && sup.hides_group(c.records) {
                sup.count(c.records)
            } else {
                c.records.to_string()
            };
            let last = if group {
                if sup.hides_group(c.records) {
                    "–".into()
                } else {
                    sup.rate(c.findings, c.records)
                }
            } else if s.findings == 0 || c.findings < sup.min {
                "–".into()
            } else {
                format!("{:.1}", c.findings as f64 * 100.0 / s.findings as f64)
            };
            // A group too small to show hides its findings too.
            let findings = if group && sup.hides_group(c.records) {
                "–".to_string()
            } else {
                sup.count(c.findings)
            };
            lines.push([name, records, findings, last]);
        }
        let widths: Vec<usize> = (0..4)
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for l in &lines {
            let _ = writeln!(
                out,
                "  {:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}",
                l[0],
                l[1],
                l[2],
                l[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3]
            );
        }
    }
    out
}

/// A CSV report: `section,key,records,findings,rate_per_1000` (names shown
/// as [`super::escape::name`] says).
pub fn csv(s: &Summary, sup: Suppress) -> String {
    let mut out = String::from("section,key,records,findings,rate_per_1000\n");
    out.push_str(&format!(
        "total,all,{},{},{}\n",
        s.units(),
        s.findings,
        if s.units() == 0 {
            "–".into()
        } else {
            format!("{:.1}", s.findings as f64 * 1000.0 / s.units() as f64)
        }
    ));
    for (_, key, rows) in sections(s, usize::MAX) {
        for (k, c) in rows {
            let hide = is_group(key) && sup.hides_group(c.records);
            let rate = if !is_group(key) || hide {
                String::new()
            } else {
                sup.rate(c.findings, c.records)
            };
            let records = if hide {
                sup.count(c.records)
            } else {
                c.records.to_string()
            };
            let findings = if hide {
                "–".to_string()
            } else {
                sup.count(c.findings)
            };
            out.push_str(&format!(
                "{key},{},{records},{findings},{rate}\n",
                super::csv::cell(&super::escape::name(&k))
            ));
        }
    }
    out
}

/// A JSON report, with small counts shown as strings such as `"<5"`.
pub fn json(s: &Summary, sup: Suppress) -> String {
    use serde_json::{Value, json};
    let cell = |key: &str, c: &Cell| -> Value {
        let n = |x: usize| -> Value {
            if x > 0 && x < sup.min {
                json!(format!("<{}", sup.min))
            } else {
                json!(x)
            }
        };
        let hide = is_group(key) && sup.hides_group(c.records);
        let mut v = json!({
            "records": if hide { n(c.records) } else { json!(c.records) },
            "findings": if hide { Value::Null } else { n(c.findings) },
        });
        if is_group(key) {
            v["rate_per_1000"] = if hide || (c.findings > 0 && c.findings < sup.min) {
                Value::Null
            } else {
                json!((c.findings as f64 * 10_000.0 / c.records.max(1) as f64).round() / 10.0)
            };
        }
        v
    };
    let mut sectionsj = serde_json::Map::new();
    for (_, key, rows) in sections(s, usize::MAX) {
        let obj: serde_json::Map<String, Value> = rows
            .iter()
            .map(|(k, c)| (k.clone(), cell(key, c)))
            .collect();
        sectionsj.insert(key.to_string(), Value::Object(obj));
    }
    let v = json!({
        "type": "report",
        "files": s.files,
        "records": s.records,
        "units_with_findings": s.units_with_findings,
        "findings": s.findings,
        "min_count": sup.min,
        "by": sectionsj,
    });
    let mut out = serde_json::to_string_pretty(&v).expect("report serialises");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        assert_eq!(month_of("2024-03-05").as_deref(), Some("2024-03"));
        assert_eq!(month_of("05/03/2024").as_deref(), Some("2024-03"));
        assert_eq!(month_of("2024-03-05T10:00").as_deref(), Some("2024-03"));
        assert_eq!(month_of("2024-13-05"), None);
        assert_eq!(month_of("soon"), None);
    }

    #[test]
    fn small_counts_are_hidden() {
        let s = Suppress { min: 5 };
        assert_eq!(s.count(3), "<5");
        assert_eq!(s.count(0), "0");
        assert_eq!(s.count(7), "7");
        assert_eq!(s.rate(3, 100), "–");
    }
}
