// Benchmark: the case list with many cases on the device. One device holds `cases` synthetic cases,
// taken in through the app's own store code as pulled pages (the seeding page, bench/seeder), the
// other none; each opens the app in a new tab. Figures: time from navigation to the list rendered
// with every case, the page's JavaScript heap after a full garbage collection, and the wasm
// module's memory, each against the same page with an empty store. Search does not
// exist in the app yet, so its figure is reported as not available rather than guessed.
import { emit, memoryAfterGc, openDevice, readyAt, say, schedule, watch } from "./device.mjs";

export async function caseList(config) {
  const full = await device(config, config.cases);
  const empty = await device(config, 0);
  const times = { full: [], empty: [] };
  const heaps = { full: [], empty: [] };
  const wasm = { full: [], empty: [] };
  try {
    for (const { timed, index } of schedule(config)) {
      const order = index % 2 === 0 ? [full, empty] : [empty, full];
      for (const d of order) {
        const { ms, memory } = await d.open();
        const label = d === full ? "full" : "empty";
        const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
        say(`case list, ${label}: ${ms.toFixed(0)} ms, heap ${mb(memory.heap)}, wasm ${mb(memory.wasm)}${timed ? "" : " (warm-up)"}`);
        if (timed) {
          times[label].push(ms);
          heaps[label].push(memory.heap);
          wasm[label].push(memory.wasm);
        }
      }
    }
  } finally {
    await full.close();
    await empty.close();
  }
  const common = { benchmark: "case list", higher_is_better: false, baseline_name: "the same page, no cases" };
  emit({ ...common, figure: `navigation to list of ${config.cases} cases rendered`, unit: "ms", sakhi: times.full, baseline: times.empty });
  emit({ ...common, figure: `JS heap with ${config.cases} cases listed (after GC)`, unit: "bytes", sakhi: heaps.full, baseline: heaps.empty });
  emit({ ...common, figure: `wasm memory with ${config.cases} cases listed`, unit: "bytes", sakhi: wasm.full, baseline: wasm.empty });
  emit({
    ...common,
    figure: `search ${config.cases} cases by name, phone or village`,
    unit: "ms",
    sakhi: null,
    baseline: null,
    note: "not available yet: the app has no search",
  });
}

/** A device whose store holds `cases` pulled cases (none: the app was only opened once). */
async function device(config, cases) {
  const d = await openDevice(`list-${cases}`);
  const { context, page } = d;
  if (cases > 0) {
    await page.goto(new URL(`/bench-seed/?pulled=${cases}`, config.app).href);
    await page.waitForFunction(() => /^(seeded|failed)/.test(document.title), null, { timeout: 600_000 });
    const title = await page.title();
    if (title !== `seeded ${cases}`) throw new Error(`seeding ${cases} cases: ${title}`);
  }
  await watch(page, "list", { expected: cases });
  await page.goto(config.app);
  await readyAt(page);
  await page.close();
  return {
    async open() {
      const tab = await context.newPage();
      try {
        await watch(tab, "list", { expected: cases });
        await tab.goto(config.app, { waitUntil: "commit" });
        const ms = await readyAt(tab);
        const memory = await memoryAfterGc(context, tab);
        if (d.errors.length) throw new Error(`page errors: ${d.errors.join("; ")}`);
        return { ms, memory };
      } finally {
        await tab.close();
      }
    },
    close: () => d.close(),
  };
}
