// Shared steps for the browser tests: signing in as a demo staff member, and making a customer
// whose identifiers the tests know (through the real API, with a key from the real CLI).
import { expect, type Page, type APIRequestContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const STAFF = {
  admin: { email: "admin@demo.spine.local", password: "demo-admin-password", name: "Ada Admin" },
  manager: { email: "manager@demo.spine.local", password: "demo-manager-password", name: "Max Manager" },
  agent: { email: "agent@demo.spine.local", password: "demo-agent-password", name: "Alex Agent" },
};
export type Role = keyof typeof STAFF;

/// Waits until the WASM has attached its handlers (clicks before that would be lost).
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached", timeout: 20_000 });
}

/// Signs in through the form on /login (reached by asking for `target`).
export async function signIn(page: Page, role: Role, target = "/customers") {
  await page.goto(target);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Email").fill(STAFF[role].email);
  await page.getByLabel("Password").fill(STAFF[role].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".who-name")).toHaveText(STAFF[role].name);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to Spine" })).toBeVisible();
}

/// The newest sign-in code Spine sent: read from the development mail folder (`--mail-dir`),
/// as a developer without SMTP would. Pages and logs never show codes.
export async function newestCode(to: string): Promise<string> {
  const dir = path.join(process.env.E2E_DB_DIR ?? "", "mail");
  let found = "";
  await expect
    .poll(
      () => {
        const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
        for (const file of files.reverse()) {
          const text = fs.readFileSync(path.join(dir, file), "utf8");
          if (text.toLowerCase().includes(`to: ${to.toLowerCase()}`) && text.includes("sign-in code")) {
            found = text.match(/\b(\d{6})\b/)?.[1] ?? "";
            return found;
          }
        }
        return "";
      },
      { timeout: 10_000 },
    )
    .toMatch(/^\d{6}$/);
  return found;
}

/// The test server's database: a fresh SQLite file, or the PostgreSQL database the test command
/// made for this run (`E2E_DATABASE_URL`).
export function databaseUrl(): string {
  return process.env.E2E_DATABASE_URL ?? `sqlite://${path.join(process.env.E2E_DB_DIR ?? "", "e2e.db")}`;
}

/// Runs the `spine` CLI on the test server's database.
export function spine(...args: string[]): string {
  const root = path.resolve(__dirname, "..", "..");
  const binary = process.env.SPINE_BIN ?? path.join(root, "target", "debug", "spine");
  return execFileSync(binary, args, {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      SPINE_LOG: "warn",
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/// A new API key of the demo tenant, made with the CLI.
export function apiKey(prefix = "e2e"): string {
  const name = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const key = spine("api-key", "create", "--tenant", "demo", "--name", name).trim().split("\n").pop() ?? "";
  expect(key).toMatch(/^spk_/);
  return key;
}

/// Sends one event through the API; the profile it landed on.
export async function sendEvent(request: APIRequestContext, key: string, event: object): Promise<string> {
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${key}` },
    data: event,
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()).customer_id;
}

/// Ingests an SMS and an email from a new person through the API, and returns what the tests
/// search by.
export async function createCustomer(request: APIRequestContext) {
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const key = spine("api-key", "create", "--tenant", "demo", "--name", `e2e-${suffix}`).trim().split("\n").pop() ?? "";
  expect(key).toMatch(/^spk_/);
  const customer = {
    name: "Ruth Quillfeather",
    email: `Ruth.Quillfeather${suffix}@example.com`,
    // Stored as E.164 (+1916555xxxx); the tests search it written another way.
    phone: `(916) 555-${suffix.slice(1)}`,
    phoneDigits: `916555${suffix.slice(1)}`,
  };
  // The shop's integration knows both messages are from its customer: the number an SMS came
  // from and the address an email came from are each the channel's word, tied by that id.
  const external = { provider: "e2e-shop", id: `c-${suffix}` };
  const send = async (data: object) => {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data,
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
  };
  await send({
    channel: "sms",
    direction: "inbound",
    kind: "message",
    occurred_at: new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString(),
    body: "Hi, is my order on its way?",
    external_id: `e2e-${suffix}`,
    identifiers: { phone: customer.phone, name: customer.name, external },
  });
  await send({
    channel: "email",
    direction: "inbound",
    kind: "message",
    occurred_at: new Date(Date.now() - 3 * 24 * 3600 * 1000 - 60_000).toISOString(),
    body: "Following up by email.",
    external_id: `e2e-mail-${suffix}`,
    identifiers: { email: customer.email, external },
  });
  return customer;
}
