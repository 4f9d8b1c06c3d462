//! The self-contained HTML report of `vblint report`: inline CSS and inline
//! SVG bar charts (by category, by rule, trend by month), no scripts and no
//! external assets, readable on screen and when printed. It holds counts
//! only, never case text.

use std::fmt::Write as _;

use super::insight::{self, Provenance};
use super::summary::{
    Cell, Headline, Summary, Suppress, is_group, provenance_lines, row, sections,
};

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
.headline .trend{font-size:1.35rem;font-weight:600;color:#1d4f91;margin:.6rem 0}
svg.chart text.axis{font-size:13px;fill:#333}svg.chart text.tick{font-size:11px}
dl.prov{display:grid;grid-template-columns:11rem 1fr;gap:.2rem .8rem;font-size:.9rem}dl.prov dt{font-weight:600}dl.prov dd{margin:0;overflow-wrap:anywhere}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}.kpi{border-color:#999}a{color:inherit;text-decoration:none}svg{width:100%;height:auto;break-inside:avoid}tr{break-inside:avoid}}
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

/// A round step for an axis from 0 to `max` with about five ticks.
fn nice_step(max: f64) -> f64 {
    let raw = (max / 5.0).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let f = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * p
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mar 2024` for `2024-03`.
fn month_label(k: &str) -> String {
    match k.split_once('-') {
        Some((y, m)) => match m.parse::<usize>() {
            Ok(m @ 1..=12) => format!("{} {y}", MONTHS[m - 1]),
            _ => k.to_string(),
        },
        None => k.to_string(),
    }
}

/// The monthly rate chart: a point per month, the least-squares trend line,
/// a labelled y axis (findings per 1,000 records) and month labels thinned
/// so that they never overlap.
fn trend_chart(s: &Summary, sup: Suppress, word: &str) -> String {
    let months = insight::months(s);
    let Some(start) = months.first().and_then(|(k, _)| insight::month_number(k)) else {
        return String::new();
    };
    let end = months
        .last()
        .and_then(|(k, _)| insight::month_number(k))
        .unwrap_or(start);
    let span = (end - start).max(1) as f64;
    let points = insight::month_points(s, sup);
    let (width, height) = (720.0, 300.0);
    let (left, right, top, bottom) = (64.0, 16.0, 16.0, 62.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = points.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1.0);
    let step = nice_step(max);
    let y_max = (max / step).ceil() * step;
    let x = |i: f64| {
        left + if end == start {
            plot_w / 2.0
        } else {
            i / span * plot_w
        }
    };
    let y = |v: f64| top + plot_h - (v / y_max * plot_h);
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"Findings per 1,000 {word} by month, with a trend line\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    // Grid and y ticks.
    let mut t = 0.0;
    while t <= y_max + step / 2.0 {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#e3e3e3\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            width - right,
            left - 6.0,
            y(t) + 4.0,
            if step < 1.0 {
                format!("{t:.1}")
            } else {
                format!("{t:.0}")
            },
            yy = y(t)
        );
        t += step;
    }
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b:.1}\" stroke=\"#666\"/><line x1=\"{left}\" y1=\"{b:.1}\" x2=\"{:.1}\" y2=\"{b:.1}\" stroke=\"#666\"/>",
        width - right,
        b = top + plot_h
    );
    let _ = write!(
        svg,
        "<text class=\"axis\" transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">findings per 1,000 {word}</text><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">month</text>",
        top + plot_h / 2.0,
        left + plot_w / 2.0,
        height - 6.0
    );
    // Month labels: at most one per 70 pixels, on quarter starts when thinned.
    let n = (end - start + 1) as usize;
    let fit = ((plot_w / 70.0).floor() as usize).max(1);
    let every = [1usize, 2, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|e| n.div_ceil(*e) <= fit)
        .unwrap_or(n);
    for i in 0..n {
        let m = start + i as i64;
        let key = format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1);
        let aligned = if every >= 3 {
            (m.rem_euclid(12) as usize).is_multiple_of(every.min(12))
        } else {
            i.is_multiple_of(every)
        };
        let xx = x(i as f64);
        let _ = write!(
            svg,
            "<line x1=\"{xx:.1}\" y1=\"{b:.1}\" x2=\"{xx:.1}\" y2=\"{:.1}\" stroke=\"#666\"/>",
            top + plot_h + if aligned { 5.0 } else { 2.0 },
            b = top + plot_h
        );
        if aligned {
            let _ = write!(
                svg,
                "<text class=\"tick\" x=\"{xx:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
                top + plot_h + 18.0,
                // A label at the right edge ends there, so it is not cut off.
                if xx > width - right - 30.0 {
                    "end"
                } else {
                    "middle"
                },
                escape(&month_label(&key))
            );
        }
    }
    // The rates, joined, then the trend line.
    let path: Vec<String> = points
        .iter()
        .map(|(i, r)| format!("{:.1},{:.1}", x(*i), y(*r)))
        .collect();
    if path.len() > 1 {
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1d4f91\" stroke-width=\"2\"/>",
            path.join(" ")
        );
    }
    for (i, r) in &points {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#1d4f91\"><title>{r:.1}</title></circle>",
            x(*i),
            y(*r)
        );
    }
    if let Some((slope, b)) = insight::fit(&points) {
        let (x0, x1) = (points[0].0, points[points.len() - 1].0);
        let clamp = |v: f64| v.clamp(0.0, y_max);
        let _ = write!(
            svg,
            "<line class=\"trendline\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
            x(x0),
            y(clamp(slope * x0 + b)),
            x(x1),
            y(clamp(slope * x1 + b))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The whole HTML document.
pub fn render(s: &Summary, sup: Suppress, title: &str, p: &Provenance) -> String {
    let h = Headline::of(s, sup);
    let word = h.word;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"lead\">Victim-blaming language found by vblint in {} {word}, {}. The report holds counts only, never case text.</p>\n",
        escape(title),
        escape(title),
        insight::thousands(h.checked),
        escape(&h.period_words())
    );
    if p.sample.is_some() {
        let _ = writeln!(
            out,
            "<p class=\"kpi\" id=\"sample\"><b>This is a sample.</b> {}.</p>",
            escape(&p.sample_words(word))
        );
    }
    let _ = write!(
        out,
        "<section class=\"headline\" id=\"headline\">\n<p class=\"trend\" id=\"trend\">{}.</p>\n<div class=\"kpis\"><div class=\"kpi\"><b>{}</b>{word} checked</div><div class=\"kpi\"><b>{:.1}%</b>of {word} with at least one finding ({} of {})</div><div class=\"kpi\"><b>{:.1}</b>findings per 1,000 {word} ({} findings)</div></div>\n",
        escape(&h.trend_words()),
        insight::thousands(h.checked),
        h.share_percent,
        insight::thousands(h.with_findings),
        insight::thousands(h.checked),
        h.rate,
        insight::thousands(h.findings)
    );
    if let Some(t) = &h.trend {
        let _ = write!(
            out,
            "<p>In {}: {:.1} findings per 1,000 {word}; in {}: {:.1}.",
            escape(&t.first),
            t.first_rate,
            escape(&t.last),
            t.last_rate
        );
        if let Some((slope, _, _)) = t.line {
            let _ = write!(
                out,
                " The dashed trend line (least squares over the monthly rates) {} by {:.1} per 1,000 {word} a month.",
                if slope < 0.0 { "falls" } else { "rises" },
                slope.abs()
            );
        }
        out.push_str("</p>\n");
    }
    out.push_str(&trend_chart(s, sup, word));
    out.push_str("\n</section>\n");
    if let Some(top) = &h.top {
        let _ = write!(
            out,
            "<section id=\"top-categories\">\n<h2>Top categories: {} against {}</h2>\n<table><thead><tr><th>category</th><th class=\"n\">findings {}</th><th class=\"n\">per 1,000 {word}</th><th class=\"n\">findings {}</th><th class=\"n\">per 1,000 {word}</th></tr></thead><tbody>",
            escape(&top.now),
            escape(&top.then),
            escape(&top.now),
            escape(&top.then)
        );
        for r in &top.rows {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&r.category),
                escape(&sup.count(r.now)),
                r.now_rate.map_or("–".into(), |r| format!("{r:.1}")),
                escape(&sup.count(r.then)),
                r.then_rate.map_or("–".into(), |r| format!("{r:.1}"))
            );
        }
        out.push_str("</tbody></table>\n");
        if !top.then_has_records {
            let _ = writeln!(
                out,
                "<p class=\"muted\">No {word} from {} to compare with.</p>",
                escape(&top.then)
            );
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">Counts below {} are shown as &lt;{} so that small teams and individual writers are not identified by accident.</p>",
        sup.min, sup.min
    );
    for (title, key, rows) in sections(s, 20) {
        let _ = write!(out, "<section>\n<h2>{}</h2>\n", escape(title));
        if matches!(key, "category" | "rule") {
            out.push_str(&bars(&rows, sup, title));
        }
        let group = is_group(key);
        let (second, last) = if group {
            (word, "per 1,000")
        } else if matches!(key, "category" | "rule") {
            ("with it", "per 1,000")
        } else {
            (word, "")
        };
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">findings</th><th class=\"n\">{}</th></tr></thead><tbody>",
            escape(key),
            second,
            last
        );
        for (k, c) in &rows {
            let r = row(s, sup, key, k, c);
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(k),
                escape(&r.records),
                escape(&r.findings),
                escape(&r.rate)
            );
        }
        out.push_str("</tbody></table>\n</section>\n");
    }
    out.push_str("<section id=\"provenance\">\n<h2>About this report</h2>\n<dl class=\"prov\">");
    for (k, v) in provenance_lines(s, p, &h) {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    }
    out.push_str("</dl>\n<h2>Definitions</h2>\n<dl class=\"prov\">");
    for (k, v) in insight::DEFINITIONS {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    }
    out.push_str("</dl>\n</section>\n");
    out.push_str("<p class=\"muted\">Made by vblint (HMICFRS 2023, recommendation 9). Use it to find patterns and training needs, not to judge individual officers or social workers.</p>\n</body>\n</html>\n");
    out
}
