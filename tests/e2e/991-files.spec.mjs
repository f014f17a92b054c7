// A woman's paper file in Sakhi: a counsellor, offline, keeps a medical report (PDF) and a photo
// chosen from the phone with her case; both wait on the phone, sealed, and go when the phone is
// online; a second counsellor's phone opens them (downloading each once); quick exit closes the
// viewer at once. An outreach worker at a camp takes a photo with the camera, records a voice note
// and takes a woman's thumb impression; a link cut in the middle of a file resumes where it broke.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import {
  axeViolations,
  en,
  exitInReach,
  hi,
  inLanguage,
  logIn,
  openDevice,
  pdfSaying,
  photoJpeg,
  registerCase,
  screenshot,
  sent,
  smallTargets,
  syncBadge,
} from "./phone.mjs";

const url = process.env.SAKHI_URL;

const lakshmi = {
  name: "Lakshmi Meghwal",
  age: 34,
  phone: "94140 55321",
  village: "Rampura",
  violence: ["Domestic violence"],
  description: "Beaten by her husband; treated at the district hospital.",
};

/** The timeline's entry for a file whose heading is `title`. */
function fileEntry(page, title) {
  return page.locator(".timeline li.file").filter({ has: page.getByRole("heading", { name: title, exact: true }) });
}

test("a PDF and a photo kept offline with a case are sent when online and open on another phone", async () => {
  const phone = await openDevice("files", url);
  const { page, context } = phone;
  const other = await openDevice("files-other", url);
  try {
    await logIn(page, workers.counsellor);
    await context.setOffline(true);
    await registerCase(page, lakshmi);
    await page.locator(".cases").getByRole("link", { name: /Lakshmi Meghwal/ }).click();

    // The medical report, chosen from the phone's files.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    const form = page.getByRole("form", { name: en["case.add_file"] });
    await screenshot(page, "991-add-file-en");
    // Saving without a file says what is missing.
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form.getByText(en["problem.file_required"])).toBeVisible();
    await expect(form.getByText(en["problem.kind_required"])).toBeVisible();
    const report = pdfSaying("Medico-legal report of Lakshmi Meghwal");
    await form.getByLabel(en["file.choose"]).setInputFiles({ name: "mlc.pdf", mimeType: "application/pdf", buffer: report });
    const ready = en["file.ready"].replace("{what}", en["file.pdf"]).replace("{size}", "1 KB");
    await expect(form.getByText(ready)).toBeVisible();
    await form.getByLabel(en["attachment_kind.medical_report"], { exact: true }).check();
    await form.getByLabel(en["field.caption"], { exact: true }).fill("MLC, district hospital");
    await screenshot(page, "991-file-ready-en");
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();
    const pdfTitle = `${en["attachment_kind.medical_report"]} · MLC, district hospital`;
    const pdf = fileEntry(page, pdfTitle);
    await expect(pdf.getByText(en["file.waiting"])).toBeVisible();
    await expect(pdf.getByText(workers.counsellor.display_name)).toBeVisible();

    // A photo of her injuries' medical card, chosen from the phone: made small, without EXIF.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    await form.getByLabel(en["file.choose"]).setInputFiles({ name: "card.jpg", mimeType: "image/jpeg", buffer: await photoJpeg(page) });
    await expect(form.getByText(/Ready to save: Picture, \d+ KB/)).toBeVisible();
    // A picture is taken to be a photo unless she says otherwise.
    await expect(form.getByLabel(en["attachment_kind.photo"], { exact: true })).toBeChecked();
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();
    const photo = fileEntry(page, en["attachment_kind.photo"]);
    await expect(photo.getByText(en["file.waiting"])).toBeVisible();
    const photoSize = Number((await photo.locator(".file-line").innerText()).match(/(\d+) KB/)[1]);
    expect(photoSize).toBeLessThanOrEqual(300);
    // The badge counts the files that wait as well as the case.
    await expect(syncBadge(page)).toHaveText(/1 case, 2 files/);
    await screenshot(page, "991-files-waiting-en");

    // Opened offline from the phone's own sealed copy.
    await photo.getByRole("button", { name: en["file.open"] }).click();
    const viewer = page.getByRole("dialog", { name: en["attachment_kind.photo"] });
    const image = viewer.getByRole("img", { name: en["attachment_kind.photo"] });
    await expect(image).toBeVisible();
    expect(await image.evaluate((img) => [img.naturalWidth, img.naturalHeight])).toEqual([1600, 1067]);
    expect(await image.getAttribute("src")).toMatch(/^blob:/);
    await exitInReach(page, "the viewer");
    await screenshot(page, "991-viewer-photo-en");
    await viewer.getByRole("button", { name: en["file.close"] }).click();
    await expect(viewer).toBeHidden();

    // In Hindi, as good as in English.
    await inLanguage(page, "hi");
    const pdfHindi = fileEntry(page, `${hi["attachment_kind.medical_report"]} · MLC, district hospital`);
    await expect(pdfHindi.getByText(hi["file.waiting"])).toBeVisible();
    await page.getByRole("button", { name: hi["case.add_file"] }).click();
    await screenshot(page, "991-add-file-hi");
    expect(await smallTargets(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("form", { name: hi["case.add_file"] }).getByRole("button", { name: hi["form.cancel"] }).click();
    await inLanguage(page, "en");

    // Online: the records go, then each file, and each says it was sent.
    await context.setOffline(false);
    await sent(page);
    await expect(pdf.getByText(en["file.sent"], { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(photo.getByText(en["file.sent"], { exact: true })).toBeVisible({ timeout: 30_000 });
    await screenshot(page, "991-files-sent-en");

    // Another counsellor's phone has the records, and fetches a file when she opens it.
    await logIn(other.page, workers.search);
    await other.page.locator(".cases").getByRole("link", { name: /Lakshmi Meghwal/ }).click();
    const there = fileEntry(other.page, pdfTitle);
    await expect(there.getByText(en["file.on_server"])).toBeVisible();
    await there.getByRole("button", { name: en["file.open"] }).click();
    // Its pages drawn inside Sakhi, as a phone's browser shows no PDF in a frame.
    const page1 = other.page.getByRole("dialog", { name: pdfTitle }).getByRole("img", { name: "Page 1 of 1" });
    await expect(page1).toBeVisible({ timeout: 30_000 });
    expect(await page1.evaluate((canvas) => canvas.width)).toBeGreaterThan(300);
    await screenshot(other.page, "991-viewer-pdf-en");
    // The copy fetched is now on that phone, sealed, and known to be on the server.
    await other.page.getByRole("button", { name: en["file.close"] }).click();
    await expect(there.getByText(en["file.sent"], { exact: true })).toBeVisible();

    // Quick exit with a file open: the page is gone at once.
    await other.context.route("https://www.google.com/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather today</h1>" }),
    );
    await fileEntry(other.page, en["attachment_kind.photo"]).getByRole("button", { name: en["file.open"] }).click();
    await expect(other.page.getByRole("dialog").getByRole("img")).toBeVisible();
    await other.page.getByRole("button", { name: en.quick_exit }).click();
    await other.page.waitForURL(/google/);
    await other.page.goBack();
    await expect(other.page.getByRole("heading", { name: en["unlock.heading"] })).toBeVisible();
    await expect(other.page.getByRole("dialog")).toHaveCount(0);

    expect(phone.problems).toEqual([]);
    expect(other.problems).toEqual([]);
  } finally {
    await phone.close();
    await other.close();
  }
});

test("a photo from the camera, a voice note and a thumb impression; a cut link resumes mid-file", async () => {
  const phone = await openDevice("files-camp", url);
  const { page, context } = phone;
  try {
    await logIn(page, workers.counsellor);
    await context.setOffline(true);
    await registerCase(page, { ...lakshmi, name: "Sarita Kumari", phone: "94140 55322" });
    await page.locator(".cases").getByRole("link", { name: /Sarita Kumari/ }).click();
    const form = page.getByRole("form", { name: en["case.add_file"] });

    // The camera: the picture never leaves Sakhi for the phone's gallery.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    await form.getByRole("button", { name: en["file.take_photo"] }).click();
    await expect(form.getByLabel(en["capture.camera_view"])).toBeVisible();
    await screenshot(page, "991-camera-en");
    await form.getByRole("button", { name: en["capture.take_photo"] }).click();
    await expect(form.getByText(/Ready to save: Picture, \d+ KB/)).toBeVisible();
    await expect(form.getByLabel(en["attachment_kind.photo"], { exact: true })).toBeChecked();
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();

    // A voice note, with its timer running.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    await form.getByRole("button", { name: en["file.record"] }).click();
    await form.getByRole("button", { name: en["capture.record"] }).click();
    await expect(form.getByText("0:02")).toBeVisible({ timeout: 10_000 });
    await screenshot(page, "991-voice-en");
    await form.getByRole("button", { name: en["capture.stop"] }).click();
    await expect(form.getByText(/Ready to save: Voice note, \d+ KB/)).toBeVisible();
    await expect(form.getByLabel(en["attachment_kind.voice_note"], { exact: true })).toBeChecked();
    await form.getByLabel(en["field.caption"], { exact: true }).fill("What she told us at the camp");
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();

    // Her thumb impression on her consent, drawn on the pad.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    await form.getByRole("button", { name: en["file.sign"] }).click();
    const pad = form.getByRole("img", { name: en["capture.signature_label"] }).or(form.getByLabel(en["capture.signature_label"]));
    const box = await pad.first().boundingBox();
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 40 + i * 10, box.y + 40 + (i % 5) * 15);
    await page.mouse.up();
    await screenshot(page, "991-signature-en");
    await form.getByRole("button", { name: en["capture.done"] }).click();
    await expect(form.getByText(/Ready to save: Picture, \d+ KB/)).toBeVisible();
    await expect(form.getByLabel(en["attachment_kind.consent"], { exact: true })).toBeChecked();
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();
    await expect(syncBadge(page)).toHaveText(/1 case, 3 files/);
    // Beside her consent on the case's details, with who took it.
    const consent = page.locator(".consent-file");
    await expect(consent.getByText(en["file.consent_kept"])).toBeVisible();
    await expect(consent.getByText(workers.counsellor.display_name).first()).toBeVisible();

    // The voice note plays from the phone.
    const note = fileEntry(page, `${en["attachment_kind.voice_note"]} · What she told us at the camp`);
    await note.getByRole("button", { name: en["file.open"] }).click();
    await expect(page.getByRole("dialog").locator("audio")).toBeVisible();
    await page.getByRole("button", { name: en["file.close"] }).click();

    // A photo of several chunks, whose second chunk's first try is cut off.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    const big = pdfSaying("Court order " + "x".repeat(200_000));
    await form.getByLabel(en["file.choose"]).setInputFiles({ name: "order.pdf", mimeType: "application/pdf", buffer: big });
    await form.getByLabel(en["attachment_kind.court_order"], { exact: true }).check();
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form).toBeHidden();
    const puts = [];
    let cut = false;
    await context.route("**/api/v1/attachments/*/chunks/*", async (route) => {
      const request = route.request();
      if (request.method() === "PUT") {
        puts.push(new URL(request.url()).pathname);
        if (!cut && request.url().endsWith("/chunks/1")) {
          cut = true;
          return route.abort("connectionreset");
        }
      }
      return route.continue();
    });
    await context.setOffline(false);
    const order = fileEntry(page, en["attachment_kind.court_order"]);
    await expect(order.getByText(en["file.sent"], { exact: true })).toBeVisible({ timeout: 60_000 });
    await sent(page);
    expect(cut).toBe(true);
    // Each chunk of the order went once, but the one cut, which went again: never from the start.
    const orderPuts = puts.filter((path) => path.includes(puts.find((p) => p.endsWith("/chunks/3")).split("/chunks/")[0]));
    expect(orderPuts.filter((path) => path.endsWith("/chunks/0"))).toHaveLength(1);
    expect(orderPuts.filter((path) => path.endsWith("/chunks/1"))).toHaveLength(2);
    for (const title of [en["attachment_kind.photo"], en["attachment_kind.consent"]]) {
      await expect(fileEntry(page, title).getByText(en["file.sent"], { exact: true })).toBeVisible();
    }
    await screenshot(page, "991-camp-files-sent-en");

    // What she saved she can correct: the photo was of her ID card.
    await fileEntry(page, en["attachment_kind.photo"]).getByRole("button", { name: en["case.update_entry"] }).click();
    const update = page.getByRole("form", { name: en["case.update_heading"] });
    await update.getByLabel(en["attachment_kind.id"], { exact: true }).check();
    await update.getByLabel(en["field.caption"], { exact: true }).fill("Her Aadhaar card");
    await update.getByRole("button", { name: en["case.save_entry"] }).click();
    const card = fileEntry(page, `${en["attachment_kind.id"]} · Her Aadhaar card`);
    await expect(card).toBeVisible();
    await expect(card.getByText(en["case.changed_by"].replace("{who}", ""))).toBeVisible();
    expect(phone.problems).toEqual([]);
  } finally {
    await phone.close();
  }
});
