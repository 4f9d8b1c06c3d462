//! Aggregated counts for `vblint report`: per rule, category, file or
//! record, author, team and month, with rates per 1,000 records.
//!
//! A summary never holds case text: only ids, names of columns' values
//! (author, team) and counts. Counts below the minimum are shown as `<N`
//! so that a small team or one author is not exposed by accident.

use std::collections::BTreeMap;

use serde::Serialize;

use super::insight::{self, Provenance};

/// Findings and records for one key.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Cell {
    /// Records (or files) counted under this key.
    pub records: usize,
    /// Findings.
    pub findings: usize,
    /// Records (or files) of a group with at least one finding.
    #[serde(skip)]
    pub with_findings: usize,
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
    /// Findings per month and category.
    pub by_month_category: BTreeMap<String, BTreeMap<String, usize>>,
    /// Rows, records and files not counted, per reason.
    pub skipped: BTreeMap<String, usize>,
    /// With `--sample`: every sampled record or file and its findings.
    pub sampled: Vec<(String, usize)>,
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
            c.with_findings += usize::from(n > 0);
        };
        if let Some(a) = &unit.author {
            bump(&mut self.by_author, non_empty(a));
        }
        if let Some(t) = &unit.team {
            bump(&mut self.by_team, non_empty(t));
        }
        if let Some(d) = &unit.date {
            let month = month_of(d);
            if let Some(m) = &month {
                let cats = self.by_month_category.entry(m.clone()).or_default();
                for (_, category) in &unit.findings {
                    *cats.entry((*category).to_string()).or_default() += 1;
                }
            } else {
                self.skip(
                    "records whose date is blank or not a date (counted, but not in the trend)",
                );
            }
            bump(
                &mut self.by_month,
                month.unwrap_or_else(|| "unknown".into()),
            );
        }
    }

    /// Counts one row, record or file not counted (or not dated), by reason.
    pub fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
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
        let quarters = super::insight::quarters(s);
        if !quarters.is_empty() {
            out.push(("By quarter", "quarter", quarters));
        }
        out.push(("By month", "month", v));
    }
    if !s.sampled.is_empty() {
        let v = s
            .sampled
            .iter()
            .map(|(k, n)| {
                let c = Cell {
                    records: 1,
                    findings: *n,
                    with_findings: usize::from(*n > 0),
                };
                (k.clone(), c)
            })
            .collect();
        out.push(("Sampled records (every record drawn)", "sampled", v));
    }
    out
}

/// Whether a section's "records" column is a denominator for a rate (the
/// group is a set of records) rather than "records with this finding".
pub fn is_group(key: &str) -> bool {
    matches!(key, "author" | "team" | "month" | "quarter")
}

/// How a row of a section is shown, the same in every format.
pub struct Row {
    /// The key (a name, rule, month…), as given.
    pub key: String,
    /// Records in the group, or records with this finding.
    pub records: String,
    /// Findings (`<N` when small, `–` when the group is hidden).
    pub findings: String,
    /// Findings per 1,000 records (`–` when hidden; empty for a record or file).
    pub rate: String,
    /// Whether the group is too small to show.
    pub hidden: bool,
}

/// Whether a section's rate is per 1,000 of all records (categories, rules).
fn rated_against_all(key: &str) -> bool {
    matches!(key, "category" | "rule")
}

/// The row of `k` in the section `key`.
pub fn row(s: &Summary, sup: Suppress, key: &str, k: &str, c: &Cell) -> Row {
    let group = is_group(key);
    let hidden = group && sup.hides_group(c.records);
    let rate = if hidden {
        "–".to_string()
    } else if group {
        sup.rate(c.findings, c.records)
    } else if rated_against_all(key) {
        sup.rate(c.findings, s.units())
    } else {
        String::new()
    };
    Row {
        key: k.to_string(),
        records: if hidden {
            sup.count(c.records)
        } else {
            c.records.to_string()
        },
        findings: if hidden {
            "–".to_string()
        } else {
            sup.count(c.findings)
        },
        rate,
        hidden,
    }
}

/// The headline figures of a report.
pub struct Headline {
    /// Records (or files) checked.
    pub checked: usize,
    /// `records` or `files`.
    pub word: &'static str,
    /// Records with at least one finding.
    pub with_findings: usize,
    /// Their share, in percent.
    pub share_percent: f64,
    /// All findings.
    pub findings: usize,
    /// Findings per 1,000 records.
    pub rate: f64,
    /// The first and last month with a date.
    pub period: Option<(String, String)>,
    /// The trend by quarter.
    pub trend: Option<insight::Trend>,
    /// The top categories now and a year before.
    pub top: Option<insight::TopCategories>,
}

impl Headline {
    /// The headline of `s`.
    pub fn of(s: &Summary, sup: Suppress) -> Headline {
        Headline {
            checked: s.units(),
            word: s.unit_word(),
            with_findings: s.units_with_findings,
            share_percent: insight::share_percent(s),
            findings: s.findings,
            rate: insight::per_1000(s.findings, s.units()),
            period: insight::period(s),
            trend: insight::trend(s, sup),
            top: insight::top_categories(s, sup, 5),
        }
    }

    /// The trend sentence, or why there is none.
    pub fn trend_words(&self) -> String {
        match &self.trend {
            Some(t) => format!("Findings per 1,000 {} are {}", self.word, t.words()),
            None if self.period.is_none() => format!(
                "No trend: the {} have no dates (give the date column with --csv-date-column)",
                self.word
            ),
            None => "No trend: it needs two quarters with enough records to show".to_string(),
        }
    }

    /// The period in words.
    pub fn period_words(&self) -> String {
        match &self.period {
            Some((a, b)) if a == b => a.clone(),
            Some((a, b)) => format!("{a} to {b}"),
            None => "not known (no dates)".to_string(),
        }
    }
}

fn rate_or_dash(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{r:.1}"))
}

/// The provenance block as (name, value) lines, the same in every format.
pub fn provenance_lines(s: &Summary, p: &Provenance, h: &Headline) -> Vec<(&'static str, String)> {
    let skipped = if s.skipped.is_empty() {
        "none".to_string()
    } else {
        s.skipped
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let options = if p.options.is_empty() {
        "none".to_string()
    } else {
        p.options
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k} {v}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![
        ("period", h.period_words()),
        ("generated at", p.generated_at.clone()),
        ("input files", p.inputs.join(", ")),
        ("lexicon version", p.lexicon_words()),
        ("options", options),
        ("skipped", skipped),
        ("sample", p.sample_words(h.word)),
        (
            "people",
            if p.by_author {
                "per-author figures shown (--by author), with small counts hidden".to_string()
            } else {
                "per team; per-author figures only with --by author".to_string()
            },
        ),
    ]
}

/// A plain-text table report (names shown as [`super::escape::name`]
/// says).
pub fn table(s: &Summary, sup: Suppress, p: &Provenance) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let h = Headline::of(s, sup);
    let word = h.word;
    let _ = writeln!(out, "vblint report");
    let _ = writeln!(out, "{} checked: {}", capital(word), h.checked);
    let _ = writeln!(
        out,
        "Share of {word} with a finding: {:.1}% ({} of {})",
        h.share_percent, h.with_findings, h.checked
    );
    let _ = writeln!(
        out,
        "Findings: {} ({:.1} per 1,000 {word})",
        h.findings, h.rate
    );
    let _ = writeln!(out, "{}", h.trend_words());
    if let Some(top) = &h.top {
        let _ = writeln!(out, "Top categories, {} against {}:", top.now, top.then);
        if !top.then_has_records {
            let _ = writeln!(out, "  (no {word} from {} to compare with)", top.then);
        }
        for r in &top.rows {
            let _ = writeln!(
                out,
                "  {}: {} per 1,000 {word} ({}) against {} ({})",
                r.category,
                rate_or_dash(r.now_rate),
                sup.count(r.now),
                rate_or_dash(r.then_rate),
                sup.count(r.then)
            );
        }
    }
    let _ = writeln!(
        out,
        "(counts below {} are shown as <{}; rates are per 1,000 {word})",
        sup.min, sup.min
    );
    for (title, key, rows) in sections(s, 20) {
        let _ = writeln!(out, "\n{title}");
        let headers = if is_group(key) {
            [key, word, "findings", "per 1,000"]
        } else if rated_against_all(key) {
            [key, "with it", "findings", "per 1,000"]
        } else {
            [key, word, "findings", ""]
        };
        let mut lines: Vec<[String; 4]> = vec![headers.map(str::to_string)];
        for (k, c) in rows {
            let r = row(s, sup, key, &k, &c);
            let name = super::escape::name(&k).into_owned();
            lines.push([name, r.records, r.findings, r.rate]);
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
            let line = format!(
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
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    let _ = writeln!(out, "\nAbout this report");
    for (k, v) in provenance_lines(s, p, &h) {
        let _ = writeln!(out, "  {k}: {}", super::escape::name(&v));
    }
    let _ = writeln!(out, "\nDefinitions");
    for (k, v) in insight::DEFINITIONS {
        let _ = writeln!(out, "  {k}: {v}");
    }
    out
}

fn capital(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A CSV report: `section,key,records,findings,rate_per_1000,value` (names
/// shown as [`super::escape::name`] says). Headline, provenance and
/// definition rows carry their words in `value`.
pub fn csv(s: &Summary, sup: Suppress, p: &Provenance) -> String {
    let h = Headline::of(s, sup);
    let cell = |v: &str| super::csv::cell(&super::escape::name(v));
    let mut out = String::from("section,key,records,findings,rate_per_1000,value\n");
    out.push_str(&format!(
        "total,all,{},{},{},\n",
        s.units(),
        s.findings,
        if s.units() == 0 {
            "–".into()
        } else {
            format!("{:.1}", h.rate)
        }
    ));
    out.push_str(&format!(
        "headline,share_with_findings_percent,{},{},,{:.1}\n",
        h.checked, h.with_findings, h.share_percent
    ));
    out.push_str(&format!("headline,trend,,,,{}\n", cell(&h.trend_words())));
    if let Some(t) = &h.trend {
        out.push_str(&format!(
            "headline,trend_change_percent,,,,{}\n",
            t.change_percent
        ));
        out.push_str(&format!(
            "headline,trend_first,,,{:.1},{}\n",
            t.first_rate, t.first
        ));
        out.push_str(&format!(
            "headline,trend_last,,,{:.1},{}\n",
            t.last_rate, t.last
        ));
    }
    if let Some(top) = &h.top {
        for r in &top.rows {
            out.push_str(&format!(
                "top_now,{},,{},{},{}\n",
                cell(&r.category),
                sup.count(r.now),
                rate_or_dash(r.now_rate),
                top.now
            ));
            out.push_str(&format!(
                "top_year_before,{},,{},{},{}\n",
                cell(&r.category),
                sup.count(r.then),
                rate_or_dash(r.then_rate),
                top.then
            ));
        }
    }
    for (_, key, rows) in sections(s, usize::MAX) {
        for (k, c) in rows {
            let r = row(s, sup, key, &k, &c);
            out.push_str(&format!(
                "{key},{},{},{},{},\n",
                cell(&k),
                r.records,
                r.findings,
                r.rate
            ));
        }
    }
    for (k, v) in provenance_lines(s, p, &h) {
        out.push_str(&format!("provenance,{},,,,{}\n", cell(k), cell(&v)));
    }
    for (k, v) in insight::DEFINITIONS {
        out.push_str(&format!("definition,{},,,,{}\n", cell(k), cell(v)));
    }
    out
}

/// A JSON report, with small counts shown as strings such as `"<5"`.
pub fn json(s: &Summary, sup: Suppress, p: &Provenance) -> String {
    use serde_json::{Value, json};
    let h = Headline::of(s, sup);
    let n = |x: usize| -> Value {
        if x > 0 && x < sup.min {
            json!(format!("<{}", sup.min))
        } else {
            json!(x)
        }
    };
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    let cell = |key: &str, k: &str, c: &Cell| -> Value {
        let r = row(s, sup, key, k, c);
        let mut v = json!({
            "records": if r.hidden { n(c.records) } else { json!(c.records) },
            "findings": if r.hidden { Value::Null } else { n(c.findings) },
        });
        if is_group(key) || rated_against_all(key) {
            v["rate_per_1000"] = r
                .rate
                .parse::<f64>()
                .map_or(Value::Null, |x| json!(round1(x)));
        }
        v
    };
    let mut sectionsj = serde_json::Map::new();
    for (_, key, rows) in sections(s, usize::MAX) {
        let obj: serde_json::Map<String, Value> = rows
            .iter()
            .map(|(k, c)| (k.clone(), cell(key, k, c)))
            .collect();
        sectionsj.insert(key.to_string(), Value::Object(obj));
    }
    let trend = h.trend.as_ref().map(|t| {
        json!({
            "by": "quarter",
            "first": t.first,
            "last": t.last,
            "first_rate_per_1000": round1(t.first_rate),
            "last_rate_per_1000": round1(t.last_rate),
            "change_percent": t.change_percent,
            "direction": t.direction(),
            "words": t.words(),
            "fitted_slope_per_month": t.line.map(|l| (l.0 * 100.0).round() / 100.0),
        })
    });
    let top = h.top.as_ref().map(|top| {
        json!({
            "now": top.now,
            "year_before": top.then,
            "categories": top.rows.iter().map(|r| json!({
                "category": r.category,
                "findings_now": n(r.now),
                "rate_per_1000_now": r.now_rate.map(round1),
                "findings_year_before": n(r.then),
                "rate_per_1000_year_before": r.then_rate.map(round1),
            })).collect::<Vec<_>>(),
        })
    });
    let provenance: serde_json::Map<String, Value> = provenance_lines(s, p, &h)
        .into_iter()
        .map(|(k, v)| (k.replace(' ', "_"), json!(v)))
        .collect();
    let v = json!({
        "type": "report",
        "files": s.files,
        "records": s.records,
        "units_with_findings": s.units_with_findings,
        "findings": s.findings,
        "min_count": sup.min,
        "by": sectionsj,
        "headline": {
            "checked": h.checked,
            "unit": h.word,
            "with_findings": h.with_findings,
            "share_with_findings_percent": round1(h.share_percent),
            "rate_per_1000": round1(h.rate),
            "period": h.period.as_ref().map(|(a, b)| json!({"first": a, "last": b})),
            "trend": trend,
            "trend_words": h.trend_words(),
            "top_categories": top,
            "year_before_has_records": h.top.as_ref().map(|t| t.then_has_records),
        },
        "provenance": provenance,
        "lexicon": lexicon_json(p),
        "sample": p.sample.map(|(asked, drawn, read)| json!({"asked": asked, "drawn": drawn, "read": read})),
        "skipped": s.skipped,
        "definitions": insight::DEFINITIONS.iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    let mut out = serde_json::to_string_pretty(&v).expect("report serialises");
    out.push('\n');
    out
}

/// The lexicon version of the JSON report; `others` lists the other
/// lexicons in use, when folders' own configurations chose other ones.
fn lexicon_json(p: &Provenance) -> serde_json::Value {
    let mut lexicon = serde_json::json!({
        "hash": p.lexicon_hash,
        "entries": p.lexicon_entries,
        "newest_review": p.lexicon_reviewed,
    });
    if !p.other_lexicons.is_empty() {
        lexicon["others"] = p
            .other_lexicons
            .iter()
            .map(|o| {
                serde_json::json!({
                    "configuration": o.configuration,
                    "hash": o.hash,
                    "entries": o.entries,
                    "newest_review": o.reviewed,
                })
            })
            .collect();
    }
    lexicon
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
