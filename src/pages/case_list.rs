//! `/`: the cases on this phone, newest first and searchable, and any changes the server refused.

use super::{choices_summary, register_here};
use crate::browser::today;
use crate::camps::{attendance, held_today, register, title};
use crate::casework::{CaseLine, caseload, display_name, due, shown_date};
use crate::components::alert;
use crate::i18n::{Text, choice_label, field_label, fill, t, tr, use_lang};
use crate::load::load;
use crate::store::OutboxEntry;
use crate::use_store;
use leptos::prelude::*;
use sakhi_domain::schema::{ASSIGNED_TO, STATUSES, VIOLENCE_KINDS};
use sakhi_domain::search::fold;
use sakhi_domain::{Record, RecordId, SearchKey};
use std::sync::Arc;

/// How many cases the list shows at first, and how many more each "Show more" adds: several
/// screens on a phone, and few enough that a device with 10,000 cases opens its list at once.
const PAGE: usize = 50;

/// How many of her latest camps the home screen offers besides today's.
const RECENT_CAMPS: usize = 3;

/// A case on the list, with what a search compares it by, folded once when the list is read.
struct Listed {
    key: SearchKey,
    line: CaseLine,
}

impl Listed {
    fn new(line: CaseLine) -> Listed {
        let case = &line.case;
        let reference = case.id.provisional();
        let text = |field| case.text(field).unwrap_or_default();
        let parts = [
            text("name"),
            text("alias"),
            text("phone"),
            text("village"),
            text("number"),
            reference.as_str(),
        ];
        Listed {
            key: SearchKey::new(parts),
            line,
        }
    }
}

/// What the list is narrowed to and how it is ordered.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    /// A status code, or empty for all.
    status: String,
    /// A kind of violence, or empty for all.
    violence: String,
    /// An account id, `nobody`, or empty for anyone.
    assigned: String,
    due: bool,
    /// Only cases with something written differently on two devices.
    review: bool,
    by_due: bool,
}

#[component]
pub fn CaseList() -> impl IntoView {
    let store = use_store();
    let camp_store = store.clone();
    let status = crate::use_sync_status();
    let cases = load(move || {
        // Read again whenever a save or a pull changed the records.
        status.revision.track();
        let store = store.clone();
        async move {
            let cases = store.caseload().await?;
            Ok::<_, crate::store::StoreError>(Arc::new(
                caseload(cases)
                    .into_iter()
                    .map(Listed::new)
                    .collect::<Vec<_>>(),
            ))
        }
    });
    let me = crate::unlocked()
        .map(|unlocked| unlocked.worker.account.clone())
        .unwrap_or_default();
    // Her colleagues, as last heard (the case page asks the server), to filter by assignee.
    let staff = load(move || async move {
        match crate::unlocked() {
            Some(unlocked) => crate::directory::kept(&unlocked).await,
            None => Default::default(),
        }
    });
    // The search stays on this page and out of the URL: a name typed here must not reach the
    // browser's history.
    let (query, set_query) = signal(String::new());
    let (shown, set_shown) = signal(PAGE);
    let filters = RwSignal::new(Filters::default());
    let set = move |change: fn(&mut Filters, String), value: String| {
        set_shown.set(PAGE);
        filters.update(|filters| change(filters, value));
    };
    let set_flag = move |change: fn(&mut Filters, bool), on: bool| {
        set_shown.set(PAGE);
        filters.update(|filters| change(filters, on));
    };

    // Camp mode: a camp held today puts "Register a case here" at the top of her home screen.
    let camp_today = load(move || {
        status.revision.track();
        let store = camp_store.clone();
        async move {
            let camps = register(store.camps().await.unwrap_or_default());
            let today = held_today(&camps, &today()).cloned();
            // The latest few besides today's, to find one again in a tap.
            let recent: Vec<Record> = camps
                .into_iter()
                .filter(|camp| today.as_ref().is_none_or(|today| today.id != camp.id))
                .take(RECENT_CAMPS)
                .collect();
            (today, recent)
        }
    });
    let lang = use_lang();

    view! {
        {move || {
            camp_today.with(|camps| {
                camps.as_ref().and_then(|(today, _)| today.as_ref()).map(|camp| {
                    let named = title(camp);
                    view! {
                        <section class="camp-today" aria-labelledby="camp-today-heading">
                            <h2 id="camp-today-heading">
                                <a href=format!("/camps/{}", camp.id)>
                                    {move || fill(t(lang.get(), Text::CampToday), "camp", &named)}
                                </a>
                            </h2>
                            <a class="button primary" href=register_here(camp.id)>
                                {tr(Text::CampRegisterHere)}
                            </a>
                        </section>
                    }
                })
            })
        }}
        {move || {
            camp_today.with(|camps| {
                camps.as_ref().filter(|(_, recent)| !recent.is_empty()).map(|(_, recent)| {
                    let items = recent
                        .iter()
                        .map(|camp| {
                            let came = attendance(camp).to_string();
                            view! {
                                <li>
                                    <a href=format!("/camps/{}", camp.id)>{title(camp)}</a>
                                    " · "
                                    {move || fill(t(lang.get(), Text::CampsPeople), "n", &came)}
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="recent-camps" aria-labelledby="recent-camps-heading">
                            <h2 id="recent-camps-heading">{tr(Text::CampsRecent)}</h2>
                            <ul>{items}</ul>
                        </section>
                    }
                })
            })
        }}
        <div class="page-head">
            <h1>{tr(Text::CasesHeading)}</h1>
            <a class="button primary" href="/cases/new">
                {tr(Text::CasesNew)}
            </a>
        </div>
        {
            let me = me.clone();
            move || {
                cases.with(|found| {
                    found.as_ref().and_then(|found| found.as_ref().ok()).map(|list| {
                        let to_review = list.iter().filter(|listed| listed.line.to_review > 0).count();
                        view! {
                            {(to_review > 0)
                                .then(|| {
                                    view! {
                                        <p class="notice review-count" role="status">
                                            {move || fill(t(lang.get(), Text::CasesToReview), "n", &to_review.to_string())}
                                        </p>
                                    }
                                })}
                            <DueToday list=Arc::clone(list) me=me.clone() />
                        }
                    })
                })
            }
        }
        <div class="search">
            <label for="case-search">{tr(Text::CasesSearch)}</label>
            <input
                id="case-search"
                type="search"
                autocomplete="off"
                on:input=move |event| {
                    set_shown.set(PAGE);
                    set_query.set(fold(&event_target_value(&event)));
                }
            />
        </div>
        <details class="filters">
            <summary>{tr(Text::FiltersHeading)}</summary>
            <div class="field">
                <label for="filter-status">{tr(Text::FiltersStatus)}</label>
                <select
                    id="filter-status"
                    on:change=move |ev| set(|f, v| f.status = v, event_target_value(&ev))
                >
                    <option value="">{tr(Text::FiltersAny)}</option>
                    {options("status", STATUSES)}
                </select>
            </div>
            <div class="field">
                <label for="filter-violence">{tr(Text::FiltersViolence)}</label>
                <select
                    id="filter-violence"
                    on:change=move |ev| set(|f, v| f.violence = v, event_target_value(&ev))
                >
                    <option value="">{tr(Text::FiltersAny)}</option>
                    {options("violence", VIOLENCE_KINDS)}
                </select>
            </div>
            <div class="field">
                <label for="filter-assigned">{tr(Text::FiltersAssigned)}</label>
                <select
                    id="filter-assigned"
                    on:change=move |ev| set(|f, v| f.assigned = v, event_target_value(&ev))
                >
                    <option value="">{tr(Text::FiltersAny)}</option>
                    <option value=me.clone()>{tr(Text::FiltersMe)}</option>
                    <option value="nobody">{tr(Text::FiltersNobody)}</option>
                    {move || {
                        staff
                            .with(|staff| {
                                staff
                                    .iter()
                                    .flat_map(|staff| staff.staff.iter())
                                    .map(|member| {
                                        view! {
                                            <option value=member.id.to_string()>
                                                {member.display_name.clone()}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </select>
            </div>
            <FilterBox id="filter-due" label=Text::FiltersDue on=move |on| set_flag(|f, on| f.due = on, on) />
            <FilterBox id="filter-review" label=Text::FiltersReview on=move |on| set_flag(|f, on| f.review = on, on) />
            <div class="field">
                <label for="filter-sort">{tr(Text::FiltersSort)}</label>
                <select
                    id="filter-sort"
                    on:change=move |ev| set(|f, v| f.by_due = v == "due", event_target_value(&ev))
                >
                    <option value="newest">{tr(Text::SortNewest)}</option>
                    <option value="due">{tr(Text::SortDue)}</option>
                </select>
            </div>
        </details>
        {move || {
            cases.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(list) => {
                        view! {
                            <RefusedChanges refused=status.refused cases=Arc::clone(list) />
                            <Cases list=Arc::clone(list) query filters shown set_shown />
                        }
                            .into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// A filter that is on or off.
#[component]
fn FilterBox(id: &'static str, label: Text, on: impl Fn(bool) + 'static) -> impl IntoView {
    view! {
        <div class="choice">
            <input type="checkbox" id=id on:change=move |ev| on(event_target_checked(&ev)) />
            <label for=id>{tr(label)}</label>
        </div>
    }
}

/// The `<option>`s of a field's choices, in the worker's language.
fn options(field: &'static str, codes: &'static [&'static str]) -> impl IntoView + use<> {
    let lang = use_lang();
    codes
        .iter()
        .map(|&code| view! { <option value=code>{move || choice_label(lang.get(), field, code)}</option> })
        .collect_view()
}

/// Her follow-ups due today and overdue, on her home screen.
#[component]
fn DueToday(list: Arc<Vec<Listed>>, me: String) -> impl IntoView {
    let lang = use_lang();
    let today = today();
    let lines: Vec<CaseLine> = due(list.iter().map(|listed| &listed.line), &today, &me)
        .into_iter()
        .cloned()
        .collect();
    (!lines.is_empty()).then(|| {
        let items = lines
            .into_iter()
            .map(|line| {
                let on = line.next_on.clone().unwrap_or_default();
                let overdue = on < today;
                let when = move || {
                    if overdue {
                        fill(t(lang.get(), Text::DueOverdue), "date", &shown_date(&on))
                    } else {
                        t(lang.get(), Text::DueToday).to_owned()
                    }
                };
                view! {
                    <li class:overdue=overdue>
                        <a href=format!("/cases/{}", line.case.id)>{display_name(&line.case)}</a>
                        " · "
                        <span>{when}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="due" aria-labelledby="due-heading">
                <h2 id="due-heading">{tr(Text::DueHeading)}</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// The cases matching the search and filters: how many, and the first `shown` of them.
#[component]
fn Cases(
    list: Arc<Vec<Listed>>,
    query: ReadSignal<String>,
    filters: RwSignal<Filters>,
    shown: ReadSignal<usize>,
    set_shown: WriteSignal<usize>,
) -> impl IntoView {
    // Runs once the list is on screen: the moment the benchmarks call "usable".
    Effect::new(|| crate::browser::mark("sakhi-list-ready"));
    if list.is_empty() {
        return view! { <p class="empty">{tr(Text::CasesEmpty)}</p> }.into_any();
    }
    let lang = use_lang();
    let today = today();
    (move || {
        let needle = query.get();
        let limit = shown.get();
        let filters = filters.get();
        let narrowed = needle.is_empty() && filters == Filters::default();
        let keeps = |listed: &&Listed| {
            let line = &listed.line;
            listed.key.matches(&needle)
                && (filters.status.is_empty() || line.status == filters.status)
                && (filters.violence.is_empty()
                    || has_choice(&line.case, "violence", &filters.violence))
                && match (filters.assigned.as_str(), line.case.text(ASSIGNED_TO)) {
                    ("", _) => true,
                    ("nobody", to) => to.is_none(),
                    (wanted, to) => to == Some(wanted),
                }
                && (!filters.due || line.is_due(&today))
                && (!filters.review || line.to_review > 0)
        };
        let mut matching: Vec<&Listed> = list.iter().filter(keeps).collect();
        if filters.by_due {
            // Cases with a follow-up first, soonest first; the rest stay newest first.
            matching.sort_by(|a, b| match (&a.line.next_on, &b.line.next_on) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        let found = matching.len();
        let page: Vec<CaseLine> = matching
            .into_iter()
            .take(limit)
            .map(|listed| listed.line.clone())
            .collect();
        let count = move || {
            let lang = lang.get();
            match (narrowed, found) {
                (true, 1) => t(lang, Text::CasesCountOne).to_owned(),
                (true, _) => fill(t(lang, Text::CasesCount), "n", &found.to_string()),
                (false, _) => fill(t(lang, Text::CasesFound), "n", &found.to_string()),
            }
        };
        view! {
            <p class="count" aria-live="polite">
                {count}
            </p>
            {(found == 0).then(|| view! { <p class="empty">{tr(Text::CasesNoneFound)}</p> })}
            <ul class="cases">
                {page.into_iter().map(|line| view! { <CaseItem line /> }).collect_view()}
            </ul>
            {(found > limit)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button secondary more"
                            on:click=move |_| set_shown.update(|shown| *shown += PAGE)
                        >
                            {tr(Text::CasesShowMore)}
                        </button>
                    }
                })}
        }
    })
    .into_any()
}

/// Whether `code` is among the choices of `field`.
fn has_choice(case: &Record, field: &str, code: &str) -> bool {
    case.value(field)
        .and_then(|value| value.as_array())
        .is_some_and(|codes| codes.iter().any(|chosen| chosen.as_str() == Some(code)))
}

#[component]
fn CaseItem(line: CaseLine) -> impl IntoView {
    let lang = use_lang();
    let case = line.case;
    let href = format!("/cases/{}", case.id);
    let name = display_name(&case);
    let village = case.text("village").map(str::to_owned);
    let status = line.status;
    let next_on = line.next_on;
    let review = line.to_review > 0;
    let case = StoredValue::new(case);
    view! {
        <li>
            <a class="case" href=href>
                <span class="case-name">
                    {move || {
                        if name.is_empty() { t(lang.get(), Text::CasesUnnamed).to_owned() } else { name.clone() }
                    }}
                </span>
                {village.map(|village| view! { <span class="case-village">{village}</span> })}
                <span class="case-violence">
                    {move || {
                        case.with_value(|case| {
                            let codes = case.value("violence").and_then(|v| v.as_array());
                            choices_summary(lang.get(), "violence", codes.map_or(&[], Vec::as_slice))
                        })
                    }}
                </span>
                <span class=format!("case-status {status}")>
                    {move || choice_label(lang.get(), "status", status)}
                    {next_on.clone().map(|on| format!(" · {}", shown_date(&on)))}
                </span>
                {review.then(|| view! { <span class="tag review">{tr(Text::CasesReviewMark)}</span> })}
            </a>
        </li>
    }
}

/// Changes the server refused, kept on the phone and shown until someone deals with them.
#[component]
fn RefusedChanges(refused: ReadSignal<Vec<OutboxEntry>>, cases: Arc<Vec<Listed>>) -> impl IntoView {
    let lang = use_lang();
    let name_of = move |id: RecordId| {
        cases
            .iter()
            .find(|listed| listed.line.case.id == id)
            .map(|listed| display_name(&listed.line.case))
            .filter(|name| !name.is_empty())
    };
    move || {
        let refused = refused.get();
        (!refused.is_empty()).then(|| {
            let items = refused
                .into_iter()
                .map(|entry| {
                    let change = entry.change;
                    let (code, reason) = entry
                        .rejected
                        .map(|r| (r.code, r.reason))
                        .unwrap_or_default();
                    let name = name_of(change.record);
                    let field = change.field;
                    view! {
                        <li>
                            <a href=format!("/cases/{}", change.record)>
                                {move || {
                                    name.clone()
                                        .unwrap_or_else(|| t(lang.get(), Text::CasesUnnamed).to_owned())
                                }}
                            </a>
                            <br />
                            {move || {
                                let text = fill(
                                    t(lang.get(), Text::RefusedChange),
                                    "field",
                                    &field_label(lang.get(), &field),
                                );
                                // Said in her language where Sakhi knows the reason.
                                let reason = match code.as_str() {
                                    "out_of_scope" => t(lang.get(), Text::RefusedNotYours),
                                    _ => &reason,
                                };
                                fill(&text, "reason", reason)
                            }}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="refused" aria-labelledby="refused-heading">
                    <h2 id="refused-heading">{tr(Text::RefusedHeading)}</h2>
                    <p>{tr(Text::RefusedIntro)}</p>
                    <ul>{items}</ul>
                </section>
            }
        })
    }
}
