// The offline queue of every page that must work without a connection: the judge screen
// (festival/judge.js), the surveyor's form (mapping/survey-offline.js) and the perception
// survey's collection pages, which use the latter. A page keeps what it could not send in
// localStorage (it survives a reload, a closed tab or a tablet gone to sleep), each item
// under a key made on the device before the first attempt, so that the server, which
// applies a key once, can be sent an item again safely. The page says what an item is and
// how to send it; this module reads and writes the stored queue, makes the keys, retries
// when the connection returns, and asks the service worker
// (templates/components/offline-sw.js) to keep the page itself.
(function () {
  "use strict";

  function load(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null || value === undefined ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function store(key, value) {
    window.localStorage.setItem(key, JSON.stringify(value));
  }

  // A UUID made here, on the device: the item's identity before any request.
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // The cookie first: a page reopened from the worker's cache may carry an older token.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  // Calls ``flush`` now, whenever the browser comes back online or the page is shown
  // again, and every ``everyMs`` milliseconds.
  function retryWhenOnline(flush, everyMs) {
    window.addEventListener("online", flush);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
    window.setInterval(flush, everyMs);
    flush();
  }

  // Registers the page's service worker and asks it to keep this very page, opened before
  // the worker took control.
  function keepOffline(workerUrl, scope) {
    if (!workerUrl || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker
      .register(workerUrl, { scope: scope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) { registration.active.postMessage({ keep: location.href }); })
      .catch(function () {});
  }

  window.OfflineQueue = {
    load: load,
    store: store,
    newKey: newKey,
    csrfToken: csrfToken,
    retryWhenOnline: retryWhenOnline,
    keepOffline: keepOffline,
  };
})();
