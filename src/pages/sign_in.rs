//! What a locked phone shows: the first-run page that explains quick exit, then unlocking as a
//! worker already on this phone (offline), or logging in through the server.

use crate::components::alert;
use crate::i18n::{Text, fill, t, tr, use_lang};
use crate::load::load;
use crate::session::{Earlier, LoginError, use_session};
use crate::store::{StoreError, Worker};
use gloo_storage::Storage as _;
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use sakhi_domain::account::AccountRule;
use sakhi_domain::wire::account::code;
use web_sys::{FormData, HtmlFormElement};

/// Where the phone remembers that the first-run page was read.
const WELCOMED_KEY: &str = "sakhi.welcomed";

/// The screen of a locked phone.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let (welcomed, set_welcomed) =
        signal(gloo_storage::LocalStorage::get::<bool>(WELCOMED_KEY).unwrap_or(false));
    // `None` while the keyring is read; then the workers who can unlock here.
    let workers = load(move || async move { session.workers().await });
    // She may choose to log in as someone not yet on this phone.
    let (logging_in, set_logging_in) = signal(false);
    // The moment the benchmarks call the first screen usable: the page, the form or the lock is up.
    Effect::new(move |marked: Option<bool>| {
        let shown = workers.with(|workers| workers.is_some()) || !welcomed.get();
        if shown && marked != Some(true) {
            crate::browser::mark("sakhi-sign-in-ready");
        }
        shown
    });

    (move || {
        if !welcomed.get() {
            let read = move || {
                let _ = gloo_storage::LocalStorage::set(WELCOMED_KEY, true);
                set_welcomed.set(true);
            };
            return view! { <Welcome read /> }.into_any();
        }
        workers.with(|workers| match workers {
            None => view! { <p class="notice">{tr(Text::AppOpening)}</p> }.into_any(),
            Some(Err(_)) => alert(Text::AppStoreFailed).into_any(),
            Some(Ok(workers)) if workers.is_empty() || logging_in.get() => {
                let known = !workers.is_empty();
                let back = known.then_some(set_logging_in);
                view! { <LogIn back /> }.into_any()
            }
            Some(Ok(workers)) => {
                view! { <Unlock workers=workers.clone() set_logging_in /> }.into_any()
            }
        })
    })
    .into_any()
}

/// The first-run page: what quick exit does and does not do, and that Sakhi locks itself.
#[component]
fn Welcome(read: impl Fn() + 'static) -> impl IntoView {
    view! {
        <section class="welcome">
            <h1>{tr(Text::WelcomeHeading)}</h1>
            <p>{tr(Text::WelcomeQuickExit)}</p>
            <p>{tr(Text::WelcomeHistory)}</p>
            <p>{tr(Text::WelcomeLock)}</p>
            <button type="button" class="button primary" on:click=move |_| read()>
                {tr(Text::WelcomeContinue)}
            </button>
        </section>
    }
}

/// `/login-again`: the server ended her session (it expired, or an administrator reset her
/// password); she logs in again to go on sending, with the phone still unlocked.
#[component]
pub fn LogInAgain() -> impl IntoView {
    let username = crate::unlocked().map(|unlocked| unlocked.worker.username.clone());
    view! { <LogIn username again=true /> }.into_any()
}

/// What she sends to log in: her username, her password, and what to do with her cases here if
/// her password changed.
type Credentials = (String, String, Earlier);

/// Logging in through the server, needed the first time on this phone. `back` returns to
/// unlocking, when workers are on this phone already.
#[component]
fn LogIn(
    #[prop(default = None)] back: Option<WriteSignal<bool>>,
    #[prop(default = None)] username: Option<String>,
    #[prop(optional)] again: bool,
) -> impl IntoView {
    let session = use_session();
    let lang = use_lang();
    let navigate = leptos_router::hooks::use_navigate();
    // Whether the old-password fields are up.
    let (changed, set_changed) = signal(false);
    // Logged in, the page goes: the lock screen gives way to her cases, or after logging in again
    // she is taken back to them.
    let log_in = Action::new_local(move |(username, password, earlier): &Credentials| {
        let (username, password, earlier) = (username.clone(), password.clone(), earlier.clone());
        let navigate = navigate.clone();
        async move {
            let done = session.log_in(&username, &password, earlier).await;
            match &done {
                Ok(()) if again => navigate("/", Default::default()),
                // Once the server has said her password changed, the form also asks for the old
                // one.
                Err(LoginError::PasswordChanged | LoginError::OldPasswordWrong) => {
                    set_changed.set(true)
                }
                _ => {}
            }
            done
        }
    });
    // The button waits from the moment she sends until the page has gone.
    let working =
        move || log_in.pending().get() || log_in.value().with(|done| matches!(done, Some(Ok(()))));
    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let username = form_text(&form, "username").trim().to_owned();
        let password = form_text(&form, "password");
        let old_password = form_text(&form, "old_password");
        let earlier = if form_text(&form, "start_afresh") == "yes" {
            Earlier::Discard
        } else if old_password.is_empty() {
            Earlier::Ask
        } else {
            Earlier::Password(old_password)
        };
        log_in.clear();
        log_in.dispatch_local((username, password, earlier));
    };
    let message = move || {
        log_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| login_message(lang.get(), &error))
            .map(|text| view! { <p class="notice problem" role="alert">{text}</p> })
    };
    view! {
        <form class="sign-in" on:submit:target=on_submit>
            <h1>{tr(Text::LoginHeading)}</h1>
            <p>{tr(Text::LoginIntro)}</p>
            {message}
            <div class="field">
                <label for="username">{tr(Text::LoginUsername)}</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    value=username.clone()
                    readonly=username.is_some()
                    required
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                />
            </div>
            <PasswordField />
            {move || changed.get().then(|| view! { <OldPasswordFields /> })}
            <div class="actions">
                <button type="submit" class="button primary" disabled=working>
                    {move || {
                        let text = if working() { Text::LoginWorking } else { Text::LoginSubmit };
                        t(lang.get(), text)
                    }}
                </button>
                {back
                    .map(|set_logging_in| {
                        view! {
                            <button
                                type="button"
                                class="button secondary"
                                on:click=move |_| set_logging_in.set(false)
                            >
                                {tr(Text::LoginUnlockInstead)}
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

/// Unlocking offline as a worker already on this phone.
#[component]
fn Unlock(workers: Vec<Worker>, set_logging_in: WriteSignal<bool>) -> impl IntoView {
    let session = use_session();
    // Whether her password opened her store; opened, the page goes.
    let unlock = Action::new_local(move |(worker, password): &(Worker, String)| {
        let (worker, password) = (worker.clone(), password.clone());
        async move { session.unlock(worker, &password).await.is_ok() }
    });
    let wrong = move || unlock.value().get() == Some(false);
    // The button waits from the moment she sends until the page has gone.
    let working = move || unlock.pending().get() || unlock.value().get() == Some(true);
    let only = (workers.len() == 1).then(|| workers[0].clone());
    let choices = StoredValue::new(workers);
    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let form = ev.target();
        let account = form_text(&form, "worker");
        let password = form_text(&form, "password");
        let Some(worker) =
            choices.with_value(|all| all.iter().find(|w| w.account == account).cloned())
        else {
            return;
        };
        crate::browser::mark("sakhi-unlocking");
        unlock.clear();
        unlock.dispatch_local((worker, password));
    };
    let who = match only {
        Some(worker) => view! {
            <p class="who">{worker.display_name.clone()}</p>
            <input type="hidden" name="worker" value=worker.account.clone() />
        }
        .into_any(),
        None => view! {
            <fieldset class="field choices">
                <legend>{tr(Text::UnlockWho)}</legend>
                {choices
                    .get_value()
                    .into_iter()
                    .enumerate()
                    .map(|(n, worker)| {
                        let id = format!("worker-{n}");
                        view! {
                            <div class="choice">
                                <input
                                    type="radio"
                                    id=id.clone()
                                    name="worker"
                                    value=worker.account.clone()
                                    checked=n == 0
                                />
                                <label for=id>{worker.display_name.clone()}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
        .into_any(),
    };
    view! {
        <form class="sign-in" on:submit:target=on_submit>
            <h1>{tr(Text::UnlockHeading)}</h1>
            {who}
            {move || wrong().then(|| alert(Text::UnlockWrong))}
            <PasswordField />
            <div class="actions">
                <button type="submit" class="button primary" disabled=working>
                    {tr(Text::UnlockSubmit)}
                </button>
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| set_logging_in.set(true)
                >
                    {tr(Text::UnlockAnother)}
                </button>
            </div>
        </form>
    }
}

/// After her password changed on the server: the old one, which unlocks her cases on this phone,
/// or her choice to let this phone's copy go.
#[component]
fn OldPasswordFields() -> impl IntoView {
    view! {
        <div class="field">
            <label for="old-password">{tr(Text::LoginOldPassword)}</label>
            <input id="old-password" name="old_password" type="password" autocomplete="off" />
        </div>
        <div class="field choice">
            <input id="start-afresh" name="start_afresh" type="checkbox" value="yes" />
            <label for="start-afresh">{tr(Text::LoginStartAfresh)}</label>
        </div>
    }
}

/// Her password, as the login and the lock screen ask for it.
#[component]
fn PasswordField() -> impl IntoView {
    view! {
        <div class="field">
            <label for="password">{tr(Text::LoginPassword)}</label>
            <input id="password" name="password" type="password" required autocomplete="current-password" />
        </div>
    }
}

/// What a failed login or setup means, in her language.
pub fn login_message(lang: crate::i18n::Lang, error: &LoginError) -> String {
    let text = match error {
        LoginError::BadLogin => Text::LoginBad,
        LoginError::Wait(seconds) => {
            return fill(t(lang, Text::LoginWait), "n", &seconds.to_string());
        }
        LoginError::Unreachable => Text::LoginOffline,
        LoginError::SetupNeeded => Text::LoginSetupNeeded,
        LoginError::BadSetupCode => Text::SetupBadCode,
        LoginError::AlreadySetUp => Text::SetupDoneAlready,
        LoginError::PasswordChanged => Text::LoginPasswordChanged,
        LoginError::OldPasswordWrong => Text::LoginOldPasswordWrong,
        LoginError::Refused(code) => match code.as_str() {
            code::USERNAME_TAKEN => Text::UsernameTaken,
            code::CENTRE_CODE_TAKEN => Text::SetupCentreCodeTaken,
            code => match AccountRule::from_code(code) {
                Some(AccountRule::PasswordTooShort) => Text::PasswordTooShort,
                Some(AccountRule::PasswordTooLong) => Text::PasswordTooLong,
                Some(AccountRule::PasswordTooCommon) => Text::PasswordCommon,
                Some(AccountRule::PasswordIsUsername) => Text::PasswordIsUsername,
                Some(AccountRule::BadUsername) => Text::UsernameInvalid,
                Some(AccountRule::BadDisplayName) => Text::DisplayNameInvalid,
                Some(AccountRule::HiddenCharacters) => Text::TextHiddenCharacters,
                Some(AccountRule::BadCentreCode | AccountRule::BadCentreDetail(_)) => {
                    Text::SetupCentreInvalid
                }
                Some(AccountRule::BadLockMinutes) => Text::StaffLockMinutesInvalid,
                Some(AccountRule::BadPurgeDays) => Text::StaffPurgeDaysInvalid,
                None => Text::LoginFailed,
            },
        },
        LoginError::Store(StoreError::Full) => Text::StoreFull,
        LoginError::Store(_) => Text::AppStoreFailed,
    };
    t(lang, text).to_owned()
}

/// A text control's value in `form`.
pub fn form_text(form: &HtmlFormElement, name: &str) -> String {
    FormData::new_with_form(form)
        .ok()
        .and_then(|data| data.get(name).as_string())
        .unwrap_or_default()
}
