// One deployment, two businesses: each tenant's console is at its own host name, and a staff
// session of one is refused on the other's pages, even when its cookie is carried over.
import { expect, test } from "@playwright/test";
import { STAFF, hydrated } from "./helpers";

const port = process.env.E2E_TENANTS_PORT;
const demo = `http://demo.spine.localhost:${port}`;
const acme = `http://acme.spine.localhost:${port}`;

test("a staff session of one tenant is refused on another tenant's pages", async ({ page, context }) => {
  // Demo's admin signs in to demo's console.
  await page.goto(`${demo}/customers?q=smith`);
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel("Email").fill(STAFF.admin.email);
  await page.getByLabel("Password").fill(STAFF.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".who-name")).toHaveText(STAFF.admin.name);
  await expect(page.locator(".results .result").first()).toBeVisible();

  // Acme's pages ask for Acme's sign-in: the browser keeps the cookie to demo's host.
  await page.goto(`${acme}/customers`);
  await expect(page).toHaveURL(new RegExp(`^${acme}/login`));

  // Carried over by hand, demo's session still opens nothing at Acme.
  const session = (await context.cookies(demo)).find((c) => c.name === "spine_session");
  expect(session).toBeTruthy();
  await context.addCookies([{ name: "spine_session", value: session!.value, domain: "acme.spine.localhost", path: "/" }]);
  await page.goto(`${acme}/customers`);
  await expect(page).toHaveURL(new RegExp(`^${acme}/login`));
  await hydrated(page);
  // And demo's password is not an Acme account.
  await page.getByLabel("Email").fill(STAFF.admin.email);
  await page.getByLabel("Password").fill(STAFF.admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");

  // Acme's own admin signs in and sees Acme's customers only: none yet.
  await page.getByLabel("Email").fill("owner@acme.example");
  await page.getByLabel("Password").fill("acme-admin-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".who-name")).toHaveText("Olive Owner");
  // The console says whose it is.
  await expect(page.locator(".who-tenant")).toHaveText("Acme Bakery");
  await page.goto(`${acme}/customers?q=smith`);
  await expect(page.getByRole("heading", { name: /No customer matches/ })).toBeVisible();
  await page.screenshot({ path: "../docs/screenshots/tenant-acme.png" });

  // A host under the base domain that no tenant has is not served as anyone's. (The browser
  // asks: it resolves every *.localhost name to this machine, where Node's resolver does not.)
  const nobody = await page.goto(`http://nobody.spine.localhost:${port}/login`);
  expect(nobody?.status()).toBe(404);
  // Nor is a name outside the deployment's domain (here its bare address).
  const other = await page.request.get(`http://127.0.0.1:${port}/login`);
  expect(other.status()).toBe(421);
});
