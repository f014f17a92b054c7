//! A voice note: her words recorded from the microphone as Opus at a speech bitrate, up to
//! [`MOST_VOICE_SECONDS`], and given back as one file of a type the server keeps.

use super::{CaptureError, Device, LiveStream, clock, failed, open};
use crate::components::alert;
use crate::i18n::{Text, fill, t, tr, use_lang};
use js_sys::{Array, Promise};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream,
    MediaStreamConstraints, RecordingState,
};

/// The longest voice note, in seconds: recording stops by itself there.
pub const MOST_VOICE_SECONDS: u32 = 300;

/// The recorder's bitrate: enough for speech in Opus, and five minutes stay under a megabyte for
/// a 2G link.
pub const VOICE_BITS_PER_SECOND: u32 = 24_000;

/// A format a voice note is recorded in: what the recorder is asked for, and the bare media type
/// the file is given, the only form the server accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoiceFormat {
    pub recorder: &'static str,
    pub media_type: &'static str,
}

/// The formats tried, the first the browser can record being used.
pub const VOICE_FORMATS: [VoiceFormat; 2] = [
    VoiceFormat {
        recorder: "audio/webm;codecs=opus",
        media_type: "audio/webm",
    },
    VoiceFormat {
        recorder: "audio/ogg;codecs=opus",
        media_type: "audio/ogg",
    },
];

/// The first of [`VOICE_FORMATS`] that `can_record` accepts.
pub fn voice_format(can_record: impl Fn(&str) -> bool) -> Option<VoiceFormat> {
    VOICE_FORMATS
        .into_iter()
        .find(|format| can_record(format.recorder))
}

/// The format this browser records voice notes in; `None` where it has no recorder at all, or
/// none that writes Opus in WebM or Ogg.
pub fn supported_format() -> Option<VoiceFormat> {
    let global = js_sys::global();
    let has_recorder =
        js_sys::Reflect::has(&global, &JsValue::from_str("MediaRecorder")).unwrap_or(false);
    has_recorder
        .then(|| voice_format(MediaRecorder::is_type_supported))
        .flatten()
}

/// Whole seconds in `millis` milliseconds; none for a clock that went back.
pub fn whole_seconds(millis: f64) -> u32 {
    if millis.is_nan() || millis <= 0.0 {
        return 0;
    }
    (millis / 1000.0).floor().min(f64::from(u32::MAX)) as u32
}

/// A voice note being recorded. Dropping it stops the recorder, throws away what it recorded and
/// turns the microphone off; [`Recording::finish`] gives the recording instead.
pub struct Recording {
    recorder: MediaRecorder,
    format: VoiceFormat,
    chunks: Rc<RefCell<Vec<Blob>>>,
    /// Settles when the recorder has stopped, whether asked to or by itself (the microphone lost).
    stopped: Promise,
    started_at: f64,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
    // Last, so the microphone goes off after the recorder has been told to stop.
    microphone: LiveStream,
}

/// Opens the microphone and starts recording. The format is settled first, so a browser that
/// cannot record does not ask her for the microphone in vain.
pub async fn start_recording() -> Result<Recording, CaptureError> {
    let format = supported_format().ok_or(CaptureError::Unsupported)?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio_bool(true);
    constraints.set_video_bool(false);
    let microphone = open(&constraints).await?;
    let options = MediaRecorderOptions::new();
    options.set_mime_type(format.recorder);
    options.set_audio_bits_per_second(VOICE_BITS_PER_SECOND);
    let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(
        microphone.stream(),
        &options,
    )
    .map_err(failed)?;
    let chunks = Rc::new(RefCell::new(Vec::new()));
    let on_data = Closure::<dyn FnMut(BlobEvent)>::new({
        let chunks = Rc::clone(&chunks);
        move |event: BlobEvent| {
            if let Some(data) = event.data().filter(|data| data.size() > 0.0) {
                chunks.borrow_mut().push(data);
            }
        }
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    let stopped = Promise::new(&mut |resolve, _reject| recorder.set_onstop(Some(&resolve)));
    let recording = Recording {
        recorder,
        format,
        chunks,
        stopped,
        started_at: js_sys::Date::now(),
        _on_data: on_data,
        microphone,
    };
    recording.recorder.start().map_err(failed)?;
    Ok(recording)
}

impl Recording {
    /// The bare media type the recording will have.
    pub fn media_type(&self) -> &'static str {
        self.format.media_type
    }

    /// The microphone's stream being recorded.
    pub fn microphone(&self) -> &MediaStream {
        self.microphone.stream()
    }

    /// How long it has been recording, in whole seconds.
    pub fn seconds(&self) -> u32 {
        whole_seconds(js_sys::Date::now() - self.started_at)
    }

    /// Stops recording, turns the microphone off, and gives the voice note as one file of the
    /// bare media type (`audio/webm` or `audio/ogg`).
    pub async fn finish(self) -> Result<Blob, CaptureError> {
        if self.recorder.state() != RecordingState::Inactive {
            self.recorder.stop().map_err(failed)?;
        }
        JsFuture::from(self.stopped.clone()).await.map_err(failed)?;
        let parts: Array = self.chunks.borrow().iter().collect();
        if parts.length() == 0 {
            return Err(CaptureError::Failed("nothing was recorded".to_owned()));
        }
        let options = BlobPropertyBag::new();
        options.set_type(self.format.media_type);
        Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(failed)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        // Let go of the handlers first: the recorder's last events must not reach a closure
        // that is being dropped.
        self.recorder.set_ondataavailable(None);
        self.recorder.set_onstop(None);
        if self.recorder.state() != RecordingState::Inactive {
            let _ = self.recorder.stop();
        }
    }
}

/// Where the voice recorder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Voice {
    Ready,
    /// Waiting for the microphone (and her answer to the browser's question).
    Starting,
    Recording,
    Finishing,
}

/// Record and Stop in one button, with the time recorded and Cancel. Recording starts when she
/// presses Record and stops at Stop or after [`MOST_VOICE_SECONDS`]; `on_recorded` then gets the
/// voice note. Cancel, or unmounting it, throws the recording away and turns the microphone off.
#[component]
pub fn VoiceRecorder(on_recorded: Callback<Blob>, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let recording = StoredValue::new_local(None::<Recording>);
    let ticking = StoredValue::new(None::<IntervalHandle>);
    // Which press of Record the work under way belongs to; Cancel and unmounting move it on, so
    // a microphone that opens or a recording that ends after them is thrown away.
    let session = StoredValue::new(0u32);
    let (state, set_state) = signal(Voice::Ready);
    let (seconds, set_seconds) = signal(0u32);
    let problem = RwSignal::new(None::<Text>);

    let stop_ticking = move || {
        if let Some(Some(handle)) = ticking.try_update_value(Option::take) {
            handle.clear();
        }
    };
    let discard = move || {
        session.try_update_value(|session| *session = session.wrapping_add(1));
        stop_ticking();
        if let Some(Some(cut)) = recording.try_update_value(Option::take) {
            drop(cut);
        }
    };
    on_cleanup(discard);

    let stop = move || {
        if state.get_untracked() != Voice::Recording {
            return;
        }
        stop_ticking();
        let Some(Some(taken)) = recording.try_update_value(Option::take) else {
            return;
        };
        let mine = session.get_value();
        set_state.set(Voice::Finishing);
        spawn_local(async move {
            let finished = taken.finish().await;
            if session.try_get_value() != Some(mine) {
                // Cancelled or unmounted while the recorder stopped: the recording goes nowhere.
                return;
            }
            set_state.set(Voice::Ready);
            match finished {
                Ok(note) => on_recorded.run(note),
                Err(error) => {
                    set_seconds.set(0);
                    problem.set(Some(error.text(Device::Microphone)));
                }
            }
        });
    };
    let tick = move || {
        let Some(Some(now)) =
            recording.try_with_value(|recording| recording.as_ref().map(Recording::seconds))
        else {
            return;
        };
        let now = now.min(MOST_VOICE_SECONDS);
        if seconds.get_untracked() != now {
            set_seconds.set(now);
        }
        if now >= MOST_VOICE_SECONDS {
            stop();
        }
    };
    let start = move || {
        if state.get_untracked() != Voice::Ready {
            return;
        }
        problem.set(None);
        set_seconds.set(0);
        set_state.set(Voice::Starting);
        let mine = session.get_value();
        spawn_local(async move {
            let started = start_recording().await;
            if session.try_get_value() != Some(mine) {
                // Cancelled or unmounted while the microphone opened: dropping what was started
                // turns it off at once.
                return;
            }
            match started {
                Ok(started) => {
                    if let Some(unwanted) = recording.try_set_value(Some(started)) {
                        drop(unwanted);
                        return;
                    }
                    set_state.set(Voice::Recording);
                    // A quarter of a second, so the shown second turns when it should; the time
                    // itself is read from the clock, not counted in ticks.
                    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(250)) {
                        ticking.set_value(Some(handle));
                    }
                }
                Err(error) => {
                    set_state.set(Voice::Ready);
                    problem.set(Some(error.text(Device::Microphone)));
                }
            }
        });
    };
    let press = move |_| match state.get_untracked() {
        Voice::Ready => start(),
        Voice::Recording => stop(),
        Voice::Starting | Voice::Finishing => {}
    };
    let cancel = move |_| {
        discard();
        set_state.set(Voice::Ready);
        set_seconds.set(0);
        on_cancel.run(());
    };

    let record_text = tr(Text::CaptureRecord);
    let stop_text = tr(Text::CaptureStop);
    let limit = move || {
        fill(
            t(lang.get(), Text::CaptureVoiceLimit),
            "minutes",
            &(MOST_VOICE_SECONDS / 60).to_string(),
        )
    };
    view! {
        <div class="capture voice">
            <p class="voice-limit">{limit}</p>
            <div
                class="voice-clock"
                class:recording=move || state.get() == Voice::Recording
                role="timer"
                aria-live="off"
                aria-labelledby="voice-clock-label"
            >
                <span class="voice-dot" aria-hidden="true"></span>
                <span id="voice-clock-label">{tr(Text::CaptureVoiceTimer)}</span>
                <span class="voice-time">
                    {move || clock(seconds.get())}
                    <span class="voice-most">" / " {clock(MOST_VOICE_SECONDS)}</span>
                </span>
            </div>
            {move || problem.get().map(alert)}
            <div class="actions">
                <button
                    type="button"
                    class="button primary"
                    disabled=move || matches!(state.get(), Voice::Starting | Voice::Finishing)
                    on:click=press
                >
                    {move || {
                        if matches!(state.get(), Voice::Recording | Voice::Finishing) {
                            stop_text()
                        } else {
                            record_text()
                        }
                    }}
                </button>
                <button type="button" class="button secondary" on:click=cancel>
                    {tr(Text::FormCancel)}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webm_is_preferred_and_ogg_taken_where_webm_cannot_be_recorded() {
        assert_eq!(voice_format(|_| true), Some(VOICE_FORMATS[0]));
        assert_eq!(
            voice_format(|format| format.starts_with("audio/ogg")),
            Some(VOICE_FORMATS[1])
        );
        assert_eq!(voice_format(|format| format == "audio/mp4"), None);
    }

    #[test]
    fn a_voice_note_is_given_only_a_type_the_server_accepts() {
        for format in VOICE_FORMATS {
            assert!(
                ["audio/webm", "audio/ogg"].contains(&format.media_type),
                "{format:?}"
            );
            assert!(format.recorder.starts_with(format.media_type));
            assert!(format.recorder.ends_with(";codecs=opus"));
        }
    }

    #[test]
    fn seconds_are_counted_whole_and_never_below_nothing() {
        assert_eq!(whole_seconds(0.0), 0);
        assert_eq!(whole_seconds(999.9), 0);
        assert_eq!(whole_seconds(1000.0), 1);
        assert_eq!(whole_seconds(299_999.0), 299);
        assert_eq!(whole_seconds(-5_000.0), 0);
        assert_eq!(whole_seconds(f64::NAN), 0);
    }

    #[test]
    fn five_minutes_fit_in_about_a_megabyte() {
        let bytes = u64::from(VOICE_BITS_PER_SECOND / 8) * u64::from(MOST_VOICE_SECONDS);
        assert!(bytes <= 1_000_000, "{bytes}");
    }
}
