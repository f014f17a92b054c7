// A phone that is safe to lose or to be seen: quick exit, locking, a wrong password, two workers on
// one phone, logging out, and nothing of a survivor readable in the browser's files on disk, her
// files (a PDF, a photo) included.
import { expect, test } from "@playwright/test";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { workers } from "./accounts.mjs";
import { en, fromMenu, lock, logIn, openDevice, pdfSaying, photoJpeg, registerCase, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;
/** Where quick exit goes by default; the test answers it with a page of its own. */
const HARMLESS = "https://www.google.com/search?q=weather+today";

async function harmlessSite(context) {
  await context.route("https://www.google.com/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather today</h1>" }),
  );
}

const radha = {
  name: "Radha Kumari",
  age: 31,
  phone: "94140 11223",
  village: "Lakhanpur",
  violence: ["Domestic violence"],
  description: "Husband threatens her when drunk.",
};

test("quick exit hides everything at once, and Back finds Sakhi locked", async () => {
  const phone = await openDevice("quick-exit", url);
  const { page, context } = phone;
  await harmlessSite(context);
  await logIn(page, workers.outreach);
  await registerCase(page, radha);
  await page.getByText(radha.name).click();
  await expect(page.getByText(radha.village)).toBeVisible();

  // The button is in the header of every screen, in the same place.
  const exit = page.getByRole("button", { name: en.quick_exit });
  await expect(exit).toBeVisible();
  await exit.click();
  await page.waitForURL(HARMLESS);
  await expect(page.getByRole("heading", { name: "Weather today" })).toBeVisible();

  // Back: Sakhi again, but locked; none of her case is on screen.
  await page.goBack();
  await expect(page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
  await expect(page.getByText(radha.name)).toHaveCount(0);
  await expect(page.getByText(radha.village)).toHaveCount(0);

  // Shift three times does the same, from a keyboard.
  await unlock(page, workers.outreach);
  await expect(page.getByText(radha.name)).toBeVisible();
  for (let i = 0; i < 3; i++) await page.keyboard.press("Shift");
  await page.waitForURL(HARMLESS);
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("the app locks itself when left alone or in the background, and a wrong password opens nothing", async () => {
  const phone = await openDevice("locking", url);
  const { page } = phone;
  await page.clock.install();
  await logIn(page, workers.outreach);
  await expect(page.getByText(radha.name)).toBeVisible({ timeout: 30_000 });

  // Five minutes untouched: locked, and nothing but the lock screen shows.
  await page.clock.fastForward("05:30");
  await expect(page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
  await expect(page.getByText(radha.name)).toHaveCount(0);

  // A wrong password says so and opens nothing.
  await page.getByLabel(en["login.password"], { exact: true }).fill("not-her-password");
  await page.getByRole("button", { name: en["unlock.submit"] }).click();
  await expect(page.getByText(en["unlock.wrong"])).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(radha.name)).toHaveCount(0);
  await unlock(page, workers.outreach);
  await expect(page.getByText(radha.name)).toBeVisible();

  // Thirty seconds in the background: locked.
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await page.clock.fastForward("00:31");
  await expect(page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
  await expect(page.getByText(radha.name)).toHaveCount(0);
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("two workers share a phone, each sees only her own store, and logging out removes hers", async () => {
  test.setTimeout(300_000);
  const phone = await openDevice("shared", url);
  const { page, context } = phone;
  // The first outreach worker, with her cases.
  await logIn(page, workers.outreach);
  await registerCase(page, radha);
  await expect(page.getByText(radha.name).first()).toBeVisible();
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
  await lock(page);

  // The second outreach worker logs in on the same phone: she sees none of the first one's cases.
  await page.getByRole("button", { name: en["unlock.another"] }).click();
  await page.getByLabel(en["login.username"], { exact: true }).fill(workers.second.username);
  await page.getByLabel(en["login.password"], { exact: true }).fill(workers.second.password);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByRole("heading", { name: en["cases.heading"] })).toBeVisible();
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
  await expect(page.getByText(radha.name)).toHaveCount(0);

  // Offline, either can unlock; each finds her own.
  await context.setOffline(true);
  await page.reload();
  await unlock(page, workers.outreach);
  await expect(page.getByText(radha.name).first()).toBeVisible();

  // Logging out with a change not yet sent warns first.
  const kamla = { ...radha, name: "Kamla Devi", phone: "94140 99887" };
  await registerCase(page, kamla);
  // A second tab with her store open does not keep it on the phone after she logs out.
  const other = await context.newPage();
  await other.goto("/");
  await unlock(other, workers.outreach);
  await expect(other.getByText(kamla.name).first()).toBeVisible();
  await fromMenu(page, en["logout.link"]);
  // Counted as she counts it: one case, however many fields the form filled.
  await expect(page.getByText(en["logout.waiting"].replace("{what}", "1 case"))).toBeVisible();
  await expect(page.getByRole("button", { name: en["logout.send"] })).toBeVisible();
  await expect(page.getByRole("button", { name: en["logout.anyway"] })).toBeVisible();
  // Back online, they go (the app sends as soon as the phone is online), and logging out is safe.
  await context.setOffline(false);
  await expect(page.getByRole("button", { name: en["logout.confirm"] })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: en["logout.confirm"] }).click();

  // Her store is gone from the phone; the other worker's remains.
  await expect(page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
  await expect(page.getByLabel(workers.outreach.display_name, { exact: true })).toHaveCount(0);
  const workerDatabases = async () =>
    (await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).filter(
      (name) => name.startsWith("sakhi-") && name !== "sakhi-keyring",
    );
  await expect.poll(workerDatabases).toHaveLength(1);
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("nothing typed about a survivor can be read from the browser's files on disk", async () => {
  // The test reads back what the viewer shows (a `blob:` address), which the CSP forbids the app.
  const phone = await openDevice("canary", url, { bypassCSP: true });
  const { page, context, profile } = phone;
  const canaries = ["CANARY-7f3a91", "कैनरी-७फ३ए", "canary-vill-5521", "canary-story-0c4d"];
  await context.route("**/api/v1/sync/**", (route) => route.abort("internetdisconnected"));
  await logIn(page, workers.search);
  for (let n = 0; n < 3; n++) {
    await registerCase(page, {
      name: `${canaries[0]} ${canaries[1]} ${n}`,
      age: 20 + n,
      phone: `98${n}00 12345`,
      village: `${canaries[2]} गाँव`,
      violence: ["Other"],
      description: `${canaries[3]} ${canaries[1]} — कहानी ${n}`,
    });
  }
  // Her files: a medical report whose text is a canary, and a photo. Each is opened once, and a
  // slice of what the viewer shows (the decrypted bytes) becomes a needle for the scan too.
  await page.locator(".cases").getByRole("link").first().click();
  const form = page.getByRole("form", { name: en["case.add_file"] });
  const needles = [];
  const attach = async (file, kind) => {
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    await form.getByLabel(en["file.choose"]).setInputFiles(file);
    await expect(form.getByText(/Ready to save/)).toBeVisible();
    await form.getByLabel(en[`attachment_kind.${kind}`], { exact: true }).check();
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();
    const entry = page.locator(".timeline li.file").filter({ has: page.getByRole("heading", { name: en[`attachment_kind.${kind}`], exact: true }) });
    await entry.getByRole("button", { name: en["file.open"] }).click();
    const shown = page.getByRole("dialog").locator("img, canvas").first();
    await expect(shown).toBeVisible();
    const base64 = await page.evaluate(async () => {
      const src = document.querySelector(".viewer img")?.src;
      // A PDF drawn page by page has no address to read back; its canary text stands for it.
      if (!src) return null;
      const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
      const middle = bytes.slice(bytes.length / 2, bytes.length / 2 + 48);
      return btoa(String.fromCharCode(...middle));
    });
    if (base64) needles.push(Buffer.from(base64, "base64"));
    await page.getByRole("button", { name: en["file.close"] }).click();
  };
  await attach({ name: "mlc.pdf", mimeType: "application/pdf", buffer: pdfSaying(`CANARY-PDF-91c2 ${"report ".repeat(40)}`) }, "medical_report");
  await attach({ name: "photo.jpg", mimeType: "image/jpeg", buffer: await photoJpeg(page) }, "photo");
  canaries.push("CANARY-PDF-91c2");
  expect(needles.length, "the photo's bytes were read back").toBeGreaterThan(0);

  // A control, written in plain text by the page itself: the scan must find it, or it proves nothing.
  const control = "CONTROL-plain-" + Date.now();
  await page.evaluate(async (control) => {
    await new Promise((resolve, reject) => {
      const open = indexedDB.open("scan-control", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("s");
      open.onsuccess = () => {
        const tx = open.result.transaction("s", "readwrite");
        tx.objectStore("s").put(control, "k");
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      };
    });
  }, control);
  await page.close();
  await context.close();

  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile()) files.push(path);
    }
  };
  walk(profile);
  const found = (needle) =>
    files.filter((file) => {
      const bytes = readFileSync(file);
      return bytes.includes(Buffer.from(needle, "utf8")) || bytes.includes(Buffer.from(needle, "utf16le"));
    });
  expect(found(control).length, "the scan finds text the page stored in plain").toBeGreaterThan(0);
  for (const canary of canaries) {
    expect(found(canary), `files holding ${canary}`).toEqual([]);
  }
  for (const needle of needles) {
    expect(files.filter((file) => readFileSync(file).includes(needle)), "files holding a file's content").toEqual([]);
  }
  await phone.close();
});
