// The signed-in tab the smaller walk-throughs share (holiday.test.mjs, report.test.mjs):
// the server's address and the demo accounts from the environment (README.md), Debian's
// Chromium, and a tab that checks every page it loads — the expected status, no request
// off the server, no console error, the stylesheet applied — and takes its screenshots.
// staff.test.mjs keeps its own, richer tab (languages, print media, tolerated 404s).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BASE = (process.env.MINZHENG_BROWSER_URL ?? '').replace(/\/+$/, '');
if (!BASE) throw new Error('MINZHENG_BROWSER_URL is not set; see tests/browser/README.md');
const ACCOUNTS = process.env.MINZHENG_BROWSER_ACCOUNTS
  ? JSON.parse(readFileSync(process.env.MINZHENG_BROWSER_ACCOUNTS, 'utf8'))
  : {};
/** A demo account: its password from accounts.json (.ci/run writes it), else the default. */
export const DEMO = (username, password) => ACCOUNTS[username] ?? { username, password };
const CHROMIUM = process.env.MINZHENG_BROWSER_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.MINZHENG_BROWSER_SCREENSHOTS || join(HERE, 'screenshots');

/** Debian's Chromium, headless, with nothing that reaches off the machine. */
export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A tab of `browser` signed in as `account`; its screenshots are named `{prefix}-{name}.png`. */
export async function signedIn(browser, account, prefix) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${BASE}/`)) problems.push(`request to another host: ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  const tab = {
    page,
    problems,
    /** Waits for the page a click loads and checks where it landed and its status. */
    async click(locator, landsOn, status = 200) {
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        locator.click(),
      ]);
      const url = new URL(page.url());
      assert.match(url.pathname + url.search, landsOn);
      assert.equal(response?.status(), status, `HTTP status of ${page.url()}`);
    },
    async goto(path, status = 200) {
      const response = await page.goto(BASE + path, { waitUntil: 'load' });
      assert.equal(response?.status(), status, `HTTP status of ${path}`);
    },
    async shot(name) {
      await page.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: true });
      assert.deepEqual(problems, [], `${name}: requests off the server or console errors`);
      const css = await page.evaluate(() =>
        [...document.styleSheets].some((s) => s.href?.endsWith('/static/app.css') && s.cssRules.length > 0),
      );
      assert.ok(css, `${name}: /static/app.css applied`);
    },
  };
  await tab.goto('/login');
  await page.locator('input[name="username"]').fill(account.username);
  await page.locator('input[name="password"]').fill(account.password);
  await tab.click(page.locator('main form button[type="submit"]'), /^\/$/);
  return tab;
}
