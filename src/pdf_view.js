// The first screen's only part of the PDF viewer (src/pdf.rs): what each container shows, and the
// import of the drawing code (public/pdf/draw.js, and through it pdf.js) when a PDF is opened.

let loading = null;
const shown = new WeakMap();

export function load(url) {
  loading ??= import(url);
  return loading.catch((error) => {
    // Offline before the service worker held it: the next PDF opened tries again.
    loading = null;
    const failure = new Error(`${error}`);
    failure.name = "PdfUnavailable";
    throw failure;
  });
}

/** What `container` is to show from now on, ending what it showed before. */
export function begin(container) {
  close(container);
  const showing = { container, closed: false, stop() {} };
  shown.set(container, showing);
  return showing;
}

export function end(showing) {
  if (showing.closed) return;
  showing.closed = true;
  showing.stop();
  if (shown.get(showing.container) === showing) shown.delete(showing.container);
}

export function close(container) {
  const showing = shown.get(container);
  if (showing) end(showing);
}
