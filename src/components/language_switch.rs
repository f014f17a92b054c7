//! The language switch: every string on screen follows it at once.

use crate::i18n::{Lang, Language, Text, t, tr};
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let Language { lang, set_lang } = expect_context::<Language>();
    view! {
        <div class="language">
            <label for="language">{tr(Text::LanguageLabel)}</label>
            // The option marked `selected` is the chosen one; the select itself is the only thing
            // that changes the language, so its value needs no binding of its own.
            <select
                id="language"
                on:change:target=move |ev| {
                    if let Some(chosen) = Lang::parse(&ev.target().value()) {
                        set_lang.set(chosen);
                    }
                }
            >
                {Lang::ALL
                    .map(|option| {
                        // Each language is named in itself, so a reader finds her own.
                        view! {
                            <option
                                value=option.code()
                                lang=option.code()
                                selected=move || lang.get() == option
                            >
                                {t(option, option.name())}
                            </option>
                        }
                    })}
            </select>
        </div>
    }
}
