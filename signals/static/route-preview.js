// Keeps "Waar gaat dit signaal heen?" up to date while the report form is filled in.
// Without JavaScript the "Bijwerken" button does the same with a full page load.
(function () {
  "use strict";
  var preview = document.getElementById("route-preview");
  if (!preview || !window.fetch) { return; }
  var form = preview.closest("form");
  var url = preview.getAttribute("data-preview-url");
  var section = preview.closest(".route-preview");
  var pending = null;

  function show(data) {
    section.querySelectorAll("[data-field]").forEach(function (element) {
      var name = element.getAttribute("data-field");
      if (Object.prototype.hasOwnProperty.call(data, name)) { element.textContent = data[name]; }
    });
    // A part that only makes sense with a value (the owner, when it is not the step itself).
    section.querySelectorAll("[data-shown-with]").forEach(function (element) {
      element.hidden = !data[element.getAttribute("data-shown-with")];
    });
  }

  function refresh() {
    var body = new FormData(form);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { show(data); }
    }).catch(function () { /* keep the last preview; the button still works */ });
  }

  function schedule() {
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 250);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
})();
