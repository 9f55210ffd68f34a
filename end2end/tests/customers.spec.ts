import { expect, test } from "@playwright/test";
import { createCustomer, hydrated, signIn, signOut } from "./helpers";

test("an agent finds a customer by phone and email written differently, and opens them from the keyboard", async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const ruth = await createCustomer(request);

  await signIn(page, "agent");
  await hydrated(page);
  const box = page.getByRole("searchbox", { name: /Name, email, phone/ });
  // Nothing typed yet: everyone, most recently active first.
  await expect(page.locator(".result-count")).toContainText("· everyone");

  // The phone was sent as "(916) 555-…": found written with dots and a country code.
  const [a, b, c] = [ruth.phoneDigits.slice(0, 3), ruth.phoneDigits.slice(3, 6), ruth.phoneDigits.slice(6)];
  await box.fill(`+1 ${a}.${b}.${c}`);
  const results = page.locator(".results .result");
  await expect(results).toHaveCount(1);
  await expect(results.first().locator(".name")).toHaveText(ruth.name);
  await expect(results.first().locator(".masked").first()).toContainText("***");
  await expect(results.first().getByRole("img", { name: "SMS" })).toBeVisible();
  await expect(results.first().locator(".last-seen")).toHaveText("3 days ago");
  await expect(page).toHaveURL(/\/customers\?q=/);

  // The email, in capitals.
  await box.fill(ruth.email.toUpperCase());
  await expect(results.first().locator(".name")).toHaveText(ruth.name);
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(ruth.email.toUpperCase())}`));

  // Keyboard: down selects the result, Enter opens it.
  await box.press("ArrowDown");
  await expect(results.first()).toHaveClass(/selected/);
  await expect(box).toHaveAttribute("aria-activedescendant", "result-0");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: ruth.name })).toBeVisible();

  // Back returns to the search as it was.
  await page.goBack();
  await expect(box).toHaveValue(ruth.email.toUpperCase());
  await expect(results.first().locator(".name")).toHaveText(ruth.name);

  // Nothing found: a message that helps.
  await box.fill("zzzz-nobody-at-all");
  await expect(page.getByRole("heading", { name: /No customer matches/ })).toBeVisible();

  // The Customers link starts over: the box follows the URL it did not write itself.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(box).toHaveValue("");
  await expect(page.locator(".result-count")).toContainText("· everyone");

  await signOut(page);
  expect(errors).toEqual([]);
});

test("arrow keys move through several results; the search is rendered on the server", async ({ page }) => {
  await signIn(page, "agent", "/customers?q=smith");
  await hydrated(page);
  const results = page.locator(".results .result");
  expect(await results.count()).toBeGreaterThan(2);
  const box = page.getByRole("searchbox", { name: /Name, email, phone/ });
  await box.focus();
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  await box.press("ArrowUp");
  await expect(results.nth(1)).toHaveClass(/selected/);
  await expect(page.locator(".result.selected")).toHaveCount(1);
  await page.screenshot({ path: "../docs/screenshots/customers.png", fullPage: true });

  const name = await results.nth(1).locator(".name").innerText();
  await box.press("Enter");
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
});
