//! `/setup`: the first start of a new server. The person who started it opens the link it printed
//! (`/setup#code=…`: the code rides in the fragment, which never reaches a server's logs), names
//! the centre, and becomes its first administrator, logged in on this device.

use super::sign_in::{form_text, login_message};
use crate::i18n::{Text, t, tr, use_lang};
use crate::session::use_session;
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sakhi_domain::wire::account::{NewAdministrator, NewCentre, SetupRequest};
use web_sys::HtmlFormElement;

#[component]
pub fn Setup() -> impl IntoView {
    let session = use_session();
    let lang = use_lang();
    let navigate = use_navigate();
    let code = window()
        .location()
        .hash()
        .ok()
        .and_then(|hash| hash.strip_prefix("#code=").map(str::to_owned))
        .unwrap_or_default();
    // Set up, she is logged in as the centre's first administrator and taken to its cases.
    let set_up = Action::new_local(move |request: &SetupRequest| {
        let (request, navigate) = (request.clone(), navigate.clone());
        async move {
            match session.set_up(request).await {
                Ok(()) => {
                    navigate("/", Default::default());
                    Ok(())
                }
                Err(error) => Err(login_message(lang.get_untracked(), &error)),
            }
        }
    });
    // The two passwords she typed differ: nothing was sent.
    let (mismatch, set_mismatch) = signal(false);
    let failed = move || match mismatch.get() {
        true => Some(t(lang.get_untracked(), Text::SetupMismatch).to_owned()),
        false => set_up.value().get().and_then(Result::err),
    };

    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let text = |name| form_text(&form, name).trim().to_owned();
        let password = form_text(&form, "password");
        let differ = password != form_text(&form, "password-again");
        set_mismatch.set(differ);
        if differ {
            return;
        }
        let request = SetupRequest {
            code: text("code"),
            centre: NewCentre {
                code: text("centre-code").to_uppercase(),
                name: text("centre-name"),
                district: text("district"),
                state: text("state"),
            },
            admin: NewAdministrator {
                username: text("username").to_lowercase(),
                display_name: text("display-name"),
                password,
            },
        };
        set_up.clear();
        set_up.dispatch_local(request);
    };

    view! {
        <form class="sign-in setup" on:submit:target=on_submit>
            <h1>{tr(Text::SetupHeading)}</h1>
            <p>{tr(Text::SetupIntro)}</p>
            {move || failed().map(|text| view! { <p class="notice problem" role="alert">{text}</p> })}
            <Input name="code" label=Text::SetupCode kind="text" value=code />
            <fieldset class="group">
                <legend>{tr(Text::SetupCentre)}</legend>
                <Input name="centre-code" label=Text::SetupCentreCode kind="text" />
                <Input name="centre-name" label=Text::SetupCentreName kind="text" />
                <Input name="district" label=Text::SetupDistrict kind="text" />
                <Input name="state" label=Text::SetupState kind="text" />
            </fieldset>
            <fieldset class="group">
                <legend>{tr(Text::SetupAdmin)}</legend>
                <Input name="display-name" label=Text::SetupDisplayName kind="text" />
                <Input name="username" label=Text::LoginUsername kind="text" />
                <Input name="password" label=Text::LoginPassword kind="password" />
                <Input name="password-again" label=Text::SetupPasswordAgain kind="password" />
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=set_up.pending()>
                    {tr(Text::SetupSubmit)}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// A required one-line input with its label.
#[component]
fn Input(
    name: &'static str,
    label: Text,
    kind: &'static str,
    #[prop(optional)] value: String,
) -> impl IntoView {
    let autocomplete = if kind == "password" {
        "new-password"
    } else {
        "off"
    };
    view! {
        <div class="field">
            <label for=name>{tr(label)}</label>
            <input id=name name=name type=kind required autocomplete=autocomplete value=value />
        </div>
    }
}
