// Drafts of typed text survive the page being sent again: every field marked data-draft is kept in the
// tab's sessionStorage as it is typed and put back when the page comes back with that field empty (another
// form on the page was sent, or a refusal re-rendered it). Sending a field's own form forgets its draft.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;
  // Keyed by the form's action, the same whichever URL re-rendered the page.
  function key(field) {
    var action = field.form ? field.form.getAttribute("action") : window.location.pathname;
    return "arena-draft:" + action + ":" + field.name;
  }
  document.querySelectorAll("[data-draft]").forEach(function (field) {
    var saved = store.getItem(key(field));
    if (saved !== null && !field.value) field.value = saved;
    field.addEventListener("input", function () {
      if (field.value) store.setItem(key(field), field.value); else store.removeItem(key(field));
    });
    if (field.form) {
      field.form.addEventListener("submit", function () { store.removeItem(key(field)); });
    }
  });
})();
