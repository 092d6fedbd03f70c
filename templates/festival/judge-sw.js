{% load static %}// Service worker of the judge screen (served by festival.views.judge_service_worker so
// that its scope is the screen's path). It keeps the screen and its assets so the tablet can
// reload the screen without a connection; score writes (POST) are never intercepted: the
// page's own queue (judge.js) keeps them and resends them when the network returns.
"use strict";
const CACHE = "festival-judge-{{ version }}";
const SCREEN = "{% url 'festival:judge' %}";
// The static files come from festival.views.JUDGE_WORKER_STATIC, the list that also
// versions this worker.
const ASSETS = [
  SCREEN,
{% for name in assets %}  "{% static name %}",
{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("festival-judge-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// A screen opened while the worker was activating is missed by the claim in "activate";
// the screen asks again once the worker is ready.
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SCREEN) {
    // Network first, so an online tablet always shows the server's state; the cached copy
    // is the fallback when there is no connection.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(SCREEN, copy));
          }
          return response;
        })
        .catch(() => caches.match(SCREEN))
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
