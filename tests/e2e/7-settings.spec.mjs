// What can be set, and what a password reset leaves on a phone: the centre's lock time (its
// administrator's choice), this phone's quick-exit site, and a worker's cases kept through a new
// password.
import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { admin, call, workers } from "./accounts.mjs";
import { en, fromMenu, hi, inLanguage, lock, logIn, openDevice, registerCase, screenshot, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;

/** A session of `account` through the API, for what the test does outside the phones. */
async function sessionOf(account) {
  const body = { username: account.username, password: account.password, device: randomUUID() };
  return (await call(url, "POST", "/api/v1/session", body)).token;
}

async function setLockMinutes(minutes) {
  await call(url, "PATCH", "/api/v1/centre", { lock_minutes: minutes }, await sessionOf(admin));
}

test("an administrator chooses after how many idle minutes the centre's phones lock", async () => {
  const worker = await openDevice("lock-time-worker", url);
  const office = await openDevice("lock-time-office", url);
  try {
    // The worker is on her phone already, with the usual five minutes.
    await worker.page.clock.install();
    await logIn(worker.page, workers.counsellor);

    await logIn(office.page, admin);
    const page = office.page;
    await fromMenu(page, en["staff.link"]);
    const minutes = page.getByLabel(en["staff.lock_minutes"], { exact: true });
    await expect(minutes).toHaveValue("5");
    const save = page.getByRole("button", { name: en["staff.save_centre"], exact: true });

    // Outside 1 to 60: said next to the field, in her language, and nothing is changed.
    await minutes.fill("0");
    await save.click();
    await expect(page.getByText(en["staff.lock_minutes_invalid"])).toBeVisible();
    await expect(minutes).toHaveAttribute("aria-invalid", "true");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["staff.lock_minutes_invalid"])).toBeVisible();
    await screenshot(page, "70-lock-time-hi");
    await inLanguage(page, "en");
    await minutes.fill("61");
    await save.click();
    await expect(page.getByText(en["staff.lock_minutes_invalid"])).toBeVisible();

    // The server refuses what the form would not send, with the rule's code.
    const token = await sessionOf(admin);
    await expect(call(url, "PATCH", "/api/v1/centre", { lock_minutes: 61 }, token)).rejects.toThrow(
      /400 .*bad_lock_minutes/,
    );

    await minutes.fill("1");
    await save.click();
    await expect(page.getByText(en["staff.centre_saved"])).toBeVisible();
    await expect(minutes).not.toHaveAttribute("aria-invalid", "true");
    await screenshot(page, "71-lock-time-en");

    // Her phone learns the new time the next time she unlocks with the server in reach.
    await worker.page.reload();
    const asked = worker.page.waitForResponse(
      (response) => response.url().endsWith("/api/v1/session") && response.request().method() === "GET",
    );
    await unlock(worker.page, workers.counsellor);
    await asked;
    await worker.page.clock.fastForward("01:30");
    await expect(worker.page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();

    expect(worker.problems).toEqual([]);
    expect(office.problems).toEqual([]);
  } finally {
    await setLockMinutes(5);
    await worker.close();
    await office.close();
  }
});

test("quick exit opens the harmless site chosen in this phone's settings", async () => {
  const phone = await openDevice("exit-site", url);
  const { page, context } = phone;
  const chosen = "https://mausam.example.in/today";
  await context.route("https://mausam.example.in/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>Mausam</title><h1>Today's weather</h1>" }),
  );
  await logIn(page, workers.outreach);
  await fromMenu(page, en["settings.link"]);
  await expect(page.getByRole("heading", { name: en["settings.heading"] })).toBeVisible();
  const site = page.getByLabel(en["settings.exit_url"], { exact: true });
  await expect(site).toHaveValue(/^https:\/\//);

  // Anything but an https address is refused: above all a script in place of a site.
  await site.fill("javascript:alert(1)");
  await page.getByRole("button", { name: en["settings.save"], exact: true }).click();
  await expect(page.getByText(en["settings.exit_url_invalid"])).toBeVisible();
  await inLanguage(page, "hi");
  await expect(page.getByText(hi["settings.exit_url_invalid"])).toBeVisible();
  await screenshot(page, "72-settings-hi");
  await inLanguage(page, "en");

  await site.fill(chosen);
  await page.getByRole("button", { name: en["settings.save"], exact: true }).click();
  await expect(page.getByText(en["settings.saved"])).toBeVisible();

  // From the lock screen too, since the choice belongs to the phone.
  await lock(page);
  await page.getByRole("button", { name: en.quick_exit }).click();
  await page.waitForURL(chosen);
  await expect(page.getByRole("heading", { name: "Today's weather" })).toBeVisible();
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("after an administrator resets her password, a worker keeps the cases on her phone", async () => {
  const pooja = { username: "pooja", display_name: "Pooja Rathod", role: "outreach_worker", password: "pooja-first-visit-2" };
  const adminToken = await sessionOf(admin);
  const created = await call(url, "POST", "/api/v1/accounts", pooja, adminToken);
  const reset = async (password) => {
    await call(url, "POST", `/api/v1/accounts/${created.id}/password`, { password }, adminToken);
    pooja.password = password;
  };
  const geeta = {
    name: "Geeta Solanki",
    age: 27,
    phone: "98250 44117",
    village: "Vansda",
    violence: ["Dowry harassment"],
    description: "In-laws demand more dowry.",
  };

  const phone = await openDevice("password-reset", url);
  const { page, context } = phone;
  await logIn(page, pooja);
  // Her case waits on the phone: the server cannot be reached.
  await context.route("**/api/v1/sync/**", (route) => route.abort("internetdisconnected"));
  await registerCase(page, geeta);
  await expect(syncBadge(page)).toContainText("Waiting to send");

  // Reset while she is unlocked: the server sends her to log in again; her new password is
  // enough, since being unlocked proved the old one.
  const old = pooja.password;
  await reset("pooja-second-visit-5");
  await context.unroute("**/api/v1/sync/**");
  const again = page.getByRole("link", { name: en["sync.login_again"] });
  await expect(again).toBeVisible({ timeout: 30_000 });
  await again.click();
  await page.getByLabel(en["login.password"], { exact: true }).fill(pooja.password);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByText(geeta.name)).toBeVisible({ timeout: 30_000 });
  await expect(syncBadge(page)).toContainText("All sent", { timeout: 30_000 });

  // The phone now opens with the new password only.
  await lock(page);
  await page.getByLabel(en["login.password"], { exact: true }).fill(old);
  await page.getByRole("button", { name: en["unlock.submit"] }).click();
  await expect(page.getByText(en["unlock.wrong"])).toBeVisible({ timeout: 30_000 });
  await unlock(page, pooja);
  await expect(page.getByText(geeta.name)).toBeVisible();

  // Reset while the phone is locked: logging in asks for her old password as well.
  await lock(page);
  const before = pooja.password;
  await reset("pooja-third-visit-9");
  await page.getByRole("button", { name: en["unlock.another"] }).click();
  await page.getByLabel(en["login.username"], { exact: true }).fill(pooja.username);
  await page.getByLabel(en["login.password"], { exact: true }).fill(pooja.password);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByText(en["login.password_changed"])).toBeVisible({ timeout: 30_000 });
  const oldField = page.getByLabel(en["login.old_password"], { exact: true });
  await oldField.fill("not-the-old-one");
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByText(en["login.old_password_wrong"])).toBeVisible({ timeout: 30_000 });
  await inLanguage(page, "hi");
  await expect(page.getByText(hi["login.old_password_wrong"])).toBeVisible();
  await screenshot(page, "73-old-password-hi");
  await inLanguage(page, "en");
  await oldField.fill(before);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByText(geeta.name)).toBeVisible({ timeout: 30_000 });

  // She does not remember the old one: the phone's copy goes, and the server gives her cases back.
  await lock(page);
  await reset("pooja-fourth-visit-3");
  await page.getByRole("button", { name: en["unlock.another"] }).click();
  await page.getByLabel(en["login.username"], { exact: true }).fill(pooja.username);
  await page.getByLabel(en["login.password"], { exact: true }).fill(pooja.password);
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByText(en["login.password_changed"])).toBeVisible({ timeout: 30_000 });
  await page.getByLabel(en["login.start_afresh"], { exact: true }).check();
  await page.getByRole("button", { name: en["login.submit"] }).click();
  await expect(page.getByRole("heading", { name: en["cases.heading"] })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(geeta.name)).toBeVisible({ timeout: 30_000 });
  await lock(page);
  await unlock(page, pooja);

  expect(phone.problems).toEqual([]);
  await phone.close();
});
