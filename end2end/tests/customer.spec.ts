// The customer page: an agent reads one person across channels, filters the timeline, adds a
// note and changes stage and tags; a manager reads without edit controls; an admin undoes a merge
// and the absorbed profile's timeline entries go back to it.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiKey, hydrated, sendEvent, signIn } from "./helpers";

type Person = {
  id: string;
  name: string;
  email: string;
  phone: string;
  order: string;
  key: string;
  suffix: string;
};

const daysAgo = (days: number, hours = 0) => new Date(Date.now() - (days * 24 + hours) * 3600 * 1000).toISOString();

/// One person who wrote by SMS, email and WhatsApp, booked a table and ordered.
async function createPerson(request: APIRequestContext, name: string): Promise<Person> {
  const key = apiKey("e2e-customer");
  const suffix = String(Date.now() % 100000).padStart(5, "0");
  const email = `${name.split(" ")[0].toLowerCase()}.${suffix}@example.com`;
  const phone = `(415) 555-${suffix.slice(1)}`;
  const order = `E2E-${suffix}`;
  const base = { direction: "inbound", kind: "message" };
  const id = await sendEvent(request, key, {
    ...base,
    channel: "sms",
    occurred_at: daysAgo(4),
    body: "Hi, do you bake gluten-free bread?",
    external_id: `sms-${suffix}`,
    identifiers: { phone, email, name },
  });
  await sendEvent(request, key, {
    ...base,
    channel: "sms",
    direction: "outbound",
    occurred_at: daysAgo(4, -0.1),
    body: "We do, on Fridays.",
    external_id: `sms-out-${suffix}`,
    identifiers: { phone },
  });
  await sendEvent(request, key, {
    ...base,
    channel: "email",
    occurred_at: daysAgo(3),
    body: "Could I order two loaves for Saturday?",
    external_id: `mail-${suffix}`,
    identifiers: { email },
  });
  await sendEvent(request, key, {
    channel: "order",
    direction: "inbound",
    kind: "order",
    occurred_at: daysAgo(2),
    body: `Order ${order}`,
    external_id: `order-${suffix}`,
    identifiers: { email },
    order: {
      provider: "shopify",
      external_id: order,
      total_cents: 3150,
      currency: "USD",
      status: "paid",
      items: [
        { name: "Gluten-free loaf", quantity: 2, price_cents: 1200 },
        { name: "Rye crackers", quantity: 1, price_cents: 750 },
      ],
    },
  });
  await sendEvent(request, key, {
    channel: "booking",
    direction: "inbound",
    kind: "booking",
    occurred_at: daysAgo(1, 5),
    body: "Table for 4",
    external_id: `booking-${suffix}`,
    identifiers: { phone },
    payload: { date: "2026-12-05", time: "19:30", guests: 4 },
  });
  await sendEvent(request, key, {
    ...base,
    channel: "whatsapp",
    occurred_at: daysAgo(1),
    body: "Thanks, the bread was great!",
    external_id: `wa-${suffix}`,
    identifiers: { phone },
  });
  return { id, name, email, phone, order, key, suffix };
}

test("an agent reads one person across channels, filters, adds a note and changes stage and tags", async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const person = await createPerson(request, "Oona Breadwhistle");
  // The same name on another address: a separate profile the engine finds alike.
  const twin = await sendEvent(request, person.key, {
    channel: "webchat",
    direction: "inbound",
    kind: "message",
    occurred_at: daysAgo(0, 3),
    body: "Hello from the web chat",
    external_id: `chat-${person.suffix}`,
    identifiers: { email: `o.breadwhistle.${person.suffix}@mail.example.net`, name: person.name },
  });
  expect(twin).not.toEqual(person.id);

  await signIn(page, "agent", `/customers?q=${encodeURIComponent(person.email)}`);
  await hydrated(page);
  await page.locator(".results .result-link").first().click();
  await expect(page).toHaveURL(new RegExp(`/customers/${person.id}$`));
  await expect(page.getByRole("heading", { name: person.name, level: 1 })).toBeVisible();
  await hydrated(page);
  // The header: the order and what it came to; the channel that created the profile and the
  // one that last reached it.
  const header = page.locator(".customer-header");
  await expect(header.locator(".order-count")).toHaveText("1");
  await expect(header.locator(".order-spent")).toHaveText("$31.50");
  await expect(header.locator(".created-via")).toHaveText("sms");
  await expect(header.locator(".updated-via")).toHaveText("whatsapp");

  // The context panel: what to know before answering, as the context API renders it.
  const context = page.getByRole("region", { name: "Context for a reply" });
  await expect(context.locator("#context-text")).toContainText(`Customer: ${person.name}`);
  await expect(context.locator("#context-text")).toContainText("gluten-free");
  await expect(context.locator("#context-text")).toContainText(`#${person.order}`);

  // Identities and primaries, in full (this is the console).
  const identities = page.getByRole("region", { name: "Identities" });
  await expect(identities.getByRole("cell", { name: person.email })).toBeVisible();
  await expect(identities.getByRole("cell", { name: `+1415555${person.suffix.slice(1)}` })).toBeVisible();

  // One timeline, newest first, every channel; the order and the booking as such.
  const entries = page.locator(".timeline .entry");
  await expect(entries).toHaveCount(6);
  // The conversation with the newest message comes first; inside it, oldest first.
  const newest = page.locator(".timeline > .conversation").first();
  await expect(newest.locator(".entry").last()).toHaveAttribute("data-channel", "whatsapp");
  // The order question by email and the thanks on WhatsApp are one stored conversation.
  await expect(newest.locator(".thread-label")).toContainText("Email → WhatsApp");
  await expect(newest.locator(".entry").first()).toHaveAttribute("data-channel", "email");
  for (const channel of ["whatsapp", "booking", "order", "email", "sms"]) {
    await expect(page.locator(`.timeline .entry[data-channel="${channel}"]`).first()).toBeVisible();
  }
  const order = page.locator(".timeline .order");
  await expect(order).toContainText(`Order ${person.order}`);
  await expect(order).toContainText("31.50 USD");
  await expect(order).toContainText("2 × Gluten-free loaf");
  await expect(page.locator(".timeline .booking")).toContainText(/Guests\s*4/);
  // The SMS and its reply read as one conversation, oldest first, as stored.
  const sms = page.locator(".conversation.threaded").filter({ hasText: "do you bake gluten-free" });
  await expect(sms.locator(".entry").first()).toContainText("Hi, do you bake gluten-free bread?");
  await expect(sms.locator(".entry").nth(1)).toContainText("We do, on Fridays.");
  await expect(sms.locator(".thread-label")).toContainText("Conversation · SMS");

  // The engine's possible duplicates, with what agreed; merging is for admins only.
  const duplicates = page.getByRole("region", { name: "Possible duplicates" });
  await expect(duplicates.locator(`a[href="/customers/${twin}"]`)).toBeVisible();
  await expect(duplicates).toContainText("Agreed:");
  await expect(duplicates.getByRole("link", { name: "Compare and merge" })).toHaveCount(0);

  // Filter by channel: a link, so the URL says what is shown.
  const filters = page.getByRole("navigation", { name: "Filter the timeline" });
  await filters.getByRole("link", { name: "SMS", exact: true }).click();
  await expect(page).toHaveURL(/channel=sms/);
  await expect(entries).toHaveCount(2);
  await expect(page.locator('.timeline .entry:not([data-channel="sms"])')).toHaveCount(0);
  await filters.getByRole("link", { name: "All channels" }).click();
  await expect(entries).toHaveCount(6);

  // A note lands at the top.
  await page.getByLabel("Add a note").fill("Prefers pickup on Saturdays.");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(entries.first()).toContainText("Prefers pickup on Saturdays.");
  await expect(entries.first()).toHaveAttribute("data-channel", "note");
  await expect(entries.first()).toContainText("by agent@demo.spine.local");
  await expect(page.getByLabel("Add a note")).toHaveValue("");

  // Stage and a tag.
  await page.getByLabel("Stage", { exact: true }).selectOption("customer");
  await page.getByLabel("Tags (separated by commas)").fill("vip, gluten-free");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".customer-header .badge.stage")).toHaveText("customer");
  await expect(page.locator(".customer-header .tag")).toHaveText(["vip", "gluten-free"]);

  // A second note, for the screenshot.
  await page.getByLabel("Add a note").fill("Asked about a birthday cake for December.");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(entries.first()).toContainText("birthday cake");
  await page.screenshot({ path: "../docs/screenshots/customer.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("an agent resolves, reopens and archives conversations, then reads an archived one", async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const person = await createPerson(request, "Tamsin Rooke");
  await signIn(page, "agent", `/customers/${person.id}`);
  await hydrated(page);

  // The SMS question and its reply are one conversation; the email order and the WhatsApp
  // thanks another.
  const threads = page.locator("#threads li.thread");
  await expect(threads).toHaveCount(2);
  const bread = threads.filter({ hasText: "sms · allergy/dietary" });
  const order = threads.filter({ hasNotText: "sms · allergy/dietary" });
  await expect(order.locator(".thread-status")).toHaveText("open");

  // Resolve and reopen: the status follows, and the context text says so.
  await order.getByRole("button", { name: "Resolve" }).click();
  await expect(order.locator(".thread-status")).toHaveText("resolved");
  await expect(page.locator("#context-text")).toContainText("(resolved)");
  await order.getByRole("button", { name: "Reopen" }).click();
  await expect(order.locator(".thread-status")).toHaveText("open");

  // Resolve and archive the SMS conversation: its messages keep their place without text.
  await bread.getByRole("button", { name: "Resolve" }).click();
  await expect(bread.locator(".thread-status")).toHaveText("resolved");
  await bread.getByRole("button", { name: "Archive" }).click();
  await expect(bread.locator(".thread-status")).toHaveText("archived");
  await expect(bread.getByRole("button")).toHaveCount(0);
  const sms = page.locator('.timeline .entry[data-channel="sms"]');
  await expect(sms).toHaveCount(2);
  await expect(sms.first()).toContainText("Archived with its conversation.");
  await expect(page.locator(".timeline")).not.toContainText("gluten-free bread");
  // The context still knows what it was about.
  await expect(page.locator("#context-text")).toContainText("Archived conversation on sms");
  await expect(page.locator("#context-text")).toContainText("gluten-free");

  // The full text, on demand.
  await sms.first().getByRole("link", { name: "Read the conversation" }).click();
  await expect(page).toHaveURL(/\/threads\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Conversation with ${person.name} about allergy/dietary`);
  await expect(page.locator("#thread-state")).toContainText("archived");
  const lines = page.locator("#transcript .transcript-line");
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toContainText("Hi, do you bake gluten-free bread?");
  // The customer's lines carry their name; ours say "us".
  await expect(lines.nth(0).locator(".direction")).toHaveText(person.name);
  await expect(lines.nth(1).locator(".direction")).toHaveText("us");
  await expect(lines.nth(1)).toContainText("We do, on Fridays.");
  await page.screenshot({ path: "../docs/screenshots/conversation.png", fullPage: true });
  await page.getByRole("link", { name: `← ${person.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${person.id}$`));
  expect(errors).toEqual([]);
});

test("a manager reads the customer page without edit controls", async ({ page, request }) => {
  const person = await createPerson(request, "Milo Fenwright");
  await signIn(page, "manager", `/customers/${person.id}`);
  await expect(page.getByRole("heading", { name: person.name, level: 1 })).toBeVisible();
  await expect(page.locator(".timeline .entry")).toHaveCount(6);
  await expect(page.getByLabel("Add a note")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add note" })).toHaveCount(0);
  await expect(page.getByLabel("Stage")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Undo merge" })).toHaveCount(0);
});

test("an admin undoes a merge and the absorbed profile's entries go back to it", async ({ page, request }) => {
  const person = await createPerson(request, "Perpetua Lindqvist");
  // The same person on another address: a separate profile until merged.
  const other = await sendEvent(request, person.key, {
    channel: "webchat",
    direction: "inbound",
    kind: "message",
    occurred_at: daysAgo(0, 2),
    body: "Webchat from my work address",
    external_id: `chat-${person.suffix}`,
    identifiers: { email: `p.lindqvist.${person.suffix}@work.example.org`, name: person.name },
  });
  expect(other).not.toEqual(person.id);
  const merged = await request.post(`/api/v1/customers/${person.id}/merge`, {
    headers: { Authorization: `Bearer ${person.key}` },
    data: { absorbed_id: other },
  });
  expect(merged.status(), await merged.text()).toBeLessThan(300);

  await signIn(page, "admin", `/customers/${person.id}`);
  await hydrated(page);
  const entries = page.locator(".timeline .entry");
  await expect(entries.first()).toContainText("Webchat from my work address");
  const history = page.getByRole("region", { name: "Merge history" });
  await expect(history).toContainText("Absorbed");
  await history.getByRole("button", { name: "Undo merge" }).click();
  await expect(history).toContainText("Undone");
  await expect(history.getByRole("button", { name: "Undo merge" })).toHaveCount(0);
  await expect(page.getByText("Webchat from my work address")).toHaveCount(0);
  await expect(entries).toHaveCount(6);

  // The absorbed profile has its own entry back.
  await page.goto(`/customers/${other}`);
  await expect(page.locator(".timeline .entry").first()).toContainText("Webchat from my work address");
  await expect(page.getByRole("region", { name: "Merge history" })).toContainText("Undone");
});
