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
