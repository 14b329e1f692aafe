/* Study time in the law library: while this page is open and visible, tell the server once a minute.
   The server counts the time between beats (capped per beat) and awards the study-time points. */
(function () {
  "use strict";
  var clock = document.getElementById("study-clock");
  if (!clock || !window.fetch) { return; }
  var url = clock.dataset.url;
  var csrf = clock.dataset.csrf;
  var BEAT_MS = 60000;

  function beat() {
    if (document.visibilityState !== "visible" || navigator.onLine === false) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).catch(function () { /* offline or signed out: the next beat starts a new stretch */ });
  }

  beat();
  setInterval(beat, BEAT_MS);
  document.addEventListener("visibilitychange", beat);
})();
