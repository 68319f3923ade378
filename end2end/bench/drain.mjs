// Drain benchmark (run by scripts/bench.sh): 20 lines wait in a phone's outbox; the browser
// comes back online; how long until all 20 are on the server (target <= 5 s).
// Usage: node end2end/bench/drain.mjs http://127.0.0.1:PORT USERNAME
import { chromium } from '@playwright/test';

const [base, user] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const context = await browser.newContext({
  baseURL: base,
  viewport: { width: 360, height: 740 },
  isMobile: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
});
const page = await context.newPage();
await page.goto('/login');
await page.getByLabel('用户名').fill(user);
await page.getByLabel('密码').fill('xiaoneng2026');
await page.getByRole('button', { name: '登录' }).click();
await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });

// The 20 most recent writable days and the version each holds now.
const days = await page.evaluate(async () => {
  const call = async (path, body) =>
    (await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();
  const today = await call('/api/v1/record/today', {});
  const out = [];
  for (let d = new Date(today.today + 'T00:00:00Z'); out.length < 20; d.setUTCDate(d.getUTCDate() - 1)) {
    const day = d.toISOString().slice(0, 10);
    const v = await call('/api/v1/record/today', { day });
    if (v.error) break;
    if (v.writable) out.push({ day, version: v.entry ? v.entry.version : 0 });
  }
  return { person: Number(document.querySelector('form[data-person]').dataset.person), now: today.now, out };
});
if (days.out.length < 20) throw new Error(`only ${days.out.length} writable days`);

await context.setOffline(true);
await page.evaluate(async ({ person, now, out }) => {
  for (const [i, { day, version }] of out.entries()) {
    await self.xnOutbox.save(JSON.stringify({
      client_id: `bench-drain-${i}-${Date.now().toString(36)}`,
      person, day, work: `第 ${i + 1} 条离线记录`, outcome: '成效', place: 'office',
      village_id: null, place_note: '', base_version: version,
      written_at_ms: Date.parse(now), attempts: 0, state: 'queued', lease_tab: '', lease_until: 0,
    }));
  }
}, days);

const started = Date.now();
// The page's drain starts on the browser's `online` event.
await context.setOffline(false);
await page.getByRole('heading', { name: '都已发送' }).waitFor({ timeout: 60_000 });
const ms = Date.now() - started;
const stored = await page.evaluate(async (out) => {
  let n = 0;
  for (const { day, version } of out) {
    const r = await (await fetch('/api/v1/record/today', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ day }) })).json();
    if (r.entry && r.entry.version === version + 1) n += 1;
  }
  return n;
}, days.out);
console.log(`  20 queued lines: all on the server ${ms} ms after the browser came back online; ${stored}/20 stored once`);
await browser.close();
if (stored !== 20) process.exit(1);
