// The intake form helps rather than blocks: what is missing is said next to each field in the
// worker's language, and what she records about the woman's safety (whether to call her, when,
// and that she is a child) is shown on the case.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { en, fillIntake, hi, inLanguage, intakeField, logIn, openDevice, screenshot, syncBadge } from "./phone.mjs";

const url = process.env.SAKHI_URL;

test("a new case says what is missing in her language, and keeps how to reach the woman safely", async () => {
  const phone = await openDevice("intake", url);
  const { page, context } = phone;
  try {
    await logIn(page, workers.outreach);
    // At a camp, with no signal.
    await context.setOffline(true);
    await page.getByRole("link", { name: "New case" }).click();
    // Her safety comes first and asks nothing that must be filled in; who she is needs a name.
    await page.getByRole("button", { name: en["form.next"] }).click();
    await page.getByRole("button", { name: en["form.next"] }).click();
    await expect(page.getByText(en["problem.name_required"])).toBeVisible();
    await expect(intakeField(page, "Name")).toBeFocused();
    await screenshot(page, "93-intake-problems-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["problem.name_required"])).toBeVisible();
    await screenshot(page, "94-intake-problems-hi");
    await inLanguage(page, "en");

    await page.getByRole("button", { name: en["form.back"] }).click();
    await page.getByLabel(en["safe_to_call.no"], { exact: true }).check();
    await fillIntake(
      page,
      {
        [en["field.safe_hours"]]: "Only at the school, 11 to 1",
        Name: "Pinki Kumari",
        Age: "16",
        Phone: "98260 11223",
        Village: "Khajuri",
        [en["field.block"]]: "Sadar",
        [en["field.district"]]: "Dharampur",
        [en["field.children"]]: "21",
      },
      { save: false },
    );
    const children = page.getByLabel(en["field.children"], { exact: true });
    await page.getByRole("button", { name: en["form.next"] }).click();
    await expect(page.getByText(en["problem.children"])).toBeVisible();
    await expect(children).toBeFocused();
    await children.fill("1");
    await fillIntake(page, {
      [en["violence.child_marriage"]]: true,
      [en["source.awareness_camp"]]: true,
      [en["field.responsible"]]: "Mohan Lal",
      [en["relation.husband"]]: true,
    });
    await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
    await expect(syncBadge(page)).toHaveText(/Waiting to send/);

    await page.getByText("Pinki Kumari").click();
    await expect(page.getByText(en["case.child"])).toBeVisible();
    await expect(page.getByText(en["safe_to_call.no"])).toBeVisible();
    await expect(page.getByText("Only at the school, 11 to 1")).toBeVisible();
    await expect(page.getByText(en["source.awareness_camp"])).toBeVisible();
    await expect(page.getByText("Sadar")).toBeVisible();
    await expect(page.getByText("Mohan Lal")).toBeVisible();
    await expect(page.getByText(en["relation.husband"], { exact: true })).toBeVisible();
    await screenshot(page, "95-intake-case-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["case.child"])).toBeVisible();
    await expect(page.getByText(hi["safe_to_call.no"])).toBeVisible();
    await expect(page.getByText(hi["source.awareness_camp"])).toBeVisible();
    await expect(page.getByText(hi["relation.husband"], { exact: true })).toBeVisible();
    await screenshot(page, "96-intake-case-hi");
    await inLanguage(page, "en");

    // Back online, the centre's server takes every field as it is.
    await context.setOffline(false);
    await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});
