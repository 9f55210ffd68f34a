import { expect, test } from "@playwright/test";
import { hydrated, signIn, spine } from "./helpers";

/// An admin sweeps the stored profiles from the review page: a person who wrote twice with a
/// slip in the name and the email (two profiles: nothing exact linked them) becomes a review
/// item while the page follows the sweep, and nothing is merged.
test("an admin sweeps stored profiles for duplicates and reviews what it found", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const key = spine("api-key", "create", "--tenant", "demo", "--name", `sweep-${suffix}`).trim().split("\n").pop() ?? "";
  expect(key).toMatch(/^spk_/);
  const post = async (identifiers: object, minutes: number) => {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        channel: "email", direction: "inbound", kind: "message", body: "Where is my order?",
        occurred_at: new Date(Date.now() - (120 - minutes) * 60_000).toISOString(),
        identifiers,
      },
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
    return response.json();
  };
  // A family name of this run's own, so earlier runs' pairs on the same database do not count.
  const family = "Marl" + suffix.replace(/\d/g, (d) => "abcdefghij"[Number(d)]);
  const first = await post({ name: `Quintessa ${family}`, email: `quintessa.${family.toLowerCase()}${suffix}@example.com`, phone: `+1 415 555 ${suffix.slice(1)}` }, 0);
  const second = await post({ name: `Quintesa ${family}`, email: `quintesas.${family.toLowerCase()}${suffix}@example.com` }, 1);
  expect(second.customer_id).not.toBe(first.customer_id);

  await signIn(page, "admin", "/review");
  await hydrated(page);
  const panel = page.getByRole("region", { name: "Look for duplicates" });
  await expect(panel).toBeVisible();
  await panel.getByRole("button", { name: "Sweep stored profiles" }).click();
  // The page follows the sweep without a reload and says what it found.
  await expect(panel.locator(".sweep-summary")).toContainText(/Compared \d+ profiles and found \d+ likely duplicates?: [1-9]\d* added to the queue/, { timeout: 60_000 });
  await expect(panel.getByRole("button", { name: "Sweep stored profiles" })).toBeEnabled();
  await expect(panel.locator(".error")).toHaveCount(0);
  const row = page.locator(".review-list .review-row", { hasText: family });
  await expect(row).toHaveCount(1);
  // The row says why in one sentence; the kind of item is its title.
  await expect(row.locator(".reason")).toHaveText("Same family name; first name and email alike.");
  await expect(row.locator(".reason")).toHaveAttribute("title", /found by a sweep of stored profiles/);
  await page.screenshot({ path: "../docs/screenshots/review-sweep.png", fullPage: false });

  // The item reads like any other: both profiles side by side, the engine's reasons.
  await row.click();
  await expect(page).toHaveURL(/\/review\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: `Quintessa ${family} and Quintesa ${family}` })).toBeVisible();
  await expect(page.locator(".explain-table")).toContainText("email");
  await expect(page.locator("p.why")).toHaveText("Same family name; first name and email alike.");
  await expect(page.locator('tr[data-field="given_name"] .agreement')).toHaveText("alike");

  // A second sweep finds it again and does not queue it twice; nothing was merged.
  await page.goto("/review");
  await hydrated(page);
  await panel.getByRole("button", { name: "Sweep stored profiles" }).click();
  await expect(panel.locator(".sweep-summary")).toContainText(/0 added to the queue, [1-9]\d* already waiting/, { timeout: 60_000 });
  await expect(page.locator(".review-list .review-row", { hasText: family })).toHaveCount(1);
  const profile = await request.get(`/api/v1/customers/${second.customer_id}`, { headers: { Authorization: `Bearer ${key}` } });
  expect(profile.status()).toBe(200);
  expect(errors).toEqual([]);
});

test("agents and managers cannot start a sweep", async ({ page }) => {
  await signIn(page, "agent", "/customers");
  const response = await page.request.post("/api/start_sweep", { form: { csrf: "x" } });
  expect([401, 403]).toContain(response.status());
});
