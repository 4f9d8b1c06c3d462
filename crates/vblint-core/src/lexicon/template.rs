//! The `with` templates of `[[entry.replace]]` tables: the wording a quick
//! fix writes in place of the matched words.
//!
//! A template is plain text with three kinds of holes:
//!
//! - `{1}`, `{2}`, …: the words that word 1, 2, … of the table's `match`
//!   phrase matched, exactly as the text has them (an optional word left out
//!   gives nothing);
//! - `{they}`, `{them}`, `{their}`, `{theirs}`, `{themselves}`: a pronoun
//!   that follows the first pronoun of the matched words ("himself" gives
//!   he, him, his, his, himself; "herself" she, her, her, hers, herself;
//!   "themselves" the plural forms);
//! - `[…]`: a placeholder the writer must fill in, kept as written (a
//!   placeholder left in a text is reported by the `placeholder` rule).

use std::ops::Range;

use super::variant::VariantError;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    /// Text written as it is.
    Text(String),
    /// What word `n` (0-based) of the `match` phrase matched.
    Word(usize),
    /// A pronoun in this form, following the matched pronoun.
    Pronoun(PronounForm),
}

/// The forms of a personal pronoun, named in templates by the plural form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PronounForm {
    /// `{they}`: she, he, they.
    Subject,
    /// `{them}`: her, him, them.
    Object,
    /// `{their}`: her, his, their.
    Possessive,
    /// `{theirs}`: hers, his, theirs.
    Independent,
    /// `{themselves}`: herself, himself, themselves.
    Reflexive,
}

impl PronounForm {
    /// The name of the hole in a template.
    pub fn name(self) -> &'static str {
        match self {
            PronounForm::Subject => "they",
            PronounForm::Object => "them",
            PronounForm::Possessive => "their",
            PronounForm::Independent => "theirs",
            PronounForm::Reflexive => "themselves",
        }
    }

    const ALL: [PronounForm; 5] = [
        PronounForm::Subject,
        PronounForm::Object,
        PronounForm::Possessive,
        PronounForm::Independent,
        PronounForm::Reflexive,
    ];
}

/// Whom a pronoun is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Person {
    /// she, her, herself.
    Female,
    /// he, him, his, himself.
    Male,
    /// they, them, their, themselves (also a singular they).
    Plural,
}

impl Person {
    /// The person of a personal pronoun (lower case), if `word` is one.
    pub fn of(word: &str) -> Option<Person> {
        match word {
            "she" | "her" | "hers" | "herself" => Some(Person::Female),
            "he" | "him" | "his" | "himself" => Some(Person::Male),
            "they" | "them" | "their" | "theirs" | "themselves" | "themself" | "theirself" => {
                Some(Person::Plural)
            }
            _ => None,
        }
    }

    /// The pronoun of this person in `form`.
    pub fn pronoun(self, form: PronounForm) -> &'static str {
        use PronounForm::*;
        match (self, form) {
            (Person::Female, Subject) => "she",
            (Person::Female, Object | Possessive) => "her",
            (Person::Female, Independent) => "hers",
            (Person::Female, Reflexive) => "herself",
            (Person::Male, Subject) => "he",
            (Person::Male, Object) => "him",
            (Person::Male, Possessive | Independent) => "his",
            (Person::Male, Reflexive) => "himself",
            (Person::Plural, form) => form.name(),
        }
    }
}

/// A parsed `with` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// As written.
    pub source: String,
    /// Its pieces, in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Parses a template whose `match` phrase has `words` words.
    ///
    /// # Errors
    ///
    /// For an unknown or unclosed `{…}`, a word number the `match` phrase
    /// does not have, an unclosed `[`, a quotation mark or a line break.
    pub fn parse(source: &str, words: usize) -> Result<Template, VariantError> {
        let err = |message: String, help: &str, range: Range<usize>| VariantError {
            message,
            help: help.to_string(),
            range,
        };
        let quote = source
            .char_indices()
            .find(|&(i, c)| c == '\n' || c == '\r' || is_quote(c) && !is_apostrophe(source, i, c));
        if let Some((pos, _)) = quote {
            let c = source[pos..].chars().next().unwrap_or(' ');
            let what = if c == '\n' || c == '\r' {
                "a line break".to_string()
            } else {
                format!("the quotation mark `{c}`")
            };
            return Err(err(
                format!("a replacement cannot contain {what}"),
                "quotation marks mark someone's own words and a line break would reflow the note; write the replacement on one line, without quotation marks",
                pos..pos + c.len_utf8(),
            ));
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut at = 0;
        let mut in_placeholder: Option<usize> = None;
        while at < source.len() {
            let rest = &source[at..];
            let c = rest.chars().next().unwrap_or(' ');
            match c {
                '[' if in_placeholder.is_none() => in_placeholder = Some(at),
                ']' if in_placeholder.is_some() => in_placeholder = None,
                '{' if in_placeholder.is_none() => {
                    let Some(close) = rest.find('}') else {
                        return Err(err(
                            "this `{` is not closed".into(),
                            "write a word of the match as `{1}`, `{2}`, …, or a pronoun as `{their}`, `{them}`, `{they}`, `{theirs}` or `{themselves}`",
                            at..source.len(),
                        ));
                    };
                    let name = &rest[1..close];
                    let range = at..at + close + 1;
                    let part = if let Ok(n) = name.parse::<usize>() {
                        if n == 0 || n > words {
                            return Err(err(
                                format!(
                                    "`{{{n}}}` names word {n} of the match, which has {words} word{}",
                                    if words == 1 { "" } else { "s" }
                                ),
                                "words are counted from 1, in the order `match` has them",
                                range,
                            ));
                        }
                        TemplatePart::Word(n - 1)
                    } else if let Some(form) = PronounForm::ALL.iter().find(|f| f.name() == name) {
                        TemplatePart::Pronoun(*form)
                    } else {
                        return Err(err(
                            format!("unknown `{{{name}}}` in a replacement"),
                            "a replacement may use `{1}`, `{2}`, … (a word of the match) and `{they}`, `{them}`, `{their}`, `{theirs}`, `{themselves}` (a pronoun that follows the matched one)",
                            range,
                        ));
                    };
                    if !text.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(part);
                    at += close + 1;
                    continue;
                }
                '}' if in_placeholder.is_none() => {
                    return Err(err(
                        "unexpected `}` in a replacement".into(),
                        "write a word of the match as `{1}` or a pronoun as `{their}`",
                        at..at + 1,
                    ));
                }
                _ => {}
            }
            text.push(c);
            at += c.len_utf8();
        }
        if let Some(open) = in_placeholder {
            return Err(err(
                "this `[` is not closed".into(),
                "a part the writer must fill in is written in square brackets: `[name the adult]`",
                open..source.len(),
            ));
        }
        if !text.is_empty() {
            parts.push(TemplatePart::Text(text));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// Whether the template uses a pronoun hole.
    pub fn uses_pronoun(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Pronoun(_)))
    }

    /// The placeholders (`[…]`, brackets included) of the template.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| match p {
            TemplatePart::Text(t) => placeholders(t).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }
}

/// Whether the quotation mark `c` at `i` in `text` is an apostrophe: a
/// single quote between two letters ("child's").
fn is_apostrophe(text: &str, i: usize, c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
        && text[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
        && text[i + c.len_utf8()..]
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
}

/// Whether `c` is a quotation mark (straight or typographic), as the scanner
/// sees one.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '`' | '\u{2018}'
            ..='\u{201F}' | '\u{AB}' | '\u{BB}' | '\u{2032}' | '\u{2033}' | '\u{FF02}' | '\u{FF07}'
    )
}

/// The `[…]` placeholders of a text, brackets included, on one line each.
pub fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let open = at + text[at..].find('[')?;
            let rest = &text[open + 1..];
            let close = rest.find([']', '[', '\n'])?;
            at = open + 1 + close;
            if rest.as_bytes()[close] == b']' && !rest[..close].trim().is_empty() {
                at += 1;
                return Some(&text[open..at]);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_holes() {
        let t = Template::parse(
            "{1} being placed at risk by [name the adult] who exploits {them}",
            3,
        )
        .unwrap();
        assert_eq!(
            t.parts,
            vec![
                TemplatePart::Word(0),
                TemplatePart::Text(
                    " being placed at risk by [name the adult] who exploits ".into()
                ),
                TemplatePart::Pronoun(PronounForm::Object),
            ]
        );
        assert!(t.uses_pronoun());
        assert_eq!(t.placeholders().collect::<Vec<_>>(), ["[name the adult]"]);
        // Braces inside a placeholder are text.
        let t = Template::parse("[name {the} adult]", 1).unwrap();
        assert_eq!(
            t.parts,
            vec![TemplatePart::Text("[name {the} adult]".into())]
        );
    }

    #[test]
    fn errors_say_what_is_allowed() {
        let e = Template::parse("is {2} placed", 1).unwrap_err();
        assert!(
            e.message
                .contains("names word 2 of the match, which has 1 word"),
            "{e:?}"
        );
        assert_eq!(e.range, 3..6);
        let e = Template::parse("by {his} carers", 1).unwrap_err();
        assert!(e.message.contains("unknown `{his}`"), "{e:?}");
        assert!(e.help.contains("{their}"));
        let e = Template::parse("by {their", 1).unwrap_err();
        assert!(e.message.contains("not closed"));
        let e = Template::parse("by [name the adult", 1).unwrap_err();
        assert!(e.message.contains("`[` is not closed"));
        let e = Template::parse("she said \u{201C}no\u{201D}", 1).unwrap_err();
        assert!(e.message.contains("quotation mark"), "{e:?}");
        assert_eq!(e.range, 9..12);
        assert!(
            Template::parse("a\nb", 1)
                .unwrap_err()
                .message
                .contains("line break")
        );
        assert!(Template::parse("[the child's name] and the child\u{2019}s carer", 1).is_ok());
        assert!(Template::parse("the 'friend'", 1).is_err());
    }

    #[test]
    fn pronouns_follow_the_person() {
        assert_eq!(Person::of("himself"), Some(Person::Male));
        assert_eq!(Person::of("her"), Some(Person::Female));
        assert_eq!(Person::of("themself"), Some(Person::Plural));
        assert_eq!(Person::of("the"), None);
        assert_eq!(Person::Male.pronoun(PronounForm::Possessive), "his");
        assert_eq!(Person::Female.pronoun(PronounForm::Independent), "hers");
        assert_eq!(Person::Plural.pronoun(PronounForm::Reflexive), "themselves");
    }

    #[test]
    fn placeholders_are_found_on_one_line() {
        let found: Vec<_> = placeholders("by [name the adult] ([age]) [x\ny] [] [a [b]").collect();
        assert_eq!(found, ["[name the adult]", "[age]", "[b]"]);
    }
}
