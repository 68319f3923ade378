// Loaded by every page (plain script, deferred, no build step).
"use strict";

// Pages without an island load no WASM. The islands' files are named by the preloads Leptos
// writes into <template id="xn-islands">; only a page with an island puts them into the page,
// loads the JS glue and the WASM, and makes each island live in document order. Islands that
// are not on Today are lazy: their code is a chunk of its own, fetched when its island is
// made live (the split build's loader script fetches it). `data-hydrated` on <body> says
// that every island has been tried: "1" all live, "partial" when one failed (its chunk did
// not arrive, say), "none" when the page has none.
(() => {
  const loader = document.getElementById("xn-islands");
  if (!loader) return;
  if (!document.querySelector("leptos-island")) {
    document.body.dataset.hydrated = "none";
    return;
  }
  const links = Array.from(loader.content.querySelectorAll("link"));
  const href = (sel) => links.find((l) => l.matches(sel))?.getAttribute("href");
  const js = href('link[rel="modulepreload"]');
  const wasm = href('link[rel="preload"][as="fetch"]');
  if (!js || !wasm) return;
  document.head.append(...links.map((l) => document.importNode(l, true)));
  // The callbacks of the <leptos-children> being walked (an island inside another's children).
  const childrenCallbacks = [];
  let failed = false;
  async function island(el, mod) {
    const live = mod[el.dataset.component];
    if (!live) {
      console.warn(`no WASM function for the island ${el.dataset.component}`);
      failed = true;
      return;
    }
    childrenCallbacks[childrenCallbacks.length - 1]?.();
    try {
      await live(el);
    } catch (e) {
      console.error(e);
      failed = true;
    }
  }
  async function walk(node, mod) {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const tag = node.tagName.toLowerCase();
    if (tag === "leptos-island") await island(node, mod);
    if (tag === "leptos-children") childrenCallbacks.push(node.$$on_hydrate);
    for (const child of node.children) await walk(child, mod);
    if (tag === "leptos-children") childrenCallbacks.pop();
  }
  const start = async () => {
    const mod = await import(js);
    await mod.default({ module_or_path: wasm });
    mod.hydrate();
    await walk(document.body, mod);
    document.body.dataset.hydrated = failed ? "partial" : "1";
  };
  const go = () => start().catch((e) => console.error(e));
  if ("requestIdleCallback" in window) requestIdleCallback(go, { timeout: 2000 });
  else setTimeout(go, 0);
})();

// The service worker keeps the app's files and the signed-in person's Today and sheet pages
// for offline use.
if ("serviceWorker" in navigator) {
  addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without a worker (private mode, an old browser) every page still works online.
    });
  });
}

// The outbox: lines saved on this phone that have not reached the server yet, one IndexedDB
// store keyed by client id. The Today island (Rust) decides what to send and sends it; this
// only stores, and lends a line to one tab at a time (`claim`: a lease in the same
// transaction that reads it, so two tabs never send a line at once).
self.xnOutbox = (() => {
  const STORE = "lines";
  let opened = null;
  function open() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const r = indexedDB.open("xn-outbox", 1);
        r.onupgradeneeded = () =>
          r.result.createObjectStore(STORE, { keyPath: "client_id" }).createIndex("person", "person");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      opened.catch(() => (opened = null));
    }
    return opened;
  }
  // Runs `work(store, setResult)` in one transaction; resolves once it is committed.
  function run(mode, work) {
    return open().then(
      (db) =>
        new Promise((resolve, reject) => {
          const tx = db.transaction(STORE, mode);
          let result;
          work(tx.objectStore(STORE), (v) => (result = v));
          tx.oncomplete = () => resolve(result);
          tx.onerror = tx.onabort = () => reject(tx.error);
        }),
    );
  }
  function ofPerson(store, person, then) {
    const r = store.index("person").getAll(person);
    r.onsuccess = () => then(r.result);
  }
  return {
    // A new line, in place of the same person's unsent line of the same day.
    save(json) {
      const line = JSON.parse(json);
      return run("readwrite", (s) =>
        ofPerson(s, line.person, (all) => {
          for (const o of all) if (o.day === line.day && o.client_id !== line.client_id) s.delete(o.client_id);
          s.put(line);
        }),
      );
    },
    // A line written back, only if it is still there (not deleted or replaced meanwhile).
    update(json) {
      const line = JSON.parse(json);
      return run("readwrite", (s) => {
        const r = s.getKey(line.client_id);
        r.onsuccess = () => r.result !== undefined && s.put(line);
      });
    },
    list(person) {
      return run("readonly", (s, set) =>
        ofPerson(s, person, (all) => {
          all.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
          // Each line as its own JSON text: one that does not read stays stored and the
          // others still go.
          set(JSON.stringify(all.map((l) => JSON.stringify(l))));
        }),
      );
    },
    remove(id) {
      return run("readwrite", (s) => s.delete(id));
    },
    // Lends a queued line to `tab` for `lease` ms unless another tab holds it: the line as
    // lent (its send counted), or null. The same rule as `OutboxLine::sendable`/`sending`.
    claim(id, tab, now, lease) {
      return run("readwrite", (s, set) => {
        const r = s.get(id);
        r.onsuccess = () => {
          const l = r.result;
          const held = l && l.lease_tab && l.lease_tab !== tab && l.lease_until > now;
          if (!l || held || l.state !== "queued") return set(null);
          l.attempts += 1;
          l.lease_tab = tab;
          l.lease_until = now + lease;
          s.put(l);
          set(JSON.stringify(l));
        };
      });
    },
    count(person) {
      return run("readonly", (s, set) => {
        const r = s.index("person").count(person);
        r.onsuccess = () => set(r.result);
      });
    },
    // Asks the browser not to drop the store when space runs short.
    persist() {
      const st = navigator.storage;
      if (!st || !st.persist) return Promise.resolve("unsupported");
      return st
        .persisted()
        .then((p) => p || st.persist())
        .then((p) => (p ? "granted" : "denied"), () => "unsupported");
    },
  };
})();

// Signing out with unsent lines asks first: they are sent only when the same person signs
// in again.
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/logout") return;
  const person = Number(form.dataset.person);
  if (!person || !form.dataset.unsent) return;
  ev.preventDefault();
  self.xnOutbox.count(person).then(
    (n) => (n === 0 || confirm(form.dataset.unsent.replace("{n}", n))) && form.submit(),
    () => form.submit(),
  );
});
