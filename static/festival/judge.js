// Judge screen: autosave of every change, and the offline queue (js/offline-queue.js) that
// survives a reload or the tablet going to sleep. Each change gets a key made here and the
// tablet's timestamp; the server keeps one sheet per (judge, team) with the newest values by
// that timestamp and ignores a key it has already applied, so resending is always safe.
(function () {
  "use strict";
  var root = document.querySelector("[data-judge-screen]");
  if (!root) return;

  var endpoint = root.dataset.endpoint;
  var stateKey = "festival:state:" + root.dataset.judge;   // latest known values per team
  var msg = root.dataset;
  var connection = root.querySelector("[data-connection]");
  var forms = Array.prototype.slice.call(root.querySelectorAll(".score-form"));
  var offline = window.OfflineQueue;
  // The changes not yet accepted, at most one per team.
  var queue = offline.open("santaanita:judge-queue:" + root.dataset.judge);
  function load(key) { return offline.load(key, {}); }
  var store = offline.store;
  var newKey = offline.newKey;

  function slot(team) { return "team:" + team; }
  // The change still waiting for a team, if any.
  function pending(team) {
    var waiting = queue.items().filter(function (other) { return other.slot === slot(team); })[0];
    return waiting ? waiting.json : null;
  }

  // A change as a queue item: its key is the change's own, and a newer change for the same
  // team replaces it while unsent.
  function item(change) {
    return {
      uuid: change.idempotency_key, url: endpoint, body: "json", json: change,
      slot: slot(change.team), queuedAt: Date.parse(change.client_updated_at),
    };
  }

  // Before the one queue, a tablet kept each judge's changes as {team: change} under
  // "festival:queue:<judge>" and posted them to this same endpoint. Every judge's are moved
  // to that judge's queue, once, on the first load of the screen.
  Object.keys(window.localStorage).forEach(function (key) {
    var judge = /^festival:queue:(\d+)$/.exec(key);
    if (!judge) return;
    offline.open("santaanita:judge-queue:" + judge[1]).upgrade(key, function (changes) {
      return Object.keys(changes).map(function (team) { return changes[team]; })
        .sort(function (a, b) { return a.client_updated_at < b.client_updated_at ? -1 : 1; })
        .map(item);
    });
  });

  function formFor(team) { return root.querySelector('.score-form[data-team="' + team + '"]'); }

  function setStatus(team, text, kind) {
    var form = formFor(team);
    if (form) {
      var status = form.querySelector("[data-status]");
      status.textContent = text;
      status.dataset.kind = kind || "";
    }
    var chip = root.querySelector('[data-state-for="' + team + '"]');
    if (chip) { chip.textContent = text.length > 24 ? "⏳" : text; chip.dataset.kind = kind || ""; }
  }

  function collect(form, submit) {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (input) {
      values[input.name.replace(/^c-/, "")] = parseInt(input.value, 10);
    });
    return {
      team: parseInt(form.dataset.team, 10),
      values: values,
      comment: form.querySelector("textarea[name=comment]").value,
      submit: !!submit || form.dataset.submitted === "1",
      client_updated_at: new Date().toISOString(),
      idempotency_key: newKey(),
    };
  }

  function complete(form) {
    var groups = form.querySelectorAll("fieldset.criterion");
    return Array.prototype.every.call(groups, function (g) { return !!g.querySelector("input:checked"); });
  }

  function remember(change, pending) {
    var state = load(stateKey);
    state[change.team] = {
      values: change.values, comment: change.comment, submit: change.submit,
      client_updated_at: change.client_updated_at, pending: pending,
    };
    store(stateKey, state);
  }

  function enqueue(change) {
    // One entry per team: the newest change replaces an older unsent one (the server would
    // keep only the newest anyway).
    queue.put(item(change));
    remember(change, true);
    setStatus(change.team, navigator.onLine ? msg.msgSending : msg.msgPending, "pending");
    flush();
  }

  function showConnection() {
    connection.textContent = navigator.onLine ? msg.msgOnline : msg.msgOffline;
    connection.dataset.kind = navigator.onLine ? "online" : "offline";
  }

  function settle(change, body) {
    var form = formFor(change.team);
    if (body && body.values) {
      var accepted = {
        team: change.team, values: body.values, comment: body.comment, submit: body.submitted,
        client_updated_at: body.client_updated_at,
      };
      if (!pending(change.team)) remember(accepted, false);
      if (form) {
        form.dataset.updatedAt = body.client_updated_at;
        if (body.submitted) form.dataset.submitted = "1";
        if (body.result === "stale") apply(form, accepted);
      }
      var text = body.submitted ? msg.msgSubmitted : msg.msgSaved;
      if (body.result === "stale") text = msg.msgStale;
      if (!pending(change.team)) setStatus(change.team, text, body.submitted ? "submitted" : "saved");
    }
  }

  function refuse(change, body) {
    // A refusal (stage locked, conflict of interest, invalid value) is final: drop the change
    // from the queue (the replay path did) and say why; resending would be refused again.
    var state = load(stateKey);
    delete state[change.team];
    store(stateKey, state);
    setStatus(change.team, (body && body.message) || "Error", "error");
    if (body && body.code === "locked") {
      // The whole stage is closed: nothing on this screen can be changed any more.
      Array.prototype.forEach.call(root.querySelectorAll(".score-form input, .score-form textarea, .score-form button"), function (el) {
        el.disabled = true;
      });
    }
  }

  var flush = queue.replay({
    accepted: function (sent, body) { settle(sent.json, body); },
    refused: function (sent, body) { refuse(sent.json, body); },
    idle: function (reason) {
      // Network down or server busy: everything stays queued for the next attempt.
      if (reason === "later") {
        queue.items().forEach(function (waiting) { setStatus(waiting.json.team, msg.msgPending, "pending"); });
      }
      showConnection();
    },
  });

  function apply(form, saved) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (input) {
      var value = saved.values[input.name.replace(/^c-/, "")];
      input.checked = value !== undefined && value !== null && parseInt(input.value, 10) === value;
    });
    form.querySelector("textarea[name=comment]").value = saved.comment || "";
    if (saved.submit) form.dataset.submitted = "1";
  }

  function show(team) {
    forms.forEach(function (form) { form.hidden = form.dataset.team !== String(team); });
    Array.prototype.forEach.call(root.querySelectorAll("[data-show]"), function (button) {
      if (button.dataset.show === String(team)) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
  }

  // Restore what this tablet knows that the page (possibly an offline copy) does not.
  var state = load(stateKey);
  forms.forEach(function (form) {
    var team = form.dataset.team;
    var saved = pending(team) || state[team];
    if (saved && (!form.dataset.updatedAt || new Date(saved.client_updated_at) > new Date(form.dataset.updatedAt))) {
      apply(form, saved);
      if (pending(team)) setStatus(team, msg.msgPending, "pending");
      else setStatus(team, saved.submit ? msg.msgSubmitted : msg.msgSaved, saved.submit ? "submitted" : "saved");
    }
  });

  forms.forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.type === "radio") enqueue(collect(form, false));
    });
    var timer = null;
    form.querySelector("textarea[name=comment]").addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { enqueue(collect(form, false)); }, 600);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var submitting = event.submitter && event.submitter.value === "1";
      if (submitting && !complete(form)) { setStatus(form.dataset.team, msg.msgIncomplete, "error"); return; }
      enqueue(collect(form, submitting));
    });
  });

  Array.prototype.forEach.call(root.querySelectorAll("[data-show]"), function (button) {
    button.addEventListener("click", function () { show(button.dataset.show); });
  });
  var current = root.querySelector("[data-show][aria-current]");
  if (current) show(current.dataset.show);

  window.addEventListener("offline", showConnection);
  showConnection();
  offline.retryWhenOnline(flush, 5000);
  offline.keepOffline(root.dataset.sw, root.dataset.scope);
})();
