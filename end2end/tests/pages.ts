import { expect, type BrowserContext, type Page, type Route } from '@playwright/test';

export const PASSWORD = 'xiaoneng2026';

/** Sign-in page. */
export class LoginPage {
  constructor(private page: Page) {}
  async signIn(username: string) {
    await this.page.goto('/login');
    await this.page.getByLabel('用户名').fill(username);
    await this.page.getByLabel('密码').fill(PASSWORD);
    await this.page.getByRole('button', { name: '登录' }).click();
    await expect(this.page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  }
  async signOut() {
    await this.page.getByRole('button', { name: '退出' }).click();
    await expect(this.page.getByRole('button', { name: '登录' })).toBeVisible();
  }
}

/** The Today form. */
export class TodayPage {
  constructor(private page: Page) {}
  async write(work: string, outcome: string, opts: { village?: string } = {}) {
    // The interactive save (the plain form is tested without JavaScript).
    await hydrated(this.page);
    await this.page.getByLabel('工作', { exact: true }).fill(work);
    await this.page.getByLabel('成效', { exact: true }).fill(outcome);
    if (opts.village) {
      await this.page.getByRole('radio', { name: '村', exact: true }).check();
      await this.page.getByLabel('所在村').selectOption({ label: opts.village });
    } else {
      await this.page.getByRole('radio', { name: '机关', exact: true }).check();
    }
    await this.page.getByRole('button', { name: '保存' }).click();
    await expect(this.page.getByRole('status')).toContainText('已保存');
  }
}

/** Screenshots for people to look at (kept under test-results/). */
export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** Waits until the page's interactive parts (islands) are live. */
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}

/** Collects browser errors and unexpected 4xx/5xx answers for a test to check at its end. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  return errors;
}

// Offline as a phone is: the browser's own requests and the service worker's both fail.
function abortServiceWorker(route: Route) {
  return route.request().serviceWorker() ? route.abort('internetdisconnected') : route.continue();
}
export async function goOffline(context: BrowserContext) {
  await context.setOffline(true);
  await context.route('**', abortServiceWorker);
}
export async function goOnline(context: BrowserContext) {
  await context.unroute('**', abortServiceWorker);
  await context.setOffline(false);
}
