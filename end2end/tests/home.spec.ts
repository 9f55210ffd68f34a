import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// The console's start page needs a session: without one it is the sign-in page.
test("the start page leads to sign-in, rendered on the server", async ({ request }) => {
  const response = await request.get("/", { maxRedirects: 0 });
  expect(response.status()).toBe(303);
  expect(response.headers()["location"]).toBe("/login");

  const login = await request.get("/login");
  expect(login.status()).toBe(200);
  const html = await login.text();
  // Server-rendered: the form is in the HTML before any script runs, and posts without one.
  expect(html).toContain("Sign in to Spine");
  expect(html).toContain('action="/api/sign_in"');
  expect(html).toContain("/pkg/spine.js");
});

test("signed in, the start page is the customer search", async ({ page }) => {
  await signIn(page, "agent", "/");
  await expect(page).toHaveURL(/\/customers$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
});

test("unknown pages answer 404 with a helpful page", async ({ page }) => {
  await signIn(page, "agent");
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
