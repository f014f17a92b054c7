//! `/settings`: what this phone keeps for itself, whoever is unlocked: the harmless site quick exit
//! opens. It is kept in the browser's local storage, outside any worker's store, because quick
//! exit must work on the lock screen too.

use super::sign_in::form_text;
use crate::components::quick_exit::{exit_url, set_exit_url};
use crate::components::{FieldRule, field_problem_id};
use crate::i18n::{Text, tr};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use web_sys::HtmlFormElement;

#[component]
pub fn Settings() -> impl IntoView {
    let (invalid, set_invalid) = signal(false);
    let (saved, set_saved) = signal(false);
    let save = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let url = form_text(&ev.target(), "exit-url");
        let kept = set_exit_url(url.trim());
        set_invalid.set(!kept);
        set_saved.set(kept);
    };
    view! {
        <form class="sign-in" on:submit:target=save novalidate>
            <h1>{tr(Text::SettingsHeading)}</h1>
            {move || {
                saved.get().then(|| view! { <p class="notice" role="status">{tr(Text::SettingsSaved)}</p> })
            }}
            <div class="field">
                <label for="exit-url">{tr(Text::SettingsExitUrl)}</label>
                <p class="hint" id="exit-url-hint">{tr(Text::SettingsExitUrlHelp)}</p>
                <input
                    id="exit-url"
                    name="exit-url"
                    type="url"
                    inputmode="url"
                    autocomplete="off"
                    autocapitalize="none"
                    spellcheck="false"
                    value=exit_url()
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby=move || {
                        let mut ids = "exit-url-hint".to_owned();
                        if invalid.get() {
                            ids.push(' ');
                            ids.push_str(&field_problem_id("exit-url"));
                        }
                        ids
                    }
                />
                <FieldRule field="exit-url" shown=invalid text=Text::SettingsExitUrlInvalid />
            </div>
            <div class="actions">
                <button type="submit" class="button primary">{tr(Text::SettingsSave)}</button>
            </div>
        </form>
    }
}
