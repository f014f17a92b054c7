// A woman's paper file in Sakhi: a counsellor, offline, keeps a medical report (PDF) and a photo
// chosen from the phone with her case; both wait on the phone, sealed, and go when the phone is
// online; a second counsellor's phone opens them (downloading each once); quick exit closes the
// viewer at once.
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
  registerCase,
  screenshot,
  sent,
  smallTargets,
  syncBadge,
} from "./phone.mjs";

const url = process.env.SAKHI_URL;

const lakshmi = {
  name: "Lakshmi Bai",
  age: 34,
  phone: "94140 55321",
  village: "Rampura",
  violence: ["Domestic violence"],
  description: "Beaten by her husband; treated at the district hospital.",
};

/** A one-page PDF whose text says `words`. */
export function pdfSaying(words) {
  const stream = `BT /F1 24 Tf 72 720 Td (${words}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A camera-sized JPEG (3000×2000) drawn in the page, with stripes to be recognised. */
export async function photoJpeg(page) {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(3000, 2000);
    const context = canvas.getContext("2d");
    for (let x = 0; x < 3000; x += 100) {
      context.fillStyle = (x / 100) % 2 ? "#1d6fa5" : "#f2c14e";
      context.fillRect(x, 0, 100, 2000);
    }
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.95 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  });
  return Buffer.from(base64, "base64");
}

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
    await page.locator(".cases").getByRole("link", { name: /Lakshmi Bai/ }).click();

    // The medical report, chosen from the phone's files.
    await page.getByRole("button", { name: en["case.add_file"] }).click();
    const form = page.getByRole("form", { name: en["case.add_file"] });
    await screenshot(page, "991-add-file-en");
    // Saving without a file says what is missing.
    await form.getByRole("button", { name: en["case.save_entry"] }).click();
    await expect(form.getByText(en["problem.file_required"])).toBeVisible();
    await expect(form.getByText(en["problem.kind_required"])).toBeVisible();
    const report = pdfSaying("Medico-legal report of Lakshmi Bai");
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
    await expect(pdf.getByText(en["file.sent"])).toBeVisible({ timeout: 30_000 });
    await expect(photo.getByText(en["file.sent"])).toBeVisible({ timeout: 30_000 });
    await screenshot(page, "991-files-sent-en");

    // Another counsellor's phone has the records, and fetches a file when she opens it.
    await logIn(other.page, workers.search);
    await other.page.locator(".cases").getByRole("link", { name: /Lakshmi Bai/ }).click();
    const there = fileEntry(other.page, pdfTitle);
    await expect(there.getByText(en["file.on_server"])).toBeVisible();
    await there.getByRole("button", { name: en["file.open"] }).click();
    const frame = other.page.getByRole("dialog", { name: pdfTitle }).locator("iframe");
    await expect(frame).toBeVisible();
    expect(await frame.getAttribute("src")).toMatch(/^blob:/);
    await screenshot(other.page, "991-viewer-pdf-en");
    // The copy fetched is now on that phone, sealed, and known to be on the server.
    await other.page.getByRole("button", { name: en["file.close"] }).click();
    await expect(there.getByText(en["file.sent"])).toBeVisible();

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
