//! The frame of every screen on a phone held in one hand: a thin bar fixed at the top with what
//! must always be in reach (quick exit, and whether her work has gone), and once she is unlocked a
//! bar at the bottom, under her thumb, with the places she goes most and a menu for the rest.

use super::{LanguageSwitch, LanguageToggle, QuickExit, SyncBadge};
use crate::i18n::{Text, tr};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn AppHeader() -> impl IntoView {
    let unlocked = crate::unlocked().is_some();
    view! {
        <header class="app-header">
            <div class="app-bar">
                {if unlocked {
                    // The menu names her and the app; the bar keeps its room for the sync state.
                    view! {
                        <SyncBadge />
                        <LanguageToggle />
                    }
                        .into_any()
                } else {
                    view! {
                        <a class="app-name" href="/">
                            {tr(Text::AppName)}
                        </a>
                        <LanguageSwitch />
                    }
                        .into_any()
                }}
                <QuickExit />
            </div>
        </header>
    }
    // Erased: the header is shown both while the store opens and once it is open, and one erased
    // copy of its code is smaller than one inside each of those views.
    .into_any()
}

/// The bottom bar: her cases, a new case, camps, and the menu with everything else.
#[component]
pub fn BottomNav() -> impl IntoView {
    let location = use_location();
    // The place she is in, for `aria-current`: a case's pages belong to the cases.
    let current = move |href: &'static str| {
        let path = location.pathname.get();
        let here = match href {
            "/" => path == "/" || (path.starts_with("/cases/") && path != "/cases/new"),
            "/menu" => !["/", "/cases/new", "/camps"].iter().any(|place| {
                path == *place || path.starts_with("/cases/") || path.starts_with("/camps/")
            }),
            _ => path == href || (href == "/camps" && path.starts_with("/camps/")),
        };
        here.then_some("page")
    };
    let link = move |href: &'static str, label: Text, icon: &'static str| {
        view! {
            <a href=href aria-current=move || current(href)>
                <span class="nav-icon" aria-hidden="true">
                    {icon}
                </span>
                <span>{tr(label)}</span>
            </a>
        }
    };
    view! {
        <nav class="bottom-nav" aria-label=move || crate::i18n::t(crate::i18n::use_lang().get(), Text::NavLabel)>
            {link("/", Text::CasesHeading, "☰")}
            {link("/cases/new", Text::CasesNew, "+")}
            {link("/camps", Text::CampsLink, "⛺")}
            {link("/menu", Text::NavMenu, "⋯")}
        </nav>
    }
}
