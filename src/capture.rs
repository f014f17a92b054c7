//! Making a file on the phone itself, for the case page's "Add a file": a photo from the camera that
//! never passes through the phone's gallery, a voice note, and her signature or thumb impression.
//! Each gives back a `Blob`; nothing here stores or sends anything.
//!
//! What the three share lives here: the camera or microphone opened through `getUserMedia`, held
//! as a [`LiveStream`] that turns the device off when dropped (so the camera light goes out when a
//! component is unmounted by quick exit or the auto-lock), and why a device could not be used, in
//! her language.

pub mod camera;
pub mod signature;
pub mod voice;

use crate::i18n::Text;
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, MediaStream, MediaStreamConstraints, MediaStreamTrack};

/// Why a photo, a voice note or a signature could not be made.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CaptureError {
    /// She, the browser or the phone's settings refused the camera or microphone.
    #[error("the browser was not allowed to use the device")]
    Refused,
    /// There is no such device, or another app holds it.
    #[error("no device of this kind could be used")]
    Unavailable,
    /// The browser cannot record a voice note in a format the server keeps.
    #[error("the browser cannot record in a format the server keeps")]
    Unsupported,
    /// Something else went wrong on the way (drawing, encoding, recording).
    #[error("capturing failed: {0}")]
    Failed(String),
}

/// Which device a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Camera,
    Microphone,
}

impl CaptureError {
    /// The error a `getUserMedia` refusal named `name` (a `DOMException`'s name) stands for.
    pub fn from_refusal(name: &str) -> CaptureError {
        match name {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => CaptureError::Refused,
            "NotFoundError"
            | "NotReadableError"
            | "OverconstrainedError"
            | "AbortError"
            | "DevicesNotFoundError"
            | "TrackStartError" => CaptureError::Unavailable,
            other => CaptureError::Failed(other.to_owned()),
        }
    }

    /// What she is told, for a problem with `device`.
    pub fn text(&self, device: Device) -> Text {
        match (self, device) {
            (CaptureError::Refused, Device::Camera) => Text::CaptureCameraRefused,
            (CaptureError::Refused, Device::Microphone) => Text::CaptureMicrophoneRefused,
            (CaptureError::Unavailable, Device::Camera) => Text::CaptureCameraAbsent,
            (CaptureError::Unavailable, Device::Microphone) => Text::CaptureMicrophoneAbsent,
            (CaptureError::Unsupported, _) => Text::CaptureVoiceUnsupported,
            (CaptureError::Failed(_), _) => Text::CaptureFailed,
        }
    }
}

/// A failure of a browser call that is not a refusal, kept for the console, never shown.
pub(crate) fn failed(error: JsValue) -> CaptureError {
    CaptureError::Failed(format!("{error:?}"))
}

/// A camera or microphone in use. Dropping it stops every track, which turns the device off.
#[derive(Debug)]
pub struct LiveStream(MediaStream);

impl LiveStream {
    /// The stream, to show in a `<video>` or to record.
    pub fn stream(&self) -> &MediaStream {
        &self.0
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        for track in self.0.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    }
}

/// Opens the devices `constraints` ask for. A browser without `navigator.mediaDevices` (an old
/// one, or a page not served over HTTPS) has no device to give.
pub(crate) async fn open(constraints: &MediaStreamConstraints) -> Result<LiveStream, CaptureError> {
    let navigator = web_sys::window()
        .ok_or(CaptureError::Unavailable)?
        .navigator();
    let has_devices = js_sys::Reflect::get(&navigator, &JsValue::from_str("mediaDevices"))
        .is_ok_and(|devices| !devices.is_undefined() && !devices.is_null());
    if !has_devices {
        return Err(CaptureError::Unavailable);
    }
    let asking = navigator
        .media_devices()
        .map_err(|_| CaptureError::Unavailable)?
        .get_user_media_with_constraints(constraints)
        .map_err(refusal)?;
    let stream = JsFuture::from(asking).await.map_err(refusal)?;
    Ok(LiveStream(stream.unchecked_into()))
}

fn refusal(error: JsValue) -> CaptureError {
    match error.dyn_ref::<DomException>() {
        Some(exception) => CaptureError::from_refusal(&exception.name()),
        None => failed(error),
    }
}

/// `m:ss`, the way a phone shows a recording's length.
pub fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_is_shown_as_minutes_and_two_digit_seconds() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(9), "0:09");
        assert_eq!(clock(59), "0:59");
        assert_eq!(clock(60), "1:00");
        assert_eq!(clock(61), "1:01");
        assert_eq!(clock(300), "5:00");
        assert_eq!(clock(3_599), "59:59");
        assert_eq!(clock(3_600), "60:00");
    }

    #[test]
    fn a_refusal_is_told_apart_from_a_missing_or_busy_device() {
        assert_eq!(
            CaptureError::from_refusal("NotAllowedError"),
            CaptureError::Refused
        );
        assert_eq!(
            CaptureError::from_refusal("SecurityError"),
            CaptureError::Refused
        );
        for name in ["NotFoundError", "NotReadableError", "OverconstrainedError"] {
            assert_eq!(
                CaptureError::from_refusal(name),
                CaptureError::Unavailable,
                "{name}"
            );
        }
        assert_eq!(
            CaptureError::from_refusal("TypeError"),
            CaptureError::Failed("TypeError".to_owned())
        );
    }

    #[test]
    fn each_problem_is_told_for_the_device_it_is_about() {
        assert_eq!(
            CaptureError::Refused.text(Device::Camera),
            Text::CaptureCameraRefused
        );
        assert_eq!(
            CaptureError::Refused.text(Device::Microphone),
            Text::CaptureMicrophoneRefused
        );
        assert_eq!(
            CaptureError::Unavailable.text(Device::Camera),
            Text::CaptureCameraAbsent
        );
        assert_eq!(
            CaptureError::Unavailable.text(Device::Microphone),
            Text::CaptureMicrophoneAbsent
        );
        assert_eq!(
            CaptureError::Failed("x".to_owned()).text(Device::Camera),
            Text::CaptureFailed
        );
    }
}
