// The organizer's queue page: poll the queue's JSON and reload the list when it changed, backing off
// from 3 s to 60 s while nothing changes (and while the server does not answer).
(function () {
  "use strict";
  var box = document.getElementById("queue-refresh");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var delay = 3000;
  var MAX = 60000;
  var last = null;
  function signature(items) {
    return items.map(function (i) { return i.kind + i.id + i.status + i.worker + i.attempts; }).join("|");
  }
  function schedule() { window.setTimeout(poll, delay); }
  function poll() {
    if (document.hidden) { schedule(); return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        var sig = signature(data.items);
        if (last !== null && sig !== last) { window.location.reload(); return; }
        last = sig;
        delay = Math.min(delay * 2, MAX);
        schedule();
      })
      .catch(function () { delay = Math.min(delay * 2, MAX); schedule(); });
  }
  schedule();
})();
