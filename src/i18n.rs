//! The worker's language: the text table generated from `locales/*.json`, the chosen language, and
//! how components read a string so that switching the language changes the whole screen at once.

use chrono::{Datelike, Timelike};
use leptos::prelude::*;
use sakhi_domain::figures::{Month, india_time};

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

/// The months of the year in words, January first.
const MONTHS: [Text; 12] = [
    Text::MonthJanuary,
    Text::MonthFebruary,
    Text::MonthMarch,
    Text::MonthApril,
    Text::MonthMay,
    Text::MonthJune,
    Text::MonthJuly,
    Text::MonthAugust,
    Text::MonthSeptember,
    Text::MonthOctober,
    Text::MonthNovember,
    Text::MonthDecember,
];

/// The months shortened, for a chart's narrow columns.
const MONTHS_SHORT: [Text; 12] = [
    Text::MonthShortJanuary,
    Text::MonthShortFebruary,
    Text::MonthShortMarch,
    Text::MonthShortApril,
    Text::MonthShortMay,
    Text::MonthShortJune,
    Text::MonthShortJuly,
    Text::MonthShortAugust,
    Text::MonthShortSeptember,
    Text::MonthShortOctober,
    Text::MonthShortNovember,
    Text::MonthShortDecember,
];

/// The name of month `month` (1 for January) in `lang`, shortened if `short`.
fn month_name(lang: Lang, month: u32, short: bool) -> &'static str {
    let months = if short { &MONTHS_SHORT } else { &MONTHS };
    let at = month.clamp(1, 12) as usize - 1;
    t(lang, months[at])
}

/// A month in words, as a report's title says it: "November 2026", "नवंबर 2026".
pub fn shown_month(lang: Lang, month: Month) -> String {
    format!(
        "{} {}",
        month_name(lang, month.number(), false),
        month.year()
    )
}

/// A month's short name alone, under a chart's column: "Nov", "नव॰".
pub fn shown_month_short(lang: Lang, month: Month) -> String {
    month_name(lang, month.number(), true).to_owned()
}

/// A moment (milliseconds since 1970, UTC) as the day and time in India, whatever the phone's own
/// time zone: "7 December 2026, 14:05", "7 दिसंबर 2026, 14:05". A 24-hour clock, so that no
/// English "am" or "pm" reaches a Hindi screen.
pub fn shown_moment(lang: Lang, millis: u64) -> String {
    let india = india_time(millis);
    format!(
        "{} {} {}, {}",
        india.day(),
        month_name(lang, india.month(), false),
        india.year(),
        shown_time(millis)
    )
}

/// The time of day in India at a moment, `HH:MM` on a 24-hour clock.
pub fn shown_time(millis: u64) -> String {
    let india = india_time(millis);
    format!("{:02}:{:02}", india.hour(), india.minute())
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
            fill(t(Lang::Hi, Text::SyncWaiting), "what", "3 केस"),
            "भेजना बाकी: 3 केस"
        );
        assert_eq!(
            fill(t(Lang::En, Text::SyncWaiting), "what", "3 cases"),
            "Waiting to send: 3 cases"
        );
    }

    #[test]
    fn months_and_moments_are_in_words_and_in_india_time() {
        let november = Month::parse("2026-11").unwrap();
        assert_eq!(shown_month(Lang::En, november), "November 2026");
        assert_eq!(shown_month(Lang::Hi, november), "नवंबर 2026");
        assert_eq!(shown_month_short(Lang::Hi, november), "नव॰");
        // 2026-12-07 08:35 UTC is 14:05 in India; 20:00 UTC is already the next day there.
        let morning = 1_796_632_500_000;
        assert_eq!(shown_moment(Lang::En, morning), "7 December 2026, 14:05");
        assert_eq!(shown_moment(Lang::Hi, morning), "7 दिसंबर 2026, 14:05");
        let evening = morning + (11 * 60 + 25) * 60_000;
        assert_eq!(shown_moment(Lang::Hi, evening), "8 दिसंबर 2026, 01:30");
        assert_eq!(shown_time(evening), "01:30");
    }

    #[test]
    fn a_browser_language_picks_the_nearest_one_we_speak() {
        assert_eq!(Lang::from_browser("hi-IN"), Lang::Hi);
        assert_eq!(Lang::from_browser("en-GB"), Lang::En);
        assert_eq!(Lang::from_browser("ta-IN"), Lang::En);
        assert_eq!(Lang::from_browser(""), Lang::En);
    }
}
