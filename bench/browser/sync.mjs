// Benchmark: sync, end to end. A device holding `cases` unsent cases comes online and sends them all.
//  - Sakhi: the real app on a device where the bench worker logged in, then filled offline through
//    its own store (bench/seeder), talking to a fresh sakhi-server; the clock runs from the browser's `online` event until the sync badge
//    says every change was sent (the outbox is empty, each change acknowledged after the server's
//    commit).
//  - PouchDB (pouchdb-browser, IndexedDB) holding the same documents, replicating to pouchdb-server
//    (LevelDB on disk) in the same headless Chromium; the clock runs around `PouchDB.replicate`.
// Both talk through a counting proxy, which gives the bytes on the wire both ways until the end.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
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
    const waiting = `Waiting to send: ${cases * 6}`;
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
