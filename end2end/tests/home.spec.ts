import { expect, test } from "@playwright/test";

// The home page renders on the server, hydrates, and its search works as you type.
test("home page renders on the server with the demo counts", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  // Server-rendered: the counts are in the HTML before any script runs.
  expect(html).toContain("One person, one profile");
  expect(html).toMatch(/data-stat="Customers"[^>]*>\s*\d+/);
  expect(html).toContain("/pkg/spine.js");
});

test("home page hydrates: quick search answers as you type", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "One person, one profile" })).toBeVisible();
  const customers = Number(await page.locator('[data-stat="Customers"]').innerText());
  expect(customers).toBeGreaterThan(100);

  // Wait for hydration: the WASM module has attached handlers once this resolves.
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached", timeout: 20_000 });

  const box = page.getByRole("searchbox", { name: "Name, email or phone" });
  await box.fill("smith");
  const results = page.locator(".results .result");
  await expect(results.first()).toBeVisible();
  await expect(results.first().locator(".name")).toContainText(/smith/i);

  await box.fill("zzzz-nobody");
  await expect(page.getByRole("status")).toContainText("No customer matches");

  await box.fill("smith");
  await expect(results.first()).toBeVisible();
  await page.screenshot({ path: "../docs/screenshots/home.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("unknown pages answer 404 with a helpful page", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
