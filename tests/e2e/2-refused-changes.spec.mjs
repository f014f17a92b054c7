// Changes the server refuses stay on the phone and are shown to the worker with the reason.
import { expect, test } from "@playwright/test";
import { gunzipSync } from "node:zlib";
import { workers } from "./accounts.mjs";
import { en, hi, hindi, inLanguage, logIn, openDevice, registerCase, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;

test("changes the server refuses are kept and shown with its reason, the rest are sent", async () => {
  const phone = await openDevice("refused", url);
  const { page } = phone;
  // The real server accepts every change this app makes; a server of another version might not.
  // This one refuses the phone number and passes everything else on to the real server.
  let gzipped = 0;
  await page.route("**/api/v1/sync/push", async (route) => {
    // Pushes go gzipped, as on 2G every byte counts.
    const headers = { ...route.request().headers() };
    if (headers["content-encoding"] === "gzip") gzipped++;
    delete headers["content-encoding"];
    const request = JSON.parse(gunzipSync(route.request().postDataBuffer()).toString("utf8"));
    // The village change as if the case had been given to another worker meanwhile.
    const refusedFields = ["phone", "village"];
    const phoneChanges = request.changes.filter((change) => refusedFields.includes(change.field));
    const rest = { ...request, changes: request.changes.filter((c) => !refusedFields.includes(c.field)) };
    const answer = await route.fetch({ headers, postData: JSON.stringify(rest) });
    const body = await answer.json();
    body.refused = [
      ...(body.refused ?? []),
      ...phoneChanges.map((change) =>
        change.field === "phone"
          ? { change: change.id, code: "not_a_phone", reason: "phone is not a phone number" }
          : { change: change.id, code: "out_of_scope", reason: `record ${change.record} is neither yours nor assigned to you` },
      ),
    ];
    await route.fulfill({ response: answer, json: body });
  });

  await logIn(page, workers.counsellor);
  const lata = {
    name: "Lata",
    age: 29,
    phone: "99887 66554",
    village: "Bhimpur",
    violence: ["Physical violence"],
    description: "Came with her sister.",
  };
  await registerCase(page, lata);
  await expect(syncBadge(page)).toHaveText(/All sent/);
  const refused = page.getByRole("region", { name: "Refused by the server" });
  await expect(refused).toBeVisible();
  await expect(refused).toContainText("phone is not a phone number");
  // A reason Sakhi knows is said in her words, not the server's.
  await expect(refused).toContainText(en["refused.not_yours"]);
  expect(gzipped).toBeGreaterThan(0);

  // Still there after a restart, and in Hindi too.
  await page.reload();
  await unlock(page, workers.counsellor);
  await expect(refused).toContainText("phone is not a phone number");
  await inLanguage(page, "hi");
  await expect(page.getByRole("region", { name: hindi("Refused by the server") })).toContainText(hi["refused.not_yours"]);
  expect(phone.problems).toEqual([]);
  await phone.close();
});
