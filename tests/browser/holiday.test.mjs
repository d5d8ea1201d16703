// Browser test of the holiday payment (优待金), run by `node --test` against a running
// `minzheng demo` server (see README.md in this folder; same environment as
// staff.test.mjs: MINZHENG_BROWSER_URL, MINZHENG_BROWSER_ACCOUNTS, optional
// MINZHENG_BROWSER_CHROMIUM and MINZHENG_BROWSER_SCREENSHOTS).
//
// The veterans section (youfu) finds the demo's 2013 Spring Festival payment covered at
// 100 %, defines a new holiday payment with amounts by category, prepares its run from the
// holiday's row, and sees the run page with its coverage; the section's second account
// (youfu2) approves it, and the holiday then shows 100 %. Every page: the expected status,
// no request off the server, no console error. Screenshots: screenshots/holiday-*.png.
//
// The tab and its page checks are tab.mjs's.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, launch, signedIn as tabOf } from './tab.mjs';

// The demo's veterans section (crates/testkit/src/demo.rs, crates/testkit/src/veterans.rs).
const YOUFU = DEMO('youfu', 'demo-youfu-2013');
const YOUFU2 = DEMO('youfu2', 'demo-youfu2-2013');

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const signedIn = (account) => tabOf(browser, account, 'holiday');

/** The holiday table's row of `name`. */
function row(tab, name) {
  return tab.page.locator('table.list tbody tr', { hasText: name });
}

test('the veterans section runs a holiday payment and sees its coverage', async () => {
  const youfu = await signedIn(YOUFU);
  await youfu.goto('/veterans');
  await youfu.click(youfu.page.locator('a[href="/veterans/holidays"]'), /^\/veterans\/holidays$/);
  assert.equal(await youfu.page.locator('main h1').innerText(), '优待金');
  // The demo's Spring Festival payment: 615 households, 462.4650万元, all paid.
  const spring = row(youfu, '2013年春节优待金');
  assert.equal(await spring.locator('td.coverage').innerText(), '100%');
  assert.match(await spring.innerText(), /615 \/ 462\.4650/);
  await youfu.shot('01-list');

  // A new holiday (a fresh month and name each run, so the test can be repeated on one
  // server: a month holds one holiday run, a name is paid once).
  const stamp = Date.now();
  const month = `${2014 + (Math.floor(stamp / 1000) % 12)}-08`;
  const name = `八一优待金 ${stamp}`;
  const form = youfu.page.locator('form[action="/veterans/holidays"]');
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="entitled_on"]').fill('2013-07-01');
  await form.locator('input[name="month"]').fill(month);
  await form.locator('input[name="amount_71"]').fill('100');
  await form.locator('input[name="amount_81"]').fill('50');
  await youfu.shot('02-form');
  await youfu.click(form.locator('button[type="submit"]'), /^\/veterans\/holidays$/);
  const fresh = row(youfu, name);
  assert.equal(await fresh.locator('td.coverage').innerText(), '0%');
  await youfu.shot('03-defined');

  // Prepare its run: the run page, with the holiday's coverage, and no approve button for
  // its preparer.
  await youfu.click(fresh.locator('button[type="submit"]'), /^\/payroll\/\d+$/);
  const runPath = new URL(youfu.page.url()).pathname;
  const coverage = await youfu.page.locator('p.holiday-coverage').innerText();
  assert.match(coverage, /已发放 0 户，覆盖率 0%/);
  assert.match(await youfu.page.locator('main h1').innerText(), /优待金/);
  assert.equal(await youfu.page.locator(`form[action="${runPath}/approve"]`).count(), 0);
  await youfu.shot('04-run');

  // The second account approves; the holiday is then fully covered.
  const youfu2 = await signedIn(YOUFU2);
  await youfu2.goto(runPath);
  await youfu2.click(
    youfu2.page.locator(`form[action="${runPath}/approve"] button`),
    new RegExp(`^${runPath}\\?done=approved$`),
  );
  assert.match(await youfu2.page.locator('p.holiday-coverage').innerText(), /覆盖率 100%/);
  await youfu2.shot('05-approved');
  await youfu2.goto('/veterans/holidays');
  assert.equal(await row(youfu2, name).locator('td.coverage').innerText(), '100%');
  assert.match(await row(youfu2, name).innerText(), new RegExp(`#\\d+ 已审批`));
  await youfu2.shot('06-covered');
});
