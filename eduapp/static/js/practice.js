// Practice pages: progressive enhancement only, every page works without this file.
// A second tap on "Check answer" (slow phone networks) would send the same answer twice: send once.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("practice-form")) {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
    }
  });

  // Coming back with the browser's Back button shows the page from its cache: let it be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.practice-form").forEach(function (form) {
      delete form.dataset.sent;
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.classList.remove("disabled");
        button.removeAttribute("aria-disabled");
      }
    });
  });
})();
