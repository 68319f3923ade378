import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { LoginPage, goOffline, goOnline, hydrated, snap } from './pages';

// The installable app on a phone: the service worker keeps the build's files as one set and
// the signed-in cadre's Today page; a repeat visit fetches no JS, WASM or CSS; offline, the
// kept page opens with a banner saying since when, other pages show the offline page;
// signing out forgets the kept pages.


/** Waits until a service worker controls the page and has kept the page at `path`. */
async function kept(page: Page, path: string) {
  await page.waitForFunction(async (p) => {
    if (!navigator.serviceWorker.controller) return false;
    for (const name of await caches.keys()) {
      if (!name.startsWith('xn-pages-')) continue;
      const keys = await (await caches.open(name)).keys();
      if (keys.some((k) => new URL(k.url).pathname === p)) return true;
    }
    return false;
  }, path);
}

test('Today opens offline from the phone, other pages say they are offline', async ({ page, context }) => {
  const login = new LoginPage(page);
  await login.signIn('cadre11');
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first page was loaded before the worker took control: load it once through it.
  await page.reload();
  await kept(page, '/');

  // One set of files for one build, and it is exactly what the page names.
  const set = await page.evaluate(async () => {
    const shells = (await caches.keys()).filter((n) => n.startsWith('xn-shell-'));
    const keys = shells.length ? await (await caches.open(shells[0])).keys() : [];
    const named = [
      ...Array.from(document.querySelectorAll('link[rel=modulepreload], link[rel=preload], link[rel=stylesheet]')),
    ].map((l) => new URL((l as HTMLLinkElement).href).pathname);
    return { shells: shells.length, keys: keys.map((k) => new URL(k.url).pathname), named };
  });
  expect(set.shells).toBe(1);
  expect(set.named.length).toBeGreaterThanOrEqual(3);
  for (const f of set.named) expect(set.keys).toContain(f);

  // A repeat visit takes the JS, WASM and CSS from the worker: no bytes over the network.
  const fromNetwork: string[] = [];
  let servedByWorker = 0;
  const count = (r: import('@playwright/test').Response) => {
    if (!new URL(r.url()).pathname.startsWith('/pkg/')) return;
    if (r.fromServiceWorker()) servedByWorker += 1;
    else fromNetwork.push(r.url());
  };
  page.on('response', count);
  await page.reload();
  await hydrated(page);
  page.off('response', count);
  expect(fromNetwork).toEqual([]);
  expect(servedByWorker).toBeGreaterThanOrEqual(2);
  console.log(`repeat visit of Today: ${servedByWorker} files from the service worker, 0 bytes of JS/WASM/CSS over the network`);

  // Offline: Today opens from the phone with the banner; the page's islands still start.
  await goOffline(context);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('今日');
  const banner = page.locator('#xn-offline');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/没有网络：这是 \d+月\d+日 \d\d:\d\d 存下的页面/);
  await hydrated(page);
  await snap(page, 'offline-today');
  // A page that was never kept: the offline page, in Chinese.
  await page.goto('/eval').catch(() => {});
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('现在没有网络');
  await snap(page, 'offline-page');
  await page.getByRole('link', { name: '回到今日' }).click();
  await expect(page.locator('#xn-offline')).toBeVisible();

  // Back online: the page is fresh again; signing out forgets every kept page.
  await goOnline(context);
  await page.goto('/');
  await expect(page.locator('#xn-offline')).toBeHidden();
  await login.signOut();
  const left = await page.evaluate(async () => {
    let n = 0;
    for (const name of await caches.keys()) {
      if (name.startsWith('xn-pages-')) n += (await (await caches.open(name)).keys()).length;
    }
    return n;
  });
  expect(left).toBe(0);
});
