// Bar lengths of the exam-statistics histogram. The Content Security Policy forbids inline style
// attributes, so each bar carries its length (a percentage) in data-bar and this file applies it;
// the counts are printed beside the bars, so nothing is lost without script.
(function () {
  "use strict";
  var bars = document.querySelectorAll("[data-bar]");
  for (var i = 0; i < bars.length; i++) {
    var pct = parseFloat(bars[i].getAttribute("data-bar"));
    if (!isNaN(pct)) { bars[i].style.width = Math.max(0, Math.min(100, pct)) + "%"; }
  }
})();
