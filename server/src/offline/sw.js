// Xiaoneng's service worker, written by hand (no library). The server fills in the two
// values below for the build it serves, so a new build is a new worker:
//   BUILD  the build's id (the content hashes of its JS, WASM and CSS),
//   SHELL  the files every page needs: the hashed JS, WASM and CSS, icons, the offline page.
// The shell is cached as one set per build (install fails unless every file arrives, so a
// new JS never meets an old WASM) and served from the cache; pages are fetched from the
// network and the signed-in person's Today and sheet pages kept for offline use, in a cache
// of the same build (their HTML names the build's files). Signing in or out clears them.
"use strict";

const BUILD = __XN_BUILD__;
const SHELL = __XN_SHELL__;
const SHELL_CACHE = `xn-shell-${BUILD}`;
const PAGES_CACHE = `xn-pages-${BUILD}`;
const OFFLINE = "/offline";
// Pages kept for offline use: Today and the cadre's own sheets.
const KEEP = [/^\/$/, /^\/sheets\/\d+$/, /^\/my-sheet\/[0-9a-z-]+$/];
const MAX_PAGES = 8;
// How long a navigation waits for the network before the kept copy is shown.
const NETWORK_WAIT_MS = 5000;
// Requests that change who is signed in: the kept pages belong to the one before.
const SESSION_CHANGES = new Set(["/login", "/logout", "/api/v1/auth/sign_in", "/api/v1/auth/sign_out"]);
const SHELL_PATHS = new Set(SHELL);
// Requests that change what the kept pages show (a save, a submit): once one went through,
// the kept pages are fetched again, so a page opened offline names the entry's version.
const CHANGES_KEPT = /^\/(api\/v1\/record\/(save_entry|submit)|today)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(SHELL.map((u) => new Request(u, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      // Pages kept by an older build name that build's files: fetch them again for this
      // one (best effort), then drop every other build's caches.
      const again = [];
      for (const name of names.filter((n) => n.startsWith("xn-pages-") && n !== PAGES_CACHE)) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) again.push(req.url);
      }
      await Promise.all(
        names
          .filter((n) => n.startsWith("xn-") && n !== SHELL_CACHE && n !== PAGES_CACHE)
          .map((n) => caches.delete(n)),
      );
      await self.clients.claim();
      await fetchAgain(again);
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES_CACHE));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== "GET") {
    if (SESSION_CHANGES.has(url.pathname)) event.waitUntil(caches.delete(PAGES_CACHE));
    else if (CHANGES_KEPT.test(url.pathname)) event.respondWith(thenRefresh(event, req));
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(navigate(event, req, url));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shellFile(req));
  }
});

async function thenRefresh(event, req) {
  const res = await fetch(req);
  if (res.ok || res.type === "opaqueredirect") {
    event.waitUntil(
      caches
        .open(PAGES_CACHE)
        .then((c) => c.keys())
        .then((keys) => fetchAgain(keys.map((k) => k.url))),
    );
  }
  return res;
}

/// Fetches pages again and keeps them (best effort: offline, they are kept on a later visit).
async function fetchAgain(urls) {
  for (const url of urls) {
    try {
      await keep(url, await fetch(url, { credentials: "same-origin", redirect: "manual" }));
    } catch (_) {
      // Offline now; kept again on the next visit.
    }
  }
}

async function shellFile(req) {
  const hit = await caches.match(req, { cacheName: SHELL_CACHE });
  return hit || fetch(req);
}

/// The key a page is kept under: its path and query, without the app's `source` mark.
function pageKey(url) {
  const u = new URL(url);
  u.searchParams.delete("source");
  u.hash = "";
  return u.toString();
}

async function navigate(event, req, url) {
  const kept = KEEP.some((re) => re.test(url.pathname));
  const network = fetch(req);
  if (kept) {
    event.waitUntil(network.then((res) => keep(req.url, res.clone())).catch(() => {}));
  }
  const copy = () => (kept ? caches.match(pageKey(req.url), { cacheName: PAGES_CACHE }) : null);
  try {
    const res = await (kept ? withTimeout(network, NETWORK_WAIT_MS) : network);
    // A proxy's 502/503 while the signal is bad: the kept copy is more use.
    const keptCopy = res.status >= 500 ? await copy() : null;
    return keptCopy ? offlineCopy(keptCopy) : res;
  } catch (_) {
    const keptCopy = await copy();
    if (keptCopy) return offlineCopy(keptCopy);
    const offline = await caches.match(OFFLINE, { cacheName: SHELL_CACHE });
    return offline || Response.error();
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/// Keeps a signed-in person's page: only a whole page (200) that names its person; a page
/// of another person first clears those of the one before.
async function keep(url, res) {
  const person = res.headers.get("x-xn-person");
  if (res.status !== 200 || !person || res.redirected) return;
  let cache = await caches.open(PAGES_CACHE);
  const [first] = await cache.keys();
  const before = first ? await cache.match(first) : null;
  if (before && before.headers.get("x-xn-person") !== person) {
    await caches.delete(PAGES_CACHE);
    cache = await caches.open(PAGES_CACHE);
  }
  const headers = new Headers(res.headers);
  headers.set("x-xn-kept-at", new Date().toISOString());
  const body = await res.blob();
  const key = pageKey(url);
  await cache.put(key, new Response(body, { status: 200, headers }));
  const all = (await cache.keys()).map((r) => r.url).filter((u) => u !== key);
  for (const old of all.slice(0, Math.max(0, all.length + 1 - MAX_PAGES))) await cache.delete(old);
}

/// A kept page as shown offline: its banner says it is offline and since when.
async function offlineCopy(res) {
  const at = new Date(res.headers.get("x-xn-kept-at") || Date.now());
  let html = await res.text();
  const en = /<html[^>]*lang="en/.test(html);
  const two = (n) => String(n).padStart(2, "0");
  const hm = `${two(at.getHours())}:${two(at.getMinutes())}`;
  const when = en
    ? `${at.getMonth() + 1}/${at.getDate()} ${hm}`
    : `${at.getMonth() + 1}月${at.getDate()}日 ${hm}`;
  html = html
    .replace(/(<[^>]*id="xn-offline"[^>]*?)\shidden(="")?/, "$1")
    .replace("__XN_KEPT_AT__", when);
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(html, { status: 200, headers });
}
