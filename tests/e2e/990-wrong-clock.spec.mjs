// A phone whose date jumped years ahead (its battery ran flat, or someone set it wrong): what the
// worker typed offline still reaches the server, stamped by the server's time, and she is told in
// her language to set the phone's date.
import { expect, test } from "@playwright/test";
import { admin, call, workers } from "./accounts.mjs";
import { en, hi, inLanguage, logIn, openDevice, registerCase, screenshot, sent, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;
const THREE_YEARS = 3 * 365 * 86_400_000;

// The phone's clock, shifted by what `e2e.clock_shift` in its local storage says (0 at first):
// `Date.now()` and `new Date()` both read it, as a phone's wrong date would.
function shiftTheClock() {
  const shift = Number(localStorage.getItem("e2e.clock_shift") || 0);
  if (!shift) return;
  const Real = Date;
  class Shifted extends Real {
    constructor(...args) {
      super(...(args.length ? args : [Real.now() + shift]));
    }
    static now() {
      return Real.now() + shift;
    }
  }
  globalThis.Date = Shifted;
}

test("a phone years ahead sends what she typed offline, stamped by the server's time, and asks her to set the date", async () => {
  const phone = await openDevice("wrong-clock", url);
  const { context, page } = phone;
  await context.addInitScript(shiftTheClock);
  const worker = workers.counsellor;
  // The month in India, and how many cases the centre's report counts in it so far.
  const month = new Date(Date.now() + 330 * 60_000).toISOString().slice(0, 7);
  const session = await call(url, "POST", "/api/v1/session", {
    username: admin.username,
    password: admin.password,
    device: "01890000-0000-7000-8000-0000000000aa",
  });
  const report = () => call(url, "GET", `/api/v1/reports/monthly?month=${month}`, null, session.token);
  const before = (await report()).cases_registered;
  await logIn(page, worker);
  const warning = page.getByRole("alert").filter({ hasText: en["clock.wrong"] });
  await expect(warning).toHaveCount(0);

  // Offline, the phone's date jumps three years ahead; she opens Sakhi again and registers a case.
  await context.setOffline(true);
  await page.evaluate((shift) => localStorage.setItem("e2e.clock_shift", String(shift)), THREE_YEARS);
  await page.reload();
  await unlock(page, worker);
  expect(await page.evaluate(() => new Date().getFullYear())).toBeGreaterThan(new Date().getFullYear() + 2);
  await registerCase(page, {
    name: "Savitri Ahead",
    age: 31,
    phone: "94140 55667",
    village: "Kesarpur",
    violence: ["Domestic violence"],
    description: "Came after the camp.",
  });
  await expect(syncBadge(page)).toContainText("Waiting to send");

  // Signal returns: the server refuses stamps from the future, the phone learns the server's time
  // from its answer, makes the edits again by it, and everything goes.
  await context.setOffline(false);
  await sent(page);
  await expect(warning).toBeVisible();
  await screenshot(page, "990-wrong-clock-en");
  await inLanguage(page, "hi");
  await expect(page.getByRole("alert").filter({ hasText: hi["clock.wrong"] })).toBeVisible();
  await screenshot(page, "990-wrong-clock-hi");
  await inLanguage(page, "en");
  await expect(page.getByText(en["refused.heading"])).toHaveCount(0);

  // On the server, nothing of hers is stamped in the future, and her case counts in this month.
  const pulled = await call(url, "GET", "/api/v1/sync/pull?after=0&limit=1000", null, session.token);
  const hers = pulled.records.find((record) => record.fields.name?.h.some((head) => head.v === "Savitri Ahead"));
  expect(hers, "her case reached the server").toBeTruthy();
  const stamps = Object.values(hers.fields).flatMap((field) => field.h.map((head) => head.s.t));
  for (const stamp of stamps) expect(stamp).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
  expect((await report()).cases_registered).toBe(before + 1);

  expect(phone.problems).toEqual([]);
  await phone.close();
});
