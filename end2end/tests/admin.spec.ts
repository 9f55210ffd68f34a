import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an admin creates an API key (shown once) and a user, and both are audited", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const suffix = String(Date.now() % 100000);
  await signIn(page, "admin", "/settings");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();

  await page.getByLabel("Key name").fill(`zapier-${suffix}`);
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.locator(".new-key .secret");
  await expect(secret).toHaveText(/^spk_[0-9a-f]{64}$/);
  await expect(page.getByRole("cell", { name: `zapier-${suffix}`, exact: true })).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill("Nadia New");
  await page.getByLabel("Email").fill(`nadia${suffix}@example.com`);
  await page.getByLabel("Role").selectOption("agent");
  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.getByRole("cell", { name: `nadia${suffix}@example.com`, exact: true })).toBeVisible();

  // A bad threshold reads as a sentence next to the form.
  await page.getByLabel("Review threshold").fill("0.95");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("below the link threshold");
  await page.screenshot({ path: "../docs/screenshots/settings.png", fullPage: true });

  // Shown once: after a reload only the prefix is left.
  await page.reload();
  await expect(page.locator(".new-key")).toHaveCount(0);

  // The conversation windows are checked the same way (nothing is saved).
  await hydrated(page);
  await expect(page.getByLabel("Archive after (days)")).toHaveValue("60");
  await page.getByLabel("Archive after (days)").fill("soon");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("whole number of days");
  await page.getByLabel("Archive after (days)").fill("0.5");
  await page.getByLabel("Reopen within (hours)").fill("48");
  await page.getByLabel("Archive after (days)").fill("1");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("at least the reopen window");
  await page.goto("/audit?action=api_key.created");
  await expect(page.locator(".audit-entry").first()).toContainText(`zapier-${suffix}`);
  await page.goto("/audit?action=staff.created");
  await expect(page.locator(".audit-entry").first()).toContainText(`nadia${suffix}@example.com`);
  expect(errors).toEqual([]);
});

test("an agent sees no Review, Audit or Settings, and is refused at their URLs", async ({ page }) => {
  await signIn(page, "agent");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Customers" })).toBeVisible();
  for (const name of ["Review", "Audit", "Settings"]) {
    await expect(nav.getByRole("link", { name })).toHaveCount(0);
  }
  for (const url of ["/review", "/audit", "/settings"]) {
    await page.goto(url);
    await expect(page.getByRole("alert").first()).toContainText("You are not allowed to do that.");
  }
});
