// Draws a PDF's pages into canvases with pdf.js, for src/pdf.rs. The app imports this file, and
// this file pdf.js, only when a PDF is opened: neither is part of the first screen. The service
// worker keeps both (the build puts them in /pdf/), so they load offline too.
//
// `showing` is what src/pdf_view.js keeps for the container: `closed` once the viewer closed or
// another PDF took the container, and `stop()`, set here, to free what is drawn.

function failure(name, error) {
  const wrapped = new Error(`${error}`);
  wrapped.name = name;
  return wrapped;
}

/**
 * Opens the PDF in `bytes` (a Uint8Array, handed over to pdf.js's worker) to be drawn into
 * `showing.container`. Resolves to a drawing whose `pages` is its page count.
 */
export async function open(library, worker, wasm, bytes, showing) {
  let pdfjs;
  try {
    pdfjs = await import(library);
  } catch (error) {
    throw failure("PdfUnavailable", error);
  }
  if (showing.closed) throw failure("PdfStopped", "the PDF was closed");
  if (!pdfjs.GlobalWorkerOptions.workerSrc) pdfjs.GlobalWorkerOptions.workerSrc = worker;
  const task = pdfjs.getDocument({
    data: bytes,
    // Scanned reports carry JBIG2 and JPEG 2000 images, whose decoders are wasm in /pdf/wasm/.
    wasmUrl: wasm,
    // The page fetches the decoders, not pdf.js's worker: the page is surely under the service
    // worker, so they come from its cache offline.
    useWorkerFetch: false,
    // The Content-Security-Policy allows no eval. pdf.js 6 has no eval path left to turn off;
    // this stays so that another version could not bring one back unnoticed.
    isEvalSupported: false,
  });
  const drawing = new Drawing(showing, task);
  showing.stop = () => drawing.close();
  drawing.document = await task.promise;
  drawing.pages = drawing.document.numPages;
  return drawing;
}

class Drawing {
  constructor(showing, task) {
    this.container = showing.container;
    this.task = task;
    this.document = null;
    this.pages = 0;
    this.rendering = null;
    this.canvases = [];
    this.closed = false;
  }

  /** Draws page `number` (from 1) into a new canvas at the end of the container. */
  async draw(number, label) {
    const page = await this.document.getPage(number);
    if (this.closed) throw failure("PdfStopped", "the PDF was closed");
    const natural = page.getViewport({ scale: 1 });
    // As wide as the container; one not laid out yet gets the page's own width.
    const cssWidth = this.container.clientWidth || natural.width;
    // Sharp on the phone's screen, but at most twice its CSS pixels: at three times a page takes
    // more than twice the memory, and a long report could run a small phone out of it.
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const viewport = page.getViewport({ scale: (cssWidth / natural.width) * ratio });

    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
    // Properties, not a style attribute: the Content-Security-Policy allows no inline style.
    canvas.style.display = "block";
    canvas.style.width = "100%";
    canvas.style.height = "auto";
    this.container.append(canvas);
    this.canvases.push(canvas);

    this.rendering = page.render({ canvas, viewport });
    try {
      await this.rendering.promise;
    } finally {
      this.rendering = null;
      page.cleanup();
    }
  }

  close() {
    this.closed = true;
    this.rendering?.cancel();
    for (const canvas of this.canvases) {
      // Frees the pixels now rather than when the canvas is collected.
      canvas.width = 0;
      canvas.height = 0;
      canvas.remove();
    }
    this.canvases = [];
    // Destroying the loading task destroys its document and ends its worker.
    this.task.destroy();
    this.document = null;
  }
}
