// A worker at a camp with one hand on a 360×740 phone, in English and Hindi: quick exit in reach on
// every screen and working offline, a thin header and a bottom bar, tap targets of at least 44 px,
// no axe-core violation, text at 200%, search across scripts and number formats, and a sync badge
// that counts cases and camps.
import { expect, test } from "@playwright/test";
import { admin, workers } from "./accounts.mjs";
import {
  axeViolations,
  en,
  exitInReach,
  fillIntake,
  fromMenu,
  hi,
  inLanguage,
  lock,
  logIn,
  menuLink,
  online,
  openDevice,
  registerCase,
  screenshot,
  smallTargets,
  syncBadge,
  unlock,
  waitForOfflineShell,
} from "./phone.mjs";

const url = process.env.SAKHI_URL;
const HARMLESS = "https://www.google.com/search?q=weather+today";

/** Opens `path` inside the running app, as its own links do: a page load would lock it. */
async function visit(page, path) {
  await page.evaluate((path) => {
    history.pushState(null, "", path);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, "\\?")}$`));
  await expect(page.locator("main")).not.toBeEmpty();
}

/** Every main screen of an administrator, by its path, with a heading to know it opened. */
function mainScreens(caseId, campId) {
  return [
    ["home", "/"],
    ["new-case", "/cases/new"],
    ["case", `/cases/${caseId}`],
    ["edit-case", `/cases/${caseId}/edit`],
    ["history", `/cases/${caseId}/history`],
    ["camps", "/camps"],
    ["new-camp", "/camps/new"],
    ["camp", `/camps/${campId}`],
    ["figures", "/figures"],
    ["staff", "/staff"],
    ["audit", "/audit"],
    ["settings", "/settings"],
    ["menu", "/menu"],
    ["sync", "/sync"],
    ["logout", "/logout"],
  ];
}

test("every main screen, in both languages: quick exit in reach, 44 px targets, no axe-core violation, text at 200%", async () => {
  test.setTimeout(600_000);
  const phone = await openDevice("one-hand", url, { bypassCSP: true });
  const { page } = phone;
  const problems = [];
  // The first-run page and the sign-in page, before anyone is signed in.
  await page.goto("/");
  for (const [name, next] of [
    ["welcome", en["welcome.continue"]],
    ["sign-in", null],
  ]) {
    for (const lang of ["hi", "en"]) {
      await inLanguage(page, lang);
      await expect(page.locator("main")).not.toBeEmpty();
      await screenshot(page, `c-${name}-${lang}`);
      await exitInReach(page, `${name} (${lang})`);
      for (const small of await smallTargets(page)) problems.push(`${name} (${lang}): small target ${small}`);
      for (const violation of await axeViolations(page)) problems.push(`${name} (${lang}): axe ${violation}`);
    }
    if (next) await page.getByRole("button", { name: next }).click();
  }
  await logIn(page, admin);
  await registerCase(page, {
    name: "Sunita Verma",
    age: 16,
    phone: "98290 12345",
    village: "Rampur",
    violence: ["Domestic violence"],
    description: "Her uncle beats her; she is afraid to go home.",
  });
  await page.locator(".cases").getByRole("link", { name: /Sunita Verma/ }).click();
  const caseId = page.url().split("/cases/")[1];
  await visit(page, "/camps/new");
  await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Rampur school");
  await page.getByRole("button", { name: en["camp.save"] }).click();
  await expect(page).toHaveURL(/\/camps\/[0-9a-f-]{36}$/);
  const campId = page.url().split("/camps/")[1];

  // The checks themselves find what they look for: an image without words, a tiny button.
  await page.evaluate(() =>
    document.querySelector("main").insertAdjacentHTML(
      "beforeend",
      '<div id="probe"><img src="/icons/icon-192.png" width="10" height="10"><button style="width:20px;height:20px">x</button></div>',
    ),
  );
  expect((await axeViolations(page)).join("\n")).toContain("image-alt");
  expect((await smallTargets(page)).join("\n")).toContain('button "x" 20×20');
  await page.evaluate(() => document.getElementById("probe").remove());

  for (const lang of ["en", "hi"]) {
    await inLanguage(page, lang);
    for (const [name, path] of mainScreens(caseId, campId)) {
      await visit(page, path);
      await page.waitForTimeout(300);
      await screenshot(page, `c-${name}-${lang}`);
      // At the bottom of the page, quick exit is still at the top of the screen.
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
      await exitInReach(page, `${name} (${lang})`);
      for (const small of await smallTargets(page)) problems.push(`${name} (${lang}): small target ${small}`);
      for (const violation of await axeViolations(page)) problems.push(`${name} (${lang}): axe ${violation}`);
    }
  }

  // The lock screen, in both languages, is held to the same.
  await inLanguage(page, "en");
  await lock(page);
  for (const lang of ["hi", "en"]) {
    await inLanguage(page, lang);
    await expect(page.getByRole("heading", { name: (lang === "hi" ? hi : en)["unlock.heading"] })).toBeVisible();
    await screenshot(page, `c-unlock-${lang}`);
    await exitInReach(page, `unlock (${lang})`);
    for (const small of await smallTargets(page)) problems.push(`unlock (${lang}): small target ${small}`);
    for (const violation of await axeViolations(page)) problems.push(`unlock (${lang}): axe ${violation}`);
  }
  await unlock(page, admin);

  // The phone's text at 200%: nothing runs off the side, and quick exit stays in reach.
  await inLanguage(page, "hi");
  await page.addStyleTag({ content: ":root { font-size: 225% !important; }" });
  for (const [name, path] of mainScreens(caseId, campId)) {
    await visit(page, path);
    const wide = await page.evaluate(() => {
      const width = document.scrollingElement.clientWidth;
      const over = document.scrollingElement.scrollWidth - width;
      if (over <= 1) return null;
      // The innermost elements that run past the screen's edge, to say what to fix.
      const past = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1 && el.children.length === 0)
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.innerText || "").slice(0, 20)}"`);
      return `${over} px wider than the screen: ${past.join(", ")}`;
    });
    if (wide) problems.push(`${name} at 200%: ${wide}`);
    const exit = await page.getByRole("button", { name: hi.quick_exit }).boundingBox();
    if (!exit || exit.y + exit.height > 740) problems.push(`${name} at 200%: quick exit out of reach`);
    if (["home", "new-case", "case", "menu"].includes(name)) await screenshot(page, `c-${name}-200`);
  }
  if (problems.length) console.log(problems.join("\n"));
  expect(problems).toEqual([]);
  await phone.close();
});

test("quick exit from the bottom of a long form: the harmless page offline, the chosen site online", async () => {
  const phone = await openDevice("exit-offline", url);
  const { page, context } = phone;
  await context.route("https://www.google.com/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather today</h1>" }),
  );
  await logIn(page, workers.second);
  await waitForOfflineShell(page);
  await inLanguage(page, "hi");
  await page.getByRole("link", { name: hi["cases.new"] }).click();
  await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
  await exitInReach(page, "new case (hi)");

  // Offline, as at a camp: a weather page from the phone itself, nothing of Sakhi.
  await context.setOffline(true);
  await page.getByRole("button", { name: hi.quick_exit }).click();
  await expect(page).toHaveURL(/\/weather\/$/);
  await expect(page).toHaveTitle("मौसम");
  await expect(page.getByText("धुंध। पश्चिम से हल्की हवा।")).toBeVisible();
  const shown = await page.locator("body").innerText();
  expect(shown).not.toMatch(/Sakhi|सखी/);
  await screenshot(page, "c-harmless-offline-hi");
  await page.waitForTimeout(1_000);
  await expect(page).toHaveURL(/\/weather\/$/);

  // Online: the harmless page moves on to the chosen site.
  await context.setOffline(false);
  await page.goBack();
  await expect(page.getByRole("heading", { name: hi["unlock.heading"] })).toBeVisible();
  await inLanguage(page, "en");
  await unlock(page, workers.second);
  await page.getByRole("button", { name: en.quick_exit }).click();
  await page.waitForURL(HARMLESS);
  await expect(page.getByRole("heading", { name: "Weather today" })).toBeVisible();
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("the badge counts cases and camps; the sync page says what went and when", async () => {
  const phone = await openDevice("badge", url);
  const { page, context } = phone;
  await logIn(page, workers.outreach);
  await context.setOffline(true);
  await registerCase(page, {
    name: "Geeta Bairwa",
    age: 24,
    phone: "+91 91000 20000",
    village: "रामपुर",
    violence: ["Dowry harassment"],
    description: "In-laws demand money.",
  });
  await registerCase(page, {
    name: "गीता भील",
    age: 41,
    phone: "09100030000",
    village: "Rampur",
    violence: ["Domestic violence"],
    description: "Husband drinks.",
  });
  await expect(syncBadge(page)).toHaveText(`${en["sync.waiting"].replace("{what}", "2 cases")}`);
  await page.getByRole("link", { name: en["camps.link"], exact: true }).click();
  await page.getByRole("link", { name: en["camps.new"] }).click();
  await page.getByLabel(en["camp.place_label"], { exact: true }).fill("Rampur");
  await page.getByRole("button", { name: en["camp.save"] }).click();
  await expect(syncBadge(page)).toHaveText(en["sync.waiting"].replace("{what}", "2 cases, 1 camp"));
  await exitInReach(page, "waiting badge (en)");
  await inLanguage(page, "hi");
  await expect(page.locator(".sync-badge")).toHaveText(hi["sync.waiting"].replace("{what}", "2 केस, 1 शिविर"));
  await exitInReach(page, "waiting badge (hi)");
  await screenshot(page, "c-badge-waiting-hi");
  await inLanguage(page, "en");

  // The sync page: what waits, and once online, what went and when.
  await syncBadge(page).click();
  await expect(page.getByRole("heading", { name: en["sync.heading"] })).toBeVisible();
  await expect(page.getByText(en["sync.offline_hint"])).toBeVisible();
  await online(context, page);
  await expect(page.locator(".sync-log li").first()).toContainText(
    en["sync.sent"].replace("{what}", "2 cases, 1 camp"),
  );
  await screenshot(page, "c-sync-page-en");

  // Search across scripts and number formats.
  await page.getByRole("link", { name: en["cases.heading"], exact: true }).click();
  const search = page.getByLabel(en["cases.search"]);
  // Other tests' cases are on this phone too: each query must find these and not those.
  const listed = page.locator(".cases .case-name");
  const latin = "Geeta Bairwa";
  const devanagari = "गीता भील";
  for (const [query, finds, misses] of [
    ["गीता", [latin, devanagari], []],
    ["Geeta", [latin, devanagari], []],
    ["gita", [latin, devanagari], []],
    ["Gita Bairwa", [latin], [devanagari]],
    ["गीता बैरवा", [latin], [devanagari]],
    ["Rampur", [latin, devanagari], []],
    ["रामपुर", [latin, devanagari], []],
    ["+91 91000-20000", [latin], [devanagari]],
    ["9100020000", [latin], [devanagari]],
    ["091000 30000", [devanagari], [latin]],
  ]) {
    await search.fill(query);
    for (const name of finds) await expect(listed.filter({ hasText: name }), `${query} finds ${name}`).toHaveCount(1);
    for (const name of misses) await expect(listed.filter({ hasText: name }), `${query} misses ${name}`).toHaveCount(0);
  }
  await screenshot(page, "c-search-en");
  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("marks on the list and the administrator's counts: in danger, child, review, follow-up", async () => {
  const phone = await openDevice("marks", url);
  const { page } = phone;
  await logIn(page, admin);
  // In danger now: saving goes straight to her case page, with rescue and police first.
  await page.getByRole("link", { name: en["cases.new"] }).click();
  await fillIntake(page, {
    [en["danger.yes"]]: true,
    Name: "Pooja Meena",
    Age: 16,
    Village: "Sitapur",
    "Sexual assault or rape": true,
    "What happened": "Neighbour threatens her.",
    "By herself": true,
  });
  await expect(page.getByRole("heading", { name: "Pooja Meena" })).toBeVisible();
  await page.getByRole("link", { name: en["cases.heading"], exact: true }).click();
  const listed = page.locator(".cases li").filter({ hasText: "Pooja Meena" });
  await expect(listed.getByText(en["mark.child"])).toBeVisible();
  await expect(listed.getByText(en["mark.danger"])).toBeVisible();
  const inDanger = page.getByRole("button", { name: new RegExp(en["home.in_danger"]) });
  await inDanger.click();
  await expect(page.locator(".cases li")).toHaveCount(await page.locator(".cases li").filter({ hasText: en["mark.danger"] }).count());
  await screenshot(page, "c-marks-en");
  await inLanguage(page, "hi");
  await expect(listed.getByText(hi["mark.child"])).toBeVisible();
  await expect(listed.getByText(hi["mark.danger"])).toBeVisible();
  await screenshot(page, "c-marks-hi");
  await inLanguage(page, "en");
  await expect(menuLink(page)).toBeVisible();
  await fromMenu(page, en["sync.heading"]);
  await expect(page.getByRole("heading", { name: en["sync.heading"] })).toBeVisible();
  expect(phone.problems).toEqual([]);
  await phone.close();
});
