// A counsellor's day with one case, offline on a phone: intake of a woman in danger, police and
// shelter at one tap, three counselling sessions, a note, a settlement, closing and reopening; the
// follow-up on her home screen; the duplicate warning when the same woman is registered again.
import { expect, test } from "@playwright/test";
import { centre, workers } from "./accounts.mjs";
import { day, en, fillIntake, hi, inLanguage, intakeField, logIn, openDevice, screenshot, syncBadge } from "./phone.mjs";

const url = process.env.SAKHI_URL;

test("a case goes from intake through services and sessions to a settlement, offline", async () => {
  const phone = await openDevice("casework", url);
  const { page, context } = phone;
  try {
    await logIn(page, workers.counsellor);
    await context.setOffline(true);

    // Intake of a woman in danger now.
    await page.getByRole("link", { name: en["cases.new"] }).click();
    await page.getByLabel(en["danger.yes"], { exact: true }).check();
    await expect(page.getByText(en["form.danger"])).toBeVisible();
    await fillIntake(page, {
      [en["field.name"]]: "Savita Devi",
      [en["field.age"]]: "29",
      [en["field.phone"]]: "97123 45678",
      [en["field.village"]]: "Bhadran",
      [en["violence.domestic_violence"]]: true,
      [en["violence.dowry_harassment"]]: true,
      [en["source.helpline_181"]]: true,
      [en["consent.services"]]: true,
      [en["consent.police"]]: true,
    });

    // Her case opens at once, with rescue, police and shelter one tap away.
    await expect(page.getByRole("heading", { name: "Savita Devi" })).toBeVisible();
    await expect(page.getByText(en["case.danger"])).toBeVisible();
    await page.waitForFunction(() => performance.getEntriesByName("sakhi-case-ready").length > 0, null, { timeout: 10_000 });
    await expect(page.getByText(en["consent.services"] + ", " + en["consent.police"])).toBeVisible();
    await expect(page.locator(".case-details dl").getByText(workers.counsellor.display_name)).toBeVisible();
    const reference = (await page.locator(".reference").innerText()).match(/[0-9A-F]{4}-[0-9A-F]{4}/)[0];
    await screenshot(page, "97-case-danger-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["case.danger"])).toBeVisible();
    await screenshot(page, "97-case-danger-hi");
    await inLanguage(page, "en");
    await page.getByRole("button", { name: "Request: " + en["service.police"] }).click();
    await page.getByRole("button", { name: "Request: " + en["service.shelter"] }).click();
    await expect(page.getByRole("heading", { name: `${en["service.police"]} · ${en["service_state.requested"]}` })).toBeVisible();
    await expect(page.getByRole("heading", { name: `${en["service.shelter"]} · ${en["service_state.requested"]}` })).toBeVisible();
    await expect(page.getByRole("button", { name: "Request: " + en["service.police"] })).toHaveCount(0);

    // The police registered a Domestic Incident Report.
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    const service = page.getByRole("form", { name: en["case.add_service"] });
    await service.getByLabel(en["service.police"], { exact: true }).check();
    await service.getByLabel(en["service_state.given"], { exact: true }).check();
    await service.getByLabel(en["report.dir"], { exact: true }).check();
    await service.getByLabel(en["field.report_number"], { exact: true }).fill("DIR 45/2026");
    await service.getByLabel(en["place.police"], { exact: true }).fill("Bhadran police station");
    await screenshot(page, "98-service-form-en");
    await inLanguage(page, "hi");
    await expect(page.getByRole("form", { name: hi["case.add_service"] }).getByLabel(hi["place.police"], { exact: true })).toBeVisible();
    await screenshot(page, "98-service-form-hi");
    await inLanguage(page, "en");
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(service).toBeHidden();
    await expect(page.getByRole("heading", { name: `${en["service.police"]} · ${en["service_state.given"]}` })).toBeVisible();
    await expect(page.getByText("DIR 45/2026")).toBeVisible();
    await expect(page.getByText("Bhadran police station")).toBeVisible();

    // Shelter since a week ago: past the centre's five days.
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    await service.getByLabel(en["service.shelter"], { exact: true }).check();
    await service.getByLabel(en["service_state.given"], { exact: true }).check();
    await service.getByLabel(en["field.admitted_on"], { exact: true }).fill(day(-7));
    await service.getByLabel(en["field.children"], { exact: true }).fill("2");
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(page.getByText(en["case.shelter_long"].replace("{n}", "5"))).toBeVisible();

    // Three counselling sessions; the third sets the next for today.
    const sessions = [
      { kind: "session_kind.individual", attended: "Savita", notes: "She wants to stay with her husband if the beating stops." },
      { kind: "session_kind.joint", attended: "Savita, Ramesh", notes: "Ramesh agrees to stop drinking." },
      { kind: "session_kind.family", attended: "Savita, Ramesh, his mother", notes: "The dowry demand is dropped.", next: day(0) },
    ];
    const session = page.getByRole("form", { name: en["case.add_session"] });
    for (const [at, s] of sessions.entries()) {
      await page.getByRole("button", { name: en["case.add_session"] }).click();
      await session.getByLabel(en[s.kind], { exact: true }).check();
      await session.getByLabel(en["field.attended"], { exact: true }).fill(s.attended);
      await session.getByLabel(en["field.notes"], { exact: true }).fill(s.notes);
      if (s.next) await session.getByLabel(en["field.next_on"], { exact: true }).fill(s.next);
      await session.getByRole("button", { name: en["case.save_entry"] }).click();
      await expect(session).toBeHidden();
      const title = `${en["case.session"].replace("{n}", String(at + 1))} · ${en[s.kind]}`;
      await expect(page.getByRole("heading", { name: title })).toBeVisible();
    }

    // A note, with who wrote it.
    await page.getByRole("button", { name: en["case.add_note"] }).click();
    const note = page.getByRole("form", { name: en["case.add_note"] });
    await note.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(note.getByText(en["problem.note_required"])).toBeVisible();
    await note.getByLabel(en["field.note"], { exact: true }).fill("Her brother will come on Monday.");
    await note.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(page.getByText("Her brother will come on Monday.")).toBeVisible();
    await expect(page.getByRole("heading", { name: new RegExp(`^${workers.counsellor.display_name}, \\d\\d:\\d\\d$`) })).toBeVisible();
    await screenshot(page, "99-case-timeline-en");

    // The follow-up is on her home screen.
    await page.getByRole("link", { name: en["case.back"] }).click();
    // A count on her home screen opens the list narrowed to her follow-ups, each marked.
    const due = page.getByRole("button", { name: `1 ${en["home.due"]}` });
    await due.click();
    await expect(due).toHaveAttribute("aria-pressed", "true");
    const listed = page.locator(".cases li").filter({ hasText: "Savita Devi" });
    await expect(listed.getByText(en["mark.due"])).toBeVisible();
    await screenshot(page, "9a-home-due-en");
    await inLanguage(page, "hi");
    await expect(page.getByRole("button", { name: `1 ${hi["home.due"]}` })).toBeVisible();
    await expect(listed.getByText(hi["mark.due"])).toBeVisible();
    await screenshot(page, "9a-home-due-hi");
    await inLanguage(page, "en");
    await due.click();
    await expect(due).toHaveAttribute("aria-pressed", "false");
    // Found by her provisional reference, and by the filters.
    await page.getByLabel(en["cases.search"]).fill(reference.toLowerCase());
    await expect(page.locator(".cases").getByText("Savita Devi")).toBeVisible();
    await page.getByLabel(en["cases.search"]).fill("");
    await page.getByText(en["filters.heading"]).click();
    await page.getByLabel(en["filters.status"]).selectOption({ label: en["status.closed"] });
    await expect(page.getByText(en["cases.none_found"])).toBeVisible();
    await page.getByLabel(en["filters.status"]).selectOption({ label: en["status.in_progress"] });
    await page.getByLabel(en["filters.violence"]).selectOption({ label: en["violence.dowry_harassment"] });
    await page.getByLabel(en["filters.due"]).check();
    await page.getByLabel(en["filters.assigned"]).selectOption({ label: en["filters.nobody"] });
    await expect(page.locator(".cases").getByText("Savita Devi")).toBeVisible();
    await screenshot(page, "9j-filters-en");
    await inLanguage(page, "hi");
    await expect(page.getByLabel(hi["filters.due"])).toBeChecked();
    await screenshot(page, "9j-filters-hi");
    await inLanguage(page, "en");
    await page.locator(".cases").getByRole("link", { name: /Savita Devi/ }).click();

    // Settled: closing asks first, and can be undone by reopening.
    await page.getByRole("button", { name: en["case.close"] }).click();
    const closing = page.getByRole("form", { name: en["case.close"] });
    await closing.getByRole("button", { name: en["case.close"] }).click();
    await expect(closing.getByText(en["problem.closure_required"])).toBeVisible();
    await closing.getByLabel(en["closure.settlement"], { exact: true }).check();
    await closing.getByLabel(en["field.settlement_terms"], { exact: true }).fill("Ramesh stops drinking; no more dowry demands; Savita returns home.");
    await closing.getByLabel(en["field.settlement_signed"], { exact: true }).check();
    await closing.getByRole("button", { name: en["case.close"] }).click();
    await expect(page.getByText(en["case.close_confirm"])).toBeVisible();
    await screenshot(page, "9b-close-confirm-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["case.close_confirm"])).toBeVisible();
    await screenshot(page, "9b-close-confirm-hi");
    await inLanguage(page, "en");
    await page.getByRole("button", { name: en["case.close_yes"] }).click();
    await expect(page.getByRole("heading", { name: en["case.closed"].replace("{reason}", en["closure.settlement"]) })).toBeVisible();
    await expect(page.locator(".reference").getByText(en["status.closed"])).toBeVisible();
    await expect(page.getByText(en["case.danger"])).toBeHidden();
    await expect(page.locator(".entry.closure").getByText(en["field.settlement_signed"])).toBeVisible();
    await screenshot(page, "9c-case-closed-en");
    // Printed for the paper file: the case and its timeline, nothing to tap.
    await page.emulateMedia({ media: "print" });
    await expect(page.getByRole("button", { name: en["case.add_service"] })).toBeHidden();
    await expect(page.getByRole("button", { name: en["quick_exit"] })).toBeHidden();
    await expect(page.getByRole("heading", { name: "Savita Devi" })).toBeVisible();
    // On paper, and only there: the centre, when it was printed (India time) and that it is
    // confidential; a short case on one or two sheets.
    const printed = page.locator(".print-header");
    await expect(printed.locator(".print-centre")).toHaveText(centre.name);
    await expect(printed.locator(".print-confidential")).toHaveText(en["print.confidential"]);
    await expect(printed.locator(".print-when")).toHaveText(new RegExp(`^${en["print.printed"].replace("{when}", "\\d{1,2} \\S+ \\d{4}, \\d\\d:\\d\\d")}$`));
    await screenshot(page, "9i-case-print");
    const pdf = await page.pdf({ format: "A4" });
    const sheets = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(sheets).toBeGreaterThanOrEqual(1);
    expect(sheets).toBeLessThanOrEqual(2);
    await page.emulateMedia({ media: "screen" });
    await expect(printed).toBeHidden();
    await inLanguage(page, "hi");
    await expect(page.getByRole("heading", { name: hi["case.closed"].replace("{reason}", hi["closure.settlement"]) })).toBeVisible();
    await expect(page.getByRole("heading", { name: `${hi["service.police"]} · ${hi["service_state.given"]}` })).toBeVisible();
    await screenshot(page, "9d-case-closed-hi");
    await page.emulateMedia({ media: "print" });
    await expect(page.locator(".print-header .print-confidential")).toHaveText(hi["print.confidential"]);
    await expect(page.locator(".print-header .print-when")).not.toContainText(/am|pm/i);
    await screenshot(page, "9i-case-print-hi");
    await page.emulateMedia({ media: "screen" });
    await inLanguage(page, "en");

    await page.getByRole("link", { name: en["case.back"] }).click();
    await expect(page.getByRole("button", { name: new RegExp(en["home.due"]) })).toHaveCount(0);
    await page.locator(".cases").getByText("Savita Devi").click();
    await page.getByRole("button", { name: en["case.reopen"] }).click();
    await expect(page.locator(".reference").getByText(en["status.in_progress"])).toBeVisible();
    await expect(page.getByRole("button", { name: en["case.close"] })).toBeVisible();

    // The same woman, registered again: the form says so while it is typed.
    await page.getByRole("link", { name: en["case.back"] }).click();
    await page.getByRole("link", { name: en["cases.new"] }).click();
    await fillIntake(page, { [en["field.phone"]]: "+91 97123-45678" }, { save: false });
    await expect(page.getByText(en["form.duplicates"])).toBeVisible();
    await expect(page.locator(".duplicates").getByText("Savita Devi, 29, Bhadran, 97123 45678")).toBeVisible();
    await page.getByLabel(en["field.phone"], { exact: true }).fill("");
    await expect(page.getByText(en["form.duplicates"])).toBeHidden();
    await intakeField(page, en["field.name"]).fill("savita");
    await page.getByLabel(en["field.village"], { exact: true }).fill("BHADRAN");
    await expect(page.locator(".duplicates").getByText(/Savita Devi/)).toBeVisible();
    await screenshot(page, "9e-duplicate-en");
    await inLanguage(page, "hi");
    await expect(page.getByText(hi["form.duplicates"])).toBeVisible();
    await screenshot(page, "9f-duplicate-hi");
    await inLanguage(page, "en");
    // She typed something: Cancel asks before throwing it away.
    await page.getByRole("button", { name: en["form.cancel"] }).click();
    await page.getByRole("button", { name: en["draft.discard_yes"] }).click();

    // Back online, the server takes all of it, and gives her case the centre's next number.
    await context.setOffline(false);
    await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
    await page.locator(".cases").getByText("Savita Devi").click();
    const number = page.locator(".reference .ref").getByText(/^Case number DHR-\d{4}-\d{4}$/);
    await expect(number).toBeVisible({ timeout: 15_000 });
    const official = (await number.innerText()).replace("Case number ", "");
    await page.getByRole("link", { name: en["case.back"] }).click();
    await page.getByLabel(en["cases.search"]).fill(official);
    await expect(page.locator(".cases").getByText("Savita Devi")).toBeVisible();
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});
