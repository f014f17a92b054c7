// What leaves an outreach worker's phone so that a lost phone holds as little as possible: a case
// assigned to someone else, at her next sync; and, when her centre asks for it, every sent case
// that nobody changed for some days. Nothing she has not sent ever goes.
import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { admin, call, workers } from "./accounts.mjs";
import { en, fromMenu, hi, inLanguage, logIn, openDevice, registerCase, screenshot, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;

/** A session of `account` through the API, for what the test does outside the phones. */
async function sessionOf(account) {
  const body = { username: account.username, password: account.password, device: randomUUID() };
  return (await call(url, "POST", "/api/v1/session", body)).token;
}

/** The account ids of the centre's workers, by username. */
async function accountIds() {
  const { accounts } = await call(url, "GET", "/api/v1/accounts", null, await sessionOf(admin));
  return Object.fromEntries(accounts.map((account) => [account.username, account.id]));
}

/**
 * A desk computer writing through the API as `account`: `edit(record, field, value)` pushes one
 * change on top of what this desk wrote to that field before.
 */
async function desk(account) {
  const token = await sessionOf(account);
  const { protocol } = await call(url, "GET", "/api/v1/health");
  const device = randomUUID();
  const written = new Map();
  let counter = 0;
  return async function edit(record, field, value) {
    const stamp = { t: Date.now(), c: counter++, d: device };
    const base = written.get(`${record}/${field}`);
    const change = { id: randomUUID(), record, kind: "case", field, value, stamp, ...(base && { base }) };
    written.set(`${record}/${field}`, stamp);
    const answer = await call(url, "POST", "/api/v1/sync/push", { protocol, device, changes: [change] }, token);
    expect(answer.accepted).toBe(1);
  };
}

test("a case assigned away from an outreach worker leaves her phone at its next sync", async () => {
  const phone = await openDevice("assigned-away", url);
  const { page, context } = phone;
  try {
    const ids = await accountIds();
    const edit = await desk(workers.counsellor);
    const shanti = randomUUID();
    await edit(shanti, "name", "Shanti Verma");
    await edit(shanti, "village", "Sonpur");
    await edit(shanti, "assigned_to", ids[workers.outreach.username]);

    await logIn(page, workers.outreach);
    await expect(page.getByText("Shanti Verma")).toBeVisible({ timeout: 30_000 });

    // The counsellor gives the case to another outreach worker; coming back online syncs at once.
    await edit(shanti, "assigned_to", ids[workers.second.username]);
    await context.setOffline(true);
    await context.setOffline(false);
    await expect(page.getByText("Shanti Verma")).toHaveCount(0, { timeout: 30_000 });
    await expect(syncBadge(page)).toHaveText(/All sent/);

    // The other worker's phone has it now.
    const other = await openDevice("assigned-to", url);
    try {
      await logIn(other.page, workers.second);
      await expect(other.page.getByText("Shanti Verma")).toBeVisible({ timeout: 30_000 });
      expect(other.problems).toEqual([]);
    } finally {
      await other.close();
    }
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});

test("old sent cases leave an outreach worker's phone after the centre's purge days; unsent ones stay", async () => {
  const worker = await openDevice("purge-worker", url);
  const office = await openDevice("purge-office", url);
  const { page } = worker;
  try {
    // Her phone's clock is one the test can move on.
    await page.clock.install();
    await logIn(page, workers.second);
    await registerCase(page, {
      name: "Kamla Devi",
      age: 41,
      phone: "98111 22334",
      village: "Bhimpur",
      violence: ["Physical violence"],
      description: "Met at the camp.",
    });
    await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
    // The next case cannot be sent: the server is out of reach for pushes.
    await page.route("**/api/v1/sync/push", (route) => route.abort());
    await registerCase(page, {
      name: "Savitri Bai",
      age: 35,
      phone: "98111 55667",
      village: "Bhimpur",
      violence: ["Emotional or psychological"],
      description: "Not sent yet.",
    });
    await expect(syncBadge(page)).toHaveText(/Waiting to send/);

    // The administrator chooses a day, on the staff page; a bad number is refused next to the field.
    await logIn(office.page, admin);
    await fromMenu(office.page, en["staff.link"]);
    const days = office.page.getByLabel(en["staff.purge_days"], { exact: true });
    await expect(days).toHaveValue("");
    const save = office.page.getByRole("button", { name: en["staff.save_centre"], exact: true });
    await days.fill("366");
    await save.click();
    await expect(office.page.getByText(en["staff.purge_days_invalid"])).toBeVisible();
    await expect(days).toHaveAttribute("aria-invalid", "true");
    await inLanguage(office.page, "hi");
    await expect(office.page.getByText(hi["staff.purge_days_invalid"])).toBeVisible();
    await screenshot(office.page, "90-purge-days-hi");
    await inLanguage(office.page, "en");
    await days.fill("1");
    await save.click();
    await expect(office.page.getByText(en["staff.centre_saved"])).toBeVisible();
    await screenshot(office.page, "91-purge-days-en");

    // Her phone hears of it when she next unlocks online; two days later the sent case is gone.
    await page.reload();
    const asked = page.waitForResponse(
      (response) => response.url().endsWith("/api/v1/session") && response.request().method() === "GET",
    );
    await unlock(page, workers.second);
    await asked;
    await expect(page.getByText("Kamla Devi")).toBeVisible();
    await page.clock.fastForward("49:00:00");
    // Two days away locked the phone, as it should.
    await unlock(page, workers.second);
    await expect(page.getByText("Kamla Devi")).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByText("Savitri Bai")).toBeVisible();
    await expect(syncBadge(page)).toHaveText(/Waiting to send/);
    await screenshot(page, "92-purged-phone");

    expect(worker.problems).toEqual([]);
    expect(office.problems).toEqual([]);
  } finally {
    await call(url, "PATCH", "/api/v1/centre", { purge_days: null }, await sessionOf(admin));
    await worker.close();
    await office.close();
  }
});
