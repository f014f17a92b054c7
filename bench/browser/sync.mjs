// Benchmark: sync, end to end. A device holding `cases` unsent cases comes online and sends them all.
//  - Sakhi: the real app on a device where the bench worker logged in, then filled offline through
//    its own store (bench/seeder), talking to a fresh sakhi-server; the clock runs from the browser's `online` event until the sync badge
//    says every change was sent (the outbox is empty, each change acknowledged after the server's
//    commit).
//  - PouchDB (pouchdb-browser, IndexedDB) holding the same documents, replicating to pouchdb-server
//    (LevelDB on disk) in the same headless Chromium; the clock runs around `PouchDB.replicate`.
// Both talk through a counting proxy, which gives the bytes on the wire both ways until the end.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import {
  emit,
  logInThroughApp,
  openDevice,
  readyAt,
  say,
  schedule,
  seedStore,
  setUpBench,
  unlockThroughApp,
  watch,
} from "./device.mjs";
import { countingProxy } from "./proxy.mjs";

export async function sync(config) {
  const documents = JSON.parse(readFileSync(config.documents, "utf8")).slice(0, config.cases);
  const pouchdb = await bundlePouchDb();
  const results = { sakhi: { ms: [], bytes: [] }, pouch: { ms: [], bytes: [] } };
  for (const { timed, index } of schedule(config)) {
    const runs = [
      ["sakhi", () => sakhiRun(config.sakhi_servers[index], config.cases)],
      ["pouch", () => pouchRun(config.pouch, `bench-${index}`, documents, pouchdb)],
    ];
    if (index % 2 === 1) runs.reverse();
    for (const [name, run] of runs) {
      const { ms, bytes } = await run();
      say(`sync ${config.cases} cases, ${name}: ${ms.toFixed(0)} ms, ${bytes} bytes${timed ? "" : " (warm-up)"}`);
      if (timed) {
        results[name].ms.push(ms);
        results[name].bytes.push(bytes);
      }
    }
  }
  const common = {
    benchmark: "sync, end to end",
    higher_is_better: false,
    baseline_name: "PouchDB replicating to pouchdb-server",
  };
  emit({ ...common, figure: `send ${config.cases} unsent cases until all acknowledged`, unit: "ms", sakhi: results.sakhi.ms, baseline: results.pouch.ms });
  emit({ ...common, figure: `bytes on the wire sending ${config.cases} cases (both ways)`, unit: "bytes", sakhi: results.sakhi.bytes, baseline: results.pouch.bytes });

  // Over an emulated 2G link, against the floor of the changes themselves, gzipped.
  const over2g = { ms: [], bytes: [], floor: [] };
  for (const { timed, index } of schedule(config)) {
    const { ms, bytes, floor } = await sakhiOver2g(config.sakhi_servers_2g[index], config.cases_2g, config.two_g_bits_per_second);
    say(`sync ${config.cases_2g} cases over 2G: ${ms.toFixed(0)} ms, ${bytes} bytes, changes gzipped ${floor} bytes${timed ? "" : " (warm-up)"}`);
    if (timed) {
      over2g.ms.push(ms);
      over2g.bytes.push(bytes);
      over2g.floor.push(floor);
    }
  }
  const at2g = {
    benchmark: "sync over 2G",
    higher_is_better: false,
    baseline_name: "the changes as JSON, gzip -9",
  };
  emit({
    ...at2g,
    figure: `${config.cases_2g} unsent cases at 250 kbit/s, 300 ms: until pushed and pulled (time / floor's transfer time)`,
    unit: "ms",
    sakhi: over2g.ms,
    baseline: over2g.floor.map((bytes) => (bytes * 8 * 1000) / config.two_g_bits_per_second),
  });
  emit({
    ...at2g,
    figure: `${config.cases_2g} unsent cases at 250 kbit/s: bytes on the wire, both ways`,
    unit: "bytes",
    sakhi: over2g.bytes,
    baseline: over2g.floor,
  });
}

/**
 * One device with `cases` unsent cases comes online over an emulated 2G link (Chromium's network
 * emulation: 300 ms round trips, `bitsPerSecond` each way) and syncs until its push is all
 * acknowledged and the pull that follows has ended. Returns the time, the bytes on the wire both
 * ways (headers and all), and the floor: every change it pushed, as one JSON array, gzip -9.
 */
async function sakhiOver2g({ url: server, setup_code }, cases, bitsPerSecond) {
  await setUpBench(server, setup_code);
  const proxy = await countingProxy(Number(new URL(server).port));
  const origin = `http://localhost:${proxy.port}`;
  const device = await openDevice("sync-2g");
  const { context, page } = device;
  try {
    await logInThroughApp(page, origin);
    await page.route("**/api/**", (route) => route.abort());
    await seedStore(page, origin, "unsent", cases);
    await page.goto(`${origin}/`);
    await unlockThroughApp(page);
    const waiting = `Waiting to send: ${cases === 1 ? "1 case" : `${cases} cases`}`;
    await page.waitForFunction((text) => document.querySelector('header [role="status"]')?.textContent === text, waiting, {
      timeout: 120_000,
    });
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });

    // What the phone pushes, as it pushes it; and the moment the last pull page arrives.
    const pushed = new Map();
    let pulledAt = 0;
    let started = Date.now();
    page.on("request", (request) => {
      // SAKHI_BENCH_TRACE=1 shows each request's moment, to see where the time goes.
      if (process.env.SAKHI_BENCH_TRACE) say(`${Date.now() - started} ms: ${request.method()} ${request.url()}`);
      if (!request.url().includes("/api/v1/sync/push")) return;
      const body = request.postDataBuffer();
      const json = request.headers()["content-encoding"] === "gzip" ? gunzipSync(body) : body;
      // A push sent again (its answer lost) counts once: the floor is each change once.
      for (const change of JSON.parse(json.toString("utf8")).changes) pushed.set(change.id, change);
      if (process.env.SAKHI_BENCH_DUMP) writeFileSync(`${process.env.SAKHI_BENCH_DUMP}-${pushed.size}.json`, json);
    });
    page.on("requestfinished", async (request) => {
      if (process.env.SAKHI_BENCH_TRACE) {
        const sizes = await request.sizes();
        say(`${Date.now() - started} ms: done ${request.method()} ${new URL(request.url()).pathname}: ${JSON.stringify(sizes)}`);
      }
      if (!request.url().includes("/api/v1/sync/pull")) return;
      const answer = await request.response();
      if (answer && !(await answer.json()).more) pulledAt = Date.now();
    });

    await context.setOffline(true);
    await page.unroute("**/api/**");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 300,
      downloadThroughput: bitsPerSecond / 8,
      uploadThroughput: bitsPerSecond / 8,
    });
    proxy.start();
    started = Date.now();
    await context.setOffline(false);
    await page.waitForFunction(() => /All sent/.test(document.querySelector('header [role="status"]')?.textContent ?? ""), null, {
      timeout: 600_000,
      polling: 100,
    });
    const sentAt = Date.now();
    while (pulledAt < sentAt) {
      if (Date.now() - sentAt > 120_000) throw new Error("no pull ended after the push");
      await new Promise((ok) => setTimeout(ok, 50));
    }
    if (pushed.size < cases * 6) throw new Error(`the phone pushed ${pushed.size} of ${cases * 6} changes`);
    if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
    const floor = gzipSync(JSON.stringify([...pushed.values()]), { level: 9 }).length;
    return { ms: pulledAt - started, bytes: proxy.bytesUntil(pulledAt), floor };
  } finally {
    await device.close();
    await proxy.close();
  }
}

/** One Sakhi device: logged in, filled while the API is unreachable, then brought online. */
async function sakhiRun({ url: server, setup_code }, cases) {
  await setUpBench(server, setup_code);
  const proxy = await countingProxy(Number(new URL(server).port));
  // `localhost`, not 127.0.0.1: a secure context, so the app's service worker runs as on a phone.
  const origin = `http://localhost:${proxy.port}`;
  const device = await openDevice("sync-sakhi");
  const { context, page } = device;
  try {
    await logInThroughApp(page, origin);
    await page.route("**/api/**", (route) => route.abort());
    await seedStore(page, origin, "unsent", cases);

    await watch(page, "sent");
    await page.goto(`${origin}/`);
    await unlockThroughApp(page);
    const waiting = `Waiting to send: ${cases === 1 ? "1 case" : `${cases} cases`}`;
    await page.waitForFunction((text) => document.querySelector('header [role="status"]')?.textContent === text, waiting, {
      timeout: 120_000,
    });
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
    await context.setOffline(true);
    await page.unroute("**/api/**");
    proxy.start();
    await context.setOffline(false);
    const sentAt = await readyAt(page, 600_000);
    const { onlineAt, origin: timeOrigin } = await page.evaluate(() => ({
      onlineAt: window.__onlineAt,
      origin: performance.timeOrigin,
    }));
    if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
    return { ms: sentAt - onlineAt, bytes: proxy.bytesUntil(timeOrigin + sentAt) };
  } finally {
    await device.close();
    await proxy.close();
  }
}

/** One PouchDB device: the same documents in a local database, replicated to a new remote one. */
async function pouchRun(server, database, documents, pouchdb) {
  const proxy = await countingProxy(Number(new URL(server).port));
  const origin = `http://localhost:${proxy.port}`;
  const device = await openDevice("sync-pouch");
  const { page } = device;
  try {
    // The page and the bundle come from Playwright, not the proxy: only replication is counted.
    await page.route(`${origin}/bench-pouch.html`, (route) =>
      route.fulfill({ contentType: "text/html", body: '<!DOCTYPE html><script src="/bench-pouch.js"></script>' }),
    );
    await page.route(`${origin}/bench-pouch.js`, (route) =>
      route.fulfill({ contentType: "text/javascript", body: pouchdb }),
    );
    await page.goto(`${origin}/bench-pouch.html`);
    await page.evaluate(async (docs) => {
      window.local = new PouchDB("cases");
      const saved = await window.local.bulkDocs(docs);
      if (saved.some((r) => !r.ok)) throw new Error("PouchDB refused a document");
    }, documents);
    proxy.start();
    const result = await page.evaluate(async (remote) => {
      const started = performance.now();
      const done = await PouchDB.replicate(window.local, remote);
      const ended = performance.now();
      return { ms: ended - started, end: performance.timeOrigin + ended, written: done.docs_written, ok: done.ok };
    }, `${origin}/${database}`);
    if (!result.ok || result.written !== documents.length) {
      throw new Error(`PouchDB replicated ${result.written} of ${documents.length} documents`);
    }
    if (device.errors.length) throw new Error(`page errors: ${device.errors.join("; ")}`);
    return { ms: result.ms, bytes: proxy.bytesUntil(result.end) };
  } finally {
    await device.close();
    await proxy.close();
  }
}

/** pouchdb-browser as one script that defines `PouchDB`, bundled from node_modules. */
async function bundlePouchDb() {
  const entry = fileURLToPath(new URL("../../node_modules/pouchdb-browser/lib/index.es.js", import.meta.url));
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: "PouchDBModule",
    minify: true,
    write: false,
    footer: { js: "window.PouchDB = PouchDBModule.default;" },
    logLevel: "silent",
  });
  return bundled.outputFiles[0].text;
}
