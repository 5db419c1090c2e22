// The pages editor: each Preview button sends its text to the server, which renders it with the site's own
// Markdown renderer, and shows the answer below the text. Without the script the form still saves.
(function () {
  "use strict";
  var form = document.getElementById("texts-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-preview-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  Array.prototype.forEach.call(form.querySelectorAll(".preview-button"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-source");
      var box = document.getElementById("preview-" + name);
      var data = new FormData();
      data.append("csrf_token", token);
      data.append("source", document.getElementById(name).value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (answer) { box.innerHTML = answer.html; box.hidden = false; })
        .catch(function () { box.textContent = button.getAttribute("data-failed") || ""; box.hidden = false; });
    });
  });
}());

// The phase form: after typing stops for a moment, the server checks the typed settings with the importer's
// phase check and names the changes that would need a reason; each problem is shown under its field.
(function () {
  "use strict";
  var form = document.getElementById("phase-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-check-url");
  var note = document.getElementById("unfair-note");
  var timer = null;
  function show(answer) {
    var byField = {};
    answer.problems.forEach(function (p) { (byField[p.field] = byField[p.field] || []).push(p.message); });
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
      var span = document.getElementById("problem-" + input.name);
      if (!span || input.type === "hidden") { return; }
      span.textContent = (byField[input.name] || []).join("; ");
      input.setAttribute("aria-invalid", byField[input.name] ? "true" : "false");
    });
    note.hidden = answer.unfair.length === 0;
    note.textContent = note.getAttribute("data-text").replace("%(fields)s", answer.unfair.join(", "));
  }
  function check() {
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(show)
      .catch(function () { /* the server checks again on save */ });
  }
  form.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(check, 400); });
}());

// The track, new phase, pages and scorer options forms: after typing stops for a moment, the server checks the
// typed fields with the bundle importer's own checks; each problem is shown beside the input it concerns, the
// rest in the box above.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("form.live-check"), function (form) {
    var url = form.getAttribute("data-check-url");
    var box = document.getElementById("edit-problems");
    var note = document.getElementById("scoring-note");
    var timer = null;
    // The fields the check speaks for (others, such as a reason, keep what the last save said).
    var checked = form.getAttribute("data-check-inputs") ? form.getAttribute("data-check-inputs").split(" ") : null;
    function show(answer) {
      var byInput = {};
      var loose = [];
      answer.problems.forEach(function (p) {
        if (document.getElementById("problem-" + p.input)) {
          (byInput[p.input] = byInput[p.input] || []).push(p.message);
        } else {
          loose.push(p);
        }
      });
      Array.prototype.forEach.call(form.querySelectorAll("span.error[id^='problem-']"), function (span) {
        var name = span.id.slice("problem-".length);
        if (checked && checked.indexOf(name) < 0) { return; }
        span.textContent = (byInput[name] || []).join("; ");
        var input = document.getElementById(name);
        if (input) { input.setAttribute("aria-invalid", byInput[name] ? "true" : "false"); }
      });
      if (box) {
        var list = box.querySelector("ul");
        list.textContent = "";
        loose.forEach(function (p) {
          var item = document.createElement("li");
          var code = document.createElement("code");
          code.textContent = p.field;
          item.appendChild(code);
          item.appendChild(document.createTextNode(": " + p.message));
          list.appendChild(item);
        });
        box.hidden = loose.length === 0;
      }
      if (note && answer.scoring) {
        note.hidden = answer.scoring.length === 0;
        note.textContent = note.getAttribute("data-text").replace("%(fields)s", answer.scoring.join(", "));
      }
    }
    function check() {
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(show)
        .catch(function () { /* the server checks again on save */ });
    }
    function later() { window.clearTimeout(timer); timer = window.setTimeout(check, 400); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
}());
