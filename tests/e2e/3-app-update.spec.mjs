// A new deploy replaces the old app shell without breaking an app that is open offline.
import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { workers } from "./accounts.mjs";
import { logIn, openDevice, unlock, waitForOfflineShell } from "./phone.mjs";

const url = process.env.SAKHI_URL;

const cacheNames = (page) => page.evaluate(() => caches.keys());
const hasWaitingWorker = (page) =>
  page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null);

test("a new deploy waits until the old app is closed, then replaces its shell", async () => {
  const dist = process.env.SAKHI_DIST;
  expect(dist, "SAKHI_DIST names the folder the server serves").toBeTruthy();
  const workerPath = join(dist, "sw.js");
  const deployed = readFileSync(workerPath, "utf8");
  const phone = await openDevice("deploy", url);
  const { page, context } = phone;
  try {
    await logIn(page, workers.second);
    await waitForOfflineShell(page);
    const [oldCache] = await cacheNames(page);
    expect(await cacheNames(page)).toEqual([oldCache]);

    // The server gets a new build: its service worker has a new version.
    const next = deployed.replace(/const VERSION = "([0-9a-f]+)"/, 'const VERSION = "$1next"');
    expect(next).not.toEqual(deployed);
    writeFileSync(workerPath, next);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await expect.poll(() => hasWaitingWorker(page)).toBe(true);

    // The app that is open keeps running on the old shell, even offline and reloaded.
    await context.setOffline(true);
    await page.reload();
    await unlock(page, workers.second);
    await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
    expect(await cacheNames(page)).toContain(oldCache);

    // Once it is closed, the next start runs the new shell and the old cache is gone.
    await page.goto("about:blank");
    await context.setOffline(false);
    await page.goto("/");
    await unlock(page, workers.second);
    await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
    await expect.poll(() => cacheNames(page)).toEqual([oldCache.replace(/$/, "next")]);
    await context.setOffline(true);
    await page.reload();
    await unlock(page, workers.second);
    await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
    expect(phone.problems).toEqual([]);
  } finally {
    writeFileSync(workerPath, deployed);
    await phone.close();
  }
});
