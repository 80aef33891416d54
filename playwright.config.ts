import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// The started server's data directory, known to specs (and inherited by the
// workers) so they can run `pullgate` CLI commands against the same install.
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `pullgate-e2e-${Date.now().toString(36)}`);

// E2E_BASE_URL points the suite at an already running portal (e.g. `next dev`
// while iterating); otherwise Playwright starts one the way users do.
const externalBaseUrl = process.env.E2E_BASE_URL;
const port = Number(process.env.E2E_PORT || 3100);
const baseURL = externalBaseUrl || `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results",
  reporter: [["list"]],
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: externalBaseUrl
    ? undefined
    : {
        command: "bash e2e/start-server.sh",
        url: `${baseURL}/signin`,
        reuseExistingServer: !process.env.CI,
        // The first start builds the portal when no build exists (minutes on 2 cores).
        timeout: 15 * 60_000,
        stdout: "pipe",
        stderr: "pipe",
        gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
      },
});
