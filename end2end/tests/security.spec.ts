// Script injection, end to end: markup in every field a customer or a provider controls (a
// name that tries to close the document title, message bodies, source, campaign, order items,
// tags, a note) is shown on every console page that shows it, and nothing of it runs.
import { expect, test, type Page } from "@playwright/test";
import { hydrated, signIn, spine } from "./helpers";

// Each sets a flag if it ever runs; the pages must show them as text.
const IMG = `<img src=x onerror="window.__pwned='img'">`;
const SCRIPT = `<script>window.__pwned='script'</script>`;
const TITLE = `</title><script>window.__pwned='title'</script>`;
const SVG = `<svg onload="window.__pwned='svg'">`;

async function nothingRan(page: Page) {
  await hydrated(page);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  // The markup is text: no element of it made it into the document.
  expect(await page.locator('img[src="x"], svg[onload], script:not([nonce])').count()).toBe(0);
}

test("markup from customers and providers is shown as text and never runs", async ({ page, request }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const key =
    spine("api-key", "create", "--tenant", "demo", "--name", `e2e-xss-${Date.now()}`).trim().split("\n").pop() ?? "";
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const phone = `+1415556${suffix.slice(1)}`;
  const send = async (event: object) => {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data: event,
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
    return (await response.json()) as { customer_id: string };
  };
  const name = `Mallory ${TITLE}`;
  const { customer_id: id } = await send({
    channel: "sms",
    direction: "inbound",
    kind: "message",
    occurred_at: new Date(Date.now() - 3600 * 1000).toISOString(),
    body: `Hello ${IMG} ${SCRIPT} ${SVG}`,
    external_id: `xss-${suffix}`,
    source: `src ${IMG}`.slice(0, 64),
    campaign: `camp ${SVG}`,
    identifiers: { phone, name },
  });
  await send({
    channel: "order",
    direction: "inbound",
    kind: "order",
    occurred_at: new Date(Date.now() - 1800 * 1000).toISOString(),
    external_id: `xss-order-${suffix}`,
    identifiers: { phone },
    order: { provider: "shop", external_id: `X-${suffix}`, total_cents: 1200, items: [{ name: `Cake ${IMG}` }] },
  });
  const tagged = await request.patch(`/api/v1/customers/${id}`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { tags: [`<img src=x onerror=alert(1)>`] },
  });
  expect(tagged.status(), await tagged.text()).toBe(200);

  await signIn(page, "admin", `/customers/${id}`);
  await nothingRan(page);
  // The name reads as written, in the page and in the tab.
  await expect(page.locator("h1")).toContainText("</title>");
  expect(await page.title()).toContain("</title><script>");
  await expect(page.locator(".timeline")).toContainText("onerror");

  await page.locator("#note-body").fill(`note ${IMG} ${SCRIPT}`);
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.locator(".timeline")).toContainText("note <img");
  await nothingRan(page);

  const timeline = await request.get(`/api/v1/customers/${id}/timeline`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  const entries = (await timeline.json()).entries as { thread_id: string | null }[];
  const thread = entries.find((e) => e.thread_id)?.thread_id;
  expect(thread).toBeTruthy();

  for (const path of [
    `/customers?q=${encodeURIComponent("Mallory")}`,
    `/threads/${thread}`,
    "/review",
    "/audit",
    "/analytics?range=7d",
  ]) {
    await page.goto(path);
    await nothingRan(page);
  }
  // The policy that would stop anything that slipped through is on the page.
  const response = await page.goto(`/customers/${id}`);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("script-src 'nonce-");
  expect(policy).toContain("frame-ancestors 'none'");
  await nothingRan(page);
  expect(dialogs).toEqual([]);
});
