//! `/camps`, `/camps/new` and `/camps/:id`: the register of awareness camps, adding one after a
//! camp (or during it), and one camp with the cases registered there.

use super::{choices_summary, failed, focus, save_failure, shown_value};
use crate::browser::{now_millis, today};
use crate::camps::{CampDraft, attendance, cases_from, register, title};
use crate::case_form::{Edits, Problems};
use crate::casework::display_name;
use crate::components::{Choices, TextArea, TextField, alert, control_id};
use crate::i18n::{Text, field_label, fill, t, tr, use_lang};
use crate::load::load;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use sakhi_domain::account::Role;
use sakhi_domain::schema::{ATTENDANCE, TOPICS};
use sakhi_domain::{Kind, Record, RecordId};
use web_sys::{FormData, HtmlFormElement};

/// The camp form's name, which its controls' ids begin with.
const FORM: &str = "camp";

/// The link that opens the new-case form with `camp` already linked.
pub fn register_here(camp: RecordId) -> String {
    format!("/cases/new?camp={camp}")
}

#[component]
pub fn CampList() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let camps = load(move || {
        status.revision.track();
        let store = store.clone();
        async move { store.camps().await.map(register) }
    });
    let lang = use_lang();
    view! {
        <div class="page-head">
            <h1>{tr(Text::CampsHeading)}</h1>
            <a class="button primary" href="/camps/new">
                {tr(Text::CampsNew)}
            </a>
        </div>
        {move || {
            camps.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(camps) if camps.is_empty() => {
                        view! { <p class="empty">{tr(Text::CampsNone)}</p> }.into_any()
                    }
                    Ok(camps) => {
                        let count = camps.len().to_string();
                        let items = camps
                            .iter()
                            .map(|camp| {
                                let came = attendance(camp).to_string();
                                let topics = camp.value("topics").and_then(|v| v.as_array()).cloned();
                                view! {
                                    <li>
                                        <a class="case" href=format!("/camps/{}", camp.id)>
                                            <span class="case-name">{title(camp)}</span>
                                            <span class="case-village">
                                                {move || fill(t(lang.get(), Text::CampsPeople), "n", &came)}
                                            </span>
                                            <span class="case-violence">
                                                {move || {
                                                    choices_summary(
                                                        lang.get(),
                                                        "topics",
                                                        topics.as_deref().unwrap_or_default(),
                                                    )
                                                }}
                                            </span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <p class="count">{move || fill(t(lang.get(), Text::CampsCount), "n", &count)}</p>
                            <ul class="cases camps">{items}</ul>
                        }
                            .into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    .into_any()
}

#[component]
pub fn NewCamp() -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let store = use_store();
    let sync = use_sync();
    let navigate = use_navigate();
    // Saved, the camp's page opens, where cases are registered at it.
    let save = Action::new_local(move |edits: &Edits| {
        let (store, sync, navigate) = (store.clone(), sync.clone(), navigate.clone());
        let edits = edits.clone();
        async move {
            let camp = Record::new(crate::browser::new_id(), Kind::Camp);
            match store.edit(camp, edits, now_millis()).await {
                Ok(camp) => {
                    sync.local_change().await;
                    navigate(&format!("/camps/{}", camp.id), Default::default());
                    Ok(())
                }
                Err(error) => Err(save_failure(&error)),
            }
        }
    });
    let me = crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default();

    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let edits = match draft(&ev.target()).parse() {
            Ok(edits) => edits,
            Err(found) => {
                if let Some((field, _)) = found.first() {
                    focus(&control_id(FORM, field));
                }
                set_problems.set(found);
                return;
            }
        };
        set_problems.set(Problems::new());
        save.clear();
        save.dispatch_local(edits);
    };

    view! {
        <form class="case-form" novalidate on:submit:target=on_submit>
            <h1>{tr(Text::CampFormHeading)}</h1>
            {move || problems.with(|p| !p.is_empty()).then(|| alert(Text::FormFixMarked))}
            <TextField form=FORM field="held_on" label=Text::FieldHeldOn kind="date" problems value=today() />
            <TextField form=FORM field="place" label=Text::CampPlaceLabel kind="text" problems />
            <TextField form=FORM field="block" label=Text::FieldBlock kind="text" problems />
            <TextField form=FORM field="district" label=Text::FieldDistrict kind="text" problems />
            <TextField form=FORM field="run_by" label=Text::FieldRunBy kind="text" problems value=me />
            <fieldset class="field attendance">
                <legend>{tr(Text::CampAttendance)}</legend>
                <TextField form=FORM field="women" label=Text::FieldWomen kind="number" problems />
                <TextField form=FORM field="girls" label=Text::FieldGirls kind="number" problems />
                <TextField form=FORM field="men" label=Text::FieldMen kind="number" problems />
                <TextField form=FORM field="boys" label=Text::FieldBoys kind="number" problems />
            </fieldset>
            <Choices form=FORM field="topics" legend=Text::FieldTopics codes=TOPICS many=true required=false problems />
            <TextArea form=FORM field="notes" label=Text::FieldNotes problems />
            {failed(save)}
            <div class="actions">
                <button type="submit" class="button primary" disabled=save.pending()>
                    {tr(Text::CampSave)}
                </button>
                <a class="button secondary" href="/camps">
                    {tr(Text::FormCancel)}
                </a>
            </div>
        </form>
    }
    .into_any()
}

/// The camp form as typed; each control is named after its field of the camp.
fn draft(form: &HtmlFormElement) -> CampDraft {
    let Ok(data) = FormData::new_with_form(form) else {
        return CampDraft::default();
    };
    let text = |field: &str| data.get(field).as_string().unwrap_or_default();
    CampDraft {
        held_on: text("held_on"),
        place: text("place"),
        block: text("block"),
        district: text("district"),
        run_by: text("run_by"),
        attendance: [text("women"), text("girls"), text("men"), text("boys")],
        topics: data
            .get_all("topics")
            .iter()
            .filter_map(|code| code.as_string())
            .collect(),
        notes: text("notes"),
    }
}

#[component]
pub fn CampDetails() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let params = use_params_map();
    let found = load(move || {
        status.revision.track();
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
        let store = store.clone();
        async move {
            let camp = store
                .camps()
                .await?
                .into_iter()
                .find(|camp| Some(camp.id) == id && !camp.is_deleted());
            let Some(camp) = camp else {
                return Ok(None);
            };
            let cases = store.cases().await?;
            let from: Vec<Record> = cases_from(&camp, &cases).into_iter().cloned().collect();
            Ok::<_, crate::store::StoreError>(Some((camp, from)))
        }
    });
    view! {
        <a class="back" href="/camps">
            {tr(Text::CampBack)}
        </a>
        {move || {
            found.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(Some((camp, cases))) => view! { <CampView camp=camp.clone() cases=cases.clone() /> }.into_any(),
                    Ok(None) => view! { <p class="notice">{tr(Text::CampNotFound)}</p> }.into_any(),
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    .into_any()
}

/// One camp: where, when, who ran it, who came, what it spoke of, and the cases it brought in.
#[component]
fn CampView(camp: Record, cases: Vec<Record>) -> impl IntoView {
    let lang = use_lang();
    let details = [
        "held_on", "place", "block", "district", "run_by", "topics", "notes",
    ]
    .into_iter()
    .filter_map(|field| {
        let value = camp.value(field)?.clone();
        Some(move || {
            let shown = shown_value(lang.get(), Kind::Camp, field, Some(&value));
            view! {
                <div class="detail">
                    <dt>{field_label(lang.get(), field)}</dt>
                    <dd>{shown}</dd>
                </div>
            }
        })
    })
    .collect_view();
    let counted = ATTENDANCE
        .iter()
        .map(|group| {
            let n = camp.value(group).and_then(|v| v.as_i64()).unwrap_or(0);
            view! {
                <tr>
                    <th scope="row">{move || field_label(lang.get(), group)}</th>
                    <td>{n}</td>
                </tr>
            }
        })
        .collect_view();
    let total = attendance(&camp);
    // Names only to those whose work is the cases themselves; an outreach worker sees how many.
    let may_see_names = crate::unlocked()
        .is_some_and(|unlocked| matches!(unlocked.role, Role::Administrator | Role::Counsellor));
    let registered = cases.len().to_string();
    let names = (may_see_names && !cases.is_empty()).then(|| {
        let items = cases
            .iter()
            .map(|case| {
                let name = display_name(case);
                view! {
                    <li>
                        <a href=format!("/cases/{}", case.id)>
                            {move || if name.is_empty() { t(lang.get(), Text::CasesUnnamed).to_owned() } else { name.clone() }}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="camp-cases">{items}</ul> }
    });
    view! {
        <article class="case-details camp-details">
            <h1>{title(&camp)}</h1>
            <a class="button primary" href=register_here(camp.id)>
                {tr(Text::CampRegisterHere)}
            </a>
            <dl>{details}</dl>
            <h2>{tr(Text::CampAttendance)}</h2>
            <table class="figures">
                <tbody>{counted}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{tr(Text::CampTotal)}</th>
                        <td>{total}</td>
                    </tr>
                </tfoot>
            </table>
            <h2>{tr(Text::CampCasesHeading)}</h2>
            <p class="count">
                {move || {
                    match registered.as_str() {
                        "0" => t(lang.get(), Text::CampCasesNone).to_owned(),
                        "1" => t(lang.get(), Text::CampOneCase).to_owned(),
                        n => fill(t(lang.get(), Text::CampsCases), "n", n),
                    }
                }}
            </p>
            {names}
            {(!may_see_names && !cases.is_empty())
                .then(|| view! { <p class="muted">{tr(Text::CampNamesHidden)}</p> })}
        </article>
    }
}
