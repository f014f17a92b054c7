//! A PDF's pages drawn inside Sakhi with pdf.js, for the file viewer: phones' browsers do not show
//! a PDF in a frame, and a worker's police, medical and court papers must open on hers.
//!
//! Each page becomes a `<canvas role="img">` as wide as the container, labelled for screen
//! readers. Of the viewer, the first screen carries only `src/pdf_view.js` (about 400 bytes compressed):
//! it imports the drawing code (`public/pdf/draw.js`), which imports pdf.js, when the first PDF is
//! opened. All of them are in the build's `/pdf/` folder ([`Scripts::BUILT`]), which the service
//! worker keeps, so PDFs open offline too.

use js_sys::{Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlElement};

use draw::{DrawModule, Drawing};
use shell::Showing;

/// Why a PDF could not be shown.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PdfError {
    /// pdf.js could not be loaded: the phone is offline and the service worker does not hold it
    /// yet (the app has not been opened with a connection since it was installed or updated).
    #[error("the PDF viewer could not be loaded: open Sakhi once with a connection")]
    Unavailable,
    /// The file is not a PDF, or is too damaged to read.
    #[error("the file is not a PDF that can be read, or it is damaged")]
    Damaged,
    /// The PDF is locked with a password.
    #[error("the PDF is locked with a password")]
    Locked,
    /// [`destroy`] was called, or another PDF was opened in the same container, before this one
    /// was drawn: nothing to show, and nothing went wrong.
    #[error("the PDF was closed before it was drawn")]
    Stopped,
    /// pdf.js failed in another way; the text is for the log, not for the screen.
    #[error("the PDF could not be drawn: {0}")]
    Draw(String),
}

impl PdfError {
    /// The error `src/pdf_view.js` or pdf.js rejected with, by its name.
    fn from_js(error: JsValue) -> PdfError {
        let text = |key: &str| {
            Reflect::get(&error, &JsValue::from_str(key))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        };
        match text("name").as_str() {
            "PdfUnavailable" => PdfError::Unavailable,
            "PdfStopped" => PdfError::Stopped,
            "InvalidPDFException" | "FormatError" => PdfError::Damaged,
            "PasswordException" => PdfError::Locked,
            name => PdfError::Draw(format!("{name}: {}", text("message"))),
        }
    }
}

/// Where the viewer's scripts are: Sakhi's drawing code (`public/pdf/draw.js`), pdf.js's module and
/// its worker's script, and the folder of pdf.js's wasm image decoders (ending in `/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scripts<'a> {
    pub draw: &'a str,
    pub pdf_js: &'a str,
    pub worker: &'a str,
    pub wasm: &'a str,
}

impl Scripts<'static> {
    /// Where the app's build puts them (`index.html` copies them into `/pdf/`).
    pub const BUILT: Scripts<'static> = Scripts {
        draw: "/pdf/draw.js",
        pdf_js: "/pdf/pdf.min.mjs",
        worker: "/pdf/pdf.worker.min.mjs",
        wasm: "/pdf/wasm/",
    };
}

/// A page's label for screen readers: `template` with `{n}` made the page's number and `{count}`
/// the number of pages ("Page {n} of {count}" gives "Page 2 of 3").
pub fn page_label(template: &str, n: u32, count: u32) -> String {
    template
        .replace("{n}", &n.to_string())
        .replace("{count}", &count.to_string())
}

/// Draws every page of the PDF in `pdf` into `into`, one canvas after another, each labelled
/// with `page_label` (see [`page_label`]), and returns the number of pages. Whatever `into`
/// showed from an earlier call is stopped and removed first. The pages stay until [`destroy`].
pub async fn render(pdf: &Blob, into: &HtmlElement, page_label: &str) -> Result<u32, PdfError> {
    render_with(Scripts::BUILT, pdf, into, page_label).await
}

/// [`render`] with the scripts loaded from elsewhere than the app's build (the browser tests,
/// whose server does not serve the build). The first call on a page loads them; later calls reuse
/// them, wherever they name.
pub async fn render_with(
    scripts: Scripts<'_>,
    pdf: &Blob,
    into: &HtmlElement,
    page_label: &str,
) -> Result<u32, PdfError> {
    let showing = shell::begin(into);
    match draw_all(scripts, &showing, pdf, page_label).await {
        // Whatever failed after the viewer closed failed because it closed.
        _ if showing.closed() => Err(PdfError::Stopped),
        Ok(count) => Ok(count),
        Err(error) => {
            // Nothing half-drawn, and no pdf.js worker, is left behind.
            shell::end(&showing);
            Err(error)
        }
    }
}

async fn draw_all(
    scripts: Scripts<'_>,
    showing: &Showing,
    pdf: &Blob,
    page_label: &str,
) -> Result<u32, PdfError> {
    let stopped = || {
        if showing.closed() {
            Err(PdfError::Stopped)
        } else {
            Ok(())
        }
    };
    let module: DrawModule = shell::load(scripts.draw)
        .await
        .map_err(PdfError::from_js)?
        .unchecked_into();
    stopped()?;
    let buffer = JsFuture::from(pdf.array_buffer())
        .await
        .map_err(PdfError::from_js)?;
    stopped()?;
    let bytes = Uint8Array::new(&buffer);
    let drawing: Drawing = module
        .open(
            scripts.pdf_js,
            scripts.worker,
            scripts.wasm,
            &bytes,
            showing,
        )
        .await
        .map_err(PdfError::from_js)?
        .unchecked_into();
    stopped()?;
    let count = drawing.pages();
    for n in 1..=count {
        drawing
            .draw(n, &self::page_label(page_label, n, count))
            .await
            .map_err(PdfError::from_js)?;
        stopped()?;
    }
    Ok(count)
}

/// Stops and removes what `into` shows: a drawing under way stops (its [`render`] returns
/// [`PdfError::Stopped`]), pdf.js's document and worker are freed and the pages' canvases go.
/// For the viewer to call as it closes; nothing happens if `into` shows nothing.
pub fn destroy(into: &HtmlElement) {
    shell::close(into);
}

/// `src/pdf_view.js`: the little of the viewer that the first screen carries.
mod shell {
    use super::*;

    #[wasm_bindgen(module = "/src/pdf_view.js")]
    extern "C" {
        /// What one container is to show, until it is `closed`.
        pub type Showing;

        #[wasm_bindgen(method, getter)]
        pub fn closed(this: &Showing) -> bool;

        /// Imports the drawing code from `url`, once.
        #[wasm_bindgen(catch)]
        pub async fn load(url: &str) -> Result<JsValue, JsValue>;

        pub fn begin(container: &HtmlElement) -> Showing;

        pub fn end(showing: &Showing);

        pub fn close(container: &HtmlElement);
    }
}

/// `public/pdf/draw.js`, imported when the first PDF is opened.
mod draw {
    use super::*;

    #[wasm_bindgen]
    extern "C" {
        /// The module itself.
        pub type DrawModule;

        #[wasm_bindgen(method, catch)]
        pub async fn open(
            this: &DrawModule,
            pdf_js: &str,
            worker: &str,
            wasm: &str,
            bytes: &Uint8Array,
            showing: &Showing,
        ) -> Result<JsValue, JsValue>;

        /// One PDF open in one container.
        pub type Drawing;

        #[wasm_bindgen(method, getter)]
        pub fn pages(this: &Drawing) -> u32;

        #[wasm_bindgen(method, catch)]
        pub async fn draw(this: &Drawing, number: u32, label: &str) -> Result<(), JsValue>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_label_names_the_page_and_the_count_in_either_language() {
        assert_eq!(page_label("Page {n} of {count}", 2, 3), "Page 2 of 3");
        assert_eq!(page_label("पृष्ठ {n} / {count}", 1, 12), "पृष्ठ 1 / 12");
    }

    #[test]
    fn a_page_label_without_placeholders_is_kept_as_it_is() {
        assert_eq!(page_label("Page", 4, 9), "Page");
    }
}
