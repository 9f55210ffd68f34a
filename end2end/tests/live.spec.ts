// The live console: an agent keeps a customer page and the customer list open while events
// arrive through the API; both update without a reload, and a note being typed stays.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiKey, hydrated, sendEvent, signIn, signOut } from "./helpers";

test("events sent through the API appear on the open customer page, list and review queue, and the draft note stays", async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const key = apiKey("e2e-live");
  const suffix = `${Date.now() % 1000000}`;
  const name = `Livia Tidewater ${suffix}`;
  const phone = `+1415777${suffix.slice(-4).padStart(4, "0")}`;
  const message = (body: string, id: string, channel = "sms") => ({
    channel,
    direction: "inbound",
    kind: "message",
    occurred_at: new Date().toISOString(),
    body,
    external_id: `${id}-${suffix}`,
    identifiers: { phone, name },
  });
  const id = await sendEvent(request, key, message("Hello, is the shop open on Sunday?", "live-1"));

  await signIn(page, "agent", `/customers/${id}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  const timeline = page.locator(".timeline");
  await expect(timeline.locator(".entry")).toHaveCount(1);
  // The agent starts a note; the customer writes again on WhatsApp meanwhile.
  const draft = "Called back about Sunday opening";
  await page.getByLabel("Add a note").fill(draft);
  await sendEvent(request, key, message("Also, do you deliver to Oakland?", "live-2", "whatsapp"));
  await expect(timeline).toContainText("Also, do you deliver to Oakland?", { timeout: 10_000 });
  await expect(timeline.locator(".entry")).toHaveCount(2);
  await expect(timeline.locator('.entry[data-channel="whatsapp"]')).toBeVisible();
  await expect(page.getByLabel("Add a note")).toHaveValue(draft);

  // The list, open and untouched, shows a newcomer as they write in.
  await page.goto("/customers?sort=created");
  await hydrated(page);
  const newcomer = `Marek Saltmarsh ${suffix}`;
  await expect(page.locator(".results .result .name", { hasText: newcomer })).toHaveCount(0);
  await sendEvent(request, key, {
    ...message("First time here: what are your hours?", "live-3"),
    identifiers: { email: `marek.${suffix}@example.com`, name: newcomer },
  });
  await expect(page.locator(".results .result .name", { hasText: newcomer })).toBeVisible({ timeout: 10_000 });

  // Someone sharing a number with a relative waits in review: the count beside Review moves
  // on an admin's open page.
  await signOut(page);
  await signIn(page, "admin", "/review");
  await hydrated(page);
  const waiting = page.locator(".review-list > li");
  const badge = page.getByRole("navigation", { name: "Main" }).locator(".count-badge");
  const before = (await badge.count()) ? Number(await badge.innerText()) : 0;
  const family = `Fernsby${suffix.replace(/\d/g, (d) => "abcdefghij"[Number(d)])}`;
  const shared = `+1628777${suffix.slice(-4).padStart(4, "0")}`;
  for (const [first, i] of [["John", 4], ["Mary", 5]] as const) {
    await sendEvent(request, key, {
      ...message("Is my table still booked?", `live-${i}`, "whatsapp"),
      identifiers: { phone: shared, name: `${first} ${family}` },
    });
  }
  await expect(badge).toHaveText(String(before + 1), { timeout: 10_000 });
  // The open queue shows the new item too.
  await expect(waiting.filter({ hasText: family })).toHaveCount(1, { timeout: 10_000 });
  expect(errors).toEqual([]);
});
