// The service worker: keeps the app's own files (the shell) so it opens
// with no signal. The API is never cached; offline work is the outbox's.
//
// Network first, so a new version shows as soon as there is signal, but
// only for a few seconds: on ward Wi-Fi that connects and then stalls, the
// kept copy is shown instead of a blank page.

const CACHE = "tessera-app-1";
const NETWORK_WAIT_MS = 3000;
const SHELL = [
  "/app/",
  "/app/app.css",
  "/app/manifest.webmanifest",
  "/app/icon.svg",
  "/app/icon-192.png",
  "/app/js/main.js",
  "/app/js/api.js",
  "/app/js/db.js",
  "/app/js/dom.js",
  "/app/js/i18n.js",
  "/app/js/strings.js",
  "/app/js/install.js",
  "/app/js/outbox.js",
  "/app/js/problem.js",
  "/app/js/schema.js",
  "/app/js/answer-form.js",
  "/app/js/content.js",
  "/app/js/observe-form.js",
  "/app/js/photo.js",
  "/app/js/screens/account.js",
  "/app/js/screens/certificate.js",
  "/app/js/screens/credits.js",
  "/app/js/screens/home.js",
  "/app/js/screens/observe.js",
  "/app/js/screens/profile.js",
  "/app/js/screens/session.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  // Every screen of the app is the one page, whatever its hash or query.
  const key = request.mode === "navigate" ? "/app/" : request;
  const fromNetwork = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(key, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  const first = await Promise.race([fromNetwork.catch(() => undefined), timeout]);
  if (first) return first;
  const kept = await cache.match(key, { ignoreSearch: true });
  return kept ?? fromNetwork;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  event.respondWith(networkFirst(event.request));
});
