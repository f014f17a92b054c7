// Benchmark: opening offline from the home screen. The worker has logged in once (the app is
// installed, its service worker holds the shell), the network is off, and the app is opened again in
// a new tab, as tapping its icon does; the clock runs from navigation to the usable lock screen,
// where she unlocks with her password, with the CPU 4x slower than this machine's as on a phone. The baseline is the empty Leptos page (bench/floor) installed and opened
// the same way.
import {
  PHONE_CPU,
  emit,
  logInThroughApp,
  openDevice,
  readyAt,
  say,
  schedule,
  setUpBench,
  throttle,
  watch,
} from "./device.mjs";

export async function offlineOpen(config) {
  await setUpBench(config.app, config.setup_code);
  const app = await installed(config.app, "first", config);
  const floor = await installed(config.floor, "floor", config);
  const sakhi = [];
  const baseline = [];
  try {
    for (const { timed, index } of schedule(config)) {
      const order = index % 2 === 0 ? [app, floor] : [floor, app];
      for (const device of order) {
        const ms = await device.open();
        say(`offline open, ${device.name}: ${ms.toFixed(0)} ms${timed ? "" : " (warm-up)"}`);
        if (timed) (device === app ? sakhi : baseline).push(ms);
      }
    }
  } finally {
    await app.close();
    await floor.close();
  }
  emit({
    benchmark: "opening offline from the home screen",
    figure: "navigation to the usable lock screen, offline (CPU 4x slower)",
    unit: "ms",
    higher_is_better: false,
    sakhi,
    baseline_name: "empty Leptos page, installed the same way",
    baseline,
  });
}

/** A device that visited `url` online until its service worker took control, then went offline. */
async function installed(url, condition, config) {
  const device = await openDevice(`offline-${condition}`);
  const { context, page } = device;
  if (condition === "first") {
    await logInThroughApp(page, url);
  } else {
    await watch(page, condition);
    await page.goto(url);
    await readyAt(page);
  }
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
  await context.setOffline(true);
  await page.close();
  return {
    name: condition === "first" ? "app" : "floor",
    /** Opens `url` in a new tab, offline, and returns when its screen was usable. */
    async open() {
      const tab = await context.newPage();
      try {
        await throttle(context, tab, { cpu: PHONE_CPU });
        await watch(tab, condition, { useMark: true });
        await tab.goto(url, { waitUntil: "commit" });
        const at = await readyAt(tab, 60_000);
        if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
        return at;
      } finally {
        await tab.close();
      }
    },
    close: () => device.close(),
  };
}
