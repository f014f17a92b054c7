//! `/cases/:id/history`: every change to a case and its work, for counsellors and administrators:
//! which field, the value before and after, who and when, on which device. The full history is
//! the server's ([`api::case_history`]); offline, the page says so and shows what the phone
//! holds: each field's current value, who wrote it and when.

use super::case_details::{entry_title, field_label_for as field_title};
use super::{shown_moment, shown_value, writer};
use crate::api::{self, ApiError};
use crate::browser::is_online;
use crate::casework::CaseFile;
use crate::components::alert;
use crate::directory;
use crate::i18n::{Lang, Text, fill, t, tr, use_lang};
use crate::load::load;
use crate::use_store;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sakhi_domain::wire::account::Staff;
use sakhi_domain::wire::history::{HistoryEntry, HistoryQuery};
use sakhi_domain::{Kind, Record, RecordId, Role};
use std::rc::Rc;

const PAGE: u32 = 100;

#[component]
pub fn CaseHistoryPage() -> impl IntoView {
    let Some(unlocked) = crate::unlocked() else {
        return ().into_any();
    };
    let lang = use_lang();
    let store = use_store();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
    let Some(id) = id else {
        return view! { <p class="notice">{tr(Text::CaseNotFound)}</p> }.into_any();
    };
    let back = view! {
        <a class="back" href=format!("/cases/{id}")>{tr(Text::HistoryBack)}</a>
    };
    if !matches!(unlocked.role, Role::Administrator | Role::Counsellor) {
        return view! {
            {back}
            <p class="notice">{tr(Text::HistoryNotAllowed)}</p>
        }
        .into_any();
    }
    // The case and its work as the phone holds them, to name each record in her words.
    let file = load(move || {
        let store = store.clone();
        async move {
            let case = store.record(id).await.ok()??;
            let work = store.work(id).await.ok()?;
            Some(Rc::new(CaseFile::gather(case, &work)))
        }
    });
    let staff = RwSignal::new_local(Staff::default());
    let (entries, set_entries) = signal(Vec::<HistoryEntry>::new());
    let (next, set_next) = signal(None::<i64>);
    let (failed, set_failed) = signal(false);
    let (offline, set_offline) = signal(!is_online());
    let (loading, set_loading) = signal(false);
    let read = move |after: Option<i64>| {
        let unlocked = Rc::clone(&unlocked);
        set_loading.set(true);
        leptos::task::spawn_local(async move {
            if staff.with_untracked(|staff| staff.staff.is_empty()) {
                staff.set(directory::kept(&unlocked).await);
            }
            let query = HistoryQuery {
                after,
                limit: Some(PAGE),
            };
            match api::case_history(&unlocked.store, id, &query).await {
                Ok(page) => {
                    set_entries.update(|entries| entries.extend(page.entries));
                    set_next.set(page.next);
                    set_offline.set(false);
                }
                // The server answered, and would not give it.
                Err(ApiError::Refused { .. } | ApiError::LoggedOut | ApiError::Wait(_)) => {
                    set_failed.set(true)
                }
                Err(_) => set_offline.set(true),
            }
            set_loading.set(false);
        });
    };
    read(None);
    let read = StoredValue::new_local(read);
    let more = move |_| {
        let after = next.get_untracked();
        read.with_value(|read| read(after));
    };

    let record_of = move |id: RecordId| -> Option<Record> {
        file.with(|file| {
            let file = file.as_ref()?.as_ref()?;
            file.records().find(|record| record.id == id).cloned()
        })
    };
    let changes = move || {
        entries
            .get()
            .into_iter()
            .map(|entry| {
                let record = record_of(entry.record);
                let kind = Kind::parse(&entry.kind).unwrap_or(Kind::Case);
                let (field, value, before) = (entry.field.clone(), entry.value, entry.before);
                let had_base = entry.base.is_some();
                let at = entry.stamp.hlc.millis;
                let device = entry.device;
                let by = entry.by;
                let what = move || {
                    let lang = lang.get();
                    let field_name = match &record {
                        Some(record) => field_title(lang, record, &field),
                        None => crate::i18n::field_label(lang, &field),
                    };
                    match (&record, kind) {
                        (
                            Some(record),
                            Kind::Service | Kind::Session | Kind::Note | Kind::Closure,
                        ) => {
                            format!("{} · {field_name}", entry_title(lang, record))
                        }
                        _ => field_name,
                    }
                };
                let change = {
                    let field = entry.field.clone();
                    move || {
                        let lang = lang.get();
                        let after = shown_value(lang, kind, &field, Some(&value));
                        match (&before, had_base) {
                            (Some(before), _) => {
                                format!(
                                    "{} → {after}",
                                    shown_value(lang, kind, &field, Some(before))
                                )
                            }
                            (None, true) => format!("? → {after}"),
                            (None, false) => after,
                        }
                    }
                };
                let who = {
                    let by = by.clone();
                    move || {
                        let lang = lang.get();
                        let name = by.clone().unwrap_or_else(|| {
                            staff.with(|staff| writer(lang, Some(staff), device))
                        });
                        fill(
                            fill(t(lang, Text::HistoryWho), "who", &name).as_str(),
                            "device",
                            &device.to_string()[..8],
                        )
                    }
                };
                view! {
                    <li>
                        <p class="when">{move || shown_moment(lang.get(), at)}</p>
                        <p class="what"><strong>{what}</strong></p>
                        <p class="change">{change}</p>
                        <p class="who">{who}</p>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="history-page">
            {back}
            <h1>{tr(Text::HistoryHeading)}</h1>
            {move || offline.get().then(|| view! { <p class="notice" role="status">{tr(Text::HistoryOffline)}</p> })}
            {move || failed.get().then(|| alert(Text::HistoryFailed))}
            {move || offline.get().then(|| view! { <HeldHere file staff lang /> })}
            <ol class="history">{changes}</ol>
            {move || {
                next.get()
                    .is_some()
                    .then(|| {
                        view! {
                            <button type="button" class="button secondary more" disabled=loading on:click=more>
                                {tr(Text::HistoryMore)}
                            </button>
                        }
                    })
            }}
        </section>
    }
    .into_any()
}

type FileSignal = ReadSignal<Option<Option<Rc<CaseFile>>>, LocalStorage>;

/// What the phone holds of the case, offline: each field's value as it stands, who wrote it and
/// when.
#[component]
fn HeldHere(
    file: FileSignal,
    staff: RwSignal<Staff, LocalStorage>,
    lang: ReadSignal<Lang>,
) -> impl IntoView {
    move || {
        file.with(|file| {
            let file = file.as_ref()?.as_ref()?;
            let records: Vec<Record> = file.records().cloned().collect();
            let items = records
                .into_iter()
                .flat_map(|record| {
                    let fields: Vec<(String, sakhi_domain::Version)> = record
                        .fields
                        .iter()
                        .filter_map(|(name, field)| Some((name.clone(), field.winner()?.clone())))
                        .collect();
                    fields
                        .into_iter()
                        .map(move |(field, version)| (record.clone(), field, version))
                })
                .map(|(record, field, version)| {
                    let at = version.stamp.hlc.millis;
                    let device = version.stamp.device;
                    let what = {
                        let (record, field) = (record.clone(), field.clone());
                        move || {
                            let lang = lang.get();
                            let name = field_title(lang, &record, &field);
                            match record.kind {
                                Kind::Case => name,
                                _ => format!("{} · {name}", entry_title(lang, &record)),
                            }
                        }
                    };
                    let value =
                        move || shown_value(lang.get(), record.kind, &field, Some(&version.value));
                    let who = move || staff.with(|staff| writer(lang.get(), Some(staff), device));
                    view! {
                        <li>
                            <p class="when">{move || shown_moment(lang.get(), at)}</p>
                            <p class="what"><strong>{what}</strong></p>
                            <p class="change">{value}</p>
                            <p class="who">{who}</p>
                        </li>
                    }
                })
                .collect_view();
            Some(view! { <ol class="history held">{items}</ol> })
        })
    }
}
