//! A photo made ready to keep, in a real browser: a camera-sized JPEG carrying EXIF with a GPS
//! position comes out at most 1,600 px on its long side, small, and without a byte of its EXIF.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Uint8Array};
use sakhi::photos::{LONG_SIDE, TARGET_BYTES, prepare};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Blob, BlobPropertyBag, ImageBitmap, ImageEncodeOptions, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Where the camera says she stood, as the test's EXIF carries it: no byte of it may survive.
const GPS: &[u8] = b"GPS 23.2599N 77.4126E WHERE-SHE-STOOD";

/// A JPEG of `width` by `height` with detail in it, as a camera makes.
async fn camera_photo(width: u32, height: u32) -> Vec<u8> {
    let canvas = OffscreenCanvas::new(width, height).unwrap();
    let context: OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let cell = 50;
    for x in 0..width / cell {
        for y in 0..height / cell {
            let shade = (x * 37 + y * 91) % 256;
            context.set_fill_style_str(&format!(
                "rgb({shade}, {}, {})",
                255 - shade,
                (x * y) % 256
            ));
            context.fill_rect(
                f64::from(x * cell),
                f64::from(y * cell),
                f64::from(cell),
                f64::from(cell),
            );
        }
    }
    let options = ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(0.95);
    let blob: Blob = JsFuture::from(canvas.convert_to_blob_with_options(&options).unwrap())
        .await
        .unwrap()
        .unchecked_into();
    bytes_of(&blob).await
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    Uint8Array::new(&buffer).to_vec()
}

/// `jpeg` with an EXIF segment (APP1) right after its start, holding [`GPS`] in a TIFF header
/// with no entries, as a phone's camera writes its own.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(GPS);
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn blob_of(bytes: &[u8], media_type: &str) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).unwrap()
}

async fn size_of(blob: &Blob) -> (u32, u32) {
    let window = web_sys::window().unwrap();
    let bitmap: ImageBitmap = JsFuture::from(window.create_image_bitmap_with_blob(blob).unwrap())
        .await
        .unwrap()
        .unchecked_into();
    (bitmap.width(), bitmap.height())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[wasm_bindgen_test]
async fn a_camera_photo_comes_out_small_upright_and_without_its_exif() {
    let original = with_exif(&camera_photo(4000, 3000).await);
    assert!(
        contains(&original, GPS),
        "the test photo carries the position"
    );
    let photo = blob_of(&original, "image/jpeg");
    assert_eq!(
        size_of(&photo).await,
        (4000, 3000),
        "the browser reads the test photo"
    );

    let kept = prepare(&photo).await.expect("a photo made ready");
    assert_eq!(kept.type_(), "image/jpeg");
    assert_eq!(size_of(&kept).await, (LONG_SIDE, 1200));
    assert!(kept.size() <= TARGET_BYTES, "{} bytes", kept.size());
    let bytes = bytes_of(&kept).await;
    assert!(!contains(&bytes, GPS), "the position survived");
    assert!(!contains(&bytes, b"Exif"), "an EXIF segment survived");
}

#[wasm_bindgen_test]
async fn a_small_picture_keeps_its_size_and_a_file_that_is_no_picture_is_refused() {
    let png = {
        let canvas = OffscreenCanvas::new(600, 800).unwrap();
        let context: OffscreenCanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        context.set_fill_style_str("rgb(120, 30, 80)");
        context.fill_rect(0.0, 0.0, 600.0, 800.0);
        let blob: Blob = JsFuture::from(canvas.convert_to_blob().unwrap())
            .await
            .unwrap()
            .unchecked_into();
        blob
    };
    let kept = prepare(&png).await.expect("a picture made ready");
    assert_eq!(size_of(&kept).await, (600, 800));
    assert_eq!(kept.type_(), "image/jpeg");

    let not_a_picture = blob_of(b"%PDF-1.4 not a photo", "image/jpeg");
    assert!(prepare(&not_a_picture).await.is_err());
}
