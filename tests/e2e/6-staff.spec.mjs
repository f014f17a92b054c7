// The centre's administrator manages staff accounts and reads the audit log from the app; a worker
// she disables is out at once, and a password she resets works at once.
import { expect, test } from "@playwright/test";
import { admin } from "./accounts.mjs";
import { en, fromMenu, hi, inLanguage, logIn, openDevice, screenshot, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;
const sunita = { username: "sunita.w", display_name: "सुनीता वर्मा", password: "sunita-camp-register-4" };

test("an administrator creates, disables and resets accounts, and reads the audit log", async () => {
  const office = await openDevice("office", url);
  const { page } = office;
  await logIn(page, admin);

  // Only an administrator sees the staff and audit pages.
  await fromMenu(page, en["staff.link"]);
  await expect(page.getByRole("heading", { name: en["staff.heading"] })).toBeVisible();

  // A new outreach worker: the form asks for her name, not "your name".
  await expect(page.getByLabel(en["setup.display_name"], { exact: true })).toHaveCount(0);
  await page.getByLabel(en["staff.name"], { exact: true }).fill(sunita.display_name);
  await page.getByLabel(en["login.username"], { exact: true }).fill(sunita.username);
  await page.getByLabel(en["staff.role"], { exact: true }).selectOption({ label: en["role.outreach_worker"] });
  await page.getByLabel(en["staff.first_password"], { exact: true }).fill("password");
  await page.getByRole("button", { name: en["staff.create"] }).click();
  // A common password is refused, with the reason in her language.
  await expect(page.getByText(en["password.common"])).toBeVisible();
  await page.getByLabel(en["staff.first_password"], { exact: true }).fill(sunita.password);
  await page.getByRole("button", { name: en["staff.create"] }).click();
  await expect(page.getByText(en["staff.created"])).toBeVisible();
  const row = page.locator("ul.staff > li").filter({ hasText: sunita.username });
  await expect(row).toContainText(sunita.display_name);
  await screenshot(page, "60-staff-en");

  // She logs in on her phone.
  const field = await openDevice("sunita-phone", url);
  await logIn(field.page, sunita);

  // Disabled: her next request is refused, and she cannot log in again.
  await row.getByText(en["staff.manage"]).click();
  await row.getByRole("button", { name: en["staff.disable"] }).click();
  await expect(page.getByText(en["staff.disabled"])).toBeVisible();
  await expect(row.getByText(en["staff.is_disabled"])).toBeVisible();
  await field.page.reload();
  await unlock(field.page, sunita);
  await expect(field.page.getByRole("link", { name: en["sync.login_again"] })).toBeVisible({ timeout: 30_000 });
  const tryLogin = (password) =>
    field.page.evaluate(
      async ([username, password]) =>
        (
          await fetch("/api/v1/session", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username, password, device: crypto.randomUUID() }),
          })
        ).status,
      [sunita.username, password],
    );
  expect(await tryLogin(sunita.password)).toBe(401);

  // Enabled again with a new password: the new one works.
  await row.getByRole("button", { name: en["staff.enable"] }).click();
  await expect(page.getByText(en["staff.enabled"])).toBeVisible();
  await row.getByLabel(en["staff.new_password"], { exact: true }).fill("sunita-new-secret-8");
  await row.getByRole("button", { name: en["staff.set_password"] }).click();
  await expect(page.getByText(en["staff.password_set"])).toBeVisible();
  expect(await tryLogin("sunita-new-secret-8")).toBe(200);
  expect(await tryLogin(sunita.password)).toBe(401);

  // The audit log names what happened, newest first.
  await fromMenu(page, en["audit.link"]);
  await expect(page.getByRole("heading", { name: en["audit.heading"] })).toBeVisible();
  await expect(page.locator("ol.audit > li").first()).toBeVisible();
  // When, in India time and on a 24-hour clock, with the month in words in her language.
  const when = page.locator("ol.audit > li .audit-when").first();
  const months = (table) => Object.keys(table).filter((k) => k.startsWith("month.")).map((k) => table[k]).join("|");
  await expect(when).toHaveText(new RegExp(`^\\d{1,2} (${months(en)}) \\d{4}, \\d\\d:\\d\\d$`));
  await inLanguage(page, "hi");
  await expect(page.getByRole("heading", { name: hi["audit.heading"] })).toBeVisible();
  await expect(when).toHaveText(new RegExp(`^\\d{1,2} (${months(hi)}) \\d{4}, \\d\\d:\\d\\d$`));
  await expect(page.locator("ol.audit")).not.toContainText(/\b(am|pm|AM|PM)\b/);
  await screenshot(page, "61-audit-hi");

  expect(office.problems).toEqual([]);
  await field.close();
  await office.close();
});

test("a worker who is not an administrator has no staff or audit pages", async () => {
  const phone = await openDevice("not-admin", url);
  const { page } = phone;
  const { workers } = await import("./accounts.mjs");
  await logIn(page, workers.counsellor);
  await expect(page.getByRole("link", { name: en["staff.link"] })).toHaveCount(0);
  await expect(page.getByRole("link", { name: en["audit.link"] })).toHaveCount(0);
  await phone.close();
});
