// The centre's figures on a counsellor's phone, offline: a small month's work (three cases, a
// police report given, two sessions to a settlement, a camp) and the dashboard and monthly report
// checked against the same figures counted by hand.
import { expect, test } from "@playwright/test";
import { centre, workers } from "./accounts.mjs";
import { en, fromMenu, hi, inLanguage, logIn, openDevice, registerCase, screenshot } from "./phone.mjs";

const url = process.env.SAKHI_URL;

/** This month, and the next, as a month input takes them. */
function months() {
  const now = new Date();
  const two = (n) => String(n).padStart(2, "0");
  const next = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return {
    now: `${now.getFullYear()}-${two(now.getMonth() + 1)}`,
    next: `${next.getFullYear()}-${two(next.getMonth() + 1)}`,
  };
}

/** A month in words, as the app writes it in the language of `table`: "November 2026". */
function monthName(table, date) {
  const key = Object.keys(table).filter((k) => k.startsWith("month."))[date.getMonth()];
  return `${table[key]} ${date.getFullYear()}`;
}

/** The number in the row `name` of the table captioned `caption` within `scope`. */
function cell(scope, caption, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return scope
    .locator("table", { has: scope.page().locator("caption", { hasText: caption }) })
    .locator("tr", { has: scope.page().locator("th", { hasText: new RegExp(`^${escaped}$`) }) })
    .locator("td");
}

test("the dashboard and the monthly report count a month's work as by hand, offline", async () => {
  const phone = await openDevice("figures", url);
  const { page, context } = phone;
  try {
    // A phone that keeps to itself, so its figures are this test's alone.
    await page.route("**/api/v1/sync/**", (route) => route.abort("internetdisconnected"));
    await logIn(page, workers.search);
    await context.setOffline(true);

    await registerCase(page, {
      name: "Radha Kumari", age: 31, phone: "98220 11223", village: "Ghatol", source: en["source.helpline_181"],
      violence: [en["violence.domestic_violence"], en["violence.dowry_harassment"]], description: "Dowry demands and beatings.",
    });
    await registerCase(page, {
      name: "Gauri Meena", age: 26, phone: "98220 44556", village: "Ghatol", source: en["source.police"],
      violence: [en["violence.physical"]], description: "Beaten by a neighbour.",
    });
    await registerCase(page, {
      name: "Sushila Bai", age: 45, phone: "98220 77889", village: "Kushalgarh",
      violence: [en["violence.domestic_violence"]], description: "Thrown out of the house.",
    });

    // Radha: a police report given, two sessions, a settlement.
    await page.locator(".cases").getByText("Radha Kumari").click();
    await page.getByRole("button", { name: en["case.add_service"] }).click();
    const service = page.getByRole("form", { name: en["case.add_service"] });
    await service.getByLabel(en["service.police"], { exact: true }).check();
    await service.getByLabel(en["service_state.given"], { exact: true }).check();
    await service.getByLabel(en["report.fir"], { exact: true }).check();
    await service.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(service).toBeHidden();
    const session = page.getByRole("form", { name: en["case.add_session"] });
    for (const n of [1, 2]) {
      await page.getByRole("button", { name: en["case.add_session"] }).click();
      await session.getByLabel(en["session_kind.individual"], { exact: true }).check();
      await session.getByRole("button", { name: en["case.save_entry"] }).click();
      await expect(session).toBeHidden();
      await expect(page.getByRole("heading", { name: new RegExp(`^${en["case.session"].replace("{n}", String(n))}`) })).toBeVisible();
    }
    await page.getByRole("button", { name: en["case.close"] }).click();
    const closing = page.getByRole("form", { name: en["case.close"] });
    await closing.getByLabel(en["closure.settlement"], { exact: true }).check();
    await closing.getByRole("button", { name: en["case.close"] }).click();
    await page.getByRole("button", { name: en["case.close_yes"] }).click();
    await expect(page.locator(".reference").getByText(en["status.closed"])).toBeVisible();

    // A camp: 30 women and 10 girls.
    await page.getByRole("link", { name: en["camps.link"], exact: true }).click();
    await page.getByRole("link", { name: en["camps.new"] }).click();
    await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Ghatol panchayat bhavan");
    await page.getByLabel(en["field.women"], { exact: true }).fill("30");
    await page.getByLabel(en["field.girls"], { exact: true }).fill("10");
    await page.getByRole("button", { name: en["camp.save"] }).click();
    await expect(page.locator(".figures tfoot td")).toHaveText("40");

    // The figures, counted by hand: three women helped this month, two cases open under a
    // month, one closed with a settlement after two sessions.
    await fromMenu(page, en["figures.link"]);
    await expect(page.getByRole("heading", { name: en["figures.heading"] })).toBeVisible();
    const dashboard = page.locator(".dashboard");
    const stat = (label) => dashboard.locator(".stat", { hasText: label }).locator(".stat-n");
    await expect(stat(en["figures.ever"])).toHaveText("3");
    await expect(stat(en["figures.this_year"])).toHaveText("3");
    await expect(stat(en["figures.this_month"])).toHaveText("3");
    await expect(stat(en["figures.sessions"])).toHaveText("2");
    await expect(stat(en["figures.median"])).toHaveText("2");
    await expect(cell(dashboard, en["figures.by_violence"], en["violence.domestic_violence"])).toHaveText("2");
    await expect(cell(dashboard, en["figures.by_source"], en["source.herself"])).toHaveText("1");
    await expect(cell(dashboard, en["figures.services"], en["service.police"])).toHaveText("1");
    await expect(cell(dashboard, en["figures.closures"], en["closure.settlement"])).toHaveText("1");
    await expect(cell(dashboard, en["figures.open_by_age"], en["case_age.under_1_month"])).toHaveText("2");
    await expect(dashboard.locator("figure", { hasText: en["figures.new_by_month"] }).locator("svg text.col-n").last()).toHaveText("3");
    await expect(dashboard.locator("figure", { hasText: en["figures.attendance_by_month"] }).locator("svg text.col-n").last()).toHaveText("40");

    const report = page.locator(".report");
    const { now, next } = months();
    await expect(page.getByLabel(en["monthly.month"], { exact: true })).toHaveValue(now);
    await expect(report.getByText(centre.name)).toBeVisible();
    await expect(cell(report, en["monthly.summary"], en["monthly.cases"])).toHaveText("3");
    await expect(cell(report, en["monthly.summary"], en["monthly.sessions"])).toHaveText("2");
    await expect(cell(report, en["monthly.summary"], en["monthly.camps"])).toHaveText("1");
    await expect(cell(report, en["monthly.summary"], en["monthly.attendance"])).toHaveText("40");
    await expect(cell(report, en["figures.by_violence"], en["violence.domestic_violence"])).toHaveText("2");
    await expect(cell(report, en["figures.by_violence"], en["violence.dowry_harassment"])).toHaveText("1");
    await expect(cell(report, en["figures.by_violence"], en["violence.physical"])).toHaveText("1");
    await expect(cell(report, en["figures.by_violence"], en["violence.acid_attack"])).toHaveText("0");
    await expect(cell(report, en["figures.by_source"], en["source.helpline_181"])).toHaveText("1");
    await expect(cell(report, en["figures.by_source"], en["source.police"])).toHaveText("1");
    await expect(cell(report, en["figures.services"], en["service.police"])).toHaveText("1");
    await expect(cell(report, en["figures.closures"], en["closure.settlement"])).toHaveText("1");
    await expect(cell(report, en["monthly.attendance"], en["field.women"])).toHaveText("30");
    await expect(cell(report, en["monthly.attendance"], en["field.girls"])).toHaveText("10");
    // The month in words, in the report's title and in a chart's table; no header cell is empty.
    await expect(report.locator(".report-title")).toHaveText(en["monthly.for"].replace("{month}", monthName(en, new Date())));
    await expect(cell(dashboard, en["figures.new_by_month"], monthName(en, new Date()))).toHaveText("3");
    await expect(page.locator(".figures th:empty")).toHaveCount(0);
    await screenshot(page, "9p-figures-en");
    await inLanguage(page, "hi");
    await expect(cell(page.locator(".report"), hi["monthly.summary"], hi["monthly.cases"])).toHaveText("3");
    await expect(page.locator(".report-title")).toHaveText(hi["monthly.for"].replace("{month}", monthName(hi, new Date())));
    await expect(cell(dashboard, hi["figures.new_by_month"], monthName(hi, new Date()))).toHaveText("3");
    await expect(page.locator(".dashboard .stat", { hasText: hi["figures.this_month"] }).locator(".stat-n")).toHaveText("3");
    await screenshot(page, "9p-figures-hi");

    // A month not begun is refused with a reason, and an empty one is all zeros.
    await page.getByLabel(hi["monthly.month"], { exact: true }).fill(next);
    await expect(page.getByText(hi["monthly.future"])).toBeVisible();
    await inLanguage(page, "en");
    await expect(page.getByText(en["monthly.future"])).toBeVisible();
    await page.getByLabel(en["monthly.month"], { exact: true }).fill("2020-01");
    await expect(cell(report, en["monthly.summary"], en["monthly.cases"])).toHaveText("0");
    await expect(cell(report, en["figures.services"], en["service.police"])).toHaveText("0");
    await page.getByLabel(en["monthly.month"], { exact: true }).fill(now);

    // Printed: the report alone.
    await page.emulateMedia({ media: "print" });
    await expect(dashboard).toBeHidden();
    await expect(page.getByRole("button", { name: en["monthly.print"] })).toBeHidden();
    await expect(cell(report, en["monthly.summary"], en["monthly.cases"])).toHaveText("3");
    await screenshot(page, "9q-report-print");
    await page.emulateMedia({ media: "screen" });

    // On a desktop too, in both languages.
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, "9r-figures-desktop-en");
    await inLanguage(page, "hi");
    await screenshot(page, "9r-figures-desktop-hi");
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});
