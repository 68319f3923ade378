import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LoginPage, goOffline, hydrated } from './pages';
import { BIN, OwnServer, phone } from './server';

// A new build on the phone: the service worker that comes with it keeps the new build's
// files as one set and deletes the old one, and every page from then on — online or opened
// offline — runs the new JS with the new WASM (never one build's JS with another's WASM).

const PORT = Number(process.env.XN_E2E_UPDATE_PORT ?? 3170);

interface Build { bin: string; site: string; js: string; wasm: string; dir?: string }

/** The build the suite runs, then a copy of it whose JS, WASM and split loader carry new
 * names (as a new build's hashes would be), with its own binary beside its own hash.txt. */
function builds(): [Build, Build] {
  const root = resolve('..');
  const bin = resolve(root, BIN);
  const hashes = readFileSync(join(dirname(bin), 'hash.txt'), 'utf8');
  const hash = (kind: string) => hashes.match(new RegExp(`^${kind}:\\s*(\\S+)`, 'm'))?.[1] ?? '';
  const site = resolve(root, 'target/site');
  const first = { bin, site, js: `/pkg/xiaoneng.${hash('js')}.js`, wasm: `/pkg/xiaoneng.${hash('wasm')}.wasm` };

  const dir = mkdtempSync(join(tmpdir(), 'xn-next-build-'));
  const next = { bin: join(dir, 'xiaoneng'), site: join(dir, 'site'), js: '', wasm: '', dir };
  copyFileSync(bin, next.bin);
  cpSync(site, next.site, { recursive: true });
  const pkg = join(next.site, 'pkg');
  // The JS glue and the split loader name each other, and the WASM names the loader.
  const files = [
    { kind: 'js', name: 'xiaoneng', ext: 'js' },
    { kind: 'wasm', name: 'xiaoneng', ext: 'wasm' },
    { kind: 'split', name: '__wasm_split', ext: 'js' },
  ].filter((f) => hash(f.kind));
  const renames = files.map((f) => {
    const old = hash(f.kind);
    const now = `${old.slice(0, -2)}N2`;
    return { ...f, old, now, from: `${f.name}.${old}.${f.ext}`, to: `${f.name}.${now}.${f.ext}` };
  });
  let text = hashes;
  for (const r of renames) {
    // The precompressed copies would be the old content: the server sends the file itself.
    for (const f of readdirSync(pkg).filter((f) => f.startsWith(`${r.from}.`))) rmSync(join(pkg, f));
    renameSync(join(pkg, r.from), join(pkg, r.to));
    text = text.replace(new RegExp(`^${r.kind}:.*$`, 'm'), `${r.kind}: ${r.now}`);
    if (r.kind === 'js') next.js = `/pkg/${r.to}`;
    if (r.kind === 'wasm') next.wasm = `/pkg/${r.to}`;
  }
  // Each file that names another (the glue and the loader by script name, the WASM by the
  // loader's module name) names the new one: same lengths, so a byte-for-byte swap.
  for (const f of readdirSync(pkg).filter((f) => /\.(js|wasm)$/.test(f))) {
    const body = readFileSync(join(pkg, f));
    let changed = false;
    for (const r of renames) {
      const from = Buffer.from(r.from);
      const to = Buffer.from(r.to);
      for (let i = body.indexOf(from); i >= 0; i = body.indexOf(from, i + 1)) {
        to.copy(body, i);
        changed = true;
      }
    }
    if (changed) writeFileSync(join(pkg, f), body);
  }
  writeFileSync(join(dir, 'hash.txt'), text);
  return [first, next];
}

/** The worker's caches: each cache's name and the paths it holds. */
async function caches_(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      out[name] = (await (await caches.open(name)).keys()).map((k) => new URL(k.url).pathname);
    }
    return out;
  });
}

/** The JS and WASM a page loads, and where each came from. */
function watchPkg(page: Page): { js: string[]; wasm: string[]; network: string[] } {
  const seen = { js: [] as string[], wasm: [] as string[], network: [] as string[] };
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (!/^\/pkg\/xiaoneng\./.test(path)) return;
    if (path.endsWith('.js')) seen.js.push(path);
    if (path.endsWith('.wasm')) seen.wasm.push(path);
    if (!r.fromServiceWorker()) seen.network.push(path);
  });
  return seen;
}

test('a new build replaces the cached set as a whole, never a new JS with an old WASM', async ({ browser }) => {
  test.setTimeout(120_000);
  const [first, next] = builds();
  const dbDir = mkdtempSync(join(tmpdir(), 'xn-update-'));
  const server = new OwnServer(PORT, join(dbDir, 'e2e.db'));
  const context = await browser.newContext({ ...phone, baseURL: server.base });
  try {
    await server.start(first.bin, first.site);
    const page = await context.newPage();
    await new LoginPage(page).signIn('cadre13');
    await hydrated(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await hydrated(page);
    await expect.poll(async () => Object.values(await caches_(page)).flat()).toContain('/');
    const old = await caches_(page);
    const oldShell = Object.keys(old).find((n) => n.startsWith('xn-shell-'))!;
    expect(old[oldShell]).toEqual(expect.arrayContaining([first.js, first.wasm]));

    // The glue, the split loader and the main WASM are asked for again on every load (a new
    // build may keep their names with new content: they name each other); chunks are kept.
    const cacheControl = (path: string) => page.evaluate(async (p) => (await fetch(p, { cache: 'no-store' })).headers.get('cache-control'), path);
    expect(await cacheControl(first.js)).toContain('must-revalidate');
    expect(await cacheControl(first.wasm)).toContain('must-revalidate');
    const chunk = old[oldShell].find((f) => /^\/pkg\/chunk_/.test(f));
    if (chunk) expect(await cacheControl(chunk)).toContain('immutable');

    // The office deploys the next build: same database, new files.
    server.kill();
    await server.start(next.bin, next.site);
    await page.reload();
    await hydrated(page);
    // The new worker has taken over: only the new build's caches are left, and its set
    // holds the new pair and nothing of the old one.
    const shells = async () => Object.keys(await caches_(page)).filter((n) => n.startsWith('xn-shell-'));
    await expect.poll(async () => (await shells()).join(' '), { timeout: 30_000 }).toMatch(/^xn-shell-\S+$/);
    await expect.poll(async () => (await shells())[0], { timeout: 30_000 }).not.toBe(oldShell);
    const now = await caches_(page);
    const shell = now[Object.keys(now).find((n) => n.startsWith('xn-shell-'))!];
    expect(shell).toEqual(expect.arrayContaining([next.js, next.wasm]));
    expect(shell).not.toContain(first.js);
    expect(shell).not.toContain(first.wasm);
    expect(Object.keys(now).some((n) => n.startsWith('xn-pages-') && n.includes(oldShell.slice('xn-shell-'.length)))).toBe(false);
    // The kept Today was fetched again for the new build.
    await expect.poll(async () => Object.values(await caches_(page)).flat()).toContain('/');

    // Online, and then offline from the kept copy: the page runs the new pair, from the worker.
    for (const offline of [false, true]) {
      if (offline) await goOffline(context);
      const seen = watchPkg(page);
      await page.reload();
      await hydrated(page);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', '1');
      expect([...new Set(seen.js)]).toEqual([next.js]);
      expect([...new Set(seen.wasm)]).toEqual([next.wasm]);
      expect(seen.network).toEqual([]);
      if (offline) await expect(page.locator('#xn-offline')).toBeVisible();
    }
  } finally {
    await context.close();
    server.kill();
    // The next build's copy of the binary and site, and the database: not left in /tmp.
    for (const d of [next.dir, dbDir]) if (d) rmSync(d, { recursive: true, force: true });
  }
});
