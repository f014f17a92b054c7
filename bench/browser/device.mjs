// What the browser benchmarks share: a phone-sized headless Chromium with a profile of its own (as the
// end-to-end tests use), the DevTools throttling of a slow link and a slow CPU, the page-side clock
// that says when a screen became usable, and the line format the orchestrator reads.
import { chromium } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setUpServer } from "../../tests/e2e/accounts.mjs";
import { chromiumArgs, phone } from "../../tests/e2e/phone.mjs";

/** The worker every benchmark device logs in as: a counsellor, who sees the whole centre. */
export const BENCH_WORKER = {
  username: "bench.worker",
  display_name: "Bench Worker",
  role: "counsellor",
  password: "bench-पासवर्ड-2026",
};

/** Sets a new sakhi-server up with its setup code and creates the bench worker. */
export async function setUpBench(url, code) {
  await setUpServer(url, code, [BENCH_WORKER]);
}

/**
 * Logs the bench worker in through the app at `origin`, as a worker on a new phone does (first-run
 * page, then the login form), and waits for the case list.
 */
export async function logInThroughApp(page, origin) {
  await page.goto(new URL("/", origin).href);
  await page.getByRole("button", { name: "I understand, continue" }).click();
  await page.getByLabel("Username", { exact: true }).fill(BENCH_WORKER.username);
  await page.getByLabel("Password", { exact: true }).fill(BENCH_WORKER.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Cases" }).waitFor({ timeout: 120_000 });
  // Her first sync, which tells the phone the server's epoch (kept as plain JSON in her store's
  // `meta`): the seeding page fills her store in that epoch.
  await page.waitForFunction(async () => {
    const names = (await indexedDB.databases()).map((db) => db.name);
    const name = names.find((name) => name.startsWith("sakhi-") && name !== "sakhi-keyring");
    if (!name) return false;
    const db = await new Promise((resolve, reject) => {
      const opening = indexedDB.open(name);
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error);
    });
    try {
      const reading = db.transaction("meta").objectStore("meta").get("epoch");
      return await new Promise((resolve) => {
        reading.onsuccess = () => resolve(reading.result !== undefined);
        reading.onerror = () => resolve(false);
      });
    } finally {
      db.close();
    }
  }, null, { timeout: 120_000, polling: 250 });
}

/** Unlocks the app on its lock screen with the bench worker's password. */
export async function unlockThroughApp(page) {
  await page.getByRole("heading", { name: "Unlock Sakhi" }).waitFor({ timeout: 120_000 });
  await page.getByLabel("Password", { exact: true }).fill(BENCH_WORKER.password);
  await page.getByRole("button", { name: "Unlock" }).click();
}

/**
 * Fills the bench worker's store at `origin` through the seeding page (bench/seeder): `mode` is
 * `unsent` or `pulled`. She must have logged in on this device first.
 */
export async function seedStore(page, origin, mode, count) {
  // The app's service worker answers every navigation with the app itself: without it, the
  // seeding page comes from the server. The app installs it again on its next start.
  await page.evaluate(async () => {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  });
  const query = new URLSearchParams({ [mode]: count, username: BENCH_WORKER.username, password: BENCH_WORKER.password });
  await page.goto(new URL(`/bench-seed/?${query}`, origin).href);
  await page.waitForFunction(() => /^(seeded|failed)/.test(document.title), null, { timeout: 600_000 });
  const title = await page.title();
  if (title !== `seeded ${count}`) throw new Error(`seeding ${count} ${mode} cases: ${title}`);
}

/** The slow link of DESIGN.md's first-visit budget: 700 kbit/s each way, 300 ms round trip. */
export const SLOW_LINK = {
  offline: false,
  latency: 300,
  downloadThroughput: (700 * 1000) / 8,
  uploadThroughput: (700 * 1000) / 8,
};
/** How much slower than this machine a phone's CPU is taken to be. */
export const PHONE_CPU = 4;

/**
 * A device: Chromium with its own profile on disk, so the service worker, the HTTP cache and
 * IndexedDB behave as on a phone. `close()` removes the profile.
 */
export async function openDevice(name) {
  const profile = mkdtempSync(join(tmpdir(), `sakhi-bench-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    ...phone,
    executablePath: "/usr/bin/chromium",
    args: chromiumArgs,
  });
  const errors = [];
  context.on("page", (page) => page.on("pageerror", (e) => errors.push(e.message)));
  context.pages().forEach((page) => page.on("pageerror", (e) => errors.push(e.message)));
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Slows `page` down as a phone on a slow link would be; either part may be left out. */
export async function throttle(context, page, { link, cpu }) {
  const cdp = await context.newCDPSession(page);
  if (link) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", link);
  }
  if (cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  return cdp;
}

/**
 * Runs in the page before any of its scripts: records in `window.__benchReady` the moment
 * (performance.now(), milliseconds since navigation started) the screen asked for was first there.
 *  - `list`: the case list is usable: the "Cases" heading with the list under it (its first page
 *    of cases and the count of all `expected`, or the empty-list line).
 *  - `first`: the first screen a phone shows (the first-run page, the login or the lock screen) is
 *    usable: the app's `sakhi-sign-in-ready` mark when `useMark`, else a heading and a button in it.
 *  - `floor`: the floor page has mounted its heading.
 *  - `sent`: after the browser came online, the sync badge says every change was sent.
 */
function watchForReady({ condition, expected, useMark }) {
  // How many cases the app's list shows before "Show more" (src/pages/case_list.rs).
  const LIST_PAGE = 50;
  const done = (at) => {
    if (window.__benchReady === undefined) window.__benchReady = at;
  };
  addEventListener("online", () => {
    window.__onlineAt = performance.now();
  });
  // Trunk's loader announces the started wasm module; its memory is where the Rust side's data is.
  addEventListener("TrunkApplicationStarted", (event) => {
    window.__wasmMemory = event.detail?.wasm?.memory;
  });
  if (useMark && condition === "first") {
    new PerformanceObserver((entries) => {
      for (const mark of entries.getEntries()) if (mark.name === "sakhi-sign-in-ready") done(mark.startTime);
    }).observe({ type: "mark", buffered: true });
    return;
  }
  const checks = {
    list() {
      const heading = document.querySelector("main h1");
      if (!heading || heading.textContent.trim() !== "Cases") return false;
      if (expected === 0) return document.querySelector("main p.empty, main ul.cases") !== null;
      // The list shows its first page of cases and says how many there are in all.
      const count = document.querySelector("main p.count")?.textContent ?? "";
      return (
        document.querySelectorAll("main ul.cases > li").length >= Math.min(expected, LIST_PAGE) &&
        count.includes(String(expected))
      );
    },
    floor: () => document.querySelector("main h1") !== null,
    first: () => document.querySelector("main h1") !== null && document.querySelector("main button") !== null,
    sent() {
      const badge = document.querySelector('header [role="status"]');
      return window.__onlineAt !== undefined && /All sent/.test(badge?.textContent ?? "");
    },
  };
  const check = checks[condition];
  const observer = new MutationObserver(() => {
    if (check()) {
      done(performance.now());
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

/** Makes every later navigation of `page` record when `condition` is met (see watchForReady). */
export async function watch(page, condition, { expected = 0, useMark = false } = {}) {
  await page.addInitScript(watchForReady, { condition, expected, useMark });
}

/** Waits for the moment recorded by `watch` and returns it, in milliseconds since navigation. */
export async function readyAt(page, timeout = 180_000) {
  await page.waitForFunction(() => window.__benchReady !== undefined, null, { timeout, polling: 50 });
  return page.evaluate(() => window.__benchReady);
}

/**
 * The page's memory after a full garbage collection: the JavaScript heap in use (DevTools'
 * Runtime.getHeapUsage) and, apart, the wasm module's linear memory, which that heap does not count
 * and which never shrinks (so it is the high-water mark).
 */
export async function memoryAfterGc(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const usage = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? null);
  if (wasm === null) throw new Error("the page did not announce its wasm module (TrunkApplicationStarted)");
  return { heap: usage.usedSize, wasm };
}

/** The untimed warm-up plus the timed runs: `runs` timed ones, or exactly one when quick. */
export function schedule({ runs, quick }) {
  return quick ? [{ timed: true, index: 0 }] : [...Array(runs + 1).keys()].map((i) => ({ timed: i > 0, index: i }));
}

/**
 * One figure for the orchestrator, which computes medians, ranges and the ratio: `sakhi` and
 * `baseline` are the raw samples of the timed runs.
 */
export function emit(figure) {
  console.log(`SAKHI_BENCH ${JSON.stringify(figure)}`);
}

/** Progress for the person waiting, on stderr so that stdout stays machine-readable. */
export function say(text) {
  console.error(`    ${text}`);
}
