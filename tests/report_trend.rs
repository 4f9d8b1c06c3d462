//! `vblint report` on a generated two-year export with a known decline: the
//! headline (records checked, share with a finding, the trend by quarter in
//! words and numbers) must say what the generator put in, in HTML, JSON and
//! CSV alike. The expected figures are computed from the generated rows, not
//! written down.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// A small seeded generator (splitmix64), so the export is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Each of these sentences has exactly one finding.
const FLAGGED: [&str; 3] = [
    "She put herself at risk by going to the party.",
    "He was seen as promiscuous by staff.",
    "She chose to go with the older males.",
];
/// None of these has a finding.
const CLEAN: [&str; 3] = [
    "Visit at home. Child seen alone and spoke about school.",
    "Mum reports the boy is settled at school.",
    "Strategy meeting held; safety plan agreed with the family.",
];

struct Export {
    csv: String,
    records: usize,
    with_findings: usize,
    /// (records, findings) per quarter label.
    quarters: BTreeMap<String, (usize, usize)>,
}

/// 24 months (2024-01 to 2025-12), 120 records a month; the chance that a
/// record has a victim-blaming sentence falls from 45% to 12%.
fn export(seed: u64) -> Export {
    let mut rng = Rng(seed);
    let mut csv = String::from("ref,author,team,date,notes\n");
    let mut quarters = BTreeMap::new();
    let (mut records, mut with_findings) = (0, 0);
    let teams = ["North", "South", "East", "West"];
    let authors = [
        "PC Hale", "DC Rowe", "PC Amin", "DS Kerr", "PC Boyd", "DC Lutz",
    ];
    for i in 0..24u32 {
        let (year, month) = (2024 + i / 12, i % 12 + 1);
        let chance = 0.45 - 0.33 * f64::from(i) / 23.0;
        let q = format!("{year} Q{}", (month - 1) / 3 + 1);
        for n in 0..120u32 {
            let flagged = rng.unit() < chance;
            let note = if flagged {
                format!("{} {}", rng.pick(&CLEAN), rng.pick(&FLAGGED))
            } else {
                rng.pick(&CLEAN).to_string()
            };
            let day = n % 28 + 1;
            csv.push_str(&format!(
                "R-{i:02}-{n:03},{},{},{year}-{month:02}-{day:02},\"{note}\"\n",
                rng.pick(&authors),
                rng.pick(&teams)
            ));
            records += 1;
            with_findings += usize::from(flagged);
            let e = quarters.entry(q.clone()).or_insert((0, 0));
            e.0 += 1;
            e.1 += usize::from(flagged);
        }
    }
    Export {
        csv,
        records,
        with_findings,
        quarters,
    }
}

fn report(dir: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args([
            "report",
            "export.csv",
            "--csv-text-column",
            "notes",
            "--csv-id-column",
            "ref",
            "--csv-author-column",
            "author",
            "--csv-team-column",
            "team",
            "--csv-date-column",
            "date",
            "--no-config",
            "--format",
            format,
        ])
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("vblint runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn a_two_year_decline_is_stated_in_html_json_and_csv() {
    let e = export(2024);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("export.csv"), &e.csv).unwrap();
    let rate = |(r, f): (usize, usize)| f as f64 * 1000.0 / r as f64;
    let first = rate(e.quarters["2024 Q1"]);
    let last = rate(e.quarters["2025 Q4"]);
    let change = ((last - first) / first * 100.0).round() as i64;
    assert!(
        change < -40,
        "the generator makes a clear decline: {change}"
    );
    let words = format!("down {}% from 2024 Q1 to 2025 Q4", -change);
    let share = format!("{:.1}%", e.with_findings as f64 * 100.0 / e.records as f64);

    let html = report(dir.path(), "html");
    assert!(html.contains(&words), "HTML lacks `{words}`");
    let thousands = |n: usize| {
        let d = n.to_string();
        let mut out = String::new();
        for (i, c) in d.chars().enumerate() {
            if i > 0 && (d.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(html.contains(&format!("<b>{}</b>records checked", thousands(e.records))));
    assert!(html.contains(&format!(
        "<b>{share}</b>of records with at least one finding"
    )));
    assert!(html.contains("class=\"trendline\""), "no trend line");
    assert!(html.contains("@page{size:A4"));
    assert!(html.contains("2024-01 to 2025-12"), "no period");
    assert!(html.contains("Top categories: 2025 Q4 against 2024 Q4"));
    assert!(
        !html.contains("PC Hale"),
        "authors shown without --by author"
    );
    assert!(html.contains("By team"));
    assert!(!html.contains("seen as promiscuous"), "case text leaked");
    // Month labels are thinned: 24 months, at most 9 labels.
    let labels = html.matches("class=\"tick\"").count();
    assert!((2..=9).contains(&labels), "{labels} month labels");

    let json: serde_json::Value = serde_json::from_str(&report(dir.path(), "json")).unwrap();
    let h = &json["headline"];
    assert_eq!(h["checked"], e.records);
    assert_eq!(h["with_findings"], e.with_findings);
    assert_eq!(h["trend"]["change_percent"], change);
    assert_eq!(h["trend"]["direction"], "down");
    assert_eq!(h["trend"]["words"], words);
    assert_eq!(
        h["trend"]["first_rate_per_1000"],
        (first * 10.0).round() / 10.0
    );
    assert!(h["trend"]["fitted_slope_per_month"].as_f64().unwrap() < 0.0);
    assert_eq!(json["provenance"]["generated_at"], "2026-01-01 00:00 UTC");
    assert_eq!(json["provenance"]["period"], "2024-01 to 2025-12");
    assert!(json["by"].get("author").is_none());
    assert_eq!(
        json["by"]["quarter"]["2024 Q1"]["records"],
        e.quarters["2024 Q1"].0
    );

    let csv = report(dir.path(), "csv");
    assert!(
        csv.contains(&format!(
            "headline,trend,,,,\"Findings per 1,000 records are {words}\"\n"
        )),
        "{csv}"
    );
    assert!(csv.contains(&format!("headline,trend_change_percent,,,,{change}\n")));
}

#[test]
fn the_two_year_headline_in_json_and_csv() {
    let e = export(2024);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("export.csv"), &e.csv).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report(dir.path(), "json")).unwrap();
    let csv = report(dir.path(), "csv");
    let csv_head: Vec<&str> = csv
        .lines()
        .filter(|l| {
            [
                "section,",
                "total,",
                "headline,",
                "top_",
                "quarter,",
                "team,",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect();
    insta::with_settings!({filters => vec![
        (r"fnv1a64:[0-9a-f]{16}", "[lexicon hash]"),
        (r"\(\d+ entries; newest entry review: [^)]*\)", "([lexicon entries and review])"),
    ]}, {
        insta::assert_snapshot!(format!(
            "{}\n{}\n{}",
            serde_json::to_string_pretty(&json["headline"]).unwrap(),
            serde_json::to_string_pretty(&json["provenance"]).unwrap(),
            csv_head.join("\n")
        ));
    });
}
