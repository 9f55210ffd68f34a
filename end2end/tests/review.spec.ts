import { expect, test, type APIRequestContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { databaseUrl, hydrated, signIn } from "./helpers";

/// An email-only profile, a phone-only profile, then a booking carrying both: an ambiguous match
/// that waits in the review queue. Returns the two names.
async function ambiguousPair(request: APIRequestContext, family = "Oakes") {
  const root = path.resolve(__dirname, "..", "..");
  const binary = process.env.SPINE_BIN ?? path.join(root, "target", "debug", "spine");
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const key = execFileSync(binary, ["api-key", "create", "--tenant", "demo", "--name", `review-${suffix}`], {
    env: { ...process.env, DATABASE_URL: databaseUrl(), SPINE_LOG: "warn" },
    encoding: "utf8",
  }).trim().split("\n").pop();
  const post = async (identifiers: object, minutes: number) => {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        channel: "webchat", direction: "inbound", kind: "message", body: "hello",
        occurred_at: new Date(Date.now() - (120 - minutes) * 60_000).toISOString(),
        identifiers,
      },
    });
    expect(response.status()).toBeLessThan(300);
    return response.json();
  };
  const email = `zephyrine${suffix}@gmail.com`;
  const phone = `+1 305 555 ${suffix.slice(1)}`;
  await post({ email, name: `Zephyrine ${family}` }, 0);
  await post({ phone, name: `Zephyrina ${family}` }, 1);
  const conflict = await post({ email, phone, name: `Zeph ${family}` }, 2);
  expect(conflict.decision).toBe("ambiguous");
  return { a: `Zephyrine ${family}`, b: `Zephyrina ${family}`, key };
}

/// The profiles a name search finds whose display name is exactly `name`.
async function named(request: APIRequestContext, key: string | undefined, name: string) {
  const response = await request.get(`/api/v1/customers?q=${encodeURIComponent(name)}`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(response.status()).toBe(200);
  const found: { id: string; display_name: string | null }[] = await response.json();
  return found.filter((c) => c.display_name === name).map((c) => c.id);
}

test("an admin works the review queue from the keyboard: merge with a chosen value, then reject", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const { key } = await ambiguousPair(request);
  await ambiguousPair(request);

  await signIn(page, "admin", "/review?order=age");
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: /Review/ }).locator(".count-badge")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Review queue" })).toBeVisible();
  const rows = page.locator(".review-list .review-row");
  await expect(rows.first()).toBeVisible();
  await expect(rows.first()).toHaveClass(/selected/);

  // Oldest first: our two pairs are the newest, at the end. Move there with j.
  const count = await rows.count();
  for (let i = 0; i < count - 2; i++) await page.keyboard.press("j");
  await expect(rows.nth(count - 2)).toHaveClass(/selected/);
  await expect(rows.nth(count - 2)).toContainText("Zephyrin");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/review\/[0-9a-f-]{36}$/);
  await expect(page.locator(".merge-table")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Why Spine thinks so" })).toBeVisible();
  await expect(page.locator('tr[data-field="display_name"] .agreement')).toHaveText("alike");
  // Why it waits, in one sentence: each identifier points to another profile.
  await expect(page.locator("p.why")).toHaveText(/^The (email|phone) points to Zephyrin[ae] Oakes; the (phone|email) to Zephyrin[ae] Oakes\.$/);
  await page.screenshot({ path: "../docs/screenshots/review.png", fullPage: true });

  // Keep the absorbed profile's name, then merge with m.
  const chosen = page.locator('tr[data-field="display_name"] td.value').nth(1);
  const chosenName = (await chosen.innerText()).trim();
  await chosen.locator('input[type="radio"]').check();
  const before = await named(request, key, chosenName);
  expect(before.length).toBeGreaterThan(0);
  const itemUrl = page.url();
  await page.keyboard.press("m");
  await expect(page).not.toHaveURL(itemUrl);
  // The survivor took the chosen name: a profile carries it that did not before.
  await expect
    .poll(async () => (await named(request, key, chosenName)).filter((id) => !before.includes(id)).length)
    .toBeGreaterThan(0);

  // The next item: not the same person, with n. (Wait for its own content: while it loads, the
  // page still shows the item just merged.)
  await expect(page).toHaveURL(/\/review\/[0-9a-f-]{36}$/);
  const secondUrl = page.url();
  await expect(page.locator(`[data-item="${secondUrl.split("/").pop()}"] h1`)).toBeVisible();
  await expect(page.locator(".merge-table")).toBeVisible();
  await page.keyboard.press("n");
  await expect(page).not.toHaveURL(secondUrl);

  // The audit log names who merged and who rejected.
  await page.goto("/audit?action=customer.merged");
  await expect(page.locator(".audit-entry").first()).toContainText("admin@demo.spine.local");
  // What changed reads as a table of fields; the record as stored is one click away.
  const merged = page.locator(".audit-entry").first();
  await expect(merged.locator(".audit-changes")).toBeVisible();
  await expect(merged.locator(".audit-raw pre").first()).toBeHidden();
  await merged.getByText("As recorded").click();
  await expect(merged.locator(".audit-raw")).toContainText(`"display_name"`);
  await page.goto("/audit?action=review.rejected");
  await expect(page.locator(".audit-entry").first()).toContainText("admin@demo.spine.local");
  await page.goto("/audit");
  await expect(page.locator(".audit-entry").first()).toBeVisible();
  await page.screenshot({ path: "../docs/screenshots/audit.png", fullPage: false });
  expect(chosenName.length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test("an admin ticks several items and decides them at once", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  // A family name of this run's own: only these items carry it.
  const family = "Quill" + String(Date.now() % 100000).replace(/\d/g, (d) => "abcdefghij"[Number(d)]);
  await ambiguousPair(request, family);
  await ambiguousPair(request, family);

  await signIn(page, "admin", "/review?order=age");
  await hydrated(page);
  const ours = page.locator(".review-list .review-row", { hasText: family });
  await expect.poll(() => ours.count()).toBeGreaterThanOrEqual(2);
  const n = await ours.count();
  // Each row says why it waits: the email points to one profile, the phone to another.
  await expect(ours.first().locator(".reason")).toHaveText(/^The (email|phone) points to Zephyrin[ae] \w+; the (phone|email) to Zephyrin[ae] \w+\.$/);
  const waiting = await page.locator(".review-list .review-row").count();
  const badge = page.getByRole("navigation", { name: "Main" }).locator(".count-badge");
  const pendingBefore = Number(await badge.innerText());

  // All but the last ticked with the mouse, the last from the keyboard (j to it, x).
  for (let i = 0; i < n - 1; i++) await ours.nth(i).locator("input.pick").check();
  const rows = page.locator(".review-list .review-row");
  const index = await rows.evaluateAll((all, name) => all.findLastIndex((r) => r.textContent?.includes(name as string)), family);
  for (let i = 0; i < index; i++) await page.keyboard.press("j");
  await expect(rows.nth(index)).toHaveClass(/selected/);
  await page.keyboard.press("x");
  await expect(ours.nth(n - 1).locator("input.pick")).toBeChecked();
  await page.getByLabel("Ticked items:").selectOption("reject");
  await page.screenshot({ path: "../docs/screenshots/review-queue.png", fullPage: false });
  await page.getByRole("button", { name: "Decide ticked items" }).click();

  await expect(page.locator(".notice")).toHaveText(`${n} items decided.`);
  await expect(ours).toHaveCount(0);
  await expect(page.locator(".review-list .review-row")).toHaveCount(waiting - n);
  // The navigation's count follows without a reload.
  await expect(badge).toHaveText(String(pendingBefore - n));
  await page.goto("/audit?action=review.rejected");
  await expect(page.locator(".audit-entry").first()).toContainText("admin@demo.spine.local");
  expect(errors).toEqual([]);
});
