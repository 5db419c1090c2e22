// The projector page of a final: show the next place (from the last to the first) on a click or a key press.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".present-row"));
  var button = document.getElementById("present-next");
  var done = document.getElementById("present-done");
  if (!button) { return; }
  var shown = 0;
  function next() {
    if (shown >= rows.length) { return; }
    rows[shown].hidden = false;
    shown += 1;
    if (shown >= rows.length) { button.disabled = true; done.hidden = false; }
  }
  button.addEventListener("click", next);
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === " " || event.key === "PageDown") {
      event.preventDefault();
      next();
    }
  });
  if (rows.length === 0) { button.disabled = true; }
})();
