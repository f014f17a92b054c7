//! Her files on the case page: the "Add a file" panel (a photo taken in Sakhi, a photo or PDF
//! chosen from the phone, a voice note, her signature or thumb impression), what each file on the
//! timeline shows (its size, and whether it waits to be sent), and the viewer that opens one.
//!
//! A file is sealed on the phone as soon as she takes or chooses it (see [`crate::files`]); the
//! form then holds only its id, size and digest, so the draft keeps it across the auto-lock and a
//! reload, and saving writes the attachment's record like any other entry. A file she cancels
//! without saving is removed again.
//!
//! The viewer holds the one decrypted copy while it is open. Closing it, the auto-lock and quick
//! exit unmount it, which revokes the copy's address ([`Shown`]).

use super::Found;
use super::panel::{Current, Panel, PanelForm, Reader, draft_name};
use super::saving::worker_name;
use super::writers::{StaffSignal, written_line};
use crate::capture::camera::CameraCapture;
use crate::capture::signature::SignaturePad;
use crate::capture::voice::VoiceRecorder;
use crate::case_form::Problems;
use crate::casework::AttachmentDraft;
use crate::components::{Choices, FieldProblem, TextField, control_id};
use crate::drafts::Typed;
use crate::files::{self, KeepError, OpenError, Ready, Shown, Source, shown_size};
use crate::i18n::{Lang, Text, fill, t, tr, use_lang};
use crate::load::load;
use crate::pdf::{self, PdfError};
use crate::store::Store;
use crate::sync::contents::{self, Ledger, Outcome};
use crate::{use_store, use_sync_status};
use leptos::prelude::*;
use sakhi_domain::schema::{ATTACHMENT_KINDS, MOST_ATTACHMENT_BYTES};
use sakhi_domain::{Kind, Record, RecordId, Stamp};
use std::collections::HashSet;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FormData, HtmlFormElement, HtmlInputElement};

/// What the page knows of the files on this phone: which it holds, and what became of those sent.
#[derive(Clone, Default)]
pub(super) struct FileStates {
    held: HashSet<RecordId>,
    ledger: Ledger,
}

/// The files' states and the file open in the viewer, shared by the case page's parts.
#[derive(Clone, Copy)]
pub(super) struct Files {
    states: ReadSignal<Option<FileStates>, LocalStorage>,
    pub viewing: RwSignal<Option<Record>, LocalStorage>,
}

impl Files {
    /// Reads the files' states now and after every change to the phone's records (a round that
    /// sent a file says so that way), and gives the page its viewer.
    pub fn provide() -> Files {
        let store = use_store();
        let status = use_sync_status();
        let states = load(move || {
            status.revision.track();
            let store = Rc::clone(&store);
            async move { read_states(&store).await }
        });
        let files = Files {
            states,
            viewing: RwSignal::new_local(None),
        };
        provide_context(files);
        files
    }
}

async fn read_states(store: &Store) -> FileStates {
    // Unread, nothing is said of any file rather than something wrong.
    let held = store.contents().await.unwrap_or_default();
    let ledger = contents::read(store).await.unwrap_or_default();
    FileStates {
        held: held.into_iter().collect(),
        ledger,
    }
}

/// What a file's line says of where it is.
fn state_line(lang: Lang, states: &FileStates, id: RecordId) -> String {
    if !states.held.contains(&id) {
        return t(lang, Text::FileOnServer).to_owned();
    }
    match states.ledger.outcome(id) {
        None => t(lang, Text::FileWaiting).to_owned(),
        Some(Outcome::Received) => t(lang, Text::FileSent).to_owned(),
        Some(Outcome::Refused(code)) => refusal(lang, code),
    }
}

/// Why the server refused a file, in her language.
fn refusal(lang: Lang, code: &str) -> String {
    use sakhi_domain::wire::attachment::code;
    let text = match code {
        code::FILE_TOO_LARGE => Text::FileRefusedAttachmentTooLarge,
        code::CASE_FULL => Text::FileRefusedCaseAttachmentsFull,
        code::CENTRE_FULL => Text::FileRefusedCentreAttachmentsFull,
        code::DIGEST_MISMATCH => Text::FileRefusedDigestMismatch,
        other => return fill(t(lang, Text::FileRefusedOther), "code", other),
    };
    t(lang, text).to_owned()
}

/// What kind of file it is, in words.
fn media_word(media_type: &str) -> Text {
    match media_type.split('/').next() {
        Some("audio") => Text::FileAudio,
        Some("image") => Text::FileImage,
        _ => Text::FilePdf,
    }
}

fn size_words(lang: Lang, bytes: u64) -> String {
    let (text, n) = shown_size(bytes);
    fill(t(lang, text), "n", &n)
}

/// Under a file on the timeline: what it is and how large, where it is, and the button that opens
/// it.
#[component]
pub(super) fn FileLine(record: Record) -> impl IntoView {
    let lang = use_lang();
    let files = expect_context::<Files>();
    let id = record.id;
    let media_type = record.text("media_type").unwrap_or_default().to_owned();
    let size = record
        .value("size")
        .and_then(|size| size.as_u64())
        .unwrap_or_default();
    let what = move || {
        let lang = lang.get();
        format!(
            "{}, {}",
            t(lang, media_word(&media_type)),
            size_words(lang, size)
        )
    };
    let state = move || {
        files.states.with(|states| {
            states
                .as_ref()
                .map(|states| state_line(lang.get(), states, id))
        })
    };
    let open = move |_| files.viewing.set(Some(record.clone()));
    view! {
        <p class="file-line">{what}</p>
        <p class="file-state">{state}</p>
        <button type="button" class="button secondary" on:click=open>
            {tr(Text::FileOpen)}
        </button>
    }
}

/// Beside her consent on the case's details: each signature or thumb impression kept for it, who
/// took it and when, and the button that opens it.
#[component]
pub(super) fn ConsentFiles(files: Vec<Record>, staff: StaffSignal) -> impl IntoView {
    files
        .into_iter()
        .filter(|record| record.text("attachment_kind") == Some("consent"))
        .map(|record| {
            let taken = first_stamp(&record);
            view! {
                <div class="consent-file">
                    <p class="signed">{tr(Text::FileConsentKept)}</p>
                    {taken.map(|stamp| written_line(Text::CaseAddedBy, stamp, staff))}
                    <FileLine record />
                </div>
            }
        })
        .collect_view()
}

/// When and on which phone `record` was first written: the earliest stamp it holds.
pub(super) fn first_stamp(record: &Record) -> Option<Stamp> {
    record
        .fields
        .values()
        .flat_map(|field| {
            field
                .heads()
                .iter()
                .map(|head| head.stamp)
                .chain(field.bases().iter().copied())
        })
        .min()
}

/// The file open now, over the page, until she closes it.
#[component]
pub(super) fn FileViewer() -> impl IntoView {
    let files = expect_context::<Files>();
    move || {
        files
            .viewing
            .get()
            .map(|record| view! { <Viewer record on_close=Callback::new(move |()| files.viewing.set(None)) /> })
    }
}

/// Where opening a file stands.
enum Opening {
    Reading,
    /// A picture or a voice note, at a `blob:` address.
    Shown(Shown),
    /// A PDF, whose pages are drawn into the viewer.
    Pdf(Blob),
    Failed(Text),
}

#[component]
fn Viewer(record: Record, on_close: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let store = use_store();
    let status = use_sync_status();
    let opening = RwSignal::new_local(Opening::Reading);
    let title = {
        let record = record.clone();
        move || super::timeline::entry_title(lang.get(), &record)
    };
    {
        let record = record.clone();
        leptos::task::spawn_local(async move {
            let shown = match files::open(&store, &record).await {
                Ok(opened) => {
                    if opened.downloaded {
                        // The phone holds it now: its line says so.
                        status.revision.notify();
                    }
                    if files::bare_type(&opened.blob) == "application/pdf" {
                        Ok(Opening::Pdf(opened.blob))
                    } else {
                        Shown::new(&opened.blob)
                            .map(Opening::Shown)
                            .map_err(OpenError::from)
                    }
                }
                Err(error) => Err(error),
            };
            let next = match shown {
                Ok(opening) => opening,
                Err(OpenError::NotHere) => Opening::Failed(Text::FileNotHere),
                Err(OpenError::Damaged) => Opening::Failed(Text::FileDamaged),
                Err(_) => Opening::Failed(Text::FileOpenFailed),
            };
            // Closed meanwhile: the copy is dropped (and its address revoked) here.
            let _ = opening.try_set(next);
        });
    }
    // Closing drops the copy: the signal's value goes with the viewer.
    on_cleanup(move || {
        let _ = opening.try_set(Opening::Reading);
    });
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_ref.get() {
            let _ = button.focus();
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    };
    let alt = title.clone();
    let body = move || {
        opening.with(|opening| match opening {
            Opening::Reading => {
                view! { <p class="notice" role="status">{tr(Text::FileOpening)}</p> }.into_any()
            }
            Opening::Failed(text) => {
                view! { <p class="notice problem" role="alert">{tr(*text)}</p> }.into_any()
            }
            Opening::Shown(shown) => match shown.media_type.split('/').next() {
                Some("image") => view! { <img src=shown.url.clone() alt=alt() /> }.into_any(),
                Some("audio") => {
                    view! { <audio controls src=shown.url.clone()></audio> }.into_any()
                }
                _ => {
                    view! { <p class="notice problem" role="alert">{tr(Text::FileOpenFailed)}</p> }
                        .into_any()
                }
            },
            Opening::Pdf(pdf) => view! { <PdfPages pdf=pdf.clone() /> }.into_any(),
        })
    };
    view! {
        <section class="viewer" role="dialog" aria-modal="true" aria-labelledby="viewer-title" on:keydown=on_key>
            <div class="viewer-bar">
                <h2 id="viewer-title">{title.clone()}</h2>
                <button type="button" class="button primary" node_ref=close_ref on:click=move |_| on_close.run(())>
                    {tr(Text::FileClose)}
                </button>
            </div>
            <div class="viewer-body">{body}</div>
        </section>
    }
}

/// A PDF's pages, drawn one under the other as wide as the viewer. Closing the viewer stops a
/// drawing under way and frees what pdf.js holds.
#[component]
fn PdfPages(pdf: Blob) -> impl IntoView {
    let lang = use_lang();
    let pages = NodeRef::<leptos::html::Div>::new();
    let failed = RwSignal::new(None::<Text>);
    let drawn_into = StoredValue::new_local(None::<web_sys::HtmlElement>);
    pages.on_load(move |element| {
        let element: web_sys::HtmlElement = element.into();
        drawn_into.set_value(Some(element.clone()));
        let label = t(lang.get_untracked(), Text::FilePdfPage);
        leptos::task::spawn_local(async move {
            let problem = match pdf::render(&pdf, &element, label).await {
                Ok(_) | Err(PdfError::Stopped) => None,
                Err(PdfError::Unavailable) => Some(Text::FilePdfUnavailable),
                Err(PdfError::Locked) => Some(Text::FilePdfLocked),
                Err(_) => Some(Text::FileOpenFailed),
            };
            let _ = failed.try_set(problem);
        });
    });
    on_cleanup(move || {
        if let Some(Some(element)) = drawn_into.try_get_value() {
            pdf::destroy(&element);
        }
    });
    view! {
        {move || failed.get().map(|text| view! { <p class="notice problem" role="alert">{tr(text)}</p> })}
        <div class="pdf-pages" node_ref=pages></div>
    }
}

/// Where the file of the "Add a file" form stands.
#[derive(Clone, PartialEq)]
enum Stage {
    Choosing,
    /// Taking a photo, recording a voice note, or drawing her signature or thumb impression.
    Camera,
    Voice,
    Signing,
    Preparing,
    Ready(Ready),
    Failed(Text),
}

const F: &str = "attach";
/// The form's hidden controls that hold the file sealed for it.
const HELD: [&str; 4] = ["content", "media_type", "size", "sha256"];

/// Writes `ready` (or nothing) into the form's hidden controls, where its draft and its save
/// read them.
fn hold(form: &HtmlFormElement, ready: Option<&Ready>) {
    for name in HELD {
        let value = ready.map_or_else(String::new, |ready| match name {
            "content" => ready.id.to_string(),
            "media_type" => ready.media_type.clone(),
            "size" => ready.size.to_string(),
            _ => ready.sha256.clone(),
        });
        if let Ok(Some(input)) = form.query_selector(&format!("input[name={name}]"))
            && let Some(input) = input.dyn_ref::<HtmlInputElement>()
        {
            input.set_value(&value);
        }
    }
}

/// The file a draft held, if it named one.
fn held_in(typed: &Typed) -> Option<Ready> {
    let value = |name: &str| {
        typed
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.clone())
    };
    Some(Ready {
        id: value("content")?.parse().ok()?,
        media_type: value("media_type")?,
        size: value("size")?.parse().ok()?,
        sha256: value("sha256")?,
    })
}

/// The kind a file taken this way usually is, ticked for her unless she chose one already.
fn usual_kind(form: &HtmlFormElement, kind: &str) {
    let chosen = form
        .query_selector("input[name=attachment_kind]:checked")
        .ok()
        .flatten();
    if chosen.is_none()
        && let Some(input) = document()
            .get_element_by_id(&format!("{}-{kind}", control_id(F, "attachment_kind")))
            .and_then(|element| element.dyn_into::<HtmlInputElement>().ok())
    {
        input.set_checked(true);
    }
}

/// Tells the form something changed, so that its draft keeps it.
fn typed_into(form: &HtmlFormElement) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    if let Ok(event) = web_sys::Event::new_with_event_init_dict("input", &init) {
        let _ = form.dispatch_event(&event);
    }
}

#[component]
pub(super) fn AttachForm(
    panel: RwSignal<Panel>,
    current: Current,
    file: ReadSignal<Found, LocalStorage>,
) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = draft_name(&current, "attach");
    let stage = RwSignal::new(Stage::Choosing);
    let store = use_store();
    let by = worker_name();
    let read: Reader = {
        let current = Rc::clone(&current);
        Rc::new(move |form| {
            let file = current()?;
            let data = FormData::new_with_form(form).ok()?;
            let text = |field| data.get(field).as_string().unwrap_or_default();
            let draft = AttachmentDraft {
                content: text("content"),
                media_type: text("media_type"),
                size: text("size"),
                sha256: text("sha256"),
                kind: text("attachment_kind"),
                caption: text("caption"),
                attached_to: text("attached_to"),
            };
            Some(
                draft
                    .parse(file.case.id, &by)
                    .map(|(id, edits)| vec![(Record::new(id, Kind::Attachment), edits)]),
            )
        })
    };
    let holder = NodeRef::<leptos::html::Div>::new();
    let form_of = move || {
        holder
            .get_untracked()
            .and_then(|div| div.closest("form").ok().flatten())
            .and_then(|form| form.dyn_into::<HtmlFormElement>().ok())
    };
    // A file sealed for this form and not saved with it is removed: she discarded it, or took
    // another in its place.
    // Callbacks may be sent between threads; the store may not, so they reach it through here.
    let kept_store = StoredValue::new_local(Rc::clone(&store));
    let drop_unsaved = move |id: RecordId| {
        let Some(store) = kept_store.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if store.saved(&[id]).await.is_ok_and(|saved| saved.is_empty()) {
                let _ = store.delete_content(id).await;
            }
        });
    };
    let take = move |blob: web_sys::Blob, source: Source, kind: Option<&'static str>| {
        let Some(store) = kept_store.try_get_value() else {
            return;
        };
        if let Stage::Ready(before) = stage.get_untracked() {
            drop_unsaved(before.id);
        }
        stage.set(Stage::Preparing);
        leptos::task::spawn_local(async move {
            let next = match files::keep(&store, &blob, source).await {
                Ok(ready) => {
                    if let Some(form) = form_of() {
                        hold(&form, Some(&ready));
                        if let Some(kind) = kind {
                            usual_kind(&form, kind);
                        }
                        typed_into(&form);
                    }
                    Stage::Ready(ready)
                }
                Err(KeepError::Unsuitable(_)) => Stage::Failed(Text::ProblemFileUnsuitable),
                Err(KeepError::TooLarge) => Stage::Failed(Text::ProblemFileTooLarge),
                Err(KeepError::Photo(_)) => Stage::Failed(Text::FileUnreadable),
                Err(KeepError::Store(_)) => Stage::Failed(Text::AppStoreFailed),
            };
            let _ = stage.try_set(next);
        });
    };
    let chosen = {
        move |ev: leptos::ev::Event| {
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let picked = input.files().and_then(|files| files.get(0));
            // The input forgets it at once: only the sealed copy is kept.
            input.set_value("");
            if let Some(picked) = picked {
                // A picture is most often a photo; what a PDF is, she says.
                let kind = picked.type_().starts_with("image/").then_some("photo");
                take(picked.into(), Source::Picture, kind);
            }
        }
    };
    let again = {
        move |_| {
            if let Stage::Ready(ready) = stage.get_untracked() {
                drop_unsaved(ready.id);
            }
            if let Some(form) = form_of() {
                hold(&form, None);
                typed_into(&form);
            }
            stage.set(Stage::Choosing);
        }
    };
    let on_reset = Callback::new(move |()| {
        if let Stage::Ready(ready) = stage.get_untracked() {
            drop_unsaved(ready.id);
        }
        if let Some(form) = form_of() {
            hold(&form, None);
        }
        stage.set(Stage::Choosing);
    });
    // A draft continued brings its file back, if the phone still holds it.
    let on_fill = {
        Callback::new(move |typed: Typed| {
            let Some(ready) = held_in(&typed) else {
                return;
            };
            let Some(store) = kept_store.try_get_value() else {
                return;
            };
            leptos::task::spawn_local(async move {
                let held = store.content_chunks(ready.id).await.unwrap_or_default();
                if held.is_empty() {
                    return;
                }
                if let Some(form) = form_of() {
                    hold(&form, Some(&ready));
                }
                let _ = stage.try_set(Stage::Ready(ready));
            });
        })
    };
    let lang = use_lang();
    // The camera, the recorder or the pad in full view: a browser does not play a muted picture
    // that is off the screen, and she needs to see what she takes.
    Effect::new(move |_| {
        if matches!(stage.get(), Stage::Camera | Stage::Voice | Stage::Signing) {
            request_animation_frame(move || {
                if let Some(holder) = holder.get_untracked() {
                    holder.scroll_into_view();
                }
            });
        }
    });
    let back = Callback::new(move |()| stage.set(Stage::Choosing));
    let photo = Callback::new(move |blob| take(blob, Source::Picture, Some("photo")));
    let voice = Callback::new(move |blob| take(blob, Source::Voice, Some("voice_note")));
    let signed = Callback::new(move |blob| take(blob, Source::Drawn, Some("consent")));
    let source = move || match stage.get() {
        Stage::Camera => view! { <CameraCapture on_taken=photo on_cancel=back /> }.into_any(),
        Stage::Voice => view! { <VoiceRecorder on_recorded=voice on_cancel=back /> }.into_any(),
        Stage::Signing => view! { <SignaturePad on_signed=signed on_cancel=back /> }.into_any(),
        Stage::Choosing | Stage::Failed(_) => {
            let failed = match stage.get() {
                Stage::Failed(text) => {
                    // Only "too large" has a number to fill in: the most any server keeps.
                    let most = (MOST_ATTACHMENT_BYTES / (1024 * 1024)).to_string();
                    let words = move || fill(t(lang.get(), text), "n", &most);
                    Some(view! { <p class="problem" role="alert">{words}</p> })
                }
                _ => None,
            };
            view! {
                {failed}
                <div class="file-sources">
                    <button type="button" class="button secondary" on:click=move |_| stage.set(Stage::Camera)>
                        {tr(Text::FileTakePhoto)}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| stage.set(Stage::Voice)>
                        {tr(Text::FileRecord)}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| stage.set(Stage::Signing)>
                        {tr(Text::FileSign)}
                    </button>
                    <label class="button secondary file-pick">
                        {tr(Text::FileChoose)}
                        <input type="file" accept="image/*,application/pdf" class="visually-hidden" on:change=chosen />
                    </label>
                </div>
            }
            .into_any()
        }
        Stage::Preparing => {
            view! { <p class="notice" role="status">{tr(Text::FilePreparing)}</p> }.into_any()
        }
        Stage::Ready(ready) => {
            let what = move || {
                let lang = lang.get();
                fill(
                    &fill(
                        t(lang, Text::FileReady),
                        "what",
                        t(lang, media_word(&ready.media_type)),
                    ),
                    "size",
                    &size_words(lang, ready.size),
                )
            };
            view! {
                <p class="file-ready" role="status">{what}</p>
                <button type="button" class="button secondary" on:click=again>
                    {tr(Text::FileRemove)}
                </button>
            }
            .into_any()
        }
    };
    // The entries of her case a file may belong with: a service, a session, a closure.
    let belongs = move || {
        let lang = lang.get();
        file.with(|found| match found {
            Some(Ok(Some(file))) => file
                .services
                .iter()
                .chain(&file.sessions)
                .chain(&file.closures)
                .map(|record| {
                    let title = super::timeline::entry_title(lang, record);
                    view! { <option value=record.id.to_string()>{title}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let to_id = control_id(F, "attached_to");
    view! {
        <PanelForm panel which=Panel::Attach heading=Text::CaseAddFile read set_problems draft on_reset on_fill>
            <div class="field file-field" id=control_id(F, "content") tabindex="-1" node_ref=holder>
                {HELD.map(|name| view! { <input type="hidden" name=name /> })}
                {source}
                <FieldProblem form=F field="content" problems />
            </div>
            <Choices form=F field="attachment_kind" legend=Text::FieldAttachmentKind codes=ATTACHMENT_KINDS many=false required=true problems />
            <TextField form=F field="caption" label=Text::FieldCaption kind="text" problems />
            <div class="field">
                <label for=to_id.clone()>{tr(Text::FieldAttachedTo)}</label>
                <select id=to_id name="attached_to">
                    <option value="">{tr(Text::FileWithCase)}</option>
                    {belongs}
                </select>
            </div>
        </PanelForm>
    }
}
