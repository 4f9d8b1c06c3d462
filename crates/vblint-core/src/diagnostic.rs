//! Problems found in files the user gave us (lexicon files, configuration),
//! located by byte range and rendered rustc-style with a caret under the
//! offending text and a line saying what to write instead.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A named text the user wrote: a lexicon or configuration file.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The name to show: a path as given, or `<built-in>/file.toml`.
    pub name: String,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// A new shared source file.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

/// The largest char boundary at or before `offset`.
pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiagnosticLevel {
    /// Worth a look; does not fail the check.
    Warning,
    /// Must be fixed; the check fails with exit code 2.
    Error,
}

/// One problem in a file, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: DiagnosticLevel,
    /// The file, if the problem is located in one.
    pub file: Option<Arc<SourceFile>>,
    /// The byte range in `file` the problem is about.
    pub span: Option<Range<usize>>,
    /// What is wrong, lower-case, no trailing full stop.
    pub message: String,
    /// A short label under the caret.
    pub label: Option<String>,
    /// What to write instead.
    pub help: Option<String>,
    /// Further context, such as where a duplicate was first defined.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: DiagnosticLevel::Error,
            file: None,
            span: None,
            message: message.into(),
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// A new warning.
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: DiagnosticLevel::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Locates the problem in a file.
    pub fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Diagnostic {
        self.file = Some(Arc::clone(file));
        self.span = Some(span);
        self
    }

    /// Adds a label under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Says what to write instead.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error (rather than a warning).
    pub fn is_error(&self) -> bool {
        self.level == DiagnosticLevel::Error
    }

    /// `file:line:col`, or the file name alone, or nothing.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match &self.span {
            Some(span) => {
                let (line, col) = file.line_col(span.start);
                format!("{}:{line}:{col}", file.name)
            }
            None => file.name.clone(),
        })
    }

    /// Renders the diagnostic rustc-style, with colours when `color` is set.
    pub fn render(&self, color: bool) -> String {
        let level = match self.level {
            DiagnosticLevel::Error => Level::ERROR,
            DiagnosticLevel::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str());
        let mut group = if let (Some(file), Some(span)) = (&self.file, &self.span) {
            let start = floor_char_boundary(&file.text, span.start);
            let end = floor_char_boundary(&file.text, span.end.max(start));
            let mut annotation = AnnotationKind::Primary.span(start..end);
            if let Some(label) = &self.label {
                annotation = annotation.label(label.as_str());
            }
            title.element(
                Snippet::source(file.text.as_str())
                    .path(file.name.as_str())
                    .fold(true)
                    .annotation(annotation),
            )
        } else if let Some(file) = &self.file {
            title.element(Level::NOTE.message(format!("in {}", file.name)))
        } else {
            Group::with_title(title)
        };
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group]).to_string()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// The edit distance between two short strings, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= (c.len() / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a.toml", "one\ntwo “x” y\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 1));
        let y = f.text.find('y').unwrap();
        assert_eq!(f.line_col(y), (2, 9));
    }

    #[test]
    fn renders_location_caret_and_help() {
        let f = SourceFile::new("lexicon/x.toml", "[[entry]]\nsevrity = \"warning\"\n");
        let d = Diagnostic::error("unknown key `sevrity` in an entry")
            .at(&f, 10..17)
            .label("not a key an entry can have")
            .help("did you mean `severity`?");
        let out = d.render(false);
        assert!(out.contains("lexicon/x.toml:2:1"), "{out}");
        assert!(out.contains("^^^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `severity`?"), "{out}");
        assert_eq!(
            d.to_string(),
            "lexicon/x.toml:2:1: unknown key `sevrity` in an entry (help: did you mean `severity`?)"
        );
    }

    #[test]
    fn closest_finds_typos() {
        assert_eq!(
            closest("sevrity", ["severity", "sources"]),
            Some("severity")
        );
        assert_eq!(closest("zzz", ["severity"]), None);
    }
}
