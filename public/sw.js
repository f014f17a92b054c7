// Sakhi's service worker: keeps the app shell on the phone so the app opens with no signal.
//
// The build fills in VERSION and PRECACHE (tools/precache.mjs). A new build is a new cache; the old
// one is deleted only when this worker activates, after every page of the old build has closed, so
// an app left open offline never loses the files it runs on.
const VERSION = "__SAKHI_VERSION__";
const PRECACHE = ["__SAKHI_PRECACHE__"];
const CACHE = `sakhi-shell-${VERSION}`;
const SHELL = "/index.html";
// Quick exit's harmless page: a page of its own, not the shell, so that it opens offline too.
const HARMLESS = "/weather/";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("sakhi-shell-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The API always goes to the network: sync decides what to do when it fails.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    // Every page of the app is the same shell; the cached one opens at once, signal or not.
    const page = url.pathname === HARMLESS ? `${HARMLESS}index.html` : SHELL;
    event.respondWith(
      caches.match(page, { cacheName: CACHE }).then((cached) => cached || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
