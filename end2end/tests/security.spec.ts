import { test, expect, type Page } from '@playwright/test';
import { LoginPage, TodayPage, hydrated, snap } from './pages';

// Hostile text in Chromium: script and event-handler payloads typed into Today, put into a
// notice draft, searched for in the archive and sent in query parameters. Any dialog, any
// script that runs (window.__xss), any Content-Security-Policy violation or browser error
// fails the test. Runs on the evaluation server (2026-07-03) after the evaluation flow.
const payload = (tag: string) =>
  `"'><svg onload=window.__xss='${tag}'></textarea><script>window.__xss='${tag}2'</script><img src=x onerror="window.__xss='${tag}3';alert(3)">`;

/** Records dialogs, browser errors and CSP violations of a page, from before its scripts run. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return problems;
}

async function noScriptRan(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
}

/** A JSON API call from the page itself (the browser adds Origin and Sec-Fetch-Site). */
async function api(page: Page, path: string, body: unknown) {
  return page.evaluate(async ([p, b]) => {
    const r = await fetch(`/api/v1/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return { status: r.status, json: await r.json() };
  }, [path, body] as const);
}

test('script payloads stay text everywhere they are shown', async ({ page }) => {
  const problems = await watch(page);
  const login = new LoginPage(page);
  const today = new TodayPage(page);

  // 1. A cadre writes the payload as the day's two lines.
  await login.signIn('cadre08');
  await hydrated(page);
  const lines = payload('today');
  await today.write(lines, lines);
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('工作', { exact: true })).toHaveValue(lines);
  await expect(page.getByLabel('成效', { exact: true })).toHaveValue(lines);
  await noScriptRan(page);
  // 2. The reflected link from the report: the text in the URL is not shown at all.
  const reflected = payload('reflected');
  await page.goto(`/?error=empty&field=work&work=${encodeURIComponent(reflected)}`);
  await hydrated(page);
  await expect(page.getByLabel('工作', { exact: true })).not.toHaveValue(reflected);
  await noScriptRan(page);
  // 3. The sheet and its print view show the lines as text.
  await page.getByRole('link', { name: '查看本旬记录表' }).click();
  await expect(page.getByText(lines).first()).toBeVisible();
  const sheet = page.url();
  await page.goto(`${sheet}/print`);
  await expect(page.getByText(lines).first()).toBeVisible();
  await noScriptRan(page);
  await snap(page, '30-hostile-print');
  await page.goto('/');
  await login.signOut();

  // 4. The office: the archive search for the payload, and a notice draft full of it.
  await login.signIn('office1');
  const search = `"'></textarea><svg onload=window.__xss='s'>`;
  await page.goto(`/archive?text=${encodeURIComponent(search)}`);
  await hydrated(page);
  await expect(page.locator('input[name="text"]')).toHaveValue(search);
  await noScriptRan(page);
  const board = await api(page, 'rewards/board', {});
  expect(board.status).toBe(200);
  // A correction of a published notice gives a draft to fill (or one left from before).
  type Summary = { id: number; published: boolean; corrected_by: number | null };
  let draftId = board.json.notices.find((n: Summary) => !n.published)?.id;
  if (!draftId) {
    const published = board.json.notices.find((n: Summary) => n.published && !n.corrected_by);
    expect(published).toBeTruthy();
    const original = await api(page, 'notices/get', { id: published.id });
    const draft = await api(page, 'notices/draft', { result: original.json.result, kind: original.json.kind, corrects: published.id });
    expect(draft.status, JSON.stringify(draft.json)).toBe(200);
    draftId = draft.json.id;
  }
  const text = payload('notice');
  const short = `"'></textarea><svg onload=window.__xss='t'>`;
  const updated = await api(page, 'notices/update', { id: draftId, title: short, preamble: text, issuer: short });
  expect(updated.status, JSON.stringify(updated.json)).toBe(200);
  await page.goto(`/notices/${draftId}`);
  await hydrated(page);
  await expect(page.getByLabel('正文')).toHaveValue(text);
  await expect(page.locator('.notice-doc h1')).toHaveText(short);
  await expect(page.locator('.notice-doc .doc-text')).toHaveText(text);
  await noScriptRan(page);
  await snap(page, '31-hostile-notice');
  // The downloaded file carries the text escaped.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载' }).click()]);
  const fs = await import('node:fs');
  const html = fs.readFileSync(await file.path(), 'utf8');
  expect(html).not.toContain('<svg onload');
  expect(html).not.toContain('<script>window');
  expect(html).toContain('&lt;svg onload');

  expect(problems).toEqual([]);
});
