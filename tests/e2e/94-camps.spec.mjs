// An outreach worker's awareness camp, offline on a phone: the camp goes into the register, a
// woman in the crowd is registered from it in camp mode, and the camp counts her. Back online, a
// counsellor sees the camp and, unlike the outreach worker, the names of the cases it brought in.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { en, fillIntake, hi, inLanguage, logIn, openDevice, screenshot, syncBadge } from "./phone.mjs";

const url = process.env.SAKHI_URL;
const place = "Government Girls School, Rampur";

test("a camp is registered offline, a case is registered at it in camp mode, and it counts her", async () => {
  const phone = await openDevice("camps", url);
  const { page, context } = phone;
  const desk = await openDevice("camps-desk", url);
  try {
    await logIn(page, workers.outreach);
    await context.setOffline(true);

    await page.getByRole("link", { name: en["camps.link"], exact: true }).click();
    await expect(page.getByRole("heading", { name: en["camps.heading"] })).toBeVisible();
    await page.getByRole("link", { name: en["camps.new"] }).click();

    // Where it was held is required, and a count must be sane.
    await page.getByLabel(en["field.women"], { exact: true }).fill("-3");
    await page.getByLabel(en["field.girls"], { exact: true }).fill("10001");
    await page.getByRole("button", { name: en["camp.save"] }).click();
    await expect(page.getByText(en["problem.place_required"])).toBeVisible();
    await expect(page.getByText(en["problem.attendance"].replace("{n}", "10000"))).toHaveCount(2);
    await expect(page.getByLabel(en["camp.place_label"], { exact: true })).toBeFocused();
    await screenshot(page, "9k-camp-problems-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["problem.place_required"])).toBeVisible();
    await expect(page.getByText(hi["problem.attendance"].replace("{n}", "10000"))).toHaveCount(2);
    await screenshot(page, "9k-camp-problems-hi");
    await inLanguage(page, "en");

    await page.getByLabel(en["camp.place_label"], { exact: true }).fill(place);
    await page.getByLabel(en["field.block"], { exact: true }).fill("Sadar");
    await page.getByLabel(en["field.district"], { exact: true }).fill("Dharampur");
    await expect(page.getByLabel(en["field.run_by"], { exact: true })).toHaveValue(workers.outreach.display_name);
    await page.getByLabel(en["field.women"], { exact: true }).fill("42");
    await page.getByLabel(en["field.girls"], { exact: true }).fill("18");
    await page.getByLabel(en["field.men"], { exact: true }).fill("5");
    await page.getByLabel(en["topics.pocso"], { exact: true }).check();
    await page.getByLabel(en["topics.helplines"], { exact: true }).check();
    await page.getByRole("button", { name: en["camp.save"] }).click();

    // Her camp's page: who came, in all 65, and no case yet.
    await expect(page.getByRole("heading", { name: new RegExp(`^${place}, \\d\\d/\\d\\d/\\d{4}$`) })).toBeVisible();
    const total = page.locator(".figures tfoot td");
    await expect(total).toHaveText("65");
    await expect(page.getByText(`${en["topics.helplines"]}, ${en["topics.pocso"]}`)).toBeVisible();
    await expect(page.getByText(en["camp.cases_none"])).toBeVisible();

    // Camp mode: a woman in the crowd, in the fewest taps.
    await page.getByRole("link", { name: en["camp.register_here"] }).click();
    await expect(page.getByText(en["camp.registering"].replace("{camp}", ""), { exact: false })).toBeVisible();
    await expect(page.getByLabel(en["source.awareness_camp"], { exact: true })).toBeChecked();
    await expect(page.getByLabel(en["field.block"], { exact: true })).toHaveValue("Sadar");
    await expect(page.getByLabel(en["field.district"], { exact: true })).toHaveValue("Dharampur");
    await screenshot(page, "9l-camp-mode-en");
    await fillIntake(page, { [en["field.name"]]: "Lakshmi Bai", [en["violence.domestic_violence"]]: true });

    // Back at the camp, ready for the next: it counts her, without her name for an outreach worker.
    await expect(page.getByText(en["camp.one_case"])).toBeVisible();
    await expect(page.getByText(en["camp.names_hidden"])).toBeVisible();
    await expect(page.getByText("Lakshmi Bai")).toHaveCount(0);
    await screenshot(page, "9m-camp-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["camp.one_case"])).toBeVisible();
    await expect(page.locator(".figures").getByText(hi["field.women"])).toBeVisible();
    await screenshot(page, "9m-camp-hi");
    await inLanguage(page, "en");

    // Her home screen offers today's camp.
    await page.getByRole("link", { name: en["cases.heading"], exact: true }).click();
    const today = page.getByRole("region", { name: new RegExp(place) });
    await expect(today.getByRole("link", { name: en["camp.register_here"] })).toBeVisible();
    await expect(page.locator(".cases").getByText("Lakshmi Bai")).toBeVisible();
    await screenshot(page, "9n-home-camp-en");
    await page.getByRole("link", { name: en["camps.link"], exact: true }).click();
    await expect(page.locator(".camps").getByText(place)).toBeVisible();
    await expect(page.getByText(en["camps.people"].replace("{n}", "65"))).toBeVisible();

    // An earlier camp written down late: the register puts it after today's, and the home screen
    // offers it among her recent camps.
    await page.getByRole("link", { name: en["camps.new"] }).click();
    await page.getByLabel(en["field.held_on"], { exact: true }).fill("2026-11-02");
    await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Panchayat bhavan, Sonpur");
    await page.getByLabel(en["field.women"], { exact: true }).fill("20");
    await page.getByRole("button", { name: en["camp.save"] }).click();
    await expect(page.getByRole("heading", { name: "Panchayat bhavan, Sonpur, 02/11/2026" })).toBeVisible();
    await page.getByRole("link", { name: en["camp.back"] }).click();
    await expect(page.locator(".camps li").first()).toContainText(place);
    await expect(page.locator(".camps li").last()).toContainText("Panchayat bhavan, Sonpur");
    await page.getByRole("link", { name: en["cases.heading"], exact: true }).click();
    const recent = page.getByRole("region", { name: en["camps.recent"] });
    await expect(recent.getByRole("link", { name: "Panchayat bhavan, Sonpur, 02/11/2026" })).toBeVisible();
    await expect(recent.getByText(en["camps.people"].replace("{n}", "20"))).toBeVisible();
    await screenshot(page, "9n-home-recent-camps-en");

    // Online, the camp and her case reach the centre.
    await context.setOffline(false);
    await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });

    // A counsellor at the desk sees the camp, and the names of the cases it brought in.
    await logIn(desk.page, workers.counsellor);
    await desk.page.getByRole("link", { name: en["camps.link"], exact: true }).click();
    await desk.page.locator(".camps").getByText(place).click();
    await expect(desk.page.locator(".figures tfoot td")).toHaveText("65");
    await desk.page.getByRole("link", { name: "Lakshmi Bai" }).click();
    await expect(desk.page.getByRole("heading", { name: "Lakshmi Bai" })).toBeVisible();
    await expect(desk.page.getByText(en["source.awareness_camp"], { exact: true })).toBeVisible();
    await desk.page.getByRole("link", { name: en["case.from_camp"] }).click();
    await expect(desk.page.getByText(en["camp.one_case"])).toBeVisible();
    await screenshot(desk.page, "9o-camp-desk-en");
    expect(phone.problems).toEqual([]);
    expect(desk.problems).toEqual([]);
  } finally {
    await phone.close();
    await desk.close();
  }
});
