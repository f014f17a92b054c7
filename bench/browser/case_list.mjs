// Benchmark: the case list with many cases on the device. The bench worker logs in on two devices;
// one then holds `cases` synthetic cases, each with a counselling session and every other with a
// service (about 2.5 records a case), taken in through the app's own store code as pulled pages
// (the seeding page, bench/seeder), the other none; each opens the app in a new tab and unlocks it.
// Figures: time from pressing Unlock (the app's `sakhi-unlocking` mark) to the list rendered, its
// key derivation included, the page's JavaScript heap after a full garbage collection, and the wasm
// module's memory, each against the same page with an empty store; and searching by name, phone
// and village, typed into the list's search box, until the updated list is on screen.
import {
  emit,
  logInThroughApp,
  memoryAfterGc,
  openDevice,
  readyAt,
  say,
  schedule,
  seedStore,
  setUpBench,
  unlockThroughApp,
  watch,
} from "./device.mjs";

export async function caseList(config) {
  await setUpBench(config.app, config.setup_code);
  const full = await device(config, config.cases);
  const empty = await device(config, 0);
  const times = { full: [], empty: [] };
  const heaps = { full: [], empty: [] };
  const wasm = { full: [], empty: [] };
  const searched = Object.fromEntries(SEARCHES.map(({ by }) => [by, { full: [], empty: [] }]));
  const opened = { full: [], empty: [] };
  try {
    for (const { timed, index } of schedule(config)) {
      const order = index % 2 === 0 ? [full, empty] : [empty, full];
      for (const d of order) {
        const { ms, memory, searches, caseOpened } = await d.open();
        const label = d === full ? "full" : "empty";
        const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
        say(`case list, ${label}: ${ms.toFixed(0)} ms, heap ${mb(memory.heap)}, wasm ${mb(memory.wasm)}${timed ? "" : " (warm-up)"}`);
        if (timed) {
          times[label].push(ms);
          heaps[label].push(memory.heap);
          wasm[label].push(memory.wasm);
          for (const [by, took] of Object.entries(searches)) searched[by][label].push(took);
          opened[label].push(caseOpened);
        }
      }
    }
  } finally {
    await full.close();
    await empty.close();
  }
  const common = { benchmark: "case list", higher_is_better: false, baseline_name: "the same page, no cases" };
  emit({ ...common, figure: `unlock and list ${config.cases} worked cases (from pressing Unlock)`, unit: "ms", sakhi: times.full, baseline: times.empty });
  emit({ ...common, figure: `JS heap with ${config.cases} cases listed (after GC)`, unit: "bytes", sakhi: heaps.full, baseline: heaps.empty });
  emit({ ...common, figure: `wasm memory with ${config.cases} cases listed`, unit: "bytes", sakhi: wasm.full, baseline: wasm.empty });
  emit({
    ...common,
    figure: `open a case among ${config.cases} worked cases (from the tap until her timeline is read)`,
    unit: "ms",
    sakhi: opened.full,
    baseline: opened.empty,
  });
  for (const { by, query } of SEARCHES) {
    emit({
      ...common,
      figure: `search ${config.cases} cases by ${by} ("${query}") until the list is updated`,
      unit: "ms",
      sakhi: searched[by].full,
      baseline: searched[by].empty,
    });
  }
}

/**
 * What a worker might type: a name and a village that each match about a tenth of the synthetic
 * cases (crates/cases), and four digits of a phone number, which match a handful.
 */
const SEARCHES = [
  { by: "name", query: "Kavita" },
  { by: "phone", query: "4321" },
  { by: "village", query: "हरिपुर" },
];

/**
 * Types `query` into the search box and returns the milliseconds until the list shows the result
 * and the next frame is drawn; then clears the search the same way.
 */
async function timeSearch(tab, query) {
  return tab.evaluate(async (query) => {
    const box = document.getElementById("case-search");
    const count = () => document.querySelector("main p.count")?.textContent;
    const type = async (text) => {
      const before = count();
      const started = performance.now();
      box.value = text;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      // An empty list has no count to change; otherwise wait for it, then for a drawn frame.
      while (before !== undefined && count() === before) await new Promise(requestAnimationFrame);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    };
    const took = await type(query);
    await type("");
    return took;
  }, query);
}

/**
 * Opens the newest case on the list (on an empty store, a case page for an id it does not hold)
 * and returns the milliseconds from the tap until the page has read the case and what was done
 * for her (the app's `sakhi-case-ready` mark).
 */
async function timeCaseOpen(tab) {
  return tab.evaluate(async () => {
    performance.clearMarks("sakhi-case-ready");
    let link = document.querySelector("main .cases a.case");
    if (!link) {
      link = document.createElement("a");
      link.href = "/cases/0190a5f0-0000-7000-8000-000000000000";
      document.querySelector("main").append(link);
    }
    const started = performance.now();
    link.click();
    while (!performance.getEntriesByName("sakhi-case-ready").length) {
      if (performance.now() - started > 60_000) throw new Error(`the case page did not open: ${location.pathname}`);
      await new Promise(requestAnimationFrame);
    }
    return performance.getEntriesByName("sakhi-case-ready")[0].startTime - started;
  });
}

/** A device where the bench worker logged in and whose store holds `cases` pulled cases. */
async function device(config, cases) {
  const d = await openDevice(`list-${cases}`);
  const { context, page } = d;
  await logInThroughApp(page, config.app);
  if (cases > 0) await seedStore(page, config.app, "pulled", cases);
  await page.close();
  return {
    async open() {
      const tab = await context.newPage();
      try {
        await watch(tab, "list", { expected: cases });
        await tab.goto(config.app, { waitUntil: "commit" });
        await unlockThroughApp(tab);
        const listed = await readyAt(tab);
        const unlocking = await tab.evaluate(() => performance.getEntriesByName("sakhi-unlocking")[0]?.startTime);
        if (unlocking === undefined) throw new Error("the app did not mark pressing Unlock (sakhi-unlocking)");
        const memory = await memoryAfterGc(context, tab);
        const searches = {};
        for (const { by, query } of SEARCHES) searches[by] = await timeSearch(tab, query);
        const caseOpened = await timeCaseOpen(tab).catch((error) => {
          throw new Error(`${error.message}; page errors: ${d.errors.join("; ")}; ${JSON.stringify(performance?.now?.())}`);
        });
        if (d.errors.length) throw new Error(`page errors: ${d.errors.join("; ")}`);
        return { ms: listed - unlocking, memory, searches, caseOpened };
      } finally {
        await tab.close();
      }
    },
    close: () => d.close(),
  };
}
