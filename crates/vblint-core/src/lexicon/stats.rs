//! Counts over a lexicon for `vblint lexicon stats`: entries per category and
//! severity, terms and forms, sources cited, and which entries are due for
//! review.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Category, Entry, FixPolicy, Severity};

/// An entry is due for review when it was last reviewed more than this many
/// months ago, or never.
pub const REVIEW_MONTHS: u32 = 12;

/// The counts for a set of entries.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// The date the review dates were compared with.
    pub today: String,
    /// Entries reviewed before this date are due.
    pub review_cutoff: String,
    /// Every entry counted, retired ones included.
    pub entries: usize,
    /// Entries that can match.
    pub active: usize,
    /// Retired entries.
    pub retired: usize,
    /// Active entries per category (every category listed).
    pub by_category: BTreeMap<&'static str, usize>,
    /// Active entries per severity (every severity listed).
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Term phrases as written.
    pub terms: usize,
    /// Concrete forms the terms expand to.
    pub forms: usize,
    /// Except phrases as written.
    pub except: usize,
    /// Active entries with `fix = "safe"`.
    pub fix_safe: usize,
    /// Examples and counterexamples.
    pub examples: usize,
    /// Counterexamples.
    pub counterexamples: usize,
    /// Sources, with how many active entries cite each, most cited first.
    pub sources: Vec<SourceCount>,
    /// The active entries with the oldest review dates (at most ten), oldest
    /// first; entries never reviewed come first.
    pub oldest_reviewed: Vec<ReviewItem>,
    /// Every active entry due for review.
    pub due_for_review: Vec<ReviewItem>,
}

/// One source and how often it is cited.
#[derive(Debug, Serialize)]
pub struct SourceCount {
    /// The source as written.
    pub source: String,
    /// Entries citing it.
    pub entries: usize,
}

/// An entry's review date.
#[derive(Debug, Serialize)]
pub struct ReviewItem {
    /// The entry id.
    pub id: String,
    /// `reviewed`, if set.
    pub reviewed: Option<String>,
    /// Where the entry is, as `file:line`.
    pub location: String,
}

/// Counts `entries` with review dates compared against `today`
/// (`YYYY-MM-DD`).
pub fn stats<'a>(entries: impl IntoIterator<Item = &'a Entry>, today: &str) -> Stats {
    let cutoff = months_before(today, REVIEW_MONTHS);
    let mut s = Stats {
        today: today.to_string(),
        review_cutoff: cutoff.clone(),
        entries: 0,
        active: 0,
        retired: 0,
        by_category: Category::ALL.iter().map(|c| (c.as_str(), 0)).collect(),
        by_severity: [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Hint,
        ]
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect(),
        terms: 0,
        forms: 0,
        except: 0,
        fix_safe: 0,
        examples: 0,
        counterexamples: 0,
        sources: Vec::new(),
        oldest_reviewed: Vec::new(),
        due_for_review: Vec::new(),
    };
    let mut sources: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reviews: Vec<ReviewItem> = Vec::new();
    for e in entries {
        s.entries += 1;
        if e.retired {
            s.retired += 1;
            continue;
        }
        s.active += 1;
        *s.by_category.entry(e.category.as_str()).or_default() += 1;
        *s.by_severity.entry(e.severity.as_str()).or_default() += 1;
        s.terms += e.terms.len();
        s.forms += e.terms.iter().map(|t| t.variants().len()).sum::<usize>();
        s.except += e.except.len();
        s.fix_safe += usize::from(e.fix == FixPolicy::Safe);
        s.examples += e.examples.len();
        s.counterexamples += e.counterexamples.len();
        for src in &e.sources {
            *sources.entry(src.as_str()).or_default() += 1;
        }
        let (line, _) = e.origin.file.line_col(e.origin.span.start);
        reviews.push(ReviewItem {
            id: e.id.clone(),
            reviewed: e.reviewed.clone(),
            location: format!("{}:{line}", e.origin.file.name),
        });
    }
    let mut sources: Vec<SourceCount> = sources
        .into_iter()
        .map(|(source, entries)| SourceCount {
            source: source.to_string(),
            entries,
        })
        .collect();
    sources.sort_by(|a, b| b.entries.cmp(&a.entries).then(a.source.cmp(&b.source)));
    s.sources = sources;
    // `None` sorts before any date: never reviewed is the oldest.
    reviews.sort_by(|a, b| a.reviewed.cmp(&b.reviewed).then(a.id.cmp(&b.id)));
    s.due_for_review = reviews
        .iter()
        .filter(|r| r.reviewed.as_ref().is_none_or(|d| *d < cutoff))
        .map(|r| ReviewItem {
            id: r.id.clone(),
            reviewed: r.reviewed.clone(),
            location: r.location.clone(),
        })
        .collect();
    reviews.truncate(10);
    s.oldest_reviewed = reviews;
    s
}

/// The date `months` months before `date` (`YYYY-MM-DD`), with the day
/// clamped to 28 so it always exists.
pub fn months_before(date: &str, months: u32) -> String {
    let y: i64 = date.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m: i64 = date.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let d: i64 = date.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(1);
    let total = y * 12 + (m - 1) - i64::from(months);
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    format!("{y:04}-{m:02}-{:02}", d.min(28))
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date, `YYYY-MM-DD` (Howard Hinnant's
/// algorithm).
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(20_000), "2024-10-04");
        assert_eq!(months_before("2026-11-28", 12), "2025-11-28");
        assert_eq!(months_before("2026-01-31", 1), "2025-12-28");
    }

    #[test]
    fn counts_the_builtin_lexicon() {
        let lex = crate::lexicon::Lexicon::builtin();
        let s = stats(&lex.entries, "2026-12-01");
        assert_eq!(s.entries, lex.entries.len());
        assert_eq!(s.by_category.values().sum::<usize>(), s.active);
        assert!(s.forms >= s.terms);
        assert!(s.due_for_review.iter().all(|r| {
            r.reviewed
                .as_ref()
                .is_none_or(|d| d.as_str() < "2025-12-01")
        }));
    }
}
