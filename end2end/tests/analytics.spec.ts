import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { hydrated, signIn } from "./helpers";

test("a manager reads the analytics, narrows to 7 days, hovers a bar and downloads its CSV", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await signIn(page, "manager");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
  await expect(page).toHaveURL(/\/analytics$/);
  await expect(page.getByRole("heading", { name: "Analytics", level: 1 })).toBeVisible();

  // The demo's channels, in the legend, with a non-zero total.
  const channels = page.locator("figure#channels");
  await expect(channels.locator("figcaption")).toContainText("Interactions by channel");
  await expect(channels.locator(".chart-legend")).toContainText(/SMS|Email|WhatsApp/);
  const interactions = page.locator(".kpi", { hasText: "Interactions" }).locator(".kpi-value");
  await expect(interactions).not.toHaveText("0");
  await expect(page.locator("svg[role=img]").first()).toHaveAttribute("aria-label", /in total/);
  await expect(page.locator(".kpi", { hasText: "Active profiles" })).toContainText(/as of \d\d:\d\d UTC/);
  await expect(page.locator("figure#lifecycle")).toContainText("Prospect");
  // Each chart's subtitle says how much it counts.
  await expect(page.locator("figure#channels .chart-note")).toHaveText(/^\d[\d,]* interactions$/);
  await expect(page.locator("figure#completeness .chart-note")).toHaveText(/^\d[\d,]* profiles, as of /);
  // Stages side by side with how many profiles they count, not a funnel: churned is no step.
  await expect(page.locator("figure#lifecycle")).toContainText("Profiles by lifecycle stage");
  await expect(page.locator("figure#lifecycle")).toContainText(/\d[\d,]* profiles, as of/);
  // What the demo's conversations are about, read from their text.
  const topics = page.locator("figure#topics");
  await expect(topics.locator("figcaption")).toContainText("What conversations are about");
  await expect(topics.locator(".bar-label").first()).toBeVisible();
  await expect(topics.locator(".chart-data")).toContainText(/refund|delivery|order_status/);
  await page.screenshot({ path: "../docs/screenshots/analytics.png", fullPage: true });

  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByRole("link", { name: "7 days" })).toHaveClass(/active/);
  await expect(channels.locator(".chart-data tbody tr")).toHaveCount(7);

  // Hovering a bar shows what it counts.
  const bar = channels.locator("rect.mark").first();
  await bar.hover();
  const tip = channels.locator(".chart-tip");
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(/· .+: \d/);
  await page.mouse.move(0, 0);
  await expect(tip).toHaveCount(0);

  // The CSV is exactly this chart for this range.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    channels.getByRole("link", { name: /Download .* as CSV/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^channels-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split(/\r?\n/);
  expect(csv[0]).toBe("day,sms,email,whatsapp,instagram,facebook,webchat,phone,booking,order");
  expect(csv).toHaveLength(8);
  const total = csv.slice(1).flatMap((line) => line.split(",").slice(1)).reduce((sum, n) => sum + Number(n), 0);
  expect(total).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test("an agent sees no Analytics link and a bad range reads as a sentence", async ({ page }) => {
  await signIn(page, "agent");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" })).toHaveCount(0);
  await page.goto("/analytics");
  await expect(page.getByRole("alert")).toContainText("not allowed");
  await signInAgainAsManager(page);
  await page.goto("/analytics?from=2026-03-02&to=2026-03-01");
  await expect(page.getByRole("alert")).toContainText("from must not be after to");
});

async function signInAgainAsManager(page: import("@playwright/test").Page) {
  await page.context().clearCookies();
  await signIn(page, "manager", "/customers");
}
