//! Word documents: the paragraph text of `word/document.xml`, one paragraph
//! per line, so a finding's line is the paragraph number.

use std::io::Read;
use std::path::Path;

use quick_xml::events::Event;

/// The text of a DOCX file, one paragraph per line.
///
/// # Errors
///
/// A plain-English problem when the file is not a readable Word document.
pub fn text(path: &Path) -> Result<String, String> {
    let shown = path.display().to_string();
    let not_docx = |why: String| {
        format!("`{shown}` could not be read as a Word document ({why}); it was not scanned")
    };
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read `{shown}`: {}", crate::input::io_reason(&e)))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| not_docx(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| not_docx(e.to_string()))?
        .read_to_string(&mut xml)
        .map_err(|e| not_docx(e.to_string()))?;
    from_xml(&xml).map_err(not_docx)
}

/// The paragraph text of a `document.xml`.
///
/// # Errors
///
/// When the XML is malformed.
pub fn from_xml(xml: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    let mut started = false;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
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
