//! Arbitrary lexicon text: loading, validating and compiling never panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use vblint::diagnostic::SourceFile;
use vblint::lexicon::LexiconBuilder;
use vblint::scan::{Scanner, Settings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut builder = LexiconBuilder::new();
    builder.add_source(SourceFile::new("fuzz.toml", text));
    if let Ok(lexicon) = builder.build() {
        if let Ok(scanner) = Scanner::new(Arc::new(lexicon), Settings::default()) {
            // Every example of a loaded lexicon can be scanned.
            let lexicon = scanner.lexicon().clone();
            for entry in &lexicon.entries {
                for e in entry.examples.iter().chain(&entry.counterexamples) {
                    let _ = scanner.scan(&e.text);
                }
            }
        }
    }
});
