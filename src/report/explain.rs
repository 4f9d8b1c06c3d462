//! The full description of one lexicon entry, as `vblint explain` prints it
//! and the language server shows it.

use std::fmt::Write as _;

use crate::lexicon::{Category, Entry, FixPolicy, GuardAction, GuardScope, Lexicon};

/// The full text `explain` prints for an entry (also used by the language
/// server's "explain" action).
pub fn explain(lexicon: &Lexicon, e: &Entry) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}, {})", e.id, e.category, e.severity);
    if e.retired {
        let _ = writeln!(s, "This entry is retired and no longer matches.");
    }
    let _ = writeln!(s, "\nWhy it matters\n  {}", e.why);
    let _ = writeln!(s, "\nWrite instead");
    if e.category == Category::Unfinished {
        let _ = writeln!(s, "  (what the brackets ask for, without the brackets)");
    } else if e.alternatives.is_empty() {
        let _ = writeln!(
            s,
            "  (no mechanical swap is safe: describe what the adult did)"
        );
    }
    for a in &e.alternatives {
        let _ = writeln!(s, "  - {a}");
    }
    if !e.replace.is_empty() {
        let _ = writeln!(
            s,
            "\nQuick fixes (where these words stand, outside quotations)"
        );
        for r in &e.replace {
            let with = if r.with.source.is_empty() {
                "(removed)"
            } else {
                &r.with.source
            };
            let _ = writeln!(s, "  - {} → {with}", r.pattern.source);
        }
    }
    if e.fix == FixPolicy::Safe {
        let _ = writeln!(
            s,
            "  (`vblint fix` makes {} automatically)",
            if e.replace.is_empty() {
                "the first alternative"
            } else {
                "the first of these that needs nothing filled in"
            }
        );
    }
    let _ = writeln!(s, "\nFlags");
    if e.category == Category::Unfinished {
        for p in &lexicon.placeholders {
            let _ = writeln!(s, "  - [{p}]");
        }
    }
    for t in &e.terms {
        let more = t.variants().len().saturating_sub(1);
        if more > 0 {
            let _ = writeln!(s, "  - {}  ({} forms)", t.source, t.variants().len());
        } else {
            let _ = writeln!(s, "  - {}", t.source);
        }
    }
    if !e.except.is_empty() {
        let _ = writeln!(s, "\nNever flags");
        for t in &e.except {
            let _ = writeln!(s, "  - {}", t.source);
        }
    }
    if !e.guards.is_empty() {
        let _ = writeln!(s, "\nContext rules");
        for &g in &e.guards {
            let g = &lexicon.guards[g];
            let action = match g.action {
                GuardAction::Suppress => "not flagged when",
                GuardAction::Require => "only flagged when",
            };
            let place = match g.scope {
                GuardScope::Words => format!("within {} words", g.window),
                GuardScope::Sentence => "in the same sentence".into(),
                GuardScope::Paragraph => "in the same paragraph".into(),
                GuardScope::Header => "in the first lines of the document".into(),
                GuardScope::Document => "anywhere in the document".into(),
            };
            let mut phrases: Vec<String> = Vec::new();
            for (side, list) in [
                ("before", &g.before),
                ("after", &g.after),
                ("near", &g.around),
            ] {
                if !list.is_empty() {
                    let shown: Vec<&str> = list.iter().take(6).map(|p| p.text.as_str()).collect();
                    let more = if list.len() > 6 { ", …" } else { "" };
                    phrases.push(format!("{side}: \"{}\"{more}", shown.join("\", \"")));
                }
            }
            let name =
                g.id.as_deref()
                    .map(|i| format!("[{i}] "))
                    .unwrap_or_default();
            let _ = writeln!(s, "  - {name}{action} {place} — {}", phrases.join("; "));
            if let Some(d) = &g.description {
                let _ = writeln!(s, "    {d}");
            }
        }
    }
    if !e.examples.is_empty() {
        let _ = writeln!(s, "\nExamples that are flagged");
        for x in &e.examples {
            let _ = writeln!(s, "  - {}", x.text.trim());
        }
    }
    if !e.counterexamples.is_empty() {
        let _ = writeln!(s, "\nExamples that are not flagged");
        for x in &e.counterexamples {
            let _ = writeln!(s, "  - {}", x.text.trim());
        }
    }
    let _ = writeln!(s, "\nSources");
    for src in &e.sources {
        let _ = writeln!(s, "  - {src}");
    }
    let (line, _) = e.origin.file.line_col(e.origin.span.start);
    let mut dates = Vec::new();
    if let Some(a) = &e.added {
        dates.push(format!("added {a}"));
    }
    if let Some(r) = &e.reviewed {
        dates.push(format!("reviewed {r}"));
    }
    let dates = if dates.is_empty() {
        String::new()
    } else {
        format!(", {}", dates.join(", "))
    };
    let _ = writeln!(s, "\nDefined in {}:{line}{dates}", e.origin.file.name);
    s
}
