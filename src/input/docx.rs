//! Word documents: the paragraph text of `word/document.xml`, one paragraph
//! per line, so a finding's line is the paragraph number.

use std::fs::File;
use std::io::{BufRead, BufReader};

use quick_xml::events::Event;

use super::file::{Capped, Limits, NotRead, OverLimit, show_size};
use crate::diagnostic::Diagnostic;

/// The part of a Word document that holds its text.
const DOCUMENT: &str = "word/document.xml";

/// The text of a DOCX file (`file`, opened by [`super::file::open`] and
/// shown as `shown`), one paragraph per line.
///
/// The text part is unpacked as it is read, never whole, and no further
/// than `limits.max_file_size`: a small file that would unpack to
/// gigabytes (a "zip bomb") is refused, whatever size its directory
/// claims, with memory bounded by the text found before the limit.
///
/// # Errors
///
/// A plain-English problem when the file is not a readable Word document
/// or its text is over the limit.
pub fn text(file: File, shown: &str, limits: Limits) -> Result<String, NotRead> {
    let not_docx = |why: String| {
        NotRead::Error(Diagnostic::error(format!(
            "`{shown}` could not be read as a Word document ({why}); it was not scanned"
        )))
    };
    let max = limits.max_file_size;
    let too_large = |size: Option<u64>| {
        let size = size.map_or_else(String::new, |n| format!(" ({})", show_size(n)));
        NotRead::Error(
            Diagnostic::error(format!(
                "the text of `{shown}` unpacks to more than the {} limit{size}; it was not scanned",
                show_size(max)
            ))
            .help(
                "a Word document this big is unusual: check the file, or raise the limit \
                 with --max-file-size (for example --max-file-size 1G)",
            ),
        )
    };
    let mut zip = zip::ZipArchive::new(file).map_err(|e| not_docx(e.to_string()))?;
    let part = zip.by_name(DOCUMENT).map_err(|e| not_docx(e.to_string()))?;
    // The size the archive claims; the capped reader holds any other.
    if part.size() > max {
        return Err(too_large(Some(part.size())));
    }
    let reader = BufReader::new(Capped::unpacked(part, max, shown));
    from_reader(reader).map_err(|e| match e {
        XmlError::OverLimit => too_large(None),
        XmlError::Io(e) => not_docx(crate::input::io_reason(&e)),
        XmlError::Xml(why) => not_docx(why),
    })
}

/// Why the XML of a document could not be read.
#[derive(Debug)]
pub enum XmlError {
    /// The unpacked text is over the limit.
    OverLimit,
    /// Reading failed.
    Io(std::io::Error),
    /// The XML (or the packing) is malformed.
    Xml(String),
}

/// The paragraph text of a `document.xml`, read as it streams in.
///
/// # Errors
///
/// When the XML is malformed, or reading fails.
pub fn from_reader<R: BufRead>(source: R) -> Result<String, XmlError> {
    let mut reader = quick_xml::Reader::from_reader(source);
    let mut out = String::new();
    let mut in_text = false;
    let mut started = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(|e| match e {
            quick_xml::Error::Io(io) => match OverLimit::message(&io) {
                Some(_) => XmlError::OverLimit,
                None => XmlError::Io(std::io::Error::new(io.kind(), io.to_string())),
            },
            other => XmlError::Xml(other.to_string()),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "w:p" => {
                if started {
                    out.push('\n');
                }
                started = true;
            }
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::Empty(e) if e.name().as_ref() == "w:tab" => out.push('\t'),
            Event::Empty(e) if matches!(e.name().as_ref(), "w:br" | "w:cr") => out.push(' '),
            Event::Text(t) if in_text => {
                out.push_str(&t.html_content());
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.as_ref().to_string();
                out.push_str(&super::html::entity(&name).unwrap_or_default());
            }
            Event::CData(t) if in_text => out.push_str(t.as_ref()),
            Event::Eof => break,
            _ => {}
        }
    }
    if started {
        out.push('\n');
    }
    Ok(out)
}

/// The paragraph text of a `document.xml` held in memory.
///
/// # Errors
///
/// When the XML is malformed.
pub fn from_xml(xml: &str) -> Result<String, String> {
    from_reader(xml.as_bytes()).map_err(|e| match e {
        XmlError::Xml(why) => why,
        other => format!("{other:?}"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_become_lines() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>She put</w:t></w:r><w:r><w:t xml:space="preserve"> herself at risk &amp; more</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Next</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(
            super::from_xml(xml).unwrap(),
            "She put herself at risk & more\n\nNext\n"
        );
    }
}
