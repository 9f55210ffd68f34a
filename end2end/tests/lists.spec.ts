import { expect, test, type APIRequestContext } from "@playwright/test";
import * as fs from "node:fs";
import { hydrated, signIn, spine, STAFF } from "./helpers";

/// Three new people brought by one campaign (unique to this run), on three channels.
async function campaignPeople(request: APIRequestContext) {
  const suffix = `${Date.now() % 1_000_000}`;
  const key = spine("api-key", "create", "--tenant", "demo", "--name", `e2e-lists-${suffix}`).trim().split("\n").pop() ?? "";
  const campaign = `e2e-spring-${suffix}`;
  const people = [
    { name: "Quenby Lindqvist", email: `quenby${suffix}@example.com`, channel: "whatsapp", phone: `+1415555${suffix.slice(-4)}` },
    { name: "Rosamund Achebe", email: `rosamund${suffix}@example.com`, channel: "email" },
    { name: "Sebastiano Varga", email: `sebastiano${suffix}@example.com`, channel: "sms", phone: `+1415556${suffix.slice(-4)}` },
  ];
  for (const [i, p] of people.entries()) {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        channel: p.channel,
        direction: "inbound",
        kind: "message",
        occurred_at: new Date(Date.now() - (i + 1) * 3600_000).toISOString(),
        body: "Hello from the spring campaign",
        external_id: `e2e-list-${suffix}-${i}`,
        campaign,
        identifiers: { email: p.email, name: p.name, ...(p.phone ? { phone: p.phone } : {}) },
      },
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
  }
  return { campaign, people, key };
}

test("an agent filters the list, saves it as a view, tags it in bulk and exports it", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const { campaign, people, key } = await campaignPeople(request);

  // The list with no filter is everyone, most recently active first.
  await signIn(page, "agent");
  await hydrated(page);
  await expect(page.locator(".result-count")).toContainText("· everyone");
  await expect(page.locator(".results .result").first()).toBeVisible();

  // Narrowed by the campaign (in the URL), then by a channel through the filter form.
  await page.goto(`/customers?campaign=${campaign}`);
  await hydrated(page);
  const rows = page.locator(".results .result");
  await expect(rows).toHaveCount(3);
  await expect(page.locator(".result-count")).toHaveText(`3 customers · campaign ${campaign}`);
  const filters = page.locator("details.list-filters");
  await expect(filters).toHaveAttribute("open", "");
  await filters.getByLabel("WhatsApp").check();
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/channel=whatsapp/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".name")).toHaveText(people[0].name);
  await page.goBack();
  await expect(rows).toHaveCount(3);

  // Saved as a view: it shows among the views with its count, and opens the same list.
  const viewName = `Spring ${campaign.slice(-6)}`;
  await page.getByLabel("Save this list as").fill(viewName);
  await page.getByRole("button", { name: "Save view" }).click();
  const views = page.getByRole("navigation", { name: "Saved views" });
  const chip = views.getByRole("link", { name: new RegExp(viewName) });
  await expect(chip).toBeVisible();
  await expect(chip.locator(".count-badge")).toHaveText("3");
  await page.goto("/customers");
  await hydrated(page);
  // The top navigation lists the person's views with their counts on every page.
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.locator("summary", { hasText: "Views" }).click();
  const navLink = nav.getByRole("link", { name: new RegExp(viewName) });
  await expect(navLink.locator(".count-badge")).toHaveText("3");
  await navLink.click();
  await expect(page).toHaveURL(new RegExp(`campaign=${campaign}`));
  await expect(rows).toHaveCount(3);

  // Bulk: every profile of the list gets a tag.
  const bar = page.locator(".list-bulk");
  await bar.getByLabel("Which customers").selectOption("list");
  await bar.locator("#bulk-action").selectOption("add_tags");
  await bar.getByLabel("Tags").fill("spring-vip");
  await bar.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "3 customers changed." })).toBeVisible();
  await expect(rows.locator(".tag", { hasText: "spring-vip" })).toHaveCount(3);

  // Bulk: one ticked profile's stage.
  await rows.nth(1).locator("input.pick").check();
  await bar.getByLabel("Which customers").selectOption("ticked");
  await bar.locator("#bulk-action").selectOption("set_stage");
  await bar.getByLabel("Stage").selectOption("churned");
  await bar.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status").filter({ hasText: "1 customer changed." })).toBeVisible();
  await expect(rows.locator('.badge.stage[data-stage="churned"]')).toHaveCount(1);

  // The same filters through the API.
  const api = await request.get(`/api/v1/customers?campaign=${campaign}&tag=spring-vip&stage=churned`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(api.status()).toBe(200);
  expect(api.headers()["x-total-count"]).toBe("1");
  expect((await api.json()).length).toBe(1);

  // Export: a background job with progress, then a CSV to download.
  await page.getByRole("button", { name: "Export CSV" }).click();
  const download = page.getByRole("link", { name: "Download CSV" });
  await expect(download).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(".export-panel")).toContainText(`campaign ${campaign} (3 customers)`);
  await page.screenshot({ path: "../docs/screenshots/customers-list.png", fullPage: true });
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  const csv = fs.readFileSync((await file.path()) ?? "", "utf8");
  const lines = csv.trim().split("\n");
  expect(lines[0]).toContain("display_name");
  expect(lines.length).toBe(4);
  for (const p of people) expect(csv).toContain(p.email);

  // Deleting the view.
  await views.getByRole("button", { name: `Delete the view ${viewName}` }).click();
  await expect(views.getByRole("link", { name: new RegExp(viewName) })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a manager reads lists but cannot change or export them", async ({ page, request }) => {
  const { campaign } = await campaignPeople(request);
  await signIn(page, "manager", `/customers?campaign=${campaign}`);
  await hydrated(page);
  await expect(page.locator(".results .result")).toHaveCount(3);
  await expect(page.locator(".list-bulk")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Export CSV" })).toHaveCount(0);
  await expect(page.locator("input.pick")).toHaveCount(0);
  // The server refuses what the page does not offer.
  const response = await page.request.post("/api/export_customers", {
    form: { csrf: "x", query: `campaign=${campaign}` },
  });
  expect(response.status()).toBe(403);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("filters and the next page are plain links and forms", async ({ page, request }) => {
    const { campaign, people } = await campaignPeople(request);
    await page.goto(`/customers?campaign=${campaign}&sort=name`);
    await page.getByLabel("Email").fill(STAFF.agent.email);
    await page.getByLabel("Password").fill(STAFF.agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(new RegExp(`campaign=${campaign}`));
    const rows = page.locator(".results .result");
    await expect(rows).toHaveCount(3);
    // Sorted by name.
    await expect(rows.first().locator(".name")).toHaveText(people[0].name);
    // The filter form is a GET form (open: the list is filtered).
    await page.locator("details.list-filters").getByLabel("Email").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/channel=email/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first().locator(".name")).toHaveText(people[1].name);
  });
});
