//! `/cases/:id`: one case as this phone knows it.

use super::violence_summary;
use crate::case_form::is_child;
use crate::components::alert;
use crate::i18n::{Lang, Text, choice_label, t, tr, use_lang};
use crate::load::load;
use crate::use_store;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sakhi_domain::{FieldType, Kind, Record, RecordId};

#[component]
pub fn CaseDetails() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let params = use_params_map();
    let case = load(move || {
        status.revision.track();
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
        let store = store.clone();
        async move {
            match id {
                Some(id) => store.record(id).await,
                None => Ok(None),
            }
        }
    });

    view! {
        <a class="back" href="/">
            {tr(Text::CaseBack)}
        </a>
        {move || {
            // Borrowed rather than cloned: only what the view keeps is copied.
            case.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(Some(case)) if case.kind == Kind::Case && !case.is_deleted() => {
                        view! { <CaseView case=case.clone() /> }.into_any()
                    }
                    Ok(_) => {
                        view! { <p class="notice">{tr(Text::CaseNotFound)}</p> }.into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

#[component]
fn CaseView(case: Record) -> impl IntoView {
    let lang = use_lang();
    let case = StoredValue::new(case);
    let heading = move || {
        case.with_value(|case| case.text("name").map(str::to_owned))
            .unwrap_or_else(|| t(lang.get(), Text::CasesUnnamed).to_owned())
    };
    let rows: [(&'static str, Text); 13] = [
        ("age", Text::FieldAge),
        ("phone", Text::FieldPhone),
        ("safe_to_call", Text::FieldSafeToCall),
        ("safe_hours", Text::FieldSafeHours),
        ("village", Text::FieldVillage),
        ("block", Text::FieldBlock),
        ("district", Text::FieldDistrict),
        ("source", Text::FieldSource),
        ("violence", Text::FieldViolence),
        ("responsible", Text::FieldResponsible),
        ("relation", Text::FieldRelation),
        ("children", Text::FieldChildren),
        ("description", Text::FieldDescription),
    ];
    let child = case.with_value(|case| is_child(case.value("age").and_then(|age| age.as_i64())));
    view! {
        <article class="case-details">
            <h1>{heading}</h1>
            {child.then(|| view! { <p class="notice child">{tr(Text::CaseChild)}</p> })}
            <dl>
                {rows
                    .map(|(field, label)| {
                        let conflicted = case
                            .with_value(|case| case.conflicted_fields().any(|f| f == field));
                        view! {
                            <div class="detail">
                                <dt>{tr(label)}</dt>
                                <dd>{move || case.with_value(|case| shown(lang.get(), case, field))}</dd>
                                {conflicted
                                    .then(|| {
                                        view! { <dd class="problem">{tr(Text::CaseNeedsReview)}</dd> }
                                    })}
                            </div>
                        }
                    })}
            </dl>
        </article>
    }
}

/// A field's value as a worker reads it.
fn shown(lang: Lang, case: &Record, field: &str) -> String {
    if field == "violence" {
        let summary = violence_summary(lang, case);
        if !summary.is_empty() {
            return summary;
        }
    }
    if let (Some(FieldType::Choice(_)), Some(code)) =
        (case.kind.field_type(field), case.text(field))
    {
        return choice_label(lang, field, code);
    }
    match case.value(field) {
        // Not `value.to_string()`: `Value`'s `Display` brings a pretty-printer into the app shell.
        Some(value) if field != "violence" => value.as_str().map_or_else(
            || serde_json::to_string(value).unwrap_or_default(),
            str::to_owned,
        ),
        _ => t(lang, Text::CaseNotGiven).to_owned(),
    }
}
