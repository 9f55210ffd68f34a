import { expect, test } from "@playwright/test";
import { STAFF, hydrated, signIn, signOut } from "./helpers";

test("a wrong password shows one readable message and keeps the email", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(STAFF.agent.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel("Email")).toHaveValue(STAFF.agent.email);

  // An unknown email reads exactly the same.
  await page.getByLabel("Email").fill("nobody@demo.spine.local");
  await page.getByLabel("Password").fill(STAFF.agent.password);
  // The message is already there from the first try: wait for this answer.
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/sign_in"));
  await page.getByRole("button", { name: "Sign in" }).click();
  expect((await answer).status()).toBe(401);
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");
  await page.getByLabel("Password").fill("");
  await page.screenshot({ path: "../docs/screenshots/login.png" });
  expect(errors).toEqual([]);
});

test("after sign-in the page that was asked for opens", async ({ page }) => {
  await signIn(page, "agent", "/customers?q=smith");
  await expect(page).toHaveURL(/\/customers\?q=smith$/);
  await expect(page.locator(".results .result").first()).toBeVisible();
});

test("a manager sees no admin sections, and signs out", async ({ page }) => {
  await signIn(page, "manager");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Customers" })).toBeVisible();
  for (const hidden of ["Review", "Settings", "Audit"]) {
    await expect(nav.getByRole("link", { name: hidden })).toHaveCount(0);
  }
  await expect(page.locator(".role-badge")).toHaveText("Manager");
  await signOut(page);
  // The session is gone: pages lead back to sign-in.
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/login\?next=%2Fcustomers$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in, searching and signing out work as plain forms", async ({ page }) => {
    await page.goto("/customers?q=smith");
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByLabel("Email").fill(STAFF.agent.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");

    await page.getByLabel("Email").fill(STAFF.agent.email);
    await page.getByLabel("Password").fill(STAFF.agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/customers\?q=smith$/);
    await expect(page.locator(".results .result").first()).toBeVisible();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/login/);
  });
});
