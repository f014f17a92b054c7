// Sync as a worker sees it when she has Sakhi open in two tabs: one tab sends at a time, and both
// end up saying everything was sent.
import { expect, test } from "@playwright/test";
import { workers } from "./accounts.mjs";
import { logIn, openDevice, registerCase, syncBadge, unlock } from "./phone.mjs";

const url = process.env.SAKHI_URL;

test("two tabs of one worker never send at the same time, and both end up up to date", async () => {
  const phone = await openDevice("two-tabs", url);
  const { context, page } = phone;
  await logIn(page, workers.counsellor);

  // Two cases typed with no signal, and a second tab opened on the same phone.
  await context.setOffline(true);
  for (const name of ["Shanti Bai", "Kusum Lata"]) {
    await registerCase(page, {
      name,
      age: 40,
      phone: "94140 22334",
      village: "Devgarh",
      violence: ["Dowry harassment"],
      description: "Came with her brother.",
    });
  }
  const other = await context.newPage();
  await other.goto("/");
  await unlock(other, workers.counsellor);
  await expect(syncBadge(other)).toContainText("Waiting to send");

  // Every push, with when it started and ended, whichever tab sent it.
  const pushes = [];
  context.on("request", (request) => {
    if (request.url().includes("/api/v1/sync/push")) pushes.push({ request, start: Date.now(), end: Infinity });
  });
  const ended = (request) => {
    const push = pushes.find((p) => p.request === request);
    if (push) push.end = Date.now();
  };
  context.on("requestfinished", ended);
  context.on("requestfailed", ended);

  // A slow link: each push takes a second, long enough for two tabs to overlap if they could.
  await context.route("**/api/v1/sync/push", async (route) => {
    await new Promise((ok) => setTimeout(ok, 1_000));
    await route.continue();
  });

  // Signal returns: both tabs hear it at once, and the worker sees her changes going.
  await context.setOffline(false);
  await expect(syncBadge(page)).toHaveText(/Sending .+…/);
  await expect(syncBadge(page)).toHaveText(/All sent/, { timeout: 30_000 });
  await expect(syncBadge(other)).toHaveText(/All sent/, { timeout: 30_000 });

  expect(pushes.length).toBeGreaterThan(0);
  const sorted = [...pushes].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    expect(sorted[i].start, "a push began while another was still on its way").toBeGreaterThanOrEqual(sorted[i - 1].end);
  }
  expect(phone.problems).toEqual([]);
  await phone.close();
});
