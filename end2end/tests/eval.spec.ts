import { test, expect, request as pwRequest, type APIRequestContext } from '@playwright/test';
import { LoginPage, PASSWORD, collectErrors, hydrated, snap } from './pages';

// The three evaluations on a phone, in Chinese, against the demo township with the clock at
// 2026-07-03 10:00 (Shanghai): April and May are picked already; June is not. An area chief
// writes opinions, lead1 picks June with citations, the other leaders' June picks come in
// through the API, both principals decide the second quarter, it is published, the
// worst-named cadre appeals, the committee changes the result and it is re-published.

async function signedIn(baseURL: string, username: string): Promise<APIRequestContext> {
  // Like the site's own pages, state where the requests come from (cross-site ones are refused).
  const ctx = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Origin: new URL(baseURL).origin } });
  const r = await ctx.post('/api/v1/auth/sign_in', { data: { username, password: PASSWORD } });
  expect(r.ok()).toBeTruthy();
  return ctx;
}

test('opinions → monthly pick → quarterly decision → appeal → re-publication', async ({ page, baseURL }) => {
  const consoleErrors = collectErrors(page);
  const login = new LoginPage(page);

  // 1. An area chief sees the reminder and writes two opinions for June.
  await login.signIn('cadre01');
  await expect(page.locator('.reminders')).toContainText('片长意见');
  await page.locator('.reminders a').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('片长意见');
  await expect(page.locator('.period-nav strong')).toHaveText('2026年6月');
  await hydrated(page);
  const people = page.locator('section.person');
  for (const [i, text] of [[0, '六月驻村抗旱，入户走访到位'], [1, '下村次数偏少，需加强']] as const) {
    const card = people.nth(i);
    await card.getByLabel('意见').fill(text);
    await card.getByLabel('评分').selectOption(i === 0 ? '5' : '2');
    // Saving reloads the page from the server.
    await Promise.all([page.waitForEvent('load'), card.getByRole('button', { name: '保存意见' }).click()]);
    await hydrated(page);
    await expect(people.nth(i).locator('textarea')).toHaveValue(text);
  }
  await snap(page, '11-opinions');
  await login.signOut();

  // 2. lead1 picks June's best and worst, citing entries.
  await login.signIn('lead1');
  await page.goto('/eval/pick');
  await expect(page.locator('.period-nav strong')).toHaveText('2026年6月');
  await hydrated(page);
  // An incomplete pick is refused with a message in Chinese, and nothing is stored.
  await page.getByRole('button', { name: '提交月评' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '只能评选自己分管的干部' })).toBeVisible();
  // That refusal (422) was expected; forget it before checking for unexpected errors.
  consoleErrors.length = 0;
  const bestSel = page.locator('#best-0-cadre');
  const options = await bestSel.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v));
  expect(options.length).toBeGreaterThan(2);
  await bestSel.selectOption(options[0]);
  await page.locator('#best-0-reason').fill('六月记录完整，抗旱保苗成效明显');
  await page.locator('.pick-best .cite input').first().check();
  await page.locator('#worst-0-cadre').selectOption(options[1]);
  await page.locator('#worst-0-reason').fill('六月多日未记，交办事项滞后');
  await page.locator('.pick-worst .cite input').first().check();
  if (await page.locator('#confirm-missing').count()) {
    await page.locator('#confirm-missing').check();
  }
  await snap(page, '12-pick-form');
  await page.getByRole('button', { name: '提交月评' }).click();
  await expect(page.locator('section.result')).toContainText('六月记录完整');
  await expect(page.locator('section.result .citations a').first()).toBeVisible();
  await snap(page, '13-pick-locked');
  await login.signOut();

  // 3. The other leaders' June picks arrive through the API.
  for (let n = 2; n <= 8; n++) {
    const api = await signedIn(baseURL!, `lead${n}`);
    const board = await (await api.post('/api/v1/eval/pick_board', { data: { month: '2026-06' } })).json();
    const c = board.candidates.filter((x: any) => x.entries.length > 0);
    const line = (x: any, reason: string) => ({ cadre: x.cadre.id, reason, citations: [x.entries[0].entry] });
    const r = await api.post('/api/v1/eval/submit_pick', {
      data: { input: { month: '2026-06', best: [line(c[0], '六月表现突出')], worst: [line(c[1], '六月工作滞后')], confirm_missing: true } },
    });
    expect(r.ok(), await r.text()).toBeTruthy();
    await api.dispose();
  }

  // 4. The Party secretary chooses from the pool and confirms.
  await login.signIn('shuji');
  await expect(page.locator('.reminders')).toContainText('季评');
  await page.goto('/eval/quarter');
  await hydrated(page);
  await expect(page.locator('.period-nav strong')).toHaveText('2026年第2季度');
  await expect(page.locator('.pool-pick').first()).toBeVisible();
  await snap(page, '14-pool');
  const ids = async (kind: string) =>
    page.locator(`input[id^="q-${kind}-"]`).evaluateAll((es) => es.map((e) => e.id.split('-')[2]));
  const want = async (idx: number) =>
    Number((await page.locator('.quarter-form legend .count').nth(idx).innerText()).split('/')[1]);
  const wantBest = await want(0);
  const wantWorst = await want(1);
  const best = (await ids('best')).slice(0, wantBest);
  const worst = (await ids('worst')).filter((i) => !best.includes(i)).slice(0, wantWorst);
  for (const i of best) await page.locator(`#q-best-${i}`).check();
  for (const i of worst) await page.locator(`#q-worst-${i}`).check();
  await page.getByRole('button', { name: '确认', exact: true }).click();
  await expect(page.locator('p.ok', { hasText: '我的选择' })).toBeVisible();
  await expect(page.getByRole('button', { name: '撤回我的选择' })).toBeVisible();
  await login.signOut();

  // 5. The township head confirms the same lists: decided; then publishes.
  await login.signIn('zhenzhang');
  await page.goto('/eval/quarter?quarter=2026-Q2');
  await hydrated(page);
  for (const i of best) await page.locator(`#q-best-${i}`).check();
  for (const i of worst) await page.locator(`#q-worst-${i}`).check();
  await page.getByRole('button', { name: '确认', exact: true }).click();
  await expect(page.locator('section.result')).toContainText('尚未发布');
  await hydrated(page);
  await page.getByRole('button', { name: '发布结果' }).click();
  await expect(page.locator('section.result')).toContainText('发布于');
  await snap(page, '15-published');
  const resultUrl = await page.locator('section.result h2 a').getAttribute('href');
  await login.signOut();

  // 6. The first worst-named cadre appeals.
  const office = await signedIn(baseURL!, 'office1');
  const accounts = await (await office.post('/api/v1/accounts/list', { data: {} })).json();
  const worstOne = accounts.find((a: any) => String(a.id) === worst[0]);
  await office.dispose();
  await login.signIn(worstOne.username);
  await expect(page.locator('.reminders')).toContainText('复评');
  await page.goto('/eval/mine');
  await hydrated(page);
  const naming = page.locator('section.my-naming', { hasText: '2026年第2季度' });
  await naming.getByLabel('申请理由').fill('六月在村里抗旱二十天，记录表均有记载，请求复核');
  await naming.getByRole('button', { name: '申请复评' }).click();
  await expect(page.locator('section.my-naming', { hasText: '2026年第2季度' })).toContainText('待答复');
  await snap(page, '16-appealed');
  await login.signOut();

  // 7. The committee (lead1, 纪委书记) changes the result; it is re-published.
  await login.signIn('lead1');
  await page.goto('/eval/appeals');
  await hydrated(page);
  const card = page.locator('section.card', { hasText: worstOne.name }).filter({ hasText: '2026年第2季度' });
  await card.getByLabel('复评结论').selectOption('change');
  const rep = card.getByLabel('改定人选');
  const repOptions = await rep.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v));
  if (repOptions.length > 0) {
    await rep.selectOption(repOptions[0]);
  } else {
    await card.getByLabel('复评结论').selectOption('overturn');
  }
  await card.getByLabel('答复').fill('经核查抗旱记录属实，改定原评定');
  await snap(page, '17-answer');
  await card.getByRole('button', { name: '提交答复' }).click();
  await expect(page.getByText('经核查抗旱记录属实')).toBeVisible();
  await page.goto(resultUrl!);
  await expect(page.locator('section.result')).toContainText('第 2 版');
  await expect(page.locator('li.withdrawn')).toContainText(worstOne.name);
  await snap(page, '18-republished');
  await page.goto('/eval?month=2026-06');
  await expect(page.locator('table.calendar')).toContainText('季度再评');
  await snap(page, '19-calendar');
  expect(consoleErrors).toEqual([]);
});

// Runs after the flow above in the same server (the second quarter is published and one
// naming changed by the committee): the outcomes appear, the Party secretary records a
// talk, the office publishes and prints the commendation notice and downloads the ledger.
test('published result → outcomes → a talk → the notice printed → the ledger downloaded', async ({ page }) => {
  const consoleErrors = collectErrors(page);
  const login = new LoginPage(page);

  // 1. The Party secretary sees the quarter's outcomes and the open cases.
  await login.signIn('shuji');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '奖惩' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('三奖惩');
  const q2 = page.locator('section.quarter-outcomes[data-quarter="2026-Q2"]');
  await expect(q2.locator('.outcome-commendation').first()).toBeVisible();
  await expect(q2.locator('.outcome-talk').first()).toBeVisible();
  // The naming the committee withdrew shows its outcomes withdrawn, with the history kept.
  await expect(q2.locator('.badge.status-withdrawn').first()).toBeVisible();
  await snap(page, '20-rewards');

  // 2. He records the talk with one of the worst-named cadres.
  const talk = page.locator('#cases li.case-row', { hasText: '谈话' }).filter({ hasText: '2026年第2季度' }).first();
  const who = (await talk.locator('strong').innerText()).trim();
  await talk.locator('a').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(who);
  await hydrated(page);
  const form = page.locator('section.note-form[data-note="talk"]');
  await form.getByLabel('谈话内容').fill('指出六月记录不全、交办事项滞后，要求每周汇报');
  await form.getByLabel('本人表态').fill('接受，保证按期整改');
  await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: '保存谈话记录' }).click()]);
  await expect(page.locator('.case-head .case-done')).toHaveText('已完成');
  await expect(page.locator('ol.notes')).toContainText('接受，保证按期整改');
  await snap(page, '21-talk');
  await login.signOut();

  // 3. The office drafts and publishes the commendation notice, then prints it.
  await login.signIn('office1');
  await page.goto('/rewards');
  await hydrated(page);
  const q2o = page.locator('section.quarter-outcomes[data-quarter="2026-Q2"]');
  await Promise.all([page.waitForURL(/\/notices\/\d+$/), q2o.getByRole('button', { name: '起草表扬通报' }).click()]);
  await expect(page.locator('.notice-doc h1')).toContainText('通报表扬');
  await hydrated(page);
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '正式发布' }).click()]);
  await expect(page.locator('.notice-doc .doc-number')).toHaveText(/^镇效通〔2026〕\d+号$/);
  await expect(page.locator('.notice-doc tbody tr').first()).toBeVisible();
  await snap(page, '22-notice');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('header.topbar')).toBeHidden();
  await expect(page.locator('.notice-doc')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/23-notice-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  const [notice] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载' }).click()]);
  expect(notice.suggestedFilename()).toMatch(/^notice-2026-Q2-\d+\.html$/);

  // 4. The ledger of the quarter, and the Excel file for finance.
  await page.goto('/ledger?period=2026-Q2');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('奖金台账');
  await expect(page.locator('li.adj-uplift').first()).toBeVisible();
  await snap(page, '24-ledger');
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 Excel' }).click()]);
  expect(xlsx.suggestedFilename()).toBe('ledger-2026-Q2.xlsx');
  const path = await xlsx.path();
  const fs = await import('node:fs');
  const bytes = fs.readFileSync(path);
  // An XLSX file is a ZIP archive.
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(consoleErrors).toEqual([]);
});
