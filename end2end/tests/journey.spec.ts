// The admin's whole journey through one ambiguous case: the review item is merged from its page,
// the surviving profile's timeline holds both profiles' entries, the merge is undone from the
// customer page, and each profile has its own entries again.
import { expect, test } from "@playwright/test";
import { hydrated, signIn, spine } from "./helpers";

test("an admin merges a review item, sees the timelines combined, undoes it and sees them apart", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const key = spine("api-key", "create", "--tenant", "demo", "--name", `journey-${suffix}`).trim().split("\n").pop() ?? "";
  const post = async (channel: string, body: string, identifiers: object, minutesAgo: number) => {
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        channel, direction: "inbound", kind: "message", body,
        occurred_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
        identifiers,
      },
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
    return response.json();
  };
  const email = `quintus.marlowe${suffix}@gmail.com`;
  const phone = `+1 312 555 ${suffix.slice(1)}`;
  const byEmail = await post("email", `Email from Quintus ${suffix}`, { email, name: "Quintus Marlowe" }, 30);
  await post("sms", `SMS from Quintus ${suffix}`, { phone, name: "Quintus Marlow" }, 20);
  const both = await post("webchat", `Chat with both ${suffix}`, { email, phone, name: "Q Marlowe" }, 10);
  expect(both.decision).toBe("ambiguous");
  expect(both.review_item_id).toBeTruthy();

  await signIn(page, "admin", `/review/${both.review_item_id}`);
  await hydrated(page);
  await expect(page.locator(".merge-table")).toBeVisible();
  await page.getByRole("button", { name: /^Merge/ }).click();
  await expect(page).not.toHaveURL(new RegExp(both.review_item_id));

  // The older profile stays: its timeline now holds the chat that waited for review.
  await page.goto(`/customers/${byEmail.customer_id}`);
  const timeline = page.locator(".timeline");
  await expect(timeline).toContainText(`Email from Quintus ${suffix}`);
  await expect(timeline).toContainText(`Chat with both ${suffix}`);
  const history = page.getByRole("region", { name: "Merge history" });
  await expect(history).toContainText("Absorbed");

  await hydrated(page);
  await history.getByRole("button", { name: "Undo merge" }).click();
  await expect(history).toContainText("Undone");
  await expect(timeline).not.toContainText(`Chat with both ${suffix}`);
  await expect(timeline).toContainText(`Email from Quintus ${suffix}`);

  // The profile the chat was stored on has it back.
  await page.goto(`/customers/${both.customer_id}`);
  await expect(page.locator(".timeline")).toContainText(`Chat with both ${suffix}`);
  await expect(page.locator(".timeline")).not.toContainText(`Email from Quintus ${suffix}`);
  expect(errors).toEqual([]);
});
