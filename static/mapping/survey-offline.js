// Offline queue of the survey form (ficha).
//
// Submitting the form never depends on the network: the fields are put in a queue kept in
// localStorage (it survives a reload and a closed tab), then the queue is sent, oldest
// first, whenever the browser is online (now, on the "online" event, on every page load
// and every 30 seconds). Each survey carries a UUID generated on the phone before the
// first attempt; the server's survey_submit is idempotent on it, so a survey whose
// response was lost and is sent again is recorded once. While being filled the form is
// also kept as a draft, restored after a reload.
//
// Photos chosen on the form wait in IndexedDB (files do not fit in localStorage) with their
// own UUID; once their survey is accepted they are uploaded one by one, and the server
// stores each UUID once, so a resent photo is not doubled either.
(function () {
  "use strict";
  var PHOTO_QUEUE_KEY = "santaanita:photo-queue";
  var DRAFT_PREFIX = "santaanita:survey-draft:";
  var status = document.getElementById("survey-queue-status");
  var form = document.querySelector("form[data-offline-survey]");
  var messages = (form || status || document.body).dataset;
  // Another form (the perception survey) keeps its own queue, so each list counts its own.
  var QUEUE_KEY = messages.queueKey || "santaanita:survey-queue";
  var flushing = false;
  var lastSent = null;
  var lastError = null;

  // The queues are lists, oldest first (js/offline-queue.js keeps them).
  var offline = window.OfflineQueue;
  function readQueue() { return offline.load(QUEUE_KEY, []); }
  function writeQueue(queue) { offline.store(QUEUE_KEY, queue); }
  function readPhotos() { return offline.load(PHOTO_QUEUE_KEY, []); }
  function writePhotos(photos) { offline.store(PHOTO_QUEUE_KEY, photos); }

  // The photo files themselves, by UUID.
  function photoStore(mode) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("santaanita-survey-photos", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos", { keyPath: "uuid" }); };
      request.onerror = function () { reject(request.error); };
      request.onsuccess = function () {
        resolve(request.result.transaction("photos", mode).objectStore("photos"));
      };
    });
  }
  function photoCall(mode, method, arg) {
    return photoStore(mode).then(function (store) {
      return new Promise(function (resolve, reject) {
        var request = store[method](arg);
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }
  var newUuid = offline.newKey;
  var csrfToken = offline.csrfToken;

  function render() {
    if (!status) return;
    var queue = readQueue();
    status.textContent = "";
    if (lastError) {
      var err = document.createElement("p");
      err.className = "message message-error";
      err.textContent = lastError;
      status.appendChild(err);
    }
    if (queue.length) {
      var p = document.createElement("p");
      p.className = "message";
      p.textContent = (messages.msgPending || "") + " " + queue.length;
      if (!navigator.onLine && messages.msgQueued) p.textContent = messages.msgQueued + " (" + queue.length + ")";
      status.appendChild(p);
    } else if (lastSent) {
      var ok = document.createElement("p");
      ok.className = "message message-success";
      ok.textContent = (messages.msgSent || "") + " ";
      var link = document.createElement("a");
      link.href = lastSent.url;
      link.textContent = messages.msgView || lastSent.url;
      ok.appendChild(link);
      status.appendChild(ok);
    }
    var photos = readPhotos();
    if (photos.length && messages.msgPhotosPending) {
      var ph = document.createElement("p");
      ph.className = "message";
      ph.textContent = messages.msgPhotosPending + " " + photos.length;
      status.appendChild(ph);
    }
    status.dataset.pending = String(queue.length);
    status.dataset.pendingPhotos = String(photos.length);
  }

  function removeFromQueue(uuid) {
    writeQueue(readQueue().filter(function (item) { return item.uuid !== uuid; }));
  }

  function flushPhoto() {
    var entry = readPhotos().filter(function (p) { return p.url; })[0];
    if (!entry) return render();
    flushing = true;
    var done = function (error) {
      writePhotos(readPhotos().filter(function (p) { return p.uuid !== entry.uuid; }));
      if (error) lastError = error;
      return photoCall("readwrite", "delete", entry.uuid).catch(function () {});
    };
    photoCall("readonly", "get", entry.uuid)
      .then(function (record) {
        if (!record) return done().then(function () { return "next"; });
        var body = new FormData();
        body.append("image", record.blob, record.name);
        body.append("client_uuid", entry.uuid);
        body.append("csrfmiddlewaretoken", csrfToken());
        return fetch(entry.url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        }).then(function (response) {
          if (response.ok) return done().then(function () { return "next"; });
          if (response.status >= 400 && response.status < 500) {
            // Refused for good (not an image, too large): say so and drop it.
            return done((messages.msgPhotoError || "Error") + " " + record.name).then(function () { return "next"; });
          }
          return "later";
        });
      })
      .then(function (outcome) {
        flushing = false;
        if (outcome === "next") flush();
        else render();
      })
      .catch(function () {
        flushing = false;
        render();
      });
  }

  function flush() {
    if (flushing || !navigator.onLine) return render();
    var item = readQueue()[0];
    if (!item) return flushPhoto();
    flushing = true;
    var body = new URLSearchParams(item.fields);
    body.set("csrfmiddlewaretoken", csrfToken());
    fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        flushing = false;
        if (result.status === 200 || result.status === 201) {
          removeFromQueue(item.uuid);
          writePhotos(readPhotos().map(function (p) {
            if (p.survey === item.uuid) p.url = result.data.photo_url;
            return p;
          }));
          lastSent = result.data;
          lastError = null;
          flush();
        } else if (result.status >= 400 && result.status < 500) {
          // Refused for good (invalid, not assigned any more): keep it out of the loop but
          // give the fields back to the form so nothing typed is lost.
          removeFromQueue(item.uuid);
          lastError = messages.msgError || "Error";
          if (form && form.action === new URL(item.url, location.href).href) restore(item.fields);
          render();
        } else {
          render();
        }
      })
      .catch(function () {
        // Offline or the server did not answer: the item stays queued for the next try.
        flushing = false;
        render();
      });
  }

  // A phone's photo (often 12–50 megapixels) is redrawn at most PHOTO_MAX_SIDE pixels on its
  // long side before it is kept: it then fits the server's limits, costs a volunteer's
  // prepaid data a fraction, and leaves its EXIF (GPS position included) on the phone.
  // Anything the browser cannot draw is kept as chosen; the server judges it.
  var PHOTO_MAX_SIDE = 2048;
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\//.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }, function () { return file; });
  }

  function fieldsOf(formEl) {
    var fields = [];
    new FormData(formEl).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([key, value]);
    });
    return fields;
  }
  function restore(fields) {
    fields.forEach(function (pair) {
      var el = form.elements.namedItem(pair[0]);
      if (el && "value" in el) el.value = pair[1];
    });
  }

  if (form) {
    var draftKey = DRAFT_PREFIX + location.pathname + location.search;
    var uuidInput = form.elements.namedItem("client_uuid");
    var draft = null;
    try {
      draft = JSON.parse(localStorage.getItem(draftKey));
    } catch (e) {
      draft = null;
    }
    if (draft) {
      restore(draft);
    } else if (!location.search.includes("survey=")) {
      // A new survey: its identity is made here, on the phone, before any request.
      uuidInput.value = newUuid();
    }
    var saveDraft = function () {
      localStorage.setItem(draftKey, JSON.stringify(fieldsOf(form)));
    };
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    var photoInput = form.querySelector("input[type=file][name=photos]");
    if (photoInput && window.indexedDB) {
      form.querySelectorAll("[data-offline-photos]").forEach(function (el) { el.hidden = false; });
      form.querySelectorAll("[data-photos-later]").forEach(function (el) { el.hidden = true; });
    } else {
      photoInput = null;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = fieldsOf(form);
      var uuid = uuidInput.value;
      var files = photoInput ? Array.prototype.slice.call(photoInput.files) : [];
      // The files go to IndexedDB before the survey is queued, so a photo is never
      // waiting for a survey that was already sent without it.
      Promise.all(files.map(function (file) {
        var photoUuid = newUuid();
        return shrink(file).then(function (blob) {
          return photoCall("readwrite", "put", { uuid: photoUuid, blob: blob, name: file.name });
        }).then(function () {
          return { uuid: photoUuid, survey: uuid, url: null, name: file.name };
        });
      })).then(function (entries) {
        writePhotos(readPhotos().concat(entries));
        var queue = readQueue().filter(function (item) { return item.uuid !== uuid; });
        queue.push({ uuid: uuid, url: form.action || location.href, fields: fields, queuedAt: Date.now() });
        writeQueue(queue);
        localStorage.removeItem(draftKey);
        if (photoInput) photoInput.value = "";
        // A form that collects one answer after another (data-offline-reset) starts blank
        // for the next respondent, under a new key made here, on the phone.
        if ("offlineReset" in form.dataset) {
          form.reset();
          uuidInput.value = newUuid();
        }
        lastError = null;
        render();
        flush();
      }, function () {
        lastError = messages.msgPhotoError || "Error";
        render();
      });
    });
  }

  window.addEventListener("offline", render);
  offline.retryWhenOnline(flush, 30000);

  // The worker keeps these pages so they can be reopened without a connection.
  var worker = document.querySelector("[data-survey-sw]");
  if (worker) offline.keepOffline(worker.dataset.surveySw, worker.dataset.surveyScope);
})();
