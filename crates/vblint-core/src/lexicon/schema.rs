//! The JSON Schema of lexicon files, `lexicon/schema.json`.
//!
//! Lexicon files start with `#:schema ./schema.json`, so editors that use
//! taplo (Even Better TOML in VS Code, taplo's language server elsewhere)
//! check keys, allowed values and dates as people type. The schema is kept
//! by hand; the tests below keep it in step with the loader.

/// The schema text.
pub const SCHEMA: &str = include_str!("../../../../lexicon/schema.json");

#[cfg(test)]
mod tests {
    use super::SCHEMA;
    use crate::lexicon::{
        Category, ENTRY_KEYS, FILE_KEYS, FIX_PAIR_KEYS, GUARD_KEYS, REPLACE_KEYS, canonical,
    };
    use serde_json::Value;

    fn schema() -> Value {
        serde_json::from_str(SCHEMA).expect("lexicon/schema.json is valid JSON")
    }

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut k: Vec<String> = list.iter().map(ToString::to_string).collect();
        k.sort();
        k
    }

    #[test]
    fn schema_is_json_schema_and_closed() {
        let s = schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        for table in [
            &s,
            &s["$defs"]["entry"],
            &s["$defs"]["sharedGuard"],
            &s["$defs"]["entryGuard"],
            &s["$defs"]["replace"],
            &s["$defs"]["fixPair"],
        ] {
            assert_eq!(table["additionalProperties"], false);
        }
    }

    #[test]
    fn schema_has_exactly_the_keys_the_loader_accepts() {
        let s = schema();
        assert_eq!(keys(&s), sorted(FILE_KEYS));
        assert_eq!(keys(&s["$defs"]["entry"]), sorted(ENTRY_KEYS));
        assert_eq!(keys(&s["$defs"]["sharedGuard"]), sorted(GUARD_KEYS));
        let inline: Vec<&str> = GUARD_KEYS.iter().copied().filter(|k| *k != "id").collect();
        assert_eq!(keys(&s["$defs"]["entryGuard"]), sorted(&inline));
        assert_eq!(keys(&s["$defs"]["replace"]), sorted(REPLACE_KEYS));
        assert_eq!(keys(&s["$defs"]["fixPair"]), sorted(FIX_PAIR_KEYS));
        assert_eq!(sorted(canonical::REPLACE_ORDER), sorted(REPLACE_KEYS));
        // The formatter knows every key too.
        assert_eq!(sorted(canonical::ENTRY_ORDER), sorted(ENTRY_KEYS));
        assert_eq!(sorted(canonical::GUARD_ORDER), sorted(GUARD_KEYS));
    }

    #[test]
    fn schema_enums_match_the_loader() {
        let s = schema();
        let e = &s["$defs"]["entry"]["properties"];
        let cats: Vec<&str> = e["category"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(cats, Category::ALL.map(Category::as_str));
        assert_eq!(
            e["severity"]["enum"],
            serde_json::json!(["error", "warning", "info", "hint"])
        );
        assert_eq!(e["fix"]["enum"], serde_json::json!(["safe", "review"]));
        let g = &s["$defs"]["entryGuard"]["properties"];
        assert_eq!(
            g["action"]["enum"],
            serde_json::json!(["suppress", "require"])
        );
        assert_eq!(
            g["scope"]["enum"],
            serde_json::json!(["words", "sentence", "paragraph", "header", "document"])
        );
        let required: Vec<&str> = s["$defs"]["entry"]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            required,
            [
                "id",
                "category",
                "terms",
                "alternatives",
                "why",
                "sources",
                "examples"
            ]
        );
    }
}
