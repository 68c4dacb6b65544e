// The service worker: keeps the app shell (the page, its script, styles and
// icon) in a cache so the app opens with no signal. API calls are never
// cached; offline answers are the outbox's job, not this file's.

// A module (the export), so `self` can be typed as the worker's scope.
export {};
declare const self: ServiceWorkerGlobalScope;

const CACHE = "tessera-shell";
const SHELL = new URL("./", self.location.href).href;

// The built page names its hashed script and stylesheet; caching whatever it
// links to means this file needs no list that a build could get wrong.
async function cacheShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  const page = await fetch(SHELL, { cache: "no-cache" });
  if (!page.ok) throw new Error(`app shell answered ${page.status}`);
  const html = await page.clone().text();
  const linked = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((match) => new URL(match[1]!, SHELL))
    .filter((url) => url.origin === self.location.origin)
    .map((url) => url.href);
  await cache.put(SHELL, page);
  await cache.addAll([...new Set(linked)]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.includes("/v1/")) {
    return;
  }
  if (request.mode === "navigate") {
    // Network first so a new version shows up as soon as there is signal;
    // the cached page (whatever its query string, e.g. ?api=) otherwise.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) await (await caches.open(CACHE)).put(SHELL, response.clone());
          return response;
        })
        .catch(async () => (await caches.match(SHELL)) ?? Response.error()),
    );
    return;
  }
  // Scripts and styles have hashed names, so a cached copy is never stale.
  // ignoreVary: servers answer with `Vary: Origin`, and the page asks with
  // an Origin header (crossorigin scripts) that the install step did not send.
  event.respondWith(
    caches.match(request, { ignoreVary: true }).then(
      (cached) =>
        cached ??
        fetch(request).then(async (response) => {
          if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
          return response;
        }),
    ),
  );
});
