import { test, expect, request } from '@playwright/test';
import { LoginPage, TodayPage, hydrated, snap } from './pages';

// The whole first-issue flow on a phone, in Chinese, against the demo township with the
// clock at 2026-04-15 10:00 (Shanghai): cadre07 (supervised by lead2) writes, submits,
// is returned, fixes and resubmits; the office finds the sheet and prints it.
test('a dekad sheet from today to the archive', async ({ page }) => {
  // Hydration or script errors in the browser fail the test.
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const login = new LoginPage(page);
  const today = new TodayPage(page);
  const stamp = Date.now().toString().slice(-6);

  await login.signIn('cadre07');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('今日');
  await snap(page, '01-today');
  await today.write(`走访河口村困难户${stamp}`, '了解诉求5条，当场解决2条', { village: '南片 · 河口村' });

  // Fill an earlier day of the open dekad from the list of empty days.
  await page.goto('/');
  const missing = page.locator('.day-links a').first();
  await expect(missing).toBeVisible();
  await missing.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('补记');
  await today.write(`补记：整理防汛台账${stamp}`, '完成台账2本');

  // Open the sheet and submit it.
  await page.getByRole('link', { name: '查看本旬记录表' }).click();
  await expect(page.getByText(`走访河口村困难户${stamp}`)).toBeVisible();
  // The sheet's buttons are lazy islands: live once their chunk is in.
  await hydrated(page);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: '提交记录表' }).click();
  await expect(page.locator('.sheet-line .badge')).toHaveText('已提交');
  const sheetUrl = page.url();
  await snap(page, '02-sheet-submitted');
  await login.signOut();

  // The supervising leader returns this sheet and reviews another one.
  await login.signIn('lead2');
  await page.goto('/inbox?period=2026-04-2');
  await snap(page, '03-inbox');
  await page.goto(sheetUrl);
  await hydrated(page);
  await page.getByLabel('评语或退回理由').fill('15日成效请写具体数字');
  await page.getByRole('button', { name: '退回修改' }).click();
  await expect(page.locator('.sheet-line .badge')).toHaveText('已退回');
  await page.goto('/inbox?period=2026-04-1');
  const unread = page.locator('tr', { has: page.locator('.badge-submitted, .badge-late') }).first().getByRole('link');
  await unread.click();
  await hydrated(page);
  await page.getByLabel('评语或退回理由').fill('记录具体，继续保持');
  await page.getByRole('button', { name: '标为已阅' }).click();
  await expect(page.locator('.sheet-line .badge')).toHaveText('已阅');
  await login.signOut();

  // The cadre sees the reason, fixes a day and resubmits.
  await login.signIn('cadre07');
  await page.goto(sheetUrl);
  await expect(page.getByText('15日成效请写具体数字').first()).toBeVisible();
  await page.locator('li.day', { hasText: `走访河口村困难户${stamp}` }).getByRole('link', { name: '修改' }).click();
  await today.write(`走访河口村困难户${stamp}`, '了解诉求5条，当场解决2条，3条转交民政办', { village: '南片 · 河口村' });
  await page.goto(sheetUrl);
  await hydrated(page);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: '提交记录表' }).click();
  await expect(page.locator('.sheet-line .badge')).toHaveText('已提交');
  await expect(page.locator('.history li')).toHaveCount(3);
  // Both submissions stay readable: the first as handed in, with the return reason, and
  // the second with the changed day marked.
  const versions = page.locator('ol.versions > li');
  await expect(versions).toHaveCount(2);
  const first = versions.nth(0);
  await first.locator('summary').click();
  await expect(first.getByText('15日成效请写具体数字')).toBeVisible();
  await expect(first.locator('li.day', { hasText: `走访河口村困难户${stamp}` })).toContainText('了解诉求5条，当场解决2条');
  await expect(first.getByText('3条转交民政办')).toHaveCount(0);
  const second = versions.nth(1);
  await expect(second.locator('ul.changes')).toContainText('改了成效');
  await expect(second.locator('li.day.changed')).toContainText('3条转交民政办');
  await snap(page, '02b-sheet-versions');
  await login.signOut();

  // The general office finds it in the archive and opens the print view.
  await login.signIn('office1');
  await page.getByRole('link', { name: '档案' }).click();
  await page.getByLabel('内容关键词').fill(`困难户${stamp}`);
  await page.getByRole('button', { name: '查找' }).click();
  await expect(page.getByText('共 1 份')).toBeVisible();
  await snap(page, '04-archive');
  await page.getByRole('link', { name: '打印' }).click();
  await expect(page.getByRole('heading', { name: '求真务实记录表' })).toBeVisible();
  await expect(page.getByText('3条转交民政办')).toBeVisible();
  await snap(page, '05-print');
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: '党政办管理' })).toBeVisible();
  await hydrated(page);
  await snap(page, '07-admin');

  // The office makes an API token for another system; the secret shows once and works
  // for a server-to-server call (no cookie), with its one role.
  await page.locator('summary', { hasText: '系统对接令牌' }).click();
  await page.locator('#token-name').fill('办公室展示屏');
  const lead = await page.locator('#token-account option', { hasText: '(lead2)' }).getAttribute('value');
  await page.locator('#token-account').selectOption(lead!);
  await page.locator('#token-role').selectOption('supervisor');
  await page.getByRole('button', { name: '生成令牌' }).click();
  const secretBox = page.locator('#token-secret');
  await expect(secretBox).toHaveValue(/^xn_[0-9a-f]{64}$/);
  await snap(page, '07b-admin-token');
  const secret = await secretBox.inputValue();
  const api = await request.newContext({ baseURL: new URL(page.url()).origin });
  const inbox = await api.post('/api/v1/review/inbox', { headers: { Authorization: `Bearer ${secret}` }, data: {} });
  expect(inbox.status()).toBe(200);
  const office = await api.post('/api/v1/accounts/list', { headers: { Authorization: `Bearer ${secret}` }, data: {} });
  expect(office.status()).toBe(403);
  await api.dispose();
  expect(consoleErrors).toEqual([]);
});

test('English can be chosen and is remembered', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('link', { name: '中文' }).click();
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
});
