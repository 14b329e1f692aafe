// Live preview of the question editor: posts the form (with its CSRF token) and shows the rendered
// question. Served as a file because the Content Security Policy allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var target = document.getElementById("question-preview");
  if (!form || !target) { return; }
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch(form.dataset.previewUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && mine === seq) { target.innerHTML = html; } })
      .catch(function () { /* offline: keep the last preview */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
})();
