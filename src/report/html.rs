//! The self-contained HTML report of `vblint report`: inline CSS and inline
//! SVG bar charts (by category, by rule, trend by month), no scripts and no
//! external assets, readable on screen and when printed. It holds counts
//! only, never case text.

use std::fmt::Write as _;

use super::summary::{Cell, Summary, Suppress, is_group, sections};

/// Escapes text for HTML, with control characters shown as
/// [`super::escape::name`] shows them.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => super::escape::push_char(&mut out, c),
        }
    }
    out
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;color:#1b1b1b;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #1d4f91;padding-bottom:.2rem}
.lead{font-size:1.05rem}.muted{color:#555;font-size:.9rem}
.kpis{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.kpi{border:1px solid #c8d3e3;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.kpi b{display:block;font-size:1.5rem;color:#1d4f91}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e1e1e1}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg{max-width:100%;height:auto}svg text{font-family:inherit;font-size:12px;fill:#1b1b1b}
section{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}.kpi{border-color:#999}a{color:inherit;text-decoration:none}}
";

fn bars(rows: &[(String, Cell)], sup: Suppress, label: &str) -> String {
    let rows: Vec<&(String, Cell)> = rows.iter().take(15).collect();
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.1.findings).max().unwrap_or(1).max(1);
    let row_h = 24;
    let left = 230;
    let width = 720;
    let h = rows.len() * row_h + 10;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {h}\" width=\"{width}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(label)
    );
    for (i, (k, c)) in rows.iter().enumerate() {
        let y = i * row_h + 5;
        let shown = sup.count(c.findings);
        // Suppressed counts get a stub bar, so the size does not give them away.
        let len = if shown.starts_with('<') {
            4
        } else {
            (c.findings * (width - left - 60) / max).max(2)
        };
        let name: String = if k.chars().count() > 34 {
            k.chars().take(33).chain(['…']).collect()
        } else {
            k.clone()
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{y}\" width=\"{len}\" height=\"{}\" fill=\"#1d4f91\"/><text x=\"{}\" y=\"{}\">{}</text>",
            left - 8,
            y + 15,
            escape(&name),
            row_h - 8,
            left + len + 6,
            y + 15,
            escape(&shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn trend(rows: &[(String, Cell)], sup: Suppress) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let width = 720usize;
    let h = 220usize;
    let base = h - 40;
    let rates: Vec<Option<f64>> = rows
        .iter()
        .map(|(_, c)| {
            (!sup.hides_group(c.records)
                && c.records > 0
                && !(c.findings > 0 && c.findings < sup.min))
                .then(|| c.findings as f64 * 1000.0 / c.records as f64)
        })
        .collect();
    let max = rates.iter().flatten().fold(1.0f64, |a, &b| a.max(b));
    let step = (width - 40) / rows.len().max(1);
    let bw = (step * 7 / 10).max(2);
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Findings per 1,000 records by month\" viewBox=\"0 0 {width} {h}\" width=\"{width}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><line x1=\"30\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#888\"/>",
        width - 5
    );
    for (i, ((k, _), rate)) in rows.iter().zip(&rates).enumerate() {
        let x = 35 + i * step;
        match rate {
            Some(r) => {
                let len = ((r / max) * (base as f64 - 25.0)) as usize;
                let _ = write!(
                    svg,
                    "<rect x=\"{x}\" y=\"{}\" width=\"{bw}\" height=\"{len}\" fill=\"#2f7d5b\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{r:.1}</text>",
                    base - len,
                    x + bw / 2,
                    base - len - 4
                );
            }
            None => {
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">–</text>",
                    x + bw / 2,
                    base - 4
                );
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + bw / 2,
            base + 16,
            escape(k)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The whole HTML document.
pub fn render(s: &Summary, sup: Suppress, title: &str) -> String {
    let word = s.unit_word();
    let units = s.units();
    let rate = if units == 0 {
        "0.0".to_string()
    } else {
        format!("{:.1}", s.findings as f64 * 1000.0 / units as f64)
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"lead\">Victim-blaming language found by vblint in {units} {word}. The report holds counts only, never case text.</p>\n",
        escape(title),
        escape(title)
    );
    let _ = write!(
        out,
        "<div class=\"kpis\"><div class=\"kpi\"><b>{}</b>findings</div><div class=\"kpi\"><b>{}</b>{word} with findings</div><div class=\"kpi\"><b>{units}</b>{word} checked</div><div class=\"kpi\"><b>{rate}</b>per 1,000 {word}</div></div>\n<p class=\"muted\">Counts below {} are shown as &lt;{} so that small teams and individual writers are not identified by accident.</p>\n",
        s.findings, s.units_with_findings, sup.min, sup.min
    );
    for (title, key, rows) in sections(s, 20) {
        let _ = write!(out, "<section>\n<h2>{}</h2>\n", escape(title));
        match key {
            "category" | "rule" => out.push_str(&bars(&rows, sup, title)),
            "month" => out.push_str(&trend(&rows, sup)),
            _ => {}
        }
        let group = is_group(key);
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">findings</th><th class=\"n\">{}</th></tr></thead><tbody>",
            escape(key),
            if group { word } else { "with finding" },
            if group { "per 1,000" } else { "" }
        );
        for (k, c) in &rows {
            let hide = group && sup.hides_group(c.records);
            let records = if hide {
                sup.count(c.records)
            } else {
                c.records.to_string()
            };
            let last = if !group {
                String::new()
            } else if hide {
                "–".into()
            } else {
                sup.rate(c.findings, c.records)
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(k),
                escape(&records),
                escape(&if hide {
                    "–".to_string()
                } else {
                    sup.count(c.findings)
                }),
                escape(&last)
            );
        }
        out.push_str("</tbody></table>\n</section>\n");
    }
    out.push_str("<p class=\"muted\">Made by vblint (HMICFRS 2023, recommendation 9). Use it to find patterns and training needs, not to judge individual officers or social workers.</p>\n</body>\n</html>\n");
    out
}
