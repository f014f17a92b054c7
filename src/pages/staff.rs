//! `/staff`: the centre's accounts, for its administrators: who works here and in which role, a new
//! account, disabling one, setting a new password for a worker who forgot hers, after how many
//! idle minutes the centre's phones lock, and after how many days old cases leave outreach
//! workers' phones. This needs the server, so it says plainly when it cannot be reached.

use super::sign_in::{form_text, login_message};
use crate::api::{self, ApiError};
use crate::components::{FieldRule, alert, field_problem_id};
use crate::i18n::{Lang, Text, t, tr, use_lang};
use crate::load::load;
use crate::session::{LoginError, Unlocked};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use sakhi_domain::AccountId;
use sakhi_domain::account::{LockMinutes, PurgeDays, Role};
use sakhi_domain::wire::account::{
    Account, AccountPatch, CentrePatch, NewAccount, PasswordReset, code,
};
use std::rc::Rc;
use web_sys::HtmlFormElement;

#[component]
pub fn Staff() -> impl IntoView {
    let Some(unlocked) = crate::unlocked() else {
        return ().into_any();
    };
    let lang = use_lang();
    let changed = Trigger::new();
    let accounts = {
        let unlocked = Rc::clone(&unlocked);
        load(move || {
            changed.track();
            let unlocked = Rc::clone(&unlocked);
            async move {
                api::accounts(&unlocked.store)
                    .await
                    .map(|list| list.accounts)
            }
        })
    };
    // Every change made here goes through one action: the page says how the last one went.
    let change: Changes = {
        let unlocked = Rc::clone(&unlocked);
        Action::new_local(move |change: &Change| {
            let (unlocked, change) = (Rc::clone(&unlocked), change.clone());
            async move { make(&unlocked, change, changed, lang).await }
        })
    };

    let create = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let role = match form_text(&form, "role").as_str() {
            "administrator" => Role::Administrator,
            "counsellor" => Role::Counsellor,
            _ => Role::OutreachWorker,
        };
        let account = NewAccount {
            username: form_text(&form, "new-username").trim().to_lowercase(),
            display_name: form_text(&form, "new-name").trim().to_owned(),
            role,
            password: form_text(&form, "new-password"),
        };
        change.dispatch_local(Change::Create(account, form));
    };

    let settings = view! { <CentreSettings unlocked=Rc::clone(&unlocked) change /> };
    let list = move || {
        accounts.with(|found| match found {
            None => view! { <p class="notice">{tr(Text::AppOpening)}</p> }.into_any(),
            Some(Err(_)) => alert(Text::StaffOffline).into_any(),
            Some(Ok(accounts)) => {
                let rows = accounts
                    .iter()
                    .cloned()
                    .map(|account| {
                        view! { <StaffMember account change /> }
                    })
                    .collect_view();
                view! { <ul class="staff">{rows}</ul> }.into_any()
            }
        })
    };

    view! {
        <section class="staff-page">
            <h1>{tr(Text::StaffHeading)}</h1>
            {move || change.value().get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            {list}
            {settings}
            <form class="sign-in" on:submit:target=create>
                <h2>{tr(Text::StaffNew)}</h2>
                <div class="field">
                    <label for="new-name">{tr(Text::StaffName)}</label>
                    <input id="new-name" name="new-name" type="text" required autocomplete="off" />
                </div>
                <div class="field">
                    <label for="new-username">{tr(Text::LoginUsername)}</label>
                    <input
                        id="new-username"
                        name="new-username"
                        type="text"
                        required
                        autocomplete="off"
                        autocapitalize="none"
                    />
                </div>
                <div class="field">
                    <label for="role">{tr(Text::StaffRole)}</label>
                    <select id="role" name="role">
                        <option value="outreach_worker">{tr(Text::RoleOutreachWorker)}</option>
                        <option value="counsellor">{tr(Text::RoleCounsellor)}</option>
                        <option value="administrator">{tr(Text::RoleAdministrator)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="new-password">{tr(Text::StaffFirstPassword)}</label>
                    <input
                        id="new-password"
                        name="new-password"
                        type="password"
                        required
                        autocomplete="new-password"
                    />
                </div>
                <div class="actions">
                    <button type="submit" class="button primary">
                        {tr(Text::StaffCreate)}
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// The centre's settings for its phones: after how many idle minutes they lock, and after how
/// many days without a change synced cases leave outreach workers' phones (empty: never).
#[component]
fn CentreSettings(unlocked: Rc<Unlocked>, change: Changes) -> impl IntoView {
    let (minutes_now, days_now) = (unlocked.lock_minutes, unlocked.purge_days);
    let (bad_minutes, set_bad_minutes) = signal(false);
    let (bad_days, set_bad_days) = signal(false);
    let save = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let minutes = form_text(&form, "lock-minutes")
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(|minutes| LockMinutes::parse(minutes).ok());
        let typed_days = form_text(&form, "purge-days");
        // Empty means no limit; anything else must be a number of days within the rule.
        let days = match typed_days.trim() {
            "" => Some(None),
            typed => typed
                .parse::<u32>()
                .ok()
                .and_then(|days| PurgeDays::parse(days).ok())
                .map(Some),
        };
        set_bad_minutes.set(minutes.is_none());
        set_bad_days.set(days.is_none());
        let (Some(minutes), Some(days)) = (minutes, days) else {
            return;
        };
        change.dispatch_local(Change::Centre(CentrePatch {
            lock_minutes: Some(minutes.get().into()),
            purge_days: Some(days.map(|days| days.get().into())),
        }));
    };
    view! {
        <form class="sign-in" on:submit:target=save novalidate>
            <h2>{tr(Text::StaffCentre)}</h2>
            <div class="field">
                <label for="lock-minutes">{tr(Text::StaffLockMinutes)}</label>
                <input
                    id="lock-minutes"
                    name="lock-minutes"
                    type="number"
                    inputmode="numeric"
                    min=LockMinutes::MIN
                    max=LockMinutes::MAX
                    required
                    prop:value=move || minutes_now.get().to_string()
                    aria-invalid=move || bad_minutes.get().to_string()
                    aria-describedby=move || {
                        bad_minutes.get().then(|| field_problem_id("lock-minutes"))
                    }
                />
                <FieldRule
                    field="lock-minutes"
                    shown=bad_minutes
                    text=Text::StaffLockMinutesInvalid
                />
            </div>
            <div class="field">
                <label for="purge-days">{tr(Text::StaffPurgeDays)}</label>
                <p class="hint" id="purge-days-hint">{tr(Text::StaffPurgeDaysHint)}</p>
                <input
                    id="purge-days"
                    name="purge-days"
                    type="number"
                    inputmode="numeric"
                    min=PurgeDays::MIN
                    max=PurgeDays::MAX
                    prop:value=move || days_now.get().map(|days| days.to_string()).unwrap_or_default()
                    aria-invalid=move || bad_days.get().to_string()
                    aria-describedby=move || {
                        if bad_days.get() {
                            format!("purge-days-hint {}", field_problem_id("purge-days"))
                        } else {
                            "purge-days-hint".to_owned()
                        }
                    }
                />
                <FieldRule field="purge-days" shown=bad_days text=Text::StaffPurgeDaysInvalid />
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">{tr(Text::StaffSaveCentre)}</button>
            </div>
        </form>
    }
}

/// One account, with disabling (or enabling again) and a new password.
#[component]
fn StaffMember(account: Account, change: Changes) -> impl IntoView {
    let id = account.id;
    let role = role_text(account.role);
    let disabled = account.disabled;
    let toggle = move |_| {
        change.dispatch_local(Change::Disable(id, !disabled));
    };
    let reset = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let reset = PasswordReset {
            password: form_text(&form, "password"),
        };
        change.dispatch_local(Change::Password(id, reset, form));
    };
    let reset_id = format!("reset-{}", account.id);
    view! {
        <li class:disabled=disabled>
            <span class="case-name">{account.display_name.clone()}</span>
            <span>{account.username.clone()} " · " {tr(role)}</span>
            {disabled.then(|| view! { <span class="tag">{tr(Text::StaffIsDisabled)}</span> })}
            <details>
                <summary>{tr(Text::StaffManage)}</summary>
                <button type="button" class="button secondary" on:click=toggle>
                    {tr(if disabled { Text::StaffEnable } else { Text::StaffDisable })}
                </button>
                <form class="sign-in" on:submit:target=reset>
                    <div class="field">
                        <label for=reset_id.clone()>{tr(Text::StaffNewPassword)}</label>
                        <input
                            id=reset_id
                            name="password"
                            type="password"
                            required
                            autocomplete="new-password"
                        />
                    </div>
                    <button type="submit" class="button secondary">
                        {tr(Text::StaffSetPassword)}
                    </button>
                </form>
            </details>
        </li>
    }
}

/// A change an administrator asks the server for on this page.
#[derive(Clone)]
enum Change {
    /// A new account; its form empties once it is made.
    Create(NewAccount, HtmlFormElement),
    /// The centre's settings for its phones.
    Centre(CentrePatch),
    /// Disabling (`true`) or enabling again (`false`) an account.
    Disable(AccountId, bool),
    /// A new password for a worker who forgot hers; its form empties once it is set.
    Password(AccountId, PasswordReset, HtmlFormElement),
}

/// The page's changes; the value is what the last one came to, in her language.
type Changes = Action<Change, String>;

/// Asks the server for `change` and says what it came to. A change to an account lists the
/// accounts again (through `accounts_changed`); one to the centre's settings takes effect on this
/// phone at once.
async fn make(
    unlocked: &Unlocked,
    change: Change,
    accounts_changed: Trigger,
    lang: ReadSignal<Lang>,
) -> String {
    let store = &unlocked.store;
    match change {
        Change::Create(account, form) => {
            let answer = api::create_account(store, &account).await;
            let (text, done) = answer_text(lang.get_untracked(), &answer, Text::StaffCreated);
            if done {
                form.reset();
                accounts_changed.notify();
            }
            text
        }
        Change::Centre(patch) => {
            let answer = api::change_centre(store, &patch).await;
            if let Ok(centre) = &answer {
                unlocked.lock_minutes.set(centre.lock_minutes);
                unlocked.purge_days.set(centre.purge_days);
            }
            answer_text(lang.get_untracked(), &answer, Text::StaffCentreSaved).0
        }
        Change::Disable(id, disable) => {
            let patch = AccountPatch {
                disabled: Some(disable),
                ..Default::default()
            };
            let done = if disable {
                Text::StaffDisabled
            } else {
                Text::StaffEnabled
            };
            let answer = api::change_account(store, id, &patch).await;
            let (text, done) = answer_text(lang.get_untracked(), &answer, done);
            if done {
                accounts_changed.notify();
            }
            text
        }
        Change::Password(id, reset, form) => {
            let answer = api::reset_password(store, id, &reset).await;
            let (text, done) = answer_text(lang.get_untracked(), &answer, Text::StaffPasswordSet);
            if done {
                form.reset();
            }
            text
        }
    }
}

/// What an administrator's request came to, in her language, and whether it was done.
fn answer_text<T>(lang: Lang, answer: &Result<T, ApiError>, done: Text) -> (String, bool) {
    let text = match answer {
        Ok(_) => return (t(lang, done).to_owned(), true),
        Err(ApiError::Refused { code, .. }) => match code.as_str() {
            code::CANNOT_CHANGE_SELF => t(lang, Text::StaffNotSelf).to_owned(),
            _ => login_message(lang, &LoginError::Refused(code.clone())),
        },
        // Her session ended, or she tried too often: no message of the form's own.
        Err(ApiError::LoggedOut | ApiError::Wait(_)) => t(lang, Text::LoginFailed).to_owned(),
        Err(ApiError::Unreachable | ApiError::Unreadable(_) | ApiError::Store(_)) => {
            t(lang, Text::StaffOffline).to_owned()
        }
    };
    (text, false)
}

/// A role's name, as the staff know it.
fn role_text(role: Role) -> Text {
    match role {
        Role::Administrator => Text::RoleAdministrator,
        Role::Counsellor => Text::RoleCounsellor,
        Role::OutreachWorker => Text::RoleOutreachWorker,
    }
}
