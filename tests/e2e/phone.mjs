// What every end-to-end test shares: a phone-sized Chromium with its own profile (a device), the
// translation files, and small steps a worker takes.
import { chromium, expect } from "@playwright/test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // A camera and a microphone that give a test picture and tone, allowed without asking.
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

export const phone = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "en-IN",
  // Sakhi's own camera and voice-note controls; the browser's prompt is answered as she would.
  permissions: ["camera", "microphone"],
};

const locale = (lang) =>
  JSON.parse(readFileSync(new URL(`../../locales/${lang}.json`, import.meta.url), "utf8"));
export const en = locale("en");
export const hi = locale("hi");

/** The Hindi text shown where the English one is `english`. */
export function hindi(english) {
  const key = Object.keys(en).find((k) => en[k] === english);
  if (!key) throw new Error(`no English string ${JSON.stringify(english)} in locales/en.json`);
  return hi[key];
}

/**
 * A device: a Chromium with a profile of its own on disk (not an incognito context, which can
 * neither install an app nor keep one offline as a phone does). Errors thrown in its pages and
 * Content-Security-Policy violations are collected, and `close()` removes the profile.
 */
export async function openDevice(name, baseURL, options = {}) {
  const profile = mkdtempSync(join(tmpdir(), `sakhi-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    ...phone,
    ...options,
    baseURL,
    executablePath: "/usr/bin/chromium",
    args: chromiumArgs,
  });
  const problems = [];
  const watch = (page) => {
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        problems.push(`CSP: ${message.text()}`);
      }
    });
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    problems,
    /** The profile's folder on disk, as the phone's browser keeps it. */
    profile,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the service worker controls the page, so the app shell is on the device. */
export async function waitForOfflineShell(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
    timeout: 30_000,
  });
}

/** The sync badge in the header. */
export function syncBadge(page) {
  return page.getByRole("status").filter({ hasText: /Waiting to send|Sending|All sent/ });
}

/** The phone's day `days` from now, as a date input takes it. */
export function day(days) {
  const at = new Date(Date.now() + days * 86_400_000);
  const two = (n) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
}

/** Waits until the phone has sent every change. */
export async function sent(page) {
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
}

/** Brings a phone back online, which starts a sync round, and waits until all is sent. */
export async function online(context, page) {
  await context.setOffline(true);
  await context.setOffline(false);
  await sent(page);
}

/**
 * Signs `account` in on a phone that has not seen her: the first-run page (read once per phone),
 * then logging in through the server; ends on the case list.
 */
export async function logIn(page, account, { shots } = {}) {
  await page.goto("/");
  const welcome = page.getByRole("button", { name: en["welcome.continue"] });
  const login = page.getByRole("heading", { name: en["login.heading"] });
  await expect(welcome.or(login)).toBeVisible();
  if (await welcome.isVisible()) {
    await expect(page.getByRole("heading", { name: en["welcome.heading"] })).toBeVisible();
    if (shots) await screenshot(page, `${shots}-welcome-en`);
    await welcome.click();
  }
  const unlockAs = page.getByRole("button", { name: en["unlock.another"] });
  if (await unlockAs.isVisible()) await unlockAs.click();
  await page.getByLabel(en["login.username"], { exact: true }).fill(account.username);
  await page.getByLabel(en["login.password"], { exact: true }).fill(account.password);
  if (shots) await screenshot(page, `${shots}-login-en`);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByRole("heading", { name: en["cases.heading"] })).toBeVisible({ timeout: 30_000 });
}

/** Unlocks the app on the lock screen, offline or not, with her password; ends on a page of cases. */
export async function unlock(page, account) {
  await expect(page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
  const choice = page.getByLabel(account.display_name, { exact: true });
  if (await choice.isVisible()) await choice.check();
  await page.getByLabel(en["login.password"], { exact: true }).fill(account.password);
  await page.getByRole("button", { name: en["unlock.submit"] }).click();
  await expect(menuLink(page)).toBeVisible({ timeout: 30_000 });
}

/** The bottom bar's link to the menu, there whenever a worker is unlocked. */
export function menuLink(page) {
  return page.getByRole("navigation", { name: en["nav.label"] }).getByRole("link", { name: en["nav.menu"] });
}

/** Opens a place the bottom bar has no room for (staff, audit, figures, settings, sync) through the menu. */
export async function fromMenu(page, label) {
  await menuLink(page).click();
  await page.getByRole("link", { name: label, exact: true }).click();
}

/**
 * Shows the app in `code` ("en" or "hi"): the header's one-tap switch once she is unlocked, the
 * language list on the lock and sign-in screens; nothing if it already is.
 */
export async function inLanguage(page, code) {
  const name = code === "hi" ? "हिन्दी" : "English";
  const toggle = page.locator(".app-bar").getByRole("button", { name, exact: true });
  const list = page.locator(".app-bar select, .menu select");
  if (await toggle.count()) await toggle.click();
  else if (await list.count()) await list.first().selectOption({ label: name });
  await expect(page.locator("html")).toHaveAttribute("lang", code);
}

/** Locks the app from the menu, as a worker handing the phone on does. */
export async function lock(page) {
  await menuLink(page).click();
  await page.getByRole("button", { name: en["lock.button"] }).click();
}

export async function registerCase(page, c) {
  await page.getByRole("link", { name: "New case" }).click();
  await expect(page.getByRole("heading", { name: "New case" })).toBeVisible();
  await fillIntake(page, {
    Name: c.name,
    Age: c.age,
    Phone: c.phone,
    Village: c.village,
    ...Object.fromEntries(c.violence.map((kind) => [kind, true])),
    "What happened": c.description,
    // How she reached the centre must be chosen; most of the tests' women came by themselves.
    [c.source ?? "By herself"]: true,
  });
  await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
}

/**
 * A control of the new-case form, by its label in the language `t` (`en` or `hi`); the label of a
 * field that must be filled in ends in " * required", which `label` leaves out.
 */
export function intakeField(page, label, t = en) {
  return page
    .getByLabel(label, { exact: true })
    .or(page.getByLabel(`${label} * ${t["form.required"]}`, { exact: true }));
}

/**
 * Fills the new-case form as a worker does, step by step: on each step the controls of `fields`
 * it shows, then Next; at the last step, Save. `fields` maps a label (in the language `t`) to the
 * text to type, or to `true` for a box to tick or a button to choose. With `save: false` it stops
 * on the step where it filled the last of them.
 */
export async function fillIntake(page, fields, { save = true, t = en } = {}) {
  const left = new Map(Object.entries(fields));
  const stepHeading = page.getByRole("heading", { level: 2, name: new RegExp(t["form.step"].split("{")[0]) });
  for (;;) {
    await expect(stepHeading).toBeVisible();
    for (const [label, value] of left) {
      const control = intakeField(page, label, t);
      if (!(await control.isVisible())) continue;
      if (value === true) await control.check();
      else await control.fill(String(value));
      left.delete(label);
    }
    if (!save && left.size === 0) return;
    const next = page.getByRole("button", { name: t["form.next"], exact: true });
    if (!(await next.isVisible())) break;
    const was = await stepHeading.innerText();
    await next.click();
    await expect(stepHeading, `the form stayed at "${was}": a field on it needs correcting`).not.toHaveText(was);
  }
  if (left.size) throw new Error(`no such field on the new-case form: ${[...left.keys()].join(", ")}`);
  await page.getByRole("button", { name: t["form.save"], exact: true }).click();
}

export async function screenshot(page, name) {
  mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

const axeSource = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/** The controls on screen smaller than 44×44 px; links inside running text are exempt (WCAG 2.5.5). */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    const controls = document.querySelectorAll(
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]',
    );
    for (const control of controls) {
      let box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(control).visibility === "hidden") continue;
      if (control.matches('input[type="checkbox"], input[type="radio"], input[type="file"]')) {
        // Her finger lands on the box or its words (a file is chosen through its label, which
        // looks like a button): the row that holds both is the target.
        const row = control.closest(".choice, label") ?? control.parentElement;
        box = row.getBoundingClientRect();
      }
      if (control.tagName === "A" && control.closest("p") && getComputedStyle(control).display === "inline") continue;
      if (box.width < 44 || box.height < 44) {
        const name = (control.innerText || control.getAttribute("aria-label") || control.id || control.name || "")
          .trim()
          .slice(0, 40);
        small.push(`${control.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

/** axe-core's violations on the page as it is now, with the offending elements. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return result;
}

/** Quick exit is on screen, at least 48×48, within the top of the screen, and the header is thin. */
export async function exitInReach(page, where) {
  const exit = page.getByRole("button", { name: /Quick exit|तुरंत बाहर/ });
  const box = await exit.boundingBox();
  expect(box, `quick exit on ${where}`).not.toBeNull();
  expect(box.width, `quick exit width on ${where}`).toBeGreaterThanOrEqual(48);
  expect(box.height, `quick exit height on ${where}`).toBeGreaterThanOrEqual(48);
  expect(box.y, `quick exit on screen on ${where}`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `quick exit on screen on ${where}`).toBeLessThanOrEqual(740);
  const header = await page.locator(".app-header").boundingBox();
  expect(header.height, `header height on ${where}`).toBeLessThanOrEqual(64);
}

/** A one-page PDF whose text says `words`. */
export function pdfSaying(words) {
  const stream = `BT /F1 24 Tf 72 720 Td (${words}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A camera-sized JPEG (3000×2000) drawn in the page, with stripes to be recognised. */
export async function photoJpeg(page) {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(3000, 2000);
    const context = canvas.getContext("2d");
    for (let x = 0; x < 3000; x += 100) {
      context.fillStyle = (x / 100) % 2 ? "#1d6fa5" : "#f2c14e";
      context.fillRect(x, 0, 100, 2000);
    }
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.95 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  });
  return Buffer.from(base64, "base64");
}
