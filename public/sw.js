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

// Periodic Background Sync (Chrome, installed app): woken about twice a
// day, the worker reminds of open screening duties. The reminders are
// computed in the page (Rust); it leaves the last counts in IndexedDB
// (`meta` key `reminders`). A count from an earlier ISO week is stale: a
// new week's duties are due, so the worker reminds then too.
self.addEventListener("periodicsync", (event) => {
  if (event.tag !== "tiaojie-reminders") return;
  event.waitUntil(remindFromSummary());
});

function readSummary() {
  return new Promise((resolve) => {
    const open = indexedDB.open("tiaojie");
    open.onerror = () => resolve(null);
    // never create or upgrade the app's database from here
    open.onupgradeneeded = () => open.transaction.abort();
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("meta")) {
        db.close();
        return resolve(null);
      }
      const get = db.transaction("meta").objectStore("meta").get("reminders");
      get.onsuccess = () => {
        db.close();
        try {
          resolve(get.result ? JSON.parse(get.result.json) : null);
        } catch (_) {
          resolve(null);
        }
      };
      get.onerror = () => {
        db.close();
        resolve(null);
      };
    };
  });
}

// Monday of the ISO week of a China calendar day, as YYYY-MM-DD.
function mondayOf(day) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

async function remindFromSummary() {
  const summary = await readSummary();
  if (!summary || Notification.permission !== "granted") return;
  // today in China (UTC+8, no daylight saving)
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const newWeek = mondayOf(summary.day) < mondayOf(today);
  if (!(summary.open > 0) && !newWeek) return;
  const body = summary.open > 0
    ? `${summary.overdue} 项已逾期，${summary.due} 项待完成。/ ${summary.overdue} overdue, ${summary.due} due.`
    : "新的一周开始了，请按时完成本周排查。/ A new week: this week's screening is due.";
  await self.registration.showNotification("调解通 · 排查提醒", {
    body,
    tag: "tiaojie-reminders",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url: "/" },
  });
}

// Web Push (where the browser's push service is reachable: not in
// mainland China). The server's reminder scheduler sends one encrypted
// message per pass with the recipient's new reminders (docs/screening.md).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "调解通 · 排查提醒", {
      body: data.body || "有新的排查提醒。/ New screening reminders.",
      tag: data.tag || "tiaojie-reminders",
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: data.url || "/" },
    }),
  );
});

// A tap on a reminder opens the app (or brings its window forward).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((clients) => {
      const open = clients.find((c) => "focus" in c);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
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
