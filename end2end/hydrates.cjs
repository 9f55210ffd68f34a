// Opens a page of a running Spine in Debian's Chromium and waits until the console's WASM has
// hydrated it (`body[data-hydrated]`), failing on any script error. The browser tests load the
// debug bundle; scripts/package.sh runs this on the packaged release build, whose server and
// bundle must render and hydrate the same markup.
//   node end2end/hydrates.cjs http://127.0.0.1:3000/login
const { chromium } = require("playwright-core");

(async () => {
  const url = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const errors = [];
  let bundle = 0;
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", async (r) => {
      if (r.url().endsWith(".wasm")) bundle += Number((await r.allHeaders())["content-length"] ?? 0);
    });
    await page.goto(url);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached", timeout: 20_000 });
  } catch (e) {
    errors.push(String(e));
  } finally {
    await browser.close();
  }
  if (errors.length) {
    console.error(`${url} did not hydrate:\n${errors.join("\n")}`);
    process.exit(1);
  }
  console.log(`${url} hydrated (WASM: ${bundle} bytes on the wire)`);
})();
