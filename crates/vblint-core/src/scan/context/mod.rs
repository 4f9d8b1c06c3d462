//! Context rules, evaluated on the original text around a candidate match:
//! quotations, context guards and inline suppression markers.
//!
//! Everything here runs only for candidates (rare), never for every byte of a
//! document, and looks at a bounded neighbourhood so a pathological document
//! cannot make one match expensive. The words around a candidate are split and
//! lower-cased once ([`Neighbourhood`]) and every guard of the entry reads
//! them; guard phrases are indexed by their first word ([`CompiledGuard`]), so
//! a guard with many phrases costs about one lookup per word. Document-wide
//! facts are computed once per document, lazily, in [`DocContext`], which is
//! shared by the threads that scan pieces of one large document.

mod guards;
mod markers;
mod quotes;
mod regions;
mod subject;

use std::ops::Range;
use std::sync::OnceLock;

use crate::lexicon::{GuardScope, HEADER_LINES};

#[cfg(test)]
pub(crate) use guards::WordList;
use guards::document_contains;
pub(crate) use guards::{CompiledGuard, Neighbourhood};
pub use markers::mentions_vblint;
use markers::{disabled_regions, is_marker_only, marker_ignores};
use regions::floor;
pub(crate) use regions::{ceil, cut_after, cut_before};
pub use subject::RecordFacts;

/// How far back or forward (in bytes) the context rules look.
pub(crate) const REACH: usize = 2000;

/// The most bytes of a document's first lines that count as its header.
const HEADER_BYTES: usize = 2000;

/// Per-document facts computed on first use; safe to share between threads.
pub(crate) struct DocContext<'t> {
    text: &'t str,
    /// Whether the text mentions `vblint` at all (in any case): without it,
    /// no inline marker can apply.
    has_markers: OnceLock<bool>,
    /// Regions switched off with `vblint-disable` … `vblint-enable`:
    /// (range, rule ids; empty means every rule).
    disabled: OnceLock<Vec<(Range<usize>, Vec<String>)>>,
    /// Results of header- and document-scope guards, by guard index.
    document_hits: Vec<OnceLock<bool>>,
    /// What the caller knows about the record beyond its text.
    facts: RecordFacts,
    /// What the document's header says of its people, for `subject`.
    header: subject::HeaderFacts,
}

impl<'t> DocContext<'t> {
    /// Facts about `text`, for a lexicon with `guards` guards.
    pub(crate) fn new(text: &'t str, guards: usize) -> DocContext<'t> {
        DocContext {
            text,
            has_markers: OnceLock::new(),
            disabled: OnceLock::new(),
            document_hits: (0..guards).map(|_| OnceLock::new()).collect(),
            facts: RecordFacts::default(),
            header: subject::HeaderFacts::default(),
        }
    }

    /// The same context with facts about the record from outside its text.
    pub(crate) fn with_facts(mut self, facts: RecordFacts) -> Self {
        self.facts = facts;
        self
    }

    /// Whether a guard's phrases are present for the match at `span`, whose
    /// surrounding words are in `near`.
    pub(crate) fn guard_hits(
        &self,
        index: usize,
        guard: &CompiledGuard,
        span: &Range<usize>,
        near: &Neighbourhood,
    ) -> bool {
        let text = self.text;
        match guard.scope {
            GuardScope::Words => {
                let reach = guard.reach();
                let need = guard.need();
                let start = floor(text, span.start.saturating_sub(reach)).max(near.clip.0);
                let end = ceil(text, span.end + reach).min(near.clip.1);
                let before = near.before.suffix_from(start);
                let before = before.start.max(before.end.saturating_sub(need))..before.end;
                let after = near.after.prefix_to(end);
                let after = after.start..after.end.min(after.start + need);
                guard.hits(&near.before, before, &near.after, after, guard.window)
            }
            GuardScope::Sentence | GuardScope::Paragraph => {
                let (start, end) = if guard.scope == GuardScope::Sentence {
                    near.sentence
                } else {
                    near.paragraph
                };
                let before = near.before.suffix_from(start);
                let after = near.after.prefix_to(end);
                guard.hits(&near.before, before, &near.after, after, usize::MAX)
                    || guard.around_within(text, span)
            }
            // Whole-document guards do not depend on the match: each is
            // evaluated once per document.
            GuardScope::Header | GuardScope::Document => {
                *self.document_hits[index].get_or_init(|| {
                    if guard.scope == GuardScope::Header {
                        guard.around.occurs_in(&text[..header_end(text)])
                    } else {
                        document_contains(text, &guard.around)
                    }
                })
            }
        }
    }

    /// Tells the context whether the text mentions `vblint` (see
    /// [`mentions_vblint`]), for a caller that has looked already; `false`
    /// makes [`DocContext::suppressed`] answer `false` throughout, for a
    /// caller that applies the markers itself.
    pub(crate) fn know_markers(&self, present: bool) {
        let _ = self.has_markers.set(present);
    }

    /// Whether an inline marker switches off `rule` at `offset`.
    pub(crate) fn suppressed(&self, rule: &str, offset: usize) -> bool {
        let text = self.text;
        if !*self.has_markers.get_or_init(|| mentions_vblint(text)) {
            return false;
        }
        let bytes = text.as_bytes();
        let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[offset..]).map_or(text.len(), |i| offset + i);
        if marker_ignores(&text[line_start..line_end], rule) {
            return true;
        }
        // A marker alone on the line before applies to this line.
        if line_start > 0 {
            let prev_start = memchr::memrchr(b'\n', &bytes[..line_start - 1]).map_or(0, |i| i + 1);
            let prev = &text[prev_start..line_start - 1];
            if is_marker_only(prev) && marker_ignores(prev, rule) {
                return true;
            }
        }
        let disabled = self.disabled.get_or_init(|| disabled_regions(text));
        disabled.iter().any(|(range, rules)| {
            range.contains(&offset) && (rules.is_empty() || rules.iter().any(|r| r == rule))
        })
    }
}

/// The end of the document's header: its first lines, at most
/// [`HEADER_BYTES`] (a header is a few short lines; a document that starts
/// with long paragraphs has its header in the first of them).
pub(crate) fn header_end(text: &str) -> usize {
    let end = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(HEADER_LINES - 1)
        .unwrap_or(text.len());
    end.min(floor(text, HEADER_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert!(marker_ignores(
            "her boyfriend <!-- vblint: ignore boyfriend -->",
            "boyfriend"
        ));
        assert!(marker_ignores(
            "her boyfriend [vblint: ignore]",
            "boyfriend"
        ));
        assert!(!marker_ignores(
            "her boyfriend [vblint: ignore consent]",
            "boyfriend"
        ));
        let t =
            "a\nvblint-disable boyfriend\nher boyfriend\nvblint-enable boyfriend\nher boyfriend";
        let ctx = DocContext::new(t, 0);
        assert!(ctx.suppressed("boyfriend", t.find("her boyfriend").unwrap() + 4));
        assert!(!ctx.suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
        let t = "<!-- vblint: ignore boyfriend -->\nher boyfriend";
        assert!(DocContext::new(t, 0).suppressed("boyfriend", t.rfind("boyfriend").unwrap()));
    }
}
