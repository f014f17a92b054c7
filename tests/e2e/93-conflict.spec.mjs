// Two counsellors give one case to different workers while both are offline. When both are back,
// the case says "needs review" with both values and who wrote each; one of them keeps one, and
// every device ends with her choice and nothing to review.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { en, fillIntake, hi, inLanguage, logIn, online, openDevice, screenshot, sent } from "./phone.mjs";

const url = process.env.SAKHI_URL;

test("a field changed on two devices offline is reviewed and one value kept", async () => {
  const desk = await openDevice("conflict-desk", url);
  const tablet = await openDevice("conflict-tablet", url);
  try {
    // Kiran registers Lata at the desk, online.
    await logIn(desk.page, workers.counsellor);
    await desk.page.getByRole("link", { name: en["cases.new"] }).click();
    await fillIntake(desk.page, {
      [en["field.name"]]: "Lata Bai",
      [en["field.village"]]: "Kheda",
      [en["violence.physical"]]: true,
      [en["source.police"]]: true,
    });
    await sent(desk.page);
    // Farida has her on the tablet too.
    await logIn(tablet.page, workers.search);
    for (const { page } of [desk, tablet]) {
      await page.locator(".cases").getByText("Lata Bai").click();
      await expect(page.getByLabel(en["field.assigned_to"])).toBeVisible();
    }

    // Both offline, each gives her to a different outreach worker.
    await desk.context.setOffline(true);
    await tablet.context.setOffline(true);
    await desk.page.getByLabel(en["field.assigned_to"]).selectOption({ label: workers.outreach.display_name });
    await tablet.page.getByLabel(en["field.assigned_to"]).selectOption({ label: workers.second.display_name });
    await expect(desk.page.locator(".detail").filter({ hasText: en["field.assigned_to"] })).toContainText(workers.outreach.display_name);

    // Back online: the desk first, then the tablet, then the desk hears of the tablet's.
    await desk.context.setOffline(false);
    await sent(desk.page);
    await tablet.context.setOffline(false);
    await sent(tablet.page);
    await online(desk.context, desk.page);
    await expect(desk.page.getByText(en["case.needs_review"])).toBeVisible({ timeout: 15_000 });
    const review = desk.page.locator(".review");
    await expect(review.getByText(en["case.review"])).toBeVisible();
    // Both values, and who wrote each.
    await expect(review.locator("li").filter({ hasText: workers.outreach.display_name })).toContainText(workers.counsellor.display_name);
    await expect(review.locator("li").filter({ hasText: workers.second.display_name })).toContainText(workers.search.display_name);
    await screenshot(desk.page, "9g-conflict-review-en");
    await inLanguage(desk.page, "hi");
    await expect(review.getByText(hi["case.review"])).toBeVisible();
    await screenshot(desk.page, "9h-conflict-review-hi");
    await inLanguage(desk.page, "en");

    // Kiran keeps Farida's choice.
    await review
      .locator("li")
      .filter({ hasText: workers.second.display_name })
      .getByRole("button", { name: en["case.keep"] })
      .click();
    await expect(desk.page.getByText(en["case.needs_review"])).toBeHidden();
    await expect(desk.page.locator(".detail").filter({ hasText: en["field.assigned_to"] })).toContainText(workers.second.display_name);
    await sent(desk.page);

    // The tablet hears of it: the same value, nothing to review.
    await online(tablet.context, tablet.page);
    await expect(tablet.page.locator(".detail").filter({ hasText: en["field.assigned_to"] })).toContainText(workers.second.display_name);
    await expect(tablet.page.getByText(en["case.needs_review"])).toBeHidden();
    expect(desk.problems).toEqual([]);
    expect(tablet.problems).toEqual([]);
  } finally {
    await desk.close();
    await tablet.close();
  }
});
