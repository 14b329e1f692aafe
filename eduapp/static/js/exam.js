/* The exam page: save every answer as it changes, never lose one, count down from the server's clock.
 *
 * Each answer is sent to PUT /api/v1/attempts/<id>/answers/<item> with a sequence number that grows
 * with every change; the server keeps the highest, so retries and late arrivals are harmless.
 * Unsent answers wait in localStorage, survive a reload, and go out when the network returns.
 * Without this script the page still works: its buttons save the answers shown with a plain POST.
 */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root || !window.fetch) { return; }
  var T = {
    offline: root.dataset.tOffline || "网络已断开：答案已暂存在本机，恢复连接后会自动提交。",
    timeUp: root.dataset.tTimeUp || "时间到，正在交卷…",
    left: root.dataset.tLeft || "剩余",
  };
  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var resultUrl = root.dataset.resultUrl;
  var deadline = Date.parse(root.dataset.deadline);
  var offset = Date.parse(root.dataset.serverTime) - Date.now(); // server time = Date.now() + offset
  var storeKey = "eduapp-attempt-" + root.dataset.attempt;
  var status = document.getElementById("sync-status");
  var countdown = document.getElementById("countdown");
  var pending = load();
  var seqs = {};
  var last = {}; // item id -> the answer and flag last queued, so an unchanged answer is not sent again
  var sending = false;
  var retryDelay = 2000;
  var retryTimer = null;
  var finished = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode: memory only */ }
  }
  function showStatus(text, kind) {
    if (!status) { return; }
    if (!text) { status.classList.add("d-none"); return; }
    status.textContent = text;
    status.className = "alert py-2 alert-" + (kind || "warning");
  }

  // --- reading an answer from the page ------------------------------------------------------------
  function responseOf(fieldset) {
    var id = fieldset.dataset.item;
    var qtype = fieldset.dataset.qtype;
    var inputs = fieldset.querySelectorAll("[name='q" + id + "']");
    var i;
    if (qtype === "single" || qtype === "true_false") {
      for (i = 0; i < inputs.length; i++) {
        if (inputs[i].checked) {
          return qtype === "single" ? parseInt(inputs[i].value, 10) : inputs[i].value === "true";
        }
      }
      return null;
    }
    if (qtype === "multiple") {
      var chosen = [];
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { chosen.push(parseInt(inputs[i].value, 10)); } }
      return chosen.length ? chosen : null;
    }
    var blanks = [];
    var any = false;
    for (i = 0; i < inputs.length; i++) { blanks.push(inputs[i].value); if (inputs[i].value.trim()) { any = true; } }
    return any ? blanks : null;
  }
  function restore(fieldset, entry) {
    var id = fieldset.dataset.item;
    var inputs = fieldset.querySelectorAll("[name='q" + id + "']");
    var r = entry.response;
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "text") { input.value = r ? (r[i] || "") : ""; }
      else if (fieldset.dataset.qtype === "multiple") { input.checked = !!r && r.indexOf(parseInt(input.value, 10)) >= 0; }
      else if (fieldset.dataset.qtype === "true_false") { input.checked = r !== null && String(r) === input.value; }
      else { input.checked = r !== null && parseInt(input.value, 10) === r; }
    }
    var flag = fieldset.querySelector(".flag");
    if (flag) { flag.checked = !!entry.flagged; }
  }
  function markSheet(itemId, entry) {
    var cell = document.querySelector("[data-sheet='" + itemId + "']");
    if (!cell) { return; }
    cell.classList.toggle("answered", entry.response !== null);
    cell.classList.toggle("flagged", !!entry.flagged);
    var count = document.getElementById("answered-count");
    if (count) { count.textContent = String(document.querySelectorAll(".sheet-cell.answered[data-sheet]").length); }
  }

  // --- sending ----------------------------------------------------------------------------------
  function stateOf(fieldset) {
    var flag = fieldset.querySelector(".flag");
    return { response: responseOf(fieldset), flagged: flag ? flag.checked : false };
  }
  function queue(fieldset) {
    var id = fieldset.dataset.item;
    var state = stateOf(fieldset);
    var key = JSON.stringify(state);
    if (last[id] === key) { return; } // e.g. the blur after typing: nothing new to send
    last[id] = key;
    seqs[id] = Math.max(seqs[id] || 0, parseInt(fieldset.dataset.seq || "0", 10)) + 1;
    pending[id] = { response: state.response, flagged: state.flagged, seq: seqs[id] };
    persist();
    markSheet(id, pending[id]);
    flush();
  }
  function syncClock(response) {
    var date = response.headers.get("Date");
    if (date) { offset = Date.parse(date) + 500 - Date.now(); } // Date has whole seconds: take the middle
  }
  function flush() {
    if (sending || finished) { return Promise.resolve(); }
    var ids = Object.keys(pending);
    if (!ids.length) { showStatus(""); return Promise.resolve(); }
    sending = true;
    var id = ids[0];
    var entry = pending[id];
    return fetch(api + "/answers/" + id, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(entry),
    }).then(function (response) {
      syncClock(response);
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      sending = false;
      if (reply.status === 200) {
        if (pending[id] && pending[id].seq <= reply.body.saved_seq) { delete pending[id]; persist(); }
        var fieldset = document.getElementById("item-" + id);
        if (fieldset) { fieldset.dataset.seq = String(reply.body.saved_seq); }
        retryDelay = 2000;
        return flush();
      }
      if (reply.status === 409) { // submitted, or time is up: the server has the final word
        finish(reply.body.error ? reply.body.error.message : T.timeUp);
        return null;
      }
      // 4xx: this answer cannot be saved as it is (say so next to it) and will not be retried
      delete pending[id];
      delete last[id]; // the same answer, given again, is sent again (and refused again, visibly)
      persist();
      var box = document.getElementById("item-" + id);
      if (box && reply.body.error) {
        var note = box.querySelector(".save-error") || document.createElement("div");
        note.className = "save-error alert alert-danger py-2 mt-2";
        note.setAttribute("role", "alert");
        note.textContent = reply.body.error.message;
        box.appendChild(note);
      }
      return flush();
    }).catch(function () {
      sending = false;
      showStatus(T.offline, "warning");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }
  function finish(text) {
    if (finished) { return; }
    finished = true;
    showStatus(text, "info");
    try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
    setTimeout(function () { window.location.href = resultUrl; }, 1500);
  }

  // --- the clock --------------------------------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    if (countdown) {
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      countdown.textContent = T.left + " " + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      countdown.classList.toggle("warn", left <= 300);
    }
    if (left <= 0 && !finished) {
      flush().then(function () { finish(T.timeUp); });
      return;
    }
    setTimeout(tick, 1000 - ((Date.now() + offset) % 1000));
  }

  // --- wiring -----------------------------------------------------------------------------------
  var fieldsets = document.querySelectorAll("fieldset.question");
  Array.prototype.forEach.call(fieldsets, function (fieldset) {
    var id = fieldset.dataset.item;
    var entry = pending[id];
    if (entry && entry.seq > parseInt(fieldset.dataset.seq || "0", 10)) { restore(fieldset, entry); seqs[id] = entry.seq; }
    last[id] = JSON.stringify(stateOf(fieldset));
    var timer = null;
    fieldset.addEventListener("change", function () { clearTimeout(timer); queue(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { queue(fieldset); }, 800);
    });
  });
  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(pending).length && !finished) { event.preventDefault(); event.returnValue = ""; }
  });
  // Resynchronise the clock now and then (a sleeping phone's timers stop).
  setInterval(function () {
    fetch(api, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      syncClock(response);
      return response.json();
    }).then(function (body) {
      if (body && body.state === "finished") { finish(T.timeUp); }
    }).catch(function () { /* offline: the local clock goes on */ });
  }, 120000);
  tick();
  flush();
})();
