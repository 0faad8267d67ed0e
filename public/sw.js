// Tiaojie service worker (foundation version).
//
// Keeps the last good copy of what the app loaded, so a page that was opened
// online opens again without a network:
//  - content-hashed bundle files (/pkg/name.HASH.ext) never change: cache first;
//  - pages and everything else: network first, falling back to the cache.
// The full offline shell (precache, update prompt "有新版本，点击更新") is the
// offline-capture issue's work; this worker does not skip waiting, so a new
// version never swaps the code under an open page.
const VERSION = "tiaojie-v1";
const RUNTIME = `${VERSION}-runtime`;
const HASHED = /^\/pkg\/[^/]+\.[A-Za-z0-9_-]{16,}\.[a-z0-9.]+$/;

self.addEventListener("install", () => {
  // nothing to precache yet
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => !n.startsWith(VERSION)).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

// name.HASH.ext -> "name.*.ext", to find the older builds of the same file
function hashedFamily(pathname) {
  const parts = pathname.split(".");
  return parts.length >= 3 ? `${parts[0]}|${parts.slice(2).join(".")}` : null;
}

async function cacheFirst(request) {
  const cache = await caches.open(RUNTIME);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    // a new build replaces the old one: drop the older hashed copies
    const path = new URL(request.url).pathname;
    const family = hashedFamily(path);
    for (const old of await cache.keys()) {
      const oldPath = new URL(old.url).pathname;
      if (oldPath !== path && HASHED.test(oldPath) && hashedFamily(oldPath) === family) await cache.delete(old);
    }
  }
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(RUNTIME);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    // the home-screen icon opens /?source=pwa: any cached copy of the page will do
    const hit = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  // the API and health checks are never served from a cache
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz") return;
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(event.request) : networkFirst(event.request));
});
