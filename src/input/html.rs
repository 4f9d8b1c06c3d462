//! HTML exports: the visible text only. Tags, scripts, styles and comments
//! are dropped, entities decoded, and line breaks kept (block elements such
//! as `<p>` and `<br>` end a line), so line numbers stay close to the file's.

/// Decodes one entity name (`amp`, `#39`, `#x2019`).
pub fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let c = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "rsquo" => "\u{2019}",
        "lsquo" => "\u{2018}",
        "rdquo" => "\u{201d}",
        "ldquo" => "\u{201c}",
        "ndash" => "\u{2013}",
        "mdash" => "\u{2014}",
        "hellip" => "\u{2026}",
        "pound" => "\u{a3}",
        _ => return None,
    };
    Some(c.to_string())
}

const BLOCKS: [&str; 16] = [
    "p",
    "br",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "blockquote",
    "hr",
];

/// The visible text of an HTML document.
pub fn text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            // An entity name is short: look no further than 10 bytes for
            // its end (looking to the end of the text at every bare `&`
            // would take quadratic time).
            let window = &rest.as_bytes()[1..rest.len().min(12)];
            let end = memchr::memchr(b';', window).filter(|&e| e <= 10);
            match end.and_then(|e| entity(&rest[1..=e]).map(|s| (e, s))) {
                Some((e, s)) => {
                    out.push_str(&s);
                    rest = &rest[e + 2..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(after.len(), |e| e + 3);
            // Keep the comment's line breaks.
            out.extend(after[..end].chars().filter(|&c| c == '\n'));
            rest = &after[end..];
            continue;
        }
        // A tag runs to its `>`, or to the end of the text (which may end
        // in the middle of a tag, on any character).
        let (tag, close) = match rest.find('>') {
            Some(e) => (&rest[1..e], e + 1),
            None => (&rest[1..], rest.len()),
        };
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        out.extend(tag.chars().filter(|&c| c == '\n'));
        rest = &rest[close..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let end = find_end_tag(rest, &name).unwrap_or(rest.len());
            out.extend(rest[..end].chars().filter(|&c| c == '\n'));
            rest = &rest[end..];
            continue;
        }
        if BLOCKS.contains(&name.as_str()) && !out.ends_with('\n') && !rest.starts_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(rest);
    out
}

/// Where `</name` (any case) first starts in `text`, in one pass.
fn find_end_tag(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes).find(|&at| {
        let tag = &bytes[at + 1..];
        tag.first() == Some(&b'/')
            && tag.len() > name.len()
            && tag[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_markup_and_decodes() {
        let html = "<html><head><style>p{}</style><script>x<y</script></head>\n<body><p>She &amp; he</p><p>Jo&#39;s <b>risk</b></p>\n</body></html>";
        assert_eq!(super::text(html), "\nShe & he\nJo's risk\n");
    }

    #[test]
    fn entities_end_tags_and_bare_ampersands() {
        assert_eq!(
            super::text("a & b &amp c &hellip; d"),
            "a & b &amp c \u{2026} d"
        );
        assert_eq!(super::text("&"), "&");
        assert_eq!(super::text("&;"), "&;");
        assert_eq!(super::text("&#x2019;s"), "\u{2019}s");
        assert_eq!(super::text("<SCRIPT>x</ScRiPt>after"), "after");
        assert_eq!(super::text("<style>x</styl"), "");
        assert_eq!(super::text("<script>"), "");
        assert_eq!(super::find_end_tag("a</b</Script", "script"), Some(4));
        assert_eq!(super::find_end_tag("</scrip", "script"), None);
    }
}
