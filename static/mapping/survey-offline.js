// Offline queue of the survey form (ficha).
//
// Submitting the form never depends on the network: the fields are put in the offline queue
// (js/offline-queue.js, it survives a reload and a closed tab), then the queue is sent,
// oldest first, whenever the browser is online (now, on the "online" event, on every page
// load and every 30 seconds). Each survey carries a UUID generated on the phone before the
// first attempt; the server's survey_submit is idempotent on it, so a survey whose
// response was lost and is sent again is recorded once. While being filled the form is
// also kept as a draft, restored after a reload.
//
// Photos chosen on the form wait in the same queue, their files in IndexedDB, each with its
// own UUID; once their survey is accepted they are uploaded one by one, and the server
// stores each UUID once, so a resent photo is not doubled either.
(function () {
  "use strict";
  var DRAFT_PREFIX = "santaanita:survey-draft:";
  var SURVEY_QUEUE_KEY = "santaanita:survey-queue";
  var status = document.getElementById("survey-queue-status");
  var form = document.querySelector("form[data-offline-survey]");
  var messages = (form || status || document.body).dataset;
  // Another form (the perception survey) keeps its own queue, so each list counts its own.
  var QUEUE_KEY = messages.queueKey || SURVEY_QUEUE_KEY;
  var lastSent = null;
  var lastError = null;

  var offline = window.OfflineQueue;
  var queue = offline.open(QUEUE_KEY);
  var newUuid = offline.newKey;

  // Before the one queue, these lists held {uuid, url, fields, queuedAt} items, always
  // posted as forms, and the survey photos waited in their own list,
  // "santaanita:photo-queue", as {uuid, survey, url, name} (url set once their survey was
  // accepted), their files already in the database the queue uses. Both are rewritten
  // once, on load.
  queue.upgrade(QUEUE_KEY, function (list) {
    return list.map(function (item) { return item.body ? item : formItem(item.uuid, item.url, item.fields, item.queuedAt); });
  });
  if (QUEUE_KEY === SURVEY_QUEUE_KEY) {
    queue.upgrade("santaanita:photo-queue", function (photos) {
      return photos.map(function (photo) { return photoItem(photo.uuid, photo.survey, photo.url, photo.name); });
    });
  }

  function formItem(uuid, url, fields, queuedAt) {
    return { uuid: uuid, url: url, body: "form", fields: fields, queuedAt: queuedAt };
  }
  // A photo waits for its survey and goes to the address the survey's reply gives.
  function photoItem(uuid, survey, url, name) {
    var item = {
      uuid: uuid, url: url || null, body: "file", field: "image", name: name,
      fields: [["client_uuid", uuid]], queuedAt: Date.now(),
    };
    if (!url) { item.after = survey; item.urlFrom = "photo_url"; }
    return item;
  }
  function surveys() { return queue.items().filter(function (item) { return item.body !== "file"; }); }
  function photos() { return queue.items().filter(function (item) { return item.body === "file"; }); }

  function render() {
    if (!status) return;
    var waiting = surveys();
    status.textContent = "";
    if (lastError) {
      var err = document.createElement("p");
      err.className = "message message-error";
      err.textContent = lastError;
      status.appendChild(err);
    }
    if (waiting.length) {
      var p = document.createElement("p");
      p.className = "message";
      p.textContent = (messages.msgPending || "") + " " + waiting.length;
      if (!navigator.onLine && messages.msgQueued) p.textContent = messages.msgQueued + " (" + waiting.length + ")";
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
    var photoCount = photos().length;
    if (photoCount && messages.msgPhotosPending) {
      var ph = document.createElement("p");
      ph.className = "message";
      ph.textContent = messages.msgPhotosPending + " " + photoCount;
      status.appendChild(ph);
    }
    status.dataset.pending = String(waiting.length);
    status.dataset.pendingPhotos = String(photoCount);
  }

  var flush = queue.replay({
    accepted: function (item, reply) {
      if (item.body === "file") return;
      lastSent = reply;
      lastError = null;
    },
    refused: function (item) {
      if (item.body === "file") {
        // Refused for good (not an image, too large): say so; it left the queue.
        lastError = (messages.msgPhotoError || "Error") + " " + item.name;
        return;
      }
      // Refused for good (invalid, not assigned any more): it left the queue, but the
      // fields go back to the form so nothing typed is lost.
      lastError = messages.msgError || "Error";
      if (form && form.action === new URL(item.url, location.href).href) restore(item.fields);
    },
    idle: function () { render(); },
  });

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
          return offline.keepFile(photoUuid, blob, file.name);
        }).then(function () {
          return photoItem(photoUuid, uuid, null, file.name);
        });
      })).then(function (entries) {
        entries.forEach(function (entry) { queue.put(entry); });
        queue.put(formItem(uuid, form.action || location.href, fields, Date.now()));
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
