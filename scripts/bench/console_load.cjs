// How long the console takes to become usable, page by page: a fresh tab (no cache) opens each
// main page of a running Spine with the demo data, signed in as the demo agent, and waits until
// the WASM has hydrated it. Prints the median of three loads, the responses and the bytes on the
// wire. Optionally over a slower network (Chromium's emulation): a round trip and a bandwidth.
//   (cd end2end && node ../scripts/bench/console_load.cjs http://127.0.0.1:3000)
//   (cd end2end && node ../scripts/bench/console_load.cjs http://127.0.0.1:3000 100 10000)
//                                                          round trip ms, kbit/s
const { chromium } = require(require.resolve('playwright-core', { paths: [process.cwd()] }));
const [base, latency, kbps] = [process.argv[2], Number(process.argv[3] || 0), Number(process.argv[4] || 0)];
(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30000 });
  await page.getByLabel('Email').fill('agent@demo.spine.local');
  await page.getByLabel('Password').fill('demo-agent-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.who-name').waitFor();
  await page.goto(base + '/customers?q=Richard%20Nguyen');
  const href = await page.locator('a[href^="/customers/"]').first().getAttribute('href');
  const pages = ['/customers', href, '/review', '/analytics'];
  for (const path of pages) {
    const times = [];
    let bytes = 0, files = 0;
    for (let run = 0; run < 3; run++) {
      const p = await ctx.newPage();
      const cdp = await ctx.newCDPSession(p);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: kbps * 1024 / 8, uploadThroughput: kbps * 1024 / 8 });
      let b = 0, f = 0;
      cdp.on('Network.loadingFinished', e => { b += e.encodedDataLength; f++; });
      const t0 = Date.now();
      await p.goto(base + path, { waitUntil: 'commit' });
      await p.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60000 });
      times.push(Date.now() - t0);
      bytes = b; files = f;
      await p.close();
    }
    times.sort((a, b) => a - b);
    console.log(`${path.padEnd(50)} hydrated median ${times[1]} ms (${times.join(', ')}); ${files} responses, ${(bytes / 1024).toFixed(0)} KiB on the wire`);
  }
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
