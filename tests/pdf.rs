//! A PDF drawn with pdf.js in a real browser, under the app's Content-Security-Policy: a two-page
//! PDF made here becomes two labelled canvases with its text on them, a damaged one is refused,
//! and closing the viewer stops a drawing and takes its pages away.
//!
//! The test server serves the package's folder, not the app's build: the drawing code comes from
//! `public/pdf/`, and pdf.js from `node_modules` (installed by `cargo xtask setup`). It serves
//! `.mjs` files with a type browsers will not run as a module, so pdf.js's two files are fetched
//! and run from `blob:` URLs of the right type.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, Uint8Array};
use sakhi::pdf::{PdfError, Scripts, destroy, render_with};
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlElement,
    MutationObserver, MutationObserverInit, Response, Url,
};

wasm_bindgen_test_configure!(run_in_browser);

/// The app's policy (`crates/server/src/app.rs`) in what a `<meta>` can carry, with `blob:` for
/// scripts and workers only because this test runs pdf.js from `blob:` URLs, and for `connect-src`
/// only because the test runner reads a worker's `blob:` script to put its console in front.
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self' blob:; \
     worker-src 'self' blob:; object-src 'none'; base-uri 'none'";

thread_local! {
    static SCRIPTS: RefCell<Option<Scripts<'static>>> = const { RefCell::new(None) };
    static POLICED: Cell<bool> = const { Cell::new(false) };
    static VIOLATIONS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Puts the page under [`POLICY`] (once: a policy cannot be taken back) and records every
/// violation of it.
fn police_the_page() {
    if POLICED.replace(true) {
        return;
    }
    let meta = document().create_element("meta").unwrap();
    meta.set_attribute("http-equiv", "Content-Security-Policy")
        .unwrap();
    meta.set_attribute("content", POLICY).unwrap();
    document().head().unwrap().append_child(&meta).unwrap();
    let record = Closure::<dyn Fn(JsValue)>::new(|event: JsValue| {
        let field = |name: &str| {
            Reflect::get(&event, &JsValue::from_str(name))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        };
        let violation = format!(
            "{} blocked {} at {}:{}",
            field("violatedDirective"),
            field("blockedURI"),
            field("sourceFile"),
            Reflect::get(&event, &JsValue::from_str("lineNumber"))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or_default()
        );
        VIOLATIONS.with_borrow_mut(|all| all.push(violation));
    });
    document()
        .add_event_listener_with_callback(
            "securitypolicyviolation",
            record.as_ref().unchecked_ref(),
        )
        .unwrap();
    record.forget();
}

fn assert_no_violations() {
    VIOLATIONS.with_borrow(|all| assert!(all.is_empty(), "the policy was broken: {all:?}"));
}

/// A `blob:` URL of the file at `path` on the test server, typed as JavaScript.
async fn script_url(path: &str) -> String {
    let window = web_sys::window().unwrap();
    let response: Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .unwrap()
        .unchecked_into();
    assert!(
        response.ok(),
        "{path} is not there: run `cargo xtask setup` (it installs pdf.js)"
    );
    let buffer = JsFuture::from(response.array_buffer().unwrap())
        .await
        .unwrap();
    let blob = blob_of(&Uint8Array::new(&buffer).to_vec(), "text/javascript");
    Url::create_object_url_with_blob(&blob).unwrap()
}

/// The viewer's scripts: the drawing code from the package's `public/`, pdf.js from
/// `node_modules`, made once for all the tests of the page (they load only once).
async fn scripts() -> Scripts<'static> {
    police_the_page();
    if let Some(scripts) = SCRIPTS.with_borrow(|scripts| *scripts) {
        return scripts;
    }
    let pdf_js = script_url("/node_modules/pdfjs-dist/build/pdf.min.mjs").await;
    let worker = script_url("/node_modules/pdfjs-dist/build/pdf.worker.min.mjs").await;
    let scripts = Scripts {
        draw: "/public/pdf/draw.js",
        pdf_js: String::leak(pdf_js),
        worker: String::leak(worker),
        wasm: "/node_modules/pdfjs-dist/wasm/",
    };
    SCRIPTS.set(Some(scripts));
    scripts
}

fn blob_of(bytes: &[u8], media_type: &str) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).unwrap()
}

/// A PDF of one 300 x 200 pt page for each text, each in 48 pt Helvetica: plain-text objects,
/// an xref table of their offsets and a trailer, as the format is written by hand.
fn pdf_of(texts: &[&str]) -> Vec<u8> {
    let pages = texts.len();
    // 1: catalog, 2: page tree, 3: font, then a page and its content for each text.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    for (i, text) in texts.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let content = format!("BT /F1 48 Tf 20 80 Td ({text}) Tj ET");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}

/// A container in the page, as wide as a phone's screen.
fn container() -> HtmlElement {
    let div: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    div.style().set_property("width", "360px").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

fn canvases(container: &HtmlElement) -> Vec<HtmlCanvasElement> {
    let found = container.query_selector_all("canvas").unwrap();
    (0..found.length())
        .map(|i| found.item(i).unwrap().unchecked_into())
        .collect()
}

/// How many of a canvas's pixels are dark: text drawn in black on pdf.js's white page.
fn dark_pixels(canvas: &HtmlCanvasElement) -> usize {
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let pixels = context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .unwrap()
        .data();
    pixels
        .chunks_exact(4)
        .filter(|p| p[3] > 200 && p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count()
}

#[wasm_bindgen_test]
async fn a_two_page_pdf_becomes_two_labelled_canvases_with_its_text_drawn() {
    let scripts = scripts().await;
    let into = container();
    let pdf = blob_of(&pdf_of(&["Page one", "Page two"]), "application/pdf");

    let pages = render_with(scripts, &pdf, &into, "Page {n} of {count}").await;

    assert_eq!(pages, Ok(2));
    let drawn = canvases(&into);
    assert_eq!(drawn.len(), 2);
    for (i, canvas) in drawn.iter().enumerate() {
        assert_eq!(canvas.get_attribute("role").as_deref(), Some("img"));
        assert_eq!(
            canvas.get_attribute("aria-label"),
            Some(format!("Page {} of 2", i + 1))
        );
        assert!(canvas.width() > 0 && canvas.height() > 0);
        // The page's shape (3:2) at the container's width, at least.
        assert!(canvas.width() >= 360, "{} px wide", canvas.width());
        assert!(canvas.height().abs_diff(canvas.width() * 2 / 3) <= 1);
        let dark = dark_pixels(canvas);
        assert!(dark > 500, "page {}: {dark} dark pixels", i + 1);
    }
    assert_no_violations();

    destroy(&into);
    assert_eq!(into.child_element_count(), 0, "the pages were removed");
    into.remove();
}

#[wasm_bindgen_test]
async fn a_damaged_pdf_is_refused_and_leaves_nothing_behind() {
    let scripts = scripts().await;
    let into = container();
    let not_a_pdf = blob_of(b"%PDF-1.4\nthis is no PDF at all", "application/pdf");

    let pages = render_with(scripts, &not_a_pdf, &into, "Page {n} of {count}").await;

    assert_eq!(pages, Err(PdfError::Damaged));
    assert_eq!(into.child_element_count(), 0);
    assert_no_violations();
    into.remove();
}

#[wasm_bindgen_test]
async fn opening_another_pdf_in_the_viewer_stops_the_first_and_shows_only_the_second() {
    let scripts = scripts().await;
    let into = container();
    let first = blob_of(&pdf_of(&["One", "Two", "Three"]), "application/pdf");
    let second = blob_of(&pdf_of(&["Four", "Five"]), "application/pdf");

    let (first, second) = futures::join!(
        render_with(scripts, &first, &into, "{n}/{count}"),
        render_with(scripts, &second, &into, "{n}/{count}"),
    );

    assert_eq!(first, Err(PdfError::Stopped));
    assert_eq!(second, Ok(2));
    let labels: Vec<_> = canvases(&into)
        .iter()
        .map(|canvas| canvas.get_attribute("aria-label").unwrap_or_default())
        .collect();
    assert_eq!(labels, ["1/2", "2/2"]);
    assert_no_violations();

    destroy(&into);
    assert_eq!(into.child_element_count(), 0);
    into.remove();
}

#[wasm_bindgen_test]
async fn closing_the_viewer_while_a_pdf_is_drawn_stops_it_and_removes_its_pages() {
    let scripts = scripts().await;
    let into = container();
    let pdf = blob_of(&pdf_of(&["One", "Two", "Three"]), "application/pdf");

    // The viewer closes the moment the first page's canvas is in place, while pdf.js draws it.
    let first_canvas = js_sys::Promise::new(&mut |resolve, _| {
        let observer = MutationObserver::new(&resolve).unwrap();
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        observer.observe_with_options(&into, &options).unwrap();
    });
    let (pages, ()) = futures::join!(render_with(scripts, &pdf, &into, "{n}/{count}"), async {
        JsFuture::from(first_canvas).await.unwrap();
        assert_eq!(canvases(&into).len(), 1, "closed during the first page");
        destroy(&into);
    },);

    assert_eq!(pages, Err(PdfError::Stopped));
    assert_eq!(into.child_element_count(), 0);
    assert_no_violations();
    into.remove();
}

#[wasm_bindgen_test]
async fn pdf_js_that_cannot_be_loaded_is_an_error_and_not_a_panic() {
    // As when the phone is offline before the service worker held pdf.js.
    let scripts = Scripts {
        pdf_js: "/nowhere/pdf.min.mjs",
        ..scripts().await
    };
    let into = container();
    let pdf = blob_of(&pdf_of(&["One"]), "application/pdf");

    let pages = render_with(scripts, &pdf, &into, "{n}/{count}").await;

    assert_eq!(pages, Err(PdfError::Unavailable));
    assert_eq!(into.child_element_count(), 0);
    into.remove();
}
