// Browser tests against the real `spine` binary: a fresh database seeded with the demo data (a
// SQLite file, or the PostgreSQL databases in E2E_DATABASE_URL and E2E_TENANTS_DATABASE_URL), on
// a free port, driven in Debian's Chromium (Playwright's own browser download cannot work on our
// machines).
import { defineConfig } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// Chosen once in the main process; workers inherit the environment.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = String(20000 + Math.floor(Math.random() * 30000));
}
if (!process.env.E2E_DB_DIR) {
  process.env.E2E_DB_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "spine-e2e-"));
}
const port = Number(process.env.E2E_PORT);
// A second deployment serving two tenants by host name (`demo.spine.localhost`,
// `acme.spine.localhost`: browsers resolve *.localhost to this machine).
if (!process.env.E2E_TENANTS_PORT) {
  process.env.E2E_TENANTS_PORT = String(port + 1);
}
const tenantsPort = Number(process.env.E2E_TENANTS_PORT);
const root = path.resolve(__dirname, "..");
const binary = process.env.SPINE_BIN ?? path.join(root, "target", "debug", "spine");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 860 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [{
    command: `${binary} serve --seed-demo --addr 127.0.0.1:${port} --mail-dir ${path.join(process.env.E2E_DB_DIR, "mail")}`,
    cwd: root,
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? `sqlite://${path.join(process.env.E2E_DB_DIR, "e2e.db")}`,
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      SPINE_LOG: "warn",
    },
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  }, {
    command: `sh -c '${binary} seed --demo && ${binary} tenant create --slug acme --name "Acme Bakery" && echo acme-admin-password | ${binary} user create --tenant acme --email owner@acme.example --name "Olive Owner" --role admin && exec ${binary} serve --base-domain spine.localhost --addr 127.0.0.1:${tenantsPort}'`,
    cwd: root,
    env: {
      DATABASE_URL: process.env.E2E_TENANTS_DATABASE_URL ?? `sqlite://${path.join(process.env.E2E_DB_DIR, "tenants.db")}`,
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      SPINE_LOG: "warn",
    },
    url: `http://127.0.0.1:${tenantsPort}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  }],
});
