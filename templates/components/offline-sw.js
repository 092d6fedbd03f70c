{% load static %}// The one service worker of pages that must reopen without a connection: the judge screen
// under /festival/jurado/, the surveyor's pages under /mapa/ and the perception survey's
// collection pages under /percepcion/ (each served by its app's view under its own path, so
// its scope covers them). At a park or a stage without signal the page reopens: pages come
// from the network when there is one (and are kept), from this cache when there is not.
// POSTs are never intercepted: the page's offline queue (js/offline-queue.js) keeps them and
// sends them later, each with its key.
"use strict";
const PREFIX = "{{ cache_prefix }}-";
const CACHE = "{{ cache_prefix }}-{{ version }}";
const STATIC_URL = "{% get_static_prefix %}";
const LIST = "{{ list_url }}";
// The forms kept besides the list, when the pages have any (a path pattern).
const FORM = {% if form_pattern %}/^{{ form_pattern }}$/{% else %}null{% endif %};
const isKept = (path) => path === LIST || (FORM !== null && FORM.test(path));
// The static files come from the view's list, the same list that versions this worker.
const PRECACHE = [
  LIST,
{% for name in precache %}  "{% static name %}",
{% endfor %}];

self.addEventListener("install", (event) => {
  // A missing asset must not stop the worker: the pages still work from the network.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all(PRECACHE.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function networkFirst(request) {
  return fetch(request)
    .then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })
    .catch(() => caches.match(request).then((hit) => hit || caches.match(request, { ignoreSearch: true })));
}

function cacheFirst(request) {
  return caches.match(request).then((hit) => hit || fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }));
}

// A page opened before this worker took control was not fetched through it. It says so:
// the worker claims it (a page created while the worker was activating is missed by the
// claim in "activate") and keeps a copy of it if the cache does not hold one yet.
self.addEventListener("message", (event) => {
  const claimed = self.clients.claim();
  const url = new URL(event.data && event.data.keep, self.location.href);
  if (url.origin !== self.location.origin || !isKept(url.pathname)) {
    event.waitUntil(claimed);
    return;
  }
  event.waitUntil(Promise.all([
    claimed,
    caches.open(CACHE).then((cache) => cache.match(url.href).then((hit) => hit || cache.add(url.href))),
  ]));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isKept(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(cacheFirst(request));
  }
});
