// A case registered offline on one phone reaches another device through the sync server.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { en, hi, hindi, inLanguage, logIn, openDevice, registerCase, screenshot, syncBadge, unlock, waitForOfflineShell } from "./phone.mjs";

const url = process.env.SAKHI_URL;

const sita = {
  name: "सीता देवी",
  age: 34,
  phone: "98765 43210",
  village: "रामपुर",
  violence: ["Domestic violence", "Dowry harassment"],
  description: "पति और ससुराल वाले दहेज के लिए मारते हैं।",
};
const geeta = {
  name: "Geeta Kumari",
  age: 17,
  phone: "+91 91234-56789",
  village: "Sonpur",
  violence: ["Child marriage"],
  description: "Registered at a school camp; her family is arranging her marriage.",
};

test("a case registered offline on one phone reaches another device", async () => {
  const phone = await openDevice("phone", url);
  const { page, context } = phone;

  // The first start explains quick exit; the outreach worker logs in; an empty register, and the
  // app installs to the home screen.
  await logIn(page, workers.outreach, { shots: "00" });
  await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
  await expect(page.getByText("No cases yet.")).toBeVisible();
  await expect(page.getByRole("link", { name: "New case" })).toBeVisible();
  await waitForOfflineShell(page);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  await screenshot(page, "01-empty-list-en");

  // Hindi changes every string on screen, and is remembered; a reload finds the app locked.
  const noEnglishLeft = async () => {
    const shown = await page.locator("body").innerText();
    for (const key of Object.keys(en)) {
      if (en[key] !== hi[key] && !en[key].includes("{") && shown.includes(en[key])) {
        throw new Error(`English text left on the Hindi screen: ${JSON.stringify(en[key])}`);
      }
    }
  };
  await inLanguage(page, "hi");
  await expect(page.getByRole("heading", { name: hindi("Cases") })).toBeVisible();
  await expect(page.getByRole("link", { name: hindi("New case") })).toBeVisible();
  await noEnglishLeft();
  await screenshot(page, "02-empty-list-hi");
  await page.reload();
  await expect(page.getByRole("heading", { name: hi["unlock.heading"] })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  await noEnglishLeft();
  await screenshot(page, "02b-unlock-hi");
  await page.getByLabel(hindi("Language")).selectOption({ label: "English" });
  await unlock(page, workers.outreach);
  await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();

  // Online: a case is registered and sent at once.
  await registerCase(page, sita);
  await expect(page.getByText(sita.name)).toBeVisible();
  await expect(syncBadge(page)).toHaveText(/All sent/);

  // Offline: the app still opens and unlocks, lists every case, and takes new ones.
  await context.setOffline(true);
  await page.reload();
  await unlock(page, workers.outreach);
  await expect(page.getByText(sita.name)).toBeVisible();
  await registerCase(page, geeta);
  await expect(page.getByText(geeta.name)).toBeVisible();
  await expect(syncBadge(page)).toHaveText(/Waiting to send: [1-9]\d*/);
  await page.reload();
  await unlock(page, workers.outreach);
  await expect(page.getByText(geeta.name)).toBeVisible();
  await expect(syncBadge(page)).toHaveText(/Waiting to send: [1-9]\d*/);
  await screenshot(page, "03-offline-waiting");

  // Back online, the app syncs by itself.
  await context.setOffline(false);
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
  await screenshot(page, "04-back-online-sent");

  // The centre's counsellor, on another device, pulls both cases, Hindi intact.
  const desk = await openDevice("desk", url);
  await logIn(desk.page, workers.counsellor);
  await expect(desk.page.getByText(sita.name)).toBeVisible({ timeout: 30_000 });
  await expect(desk.page.getByText(geeta.name)).toBeVisible();
  await desk.page.getByText(sita.name).click();
  await expect(desk.page.getByText(sita.village)).toBeVisible();
  await expect(desk.page.getByText(sita.description)).toBeVisible();
  await expect(desk.page.getByText("Dowry harassment")).toBeVisible();
  await screenshot(desk.page, "05-other-device-case");

  expect(phone.problems).toEqual([]);
  expect(desk.problems).toEqual([]);
  await desk.close();
  await phone.close();
});

test("a server that fails keeps every change waiting, then takes them", async () => {
  const phone = await openDevice("failing-server", url);
  const { page } = phone;
  let refused = 0;
  await page.route("**/api/v1/sync/push", (route) => {
    refused += 1;
    return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"down"}' });
  });
  await logIn(page, workers.second);
  const asha = { ...geeta, name: "Asha Bai", village: "Khedi", age: 41, violence: ["Economic"] };
  await registerCase(page, asha);
  await expect(syncBadge(page)).toHaveText(/Waiting to send: [1-9]\d*/);
  await expect.poll(() => refused).toBeGreaterThan(0);
  await page.reload();
  await unlock(page, workers.second);
  await expect(syncBadge(page)).toHaveText(/Waiting to send: [1-9]\d*/);
  await expect(page.getByRole("alertdialog")).toHaveCount(0);

  await page.unroute("**/api/v1/sync/push");
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 60_000 });
  expect(phone.problems).toEqual([]);
  await phone.close();
});
