//! Capturing a file on the phone, in a real browser with Chromium's fake camera and microphone
//! (`webdriver.json`): a photo taken at the camera's own size as a JPEG with the camera off after,
//! a voice note of the bare type the server keeps at a speech bitrate, and a signature as a PNG of
//! dark lines on white.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use leptos::prelude::*;
use sakhi::capture::camera::{CameraCapture, open_camera, take_photo};
use sakhi::capture::signature::{Pad, SignaturePad, png};
use sakhi::capture::voice::{VOICE_BITS_PER_SECOND, VoiceRecorder, start_recording};
use sakhi::capture::{LiveStream, clock};
use sakhi::i18n::{Lang, Language};
use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Blob, HtmlButtonElement, HtmlCanvasElement, HtmlElement, HtmlVideoElement, ImageBitmap,
    MediaStream, OffscreenCanvasRenderingContext2d,
};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn sleep(millis: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
            .unwrap();
    });
    JsFuture::from(wait).await.unwrap();
}

/// Calls `name` on `target` with no arguments.
fn call(target: &JsValue, name: &str) -> JsValue {
    let method: Function = Reflect::get(target, &name.into()).unwrap().unchecked_into();
    method.call0(target).unwrap()
}

fn number(target: &JsValue, name: &str) -> f64 {
    Reflect::get(target, &name.into())
        .unwrap()
        .as_f64()
        .unwrap()
}

fn tracks(stream: &MediaStream) -> Vec<JsValue> {
    stream.get_tracks().iter().collect()
}

/// `readyState` of each track: `live` while the device is in use, `ended` once it is off.
fn states(tracks: &[JsValue]) -> Vec<String> {
    tracks
        .iter()
        .map(|track| {
            Reflect::get(track, &"readyState".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect()
}

async fn decode(blob: &Blob) -> ImageBitmap {
    let window = web_sys::window().unwrap();
    JsFuture::from(window.create_image_bitmap_with_blob(blob).unwrap())
        .await
        .expect("a picture the browser can read")
        .unchecked_into()
}

/// The red, green and blue of the pixel at `x`, `y` of `picture`.
async fn pixel(picture: &Blob, x: u32, y: u32) -> [u8; 3] {
    let bitmap = decode(picture).await;
    let canvas = web_sys::OffscreenCanvas::new(bitmap.width(), bitmap.height()).unwrap();
    let context: OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    context
        .draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)
        .unwrap();
    // Through its name: `ImageData` is a web-sys feature the app itself does not need.
    let read: Function = Reflect::get(&context, &"getImageData".into())
        .unwrap()
        .unchecked_into();
    let place = Array::of4(&x.into(), &y.into(), &1.into(), &1.into());
    let image = Reflect::apply(&read, &context, &place).unwrap();
    let data: js_sys::Uint8ClampedArray = Reflect::get(&image, &"data".into())
        .unwrap()
        .unchecked_into();
    let data = data.to_vec();
    [data[0], data[1], data[2]]
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    js_sys::Uint8Array::new(&buffer).to_vec()
}

#[wasm_bindgen_test]
async fn a_photo_is_the_cameras_whole_frame_as_a_jpeg_and_the_camera_goes_off_after() {
    let camera: LiveStream = open_camera().await.expect("the fake camera opens");
    // The same stream (`.clone()` would be `MediaStream.clone()`, with tracks of its own).
    let stream = Clone::clone(camera.stream());
    let video_tracks = tracks(&stream);
    assert_eq!(video_tracks.len(), 1, "one video track and no sound");
    let settings = call(&video_tracks[0], "getSettings");
    let frame = (number(&settings, "width"), number(&settings, "height"));

    let video: HtmlVideoElement = document().create_element("video").unwrap().unchecked_into();
    video.set_muted(true);
    video.set_autoplay(true);
    video.set_src_object(Some(&stream));
    document().body().unwrap().append_child(&video).unwrap();

    let photo = take_photo(&video).await.expect("a photo");
    let shown = (video.video_width(), video.video_height());
    video.remove();
    drop(camera);
    assert_eq!(states(&video_tracks), ["ended"], "the camera is off");

    assert_eq!(photo.type_(), "image/jpeg");
    assert!(photo.size() > 1000.0, "{} bytes", photo.size());
    let bytes = bytes_of(&photo).await;
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "a JPEG's first bytes");
    let taken = decode(&photo).await;
    assert_eq!(
        (f64::from(taken.width()), f64::from(taken.height())),
        frame,
        "the camera's own size"
    );
    assert_eq!((taken.width(), taken.height()), shown, "the frame she saw");
}

#[wasm_bindgen_test]
async fn a_voice_note_is_opus_in_webm_at_a_speech_bitrate_and_the_microphone_goes_off_after() {
    let recording = start_recording()
        .await
        .expect("the fake microphone records");
    assert_eq!(recording.media_type(), "audio/webm");
    let microphone = tracks(recording.microphone());
    let started = js_sys::Date::now();
    sleep(2_000).await;
    assert!(
        (1..=3).contains(&recording.seconds()),
        "{}",
        recording.seconds()
    );
    let note = recording.finish().await.expect("a voice note");
    let seconds = (js_sys::Date::now() - started) / 1000.0;
    assert_eq!(states(&microphone), ["ended"], "the microphone is off");

    assert_eq!(note.type_(), "audio/webm", "the bare type, no codecs");
    assert!(note.size() > 0.0);
    let most = f64::from(VOICE_BITS_PER_SECOND) / 8.0 * seconds * 1.5;
    assert!(
        note.size() < most,
        "{} bytes in {seconds:.1} s, more than {most:.0}",
        note.size()
    );
    let bytes = bytes_of(&note).await;
    assert_eq!(
        &bytes[..4],
        &[0x1A, 0x45, 0xDF, 0xA3],
        "an EBML (WebM) header"
    );
    assert!(
        bytes.windows(6).any(|window| window == b"A_OPUS"),
        "the audio is Opus"
    );
}

#[wasm_bindgen_test]
async fn a_voice_note_thrown_away_turns_the_microphone_off() {
    let recording = start_recording()
        .await
        .expect("the fake microphone records");
    let microphone = tracks(recording.microphone());
    assert_eq!(states(&microphone), ["live"]);
    sleep(300).await;
    drop(recording);
    assert_eq!(states(&microphone), ["ended"], "the microphone is off");
}

#[wasm_bindgen_test]
async fn a_signature_is_a_png_of_dark_lines_on_white() {
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas
        .set_attribute("style", "display: block; width: 300px; height: 180px")
        .unwrap();
    document().body().unwrap().append_child(&canvas).unwrap();

    let mut pad = Pad::new(canvas.clone()).expect("a pad");
    assert!(!pad.is_drawn());
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(
        (canvas.width(), canvas.height()),
        (
            (300.0 * ratio).round() as u32,
            (180.0 * ratio).round() as u32
        )
    );
    pad.start(20.0, 90.0);
    for step in 1..=26 {
        pad.extend(20.0 + f64::from(step) * 10.0, 90.0);
    }
    pad.end();
    assert!(pad.is_drawn());

    let signature = png(&canvas).await.expect("a PNG");
    canvas.remove();
    assert_eq!(signature.type_(), "image/png");
    assert!(signature.size() > 0.0);
    let bitmap = decode(&signature).await;
    assert_eq!(
        (bitmap.width(), bitmap.height()),
        (canvas.width(), canvas.height())
    );
    let on_the_line = pixel(&signature, canvas.width() / 2, canvas.height() / 2).await;
    assert!(
        on_the_line.iter().all(|&c| c < 80),
        "the line is dark: {on_the_line:?}"
    );
    let corner = pixel(&signature, 3, 3).await;
    assert_eq!(corner, [255, 255, 255], "the paper is white");

    pad.clear();
    assert!(!pad.is_drawn());
    let cleared = png(&canvas).await.unwrap();
    let middle = pixel(&cleared, canvas.width() / 2, canvas.height() / 2).await;
    assert_eq!(middle, [255, 255, 255], "Clear leaves white");
}

#[wasm_bindgen_test]
fn the_timer_reads_minutes_and_seconds() {
    assert_eq!(clock(125), "2:05");
}

// The components, mounted as the case page mounts them and unmounted as quick exit or the
// auto-lock does.

thread_local! {
    /// What a component handed on, and how many times.
    static HANDED_ON: RefCell<Vec<Blob>> = const { RefCell::new(Vec::new()) };
    static CANCELLED: Cell<u32> = const { Cell::new(0) };
}

fn handed_on() -> Vec<Blob> {
    HANDED_ON.with_borrow(Clone::clone)
}

fn keep(blob: Blob) {
    HANDED_ON.with_borrow_mut(|kept| kept.push(blob));
}

fn cancelled() {
    CANCELLED.set(CANCELLED.get() + 1);
}

/// A fresh place in the page for a component, and nothing handed on yet.
fn place() -> HtmlElement {
    HANDED_ON.with_borrow_mut(Vec::clear);
    CANCELLED.set(0);
    let place: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&place).unwrap();
    place
}

/// Waits, up to `millis`, for `done` to hold; whether it did.
async fn until(millis: u32, done: impl Fn() -> bool) -> bool {
    for _ in 0..millis / 50 {
        if done() {
            return true;
        }
        sleep(50).await;
    }
    done()
}

/// The button in `place` that says `words`.
fn button(place: &HtmlElement, words: &str) -> HtmlButtonElement {
    let buttons = place.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|at| buttons.get(at))
        .map(|node| node.unchecked_into::<HtmlButtonElement>())
        .find(|button| button.text_content().unwrap_or_default().trim() == words)
        .unwrap_or_else(|| panic!("no button {words:?}"))
}

/// Every stream the page is given by `getUserMedia` from now on, kept in `window.sakhiStreams`,
/// so a test can see a component's camera or microphone that the component keeps to itself.
fn watch_streams() {
    Function::new_no_args(
        "if (!window.sakhiStreams) { \
           const devices = navigator.mediaDevices; \
           const open = devices.getUserMedia.bind(devices); \
           devices.getUserMedia = c => open(c).then(s => { window.sakhiStreams.push(s); return s; }); \
         } \
         window.sakhiStreams = [];",
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap();
}

fn watched_tracks() -> Vec<JsValue> {
    let streams: Array = Reflect::get(&web_sys::window().unwrap(), &"sakhiStreams".into())
        .unwrap()
        .unchecked_into();
    streams
        .iter()
        .flat_map(|stream| tracks(stream.unchecked_ref()))
        .collect()
}

#[wasm_bindgen_test]
async fn the_camera_goes_off_when_its_screen_is_unmounted() {
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <CameraCapture on_taken=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    let take = button(&place, "Take the photo");
    assert!(take.disabled(), "no photo before the picture plays");
    assert!(until(5_000, || !take.disabled()).await, "the picture plays");
    let video: HtmlVideoElement = place
        .query_selector("video")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let shown = video.src_object().expect("the video shows the camera");
    let camera = tracks(&shown);
    assert_eq!(states(&camera), ["live"]);

    drop(mounted);
    assert_eq!(states(&camera), ["ended"], "the camera is off");
    assert!(handed_on().is_empty());
    place.remove();
}

#[wasm_bindgen_test]
async fn the_camera_screen_hands_on_one_photo_and_turns_the_camera_off() {
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <CameraCapture on_taken=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    let take = button(&place, "Take the photo");
    assert!(until(5_000, || !take.disabled()).await);
    let video: HtmlVideoElement = place
        .query_selector("video")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let camera = tracks(&video.src_object().unwrap());
    take.click();
    assert!(until(5_000, || !handed_on().is_empty()).await, "a photo");
    let photos = handed_on();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].type_(), "image/jpeg");
    assert_eq!(states(&camera), ["ended"], "the camera is off");
    assert!(take.disabled(), "one photo, not two");
    drop(mounted);
    place.remove();
}

#[wasm_bindgen_test]
async fn a_voice_note_cut_by_unmounting_is_thrown_away_and_the_microphone_goes_off() {
    watch_streams();
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <VoiceRecorder on_recorded=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    assert!(watched_tracks().is_empty(), "nothing records before Record");
    button(&place, "Start recording").click();
    assert!(
        until(5_000, || place
            .text_content()
            .unwrap_or_default()
            .contains("Stop recording"))
        .await,
        "recording"
    );
    let microphone = watched_tracks();
    assert_eq!(states(&microphone), ["live"]);
    sleep(1_100).await;
    assert!(
        place.text_content().unwrap_or_default().contains("0:01"),
        "the timer counts"
    );

    drop(mounted);
    assert_eq!(states(&microphone), ["ended"], "the microphone is off");
    sleep(500).await;
    assert!(handed_on().is_empty(), "nothing handed on");
    place.remove();
}

#[wasm_bindgen_test]
async fn the_voice_recorder_hands_on_the_note_at_stop() {
    watch_streams();
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <VoiceRecorder on_recorded=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    let timer = place
        .query_selector("[role=timer]")
        .unwrap()
        .expect("a timer");
    assert_eq!(timer.get_attribute("aria-live").as_deref(), Some("off"));
    let name = timer.get_attribute("aria-labelledby").expect("a name");
    assert!(document().get_element_by_id(&name).is_some());

    button(&place, "Start recording").click();
    assert!(
        until(5_000, || place
            .text_content()
            .unwrap_or_default()
            .contains("Stop recording"))
        .await
    );
    sleep(1_200).await;
    button(&place, "Stop recording").click();
    assert!(
        until(5_000, || !handed_on().is_empty()).await,
        "a voice note"
    );
    let notes = handed_on();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].type_(), "audio/webm");
    assert!(notes[0].size() > 0.0);
    assert_eq!(
        states(&watched_tracks()),
        ["ended"],
        "the microphone is off"
    );
    drop(mounted);
    place.remove();
}

#[wasm_bindgen_test]
async fn the_signature_pad_hands_on_a_png_once_something_is_drawn() {
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <SignaturePad on_signed=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    let canvas: HtmlCanvasElement = place
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(canvas.get_attribute("aria-label").is_some());
    let done = button(&place, "Done");
    assert!(done.disabled(), "nothing to hand on yet");

    // A finger drawn across the pad, as the browser would report it.
    Function::new_with_args(
        "pad",
        "const box = pad.getBoundingClientRect(); \
         const at = (type, x) => pad.dispatchEvent(new PointerEvent(type, { \
           bubbles: true, cancelable: true, pointerId: 7, pointerType: 'touch', isPrimary: true, \
           button: type === 'pointermove' ? -1 : 0, \
           clientX: box.left + x, clientY: box.top + box.height / 2 })); \
         at('pointerdown', 20); \
         for (let x = 30; x <= box.width - 20; x += 10) at('pointermove', x); \
         at('pointerup', box.width - 20);",
    )
    .call1(&JsValue::UNDEFINED, &canvas)
    .unwrap();
    assert!(until(1_000, || !done.disabled()).await, "Done, once drawn");

    button(&place, "Clear the box").click();
    assert!(
        until(1_000, || done.disabled()).await,
        "cleared, nothing to hand on"
    );

    Function::new_with_args(
        "pad",
        "const box = pad.getBoundingClientRect(); \
         const at = (type, x) => pad.dispatchEvent(new PointerEvent(type, { \
           bubbles: true, cancelable: true, pointerId: 8, pointerType: 'pen', isPrimary: true, \
           button: type === 'pointermove' ? -1 : 0, \
           clientX: box.left + x, clientY: box.top + box.height / 2 })); \
         at('pointerdown', 20); \
         for (let x = 30; x <= box.width - 20; x += 10) at('pointermove', x); \
         at('pointerup', box.width - 20);",
    )
    .call1(&JsValue::UNDEFINED, &canvas)
    .unwrap();
    assert!(until(1_000, || !done.disabled()).await);
    done.click();
    assert!(
        until(5_000, || !handed_on().is_empty()).await,
        "a signature"
    );
    let signature = handed_on().remove(0);
    assert_eq!(signature.type_(), "image/png");
    let middle = pixel(&signature, canvas.width() / 2, canvas.height() / 2).await;
    assert!(middle.iter().all(|&c| c < 80), "the line: {middle:?}");

    button(&place, "Cancel").click();
    assert_eq!(CANCELLED.get(), 1);
    drop(mounted);
    place.remove();
}

#[wasm_bindgen_test]
async fn cancel_while_the_camera_opens_leaves_it_off() {
    watch_streams();
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <CameraCapture on_taken=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    button(&place, "Cancel").click();
    assert_eq!(CANCELLED.get(), 1);
    assert!(
        until(5_000, || !watched_tracks().is_empty()).await,
        "the browser opened the camera"
    );
    sleep(300).await;
    assert_eq!(states(&watched_tracks()), ["ended"], "the camera is off");
    drop(mounted);
    place.remove();
}

#[wasm_bindgen_test]
async fn cancel_while_the_microphone_opens_leaves_it_off_and_records_nothing() {
    watch_streams();
    let place = place();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::En);
        view! { <VoiceRecorder on_recorded=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) /> }
    });
    button(&place, "Start recording").click();
    button(&place, "Cancel").click();
    assert!(
        until(5_000, || !watched_tracks().is_empty()).await,
        "the browser opened the microphone"
    );
    sleep(300).await;
    assert_eq!(
        states(&watched_tracks()),
        ["ended"],
        "the microphone is off"
    );
    assert!(
        place
            .text_content()
            .unwrap_or_default()
            .contains("Start recording"),
        "ready to record again"
    );
    assert!(handed_on().is_empty());
    drop(mounted);
    place.remove();
}

#[wasm_bindgen_test]
async fn at_a_phones_width_every_button_is_a_thumbs_size_and_the_pad_takes_every_touch() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style/sakhi.css")));
    document().head().unwrap().append_child(&style).unwrap();
    let place = place();
    // The width of a 360 px phone's page, less main's padding.
    place.set_attribute("style", "width: 328px").unwrap();
    let mounted = leptos::mount::mount_to(place.clone(), || {
        Language::provide(Lang::Hi);
        view! {
            <CameraCapture on_taken=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) />
            <VoiceRecorder on_recorded=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) />
            <SignaturePad on_signed=Callback::new(keep) on_cancel=Callback::new(|()| cancelled()) />
        }
    });
    sleep(100).await;

    let buttons = place.query_selector_all("button").unwrap();
    assert_eq!(buttons.length(), 7);
    for at in 0..buttons.length() {
        let button: HtmlElement = buttons.get(at).unwrap().unchecked_into();
        let size = call(&button, "getBoundingClientRect");
        let (width, height) = (number(&size, "width"), number(&size, "height"));
        assert!(
            width >= 44.0 && height >= 44.0,
            "{:?} is {width}×{height}",
            button.text_content(),
        );
        assert!(
            number(&size, "right") <= 328.5,
            "{:?} fits",
            button.text_content()
        );
    }

    let canvas: HtmlCanvasElement = place
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let size = call(&canvas, "getBoundingClientRect");
    assert_eq!(
        (number(&size, "width"), number(&size, "height")),
        (328.0, 180.0)
    );
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(
        f64::from(canvas.width()),
        (f64::from(canvas.client_width()) * ratio).round()
    );
    let computed: Function = Reflect::get(&web_sys::window().unwrap(), &"getComputedStyle".into())
        .unwrap()
        .unchecked_into();
    let style_of_pad = computed.call1(&JsValue::UNDEFINED, &canvas).unwrap();
    let touch = Reflect::get(&style_of_pad, &"touchAction".into()).unwrap();
    assert_eq!(touch.as_string().as_deref(), Some("none"));

    drop(mounted);
    place.remove();
    style.remove();
}
