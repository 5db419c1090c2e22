// Save-as-you-type for the judge's scoring form: each criterion is posted on its own, shortly after the
// judge stops typing, with the page's CSRF token; a failed post is retried until it goes through or is refused.
(function () {
  "use strict";
  var form = document.querySelector("form.marks");
  if (!form || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var DELAY = 600, RETRY = 3000;

  function show(fieldset, text, state) {
    var status = fieldset.querySelector(".save-status");
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function save(fieldset) {
    var id = fieldset.getAttribute("data-criterion");
    var points = fieldset.querySelector("input[type=number]").value.trim();
    var comment = fieldset.querySelector("textarea").value;
    if (points === "") { return; }
    var body = new URLSearchParams({ csrf_token: token, criterion_id: id, points: points, comment: comment });
    var sent = points + "\u0000" + comment;
    fieldset._sent = sent;
    show(fieldset, form.dataset.saving, "saving");
    fetch(form.dataset.saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server"); }  // retried like a dropped connection
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (answer) {
      if (fieldset._sent !== sent) { return; }  // the judge typed again meanwhile; that post reports
      if (answer.ok) { show(fieldset, form.dataset.saved, "saved"); return; }
      show(fieldset, form.dataset.refused + ": " + (answer.data.message || answer.status), "refused");
    }).catch(function () {
      if (fieldset._sent !== sent) { return; }
      show(fieldset, form.dataset.retrying, "retrying");
      clearTimeout(fieldset._timer);
      fieldset._timer = setTimeout(function () { save(fieldset); }, RETRY);
    });
  }

  form.querySelectorAll("fieldset.criterion").forEach(function (fieldset) {
    fieldset.addEventListener("input", function () {
      show(fieldset, "", "typing");
      clearTimeout(fieldset._timer);
      fieldset._timer = setTimeout(function () { save(fieldset); }, DELAY);
    });
  });
})();
