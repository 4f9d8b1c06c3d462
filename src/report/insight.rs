//! What a report says on its first page: the headline (records checked, the
//! share of records with a finding, the trend by quarter with a fitted
//! line, the top categories now against a year before) and where the
//! figures come from (the provenance block). Every format of `vblint
//! report` prints these from here, so they say the same thing.

use super::summary::{Cell, Summary, Suppress};

/// The one definition of each rate, printed on every report.
pub const DEFINITIONS: [(&str, &str); 3] = [
    (
        "findings per 1,000 records",
        "findings divided by the records checked in the same group, times 1,000; for a month, quarter or team the group is the records of that month, quarter or team; for a category or rule it is all records checked",
    ),
    (
        "share of records with a finding",
        "records with at least one finding divided by the records checked, as a percentage",
    ),
    (
        "trend",
        "the change in findings per 1,000 records from the first quarter to the last; the trend line is a least-squares fit to the monthly rates",
    ),
];

/// A lexicon that the files under another configuration were checked
/// with, where it is not the one of the first path's configuration.
#[derive(Clone, Debug)]
pub struct OtherLexicon {
    /// The configuration file that chose it, as shown to the reader
    /// (`None`: files with no configuration file).
    pub configuration: Option<String>,
    /// Its hash, as [`lexicon_version`] gives it.
    pub hash: String,
    /// Its active entries.
    pub entries: usize,
    /// The newest `reviewed` date of an entry, if entries record one.
    pub reviewed: Option<String>,
}

/// Where a report's figures come from.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// When the report was made, as `YYYY-MM-DD HH:MM UTC`.
    pub generated_at: String,
    /// The files read, as given or found in folders.
    pub inputs: Vec<String>,
    /// A hash of the lexicon in effect (its files and active entries).
    pub lexicon_hash: String,
    /// Active entries in the lexicon.
    pub lexicon_entries: usize,
    /// The newest `reviewed` date of an entry, if entries record one.
    pub lexicon_reviewed: Option<String>,
    /// The other lexicons some files were checked with (folders with a
    /// configuration of their own that changes the lexicon).
    pub other_lexicons: Vec<OtherLexicon>,
    /// The options that change the figures, as (name, value).
    pub options: Vec<(String, String)>,
    /// When the report is of a sample: (asked for, drawn, records read).
    pub sample: Option<(usize, usize, usize)>,
    /// Whether per-author figures were asked for (`--by author`).
    pub by_author: bool,
}

impl Provenance {
    /// The sample status in words.
    pub fn sample_words(&self, word: &str) -> String {
        match self.sample {
            None => format!("not a sample: every {} read was checked", singular(word)),
            Some((_, drawn, read)) => format!(
                "a random sample of {drawn} of {read} {word} (--sample); figures describe the sample only"
            ),
        }
    }

    /// The lexicon version in words, and that of each other lexicon in
    /// use with the configuration that chose it.
    pub fn lexicon_words(&self) -> String {
        let version = |hash: &str, entries: usize, reviewed: Option<&str>| {
            format!(
                "{hash} ({entries} entries; newest entry review: {})",
                reviewed.unwrap_or("not recorded")
            )
        };
        let mut words = version(
            &self.lexicon_hash,
            self.lexicon_entries,
            self.lexicon_reviewed.as_deref(),
        );
        for other in &self.other_lexicons {
            let files = match &other.configuration {
                Some(file) => format!("the files checked with `{file}`"),
                None => "the files with no configuration file".to_string(),
            };
            words.push_str(&format!(
                "; {files}: {}",
                version(&other.hash, other.entries, other.reviewed.as_deref())
            ));
        }
        words
    }
}

fn singular(word: &str) -> &str {
    word.strip_suffix('s').unwrap_or(word)
}

/// The version of a loaded lexicon: a hash of its files (names and text)
/// and of the ids of its active entries, the number of active entries, and
/// the newest `reviewed` date of an entry (if entries record one).
pub fn lexicon_version(lexicon: &crate::lexicon::Lexicon) -> (String, usize, Option<String>) {
    version_of(lexicon, |_| true)
}

/// The version of the lexicon a scanner checks with, as
/// [`lexicon_version`] gives it, counting only the entries it has switched
/// on: a configuration that disables entries gives another version.
pub fn scanner_lexicon_version(scanner: &crate::scan::Scanner) -> (String, usize, Option<String>) {
    let disabled = &scanner.settings().disabled;
    version_of(scanner.lexicon(), |id| !disabled.contains(id))
}

fn version_of(
    lexicon: &crate::lexicon::Lexicon,
    enabled: impl Fn(&str) -> bool,
) -> (String, usize, Option<String>) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for f in &lexicon.files {
        eat(&f.name);
        eat(&f.text);
    }
    let mut entries = 0;
    let mut reviewed: Option<&str> = None;
    for (_, e) in lexicon.active().filter(|(_, e)| enabled(&e.id)) {
        eat(&e.id);
        entries += 1;
        if let Some(r) = e.reviewed.as_deref()
            && reviewed.is_none_or(|old| r > old)
        {
            reviewed = Some(r);
        }
    }
    (
        format!("fnv1a64:{h:016x}"),
        entries,
        reviewed.map(str::to_string),
    )
}

/// A whole number with thousands separators: `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The rate per 1,000 of `findings` in `records`.
pub fn per_1000(findings: usize, records: usize) -> f64 {
    if records == 0 {
        0.0
    } else {
        findings as f64 * 1000.0 / records as f64
    }
}

/// The quarter (`2024 Q1`) of a month key (`2024-03`).
pub fn quarter_of(month: &str) -> Option<String> {
    let (y, m) = month.split_once('-')?;
    let m: u32 = m.parse().ok()?;
    (1..=12)
        .contains(&m)
        .then(|| format!("{y} Q{}", (m - 1) / 3 + 1))
}

/// The months with a date, in order (not `unknown`).
pub fn months(s: &Summary) -> Vec<(String, Cell)> {
    s.by_month
        .iter()
        .filter(|(k, _)| k.as_str() != "unknown")
        .map(|(k, c)| (k.clone(), *c))
        .collect()
}

/// Counts per quarter, in order.
pub fn quarters(s: &Summary) -> Vec<(String, Cell)> {
    let mut out: Vec<(String, Cell)> = Vec::new();
    for (m, c) in months(s) {
        let Some(q) = quarter_of(&m) else { continue };
        match out.last_mut() {
            Some((k, acc)) if *k == q => {
                acc.records += c.records;
                acc.findings += c.findings;
                acc.with_findings += c.with_findings;
            }
            _ => out.push((q, c)),
        }
    }
    out
}

/// The period covered: the first and last month with a date.
pub fn period(s: &Summary) -> Option<(String, String)> {
    let m = months(s);
    Some((m.first()?.0.clone(), m.last()?.0.clone()))
}

/// A least-squares line through `points`: (slope, intercept).
pub fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some((slope, my - slope * mx))
}

/// The rate of a group, or `None` when its counts are too small to show.
pub fn shown_rate(c: &Cell, sup: Suppress) -> Option<f64> {
    (c.records > 0 && !sup.hides_group(c.records) && !(c.findings > 0 && c.findings < sup.min))
        .then(|| per_1000(c.findings, c.records))
}

/// The trend over the period.
#[derive(Clone, Debug)]
pub struct Trend {
    /// The first quarter, such as `2024 Q1`.
    pub first: String,
    /// The last quarter.
    pub last: String,
    /// Findings per 1,000 records in the first quarter.
    pub first_rate: f64,
    /// Findings per 1,000 records in the last quarter.
    pub last_rate: f64,
    /// The change from first to last, in whole percent (negative: down).
    pub change_percent: i64,
    /// The slope of the least-squares line through the monthly rates, per
    /// month, and the line's values at the first and last month shown.
    pub line: Option<(f64, f64, f64)>,
    /// Months with records in the first and in the last quarter.
    pub months: (usize, usize),
}

impl Trend {
    /// `down`, `up` or `unchanged`.
    pub fn direction(&self) -> &'static str {
        match self.change_percent {
            n if n < 0 => "down",
            n if n > 0 => "up",
            _ => "unchanged",
        }
    }

    /// Which of the two quarters compared have records in fewer than three
    /// months, in words (empty when both are whole).
    pub fn partial_words(&self) -> String {
        let mut parts = Vec::new();
        for (q, n) in [(&self.first, self.months.0), (&self.last, self.months.1)] {
            if n < 3 {
                parts.push(format!(
                    "{q} has records in {n} month{} only",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        parts.join("; ")
    }

    /// "down 61% from 2024 Q1 to 2025 Q4".
    pub fn words(&self) -> String {
        if self.first_rate == 0.0 && self.last_rate > 0.0 {
            return format!(
                "up from none in {} to {:.1} per 1,000 records in {}",
                self.first, self.last_rate, self.last
            );
        }
        match self.direction() {
            "unchanged" => format!("unchanged from {} to {}", self.first, self.last),
            d => format!(
                "{d} {}% from {} to {}",
                self.change_percent.abs(),
                self.first,
                self.last
            ),
        }
    }
}

/// The trend by quarter, when there are two quarters with rates to show.
pub fn trend(s: &Summary, sup: Suppress) -> Option<Trend> {
    let q = quarters(s);
    if q.len() < 2 {
        return None;
    }
    let (first, fc) = q.first()?;
    let (last, lc) = q.last()?;
    let first_rate = shown_rate(fc, sup)?;
    let last_rate = shown_rate(lc, sup)?;
    let change_percent = if first_rate == 0.0 {
        if last_rate == 0.0 { 0 } else { 100 }
    } else {
        ((last_rate - first_rate) / first_rate * 100.0).round() as i64
    };
    let points = month_points(s, sup);
    let line = fit(&points).map(|(slope, b)| {
        let x0 = points.first().map_or(0.0, |p| p.0);
        let x1 = points.last().map_or(0.0, |p| p.0);
        (slope, slope * x0 + b, slope * x1 + b)
    });
    let in_quarter = |q: &str| {
        months(s)
            .iter()
            .filter(|(m, c)| c.records > 0 && quarter_of(m).as_deref() == Some(q))
            .count()
    };
    Some(Trend {
        months: (in_quarter(first), in_quarter(last)),
        first: first.clone(),
        last: last.clone(),
        first_rate,
        last_rate,
        change_percent,
        line,
    })
}

/// The monthly rates that can be shown, as (month index from the first
/// month, findings per 1,000 records).
pub fn month_points(s: &Summary, sup: Suppress) -> Vec<(f64, f64)> {
    let m = months(s);
    let Some(start) = m.first().and_then(|(k, _)| month_number(k)) else {
        return Vec::new();
    };
    m.iter()
        .filter_map(|(k, c)| {
            let x = month_number(k)? - start;
            Some((x as f64, shown_rate(c, sup)?))
        })
        .collect()
}

/// Months since year 0 of `2024-03`.
pub fn month_number(month: &str) -> Option<i64> {
    let (y, m) = month.split_once('-')?;
    Some(y.parse::<i64>().ok()? * 12 + m.parse::<i64>().ok()? - 1)
}

/// One category now and a year before.
#[derive(Clone, Debug)]
pub struct CategoryNow {
    /// The category.
    pub category: String,
    /// Findings in the latest quarter.
    pub now: usize,
    /// Findings per 1,000 records in the latest quarter.
    pub now_rate: Option<f64>,
    /// Findings in the same quarter a year before.
    pub then: usize,
    /// Its rate, when that quarter has records.
    pub then_rate: Option<f64>,
}

/// The top categories of the latest quarter against the same quarter a year before.
#[derive(Clone, Debug)]
pub struct TopCategories {
    /// The latest quarter.
    pub now: String,
    /// The same quarter a year before.
    pub then: String,
    /// Up to five categories, most findings now first.
    pub rows: Vec<CategoryNow>,
    /// Whether the quarter a year before has records.
    pub then_has_records: bool,
}

/// The top categories now against a year before (needs dated records).
pub fn top_categories(s: &Summary, sup: Suppress, n: usize) -> Option<TopCategories> {
    let q = quarters(s);
    let (now, now_cell) = q.last()?.clone();
    let (year, quarter) = now.split_once(' ')?;
    let then = format!("{} {quarter}", year.parse::<i64>().ok()? - 1);
    let then_cell = q.iter().find(|(k, _)| *k == then).map(|(_, c)| *c);
    let mut now_counts = std::collections::BTreeMap::<String, usize>::new();
    let mut then_counts = std::collections::BTreeMap::<String, usize>::new();
    for (month, cats) in &s.by_month_category {
        let Some(qm) = quarter_of(month) else {
            continue;
        };
        let target = if qm == now {
            &mut now_counts
        } else if qm == then {
            &mut then_counts
        } else {
            continue;
        };
        for (c, f) in cats {
            *target.entry(c.clone()).or_default() += f;
        }
    }
    let rate = |f: usize, cell: Option<Cell>| -> Option<f64> {
        let cell = cell?;
        (cell.records > 0 && !sup.hides_group(cell.records) && !(f > 0 && f < sup.min))
            .then(|| per_1000(f, cell.records))
    };
    let mut cats: Vec<String> = now_counts
        .keys()
        .chain(then_counts.keys())
        .cloned()
        .collect();
    cats.sort();
    cats.dedup();
    let mut rows: Vec<CategoryNow> = cats
        .into_iter()
        .map(|c| {
            let now = now_counts.get(&c).copied().unwrap_or(0);
            let then = then_counts.get(&c).copied().unwrap_or(0);
            CategoryNow {
                now_rate: rate(now, Some(now_cell)),
                then_rate: rate(then, then_cell),
                category: c,
                now,
                then,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.now
            .cmp(&a.now)
            .then(b.then.cmp(&a.then))
            .then(a.category.cmp(&b.category))
    });
    rows.truncate(n);
    Some(TopCategories {
        now,
        then,
        rows,
        then_has_records: then_cell.is_some_and(|c| c.records > 0),
    })
}

/// The share of records (or files) with at least one finding, in percent.
pub fn share_percent(s: &Summary) -> f64 {
    if s.units() == 0 {
        0.0
    } else {
        s.units_with_findings as f64 * 100.0 / s.units() as f64
    }
}

/// `YYYY-MM-DD HH:MM UTC` for seconds since 1970 (UTC).
pub fn utc(secs: u64) -> String {
    let date = crate::lexicon::stats::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!("{date} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// When the report is made: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds and tests), else now.
pub fn generated_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    utc(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_quarters() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_709_640_000), "2024-03-05 12:00 UTC");
        assert_eq!(quarter_of("2024-03").as_deref(), Some("2024 Q1"));
        assert_eq!(quarter_of("2025-10").as_deref(), Some("2025 Q4"));
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2880), "2,880");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_trend_names_a_partial_quarter() {
        let mut s = Summary::default();
        for (month, records, findings) in
            [("2024-02", 10, 5), ("2024-03", 10, 5), ("2024-04", 10, 1)]
        {
            for i in 0..records {
                s.add(&crate::report::summary::Unit {
                    name: format!("{month}#{i}"),
                    record: true,
                    date: Some(format!("{month}-01")),
                    findings: if i < findings {
                        vec![("r".into(), "responsibility")]
                    } else {
                        vec![]
                    },
                    ..Default::default()
                });
            }
        }
        let t = trend(&s, Suppress { min: 1 }).unwrap();
        assert_eq!(t.words(), "down 80% from 2024 Q1 to 2024 Q2");
        assert_eq!(
            t.partial_words(),
            "2024 Q1 has records in 2 months only; 2024 Q2 has records in 1 month only"
        );
    }

    #[test]
    fn least_squares_recovers_a_line() {
        let pts: Vec<(f64, f64)> = (0..10).map(|x| (x as f64, 50.0 - 2.0 * x as f64)).collect();
        let (m, b) = fit(&pts).unwrap();
        assert!((m + 2.0).abs() < 1e-9 && (b - 50.0).abs() < 1e-9);
    }
}
