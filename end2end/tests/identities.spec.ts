import { expect, test } from "@playwright/test";
import { createCustomer, hydrated, signIn, signOut } from "./helpers";

test("an agent adds an identifier, an admin moves a wrong one to a new profile, and both undo", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const ruth = await createCustomer(request);
  const suffix = ruth.email.match(/\d+/)?.[0] ?? "0";
  const phone = `+1${ruth.phoneDigits}`;
  const extra = `ruth.work${suffix}@example.com`;

  // The agent adds the work address she gave on the phone.
  await signIn(page, "agent", `/customers?q=${encodeURIComponent(ruth.email)}`);
  await hydrated(page);
  await page.locator(".results .result a").first().click();
  await expect(page.getByRole("heading", { name: ruth.name, level: 1 })).toBeVisible();
  const identities = page.getByRole("region", { name: "Identities" });
  await expect(identities.locator("summary", { hasText: "Unlink" })).toHaveCount(0);
  await identities.getByText("Add an identifier").click();
  await identities.getByRole("combobox", { name: "Kind" }).selectOption("email");
  await identities.getByLabel("Identifier", { exact: true }).fill("not an address");
  await identities.getByLabel("Reason", { exact: true }).fill("She gave it on the phone");
  await identities.getByRole("button", { name: "Add identifier" }).click();
  await expect(identities.getByRole("alert")).toContainText("email address has no @");
  // What was typed stays; the address is corrected and added.
  await expect(identities.getByLabel("Reason", { exact: true })).toHaveValue("She gave it on the phone");
  await identities.getByLabel("Identifier", { exact: true }).fill(extra.toUpperCase());
  await identities.getByRole("button", { name: "Add identifier" }).click();
  await expect(identities.getByRole("cell", { name: extra, exact: true })).toBeVisible();
  const row = identities.getByRole("row").filter({ hasText: extra });
  await expect(row.locator("td.assurance")).toContainText("staff");
  const added = identities.locator(".identity-edit").filter({ hasText: extra });
  await expect(added).toContainText("Added");
  await expect(added).toContainText("She gave it on the phone");
  // She spelt it wrong after all: the agent undoes the addition.
  await added.getByRole("button", { name: /Undo: added/ }).click();
  await expect(identities.getByRole("cell", { name: extra, exact: true })).toHaveCount(0);
  await expect(added).toContainText("Undone");
  await signOut(page);

  // The admin moves the phone number, her son's, to a profile of its own.
  await signIn(page, "admin", `/customers?q=${encodeURIComponent(ruth.email)}`);
  await hydrated(page);
  await page.locator(".results .result a").first().click();
  await expect(page.getByRole("heading", { name: ruth.name, level: 1 })).toBeVisible();
  const phoneRow = identities.getByRole("row").filter({ hasText: phone });
  await phoneRow.locator("summary", { hasText: "Unlink" }).click();
  await phoneRow.getByLabel(`Why ${phone} is not this person's`).fill("Her son's number");
  await phoneRow.getByRole("button", { name: "Move it" }).click();
  await expect(identities.getByRole("cell", { name: phone, exact: true })).toHaveCount(0);
  const moved = identities.locator(".identity-edit").filter({ hasText: phone });
  await expect(moved).toContainText("Moved away");
  await page.screenshot({ path: "../docs/screenshots/customer-identities.png", fullPage: false });

  // The new profile holds the number and says where it came from.
  await moved.getByRole("link", { name: "to a new profile" }).click();
  await expect(page.getByRole("heading", { name: "(no name yet)", level: 1 })).toBeVisible();
  await expect(identities.getByRole("cell", { name: phone, exact: true })).toBeVisible();
  await expect(identities.locator(".identity-edit").filter({ hasText: phone })).toContainText("Moved here");
  await page.goBack();
  await hydrated(page);

  // It was hers after all: undo puts it back.
  await identities
    .locator(".identity-edit")
    .filter({ hasText: phone })
    .getByRole("button", { name: /Undo: moved away/ })
    .click();
  await expect(identities.getByRole("cell", { name: phone, exact: true })).toBeVisible();
  expect(errors).toEqual([]);
});
