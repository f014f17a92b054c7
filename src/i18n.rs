//! The worker's language: the text table generated from `locales/*.json`, the chosen language, and
//! how components read a string so that switching the language changes the whole screen at once.

use leptos::prelude::*;

include!(concat!(env!("OUT_DIR"), "/text.rs"));

/// A language the app speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Hi,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Hi];

    /// The BCP 47 tag, for `<html lang>` and for remembering the choice.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Hi => "hi",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language's own name, as shown in the language switch.
    pub const fn name(self) -> Text {
        match self {
            Lang::En => Text::LanguageEn,
            Lang::Hi => Text::LanguageHi,
        }
    }

    /// The language a browser set to `tag` (e.g. `hi-IN`) most likely wants.
    pub fn from_browser(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Lang::parse(&primary.to_ascii_lowercase()).unwrap_or_default()
    }
}

/// The text for `key` in `lang`: an index into a table built at compile time.
pub const fn t(lang: Lang, key: Text) -> &'static str {
    match lang {
        Lang::En => EN[key as usize],
        Lang::Hi => HI[key as usize],
    }
}

/// Puts `value` in place of each `{name}` in `text`.
pub fn fill(text: &str, name: &str, value: &str) -> String {
    text.replace(&format!("{{{name}}}"), value)
}

/// The label of a record field (`field.<name>`), or the name itself for a field this build does not
/// know, so a refusal about it is still shown.
pub fn field_label(lang: Lang, field: &str) -> String {
    Text::field(field).map_or_else(|| field.to_owned(), |key| t(lang, key).to_owned())
}

/// The words for a code chosen in a record's field of choices (how she reached the centre, a
/// service, why a case closed…), or the code itself for one this build does not know.
pub fn choice_label(lang: Lang, field: &str, code: &str) -> String {
    Text::choice(field, code).map_or_else(|| code.to_owned(), |key| t(lang, key).to_owned())
}

/// The chosen language, shared through context: read everywhere, written by the language switch.
#[derive(Clone, Copy)]
pub struct Language {
    pub lang: ReadSignal<Lang>,
    pub set_lang: WriteSignal<Lang>,
}

impl Language {
    pub fn provide(initial: Lang) -> Language {
        let (lang, set_lang) = signal(initial);
        let language = Language { lang, set_lang };
        provide_context(language);
        language
    }
}

/// The current language; reading it inside a closure makes that closure follow language changes.
pub fn use_lang() -> ReadSignal<Lang> {
    expect_context::<Language>().lang
}

/// A reactive string for the view: `{tr(Text::CasesHeading)}`.
pub fn tr(key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || t(lang.get(), key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::schema::VIOLENCE_KINDS;
    use sakhi_domain::{FieldType, Kind};

    #[test]
    fn every_key_has_text_in_every_language() {
        for key in Text::ALL {
            for lang in Lang::ALL {
                assert!(!t(lang, *key).trim().is_empty(), "{lang:?} {key:?}");
            }
            assert_eq!(Text::from_key(key.key()), Some(*key));
        }
    }

    #[test]
    fn every_kind_of_violence_and_every_case_field_has_a_label() {
        for code in VIOLENCE_KINDS {
            let text = Text::violence(code);
            assert!(text.is_some(), "{code}");
            assert_eq!(text, Text::from_key(&format!("violence.{code}")));
        }
        for kind in [
            Kind::Case,
            Kind::Service,
            Kind::Session,
            Kind::Note,
            Kind::Camp,
            Kind::Closure,
        ] {
            for (field, field_type) in kind.fields() {
                let text = Text::field(field);
                assert!(text.is_some(), "{field}");
                assert_eq!(text, Text::from_key(&format!("field.{field}")));
                if let FieldType::Choice(codes) | FieldType::Choices(codes) = field_type {
                    for code in *codes {
                        assert!(Text::choice(field, code).is_some(), "{field}.{code}");
                    }
                }
            }
        }
        assert_eq!(Text::field("caste"), None);
        assert_eq!(field_label(Lang::En, "caste"), "caste");
    }

    #[test]
    fn hindi_is_hindi() {
        assert_eq!(t(Lang::Hi, Text::FormSave), "केस सहेजें");
        assert_eq!(t(Lang::Hi, Text::FieldVillage), "गाँव");
        assert_eq!(
            fill(t(Lang::Hi, Text::SyncWaiting), "n", "3"),
            "भेजना बाकी: 3"
        );
        assert_eq!(
            fill(t(Lang::En, Text::SyncWaiting), "n", "3"),
            "Waiting to send: 3"
        );
    }

    #[test]
    fn a_browser_language_picks_the_nearest_one_we_speak() {
        assert_eq!(Lang::from_browser("hi-IN"), Lang::Hi);
        assert_eq!(Lang::from_browser("en-GB"), Lang::En);
        assert_eq!(Lang::from_browser("ta-IN"), Lang::En);
        assert_eq!(Lang::from_browser(""), Lang::En);
    }
}
