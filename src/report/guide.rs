//! The printable training guide of `vblint lexicon guide`: the lexicon in
//! effect as a self-contained HTML page, per category, each entry with why
//! it harms, the child-centred alternatives, an example and its better
//! version, and the sources. The linter and the classroom share one source.

use std::fmt::Write as _;

use super::html::escape;
use crate::lexicon::{Category, Entry, Lexicon};

const CSS: &str = "
body{font-family:Georgia,'Times New Roman',serif;color:#1b1b1b;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1,h2,h3{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif}
h1{font-size:1.8rem}h2{font-size:1.35rem;border-bottom:2px solid #1d4f91;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
.muted{color:#555;font-size:.9rem}
.entry{break-inside:avoid;page-break-inside:avoid;border-left:3px solid #c8d3e3;padding:.1rem 0 .3rem .9rem;margin:1rem 0}
.terms{font-family:system-ui,Arial,sans-serif;font-size:.9rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;margin:.5rem 0}
.pair div{padding:.4rem .6rem;border-radius:4px;font-size:.95rem}
.before{background:#fdecea;border:1px solid #f5c2bd}.after{background:#e8f5ee;border:1px solid #b7dfc8}
.pair b{display:block;font-family:system-ui,Arial,sans-serif;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
ul{margin:.2rem 0 .4rem 1.2rem;padding:0}
ol.sources{font-size:.85rem;color:#333}
section.category{break-before:page;page-break-before:always}
nav ol{columns:2}
@page{size:A4;margin:16mm 14mm}
@media print{body{margin:0;max-width:none;font-size:10.5pt}a{color:inherit;text-decoration:none}}
";

/// The plain-English introduction of each category.
fn about(c: Category) -> &'static str {
    match c {
        Category::ConsentChoice => {
            "Wording that says a child chose or agreed to their own abuse. A child cannot consent to exploitation; the choice belongs to the adult who exploits them."
        }
        Category::Responsibility => {
            "Wording that puts the risk, or the blame, inside the child and leaves the adult who causes the harm out of the sentence."
        }
        Category::Sexualising => {
            "Wording that describes a child in sexual or moral terms, as if the child were the problem rather than the abuse."
        }
        Category::Adultifying => {
            "Wording that presents a child as older, more knowing or more able to protect themselves than they are."
        }
        Category::Criminalising => {
            "Wording that treats an exploited child as an offender first and a victim second."
        }
        Category::Transactional => {
            "Wording that describes abuse as a trade or a deal the child entered into."
        }
        Category::Minimising => {
            "Wording that makes abuse or its effects sound smaller than they are."
        }
        Category::AbuserAsPartner => {
            "Wording that casts the abuser as a boyfriend, partner or friend, implying a mutual relationship."
        }
        Category::Dehumanising => {
            "Labels that reduce a child to a problem, a case type or a behaviour."
        }
        Category::Discrediting => {
            "Wording that casts doubt on what a child says before it has been looked into."
        }
        Category::Unfinished => "",
    }
}

/// Forms of an entry's terms a reader recognises: the first written form
/// of each term, up to eight.
fn forms(e: &Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in &e.terms {
        if let Some(v) = t.variants().first()
            && !out.contains(v)
        {
            out.push(v.clone());
        }
        if out.len() == 8 {
            break;
        }
    }
    out
}

/// What the guide's cover says about the lexicon.
pub struct GuideInfo<'a> {
    /// The title.
    pub title: &'a str,
    /// The lexicon version in words.
    pub version: &'a str,
    /// When it was made.
    pub generated_at: &'a str,
}

/// The whole guide.
pub fn render(lexicon: &Lexicon, info: &GuideInfo<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>Victim-blaming language is wording that suggests a child is responsible for the harm done to them. This guide is made from the same lexicon that vblint uses to check records, so what is taught here is what the checker looks for. For each term: why it harms, what to write instead, an example and a better version, and where the guidance comes from.</p>\n<p class=\"muted\">Lexicon version {}; made {}.</p>\n",
        escape(info.version),
        escape(info.generated_at),
        t = escape(info.title)
    );
    let by_category: Vec<(Category, Vec<&Entry>)> = Category::ALL
        .iter()
        .map(|c| {
            let entries: Vec<&Entry> = lexicon
                .active()
                .map(|(_, e)| e)
                .filter(|e| e.category == *c)
                .collect();
            (*c, entries)
        })
        .filter(|(_, e)| !e.is_empty())
        .collect();
    out.push_str("<nav><h2>Contents</h2><ol>");
    for (c, entries) in &by_category {
        let _ = write!(
            out,
            "<li><a href=\"#{0}\">{0}</a> ({1} terms)</li>",
            c.as_str(),
            entries.len()
        );
    }
    out.push_str("</ol></nav>\n");
    for (c, entries) in &by_category {
        let _ = write!(
            out,
            "<section class=\"category\" id=\"{0}\">\n<h2>{0}</h2>\n<p>{1}</p>\n",
            c.as_str(),
            escape(about(*c))
        );
        for e in entries {
            let _ = write!(
                out,
                "<div class=\"entry\" id=\"{id}\">\n<h3>{id}</h3>\n<p class=\"terms\"><b>Finds:</b> {}</p>\n<p><b>Why it harms.</b> {}</p>\n",
                forms(e)
                    .iter()
                    .map(|f| format!("“{}”", escape(f)))
                    .collect::<Vec<_>>()
                    .join(", "),
                escape(&e.why),
                id = escape(&e.id)
            );
            if e.alternatives.is_empty() {
                out.push_str("<p><b>Write instead:</b> no word-for-word swap is safe: describe what happened and name the adult responsible.</p>\n");
            } else {
                out.push_str("<p><b>Write instead:</b></p><ul>");
                for a in &e.alternatives {
                    let _ = write!(out, "<li>{}</li>", escape(a));
                }
                out.push_str("</ul>\n");
            }
            let (before, after) = match e.fixes.first() {
                Some(pair) => (pair.before.text.clone(), Some(pair.after.text.clone())),
                None => (
                    e.examples
                        .first()
                        .map(|x| x.text.clone())
                        .unwrap_or_default(),
                    e.alternatives.first().cloned().map(|a| format!("Use: {a}")),
                ),
            };
            if !before.is_empty() {
                let _ = writeln!(
                    out,
                    "<div class=\"pair\"><div class=\"before\"><b>Example</b>{}</div><div class=\"after\"><b>Better</b>{}</div></div>",
                    escape(&before),
                    after
                        .as_deref()
                        .map_or_else(|| "Describe what the adult did.".to_string(), escape)
                );
            }
            if !e.sources.is_empty() {
                out.push_str("<p class=\"terms\"><b>Sources</b></p><ol class=\"sources\">");
                for s in &e.sources {
                    let _ = write!(out, "<li>{}</li>", escape(s));
                }
                out.push_str("</ol>\n");
            }
            if let Some(r) = &e.reviewed {
                let _ = writeln!(out, "<p class=\"muted\">Reviewed {}</p>", escape(r));
            }
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
