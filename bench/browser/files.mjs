// Benchmark: files. A counsellor keeps a woman's papers with her case, offline, through the app's
// own case page ("Add a file", "Choose a photo or PDF", what it is, Save), as the end-to-end test
// tests/e2e/991-files.spec.mjs does.
//  - Photos over 2G: she adds `photos` camera-sized photos (3000×2000 JPEGs, each different, with
//    a sensor's grain, so that each is 1–3 MB as a phone's camera makes them; the app draws each
//    again at most 1600 px wide and seals it chunk by chunk), then the phone comes online over an
//    emulated 2G link (Chromium's network emulation: `two_g_bits_per_second` each way, 300 ms
//    round trips, as the sync benchmark's 2G run) until the sync badge says "All sent". Every
//    byte passes through a proxy that reads the HTTP it carries, so each byte is counted against
//    the request it belongs to: the attachment requests (`GET …/upload`, `PUT …/chunks/{n}`) and
//    their answers, headers and all, against the files' own bytes (the sizes the phone pushed in
//    the attachment records, checked equal to the PUT bodies' total, each chunk once).
//  - Sealing a large PDF: a real, valid PDF of `pdf_bytes` (one page whose text is that long),
//    chosen from the phone's disk (a File backed by the disk, as a phone's file picker gives),
//    while the page's memory is watched from just before it is chosen until the form says "Ready
//    to save": the resident memory of the Chromium renderer process that runs the page (VmRSS
//    every 10 ms, and the kernel's high-water mark VmHWM, reset just before the choice, so no
//    peak between samples is missed); the JavaScript heap in use (DevTools'
//    Performance.getMetrics; it does not count ArrayBuffers); the wasm module's memory; and all
//    of the browser's processes together. Each is reported as its peak above its level before the
//    file was chosen, against the file's size: a page that held the whole file once would show
//    about 1x, several copies several times that. The renderer's memory after a full garbage
//    collection says how much of the peak was garbage and how much the page keeps.
import { chromium } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { chromiumArgs, en, pdfSaying, registerCase } from "../../tests/e2e/phone.mjs";
import { emit, logInThroughApp, openDevice, readyAt, say, schedule, setUpBench, watch } from "./device.mjs";

/** The emulated 2G link's round trip, as the sync benchmark's. */
const TWO_G_LATENCY_MS = 300;

/** How often the renderer's resident memory and the JavaScript heap are sampled while sealing. */
const RSS_EVERY_MS = 10;
const HEAP_EVERY_MS = 25;

const ATTACHMENTS = "/api/v1/attachments/";

export async function files(config) {
  await setUpBench(config.app, config.setup_code);
  const folder = mkdtempSync(join(tmpdir(), "sakhi-bench-files-"));
  try {
    const photos = await cameraPhotos(folder, config.photos);
    const taken = photos.reduce((sum, photo) => sum + photo.bytes, 0);
    say(`${photos.length} camera photos, ${mb(taken)} in all (${photos.map((p) => mb(p.bytes)).join(", ")})`);
    await photosOver2g(config, photos);
    const pdf = largePdf(folder, config.pdf_bytes);
    await sealingPdf(config, pdf);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function photosOver2g(config, photos) {
  const n = photos.length;
  const bitsPerSecond = config.two_g_bits_per_second;
  const atLink = (bytes) => (bytes * 8 * 1000) / bitsPerSecond;
  const runs = { wire: [], stored: [], taken: [], filesMs: [], onlineMs: [], total: [] };
  for (const { timed, index } of schedule(config)) {
    const run = await photosRun(config, photos, index);
    say(
      `${n} photos over 2G: ${mb(run.stored)} stored, ${mb(run.wire)} on the wire for them ` +
        `(${(run.wire / run.stored).toFixed(3)}x, ${run.requests} requests, ${run.again} chunks sent again), ` +
        `${(run.filesMs / 1000).toFixed(1)} s for the files, ${(run.onlineMs / 1000).toFixed(1)} s online to All sent, ` +
        `${mb(run.total)} on the wire in all${timed ? "" : " (warm-up)"}`,
    );
    if (timed) for (const key of Object.keys(runs)) runs[key].push(run[key]);
  }
  const common = { benchmark: "files", higher_is_better: false };
  const link = `${bitsPerSecond / 1000} kbit/s, ${TWO_G_LATENCY_MS} ms`;
  const stored = "the photos' own bytes (their records' sizes, = the chunks' PUT bodies)";
  emit({
    ...common,
    figure: `${n} photos sent over 2G (${link}): attachment requests and answers on the wire, headers included`,
    unit: "bytes",
    baseline_name: stored,
    sakhi: runs.wire,
    baseline: runs.stored,
  });
  emit({
    ...common,
    figure: `${n} photos sent over 2G: from the first attachment request to the last answer`,
    unit: "ms",
    baseline_name: "the photos' own bytes at the link's rate",
    sakhi: runs.filesMs,
    baseline: runs.stored.map(atLink),
  });
  emit({
    ...common,
    figure: `${n} photos sent over 2G: from coming online until the badge says All sent (the case and the photos)`,
    unit: "ms",
    baseline_name: "the photos' own bytes at the link's rate",
    sakhi: runs.onlineMs,
    baseline: runs.stored.map(atLink),
  });
  emit({
    ...common,
    figure: `${n} photos sent over 2G: every byte on the wire from coming online until All sent (records and files, both ways)`,
    unit: "bytes",
    baseline_name: stored,
    sakhi: runs.total,
    baseline: runs.stored,
  });
  emit({
    ...common,
    figure: `${n} photos kept: bytes the phone stores and sends after drawing them again`,
    unit: "bytes",
    baseline_name: "the camera's JPEGs (3000×2000)",
    sakhi: runs.stored,
    baseline: runs.taken,
  });
}

/**
 * One phone: the bench worker logs in through a proxy, goes offline, registers a woman and keeps
 * `photos` with her case, then comes online over 2G and syncs until "All sent".
 */
async function photosRun(config, photos, index) {
  const bitsPerSecond = config.two_g_bits_per_second;
  const proxy = await httpCountingProxy(Number(new URL(config.app).port));
  // `localhost`, not 127.0.0.1: a secure context, so the app's service worker runs as on a phone.
  const origin = `http://localhost:${proxy.port}`;
  const device = await openDevice("files-2g");
  const { context, page } = device;
  try {
    await watch(page, "sent");
    await logInThroughApp(page, origin);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
    await context.setOffline(true);
    await openNewCase(page, woman(index));
    for (const photo of photos) {
      await addFile(page, photo.path, readyPattern(en["file.image"]), en["attachment_kind.photo"]);
    }
    const waiting = en["sync.waiting"].replace("{what}", `${en["sync.case_one"]}, ${en["sync.files"].replace("{n}", photos.length)}`);
    await page.waitForFunction((text) => document.querySelector('header [role="status"]')?.textContent === text, waiting, {
      timeout: 60_000,
    });

    // The size of each file, as the phone pushes its attachment record; and when the attachment
    // requests begin and end, as the page sees them.
    const sizes = new Map();
    const attachmentRequests = { started: 0, ended: 0, firstAt: null, lastAt: null };
    page.on("request", (request) => {
      if (request.url().includes(ATTACHMENTS)) {
        attachmentRequests.started += 1;
        attachmentRequests.firstAt ??= Date.now();
      }
      if (!request.url().includes("/api/v1/sync/push")) return;
      const body = request.postDataBuffer();
      const json = request.headers()["content-encoding"] === "gzip" ? gunzipSync(body) : body;
      for (const change of JSON.parse(json.toString("utf8")).changes) {
        if (change.kind === "attachment" && change.field === "size") sizes.set(change.record, change.value);
      }
    });
    const ended = (request) => {
      if (!request.url().includes(ATTACHMENTS)) return;
      attachmentRequests.ended += 1;
      attachmentRequests.lastAt = Date.now();
    };
    page.on("requestfinished", ended);
    page.on("requestfailed", ended);

    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: TWO_G_LATENCY_MS,
      downloadThroughput: bitsPerSecond / 8,
      uploadThroughput: bitsPerSecond / 8,
    });
    proxy.start();
    await context.setOffline(false);
    const sentAt = await readyAt(page, 1_800_000);
    const { onlineAt, timeOrigin } = await page.evaluate(() => ({
      onlineAt: window.__onlineAt,
      timeOrigin: performance.timeOrigin,
    }));
    // The badge changes when the last answer has been read; its events reach this side a moment later.
    const deadline = Date.now() + 10_000;
    while (attachmentRequests.ended < attachmentRequests.started && Date.now() < deadline) await sleep(50);
    await sleep(500);
    if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);

    const until = timeOrigin + sentAt;
    const isFile = (request) => request.path.startsWith(ATTACHMENTS);
    const wire = proxy.bytes({ where: isFile });
    const late = wire - proxy.bytes({ where: isFile, until });
    if (late > 0) throw new Error(`${late} bytes of attachment requests passed after the badge said All sent`);
    const stored = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    if (sizes.size !== photos.length) throw new Error(`the phone pushed ${sizes.size} attachment records, not ${photos.length}`);
    const chunks = proxy.requests().filter((r) => r.method === "PUT" && /\/chunks\/\d+$/.test(r.path));
    const once = new Map(chunks.map((r) => [r.path, r.bodyBytes]));
    const bodies = [...once.values()].reduce((sum, bytes) => sum + bytes, 0);
    if (bodies !== stored) throw new Error(`the chunks sent hold ${bodies} bytes, the records say ${stored}`);
    const filesMs = attachmentRequests.lastAt - attachmentRequests.firstAt;
    // Without the emulated link the files would go in a moment: such a run would measure nothing.
    const floorMs = (stored * 8 * 1000) / bitsPerSecond;
    if (filesMs < floorMs * 0.9) throw new Error(`the files went in ${filesMs} ms, faster than 2G allows (${floorMs.toFixed(0)} ms)`);
    return {
      wire,
      stored,
      taken: photos.reduce((sum, photo) => sum + photo.bytes, 0),
      filesMs,
      onlineMs: sentAt - onlineAt,
      total: proxy.bytes({ until }),
      requests: proxy.requests().filter(isFile).length,
      again: chunks.length - once.size,
    };
  } finally {
    await device.close();
    await proxy.close();
  }
}

async function sealingPdf(config, pdf) {
  const memory = { rss: [], heap: [], wasm: [], all: [], afterGc: [], ms: [], size: [] };
  for (const { timed, index } of schedule(config)) {
    const run = await sealingRun(config, pdf, index);
    say(
      `seal a ${mb(pdf.bytes)} PDF: ${(run.ms / 1000).toFixed(1)} s; peak above before: renderer ${mb(run.rss)}, ` +
        `JS heap ${mb(run.heap)}, wasm ${mb(run.wasm)}, every process ${mb(run.all)}; renderer after a GC ${mb(run.afterGc)} ` +
        `(${run.samples} samples of renderer ${run.pid}, ${run.highWater ? "and its VmHWM" : "VmHWM not available"})${timed ? "" : " (warm-up)"}`,
    );
    if (timed) {
      for (const key of ["rss", "heap", "wasm", "all", "afterGc", "ms"]) memory[key].push(run[key]);
      memory.size.push(pdf.bytes);
    }
  }
  const what = `seal a ${mib(pdf.bytes)} PDF chosen from the phone`;
  const common = { benchmark: "files", higher_is_better: false, baseline_name: "the PDF's own size", unit: "bytes", baseline: memory.size };
  emit({
    ...common,
    figure: `${what}: resident memory of the page's renderer process (VmRSS every 10 ms, and VmHWM), peak above before choosing it`,
    sakhi: memory.rss,
  });
  emit({
    ...common,
    figure: `${what}: JS heap in use (without ArrayBuffers), peak above before choosing it`,
    sakhi: memory.heap,
  });
  emit({ ...common, figure: `${what}: wasm memory grown`, sakhi: memory.wasm });
  emit({
    ...common,
    figure: `${what}: resident memory of all of Chromium's processes together, peak above before choosing it`,
    sakhi: memory.all,
  });
  emit({
    ...common,
    figure: `${what}: resident memory of the page's renderer process after a full garbage collection, above before choosing it`,
    sakhi: memory.afterGc,
  });
  emit({
    benchmark: "files",
    higher_is_better: false,
    figure: `${what}: from choosing it until the form says Ready to save`,
    unit: "ms",
    sakhi: memory.ms,
    baseline: null,
  });
}

/**
 * One phone, offline: the bench worker registers a woman, opens "Add a file" on her case and
 * chooses `pdf`; the page's memory is sampled from just before the choice until "Ready to save".
 */
async function sealingRun(config, pdf, index) {
  const device = await openDevice("files-pdf");
  const { context, page } = device;
  try {
    // Trunk's loader announces the wasm module; its memory is where the Rust side's data is.
    await page.addInitScript(() =>
      addEventListener("TrunkApplicationStarted", (event) => {
        window.__wasmMemory = event.detail?.wasm?.memory;
      }),
    );
    await logInThroughApp(page, config.app);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
    await context.setOffline(true);
    await openNewCase(page, woman(40 + index));
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    const form = page.getByRole("form", { name: en["case.add_file"] });
    await form.getByLabel(en["file.choose"]).waitFor();

    const processes = await chromiumProcesses(context);
    const renderer = await pageRenderer(processes, page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    await sleep(500);
    const heapNow = async () =>
      (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "JSHeapUsedSize").value;
    const wasmNow = () => page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? null);

    // Before: a quiet second of the page with the form open.
    const before = { rss: [], all: [], heap: [] };
    for (let i = 0; i < 20; i++) {
      before.rss.push(residentBytes(renderer));
      before.all.push(processes.reduce((sum, pid) => sum + residentBytes(pid), 0));
      before.heap.push(await heapNow());
      await sleep(50);
    }
    const wasmBefore = await wasmNow();
    if (wasmBefore === null) throw new Error("the page did not announce its wasm module (TrunkApplicationStarted)");

    // During: from just before the choice until "Ready to save" is on the form.
    await page.evaluate((ready) => {
      window.__chosenAt = undefined;
      window.__sealedAt = undefined;
      addEventListener("change", () => (window.__chosenAt ??= performance.now()), { capture: true, once: true });
      const observer = new MutationObserver(() => {
        if ([...document.querySelectorAll("form")].some((form) => form.textContent.includes(ready))) {
          window.__sealedAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    }, en["file.ready"].split("{")[0]);
    const during = { rss: [], all: [], heap: [] };
    const rssTimer = setInterval(() => {
      during.rss.push(residentBytes(renderer));
      during.all.push(processes.reduce((sum, pid) => sum + residentBytes(pid), 0));
    }, RSS_EVERY_MS);
    let sampling = true;
    const heapSampler = (async () => {
      while (sampling) {
        during.heap.push(await heapNow());
        await sleep(HEAP_EVERY_MS);
      }
    })();
    // The kernel's high-water mark of the renderer's resident memory, from now: a peak between
    // two samples is not missed.
    const highWater = resetPeakResident(renderer);
    try {
      await form.getByLabel(en["file.choose"]).setInputFiles(pdf.path);
      await page.waitForFunction(() => window.__sealedAt !== undefined, null, { timeout: 600_000, polling: 50 });
    } finally {
      clearInterval(rssTimer);
      sampling = false;
      await heapSampler;
    }
    during.rss.push(residentBytes(renderer));
    if (highWater) during.rss.push(residentBytes(renderer, "VmHWM"));
    during.heap.push(await heapNow());
    const wasmAfter = await wasmNow();
    const { chosenAt, sealedAt } = await page.evaluate(() => ({ chosenAt: window.__chosenAt, sealedAt: window.__sealedAt }));
    await form.getByText(readyPattern(en["file.pdf"])).waitFor({ timeout: 10_000 });
    if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
    // What is left once the garbage is collected, to tell garbage from what the page holds.
    await cdp.send("HeapProfiler.collectGarbage");
    await sleep(500);
    const afterGc = Math.max(0, residentBytes(renderer) - median(before.rss));
    await cdp.detach();
    const above = (samples, baseline) => Math.max(0, Math.max(...samples) - median(baseline));
    return {
      rss: above(during.rss, before.rss),
      heap: above(during.heap, before.heap),
      wasm: wasmAfter - wasmBefore,
      all: above(during.all, before.all),
      ms: sealedAt - chosenAt,
      samples: during.rss.length,
      highWater,
      afterGc,
      pid: renderer,
    };
  } finally {
    await device.close();
  }
}

/** The process ids of every process of the device's Chromium (browser, renderers, GPU, services). */
async function chromiumProcesses(context) {
  const browser = await context.browser().newBrowserCDPSession();
  const { processInfo } = await browser.send("SystemInfo.getProcessInfo");
  await browser.detach();
  return processInfo.map((p) => p.id);
}

/**
 * The renderer process that runs `page`: of the device's renderers (a spare one and others may be
 * running), the one whose CPU time grows while the page spins for half a second.
 */
async function pageRenderer(processes, page) {
  const cpu = (pid) => {
    try {
      // utime and stime, the 14th and 15th fields, after the command name in parentheses.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  const renderers = processes.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
    } catch {
      return false;
    }
  });
  const candidates = renderers.length ? renderers : processes;
  const before = candidates.map(cpu);
  await page.evaluate(() => {
    const end = performance.now() + 500;
    while (performance.now() < end);
  });
  const grown = candidates.map((pid, i) => cpu(pid) - before[i]);
  const busiest = grown.indexOf(Math.max(...grown));
  if (grown[busiest] <= 0) throw new Error("no renderer process ran the page's work");
  return candidates[busiest];
}

/** A process's resident memory in bytes (`VmRSS`, or its peak `VmHWM`), 0 once it has gone. */
function residentBytes(pid, field = "VmRSS") {
  try {
    const kib = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return kib ? Number(kib[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Sets the kernel's peak resident memory of `pid` (VmHWM) to its resident memory now (Linux's
 * `clear_refs`, 5); false where that is not allowed, and only the samples then say the peak.
 */
function resetPeakResident(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Registers a woman named `name` through the new-case form, offline, and opens her case. */
async function openNewCase(page, { name, phone }) {
  await registerCase(page, {
    name,
    age: 31,
    phone,
    village: "Rampura",
    violence: ["Domestic violence"],
    description: "Beaten by her husband; her papers are kept with her case.",
  });
  await page.locator(".cases").getByRole("link", { name: new RegExp(name) }).first().click();
  await page.getByRole("button", { name: en["case.add_file"] }).waitFor({ timeout: 60_000 });
}

/** "Add a file": chooses the file at `path`, waits until it is sealed, says what it is and saves. */
async function addFile(page, path, ready, kind) {
  await page.getByRole("button", { name: en["case.add_file"] }).click();
  const form = page.getByRole("form", { name: en["case.add_file"] });
  await form.getByLabel(en["file.choose"]).setInputFiles(path);
  await form.getByText(ready).waitFor({ timeout: 120_000 });
  await form.getByLabel(kind, { exact: true }).check();
  await form.getByRole("button", { name: en["case.save_entry"] }).click();
  await form.waitFor({ state: "hidden", timeout: 60_000 });
}

/** The form's "Ready to save: {what}, {size}" for a file shown as `what`. */
function readyPattern(what) {
  const [before, after] = en["file.ready"].split("{size}");
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const kb = escape(en["file.kb"]).replace("\\{n\\}", "[\\d.]+");
  const mbText = escape(en["file.mb"]).replace("\\{n\\}", "[\\d.]+");
  return new RegExp(`${escape(before.replace("{what}", what))}(${kb}|${mbText})${escape(after)}`);
}

/** A different woman for each run, so that no two of the server's cases look alike. */
function woman(index) {
  const first = ["Leela", "Savita", "Kamla", "Pushpa", "Radha", "Sunita", "Geeta", "Manju"];
  const last = ["Kumari", "Devi", "Bai", "Meena", "Rathore", "Solanki"];
  return {
    name: `${first[index % first.length]} ${last[Math.floor(index / first.length) % last.length]}`,
    phone: `9414${String(600000 + index).padStart(6, "0")}`,
  };
}

/**
 * `count` different camera-sized photos (3000×2000 JPEGs at quality 0.92, as a phone's camera
 * saves them), drawn in a page of their own and written to `folder`: shapes, a line of text and
 * a sensor's grain, whose strength varies so that the files are 1–3 MB.
 */
async function cameraPhotos(folder, count) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const photos = [];
    for (let i = 0; i < count; i++) {
      const base64 = await page.evaluate(drawPhoto, { seed: i + 1, grain: 8 + ((i * 7) % 22) });
      const bytes = Buffer.from(base64, "base64");
      const path = join(folder, `photo-${i + 1}.jpg`);
      writeFileSync(path, bytes);
      photos.push({ path, bytes: bytes.length });
    }
    return photos;
  } finally {
    await browser.close();
  }
}

/** Runs in the page: one photo of `seed`, with grain of `grain` levels, as base64. */
async function drawPhoto({ seed, grain }) {
  let state = (seed * 2654435761) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const [width, height] = [3000, 2000];
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext("2d");
  const hue = Math.floor(random() * 360);
  const light = g.createLinearGradient(0, 0, 0, height);
  light.addColorStop(0, `hsl(${hue} 45% 75%)`);
  light.addColorStop(1, `hsl(${(hue + 40) % 360} 35% 30%)`);
  g.fillStyle = light;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 60; i++) {
    g.fillStyle = `hsla(${Math.floor(random() * 360)} ${20 + random() * 60}% ${20 + random() * 60}% / ${0.3 + random() * 0.7})`;
    const [x, y, r] = [random() * width, random() * height, 40 + random() * 400];
    if (random() < 0.5) {
      g.beginPath();
      g.ellipse(x, y, r, r * (0.3 + random()), random() * Math.PI, 0, 2 * Math.PI);
      g.fill();
    } else {
      g.fillRect(x - r, y - r / 2, r * 2, r);
    }
  }
  g.fillStyle = "#222";
  g.font = "48px sans-serif";
  for (let y = 100; y < height; y += 70) {
    g.fillText(`Photo ${seed}, line ${y}: seen at the district hospital`, 80 + random() * 200, y);
  }
  const image = g.getImageData(0, 0, width, height);
  const pixels = image.data;
  for (let i = 0; i < pixels.length; i += 4) {
    const noise = (random() - 0.5) * grain;
    pixels[i] += noise;
    pixels[i + 1] += noise;
    pixels[i + 2] += noise;
  }
  g.putImageData(image, 0, 0);
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * A valid one-page PDF of exactly `bytes` bytes, written to `folder`: its page's text is made
 * long enough (words of a report, over and over, never a parenthesis or backslash).
 */
function largePdf(folder, bytes) {
  const words = "medico legal report of the district hospital page ";
  const page = (length) => pdfSaying(words.repeat(Math.ceil(length / words.length)).slice(0, length));
  // The numbers in the PDF (the text's length, where the table of objects starts) grow with it.
  let length = bytes - pdfSaying("").length;
  let pdf = page(length);
  for (let tries = 0; pdf.length !== bytes && tries < 3; tries++) {
    length -= pdf.length - bytes;
    pdf = page(length);
  }
  if (pdf.length !== bytes) throw new Error(`the PDF made is ${pdf.length} bytes, not ${bytes}`);
  const path = join(folder, "report.pdf");
  writeFileSync(path, pdf);
  return { path, bytes };
}

/**
 * A TCP proxy like proxy.mjs's countingProxy, that also reads the HTTP/1.1 passing through it to
 * know which request each byte belongs to: a request's head and body (by its Content-Length) are
 * its own, and what the server sends back on that connection, until the next request on it, is
 * its answer (a browser sends one request at a time on an HTTP/1.1 connection).
 */
async function httpCountingProxy(upstreamPort) {
  let log = null;
  let requests = [];
  const sockets = new Set();
  const count = (bytes, request) => log?.push({ at: performance.timeOrigin + performance.now(), bytes, request });
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: upstreamPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Where this connection's request stream stands: a head being read, or a body's bytes left.
    let head = Buffer.alloc(0);
    let bodyLeft = 0;
    let current = null;
    client.on("data", (chunk) => {
      upstream.write(chunk);
      let at = 0;
      while (at < chunk.length) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, chunk.length - at);
          count(n, current);
          bodyLeft -= n;
          at += n;
          continue;
        }
        const before = head.length;
        head = Buffer.concat([head, chunk.subarray(at)]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) {
          at = chunk.length;
          break;
        }
        const headBytes = end + 4;
        const lines = head.subarray(0, end).toString("latin1").split("\r\n");
        const [method, target] = lines[0].split(" ");
        const length = lines.find((line) => /^content-length:/i.test(line));
        const chunked = lines.some((line) => /^transfer-encoding:\s*chunked/i.test(line));
        current = {
          method,
          path: target ?? "",
          bodyBytes: length ? Number(length.split(":")[1]) : 0,
          // A chunked body has no length to read ahead: the rest of the connection is its own.
          bodyLeftUnknown: chunked,
        };
        if (log) requests.push(current);
        count(headBytes, current);
        bodyLeft = chunked ? Infinity : current.bodyBytes;
        at += headBytes - before;
        head = Buffer.alloc(0);
      }
    });
    upstream.on("data", (chunk) => {
      count(chunk.length, current);
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    port: server.address().port,
    /** Starts counting from now, forgetting anything before. */
    start() {
      log = [];
      requests = [];
    },
    /**
     * Bytes both ways since `start()`, of the requests `where` picks (all of them by default) and
     * up to `until` (milliseconds since the Unix epoch).
     */
    bytes({ where = null, until = Infinity } = {}) {
      return (log ?? [])
        .filter((c) => c.at <= until && (where === null || (c.request !== null && where(c.request))))
        .reduce((sum, c) => sum + c.bytes, 0);
    },
    /** The requests begun since `start()`: method, path and body length. */
    requests() {
      if (requests.some((r) => r.bodyLeftUnknown)) throw new Error("a request's body was chunked: its length is unknown");
      return requests;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function mib(bytes) {
  const value = bytes / 1024 / 1024;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}
