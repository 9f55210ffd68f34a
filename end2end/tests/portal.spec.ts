// The customer's own page, end to end: a customer signs in with a one-time code (read from the
// development mail folder, as a developer would without SMTP; the admin's outbox page shows the
// message with the code blotted out), changes preferences (the agent sees
// them), downloads their data, and erases it: search no longer finds them, the export endpoint
// answers 404, and the same identifiers come back as a new customer.
import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { createCustomer, hydrated, newestCode, signIn, spine } from "./helpers";

test("a customer signs in with a code, sets preferences, exports and erases their data", async ({ page, browser, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const customer = await createCustomer(request);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin");

  // An address we do not know gets the same answer, and no code.
  await page.goto("/me");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: /Sign in to see what/ })).toBeVisible();
  await page.getByLabel("Email or phone").fill("nobody-here@example.com");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.locator("#code-sent")).toBeVisible();

  // The customer's own email, typed in capitals.
  await page.goto("/me");
  await hydrated(page);
  await page.getByLabel("Email or phone").fill(customer.email.toUpperCase());
  await page.screenshot({ path: "../docs/screenshots/me-sign-in.png" });
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.locator("#code-sent")).toBeVisible();
  const code = await newestCode(customer.email);
  // Admins see that a code went out, never the code.
  await admin.goto("/outbox");
  const sent = admin.locator("#outbox tbody tr").first();
  await expect(sent).toContainText("r***@example.com");
  await expect(sent).toContainText("••••••");
  await expect(sent).not.toContainText(code);
  await admin.screenshot({ path: "../docs/screenshots/outbox.png", fullPage: true });

  // A wrong code is refused with a readable message; the right one signs in.
  await hydrated(page);
  const wrong = code === "000000" ? "111111" : "000000";
  await page.getByLabel("Six-digit code").fill(wrong);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("not right");
  await page.getByLabel("Six-digit code").fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Hello, Ruth Quillfeather" })).toBeVisible();
  const ids = page.getByRole("region", { name: "How we know you" });
  await expect(ids).toContainText(customer.email.toLowerCase());
  await expect(ids).toContainText("verified");

  // Preferences: saved, and what the agent reads.
  await hydrated(page);
  await page.getByLabel("How we should reach you").selectOption("whatsapp");
  await page.getByLabel("Language").selectOption("es");
  await page.getByLabel("Time zone").fill("Europe/Madrid");
  await page.getByLabel("News about products").check();
  await page.getByLabel(/Offers and marketing/).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#saved")).toBeVisible();
  await page.screenshot({ path: "../docs/screenshots/me.png", fullPage: true });

  await admin.goto(`/customers?q=${encodeURIComponent(customer.email)}`);
  await admin.locator(".results .result").first().click();
  await expect(admin).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const customerId = admin.url().split("/").pop() as string;
  const header = admin.locator(".customer-main");
  await expect(header).toContainText("WhatsApp");
  await expect(header).toContainText("es");
  await expect(header).toContainText("opted in");
  await expect(header).toContainText("Europe/Madrid");

  // "This is not me" on the phone: a review item, the phone stays linked.
  await ids.getByRole("button", { name: /This is not me: phone/ }).click();
  await expect(page.locator("#disputed")).toBeVisible();
  await expect(ids).toContainText("+1916555");
  // The admin decides it on the profile: the phone is unlinked.
  await admin.goto(`/customers/${customerId}`);
  const disputes = admin.getByRole("region", { name: "Disputed by the customer" });
  await expect(disputes).toContainText("+1916555");
  await hydrated(admin);
  await disputes.getByRole("button", { name: "Unlink it" }).click();
  await expect(disputes).toHaveCount(0);
  await expect(admin.locator(".primary-phone")).toHaveText("—");
  await page.reload();
  await expect(ids).not.toContainText("+1916555");

  // The download holds the profile, the SMS and the marketing consent.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download my data" }).click(),
  ]);
  const file = await download.path();
  const data = JSON.parse(fs.readFileSync(file as string, "utf8"));
  expect(data.profile.id).toBe(customerId);
  expect(data.profile.primary_email).toBe(customer.email.toLowerCase());
  expect(data.timeline.map((e: { body: string }) => e.body)).toContain("Hi, is my order on its way?");
  expect(data.consents).toEqual([expect.objectContaining({ purpose: "marketing", granted: true, source: "customer" })]);

  // Erasure, confirmed by typing the word (another word is refused).
  await page.getByLabel("Type ERASE to confirm").fill("delete");
  await page.getByRole("button", { name: "Erase my data" }).click();
  await expect(page.getByRole("alert")).toContainText("Type ERASE");
  await page.getByLabel("Type ERASE to confirm").fill("ERASE");
  await page.getByRole("button", { name: "Erase my data" }).click();
  await expect(page.locator("#erased-notice")).toBeVisible();
  await expect(page).toHaveURL(/\/me\?erased=1/);

  // Search no longer finds them; the export endpoint answers 404; the profile page too.
  await admin.goto(`/customers?q=${encodeURIComponent(customer.email)}`);
  await expect(admin.getByRole("heading", { name: /No customer matches/ })).toBeVisible();
  const key = spine("api-key", "create", "--tenant", "demo", "--name", `portal-${Date.now() % 100000}`).trim().split("\n").pop() ?? "";
  const exported = await request.get(`/api/v1/customers/${customerId}/export`, { headers: { Authorization: `Bearer ${key}` } });
  expect(exported.status()).toBe(404);
  await admin.goto(`/customers/${customerId}`);
  await expect(admin.getByRole("heading", { name: "Customer not found" })).toBeVisible();

  // The same email writing again is a new, empty customer.
  const again = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      channel: "email", direction: "inbound", kind: "message", body: "Hello again",
      occurred_at: new Date().toISOString(), identifiers: { email: customer.email },
    },
  });
  expect(again.status(), await again.text()).toBe(201);
  const fresh = await again.json();
  expect(fresh.decision).toBe("created");
  expect(fresh.customer_id).not.toBe(customerId);
  expect(errors).toEqual([]);
});

test("an admin exports a person's data, soft-deletes the profile and restores it", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const customer = await createCustomer(request);
  await signIn(page, "admin", `/customers?q=${encodeURIComponent(customer.email)}`);
  await page.locator(".results .result").first().click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const url = page.url();
  await hydrated(page);
  const privacy = page.getByRole("region", { name: "Data and privacy" });

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    privacy.getByRole("link", { name: "Export data (JSON)" }).click(),
  ]);
  const data = JSON.parse(fs.readFileSync((await download.path()) as string, "utf8"));
  expect(data.profile.primary_email).toBe(customer.email.toLowerCase());
  expect(data.timeline).toHaveLength(2);

  await privacy.getByRole("button", { name: "Delete profile (restorable)" }).click();
  await expect(page.locator("#deleted-notice")).toBeVisible();
  await page.goto(`/customers?q=${encodeURIComponent(customer.email)}`);
  await expect(page.getByRole("heading", { name: /No customer matches/ })).toBeVisible();

  await page.goto(url);
  await hydrated(page);
  await page.getByRole("button", { name: "Restore profile" }).click();
  await expect(page.locator("#deleted-notice")).toHaveCount(0);
  await page.goto(`/customers?q=${encodeURIComponent(customer.email)}`);
  await expect(page.locator(".results .result")).toHaveCount(1);

  // The audit log names both, and the export.
  await page.goto(`/audit?customer=${url.split("/").pop()}`);
  for (const action of ["customer.exported", "customer.deleted", "customer.restored"]) {
    await expect(page.locator("main")).toContainText(action);
  }
  expect(errors).toEqual([]);
});
