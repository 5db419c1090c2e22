// The challenge creation form: after typing stops for a moment, send the typed fields (not the files) to
// the server's check, which answers with the bundle importer's problems, and show each under its field
// (a code track's runner limits and resource class too).
(function () {
  "use strict";
  var form = document.getElementById("create-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-check-url");
  var box = document.getElementById("create-problems");
  var timer = null;
  var touched = {};
  // After a refused create every field's problem is shown, not only those of fields typed in since.
  var all = !box.hidden;
  function show(problems) {
    var byInput = {};
    var list = box.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (p) {
      if (!all && !touched[p.input]) { return; }
      (byInput[p.input] = byInput[p.input] || []).push(p.message);
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = p.field;
      item.appendChild(code);
      item.appendChild(document.createTextNode(": " + p.message));
      list.appendChild(item);
    });
    box.hidden = list.children.length === 0;
    box.querySelector("[data-when=refused]").hidden = true;
    box.querySelector("[data-when=live]").hidden = false;
    Array.prototype.forEach.call(form.querySelectorAll("[data-problem-for]"), function (span) {
      var name = span.getAttribute("data-problem-for");
      span.textContent = (byInput[name] || []).join("; ");
      var input = document.getElementById(name);
      if (input) { input.setAttribute("aria-invalid", byInput[name] ? "true" : "false"); }
    });
  }
  function check() {
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) { data.delete(input.name); });
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (answer) { show(answer.problems); })
      .catch(function () { /* the server checks again on create */ });
  }
  function changed(event) {
    if (!event.target.name || event.target.type === "file") { return; }
    touched[event.target.name] = true;
    touched[""] = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  }
  // The track kind shows (and sends) only its own fields; without the script every field is shown.
  var kind = document.getElementById("kind");
  function showKind() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-kind]"), function (part) {
      var other = part.getAttribute("data-kind") !== kind.value;
      part.hidden = other;
      part.disabled = other;
    });
  }
  if (kind) { kind.addEventListener("change", showKind); showKind(); }
  // A form larger than the server takes would be refused whole, losing what was typed: say so before sending.
  var tooLarge = document.getElementById("files-too-large");
  form.addEventListener("submit", function (event) {
    var maxBytes = Number(form.getAttribute("data-max-bytes") || 0);
    var total = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      if (input.disabled || !input.files) { return; }
      Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
    });
    var over = maxBytes > 0 && total > maxBytes;
    tooLarge.hidden = !over;
    if (over) {
      event.preventDefault();
      tooLarge.textContent = tooLarge.getAttribute("data-text").replace("%(mb)s", (total / 1048576).toFixed(1))
        .replace("%(limit)s", (maxBytes / 1048576).toFixed(1));
    }
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
