// Benchmark: the first visit on a slow link. A phone that has never seen Sakhi opens it over
// 700 kbit/s with 300 ms round trips and a CPU 4x slower than this machine's; the clock runs from
// navigation to its first screen (the first-run page that explains quick exit) being usable. The baseline is a static HTML page of the same first
// screen (taken from the app itself, scripts removed, its stylesheet kept) under the same throttling:
// what any page showing that screen must at least cost.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  PHONE_CPU,
  SLOW_LINK,
  emit,
  openDevice,
  readyAt,
  say,
  schedule,
  setUpBench,
  throttle,
  watch,
} from "./device.mjs";

const STATIC_PATH = "/bench-static/";

export async function firstVisit(config) {
  await setUpBench(config.app, config.setup_code);
  await writeStaticFirstScreen(config);
  // The app is timed by its own mark; the static page by the screen's arrival in the
  // DOM, which for a page without scripts is when it is parsed (a script file to mark it would cost
  // the baseline a round trip the screen itself does not need).
  const visit = async (url, useMark) => {
    const device = await openDevice("first-visit");
    try {
      await throttle(device.context, device.page, { link: SLOW_LINK, cpu: PHONE_CPU });
      await watch(device.page, "first", { useMark });
      await device.page.goto(url, { waitUntil: "commit" });
      const at = await readyAt(device.page);
      if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
      return at;
    } finally {
      await device.close();
    }
  };

  const sakhi = [];
  const baseline = [];
  for (const { timed, index } of schedule(config)) {
    // The two take turns going first, so neither always meets a warmer server or disk.
    const order = index % 2 === 0 ? ["app", "static"] : ["static", "app"];
    for (const which of order) {
      const app = which === "app";
      const ms = await visit(new URL(app ? "/" : STATIC_PATH, config.app).href, app);
      say(`first visit, ${which}: ${ms.toFixed(0)} ms${timed ? "" : " (warm-up)"}`);
      if (timed) (which === "app" ? sakhi : baseline).push(ms);
    }
  }
  emit({
    benchmark: "first visit on a slow link",
    figure: "navigation to the usable first screen (700 kbit/s, 300 ms RTT, CPU 4x slower)",
    unit: "ms",
    higher_is_better: false,
    sakhi,
    baseline_name: "static HTML of the same first screen",
    baseline,
  });
}

/**
 * Writes the static baseline into the served site: the app's own first screen, as rendered for a new
 * device, with every script and preload taken out.
 */
async function writeStaticFirstScreen(config) {
  const device = await openDevice("static-screen");
  let html;
  try {
    await watch(device.page, "first");
    await device.page.goto(config.app);
    await readyAt(device.page);
    html = await device.page.evaluate(() => "<!DOCTYPE html>\n" + document.documentElement.outerHTML);
  } finally {
    await device.close();
  }
  const page = html
    .replace(/<script\b[\s\S]*?<\/script>/g, "")
    .replace(/<link[^>]*rel="(?:modulepreload|preload)"[^>]*>/g, "");
  const dir = join(config.site, "bench-static");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.html"), page);
}
