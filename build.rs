//! Turns `locales/*.json` into a Rust table, so every string a person reads is checked at build time
//! and looked up at run time without parsing anything.
//!
//! The build fails when the languages do not have the same keys, when a value is not a string, or when
//! a translation drops or invents a `{placeholder}`: a missing Hindi string is a build error, not a
//! blank on a worker's screen.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

/// The fields of choices whose codes have words of their own, `<field>.<code>`.
const CHOICE_FIELDS: &[&str] = &[
    "violence",
    "source",
    "safe_to_call",
    "relation",
    "danger",
    "consent",
    "status",
    "closure",
    "service",
    "service_state",
    "report",
    "session_kind",
    "event",
    "topics",
    "case_age",
    "attachment_kind",
];

/// The languages, in the order of `Lang`'s variants. English is the reference.
const LANGUAGES: &[&str] = &["en", "hi"];

fn main() {
    println!("cargo::rerun-if-changed=locales");
    let tables: Vec<BTreeMap<String, String>> = LANGUAGES
        .iter()
        .map(|lang| {
            let path = format!("locales/{lang}.json");
            println!("cargo::rerun-if-changed={path}");
            read_table(&path)
        })
        .collect();

    let reference = &tables[0];
    let mut problems = Vec::new();
    for (lang, table) in LANGUAGES.iter().zip(&tables).skip(1) {
        for key in reference.keys().filter(|k| !table.contains_key(*k)) {
            problems.push(format!("locales/{lang}.json lacks the key {key:?}"));
        }
        for key in table.keys().filter(|k| !reference.contains_key(*k)) {
            problems.push(format!(
                "locales/{lang}.json has the key {key:?}, which locales/en.json does not"
            ));
        }
        for (key, english) in reference {
            if let Some(translated) = table.get(key)
                && placeholders(english) != placeholders(translated)
            {
                problems.push(format!(
                    "locales/{lang}.json: {key:?} must use the placeholders {:?}",
                    placeholders(english)
                ));
            }
        }
    }
    for (key, _) in reference.iter().filter(|(k, _)| !is_key(k)) {
        problems.push(format!(
            "the key {key:?} must be lower-case words joined by '_' and '.'"
        ));
    }
    if !problems.is_empty() {
        panic!("the translations disagree:\n  {}", problems.join("\n  "));
    }

    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("text.rs");
    fs::write(&out, generate(&tables)).expect("could not write the text table to OUT_DIR");
}

fn read_table(path: &str) -> BTreeMap<String, String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("could not read {path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"));
    let object = json
        .as_object()
        .unwrap_or_else(|| panic!("{path} must be one flat object of key: string"));
    object
        .iter()
        .map(|(key, value)| {
            let value = value
                .as_str()
                .unwrap_or_else(|| panic!("{path}: the value of {key:?} must be a string"));
            if value.trim().is_empty() {
                panic!("{path}: the value of {key:?} is empty");
            }
            (key.clone(), value.to_owned())
        })
        .collect()
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && key.split(['.', '_']).all(|word| !word.is_empty())
}

/// The `{name}` placeholders of a string, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found
}

/// `cases.new` becomes `CasesNew`.
fn variant(key: &str) -> String {
    key.split(['.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn generate(tables: &[BTreeMap<String, String>]) -> String {
    let keys: Vec<&String> = tables[0].keys().collect();
    let mut code = String::new();
    code.push_str("/// Every string a person reads, by key; generated from `locales/*.json`.\n");
    code.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Text {\n");
    for key in &keys {
        writeln!(code, "    /// `{key}`\n    {},", variant(key)).unwrap();
    }
    code.push_str("}\n\n");

    code.push_str("impl Text {\n");
    code.push_str("    /// Every key, in the order of the tables.\n");
    code.push_str("    pub const ALL: &'static [Text] = &[");
    for key in &keys {
        write!(code, "Text::{}, ", variant(key)).unwrap();
    }
    code.push_str("];\n\n");
    code.push_str("    /// The key as written in the translation files.\n");
    code.push_str(
        "    pub const fn key(self) -> &'static str {\n        KEYS[self as usize]\n    }\n\n",
    );
    code.push_str(
        "    /// The text for a key made at run time (a field or a code); `None` if there is none.\n",
    );
    code.push_str("    pub fn from_key(key: &str) -> Option<Text> {\n");
    code.push_str(
        "        KEYS.iter().position(|k| *k == key).map(|at| Text::ALL[at])\n    }\n}\n\n",
    );

    // The labels the app looks up by a name it holds at run time, a record's fields, the kinds of
    // violence and the audit log's words, matched on the name itself so that no table of every key enters the app shell.
    code.push_str("impl Text {\n");
    for (function, prefix, what) in [
        (
            "field",
            "field.",
            "The label of a record field (`field.<name>`)",
        ),
        (
            "violence",
            "violence.",
            "The label of a kind of violence (`violence.<code>`)",
        ),
        (
            "audit",
            "audit.",
            "The words for an audit log action or outcome (`audit.<code>`)",
        ),
    ] {
        writeln!(code, "    /// {what}, if the translation files have one.").unwrap();
        writeln!(code, "    pub fn {function}(name: &str) -> Option<Text> {{").unwrap();
        code.push_str("        match name {\n");
        for key in keys.iter().filter(|key| key.starts_with(prefix)) {
            writeln!(
                code,
                "            {:?} => Some(Text::{}),",
                &key[prefix.len()..],
                variant(key)
            )
            .unwrap();
        }
        code.push_str("            _ => None,\n        }\n    }\n\n");
    }
    code.push_str(
        "    /// The words for a code chosen in a record's field of choices (`<field>.<code>`), if the\n",
    );
    code.push_str("    /// translation files have them.\n");
    code.push_str("    pub fn choice(field: &str, code: &str) -> Option<Text> {\n");
    code.push_str("        match (field, code) {\n");
    for key in &keys {
        if let Some((field, choice)) = key.split_once('.')
            && CHOICE_FIELDS.contains(&field)
        {
            writeln!(
                code,
                "            ({field:?}, {choice:?}) => Some(Text::{}),",
                variant(key)
            )
            .unwrap();
        }
    }
    code.push_str("            _ => None,\n        }\n    }\n");
    code.push_str("}\n\n");

    write!(code, "const KEYS: [&str; {}] = [", keys.len()).unwrap();
    for key in &keys {
        write!(code, "{key:?}, ").unwrap();
    }
    code.push_str("];\n\n");

    for (lang, table) in LANGUAGES.iter().zip(tables) {
        write!(
            code,
            "const {}: [&str; {}] = [",
            lang.to_ascii_uppercase(),
            keys.len()
        )
        .unwrap();
        for key in &keys {
            write!(code, "{:?}, ", table[*key]).unwrap();
        }
        code.push_str("];\n\n");
    }
    code
}
