// Exporting the centre's cases and camps as CSV for a spreadsheet: without what names or finds a
// woman unless an administrator includes it, Hindi intact (UTF-8 with a byte order mark), and each
// export in the audit log.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { admin } from "./accounts.mjs";
import { en, fromMenu, hi, inLanguage, logIn, openDevice, registerCase, screenshot, syncBadge } from "./phone.mjs";

const url = process.env.SAKHI_URL;

/** Clicks `button` and returns the text of the file it downloads. */
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
}

test("an administrator exports cases and camps as CSV, names only when she includes them, each export audited", async () => {
  const phone = await openDevice("export", url);
  const { page } = phone;
  try {
    await logIn(page, admin);
    await registerCase(page, {
      name: "निर्यात परीक्षा देवी", age: 33, phone: "98290 12345", village: "बाँसवाड़ा",
      violence: [en["violence.dowry_harassment"]], description: "Export test.",
    });
    await page.getByRole("link", { name: en["camps.link"], exact: true }).click();
    await page.getByRole("link", { name: en["camps.new"] }).click();
    await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Export test school, Garhi");
    await page.getByLabel(en["field.women"], { exact: true }).fill("25");
    await page.getByRole("button", { name: en["camp.save"] }).click();
    await expect(page.locator(".figures tfoot td")).toHaveText("25");

    await fromMenu(page, en["figures.link"]);
    await inLanguage(page, "hi");
    const plain = await downloaded(page, page.getByRole("button", { name: hi["export.cases"] }));
    expect(plain.name).toMatch(/^sakhi-cases-\d{4}-\d\d-\d\d\.csv$/);
    expect(plain.text.charCodeAt(0)).toBe(0xfeff);
    const header = plain.text.slice(1).split("\r\n")[0];
    expect(header.startsWith(`${hi["export.reference"]},${hi["export.registered"]},`)).toBe(true);
    expect(header).not.toContain(hi["field.name"]);
    expect(plain.text).toContain(hi["violence.dowry_harassment"]);
    for (const hidden of ["निर्यात परीक्षा देवी", "98290", "बाँसवाड़ा"]) expect(plain.text).not.toContain(hidden);
    await expect(page.getByText(hi["export.done"].replace("{n}", ""), { exact: false })).toBeVisible();
    await screenshot(page, "9s-export-hi");

    await inLanguage(page, "en");
    await page.getByLabel(en["export.personal"]).check();
    const personal = await downloaded(page, page.getByRole("button", { name: en["export.cases"] }));
    for (const shown of ["निर्यात परीक्षा देवी", "98290 12345", "बाँसवाड़ा", en["field.name"]]) {
      expect(personal.text).toContain(shown);
    }
    const camps = await downloaded(page, page.getByRole("button", { name: en["export.camps"] }));
    expect(camps.name).toMatch(/^sakhi-camps-/);
    expect(camps.text).toContain("\"Export test school, Garhi\"");
    await screenshot(page, "9s-export-en");

    // Each export reaches the audit log with the next sync.
    await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
    const audit = page.locator("ol.audit");
    await expect(async () => {
      await page.getByRole("link", { name: en["cases.heading"], exact: true }).click();
      await fromMenu(page, en["audit.link"]);
      await expect(audit.getByText(`${en["audit.export_cases"]} · ${en["audit.with_personal"]}`)).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(audit.getByText(`${en["audit.export_cases"]} · ${en["audit.without_personal"]}`).first()).toBeVisible();
    await expect(audit.getByText(`${en["audit.export_camps"]} · ${en["audit.without_personal"]}`).first()).toBeVisible();
    await screenshot(page, "9t-audit-exports-en");
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});
