// Loaded by every page (plain script, deferred, no build step).
"use strict";

// Pages without an island load no WASM: the Leptos loader (its preloads and its module
// script, with the page's nonce) waits in <template id="xn-islands"> and is put into the
// page only when the page has an island to make interactive.
(() => {
  const loader = document.getElementById("xn-islands");
  if (!loader) return;
  if (document.querySelector("leptos-island")) {
    document.head.append(document.importNode(loader.content, true));
  } else {
    // Nothing to hydrate: the page is as interactive as it gets.
    document.body.dataset.hydrated = "none";
  }
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
