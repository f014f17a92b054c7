//! A photo made ready to keep with a case: drawn again at most [`LONG_SIDE`] pixels on its long
//! side and encoded afresh as JPEG, so that a document stays legible, the file is small on the
//! phone and on a 2G link (typically well under [`TARGET_BYTES`]), and nothing of the camera's
//! file survives: no EXIF, above all no GPS position of where she was, since an encoded canvas
//! carries only pixels. The photo is turned upright first, as its EXIF said, since the browser
//! decodes it that way.

use js_sys::Promise;
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ImageBitmap, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

/// The longest side of a photo kept, in pixels: a page of A4 at about 190 dots an inch, enough to
/// read a report's small print.
pub const LONG_SIDE: u32 = 1600;

/// The size a photo kept should not pass, in bytes; the quality steps down until it fits.
pub const TARGET_BYTES: f64 = 300.0 * 1024.0;

/// JPEG qualities tried in turn until the photo fits in [`TARGET_BYTES`]; the last is kept
/// whatever its size.
const QUALITIES: [f64; 3] = [0.8, 0.68, 0.55];

/// Why a photo could not be made ready.
#[derive(Debug, Error)]
pub enum PhotoError {
    /// The file is not a picture this browser can read.
    #[error("the file is not a picture this browser can read")]
    Unreadable,
    /// Drawing or encoding it failed.
    #[error("the picture could not be drawn again: {0}")]
    Encode(String),
}

fn encode_failed(error: JsValue) -> PhotoError {
    PhotoError::Encode(format!("{error:?}"))
}

/// The width and height of a picture of `width` by `height` drawn at most [`LONG_SIDE`] on its
/// long side, keeping its shape; a smaller one keeps its size.
pub fn fitted(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= LONG_SIDE || long == 0 {
        return (width, height);
    }
    let scale = f64::from(LONG_SIDE) / f64::from(long);
    let side = |side: u32| ((f64::from(side) * scale).round() as u32).max(1);
    (side(width), side(height))
}

/// `photo` (a JPEG, PNG or WebP from the camera or the phone's files) drawn again as a JPEG of at
/// most [`LONG_SIDE`] pixels on its long side, without any of its metadata.
pub async fn prepare(photo: &Blob) -> Result<Blob, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::Unreadable)?;
    let decoding = window
        .create_image_bitmap_with_blob(photo)
        .map_err(|_| PhotoError::Unreadable)?;
    let bitmap: ImageBitmap = JsFuture::from(decoding)
        .await
        .map_err(|_| PhotoError::Unreadable)?
        .unchecked_into();
    let (width, height) = fitted(bitmap.width(), bitmap.height());
    let canvas = drawn(&bitmap, width, height)?;
    // The decoded picture is not needed past this point: free it now, not at the next GC.
    bitmap.close();
    let mut kept = None;
    for quality in QUALITIES {
        let blob = jpeg(&canvas, quality).await?;
        let fits = blob.size() <= TARGET_BYTES;
        kept = Some(blob);
        if fits {
            break;
        }
    }
    kept.ok_or_else(|| PhotoError::Encode("no quality was tried".to_owned()))
}

/// A new canvas of `width` by `height` with `bitmap` drawn on the whole of it.
pub(crate) fn drawn(
    bitmap: &ImageBitmap,
    width: u32,
    height: u32,
) -> Result<OffscreenCanvas, PhotoError> {
    let canvas = OffscreenCanvas::new(width, height).map_err(encode_failed)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(encode_failed)?
        .ok_or_else(|| PhotoError::Encode("no 2D context".to_owned()))?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(
            bitmap,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(encode_failed)?;
    Ok(canvas)
}

/// What `canvas` shows, encoded as a JPEG of `quality` (0 to 1).
pub(crate) async fn jpeg(canvas: &OffscreenCanvas, quality: f64) -> Result<Blob, PhotoError> {
    let options = ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(quality);
    let encoding: Promise = canvas
        .convert_to_blob_with_options(&options)
        .map_err(encode_failed)?;
    Ok(JsFuture::from(encoding)
        .await
        .map_err(encode_failed)?
        .unchecked_into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_is_fitted_to_the_long_side_keeping_its_shape() {
        assert_eq!(fitted(4000, 3000), (1600, 1200));
        assert_eq!(fitted(3000, 4000), (1200, 1600));
        assert_eq!(fitted(1600, 900), (1600, 900));
        assert_eq!(fitted(800, 600), (800, 600));
        assert_eq!(fitted(10_000, 3), (1600, 1));
        assert_eq!(fitted(0, 0), (0, 0));
    }
}
