//! `/cases/:id`: one case as this phone knows it: her details, one timeline of everything done for
//! her (services, counselling sessions, notes, closure), and the forms that add to it.
//!
//! The forms are drawn once and kept while a save or a pull redraws the case above them, so what a
//! counsellor is typing is never wiped by news from another device.
//!
//! This file is the page; its parts live in `case_details/`: the case as read ([`case_view`]), its
//! timeline's entries ([`timeline`]), fields to review ([`review`]), who wrote what ([`writers`]),
//! the danger buttons ([`danger`]), the buttons and panels that add to it ([`work`], [`panel`],
//! [`forms`], [`update`], [`merge`]) and the save they share ([`saving`]).

mod case_view;
mod danger;
mod files;
mod forms;
mod merge;
mod panel;
mod review;
mod saving;
mod timeline;
mod update;
mod work;
mod writers;

use crate::casework::CaseFile;
use crate::components::alert;
use crate::i18n::{Text, tr};
use crate::load::load;
use crate::store::{Store, StoreError};
use crate::use_store;
use case_view::CaseView;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use panel::Panel;
use sakhi_domain::wire::account::Staff;
use sakhi_domain::{Kind, Record, RecordId};
use std::rc::Rc;
use work::Work;
use writers::refresh_staff;

pub(super) use timeline::{entry_title, field_label_for};

/// The case page's read: `None` until read, then the case and its work if this phone has it.
pub(super) type Found = Option<Result<Option<Rc<CaseFile>>, StoreError>>;

#[component]
pub fn CaseDetails() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let params = use_params_map();
    let file = load(move || {
        status.revision.track();
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
        let store = store.clone();
        async move { read_file(&store, id).await }
    });
    // Who works at the centre, to say who wrote what and to assign the case.
    let staff = RwSignal::new_local(None::<Staff>);
    refresh_staff(staff);
    // Once the case and what was done for her are read: the moment the benchmarks call "open".
    Effect::new(move || {
        if file.with(Option::is_some) {
            crate::browser::mark("sakhi-case-ready");
        }
    });
    // Whether there is a case to work on: the forms are drawn when this turns true, not on every
    // change to the case.
    let found = Memo::new(move |_| {
        file.with(|found| match found {
            Some(Ok(Some(file))) => Some(file.case.id),
            _ => None,
        })
    });
    // Which form is open, and the timeline entry being updated: the timeline's buttons open them.
    let panel = RwSignal::new(Panel::None);
    let editing = RwSignal::new_local(None::<Record>);
    // Her files' states, and the one open in the viewer.
    let files = files::Files::provide();
    // The note a new note corrects, when she chose "Correct this note".
    let correcting = RwSignal::new(None::<RecordId>);
    // Another case opened on the same page (from a merged duplicate's link): nothing of the last
    // one's forms stays open, and its forms are drawn anew with their own drafts.
    Effect::new(move |_| {
        found.track();
        panel.set(Panel::None);
        editing.set(None);
        correcting.set(None);
        files.viewing.set(None);
    });

    view! {
        <a class="back" href="/">
            {tr(Text::CaseBack)}
        </a>
        {move || {
            file.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(Some(file)) => {
                        view! { <CaseView file=Rc::clone(file) staff panel editing correcting /> }.into_any()
                    }
                    Ok(None) => {
                        view! { <p class="notice">{tr(Text::CaseNotFound)}</p> }.into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
        {move || found.get().map(|_| view! { <Work file staff panel editing correcting /> })}
        <files::FileViewer />
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// The case `id` and its services, sessions and notes, if this phone has it.
async fn read_file(
    store: &Store,
    id: Option<RecordId>,
) -> Result<Option<Rc<CaseFile>>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    match store.record(id).await? {
        Some(case) if case.kind == Kind::Case && !case.is_deleted() => {
            let work = store.work(id).await?;
            Ok(Some(Rc::new(CaseFile::gather(case, &work))))
        }
        _ => Ok(None),
    }
}

/// The service or session being updated from the timeline, while one is.
pub(super) type Editing = RwSignal<Option<Record>, LocalStorage>;
