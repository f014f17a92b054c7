// Finding a case on the phone: by name however its vowels are spelt, by part of a phone number, by
// village; and a long list shown a page at a time.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { en, fillIntake, hi, inLanguage, logIn, openDevice, registerCase, screenshot } from "./phone.mjs";

const url = process.env.SAKHI_URL;

const cases = [
  {
    name: "सुनीता देवी",
    age: 29,
    phone: "98111 22334",
    village: "बिशनपुर",
    violence: ["Domestic violence"],
    description: "पति मारपीट करता है।",
  },
  {
    name: "Meena Devi",
    age: 38,
    phone: "+91 97000-45678",
    village: "Malpura",
    violence: ["Economic"],
    description: "Her husband keeps her wages.",
  },
  {
    name: "Kavita Singh",
    age: 22,
    phone: "96555 10101",
    village: "Malpura",
    violence: ["Cyber crime"],
    description: "Threatening messages from an unknown number.",
  },
];

/** A phone that keeps its cases to itself, so the list holds only what this test registered. */
async function isolatedPhone(name) {
  const phone = await openDevice(name, url);
  await phone.page.route("**/api/v1/sync/**", (route) => route.abort("internetdisconnected"));
  await logIn(phone.page, workers.search);
  return phone;
}

test("a worker finds a case by name, phone or village", async () => {
  const phone = await isolatedPhone("search");
  const { page } = phone;
  for (const c of cases) await registerCase(page, c);
  const search = page.getByLabel(en["cases.search"]);
  const listed = page.locator("main ul.cases > li");
  await expect(page.getByText("3 cases", { exact: true })).toBeVisible();

  // A name spelt with a short i still finds सुनीता.
  await search.fill("सुनिता");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("सुनीता देवी");
  await expect(page.getByText("Found: 1")).toBeVisible();

  // Part of a phone number, typed with other spacing.
  await search.fill("97000 456");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("Meena Devi");

  // A village, in any case.
  await search.fill("MALPURA");
  await expect(listed).toHaveCount(2);
  await screenshot(page, "20-search-village-en");

  // Nothing found says so; clearing the search shows every case again.
  await search.fill("Rekha");
  await expect(listed).toHaveCount(0);
  await expect(page.getByText("No case matches this search.")).toBeVisible();
  await search.fill("");
  await expect(listed).toHaveCount(3);

  // The same in Hindi, and the search never reaches the address bar.
  await inLanguage(page, "hi");
  const khoj = page.getByLabel(hi["cases.search"]);
  // Typed in Devanagari, a name written in Latin letters is found too.
  await khoj.fill("मीना");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("Meena Devi");
  await khoj.fill("रेखा");
  await expect(page.getByText("इस खोज से कोई केस नहीं मिला।")).toBeVisible();
  await khoj.fill("बिशनपुर");
  await expect(listed).toHaveCount(1);
  await expect(page.getByText("मिले: 1")).toBeVisible();
  expect(page.url()).not.toContain("%");
  await screenshot(page, "21-search-hi");

  expect(phone.problems).toEqual([]);
  await phone.close();
});

test("a long list shows fifty cases at a time", async () => {
  const phone = await isolatedPhone("long-list");
  const { page } = phone;
  for (let n = 1; n <= 51; n++) {
    await page.getByRole("link", { name: "New case" }).click();
    await fillIntake(page, { Name: `Test case ${n}`, "Domestic violence": true, "By herself": true });
    await expect(page.getByRole("heading", { name: "Cases" })).toBeVisible();
  }
  const listed = page.locator("main ul.cases > li");
  await expect(page.getByText("51 cases", { exact: true })).toBeVisible();
  await expect(listed).toHaveCount(50);
  // Newest first.
  await expect(listed.first()).toContainText("Test case 51");
  await page.getByRole("button", { name: "Show more" }).click();
  await expect(listed).toHaveCount(51);
  await expect(listed.last()).toContainText(/Test case 1(?!\d)/);
  await expect(page.getByRole("button", { name: "Show more" })).toHaveCount(0);

  expect(phone.problems).toEqual([]);
  await phone.close();
});
