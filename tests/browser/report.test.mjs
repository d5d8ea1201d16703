// Browser test of the half-year report (issue 6) and the veterans' figures in it (issue 7),
// run by `node --test` against a running `minzheng demo` server (README.md in this folder;
// the environment of holiday.test.mjs).
//
// The bureau's leader generates the January–June 2013 report for the whole district and
// finds the seed figures the demo reproduces (A1, A2, A3, A7, A8 and V2 of
// seed-figures.md: 5088 households and 14023 persons, 1117.5178万元, 385 元; 1300 五保
// persons, 554.82万元; 26 三无 persons, 17.28万元; 615 households, 462.465万元, 100 %) in
// the figures and in the drafted sentences, then opens the records behind the coverage
// rate (the entitled households, each with what the holiday paid it) and behind the 低保
// households. Screenshots: screenshots/report-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, launch, signedIn } from './tab.mjs';

const LEADER = DEMO('leader', 'demo-leader-2013');

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The seed figures as the report's figure table writes them. */
const SEED = {
  'dibao.households': '5088',
  'dibao.persons': '14023',
  'dibao.paid': '1117.5178',
  'dibao.standard_urban': '385',
  'tekun_rural.persons': '1300',
  'tekun_rural.paid': '554.8200',
  'tekun_rural.standard': '700',
  'tekun_urban.persons': '26',
  'tekun_urban.paid': '17.2800',
  'tekun_urban.standard': '1200',
  'veterans.holiday_households': '615',
  'veterans.holiday_paid': '462.4650',
  'veterans.holiday_coverage': '100',
};

test('the leader generates the half-year report and opens the records behind its figures', async () => {
  const leader = await signedIn(browser, LEADER, 'report');
  await leader.goto('/reports');
  const form = leader.page.locator('form[action="/reports"]');
  await form.locator('input[name="from"]').fill('2013-01-01');
  await form.locator('input[name="to"]').fill('2013-06-30');
  await leader.shot('01-form');
  await leader.click(form.locator('button[type="submit"]'), /^\/reports\/\d+$/);
  const reportPath = new URL(leader.page.url()).pathname;

  for (const [code, value] of Object.entries(SEED)) {
    assert.equal(await leader.page.locator(`td.num[data-code="${code}"]`).innerText(), value, code);
  }
  const narrative = await leader.page.locator('div.narrative').innerText();
  assert.match(narrative, /截止6月份,我区纳入低保救济的对象有5088户14023人,上半年共发放低保金1117\.5178万元/);
  assert.match(narrative, /兑现优待了烈军属等优抚对象615户,兑现优待金462\.4650万元,优待面达100%/);
  assert.equal(await leader.page.locator('svg').count() > 0, true, 'server-drawn charts');
  await leader.shot('02-report');

  // The coverage rate opens on its denominator: the entitled households, each paid.
  await leader.click(
    leader.page.locator('a', { hasText: '优待金发放覆盖率' }),
    /^\/reports\/\d+\/records\/veterans\.holiday_coverage$/,
  );
  assert.equal(await leader.page.locator('main h1').innerText(), '优待金发放覆盖率');
  const rows = leader.page.locator('table.list tbody tr');
  assert.ok((await rows.count()) > 0, 'the entitled households are listed');
  assert.match(await rows.first().innerText(), /2013年春节优待金/);
  await leader.shot('03-coverage-records');

  // The 低保 households: a page of cases, the head's name masked.
  await leader.goto(reportPath);
  await leader.click(
    leader.page.locator('a', { hasText: '低保户数' }),
    /^\/reports\/\d+\/records\/dibao\.households$/,
  );
  assert.equal(await leader.page.locator('main h1').innerText(), '低保户数');
  assert.ok((await rows.count()) > 0, 'the households are listed');
  await leader.shot('04-households');
});
