// Manual merge from a customer page: an admin finds another profile with the page's "Merge with
// another profile" box, checks the two side by side, keeps the other's name and merges; an agent
// sees no merge box and is refused the merge page.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { hydrated, signIn, spine } from "./helpers";

function apiKey(): string {
  const name = `e2e-merge-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const key = spine("api-key", "create", "--tenant", "demo", "--name", name).trim().split("\n").pop() ?? "";
  expect(key).toMatch(/^spk_/);
  return key;
}

/// One message from a new person; returns their profile's id.
async function person(request: APIRequestContext, key: string, channel: string, body: string, identifiers: object) {
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      channel,
      direction: "inbound",
      kind: "message",
      occurred_at: new Date(Date.now() - 2 * 3600 * 1000).toISOString(),
      body,
      external_id: `merge-${channel}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      identifiers,
    },
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()).customer_id as string;
}

/// Two profiles of (presumably) one person that share no identifier.
async function pair(request: APIRequestContext) {
  const key = apiKey();
  const suffix = `${Date.now() % 100000}${Math.floor(Math.random() * 1000)}`;
  const a = { name: "Tamsin Achterberg", email: `tamsin.${suffix}@example.com`, body: `SMS from A ${suffix}` };
  const b = { name: "Tamsin Achterberg-Lowe", email: `t.lowe.${suffix}@work.example.org`, body: `Webchat from B ${suffix}` };
  const aId = await person(request, key, "sms", a.body, { email: a.email, name: a.name });
  const bId = await person(request, key, "webchat", b.body, { email: b.email, name: b.name });
  expect(bId).not.toEqual(aId);
  return { a: { ...a, id: aId }, b: { ...b, id: bId } };
}

test("an admin merges another profile found from the customer page", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const { a, b } = await pair(request);

  await signIn(page, "admin", `/customers/${a.id}`);
  await expect(page.getByRole("heading", { name: a.name, level: 1, exact: true })).toBeVisible();
  await hydrated(page);
  const box = page.getByRole("region", { name: "Merge with another profile" });
  await expect(box).toBeVisible();

  // The profile itself is never offered.
  await box.getByRole("searchbox").fill(a.email);
  await box.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/merge_q=/);
  await expect(box).toContainText("No other profile matches.");

  await box.getByRole("searchbox").fill(b.email);
  await box.getByRole("button", { name: "Find" }).click();
  await expect(box.getByRole("searchbox")).toHaveValue(b.email);
  const result = box.locator(".merge-candidate").filter({ hasText: b.name });
  await expect(result).toHaveCount(1);
  await result.getByRole("link", { name: "Compare and merge" }).click();

  // Side by side; B's name is chosen to survive.
  await expect(page).toHaveURL(new RegExp(`/customers/${a.id}/merge/${b.id}$`));
  await expect(page.getByRole("heading", { name: "Merge two customers" })).toBeVisible();
  const table = page.locator(".merge-table");
  await expect(table.getByRole("link", { name: a.name, exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: b.name, exact: true })).toBeVisible();
  await expect(table).toContainText(a.email);
  await expect(table).toContainText(b.email);
  await hydrated(page);
  await page.locator('tr[data-field="display_name"] input[value="absorbed"]').check();
  await page.getByRole("button", { name: "Merge", exact: true }).click();

  // A now holds B's timeline, under B's name, and the merge is in its history.
  await expect(page).toHaveURL(new RegExp(`/customers/${a.id}$`));
  await expect(page.getByRole("heading", { name: b.name, level: 1, exact: true })).toBeVisible();
  await expect(page.locator(".timeline .entry").filter({ hasText: b.body })).toHaveCount(1);
  await expect(page.locator(".timeline .entry").filter({ hasText: a.body })).toHaveCount(1);
  const history = page.getByRole("region", { name: "Merge history" });
  await expect(history).toContainText("Absorbed");
  await expect(history.locator(`a[href="/customers/${b.id}"]`)).toBeVisible();
  await expect(history.getByRole("button", { name: "Undo merge" })).toBeVisible();

  // B's page says where it went, and offers no further merge.
  await page.goto(`/customers/${b.id}`);
  await expect(page.locator(".notice")).toContainText("This profile was merged into");
  await expect(page.locator(".notice").locator(`a[href="/customers/${a.id}"]`)).toBeVisible();
  await expect(page.getByRole("region", { name: "Merge with another profile" })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an agent has no merge box and is refused the merge page", async ({ page, request }) => {
  const { a, b } = await pair(request);
  await signIn(page, "agent", `/customers/${a.id}`);
  await expect(page.getByRole("heading", { name: a.name, level: 1, exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Merge with another profile" })).toHaveCount(0);

  // The search parameter asks for nothing an agent may not see.
  await page.goto(`/customers/${a.id}?merge_q=${encodeURIComponent(b.email)}`);
  await expect(page.getByRole("heading", { name: a.name, level: 1, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Compare and merge" })).toHaveCount(0);

  await page.goto(`/customers/${a.id}/merge/${b.id}`);
  await expect(page.locator(".merge-panel [role=alert]")).toHaveText("You are not allowed to do that.");
  await expect(page.getByRole("button", { name: "Merge", exact: true })).toHaveCount(0);
  await expect(page.locator(".merge-table")).toHaveCount(0);
});
