//! A fixed lexicon for the scanning and fixing targets: terms with
//! hyphens, optional words, sets, apostrophes and except phrases, and two
//! entries with a `subject` (who the sentence is about, read from the ages,
//! roles and names around the match).

use std::sync::{Arc, OnceLock};

use vblint::diagnostic::SourceFile;
use vblint::lexicon::LexiconBuilder;
use vblint::scan::{Scanner, Settings};

pub const LEXICON: &str = r#"
[sets]
self = ["herself", "himself", "her self"]

[[entry]]
id = "put-self-at-risk"
category = "responsibility"
terms = ["put|puts|putting {self} [repeatedly] at [serious] risk"]
alternatives = ["is placed at risk"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["She is putting herself at risk."]

[[entry]]
id = "risk-taking"
category = "responsibility"
terms = ["risk-taking [behaviour]", "risky behaviour"]
alternatives = ["exposure to harm"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["risk-taking behaviour"]

[[entry]]
id = "consent"
category = "consent-choice"
terms = ["consented", "consent"]
except = ["consent form", "age of consent"]
alternatives = ["cannot legally consent"]
why = "x"
sources = ["x"]
examples = ["She consented."]

[[entry]]
id = "child-prostitute"
category = "transactional"
terms = ["child prostitute", "mum's boyfriend's girl"]
alternatives = ["child victim of sexual exploitation"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["a child prostitute"]

[[entry]]
id = "boyfriend"
category = "abuser-as-partner"
terms = ["boyfriend", "older boyfriend"]
alternatives = ["the [adult]"]
fix = "safe"
why = "x"
sources = ["x"]
examples = ["Her boyfriend collected her."]

[[entry]]
id = "sexually-active"
category = "consent-choice"
terms = ["sexually active"]
subject = "child"
alternatives = ["being sexually exploited"]
why = "x"
sources = ["x"]
examples = ["Leah (14) is sexually active."]

[[entry]]
id = "consensual"
category = "consent-choice"
terms = ["consensual", "[a] willing participant"]
subject = "not-adult"
alternatives = ["a child cannot consent to her own abuse"]
why = "x"
sources = ["x"]
examples = ["Kayla (14) said it was consensual."]
"#;

pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let mut b = LexiconBuilder::new();
        b.add_source(SourceFile::new("fuzz.toml", LEXICON));
        Scanner::new(
            Arc::new(b.build().expect("fuzz lexicon loads")),
            Settings::default(),
        )
        .expect("fuzz lexicon compiles")
    })
}
