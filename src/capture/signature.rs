//! Her signature, or her thumb impression drawn round on the screen: a pad drawn on with a finger,
//! a stylus or a mouse, given back as a PNG of dark lines on white.

use super::{CaptureError, failed};
use crate::components::alert;
use crate::i18n::{Text, tr};
use js_sys::Promise;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::f64::consts::TAU;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

/// The width of a line, in CSS pixels: a ballpoint's line on a phone's screen.
const LINE_WIDTH: f64 = 3.0;
/// The colour of the lines: the app's ink, dark enough to read on a photocopy.
const INK: &str = "#1d1b1e";
const PAPER: &str = "#ffffff";

/// The canvas's own size for a box of `css_width` by `css_height` CSS pixels on a screen of
/// `pixel_ratio` device pixels to the CSS pixel, so lines stay sharp; at least one pixel each way.
pub fn backing_size(css_width: i32, css_height: i32, pixel_ratio: f64) -> (u32, u32) {
    let ratio = if pixel_ratio.is_finite() && pixel_ratio > 0.0 {
        pixel_ratio
    } else {
        1.0
    };
    let side = |css: i32| (f64::from(css.max(1)) * ratio).round().max(1.0) as u32;
    (side(css_width), side(css_height))
}

/// How many canvas pixels one CSS pixel is, each way, for a canvas of `pixels` shown in a box of
/// `css`; one to one for a box not laid out (hidden, or not in the page).
pub fn scale(pixels: (u32, u32), css: (i32, i32)) -> (f64, f64) {
    let one = |pixels: u32, css: i32| {
        if css > 0 {
            f64::from(pixels) / f64::from(css)
        } else {
            1.0
        }
    };
    (one(pixels.0, css.0), one(pixels.1, css.1))
}

/// A canvas being drawn on.
pub struct Pad {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    /// Where the line being drawn has reached, in canvas pixels.
    last: Option<(f64, f64)>,
    drawn: bool,
}

impl Pad {
    /// A pad on `canvas`, sized to the box it is shown in ([`Pad::fit`]) and blank.
    pub fn new(canvas: HtmlCanvasElement) -> Result<Pad, CaptureError> {
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(failed)?
            .ok_or_else(|| CaptureError::Failed("no 2D context".to_owned()))?
            .unchecked_into();
        let mut pad = Pad {
            canvas,
            context,
            last: None,
            drawn: false,
        };
        pad.fit();
        Ok(pad)
    }

    /// The canvas drawn on.
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// Whether anything is drawn.
    pub fn is_drawn(&self) -> bool {
        self.drawn
    }

    /// Gives the canvas as many pixels as the box it is shown in has device pixels, and clears it.
    /// A canvas not laid out keeps its size.
    pub fn fit(&mut self) {
        let (width, height) = (self.canvas.client_width(), self.canvas.client_height());
        if width > 0 && height > 0 {
            let ratio = web_sys::window().map_or(1.0, |window| window.device_pixel_ratio());
            let (pixels_wide, pixels_high) = backing_size(width, height, ratio);
            if self.canvas.width() != pixels_wide || self.canvas.height() != pixels_high {
                // Setting a size empties the canvas and resets its drawing state.
                self.canvas.set_width(pixels_wide);
                self.canvas.set_height(pixels_high);
            }
        }
        self.clear();
    }

    /// Wipes everything drawn: the pad is white again.
    pub fn clear(&mut self) {
        let context = &self.context;
        context.set_fill_style_str(PAPER);
        context.fill_rect(
            0.0,
            0.0,
            f64::from(self.canvas.width()),
            f64::from(self.canvas.height()),
        );
        let (scale_x, scale_y) = self.scale();
        context.set_line_width(LINE_WIDTH * scale_x.max(scale_y));
        context.set_line_cap("round");
        context.set_line_join("round");
        context.set_stroke_style_str(INK);
        context.set_fill_style_str(INK);
        self.last = None;
        self.drawn = false;
    }

    fn scale(&self) -> (f64, f64) {
        scale(
            (self.canvas.width(), self.canvas.height()),
            (self.canvas.client_width(), self.canvas.client_height()),
        )
    }

    /// Where the point `x`, `y` of the box (CSS pixels from its top left) is on the canvas.
    fn at(&self, x: f64, y: f64) -> (f64, f64) {
        let (scale_x, scale_y) = self.scale();
        (x * scale_x, y * scale_y)
    }

    /// A line starts at `x`, `y` (CSS pixels from the box's top left), leaving a dot there, so
    /// that a tap shows.
    pub fn start(&mut self, x: f64, y: f64) {
        let (x, y) = self.at(x, y);
        let context = &self.context;
        context.begin_path();
        if context
            .arc(x, y, context.line_width() / 2.0, 0.0, TAU)
            .is_ok()
        {
            context.fill();
        }
        self.last = Some((x, y));
        self.drawn = true;
    }

    /// The line goes on to `x`, `y`. Each step is a path of its own, so a long signature costs no
    /// more per step than a short one; round caps join the steps.
    pub fn extend(&mut self, x: f64, y: f64) {
        let Some((from_x, from_y)) = self.last else {
            return;
        };
        let (x, y) = self.at(x, y);
        let context = &self.context;
        context.begin_path();
        context.move_to(from_x, from_y);
        context.line_to(x, y);
        context.stroke();
        self.last = Some((x, y));
    }

    /// The line ends (the finger lifted).
    pub fn end(&mut self) {
        self.last = None;
    }
}

/// What `canvas` shows, as a PNG (`image/png`).
pub async fn png(canvas: &HtmlCanvasElement) -> Result<Blob, CaptureError> {
    let mut asked = Ok(());
    // `toBlob` calls back with the file, or with null when it cannot encode.
    let encoding = Promise::new(&mut |resolve, _reject| {
        asked = canvas.to_blob_with_type(&resolve, "image/png");
    });
    asked.map_err(failed)?;
    let file: JsValue = JsFuture::from(encoding).await.map_err(failed)?;
    file.dyn_into::<Blob>()
        .map_err(|_| CaptureError::Failed("the canvas could not be encoded".to_owned()))
}

/// The pad with its instruction, Clear, Done and Cancel. Done, usable once something is drawn,
/// gives `on_signed` the drawing as a PNG.
#[component]
pub fn SignaturePad(on_signed: Callback<Blob>, on_cancel: Callback<()>) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let pad = StoredValue::new_local(None::<Pad>);
    // The pointer drawing now; another finger on the pad meanwhile is ignored.
    let pen = StoredValue::new(None::<i32>);
    let (drawn, set_drawn) = signal(false);
    let (busy, set_busy) = signal(false);
    let problem = RwSignal::new(None::<Text>);

    Effect::new(move || {
        if let Some(canvas) = canvas_ref.get() {
            match Pad::new(canvas) {
                Ok(ready) => pad.set_value(Some(ready)),
                Err(_) => problem.set(Some(Text::CaptureFailed)),
            }
        }
    });

    let point = |event: &PointerEvent| (f64::from(event.offset_x()), f64::from(event.offset_y()));
    let down = move |event: PointerEvent| {
        // The main button only: a finger, a stylus's tip, a mouse's left button.
        if event.button() != 0 || pen.get_value().is_some() {
            return;
        }
        event.prevent_default();
        if let Some(canvas) = canvas_ref.get_untracked() {
            let _ = canvas.set_pointer_capture(event.pointer_id());
        }
        pen.set_value(Some(event.pointer_id()));
        let (x, y) = point(&event);
        pad.update_value(|pad| {
            if let Some(pad) = pad {
                // The box may have changed size (the phone turned) since it was blank.
                if !pad.is_drawn() {
                    pad.fit();
                }
                pad.start(x, y);
            }
        });
        set_drawn.set(true);
        problem.set(None);
    };
    let moved = move |event: PointerEvent| {
        if pen.get_value() == Some(event.pointer_id()) {
            let (x, y) = point(&event);
            pad.update_value(|pad| {
                if let Some(pad) = pad {
                    pad.extend(x, y);
                }
            });
        }
    };
    let up = move |event: PointerEvent| {
        if pen.get_value() == Some(event.pointer_id()) {
            pen.set_value(None);
            pad.update_value(|pad| {
                if let Some(pad) = pad {
                    pad.end();
                }
            });
        }
    };
    let clear = move |_| {
        pen.set_value(None);
        pad.update_value(|pad| {
            if let Some(pad) = pad {
                pad.clear();
            }
        });
        set_drawn.set(false);
        set_busy.set(false);
        problem.set(None);
    };
    let done = move |_| {
        if busy.get_untracked() || !drawn.get_untracked() {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        set_busy.set(true);
        spawn_local(async move {
            let signed = png(&canvas).await;
            // Cleared, cancelled or unmounted meanwhile: the drawing goes nowhere.
            if busy.try_get_untracked() != Some(true) {
                return;
            }
            set_busy.set(false);
            match signed {
                Ok(signature) => on_signed.run(signature),
                Err(_) => problem.set(Some(Text::CaptureFailed)),
            }
        });
    };

    let label = tr(Text::CaptureSignatureLabel);
    view! {
        <div class="capture signature">
            <p class="signature-help">{label}</p>
            <canvas
                class="signature-pad"
                node_ref=canvas_ref
                role="img"
                aria-label=label
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up
                on:pointercancel=up
                on:lostpointercapture=up
            ></canvas>
            {move || problem.get().map(alert)}
            <div class="actions">
                <button
                    type="button"
                    class="button primary"
                    disabled=move || !drawn.get() || busy.get()
                    on:click=done
                >
                    {tr(Text::CaptureDone)}
                </button>
                <button type="button" class="button secondary" on:click=clear>
                    {tr(Text::CaptureClear)}
                </button>
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| {
                        set_busy.set(false);
                        on_cancel.run(());
                    }
                >
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
    fn the_canvas_has_a_pixel_for_each_device_pixel_of_its_box() {
        assert_eq!(backing_size(328, 180, 2.0), (656, 360));
        assert_eq!(backing_size(328, 180, 1.0), (328, 180));
        assert_eq!(backing_size(328, 180, 2.625), (861, 473));
        assert_eq!(backing_size(328, 180, 0.0), (328, 180));
        assert_eq!(backing_size(328, 180, f64::NAN), (328, 180));
        assert_eq!(backing_size(0, 0, 2.0), (2, 2));
    }

    #[test]
    fn a_point_of_the_box_lands_where_it_shows_on_the_canvas() {
        assert_eq!(scale((656, 360), (328, 180)), (2.0, 2.0));
        // A box that grew since the canvas was sized (the phone turned): the drawing stretches,
        // and a touch still lands under the finger.
        assert_eq!(scale((656, 360), (656, 180)), (1.0, 2.0));
        assert_eq!(scale((300, 150), (0, 0)), (1.0, 1.0));
    }
}
