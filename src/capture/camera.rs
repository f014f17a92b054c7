//! The camera: the back camera's live picture, and the frame she sees taken as a JPEG at the
//! camera's own resolution, straight into Sakhi and never into the phone's gallery. The caller
//! makes it ready to keep with [`crate::photos::prepare`].

use super::{CaptureError, Device, LiveStream, failed, open};
use crate::components::alert;
use crate::i18n::{Text, tr};
use crate::photos::{self, LONG_SIDE, PhotoError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, HtmlVideoElement, ImageBitmap, MediaStream, MediaStreamConstraints, MediaTrackConstraints,
};

/// The JPEG quality of a frame as taken: nearly lossless, since [`photos::prepare`] encodes it
/// again at the size kept.
const FRAME_QUALITY: f64 = 0.92;

/// `HTMLMediaElement.HAVE_CURRENT_DATA`: the video has a frame to show.
const HAVE_CURRENT_DATA: u16 = 2;

/// Opens the back camera, where the phone has one, without sound.
///
/// Without a size asked for, browsers give 640×480, too coarse for a report's small print: the
/// size asked for is what a photo is kept at ([`LONG_SIDE`] on the long side, in the 4:3 shape of
/// most phone cameras). It is only an ideal: a camera that cannot give it gives its nearest.
pub async fn open_camera() -> Result<LiveStream, CaptureError> {
    let video = MediaTrackConstraints::new();
    // An ideal too, so that a phone or laptop with only a front camera still takes the photo.
    video.set_facing_mode_str("environment");
    video.set_width_i32(LONG_SIDE as i32);
    video.set_height_i32((LONG_SIDE * 3 / 4) as i32);
    let constraints = MediaStreamConstraints::new();
    constraints.set_video_media_track_constraints(&video);
    constraints.set_audio_bool(false);
    open(&constraints).await
}

/// The frame `video` shows now, as a JPEG of the camera's own width and height. A video not
/// playing yet is started first: until it plays, the browser may have no frame to give, even with
/// its size known.
pub async fn take_photo(video: &HtmlVideoElement) -> Result<Blob, CaptureError> {
    if video.paused() || video.ready_state() < HAVE_CURRENT_DATA {
        JsFuture::from(video.play().map_err(failed)?)
            .await
            .map_err(failed)?;
    }
    let window = web_sys::window().ok_or_else(|| CaptureError::Failed("no window".to_owned()))?;
    let grabbing = window
        .create_image_bitmap_with_html_video_element(video)
        .map_err(failed)?;
    let frame: ImageBitmap = JsFuture::from(grabbing)
        .await
        .map_err(failed)?
        .unchecked_into();
    let canvas = photos::drawn(&frame, frame.width(), frame.height()).map_err(not_encoded);
    // Free the frame now, not at the next GC: a phone camera's frame is several megabytes.
    frame.close();
    photos::jpeg(&canvas?, FRAME_QUALITY)
        .await
        .map_err(not_encoded)
}

fn not_encoded(error: PhotoError) -> CaptureError {
    CaptureError::Failed(error.to_string())
}

/// Where the camera stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Camera {
    /// Waiting for the browser (and her answer to its question) and for the picture to play.
    Opening,
    /// The live picture is shown; the photo can be taken.
    Live,
    Taking,
    /// The photo is handed on, the camera could not be opened, or she cancelled.
    Over,
}

/// The camera's live picture with "Take the photo" and Cancel. `on_taken` gets the frame as a
/// JPEG; the camera is off by then, as it is after Cancel and whenever this is unmounted.
#[component]
pub fn CameraCapture(on_taken: Callback<Blob>, on_cancel: Callback<()>) -> impl IntoView {
    let camera = StoredValue::new_local(None::<LiveStream>);
    // The same stream, for the video to show; a signal of its own so the view can follow it.
    let shown = RwSignal::new_local(None::<MediaStream>);
    let (state, set_state) = signal(Camera::Opening);
    let problem = RwSignal::new(None::<Text>);
    let video_ref = NodeRef::<leptos::html::Video>::new();

    let turn_off = move || {
        shown.try_set(None);
        if let Some(Some(live)) = camera.try_update_value(Option::take) {
            drop(live);
        }
    };

    spawn_local(async move {
        match open_camera().await {
            Ok(live) => {
                // Cancelled or unmounted while the browser asked her: turn the camera off at once.
                if state.try_get_untracked() != Some(Camera::Opening) {
                    drop(live);
                    return;
                }
                // `Clone::clone`, not `.clone()`: the latter is `MediaStream.clone()`, a second
                // stream with tracks of its own that stopping this one would not turn off.
                let stream = Clone::clone(live.stream());
                if let Some(unwanted) = camera.try_set_value(Some(live)) {
                    drop(unwanted);
                    return;
                }
                shown.set(Some(stream));
            }
            Err(error) => {
                if state.try_get_untracked() == Some(Camera::Opening) {
                    problem.set(Some(error.text(Device::Camera)));
                    set_state.set(Camera::Over);
                }
            }
        }
    });
    on_cleanup(turn_off);

    let take = move |_| {
        if state.get_untracked() != Camera::Live {
            return;
        }
        let Some(video) = video_ref.get_untracked() else {
            return;
        };
        set_state.set(Camera::Taking);
        problem.set(None);
        spawn_local(async move {
            match take_photo(&video).await {
                Ok(photo) => {
                    turn_off();
                    // Cancelled or unmounted meanwhile: the photo goes nowhere.
                    if state.try_get_untracked() != Some(Camera::Taking) {
                        return;
                    }
                    set_state.set(Camera::Over);
                    on_taken.run(photo);
                }
                Err(error) => {
                    if state.try_get_untracked() == Some(Camera::Taking) {
                        problem.set(Some(error.text(Device::Camera)));
                        set_state.set(Camera::Live);
                    }
                }
            }
        });
    };
    let cancel = move |_| {
        set_state.set(Camera::Over);
        turn_off();
        on_cancel.run(());
    };

    view! {
        <div class="capture camera">
            <p class="notice" role="status" hidden=move || state.get() != Camera::Opening || problem.with(Option::is_some)>
                {tr(Text::CaptureCameraOpening)}
            </p>
            {move || problem.get().map(alert)}
            <video
                class="camera-view"
                node_ref=video_ref
                autoplay=true
                muted=true
                playsinline=true
                prop:muted=true
                prop:srcObject=move || shown.get().map_or(JsValue::NULL, JsValue::from)
                aria-label=tr(Text::CaptureCameraView)
                hidden=move || shown.with(Option::is_none)
                on:playing=move |_| {
                    if state.get_untracked() == Camera::Opening {
                        set_state.set(Camera::Live);
                    }
                }
                // A browser may hold a muted picture that is off the screen paused, so `playing`
                // can wait for her to scroll; once the picture's size is known, the photo can be
                // taken (`take_photo` starts it playing first).
                on:loadedmetadata=move |_| {
                    if state.get_untracked() == Camera::Opening {
                        set_state.set(Camera::Live);
                    }
                }
            ></video>
            <div class="actions">
                <button
                    type="button"
                    class="button primary"
                    disabled=move || state.get() != Camera::Live
                    on:click=take
                >
                    {tr(Text::CaptureTakePhoto)}
                </button>
                <button type="button" class="button secondary" on:click=cancel>
                    {tr(Text::FormCancel)}
                </button>
            </div>
        </div>
    }
}
