//! The scanner: an index of one anchor word of every term and except
//! phrase of the lexicon (see `scan::phrases`), built once and shared.
//!
//! A scan normalises the text (see [`crate::text`]), finds every occurrence
//! of every phrase on whole-word boundaries (anchors, then the rest of each
//! phrase around them), picks the leftmost-longest term at each place, drops
//! terms covered by an except phrase, and then applies the context rules of
//! `scan::context`: inline suppression markers, the entry's guards and the
//! quotation policy. Spans in the result are byte ranges of the original
//! text. After an edit, [`Scanner::rescan`] scans only the paragraphs near
//! it.

mod context;
mod dispatch;
mod phrases;

pub use context::{RecordFacts, mentions_vblint};

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::lexicon::{EntryId, GuardAction, GuardScope, Lexicon, PLACEHOLDER_RULE, Severity};
use crate::text::Normalized;

/// What to do with a match inside quotation marks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotePolicy {
    /// Report nothing.
    Skip,
    /// Report with severity `info` (the default): someone's own words must
    /// be recorded verbatim.
    #[default]
    Info,
    /// Report with the entry's own severity.
    Flag,
}

impl QuotePolicy {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotePolicy::Skip => "skip",
            QuotePolicy::Info => "info",
            QuotePolicy::Flag => "flag",
        }
    }
}

/// How the scanner applies the lexicon.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The quotation policy.
    pub quotes: QuotePolicy,
    /// Entry ids that never match.
    pub disabled: BTreeSet<String>,
    /// Severity overrides by entry id.
    pub severity: BTreeMap<String, Severity>,
}

/// One place where the text uses a lexicon term.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The entry.
    pub entry: EntryId,
    /// Byte range in the original text.
    pub span: Range<usize>,
    /// Severity after the quotation policy and overrides.
    pub severity: Severity,
    /// Whether the match is inside quotation marks.
    pub quoted: bool,
}

#[derive(Clone, Copy, Debug)]
enum Pattern {
    Term(EntryId),
    Except,
}

/// A compiled lexicon, cheap to clone and safe to share between threads.
#[derive(Clone, Debug)]
pub struct Scanner {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    lexicon: Arc<Lexicon>,
    settings: Settings,
    /// Every term and except phrase of the enabled entries.
    phrases: phrases::PhraseSet,
    /// What each phrase is, in the order given to the phrase set.
    patterns: Vec<Pattern>,
    /// Per entry: whether it is enabled, and its severity after overrides.
    severity: Vec<Option<Severity>>,
    /// The lexicon's guards, indexed for matching.
    guards: Vec<context::CompiledGuard>,
    /// Whether an enabled entry has a guard reading the whole document or
    /// its header (edits there may change findings anywhere).
    document_guards: bool,
    header_guards: bool,
    /// The `placeholder` rule, when it is enabled and the lexicon has
    /// placeholders to find.
    placeholder: Option<EntryId>,
    /// The first bytes (ASCII lower case) a placeholder's words can start
    /// with, so that the brackets of timestamps and redactions ("[14:05]",
    /// "[redacted]") are passed over without normalising their text.
    placeholder_starts: [bool; 256],
}

impl Scanner {
    /// Compiles a lexicon.
    ///
    /// # Errors
    ///
    /// If the anchor index cannot be built (only for absurdly large
    /// lexicons).
    pub fn new(lexicon: Arc<Lexicon>, settings: Settings) -> Result<Scanner, Diagnostic> {
        let mut patterns = Vec::new();
        let mut slots: Vec<&[Vec<String>]> = Vec::new();
        let mut severity = vec![None; lexicon.entries.len()];
        for (id, entry) in lexicon.active() {
            if settings.disabled.contains(&entry.id) {
                continue;
            }
            severity[id.0 as usize] = Some(
                settings
                    .severity
                    .get(&entry.id)
                    .copied()
                    .unwrap_or(entry.severity),
            );
            let terms = entry.terms.iter().map(|p| (p, Pattern::Term(id)));
            let except = entry.except.iter().map(|p| (p, Pattern::Except));
            for (phrase, kind) in terms.chain(except) {
                slots.push(&phrase.slots);
                patterns.push(kind);
            }
        }
        let phrases = phrases::PhraseSet::new(slots).map_err(|e| {
            Diagnostic::error(format!("the lexicon is too large to compile: {e}"))
                .help("remove optional words or split long variant lists")
        })?;
        let guards = lexicon
            .guards
            .iter()
            .map(context::CompiledGuard::new)
            .collect();
        let scope_used = |scope: GuardScope| {
            lexicon.active().any(|(id, e)| {
                severity[id.0 as usize].is_some()
                    && e.guards.iter().any(|&g| lexicon.guards[g].scope == scope)
            })
        };
        let document_guards = scope_used(GuardScope::Document);
        // An entry with a subject reads the document's header too.
        let header_guards = scope_used(GuardScope::Header)
            || lexicon.active().any(|(id, e)| {
                severity[id.0 as usize].is_some() && e.subject != crate::lexicon::Subject::Any
            });
        let placeholder = lexicon
            .find(PLACEHOLDER_RULE)
            .filter(|id| severity[id.0 as usize].is_some() && !lexicon.placeholders.is_empty());
        let mut placeholder_starts = [false; 256];
        for key in &lexicon.placeholders {
            if let Some(&b) = key.as_bytes().first() {
                placeholder_starts[usize::from(b.to_ascii_lowercase())] = true;
                placeholder_starts[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        Ok(Scanner {
            inner: Arc::new(Inner {
                lexicon,
                settings,
                phrases,
                patterns,
                severity,
                guards,
                document_guards,
                header_guards,
                placeholder,
                placeholder_starts,
            }),
        })
    }

    /// The lexicon this scanner was built from.
    pub fn lexicon(&self) -> &Arc<Lexicon> {
        &self.inner.lexicon
    }

    /// The settings this scanner was built with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The number of concrete phrases the scanner matches (every
    /// combination of every phrase's options).
    pub fn pattern_count(&self) -> usize {
        self.inner.phrases.forms()
    }

    /// The number of anchor strings searched for.
    pub fn anchor_count(&self) -> usize {
        self.inner.phrases.anchors()
    }

    /// Scans a text and returns its findings in order.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        self.scan_into(text, &mut Normalized::default(), &mut out);
        out
    }

    /// Scans a text, reusing `norm` as a buffer, and appends the findings in
    /// order to `out`.
    pub fn scan_into(&self, text: &str, norm: &mut Normalized, out: &mut Vec<Finding>) {
        let ctx = self.context(text);
        self.scan_region(&ctx, text, 0..text.len(), norm, out);
    }

    /// Scans one record whose other fields say more about it than its text
    /// (a CSV or JSONL age column), reusing `norm`, and appends the
    /// findings in order to `out`. With no facts it is [`Scanner::scan_into`].
    pub fn scan_record_into(
        &self,
        text: &str,
        facts: &context::RecordFacts,
        norm: &mut Normalized,
        out: &mut Vec<Finding>,
    ) {
        let ctx = self.context(text).with_facts(facts.clone());
        self.scan_region(&ctx, text, 0..text.len(), norm, out);
    }

    /// Brings the findings of a text up to date after edits, rescanning only
    /// the paragraphs near them.
    ///
    /// `findings` are the findings of the text before the edits, moved with
    /// [`shift_findings`] (so those the edits touched are gone); `changed` is
    /// the range of `text` the edits wrote. The result equals a scan of the
    /// whole text. Findings depend only on their paragraph and on text up to
    /// a few thousand bytes away, except through the document's header,
    /// document-wide guards and inline `vblint` markers: when the edits may
    /// change those, or no paragraph break is near, the whole text is
    /// scanned.
    pub fn rescan(
        &self,
        text: &str,
        changed: Range<usize>,
        norm: &mut Normalized,
        findings: &mut Vec<Finding>,
    ) {
        match self.local_region(text, changed) {
            Some(region) => {
                let ctx = self.context(text);
                let first = findings.partition_point(|f| f.span.end <= region.start);
                let last = findings.partition_point(|f| f.span.start < region.end);
                let mut fresh = Vec::new();
                self.scan_region(&ctx, text, region, norm, &mut fresh);
                findings.splice(first..last, fresh);
            }
            None => {
                findings.clear();
                self.scan_into(text, norm, findings);
            }
        }
    }

    /// Whether [`Scanner::rescan`] after an edit of `changed` rescans only
    /// part of `text` (rather than all of it).
    pub fn rescans_locally(&self, text: &str, changed: Range<usize>) -> bool {
        self.local_region(text, changed).is_some()
    }

    /// The part of `text` to rescan after an edit of `changed`: whole
    /// paragraphs reaching [`context::REACH`] bytes beyond the edit, or
    /// `None` when the edit may change findings further away.
    fn local_region(&self, text: &str, changed: Range<usize>) -> Option<Range<usize>> {
        let inner = &self.inner;
        let changed = changed.start.min(text.len())..changed.end.min(text.len());
        if inner.document_guards
            || inner.header_guards && changed.start <= context::header_end(text)
            || mentions_vblint(text)
        {
            return None;
        }
        // A few bytes more than the context rules reach, for their rounding
        // to character boundaries.
        let reach = context::REACH + 8;
        let start = context::cut_before(text, changed.start.saturating_sub(reach))?;
        let end = context::cut_after(text, changed.end + reach)?;
        Some(start..end)
    }

    /// Cuts a large text into pieces that can be matched independently,
    /// for a caller that scans them on several threads (the core has none).
    /// The text is cut at blank lines, where no phrase can continue, into
    /// pieces of about 1 MB; the context rules of every piece still see the
    /// whole document. `None` for a text under 2 MB, which is scanned best
    /// in one go with [`Scanner::scan_into`].
    ///
    /// Scanning every piece with [`Pieces::scan`] (in any order, on any
    /// thread) and handing the results in piece order to [`Pieces::finish`]
    /// gives the same findings as [`Scanner::scan_into`].
    pub fn pieces<'s, 't>(&'s self, text: &'t str) -> Option<Pieces<'s, 't>> {
        self.pieces_of(text, PIECE_BYTES)
    }

    fn pieces_of<'s, 't>(&'s self, text: &'t str, size: usize) -> Option<Pieces<'s, 't>> {
        if text.len() < 2 * size {
            return None;
        }
        let ranges = chunks(text, size);
        // One set of document facts for all pieces: each is computed once.
        // Inline markers are the exception: whether the text has any is
        // found piece by piece, rather than by a pass over all of it by the
        // first piece that asks; the pieces are scanned as if there were
        // none, and the markers applied in `finish`.
        let ctx = self.context(text);
        ctx.know_markers(false);
        Some(Pieces {
            scanner: self,
            text,
            ctx,
            ranges,
        })
    }

    fn context<'t>(&self, text: &'t str) -> context::DocContext<'t> {
        context::DocContext::new(text, self.inner.guards.len())
    }

    /// Matches `text[region]` and judges each match in the context of the
    /// whole `text`.
    fn scan_region(
        &self,
        ctx: &context::DocContext<'_>,
        text: &str,
        region: Range<usize>,
        norm: &mut Normalized,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        self.scan_terms(ctx, text, region.clone(), norm, out);
        if let Some(id) = self.inner.placeholder {
            self.scan_placeholders(ctx, text, region, id, first, out);
        }
    }

    /// Appends the placeholders of the lexicon found in `text[region]` to
    /// the findings `out[first..]` of the same region, in order, leaving out
    /// any that overlaps a term.
    fn scan_placeholders(
        &self,
        ctx: &context::DocContext<'_>,
        text: &str,
        region: Range<usize>,
        id: EntryId,
        first: usize,
        out: &mut Vec<Finding>,
    ) {
        /// The longest placeholder looked at, in bytes.
        const MAX_PLACEHOLDER: usize = 160;
        let lexicon = &self.inner.lexicon;
        let bytes = text.as_bytes();
        let terms = out.len();
        let mut near = context::Neighbourhood::default();
        for open in memchr::memchr_iter(b'[', &bytes[region.clone()]).map(|i| region.start + i) {
            let end = (open + 1 + MAX_PLACEHOLDER).min(region.end);
            let Some(close) = memchr::memchr3(b']', b'[', b'\n', &bytes[open + 1..end])
                .map(|i| open + 1 + i)
                .filter(|&i| bytes[i] == b']')
            else {
                continue;
            };
            // The first byte of the words inside, past spaces: only a
            // byte some placeholder starts with (or any byte beyond ASCII,
            // which normalisation may fold) is looked at further.
            let inside = &bytes[open + 1..close];
            let lead = inside.iter().find(|b| !b.is_ascii_whitespace());
            if lead.is_some_and(|&b| b.is_ascii() && !self.inner.placeholder_starts[usize::from(b)])
            {
                continue;
            }
            let key = crate::lexicon::placeholder::key(&text[open + 1..close]);
            if lexicon.placeholders.binary_search(&key).is_err() {
                continue;
            }
            let span = open..close + 1;
            if out[first..terms]
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                continue;
            }
            if let Some(finding) = self.judge(ctx, text, id, span, &mut near) {
                out.push(finding);
            }
        }
        if out.len() > terms {
            out[first..].sort_by_key(|f| f.span.start);
        }
    }

    /// Matches the terms of the lexicon in `text[region]` and judges each
    /// match in the context of the whole `text`.
    fn scan_terms(
        &self,
        ctx: &context::DocContext<'_>,
        text: &str,
        region: Range<usize>,
        norm: &mut Normalized,
        out: &mut Vec<Finding>,
    ) {
        let base = region.start;
        let mut raw = Vec::new();
        normalise_and_find(&self.inner.phrases, &text[region], norm, &mut raw);
        let mut terms: Vec<(Range<usize>, EntryId)> = Vec::new();
        let mut excepts: Vec<Range<usize>> = Vec::new();
        for m in raw {
            match self.inner.patterns[m.phrase] {
                Pattern::Term(id) => terms.push((m.start..m.end, id)),
                Pattern::Except => excepts.push(m.start..m.end),
            }
        }
        if terms.is_empty() {
            return;
        }
        // Leftmost-longest, without overlaps (the matches come sorted by
        // start, then end: take the longest at each start).
        terms.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
        excepts.sort_by_key(|e| e.start);
        let longest_except = excepts.iter().map(|e| e.len()).max().unwrap_or(0);
        let mut last_end = 0;
        let mut near = context::Neighbourhood::default();
        for (range, id) in terms {
            if range.start < last_end {
                continue;
            }
            last_end = range.end;
            // Only except matches that start within the longest except
            // phrase's length before the term can overlap it.
            let from = excepts.partition_point(|e| e.start + longest_except <= range.start);
            let to = excepts.partition_point(|e| e.start < range.end);
            if excepts[from..to].iter().any(|e| range.start < e.end) {
                continue;
            }
            let span = base + norm.to_original(range.start)..base + norm.to_original(range.end);
            if let Some(finding) = self.judge(ctx, text, id, span, &mut near) {
                out.push(finding);
            }
        }
    }

    /// The entries whose terms occur (on word boundaries) in `text`,
    /// before any except phrase or context rule: for lexicon checks.
    pub fn scan_raw_terms(&self, text: &str) -> Vec<EntryId> {
        let norm = Normalized::new(text);
        let mut raw = Vec::new();
        self.inner.phrases.find(norm.as_str(), &mut raw);
        raw.into_iter()
            .filter_map(|m| match self.inner.patterns[m.phrase] {
                Pattern::Term(id) => Some(id),
                Pattern::Except => None,
            })
            .collect()
    }

    /// Applies the context rules to one candidate.
    fn judge(
        &self,
        ctx: &context::DocContext<'_>,
        text: &str,
        id: EntryId,
        span: Range<usize>,
        near: &mut context::Neighbourhood,
    ) -> Option<Finding> {
        let entry = self.inner.lexicon.get(id);
        let mut severity = self.inner.severity[id.0 as usize]?;
        if ctx.suppressed(&entry.id, span.start) {
            return None;
        }
        let guards = &self.inner.guards;
        if !entry.guards.is_empty() {
            near.fill(text, &span, entry.guards.iter().map(|&g| &guards[g]));
        }
        for &g in &entry.guards {
            let guard = &guards[g];
            let hit = ctx.guard_hits(g, guard, &span, near);
            match guard.action() {
                GuardAction::Suppress if hit => return None,
                GuardAction::Require if !hit => return None,
                _ => {}
            }
        }
        if !ctx.subject_allows(
            entry.subject,
            &span,
            &mut near.paragraphs,
            &mut near.readings,
        ) {
            return None;
        }
        let quoted = near.quotes.in_quotation(text, &span, &mut near.paragraphs);
        if quoted {
            match self.inner.settings.quotes {
                QuotePolicy::Skip => return None,
                QuotePolicy::Info => severity = severity.min(Severity::Info),
                QuotePolicy::Flag => {}
            }
        }
        Some(Finding {
            entry: id,
            span,
            severity,
            quoted,
        })
    }
}

/// Normalises `text` into `norm`, and appends the occurrences of the
/// phrases in the normalised text to `raw` (see
/// [`phrases::PhraseSet::find`]), compiled for the best instructions this
/// processor has ([`dispatch::best`]).
fn normalise_and_find(
    phrases: &phrases::PhraseSet,
    text: &str,
    norm: &mut Normalized,
    raw: &mut Vec<phrases::RawMatch>,
) {
    dispatch::best(
        #[inline(always)]
        || {
            norm.reset(text);
            phrases.find(norm.as_str(), raw);
        },
    );
}

/// A text cut into pieces for scanning on several threads; see
/// [`Scanner::pieces`].
pub struct Pieces<'s, 't> {
    scanner: &'s Scanner,
    text: &'t str,
    ctx: context::DocContext<'t>,
    ranges: Vec<Range<usize>>,
}

/// The findings of one piece of a text, before inline markers are applied.
#[derive(Debug, Default)]
pub struct PieceFindings {
    found: Vec<Finding>,
    mentions_vblint: bool,
}

impl Pieces<'_, '_> {
    /// The number of pieces.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no pieces (never: a text is cut into two or more).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Matches piece `index` and judges each match in the context of the
    /// whole text. `norm` is a buffer to reuse from piece to piece.
    ///
    /// # Panics
    ///
    /// Panics if `index` is not below [`Pieces::len`].
    pub fn scan(&self, index: usize, norm: &mut Normalized) -> PieceFindings {
        let range = self.ranges[index].clone();
        let text = self.text;
        let mut found = Vec::new();
        self.scanner
            .scan_region(&self.ctx, text, range.clone(), norm, &mut found);
        // A marker could straddle the end of the piece.
        let end = context::ceil(text, range.end + "vblint".len() - 1);
        PieceFindings {
            found,
            mentions_vblint: mentions_vblint(&text[range.start..end]),
        }
    }

    /// Applies inline markers to the findings of every piece, given in
    /// piece order, and appends them to `out`.
    pub fn finish(self, results: impl IntoIterator<Item = PieceFindings>, out: &mut Vec<Finding>) {
        let results: Vec<PieceFindings> = results.into_iter().collect();
        // A piece that mentions `vblint` is part of the text, so the text
        // does: the context need not look again.
        let marked = results.iter().any(|r| r.mentions_vblint);
        let ctx = marked.then(|| {
            let ctx = self.scanner.context(self.text);
            ctx.know_markers(true);
            ctx
        });
        let lexicon = &self.scanner.inner.lexicon;
        for piece in results {
            out.extend(piece.found.into_iter().filter(|f| {
                ctx.as_ref()
                    .is_none_or(|ctx| !ctx.suppressed(&lexicon.get(f.entry).id, f.span.start))
            }));
        }
    }
}

/// Moves findings to where they are after an edit replaced `removed` (a
/// range of the text before the edit) with `inserted` bytes: findings after
/// the edit move with the text, findings touching it are dropped. Used with
/// [`Scanner::rescan`].
pub fn shift_findings(findings: &mut Vec<Finding>, removed: Range<usize>, inserted: usize) {
    findings.retain(|f| f.span.end < removed.start || f.span.start > removed.end);
    let first = findings.partition_point(|f| f.span.end < removed.start);
    for f in &mut findings[first..] {
        f.span = f.span.start - removed.len() + inserted..f.span.end - removed.len() + inserted;
    }
}

/// The size of the pieces [`Scanner::pieces`] aims for: 1 MB. A
/// piece and its normalised copy then stay in a core's cache while it is
/// matched; with 4 MB pieces a 100 MB file took 8% more processor time
/// (pieces of 256 and 512 KB measured the same as 1 MB).
const PIECE_BYTES: usize = 1 << 20;

/// Cuts `text` into ranges of about `size` bytes that end just after a blank
/// line (or, failing that, a line break; or, for a text without line breaks,
/// a character boundary).
fn chunks(text: &str, size: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while text.len() - start > size {
        let target = start + size;
        let window = &bytes[target..(target + size / 2).min(text.len())];
        let cut = memchr::memmem::find(window, b"\n\n")
            .map(|i| target + i + 2)
            .or_else(|| memchr::memchr(b'\n', window).map(|i| target + i + 1))
            .unwrap_or_else(|| {
                let mut i = target;
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                i
            });
        out.push(start..cut);
        start = cut;
    }
    out.push(start..text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::diagnostic::SourceFile;
    use crate::lexicon::LexiconBuilder;

    /// Scans the pieces one after another (last first), as a caller with
    /// threads would in parallel; a text too small to cut is scanned whole.
    fn scan_in_pieces(s: &Scanner, text: &str, size: usize, out: &mut Vec<Finding>) {
        let mut norm = Normalized::default();
        let Some(pieces) = s.pieces_of(text, size) else {
            assert!(text.len() < 2 * size);
            s.scan_into(text, &mut norm, out);
            return;
        };
        assert!(pieces.len() > 1);
        let results: Vec<_> = (0..pieces.len())
            .rev()
            .map(|i| pieces.scan(i, &mut norm))
            .collect();
        pieces.finish(results.into_iter().rev(), out);
    }

    const LEX: &str = r#"
[sets]
self = ["herself", "himself", "her self"]

[[guard]]
id = "negation"
before = ["not", "no", "never"]

[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = ["put|puts|putting {self} [repeatedly] at [serious] risk"]
alternatives = ["is being placed at risk by [name the adult]"]
why = "Blames the child."
sources = ["x"]
examples = ["She is putting herself at risk."]

[[entry]]
id = "consent"
category = "consent-choice"
terms = ["consented", "consent"]
except = ["consent form", "age of consent"]
alternatives = ["cannot legally consent"]
why = "A child cannot consent."
sources = ["x"]
guards = ["negation"]
examples = ["She consented."]

[[entry]]
id = "boyfriend"
category = "abuser-as-partner"
terms = ["boyfriend", "older boyfriend"]
alternatives = ["the adult"]
why = "Grooming frame."
sources = ["x"]
examples = ["Her boyfriend collected her."]
[[entry.guard]]
before = ["mum's", "mother's"]
window = 1
[[entry.guard]]
action = "suppress"
after = ["(#10-17)", "aged #10-17"]
window = 2
"#;

    fn scanner() -> Scanner {
        scanner_of(LEX)
    }

    fn scanner_of(lexicon: &str) -> Scanner {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("t.toml", lexicon));
        Scanner::new(Arc::new(b.build().unwrap()), Settings::default()).unwrap()
    }

    fn hits(text: &str) -> Vec<(String, String, bool)> {
        let s = scanner();
        s.scan(text)
            .into_iter()
            .map(|f| {
                (
                    s.lexicon().get(f.entry).id.clone(),
                    text[f.span.clone()].to_string(),
                    f.quoted,
                )
            })
            .collect()
    }

    fn rules(text: &str) -> Vec<String> {
        hits(text)
            .into_iter()
            .filter(|h| !h.2)
            .map(|h| h.0)
            .collect()
    }

    #[test]
    fn matches_typographic_variants_in_original_spans() {
        let text = "YP IS PUTTING HER-\nSELF  at\u{A0}serious\r\nrisk.";
        let h = hits(text);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].1, "PUTTING HER-\nSELF  at\u{A0}serious\r\nrisk");
    }

    #[test]
    fn whole_words_only() {
        assert!(rules("She was consentedly").is_empty());
        assert!(rules("preconsented").is_empty());
        assert_eq!(rules("She consented."), ["consent"]);
    }

    #[test]
    fn longest_wins_and_excepts_suppress() {
        assert_eq!(hits("her older boyfriend")[0].1, "older boyfriend");
        assert!(rules("Signed the consent form.").is_empty());
        assert!(rules("She is under the age of consent.").is_empty());
        assert_eq!(
            rules("Consent was given, she consented."),
            ["consent", "consent"]
        );
    }

    #[test]
    fn guards_apply() {
        assert!(rules("She did not consent.").is_empty());
        assert!(rules("Mum's boyfriend was present.").is_empty());
        assert!(rules("Mum’s boyfriend was present.").is_empty());
        assert_eq!(rules("Her boyfriend (32) was present."), ["boyfriend"]);
        assert!(rules("Her boyfriend (16) was present.").is_empty());
        assert!(rules("Her boyfriend, aged 15, was present.").is_empty());
    }

    #[test]
    fn header_and_document_guards_ignore_case_and_typographic_apostrophes() {
        const GUARDED: &str = r#"
[[guard]]
id = "statement"
action = "suppress"
scope = "header"
around = ["witness statement", "mum's account", "kinship care"]

[[guard]]
id = "closed"
action = "suppress"
scope = "document"
around = ["case closed"]

[[entry]]
id = "consent"
category = "consent-choice"
terms = ["consented"]
alternatives = ["cannot legally consent"]
why = "A child cannot consent."
sources = ["x"]
guards = ["statement", "closed"]
examples = ["She consented."]
"#;
        let s = scanner_of(GUARDED);
        let found = |text: &str| !s.scan(text).is_empty();
        assert!(found("Recorded by: D. Müller\n\nShe consented."));
        assert!(!found(
            "Recorded by: D. Müller\nWITNESS Statement\n\nShe consented."
        ));
        assert!(!found("MUM’S ACCOUNT (Ünal)\n\nShe consented."));
        assert!(found("Mums account\n\nShe consented."));
        // The Kelvin sign is the one letter outside ASCII that lower-cases
        // to an ASCII letter.
        assert!(!found("\u{212A}INSHIP CARE\n\nShe consented."));
        assert!(found("KINSHIP CAR\n\nShe consented."));
        assert!(!found("She consented.\n\nÉcole: case\nclosed."));
        // The header is the first ten lines.
        let late = format!("{}witness statement\n\nShe consented.", "x\n".repeat(10));
        assert!(found(&late));
        // Document guards read the text in 64 KB blocks: a phrase across
        // the cut between two blocks is still found.
        let long = format!("She consented.\n\n{}", "w ".repeat(33_000));
        assert!(!found(&format!("{long}case\nclosed.")));
        assert!(found(&format!("{long}case\nopened.")));
    }

    #[test]
    fn quotations_are_info() {
        let s = scanner();
        let f = s.scan("She said “he is my boyfriend”.");
        assert_eq!(f.len(), 1);
        assert!(f[0].quoted);
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn suppression_markers() {
        assert!(rules("Her boyfriend collected her. <!-- vblint: ignore boyfriend -->").is_empty());
    }

    #[test]
    fn parallel_scan_equals_sequential_scan() {
        let s = scanner();
        let paragraph = "She consented.\nHer boyfriend (32) is putting herself at risk.\n\n";
        let text = paragraph.repeat(3000);
        let sequential = s.scan(&text);
        let mut parallel = Vec::new();
        scan_in_pieces(&s, &text, 16 << 10, &mut parallel);
        assert!(sequential.len() > 3000);
        assert_eq!(sequential, parallel);
    }

    #[test]
    fn parallel_scan_applies_markers_across_pieces() {
        let s = scanner();
        let paragraph = "She consented.\nHer boyfriend (32) is putting herself at risk.\n\n";
        let filler = paragraph.repeat(400);
        // A region switched off in the first piece that ends pieces later,
        // a line marker, and the marker on the line before a finding.
        let text = format!(
            "vblint-disable boyfriend\n\n{filler}vblint-enable boyfriend\n\n{filler}\
             Her boyfriend. [vblint: ignore]\n\n\
             <!-- vblint: ignore consent -->\nShe consented.\n\n{filler}"
        );
        let sequential = s.scan(&text);
        let mut parallel = Vec::new();
        scan_in_pieces(&s, &text, 16 << 10, &mut parallel);
        assert_eq!(sequential, parallel);
        // (The markers' own "boyfriend" is not counted.)
        let boyfriends = |text: &str, f: &[Finding]| {
            f.iter()
                .filter(|f| text[..f.span.start].ends_with("Her "))
                .count()
        };
        assert_eq!(boyfriends(&text, &parallel), 800, "the first 400 are off");
        // A marker that is the last thing in the text, in the last piece,
        // still applies to its line.
        let text = format!("{filler}Her boyfriend. [vblint: ignore]");
        let mut parallel = Vec::new();
        scan_in_pieces(&s, &text, 16 << 10, &mut parallel);
        assert_eq!(s.scan(&text), parallel);
        assert_eq!(boyfriends(&text, &parallel), 400);
    }

    #[test]
    fn rescan_after_an_edit_in_the_paragraph_before() {
        let s = scanner();
        let before = format!(
            "{}She did not\n\nconsent.\n",
            "Nothing of note.\n".repeat(200)
        );
        // A guard does not look past the end of the sentence: the blank
        // line ends it, so the "not" before it does not negate "consent".
        let mut findings = s.scan(&before);
        assert_eq!(findings.len(), 1);
        // Edit the paragraph before: the rescan agrees with a full scan.
        let at = before.find("not\n").unwrap();
        let mut after = before.clone();
        after.replace_range(at..at + 3, "say");
        shift_findings(&mut findings, at..at + 3, 3);
        s.rescan(
            &after,
            at..at + 3,
            &mut Normalized::default(),
            &mut findings,
        );
        assert_eq!(findings, s.scan(&after));
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn chunks_cover_the_text_at_blank_lines() {
        let text = "ab\n\ncd\nef\n\ngh";
        let c = chunks(text, 3);
        assert_eq!(c.first().unwrap().start, 0);
        assert_eq!(c.last().unwrap().end, text.len());
        for w in c.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        for r in &c[..c.len() - 1] {
            assert!(text[r.clone()].ends_with('\n'), "{:?}", &text[r.clone()]);
        }
    }

    const SUBJECT_LEX: &str = r#"
[[entry]]
id = "consent"
category = "consent-choice"
terms = ["consensual"]
alternatives = ["cannot legally consent"]
why = "A child cannot consent."
sources = ["x"]
subject = "not-adult"
examples = ["It was consensual."]
[[entry.guard]]
after = ["assessment"]
window = 4

[[entry]]
id = "sexually-active"
category = "sexualising"
terms = ["sexually active"]
alternatives = ["is being sexually abused"]
why = "Describes abuse as the child's behaviour."
sources = ["x"]
subject = "child"
examples = ["YP (14) is sexually active."]
"#;

    fn subject_rules(text: &str) -> Vec<String> {
        let s = scanner_of(SUBJECT_LEX);
        s.scan(text)
            .into_iter()
            .map(|f| s.lexicon().get(f.entry).id.clone())
            .collect()
    }

    #[test]
    fn words_guards_stay_inside_the_sentence() {
        assert_eq!(
            subject_rules("Kayla (14) said it was consensual. An assessment is booked."),
            ["consent"]
        );
        assert!(subject_rules("It was consensual assessment wording.").is_empty());
    }

    #[test]
    fn subject_excludes_adults_and_the_record_establishes_the_child() {
        assert!(subject_rules("Claire (32) said it was consensual.").is_empty());
        assert_eq!(
            subject_rules("Leah (14) said it was consensual."),
            ["consent"]
        );
        assert_eq!(
            subject_rules("Child: Niamh, 14\n\nShe is sexually active."),
            ["sexually-active"]
        );
        assert!(subject_rules("She is sexually active.").is_empty());
        let s = scanner_of(SUBJECT_LEX);
        let mut out = Vec::new();
        s.scan_record_into(
            "She is sexually active.",
            &RecordFacts { age: Some(15) },
            &mut Normalized::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        s.scan_record_into(
            "She is sexually active.",
            &RecordFacts { age: Some(19) },
            &mut Normalized::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    proptest::proptest! {
        /// Any text and any facts scan without panicking, and an entry with
        /// a subject only ever drops findings: with `subject` removed, the
        /// same text has at least the same findings.
        #[test]
        fn subject_only_removes_findings(
            text in "[A-Za-z0-9 ().,;:'\n-]{0,200}(consensual|sexually active)[A-Za-z0-9 ().,;:'\n-]{0,200}",
            age in proptest::option::of(0u32..40),
        ) {
            let with = scanner_of(SUBJECT_LEX);
            let without = scanner_of(&SUBJECT_LEX.replace("subject = \"not-adult\"\n", "").replace("subject = \"child\"\n", ""));
            let mut a = Vec::new();
            with.scan_record_into(&text, &RecordFacts { age }, &mut Normalized::default(), &mut a);
            let b = without.scan(&text);
            for f in &a {
                proptest::prop_assert!(b.iter().any(|g| g.span == f.span && g.entry == f.entry));
            }
        }
    }
}
