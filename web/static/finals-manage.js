// The final's settings form: check the formula as it is typed, with the finals domain's own messages.
(function () {
  "use strict";
  var box = document.getElementById("formula");
  var out = document.getElementById("formula-message");
  if (!box || !out) { return; }
  var token = box.form.querySelector("input[name=csrf_token]");
  var timer = null;
  function check() {
    var body = new URLSearchParams();
    body.append("formula", box.value);
    body.append("csrf_token", token ? token.value : "");
    fetch(box.getAttribute("data-check"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        out.textContent = data.message;
        out.className = data.ok ? "hint ok" : "hint error";
      })
      .catch(function () { out.textContent = ""; });
  }
  box.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 300);
  });
  check();
})();
