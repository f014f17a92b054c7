// The new-case form in short steps on a phone, in English and Hindi: her safety first, then who she
// is, what happened, more details and her consent. Next checks only the step she is on and takes her
// to what is missing; Back keeps what she typed, and so does a reload; Cancel is away from Save; a
// camp asks only what a camp needs; a woman in danger is saved from any step, straight to her case.
import { expect, test } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { workers } from "./accounts.mjs";
import * as phone from "./phone.mjs";

const { en, hi, intakeField, logIn, openDevice, screenshot, unlock } = phone;
const url = process.env.SAKHI_URL;

/** Each step's height at 360×740, as the phone scrolls it. */
const heights = [];

test.afterAll(() => {
  mkdirSync("test-results/screens", { recursive: true });
  writeFileSync("test-results/screens/98-step-heights.json", JSON.stringify(heights, null, 2));
  console.log(heights.map((h) => `${h.shown}: ${h.px} px (${h.screens} screens); the form ${h.form} px (${h.formScreens})`).join("\n"));
});

/** Opens `path` as the app's own links do, without a reload (which would lock the app). */
async function go(page, path) {
  await page.evaluate((to) => {
    history.pushState(null, "", to);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** Shows the app in `code`, through whichever language control the header has. */
async function inLanguage(page, code) {
  if (phone.inLanguage) return phone.inLanguage(page, code);
  const select = page.getByLabel(en["language.label"]).or(page.getByLabel(hi["language.label"]));
  await select.first().selectOption({ label: code === "hi" ? "हिन्दी" : "English" });
}

/** The heading "Step n of total: name" in the language `t`. */
function stepHeading(page, t, n, total, name) {
  const text = t["form.step"].replace("{n}", n).replace("{total}", total).replace("{step}", t[name]);
  return page.getByRole("heading", { level: 2, name: text, exact: true });
}

/**
 * Notes the height of the step on the screen, whole and from the form's heading down (what the
 * form itself takes, whatever the header and notices above it take), and takes its picture.
 */
async function measure(page, shown) {
  const px = await page.evaluate(() => document.scrollingElement.scrollHeight);
  const above = await page
    .getByRole("heading", { level: 1 })
    .evaluate((heading) => Math.round(heading.getBoundingClientRect().top + window.scrollY));
  heights.push({ shown, px, screens: (px / 740).toFixed(2), form: px - above, formScreens: ((px - above) / 740).toFixed(2) });
  await screenshot(page, `98-steps-${shown}`);
}

const women = {
  en: { name: "Chanda Rawat", age: "27", village: "Kheda", hours: "After 2 pm", note: "Beaten by her husband" },
  hi: { name: "चंदा रावत", age: "31", village: "खेड़ा", hours: "दोपहर 2 बजे के बाद", note: "पति ने मारा" },
};

// Each language on a phone of its own.
for (const [code, t] of [["en", en], ["hi", hi]]) {
  test(`the intake asks her safety first, one short step at a time (${code})`, async () => {
    const device = await openDevice(`steps-${code}`, url);
    const { page, context } = device;
    const woman = women[code];
    try {
      await logIn(page, workers.outreach);
      // At a camp, with no signal.
      await context.setOffline(true);
      await inLanguage(page, code);
      await go(page, "/cases/new");
      await expect(page.getByRole("heading", { level: 1, name: t["form.heading"] })).toBeVisible();
      const steps = page.getByRole("list", { name: t["form.steps"] });
      await expect(steps.getByRole("listitem")).toHaveCount(5);
      const next = page.getByRole("button", { name: t["form.next"], exact: true });
      const back = page.getByRole("button", { name: t["form.back"], exact: true });
      const save = page.getByRole("button", { name: t["form.save"], exact: true });

      // Her safety first: is she in danger now, and is it safe to call her.
      const safety = stepHeading(page, t, 1, 5, "form.step_safety");
      await expect(safety).toBeVisible();
      await expect(steps.locator('[aria-current="step"]')).toContainText(t["form.step_safety"]);
      await expect(page.getByRole("group", { name: t["field.danger"] })).toBeVisible();
      await expect(page.getByRole("group", { name: t["field.safe_to_call"] })).toBeVisible();
      await expect(intakeField(page, t["field.name"], t)).toBeHidden();
      await expect(back).toBeHidden();
      await expect(save).toBeHidden();
      // Next is big enough for a thumb; Cancel is at the top, far from it.
      const nextBox = await next.boundingBox();
      expect(nextBox.height).toBeGreaterThanOrEqual(48);
      const cancelBox = await page.getByRole("button", { name: t["form.cancel"] }).boundingBox();
      expect(cancelBox.height).toBeGreaterThanOrEqual(44);
      expect(cancelBox.y + cancelBox.height).toBeLessThan((await safety.boundingBox()).y);
      await measure(page, `${code}-1-safety`);
      await page.getByLabel(t["danger.no"], { exact: true }).check();
      await page.getByLabel(t["safe_to_call.no"], { exact: true }).check();
      await page.getByLabel(t["field.safe_hours"], { exact: true }).fill(woman.hours);
      await next.click();

      // Who she is: her name is required, marked so in words and with a sign.
      await expect(stepHeading(page, t, 2, 5, "form.step_who")).toBeVisible();
      await expect(steps.locator('[aria-current="step"]')).toContainText(t["form.step_who"]);
      await expect(page.getByText(`${t["field.name"]} * ${t["form.required"]}`, { exact: true })).toBeVisible();
      await expect((await back.boundingBox()).height).toBeGreaterThanOrEqual(48);
      await measure(page, `${code}-2-who`);
      await next.click();
      const name = intakeField(page, t["field.name"], t);
      await expect(page.getByText(t["problem.name_required"])).toBeVisible();
      await expect(name).toBeFocused();
      await expect(stepHeading(page, t, 2, 5, "form.step_who")).toBeVisible();
      // Only this step is checked: what is missing further on is not said yet.
      await expect(page.getByText(t["problem.violence_required"])).toHaveCount(0);
      await screenshot(page, `98-steps-${code}-2-who-problem`);
      await name.fill(woman.name);
      await page.getByLabel(t["field.age"], { exact: true }).fill(woman.age);
      await page.getByLabel(t["field.village"], { exact: true }).fill(woman.village);
      await next.click();

      // What happened: at least one kind of violence.
      await expect(stepHeading(page, t, 3, 5, "form.step_what")).toBeVisible();
      await expect(page.getByText(t["problem.name_required"])).toHaveCount(0);
      await measure(page, `${code}-3-what`);
      await next.click();
      await expect(page.getByText(t["problem.violence_required"])).toBeVisible();
      await expect(page.getByRole("group", { name: new RegExp(`^${t["field.violence"]}`) })).toBeFocused();
      await page.getByLabel(t["violence.physical"], { exact: true }).check();
      await page.getByLabel(t["field.description"], { exact: true }).fill(woman.note);
      await next.click();

      // More details: how she reached the centre, and who did it.
      await expect(stepHeading(page, t, 4, 5, "form.step_more")).toBeVisible();
      await measure(page, `${code}-4-more`);
      await page.getByLabel(t["source.herself"], { exact: true }).check();
      await page.getByLabel(t["relation.husband"], { exact: true }).check();
      await next.click();

      // Her consent, and Save, on the last step.
      await expect(stepHeading(page, t, 5, 5, "form.step_consent")).toBeVisible();
      await expect(next).toBeHidden();
      await expect(save).toBeVisible();
      expect((await save.boundingBox()).height).toBeGreaterThanOrEqual(48);
      await measure(page, `${code}-5-consent`);
      await page.getByLabel(t["consent.services"], { exact: true }).check();

      // Going back keeps everything she typed.
      await back.click();
      await expect(page.getByLabel(t["source.herself"], { exact: true })).toBeChecked();
      await back.click();
      await expect(page.getByLabel(t["violence.physical"], { exact: true })).toBeChecked();
      await expect(page.getByLabel(t["field.description"], { exact: true })).toHaveValue(woman.note);
      await back.click();
      await expect(name).toHaveValue(woman.name);
      await back.click();
      await expect(safety).toBeVisible();
      await expect(page.getByLabel(t["safe_to_call.no"], { exact: true })).toBeChecked();
      await expect(page.getByLabel(t["field.safe_hours"], { exact: true })).toHaveValue(woman.hours);
      await next.click();

      if (code === "en") {
        // A reload half-way (the phone restarts the browser): she unlocks, continues, and is back
        // on the step she was on, with everything typed.
        await expect(stepHeading(page, t, 2, 5, "form.step_who")).toBeVisible();
        await page.waitForTimeout(500);
        await page.reload();
        await unlock(page, workers.outreach);
        const offer = page.getByText(en["draft.new_case"]);
        await expect(offer.or(page.getByRole("heading", { name: en["cases.heading"] }))).toBeVisible();
        if (!(await offer.isVisible())) await go(page, "/cases/new");
        await page.getByRole("button", { name: en["draft.continue"] }).click();
        await expect(stepHeading(page, t, 2, 5, "form.step_who")).toBeVisible();
        await expect(name).toHaveValue(woman.name);
        await expect(page.getByLabel(t["field.village"], { exact: true })).toHaveValue(woman.village);
        await expect(page.getByLabel(t["violence.physical"], { exact: true })).toBeChecked();
        await expect(page.getByLabel(t["consent.services"], { exact: true })).toBeChecked();
      }

      // Through to the end, and saved: she is on the list.
      for (const n of [3, 4, 5]) {
        await next.click();
        await expect(steps.locator('[aria-current="step"]')).toContainText(
          t[["form.step_what", "form.step_more", "form.step_consent"][n - 3]],
        );
      }
      await save.click();
      await expect(page.getByRole("heading", { name: t["cases.heading"] })).toBeVisible();
      await expect(page.getByText(woman.name).first()).toBeVisible();
      await inLanguage(page, "en");
      expect(device.problems).toEqual([]);
    } finally {
      await device.close();
    }
  });
}

test("a camp asks only what a camp needs, and a woman in danger is saved from any step", async () => {
  const device = await openDevice("steps-camp", url);
  const { page, context } = device;
  try {
    await logIn(page, workers.outreach);
    await context.setOffline(true);
    await go(page, "/camps/new");
    await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Primary School, Kheda");
    await page.getByLabel(en["field.block"], { exact: true }).fill("Sadar");
    await page.getByLabel(en["field.district"], { exact: true }).fill("Dharampur");
    await page.getByLabel(en["field.women"], { exact: true }).fill("30");
    await page.getByRole("button", { name: en["camp.save"] }).click();
    await page.getByRole("link", { name: en["camp.register_here"] }).click();

    // Four steps, not five: the camp says where and how she came, the centre asks the rest later.
    await expect(page.getByText(en["form.camp_asks_less"])).toBeVisible();
    const steps = page.getByRole("list", { name: en["form.steps"] });
    await expect(steps.getByRole("listitem")).toHaveCount(4);
    await expect(steps.getByText(en["form.step_more"])).toHaveCount(0);
    await expect(stepHeading(page, en, 1, 4, "form.step_safety")).toBeVisible();
    await expect(page.getByLabel(en["source.awareness_camp"], { exact: true })).toBeChecked();
    await expect(page.getByLabel(en["source.awareness_camp"], { exact: true })).toBeHidden();
    await measure(page, "camp-en-1-safety");

    // In danger now: Save is on every step, and takes her only through what must be filled in.
    await page.getByLabel(en["danger.yes"], { exact: true }).check();
    await expect(page.getByText(en["form.danger"])).toBeVisible();
    const save = page.getByRole("button", { name: en["form.save"], exact: true });
    await save.click();
    await expect(stepHeading(page, en, 2, 4, "form.step_who")).toBeVisible();
    await expect(page.getByText(en["problem.name_required"])).toBeVisible();
    const name = intakeField(page, en["field.name"]);
    await expect(name).toBeFocused();
    for (const field of ["field.alias", "field.age", "field.phone", "field.village"]) {
      await expect(page.getByLabel(en[field], { exact: true })).toBeVisible();
    }
    // Block and district come from the camp, unseen.
    await expect(page.getByLabel(en["field.block"], { exact: true })).toBeHidden();
    await expect(page.getByLabel(en["field.block"], { exact: true })).toHaveValue("Sadar");
    await expect(page.getByLabel(en["field.district"], { exact: true })).toHaveValue("Dharampur");
    await name.fill("Lakshmi Bai");
    await measure(page, "camp-en-2-who");
    await save.click();
    await expect(stepHeading(page, en, 3, 4, "form.step_what")).toBeVisible();
    await expect(page.getByText(en["problem.violence_required"])).toBeVisible();
    await measure(page, "camp-en-3-what");
    await page.getByLabel(en["violence.domestic_violence"], { exact: true }).check();
    await page.getByRole("button", { name: en["form.next"], exact: true }).click();
    await expect(stepHeading(page, en, 4, 4, "form.step_consent")).toBeVisible();
    await measure(page, "camp-en-4-consent");

    // The same steps in Hindi.
    await inLanguage(page, "hi");
    const back = page.getByRole("button", { name: hi["form.back"], exact: true });
    await expect(stepHeading(page, hi, 4, 4, "form.step_consent")).toBeVisible();
    await measure(page, "camp-hi-4-consent");
    await back.click();
    await expect(stepHeading(page, hi, 3, 4, "form.step_what")).toBeVisible();
    await measure(page, "camp-hi-3-what");
    await back.click();
    await expect(page.getByText(`${hi["field.name"]} * ${hi["form.required"]}`, { exact: true })).toBeVisible();
    await measure(page, "camp-hi-2-who");
    await back.click();
    await expect(stepHeading(page, hi, 1, 4, "form.step_safety")).toBeVisible();
    await measure(page, "camp-hi-1-safety");
    await inLanguage(page, "en");

    // Saved in danger: straight to her case, where rescue, police and shelter are.
    await save.click();
    await expect(page.getByRole("heading", { name: "Lakshmi Bai" })).toBeVisible();
    await expect(page.getByText(en["case.danger"])).toBeVisible();
    expect(device.problems).toEqual([]);
  } finally {
    await device.close();
  }
});
