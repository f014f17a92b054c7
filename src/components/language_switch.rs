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

/// The header's one-tap switch to the other language, for a worker reading a screen to a woman who
/// prefers the other one: named in the language it turns to, so each reader finds her own.
#[component]
pub fn LanguageToggle() -> impl IntoView {
    let Language { lang, set_lang } = expect_context::<Language>();
    let other = move || match lang.get() {
        Lang::En => Lang::Hi,
        Lang::Hi => Lang::En,
    };
    view! {
        <button
            type="button"
            class="language-toggle"
            lang=move || other().code()
            on:click=move |_| set_lang.set(other())
        >
            {move || t(other(), other().name())}
        </button>
    }
}
