// Every mistake can be mended and nothing typed disappears: a counsellor corrects a saved case's
// phone number and age offline and a second phone sees it; an earlier police service gets its FIR
// number and a shelter stay its discharge; two phones close one case offline with different
// reasons, both closures are kept and reviewed; a reopening and a new closure join them on the
// timeline, and the export agrees; a half-typed intake survives the lock and a reload, and Cancel
// asks before throwing it away.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { workers } from "./accounts.mjs";
import { day, en, fillIntake, fromMenu, hi, inLanguage, intakeField, lock, logIn, online, openDevice, screenshot, sent, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;

/** The row of a case's details that shows `label`. */
const row = (page, label) => page.locator(".case-details .detail").filter({ has: page.getByText(label, { exact: true }) });

/** Opens the case named `name` from the list. */
async function openCase(page, name) {
  await page.getByRole("link", { name: en["case.back"] }).or(page.getByRole("link", { name: en["cases.heading"], exact: true })).first().click();
  await page.locator(".cases").getByText(name).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

/** Closes the open case for `reason`, as the close form asks. */
async function closeCase(page, reason, { terms } = {}) {
  await page.getByRole("button", { name: en["case.close"] }).click();
  const form = page.getByRole("form", { name: en["case.close"] });
  await form.getByLabel(en[`closure.${reason}`], { exact: true }).check();
  if (terms) {
    await form.getByLabel(en["field.settlement_terms"]).fill(terms);
    await form.getByLabel(en["field.settlement_signed"]).check();
  }
  await form.getByRole("button", { name: en["case.close"] }).click();
  await page.getByRole("button", { name: en["case.close_yes"] }).click();
  await expect(page.locator(".reference").getByText(en["status.closed"])).toBeVisible();
}

/** The headings of the case's closure entries on its timeline, oldest first. */
async function closures(page) {
  return page.locator(".entry.closure h3").allInnerTexts();
}

/** The plain cases export's row for the case whose reference is `reference`. */
async function exportedRow(page, reference) {
  await fromMenu(page, en["figures.link"]);
  const button = page.getByRole("button", { name: en["export.cases"] });
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const text = readFileSync(await download.path(), "utf8");
  const line = text.split(/\r?\n/).find((l) => l.startsWith(reference));
  expect(line, `no row for ${reference} in the export`).toBeTruthy();
  return line;
}

test("a saved case is corrected, its entries updated, and two closures reviewed", async () => {
  const desk = await openDevice("correct-desk", url);
  const tablet = await openDevice("correct-tablet", url);
  try {
    // Kiran registers Geeta at the desk, with an age and a phone number typed wrong.
    await logIn(desk.page, workers.counsellor);
    const page = desk.page;
    await page.getByRole("link", { name: en["cases.new"] }).click();
    await fillIntake(page, {
      [en["field.name"]]: "Jamuna Bai",
      [en["field.age"]]: "43",
      [en["field.phone"]]: "98100 00001",
      [en["field.village"]]: "Rampur",
      [en["violence.physical"]]: true,
      [en["source.herself"]]: true,
    });
    await sent(page);
    // Farida has her on the tablet.
    await logIn(tablet.page, workers.search);
    await tablet.page.locator(".cases").getByText("Jamuna Bai").click();
    await expect(row(tablet.page, en["field.age"])).toContainText("43");

    // Offline, Kiran corrects the age and the phone number: the form holds what the case holds.
    await desk.context.setOffline(true);
    await page.locator(".cases").getByText("Jamuna Bai").click();
    await page.getByRole("link", { name: en["case.edit"] }).click();
    await expect(page.getByRole("heading", { name: en["edit.heading"] })).toBeVisible();
    const age = page.getByLabel(en["field.age"], { exact: true });
    await expect(age).toHaveValue("43");
    await expect(page.getByLabel(en["field.village"], { exact: true })).toHaveValue("Rampur");
    await expect(page.getByLabel(en["violence.physical"], { exact: true })).toBeChecked();
    // Nothing changed yet: saving says so and writes nothing.
    await page.getByRole("button", { name: en["edit.save"] }).click();
    await expect(page.getByText(en["edit.unchanged"])).toBeVisible();
    await age.fill("34");
    await page.getByLabel(en["field.phone"], { exact: true }).fill("98100 00010");
    await screenshot(page, "9u-edit-details-en");
    await inLanguage(page, "hi");
    await expect(page.getByRole("heading", { name: hi["edit.heading"] })).toBeVisible();
    await screenshot(page, "9u-edit-details-hi");
    await inLanguage(page, "en");
    // A mistake in the correction gets the same message as at intake.
    await age.fill("340");
    await page.getByRole("button", { name: en["edit.save"] }).click();
    await expect(page.getByText(en["problem.age"])).toBeVisible();
    await age.fill("34");
    await page.getByRole("button", { name: en["edit.save"] }).click();
    await expect(page.getByRole("heading", { name: "Jamuna Bai" })).toBeVisible();
    await expect(row(page, en["field.age"])).toContainText("34");
    await expect(row(page, en["field.phone"])).toContainText("98100 00010");
    // Who changed it, beside the field; the village was not touched and says nothing.
    await expect(row(page, en["field.age"]).locator(".changed")).toBeVisible();
    await expect(row(page, en["field.village"]).locator(".changed")).toHaveCount(0);

    // Meanwhile Farida, offline too, corrects the village on the tablet.
    await tablet.context.setOffline(true);
    await tablet.page.getByRole("link", { name: en["case.edit"] }).click();
    await tablet.page.getByLabel(en["field.village"], { exact: true }).fill("रामपुर");
    await tablet.page.getByRole("button", { name: en["edit.save"] }).click();
    await expect(row(tablet.page, en["field.village"])).toContainText("रामपुर");

    // Both back online: each correction reaches the other phone and neither undid the other.
    await desk.context.setOffline(false);
    await sent(page);
    await tablet.context.setOffline(false);
    await sent(tablet.page);
    await online(desk.context, page);
    for (const p of [page, tablet.page]) {
      await expect(row(p, en["field.age"])).toContainText("34");
      await expect(row(p, en["field.phone"])).toContainText("98100 00010");
      await expect(row(p, en["field.village"])).toContainText("रामपुर");
      await expect(p.locator(".to-review")).toHaveCount(0);
    }
    await expect(row(page, en["field.age"]).locator(".changed")).toContainText(workers.counsellor.display_name);

    // The history lists every change: field, before and after, who and when.
    await page.getByRole("link", { name: en["case.history"] }).click();
    await expect(page.getByRole("heading", { name: en["history.heading"] })).toBeVisible();
    const history = page.locator("ol.history li");
    await expect(history.filter({ hasText: "43 → 34" })).toContainText(workers.counsellor.display_name);
    await expect(history.filter({ hasText: "Rampur → रामपुर" })).toContainText(workers.search.display_name);
    await expect(history.filter({ hasText: "98100 00001 → 98100 00010" })).toHaveCount(1);
    await screenshot(page, "9u-history-en");
    await inLanguage(page, "hi");
    await expect(page.getByRole("heading", { name: hi["history.heading"] })).toBeVisible();
    await screenshot(page, "9u-history-hi");
    await inLanguage(page, "en");
    await page.getByRole("link", { name: en["history.back"] }).click();
    // Offline, the tablet says the full history needs the server and shows what it holds.
    await tablet.context.setOffline(true);
    await tablet.page.getByRole("link", { name: en["case.history"] }).click();
    await expect(tablet.page.getByText(en["history.offline"])).toBeVisible();
    const held = tablet.page.locator("ol.history.held li");
    await expect(held.filter({ has: tablet.page.locator(".what").getByText(en["field.age"], { exact: true }) })).toContainText("34");
    await tablet.page.getByRole("link", { name: en["history.back"] }).click();
    await tablet.context.setOffline(false);

    // A police service requested earlier gets its FIR number and is given.
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    const service = page.getByRole("form", { name: en["case.add_service"] });
    await service.getByLabel(en["service.police"], { exact: true }).check();
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    const police = page.locator(".entry.service").filter({ hasText: en["service.police"] });
    await expect(police.getByRole("heading")).toHaveText(`${en["service.police"]} · ${en["service_state.requested"]}`);
    await police.getByRole("button", { name: en["case.update_entry"] }).click();
    const update = page.getByRole("form", { name: en["case.update_heading"] });
    await update.getByLabel(en["service_state.given"], { exact: true }).check();
    await update.getByLabel(en["report.fir"], { exact: true }).check();
    await update.getByLabel(en["field.report_number"], { exact: true }).fill("112/2026");
    await screenshot(page, "9v-update-service-en");
    await update.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(police.getByRole("heading")).toHaveText(`${en["service.police"]} · ${en["service_state.given"]}`);
    await expect(police).toContainText("112/2026");
    await expect(police.locator(".changed")).toContainText(workers.counsellor.display_name);

    // A shelter stay gets its discharge date.
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    await service.getByLabel(en["service.shelter"], { exact: true }).check();
    await service.getByLabel(en["field.admitted_on"], { exact: true }).fill(day(-3));
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    const shelter = page.locator(".entry.service").filter({ hasText: en["service.shelter"] });
    await shelter.getByRole("button", { name: en["case.update_entry"] }).click();
    await expect(update.getByLabel(en["field.admitted_on"], { exact: true })).toHaveValue(day(-3));
    await update.getByLabel(en["field.discharged_on"], { exact: true }).fill(day(0));
    await update.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(shelter.locator(".detail").filter({ hasText: en["field.discharged_on"] })).toBeVisible();
    await sent(page);

    // Both phones close her case offline, for different reasons.
    await online(tablet.context, tablet.page);
    await desk.context.setOffline(true);
    await tablet.context.setOffline(true);
    await closeCase(page, "settlement", { terms: "He returns her stridhan." });
    await closeCase(tablet.page, "court");
    await desk.context.setOffline(false);
    await sent(page);
    await tablet.context.setOffline(false);
    await sent(tablet.page);
    await online(desk.context, page);

    // Both closures are on the timeline, and the case asks for a review of what they disagree on.
    await expect(page.locator(".to-review")).toBeVisible({ timeout: 15_000 });
    await expect(page.locator(".to-review h2")).toContainText(en["case.to_review"].replace("{n}", ""));
    const reason = page.locator(".review-item").filter({ hasText: en["field.closure"] });
    await expect(reason.locator("li").filter({ hasText: en["closure.settlement"] })).toContainText(workers.counsellor.display_name);
    await expect(reason.locator("li").filter({ hasText: en["closure.court"] })).toContainText(workers.search.display_name);
    expect(await closures(page)).toEqual(
      expect.arrayContaining([
        en["case.closed"].replace("{reason}", en["closure.settlement"]),
        en["case.closed"].replace("{reason}", en["closure.court"]),
      ]),
    );
    await screenshot(page, "9w-closures-review-en");
    await inLanguage(page, "hi");
    await expect(page.locator(".to-review h2")).toContainText(hi["case.to_review"].replace("{n}", ""));
    await screenshot(page, "9w-closures-review-hi");
    await inLanguage(page, "en");

    // The list marks her case, and its filter finds it.
    await page.getByRole("link", { name: en["case.back"] }).click();
    await expect(page.getByRole("button", { name: `1 ${en["home.to_review"]}` })).toBeVisible();
    const listed = page.locator(".cases li").filter({ hasText: "Jamuna Bai" });
    await expect(listed.getByText(en["cases.review_mark"])).toBeVisible();
    await page.getByText(en["filters.heading"]).click();
    await page.getByLabel(en["filters.review"]).check();
    await expect(page.locator(".cases li")).toHaveCount(1);
    await screenshot(page, "9x-list-review-en");
    await page.getByLabel(en["filters.review"]).uncheck();
    await page.locator(".cases").getByText("Jamuna Bai").click();

    // Kiran keeps "referred to court", then the rest, one tap each.
    await reason.locator("li").filter({ hasText: en["closure.court"] }).getByRole("button", { name: en["case.keep"] }).click();
    for (let left = 5; left > 0 && (await page.locator(".to-review").count()) > 0; left--) {
      await page.locator(".to-review").getByRole("button", { name: en["case.keep"] }).first().click();
      await page.waitForTimeout(300);
    }
    await expect(page.locator(".to-review")).toHaveCount(0);
    await expect(page.locator(".reference").getByText(en["status.closed"])).toBeVisible();
    const reference = (await page.locator(".reference .ref").innerText()).match(/[A-Z]+-\d{4}-\d+|[0-9A-F]{4}-[0-9A-F]{4}/)[0];

    // Reopened: the closures stay, the reopening joins them, and the export gives no reason.
    await page.getByRole("button", { name: en["case.reopen"] }).click();
    await expect(page.locator(".reference").getByText(en["status.in_progress"])).toBeVisible();
    await expect(page.getByRole("heading", { name: en["case.reopened"] })).toBeVisible();
    expect((await closures(page)).length).toBe(3);
    let line = await exportedRow(page, reference);
    expect(line).toContain(en["status.in_progress"]);
    expect(line).not.toContain(en["closure.court"]);
    expect(line).not.toContain(en["closure.settlement"]);

    // Closed again: every event is on the timeline; the export gives the latest reason.
    await openCase(page, "Jamuna Bai");
    await closeCase(page, "her_choice");
    // Nothing reviewed before comes back for review.
    await expect(page.locator(".to-review")).toHaveCount(0);
    // All on one day: in the order they were made, the desk's closure before the tablet's.
    const closedFor = (r) => en["case.closed"].replace("{reason}", en[`closure.${r}`]);
    const headings = await closures(page);
    expect(headings).toEqual([closedFor("settlement"), closedFor("court"), en["case.reopened"], closedFor("her_choice")]);
    await screenshot(page, "9y-timeline-closures-en");
    await inLanguage(page, "hi");
    await expect(page.getByRole("heading", { name: hi["case.reopened"] })).toBeVisible();
    await screenshot(page, "9y-timeline-closures-hi");
    await inLanguage(page, "en");
    line = await exportedRow(page, reference);
    expect(line).toContain(en["status.closed"]);
    expect(line).toContain(en["closure.her_choice"]);
    expect(line).not.toContain(en["closure.court"]);
    await sent(page);

    // The tablet ends with the same case: closed, her choice, every event.
    await online(tablet.context, tablet.page);
    await expect(tablet.page.locator(".reference").getByText(en["status.closed"])).toBeVisible();
    await expect(tablet.page.locator(".entry.closure h3")).toHaveText(headings);
    expect(desk.problems).toEqual([]);
    expect(tablet.problems).toEqual([]);
  } finally {
    await desk.close();
    await tablet.close();
  }
});

test("a half-typed intake survives the lock and a reload, and Cancel asks first", async () => {
  const phone = await openDevice("unfinished", url);
  const { page, context } = phone;
  try {
    await logIn(page, workers.outreach);
    await context.setOffline(true);
    const startNew = async () => {
      await page.getByRole("link", { name: en["cases.new"] }).click();
    };
    // After unlocking she is where she was (the new-case form) or on the list: either way the
    // new-case form offers what she typed.
    const offered = async () => {
      const offer = page.getByText(en["draft.new_case"]);
      await expect(offer.or(page.getByRole("link", { name: en["cases.new"] })).first()).toBeVisible();
      if (!(await offer.isVisible())) await startNew();
      await expect(offer).toBeVisible();
    };
    await startNew();
    await fillIntake(
      page,
      { [en["field.name"]]: "Sunita Verma", [en["field.village"]]: "Kheda", [en["violence.economic"]]: true },
      { save: false },
    );
    // Written down as she types: give the phone a moment to seal it.
    await page.waitForTimeout(500);

    // The phone locks (as the auto-lock would), and she unlocks again.
    await lock(page);
    await unlock(page, workers.outreach);
    await offered();
    await screenshot(page, "9z-unfinished-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["draft.new_case"])).toBeVisible();
    await screenshot(page, "9z-unfinished-hi");
    await inLanguage(page, "en");
    await page.getByRole("button", { name: en["draft.continue"] }).click();
    await expect(intakeField(page, en["field.name"])).toHaveValue("Sunita Verma");
    await expect(page.getByLabel(en["violence.economic"], { exact: true })).toBeChecked();

    // A reload, offline: the app starts locked; what she typed waits for her.
    await page.getByRole("button", { name: en["form.back"] }).click();
    await page.getByLabel(en["field.age"], { exact: true }).fill("31");
    await page.waitForTimeout(500);
    await page.reload();
    await unlock(page, workers.outreach);
    await offered();
    await page.getByRole("button", { name: en["draft.continue"] }).click();
    await expect(page.getByLabel(en["field.age"], { exact: true })).toHaveValue("31");
    await expect(page.getByLabel(en["field.village"], { exact: true })).toHaveValue("Kheda");

    // Cancel asks first; keeping on loses nothing; discarding does, and only then.
    await page.getByRole("button", { name: en["form.cancel"] }).click();
    await expect(page.getByText(en["draft.discard_question"])).toBeVisible();
    await screenshot(page, "9z-cancel-asks-en");
    await page.getByRole("button", { name: en["draft.keep_editing"] }).click();
    await expect(intakeField(page, en["field.name"])).toHaveValue("Sunita Verma");
    await page.getByRole("button", { name: en["form.cancel"] }).click();
    await page.getByRole("button", { name: en["draft.discard_yes"] }).click();
    await expect(page.getByRole("heading", { name: en["cases.heading"] })).toBeVisible();
    await startNew();
    await expect(intakeField(page, en["field.name"])).toHaveValue("");
    await expect(page.getByText(en["draft.new_case"])).toBeHidden();

    // A note half-written on a case's timeline waits through the lock too.
    await fillIntake(page, {
      [en["field.name"]]: "Kamla Rawat",
      [en["violence.physical"]]: true,
      [en["source.herself"]]: true,
    });
    await page.locator(".cases").getByText("Kamla Rawat").click();
    await page.getByRole("button", { name: en["case.add_note"] }).click();
    await page.getByRole("form", { name: en["case.add_note"] }).getByLabel(en["field.note"]).fill("Her sister will call back");
    await page.waitForTimeout(500);
    await lock(page);
    await unlock(page, workers.outreach);
    const entry = page.getByRole("alertdialog", { name: en["draft.entry"] });
    await expect(entry.or(page.locator(".cases"))).toBeVisible();
    if (!(await entry.isVisible())) await page.locator(".cases").getByText("Kamla Rawat").click();
    await expect(entry).toBeVisible();
    await screenshot(page, "9zc-unfinished-note-en");
    await page.getByRole("button", { name: en["draft.continue"] }).click();
    const noteForm = page.getByRole("form", { name: en["case.add_note"] });
    await expect(noteForm.getByLabel(en["field.note"])).toHaveValue("Her sister will call back");
    await noteForm.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(page.locator(".entry.note")).toContainText("Her sister will call back");

    // A note is never changed: a correction is a new note that says which one it corrects.
    await page.locator(".entry.note").getByRole("button", { name: en["case.correct_note"] }).click();
    await expect(noteForm.locator(".corrects")).toBeVisible();
    await noteForm.getByLabel(en["field.note"]).fill("Her sister called back on Monday");
    await noteForm.getByRole("button", { name: en["case.save_entry"] }).click();
    const notes = page.locator(".entry.note");
    await expect(notes).toHaveCount(2);
    await expect(notes.nth(0)).toContainText("Her sister will call back");
    await expect(notes.filter({ hasText: "on Monday" }).locator(".corrects")).toBeVisible();
    await screenshot(page, "9zd-note-correction-en");
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});

test("a woman registered twice is merged into one case, offline, and the other phone agrees", async () => {
  const desk = await openDevice("merge-desk", url);
  const tablet = await openDevice("merge-tablet", url);
  const page = desk.page;
  try {
    await logIn(page, workers.counsellor);
    const register = async (name, village) => {
      await page.getByRole("link", { name: en["cases.new"] }).click();
      await fillIntake(page, {
        [en["field.name"]]: name,
        [en["field.village"]]: village,
        [en["violence.emotional"]]: true,
        [en["source.police"]]: true,
      });
      await expect(page.getByRole("heading", { name: en["cases.heading"] })).toBeVisible();
    };
    await register("Parvati Devi", "Sonpur");
    // At a camp the same woman was registered again, and a note and a service were added there.
    await register("पार्वती", "सोनपुर");
    await page.locator(".cases").getByText("पार्वती").click();
    await page.getByRole("button", { name: en["case.add_note"] }).click();
    const note = page.getByRole("form", { name: en["case.add_note"] });
    await note.getByLabel(en["field.note"]).fill("Met her at the Sonpur camp.");
    await note.getByRole("button", { name: en["case.save_entry"] }).click();
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    const service = page.getByRole("form", { name: en["case.add_service"] });
    await service.getByLabel(en["service.medical"], { exact: true }).check();
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(page.locator(".entry.service")).toHaveCount(1);
    await sent(page);
    await logIn(tablet.page, workers.search);

    // Offline, Kiran merges the second into the first.
    await desk.context.setOffline(true);
    await openCase(page, "Parvati Devi");
    await page.getByRole("button", { name: en["case.merge"] }).click();
    const merge = page.getByRole("form", { name: en["case.merge"] });
    await merge.getByLabel(en["merge.search"]).fill("पार्वती");
    // Asked to merge without choosing: she is told to choose.
    await merge.getByRole("button", { name: en["case.merge"] }).click();
    await expect(merge.getByText(en["merge.choose_problem"])).toBeVisible();
    await merge.getByLabel(/पार्वती/).check();
    await merge.getByRole("button", { name: en["case.merge"] }).click();
    await expect(merge.getByText(en["merge.confirm"].replace("{name}", "पार्वती"))).toBeVisible();
    await screenshot(page, "9za-merge-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["merge.confirm"].replace("{name}", "पार्वती"))).toBeVisible();
    await screenshot(page, "9za-merge-hi");
    await inLanguage(page, "en");
    await merge.getByRole("button", { name: en["merge.yes"] }).click();
    // Her note and service are on this case now.
    await expect(page.locator(".entry.note")).toContainText("Met her at the Sonpur camp.");
    await expect(page.locator(".entry.service")).toHaveCount(1);
    // The duplicate is closed as one, says where she is kept, and keeps what it said.
    await page.getByRole("link", { name: en["case.back"] }).click();
    await page.locator(".cases").getByText("पार्वती").click();
    await expect(page.getByText(en["case.merged_into"])).toBeVisible();
    await expect(page.locator(".reference").getByText(en["status.closed"])).toBeVisible();
    await expect(page.getByRole("heading", { name: en["case.closed"].replace("{reason}", en["closure.duplicate"]) })).toBeVisible();
    await expect(page.locator(".entry.note")).toHaveCount(0);
    await screenshot(page, "9zb-merged-duplicate-en");
    await page.getByRole("link", { name: en["case.merged_open"] }).click();
    await expect(page.getByRole("heading", { name: "Parvati Devi" })).toBeVisible();

    // Online: the server takes the merge; the tablet sees her work under the kept case.
    await desk.context.setOffline(false);
    await sent(page);
    await expect(page.getByText(en["refused.heading"])).toHaveCount(0);
    await online(tablet.context, tablet.page);
    await tablet.page.locator(".cases").getByText("Parvati Devi").click();
    await expect(tablet.page.locator(".entry.note")).toContainText("Met her at the Sonpur camp.");
    await expect(tablet.page.locator(".entry.service")).toHaveCount(1);
    expect(desk.problems).toEqual([]);
    expect(tablet.problems).toEqual([]);
  } finally {
    await desk.close();
    await tablet.close();
  }
});
