// Tiaojie service worker. The server serves this file at /sw.js with two
// constants in front (see server/src/offline.rs):
//   BUILD    — this build's id (the bundle's content hashes);
//   PRECACHE — the app shell and every file it needs to start.
//
// - install: precache everything under a cache named for the build; do NOT
//   take over (no skipWaiting): the open app announces "有新版本，点击更新"
//   and the user decides when to switch;
// - activate: drop other builds' caches, take control of open pages;
// - page navigations: the cached shell (the app renders the page from the
//   phone's store), so any URL opens with no network, even on a cold start;
// - precached files: from the cache; other GETs: network first, cached copy
//   when offline. The API is never cached.
/* global BUILD, PRECACHE */
const SHELL_CACHE = `tiaojie-shell-${BUILD}`;
const RUNTIME = "tiaojie-runtime";
const SHELL_URL = PRECACHE[0];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // `reload`: straight from the server, never an HTTP-cached older copy
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n !== SHELL_CACHE && n !== RUNTIME).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "BUILD" && event.ports[0]) event.ports[0].postMessage(BUILD);
});

// Background Sync (Chrome on Android): registered by the app when a sync
// could not reach the server; fired once the network is back. The sync runs
// in the page (the Rust code), so the worker asks the open app to run it.
self.addEventListener("sync", (event) => {
  if (event.tag !== "tiaojie-sync") return;
  event.waitUntil(
    self.clients
      .matchAll({ type: "window" })
      .then((clients) => clients.forEach((client) => client.postMessage({ type: "tiaojie-sync" }))),
  );
});

function isPage(request, url) {
  if (request.mode !== "navigate") return false;
  // files (with an extension) and server endpoints are not app pages
  const last = url.pathname.split("/").pop();
  return !last.includes(".") && !url.pathname.startsWith("/api/") && url.pathname !== "/healthz";
}

async function shell(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(SHELL_URL);
  if (hit) return hit;
  // not installed yet: the server renders the page
  return fetch(request);
}

async function precached(request) {
  const hit = await caches.match(request, { cacheName: SHELL_CACHE });
  return hit || fetch(request);
}

async function networkFirst(request) {
  const cache = await caches.open(RUNTIME);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = (await cache.match(request)) || (await caches.match(request, { cacheName: SHELL_CACHE }));
    if (hit) return hit;
    throw err;
  }
}

const PRECACHED = new Set(PRECACHE);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz" || url.pathname === "/sw.js") return;
  if (isPage(request, url)) {
    event.respondWith(shell(request));
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(precached(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
