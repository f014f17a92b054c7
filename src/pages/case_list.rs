//! `/`: the cases on this phone, newest first and searchable, and any changes the server refused.

use super::{choices_summary, register_here};
use crate::browser::today;
use crate::camps::{attendance, held_today, register, title};
use crate::casework::{CaseLine, caseload, display_name, due, shown_date};
use crate::components::{RefusedChanges, alert};
use crate::i18n::{Text, choice_label, fill, t, tr, use_lang};
use crate::load::load;
use crate::storage::NotKeptNotice;
use crate::use_store;
use leptos::prelude::*;
use sakhi_domain::account::Role;
use sakhi_domain::schema::{ASSIGNED_TO, STATUSES, VIOLENCE_KINDS};
use sakhi_domain::search::Needle;
use sakhi_domain::{Record, SearchKey};
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
    /// Only her own cases (assigned to her or to nobody): set with `due` by her follow-up count.
    mine: bool,
    /// Only open cases of women in danger now.
    danger: bool,
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
    let (query, set_query) = signal(Needle::default());
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

    let role = crate::unlocked().map(|unlocked| unlocked.role);
    let counts_me = me.clone();

    view! {
        <h1 class="home-heading">{tr(Text::CasesHeading)}</h1>
        <div class="search">
            <label for="case-search">{tr(Text::CasesSearch)}</label>
            <input
                id="case-search"
                type="search"
                autocomplete="off"
                on:input=move |event| {
                    set_shown.set(PAGE);
                    set_query.set(Needle::new(&event_target_value(&event)));
                }
            />
        </div>
        {move || {
            cases.with(|found| {
                found.as_ref().and_then(|found| found.as_ref().ok()).map(|list| {
                    view! {
                        <HomeCounts
                            list=Arc::clone(list)
                            me=counts_me.clone()
                            reviewer=matches!(role, Some(Role::Administrator | Role::Counsellor))
                            filters
                            set_shown
                        />
                    }
                })
            })
        }}
        <NotKeptNotice />
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
            <FilterBox
                id="filter-due"
                label=Text::FiltersDue
                checked=Signal::derive(move || filters.with(|f| f.due))
                on=move |on| set_flag(|f, on| f.due = on, on)
            />
            <FilterBox
                id="filter-danger"
                label=Text::FiltersDanger
                checked=Signal::derive(move || filters.with(|f| f.danger))
                on=move |on| set_flag(|f, on| f.danger = on, on)
            />
            <FilterBox
                id="filter-review"
                label=Text::FiltersReview
                checked=Signal::derive(move || filters.with(|f| f.review))
                on=move |on| set_flag(|f, on| f.review = on, on)
            />
            <div class="field">
                <label for="filter-sort">{tr(Text::FiltersSort)}</label>
                <select
                    id="filter-sort"
                    on:change=move |ev| set(|f, v| f.by_due = v == "due", event_target_value(&ev))
                >
                    <option value="newest" selected=move || filters.with(|f| !f.by_due)>
                        {tr(Text::SortNewest)}
                    </option>
                    <option value="due" selected=move || filters.with(|f| f.by_due)>
                        {tr(Text::SortDue)}
                    </option>
                </select>
            </div>
        </details>
        {move || {
            cases.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(list) => {
                        view! {
                            <RefusedChanges
                                refused=status.refused
                                names=list
                                    .iter()
                                    .map(|listed| (listed.line.case.id, display_name(&listed.line.case)))
                                    .collect()
                            />
                            <Cases list=Arc::clone(list) query filters shown set_shown me=me.clone() />
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
fn FilterBox(
    id: &'static str,
    label: Text,
    checked: Signal<bool>,
    on: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                type="checkbox"
                id=id
                prop:checked=checked
                on:change=move |ev| on(event_target_checked(&ev))
            />
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

/// What needs her first, as counts that open the list narrowed to it: her follow-ups due today or
/// overdue; for those who work the centre's cases (administrators and counsellors) also the cases
/// to review and the women in danger now.
#[component]
fn HomeCounts(
    list: Arc<Vec<Listed>>,
    me: String,
    reviewer: bool,
    filters: RwSignal<Filters>,
    set_shown: WriteSignal<usize>,
) -> impl IntoView {
    let lang = use_lang();
    let today = today();
    let lines = || list.iter().map(|listed| &listed.line);
    let mine_due = due(lines(), &today, &me);
    let overdue = mine_due
        .iter()
        .filter(|line| {
            line.next_on
                .as_deref()
                .is_some_and(|on| on < today.as_str())
        })
        .count();
    let due_now = mine_due.len();
    let to_review = lines().filter(|line| line.to_review > 0).count();
    let in_danger = lines().filter(|line| line.in_danger()).count();
    // Each count opens the list narrowed to what it counts, and closes it again.
    let button = move |n: usize, text: Text, wanted: Filters| {
        let shows = {
            let wanted = wanted.clone();
            move || filters.get() == wanted
        };
        let pressed = shows.clone();
        view! {
            <button
                type="button"
                class="count-button"
                aria-pressed=move || if pressed() { "true" } else { "false" }
                on:click=move |_| {
                    set_shown.set(PAGE);
                    let next = if shows() { Filters::default() } else { wanted.clone() };
                    filters.set(next);
                    if let Some(list) = document().get_element_by_id("case-list") {
                        list.scroll_into_view();
                    }
                }
            >
                <span class="count-n">{n}</span>
                <span>{tr(text)}</span>
            </button>
        }
    };
    let due_filter = Filters {
        due: true,
        mine: true,
        by_due: true,
        ..Filters::default()
    };
    view! {
        <div class="home-counts">
            {(due_now > 0)
                .then(|| {
                    view! {
                        {button(due_now, Text::HomeDue, due_filter)}
                        {(overdue > 0)
                            .then(|| {
                                view! {
                                    <p class="overdue-note">
                                        {move || fill(t(lang.get(), Text::HomeOverdue), "n", &overdue.to_string())}
                                    </p>
                                }
                            })}
                    }
                })}
            {(reviewer && to_review > 0)
                .then(|| button(to_review, Text::HomeToReview, Filters { review: true, ..Filters::default() }))}
            {(reviewer && in_danger > 0)
                .then(|| button(in_danger, Text::HomeInDanger, Filters { danger: true, ..Filters::default() }))}
        </div>
    }
}

/// The cases matching the search and filters: how many, and the first `shown` of them.
#[component]
fn Cases(
    list: Arc<Vec<Listed>>,
    query: ReadSignal<Needle>,
    filters: RwSignal<Filters>,
    shown: ReadSignal<usize>,
    set_shown: WriteSignal<usize>,
    me: String,
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
            listed.key.finds(&needle)
                && (filters.status.is_empty() || line.status == filters.status)
                && (filters.violence.is_empty()
                    || has_choice(&line.case, "violence", &filters.violence))
                && match (filters.assigned.as_str(), line.case.text(ASSIGNED_TO)) {
                    ("", _) => true,
                    ("nobody", to) => to.is_none(),
                    (wanted, to) => to == Some(wanted),
                }
                && (!filters.due || line.is_due(&today))
                && (!filters.mine || line.is_for(&me))
                && (!filters.danger || line.in_danger())
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
            <p class="count" id="case-list" aria-live="polite">
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
    let marks = Marks {
        danger: line.in_danger(),
        child: line.is_child(),
        review: line.to_review > 0,
        due: line.is_due(&today()),
    };
    let case = line.case;
    let href = format!("/cases/{}", case.id);
    let name = display_name(&case);
    let village = case.text("village").map(str::to_owned);
    let status = line.status;
    let next_on = line.next_on;
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
                <CaseMarks marks />
            </a>
        </li>
    }
}

/// What a worker must see on a case at a glance, whatever else the list shows.
#[derive(Clone, Copy, Debug, Default)]
struct Marks {
    danger: bool,
    child: bool,
    review: bool,
    due: bool,
}

/// The marks of a case on the list: each in words with a sign, never colour alone.
#[component]
fn CaseMarks(marks: Marks) -> impl IntoView {
    let mark = |on: bool, class: &'static str, sign: &'static str, text: Text| {
        on.then(|| {
            view! {
                <span class=class>
                    <span aria-hidden="true">{sign}</span>
                    {tr(text)}
                </span>
            }
        })
    };
    let any = marks.danger || marks.child || marks.review || marks.due;
    any.then(|| {
        view! {
            <span class="marks">
                {mark(marks.danger, "tag danger", "⚠ ", Text::MarkDanger)}
                {mark(marks.child, "tag child", "● ", Text::MarkChild)}
                {mark(marks.review, "tag review", "⇄ ", Text::CasesReviewMark)}
                {mark(marks.due, "tag due", "◷ ", Text::MarkDue)}
            </span>
        }
    })
}
