// The one offline queue of every page that must work without a connection: the judge screen
// (festival/judge.js), the surveyor's form and the perception survey's collection pages
// (mapping/survey-offline.js). What a page could not send waits in localStorage (it survives
// a reload, a closed tab or a tablet gone to sleep) as a JSON list under the page's key,
// oldest first, each item in one format:
//
//   uuid      the item's key, made on the device before the first attempt: the server applies
//             a key once, so an item whose reply was lost can be sent again safely
//   url       where it is posted; null while it waits for another item (``after``)
//   body      "json" (``json`` posted as JSON), "form" (``fields``, [name, value] pairs,
//             posted as a form) or "file" (the file kept under ``uuid`` in IndexedDB, posted
//             as ``field`` with ``name`` beside ``fields``)
//   slot      optional: a newer item in the same slot replaces an unsent older one
//   after     optional, with ``urlFrom``: the item waits until item ``after`` is accepted and
//             is then posted to that reply's ``urlFrom`` (a photo waits for its survey)
//   queuedAt  when it was queued (milliseconds)
//
// One replay path sends the items in order, forms before files (on a weak connection the
// answers get through before the photos), and asks the page what to show. What devices
// still hold in the formats that came before this one is rewritten once, on load, by
// ``upgrade``. The module also asks the service worker (templates/components/offline-sw.js)
// to keep the page itself.
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

  // The files of "file" items, by the item's uuid (files do not fit in localStorage). The
  // database keeps the name it had when only survey photos waited in it: devices hold it.
  function files(mode) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("santaanita-survey-photos", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos", { keyPath: "uuid" }); };
      request.onerror = function () { reject(request.error); };
      request.onsuccess = function () {
        resolve(request.result.transaction("photos", mode).objectStore("photos"));
      };
    });
  }
  function fileCall(mode, method, arg) {
    return files(mode).then(function (objects) {
      return new Promise(function (resolve, reject) {
        var request = objects[method](arg);
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }
  function keepFile(uuid, blob, name) {
    return fileCall("readwrite", "put", { uuid: uuid, blob: blob, name: name });
  }

  function open(key) {
    function items() { return load(key, []); }
    function write(list) { store(key, list); }

    // Queues an item: it replaces an unsent one with the same uuid or slot and goes last.
    function put(item) {
      write(items().filter(function (other) {
        return other.uuid !== item.uuid && !(item.slot && other.slot === item.slot);
      }).concat([item]));
    }

    // Rewrites what the device holds under ``legacyKey`` in an older format as items of this
    // queue, then removes the old key. ``toItems`` turns the stored value into items. An
    // item already here (by uuid) is not added again, so an upgrade cut short between the
    // two writes is finished on the next load without queueing anything twice; items still
    // carry their original keys, so the server would apply a resent one once anyway.
    // When the old format sat under this queue's own key, ``toItems`` gets that list and
    // returns it whole in this format, written back in one step.
    function upgrade(legacyKey, toItems) {
      var raw = window.localStorage.getItem(legacyKey);
      if (raw === null) return;
      var old = null;
      try { old = JSON.parse(raw); } catch (e) { old = null; }
      var upgraded = old ? toItems(old) : [];
      if (legacyKey === key) {
        if (JSON.stringify(upgraded) !== raw) write(upgraded);
        return;
      }
      var list = items();
      var known = {};
      list.forEach(function (item) { known[item.uuid] = true; });
      upgraded.forEach(function (item) {
        if (!known[item.uuid]) { known[item.uuid] = true; list.push(item); }
      });
      write(list);
      window.localStorage.removeItem(legacyKey);
    }

    function body(item) {
      var csrf = csrfToken();
      if (item.body === "json") {
        return Promise.resolve({
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(item.json),
        });
      }
      var headers = { Accept: "application/json", "X-CSRFToken": csrf };
      if (item.body === "form") {
        var form = new URLSearchParams(item.fields);
        form.set("csrfmiddlewaretoken", csrf);
        return Promise.resolve({ headers: headers, body: form });
      }
      return fileCall("readonly", "get", item.uuid).then(function (record) {
        if (!record) return null;
        var data = new FormData();
        data.append(item.field, record.blob, item.name || record.name);
        (item.fields || []).forEach(function (pair) { data.append(pair[0], pair[1]); });
        data.append("csrfmiddlewaretoken", csrf);
        return { headers: headers, body: data };
      });
    }

    // One attempt: "accepted", "refused" (final: resending would be refused again), "gone"
    // (its file is no longer on the device) or "later" (no connection, the server busy or
    // failing, or a reply that is not the endpoint's own, such as the sign-in page after a
    // session expired: the item stays queued).
    function attempt(item) {
      return body(item).then(function (request) {
        if (!request) return { outcome: "gone" };
        return fetch(item.url, {
          method: "POST",
          credentials: "same-origin",
          headers: request.headers,
          body: request.body,
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (reply) {
            var status = response.redirected ? 0 : response.status;
            var outcome = "later";
            if (response.ok && status) outcome = "accepted";
            else if (status >= 400 && status < 500 && status !== 429) outcome = "refused";
            return { outcome: outcome, reply: reply };
          });
        });
      });
    }

    // An item in an older format (written by a page still open from before the upgrade)
    // waits for the next load to rewrite it: sent as it is, it would go out in the wrong shape.
    var BODIES = { json: true, form: true, file: true };
    function next() {
      var ready = items().filter(function (item) { return item.url && BODIES[item.body]; });
      return ready.filter(function (item) { return item.body !== "file"; })[0] ||
        ready.filter(function (item) { return item.body === "file"; })[0];
    }

    // Accepted or refused, an item leaves the queue (and its file the device); the items
    // waiting for an accepted one learn where to go from its reply.
    function settle(item, reply, accepted) {
      write(items().filter(function (other) { return other.uuid !== item.uuid; }).map(function (other) {
        if (accepted && other.after === item.uuid) {
          other.url = reply[other.urlFrom] || null;
          if (other.url) delete other.after;
        }
        return other;
      }));
      if (item.body === "file") return fileCall("readwrite", "delete", item.uuid).catch(function () {});
      return Promise.resolve();
    }

    // The replay path: sends what is queued, one item at a time, until the queue is empty or
    // an attempt must wait. The page says what to show: ``accepted(item, reply)`` and
    // ``refused(item, reply)`` after the item left the queue, ``idle(reason)`` when nothing
    // more is sent for now ("done", "offline", "busy" while an attempt runs, "later").
    function replay(page) {
      var flushing = false;
      function flush() {
        if (flushing) return page.idle("busy");
        if (!navigator.onLine) return page.idle("offline");
        var item = next();
        if (!item) return page.idle("done");
        flushing = true;
        attempt(item)
          .then(function (result) {
            if (result.outcome === "later") return "later";
            var accepted = result.outcome === "accepted";
            return settle(item, result.reply, accepted).then(function () {
              if (accepted) page.accepted(item, result.reply);
              else if (result.outcome === "refused") page.refused(item, result.reply);
              return "next";
            });
          }, function () { return "later"; })
          .then(function (step) {
            flushing = false;
            if (step === "next") flush();
            else page.idle("later");
          });
      }
      return flush;
    }

    return { items: items, put: put, upgrade: upgrade, replay: replay };
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
    open: open,
    load: load,
    store: store,
    newKey: newKey,
    keepFile: keepFile,
    retryWhenOnline: retryWhenOnline,
    keepOffline: keepOffline,
  };
})();
