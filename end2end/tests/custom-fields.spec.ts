import { expect, test } from "@playwright/test";
import { createCustomer, hydrated, signIn, signOut } from "./helpers";

test("an admin defines custom fields, an agent fills them in and finds customers by them", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const ruth = await createCustomer(request);
  const suffix = ruth.email.match(/\d+/)?.[0] ?? "0";
  const tier = `Tier ${suffix}`;
  const tierKey = `tier_${suffix}`;
  const allergies = `Allergies ${suffix}`;

  // The admin defines two fields on /settings: a list and a text.
  await signIn(page, "admin", "/settings");
  await hydrated(page);
  const panel = page.getByRole("region", { name: "Custom fields" });
  await panel.getByLabel("Field name").fill(tier);
  await panel.getByLabel("Holds").selectOption("choice");
  await panel.getByLabel(/Choices/).fill("Bronze, Silver, Gold");
  await panel.getByRole("button", { name: "Create field" }).click();
  await expect(panel.getByRole("cell", { name: tier, exact: true })).toBeVisible();
  await expect(panel.getByRole("cell", { name: tierKey, exact: true })).toBeVisible();
  await panel.getByLabel("Field name").fill(allergies);
  await panel.getByLabel("Holds").selectOption("text");
  await panel.getByRole("button", { name: "Create field" }).click();
  await expect(panel.getByRole("cell", { name: allergies, exact: true })).toBeVisible();
  // A list without choices is refused with a sentence.
  await panel.getByLabel("Field name").fill(`Empty ${suffix}`);
  await panel.getByLabel("Holds").selectOption("choice");
  await panel.getByLabel(/Choices/).fill("");
  await panel.getByRole("button", { name: "Create field" }).click();
  await expect(panel.getByRole("alert")).toContainText("list the values to choose from");
  await signOut(page);

  // The agent fills them in on the customer page.
  await signIn(page, "agent", `/customers?q=${encodeURIComponent(ruth.email)}`);
  await hydrated(page);
  await page.locator(".results .result a").first().click();
  await expect(page.getByRole("heading", { name: ruth.name, level: 1 })).toBeVisible();
  const fields = page.getByRole("region", { name: "Fields" });
  await expect(fields.locator("dt", { hasText: tier })).toBeVisible();
  await fields.getByText("Edit fields").click();
  await fields.getByLabel(tier).selectOption("Gold");
  await fields.getByLabel(allergies).fill("peanuts, sesame");
  await fields.getByRole("button", { name: "Save fields" }).click();
  await expect(fields.locator("dd", { hasText: "Gold" })).toBeVisible();
  await expect(fields.locator("dd", { hasText: "peanuts, sesame" })).toBeVisible();
  await page.screenshot({ path: "../docs/screenshots/customer-fields.png", fullPage: false });

  // The list finds her by the field, through the filter form.
  await page.goto("/customers");
  await hydrated(page);
  await page.locator("details.list-filters summary").click();
  await page.locator("details.list-filters").getByLabel(tier).selectOption("Gold");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`cf\\.${tierKey}=Gold`));
  const rows = page.locator(".results .result");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".name")).toHaveText(ruth.name);
  expect(errors).toEqual([]);
});
