import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, goOffline, goOnline, hydrated, snap } from './pages';
import { OwnServer, chromiumOptions, phone } from './server';

// The outbox on a phone with a persistent browser profile, against a server of its own that
// the test kills and starts again: lines saved offline survive a reload and a relaunch of
// the browser, reach the server exactly once when the phone is online again (also when the
// server dies during the drain), a conflict with another device is shown and resolved, and
// signing out with unsent lines asks first.

const PORT = Number(process.env.XN_E2E_OUTBOX_PORT ?? 3150);
const BASE = `http://127.0.0.1:${PORT}`;
// A fresh database and browser profile for each run of the test.
let PROFILE = '';
const CADRE = 'cadre12';

let server: OwnServer | null = null;

async function startServer() {
  await server?.start();
}

function killServer() {
  server?.kill();
}

async function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(PROFILE, {
    baseURL: BASE,
    executablePath: chromiumOptions.executablePath,
    args: chromiumOptions.args,
    ...phone,
  });
}

/** The server's entry of a day, read as the signed-in cadre (in the page, online). */
async function serverDay(page: Page, day: string): Promise<{ work: string; version: number } | null> {
  return page.evaluate(async (d) => {
    const r = await fetch('/api/v1/record/today', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ day: d }),
    });
    return (await r.json()).entry;
  }, day);
}

/** Saves the form's two lines (hydrated page) and waits for the state the save bar shows. */
async function write(page: Page, work: string, state: string | RegExp) {
  await hydrated(page);
  await page.getByLabel('工作', { exact: true }).fill(work);
  await page.getByLabel('成效', { exact: true }).fill(`${work}的成效`);
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(state);
}

async function keptPages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('xn-pages-')) continue;
      for (const k of await (await caches.open(name)).keys()) out.push(new URL(k.url).pathname + new URL(k.url).search);
    }
    return out;
  });
}

test.afterEach(() => killServer());

test('lines saved offline reach the server exactly once, through relaunch, a dying server and a conflict', async ({ browserName }) => {
  test.setTimeout(180_000);
  expect(browserName).toBe('chromium');
  server = new OwnServer(PORT, join(mkdtempSync(join(tmpdir(), 'xn-outbox-')), 'e2e.db'));
  PROFILE = mkdtempSync(join(tmpdir(), 'xn-profile-'));
  await startServer();
  let context = await launch();
  let page = context.pages()[0] ?? (await context.newPage());

  // Online first: sign in, let the worker take over and keep Today and the 14th.
  await page.goto('/login');
  await page.getByLabel('用户名').fill(CADRE);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.goto('/?day=2026-04-14');
  await hydrated(page);
  await page.goto('/');
  await hydrated(page);
  await expect.poll(() => keptPages(page)).toEqual(expect.arrayContaining(['/', '/?day=2026-04-14']));
  const before15 = (await serverDay(page, '2026-04-15'))?.version ?? 0;
  const before14 = (await serverDay(page, '2026-04-14'))?.version ?? 0;

  // Offline: two days saved; both wait, neither shows as saved.
  await goOffline(context);
  await write(page, '离线十五日', '待发送');
  await page.goto('/?day=2026-04-14');
  await write(page, '离线十四日', '待发送');
  await expect(page.getByRole('heading', { name: '2 条待发送' })).toBeVisible();
  await expect(page.locator('.save-state')).not.toContainText('已保存');

  // A reload offline opens the kept page and shows both unsent lines.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('#xn-offline')).toBeVisible();
  await expect(page.getByRole('heading', { name: '2 条待发送' })).toBeVisible();
  await expect(page.locator('.outbox-line')).toHaveCount(2);
  await expect(page.locator('.outbox-line').first()).toContainText('离线十四日');
  await snap(page, '40-outbox-offline');

  // The browser is closed and opened again, still offline: the lines are still there.
  await context.close();
  context = await launch();
  await goOffline(context);
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: '2 条待发送' })).toBeVisible();
  // The form of a day with an unsent line shows that line.
  await expect(page.getByLabel('工作', { exact: true })).toHaveValue('离线十五日');

  // Online again: both reach the server, once each, and show as sent. (A line the closed
  // browser was sending when it closed stays lent to its tab for up to 30 s.)
  await goOnline(context);
  await expect(page.getByRole('heading', { name: '都已发送' })).toBeVisible({ timeout: 45_000 });
  await expect(page.locator('.outbox-sent li')).toHaveCount(2);
  await expect(page.locator('.save-state')).toContainText('已保存');
  expect(await serverDay(page, '2026-04-15')).toMatchObject({ work: '离线十五日', version: before15 + 1 });
  expect(await serverDay(page, '2026-04-14')).toMatchObject({ work: '离线十四日', version: before14 + 1 });
  await snap(page, '41-outbox-sent');

  // The server dies after storing a line and before its answer arrives; started again,
  // the line is sent again under the same client id and stored once.
  await goOffline(context);
  await page.reload();
  await write(page, '第二版', '待发送');
  let stored = false;
  await context.route('**/api/v1/record/save_entry', async (route) => {
    if (stored) return route.continue();
    stored = true;
    expect((await route.fetch()).status()).toBe(200);
    killServer();
    // The browser may have given up on the request itself meanwhile: lost either way.
    await route.abort('connectionreset').catch(() => {});
  });
  await goOnline(context);
  await expect.poll(() => stored).toBe(true);
  await startServer();
  await context.unroute('**/api/v1/record/save_entry');
  // The drain tries again on its timer (5 s after one failure).
  await expect(page.getByRole('heading', { name: '都已发送' })).toBeVisible({ timeout: 20_000 });
  expect(await serverDay(page, '2026-04-15')).toMatchObject({ work: '第二版', version: before15 + 2 });

  // A conflict: the 14th is saved on another device while the phone's line waits.
  await page.goto('/?day=2026-04-14');
  await hydrated(page);
  await goOffline(context);
  await write(page, '手机上的', '待发送');
  const desk = await signInElsewhere();
  const edited = await fetch(`${BASE}/api/v1/record/save_entry`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: desk, 'Sec-Fetch-Site': 'same-origin' },
    body: JSON.stringify({
      input: { client_id: `desk-e2e-${Date.now()}`, day: '2026-04-14', work: '电脑上的', outcome: '电脑上的成效', place: 'office' },
    }),
  });
  expect(edited.status).toBe(200);
  await goOnline(context);
  const line = page.locator('.outbox-line[data-state=conflict]');
  await expect(line).toContainText('冲突', { timeout: 15_000 });
  await expect(line).toContainText('电脑上的');
  await expect(line).toContainText('手机上的');
  await snap(page, '42-outbox-conflict');
  await line.getByRole('button', { name: '保留我的' }).click();
  await expect(page.getByRole('heading', { name: '都已发送' })).toBeVisible({ timeout: 15_000 });
  expect(await serverDay(page, '2026-04-14')).toMatchObject({ work: '手机上的', version: before14 + 3 });

  // Signing out with an unsent line asks first; declining keeps the cadre signed in.
  // The save never gets through (blocked before the phone is online again, so the drain
  // on `online` cannot send it either).
  await goOffline(context);
  await write(page, '还没发出', '待发送');
  await context.route('**/api/v1/record/save_entry', (route) => route.abort('internetdisconnected'));
  await goOnline(context);
  await expect(page.getByRole('heading', { name: '1 条待发送' })).toBeVisible();
  const asked = page.waitForEvent('dialog', { timeout: 10_000 });
  await page.getByRole('button', { name: '退出' }).click();
  const dialog = await asked;
  expect(dialog.message()).toContain('还有 1 条记录没有发送');
  await dialog.dismiss();
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible();
  await context.unroute('**/api/v1/record/save_entry');
  await context.close();
});

/** A session of the same cadre on another device: its cookie. */
async function signInElsewhere(): Promise<string> {
  const r = await fetch(`${BASE}/api/v1/auth/sign_in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' },
    body: JSON.stringify({ username: CADRE, password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  expect(cookie).toMatch(/^xn_session=/);
  return cookie;
}
