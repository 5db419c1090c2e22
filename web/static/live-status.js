// Live status of queued and running submissions, without reloading the page. Each element marked
// data-live-url (a table row or the facts of one submission) is polled: first after 2 s, then less and less
// often (up to every 30 s), and no more once its status is final. Cells marked data-live="status|score|message"
// inside it are replaced with the server's rendering, so texts stay translated. Without JavaScript the page's
// <noscript> refresh does the same job.
(function () {
  "use strict";
  var FIRST = 2000, MAX = 30000, FACTOR = 1.6;

  function apply(box, data) {
    box.setAttribute("data-live-status", data.status);
    Object.keys(data.cells).forEach(function (name) {
      box.querySelectorAll('[data-live="' + name + '"]').forEach(function (cell) {
        cell.innerHTML = data.cells[name];
      });
    });
    if (data.final) {
      // The page of one submission shows logs and run facts once it is final: load them.
      if (box.hasAttribute("data-live-reload")) { window.location.reload(); return; }
      box.removeAttribute("data-live-url");
      document.querySelectorAll("[data-live-note]").forEach(function (note) {
        if (!document.querySelector("[data-live-url]")) note.hidden = true;
      });
    }
  }

  function watch(box) {
    var url = box.getAttribute("data-live-url");
    var delay = FIRST;
    function poll() {
      fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          var changed = data.status !== box.getAttribute("data-live-status");
          if (changed) apply(box, data);
          if (!data.final) {
            delay = changed ? FIRST : Math.min(MAX, delay * FACTOR);
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          delay = Math.min(MAX, delay * 2);
          window.setTimeout(poll, delay);
        });
    }
    window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-live-url]").forEach(watch);
})();
