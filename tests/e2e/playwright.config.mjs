// End-to-end tests: a person's whole path through Sakhi, in headless Chromium at a phone's size.
// `cargo xtask test` starts the real server and sets SAKHI_URL; see README.
import { defineConfig } from "@playwright/test";
import { chromiumArgs, phone } from "./phone.mjs";

if (!process.env.SAKHI_URL) {
  throw new Error("SAKHI_URL is not set: run the end-to-end tests through `cargo xtask test`");
}

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.mjs",
  // Sets the new server up and creates the accounts the tests log in as.
  globalSetup: "./accounts.mjs",
  // One server for the whole run, files in name order: the first checks the register starts empty.
  outputDir: "../../test-results",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.SAKHI_URL,
    ...phone,
    // A control that never appears fails the step at once, with its name, not the whole test later.
    actionTimeout: 15_000,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright never downloads a browser of its own here.
      executablePath: "/usr/bin/chromium",
      args: chromiumArgs,
    },
  },
});
