// Keeps "Waar gaat dit signaal heen?" and "Dit lijkt op" up to date while the report form
// is filled in.
// Without JavaScript the "Bijwerken" button does the same with a full page load.
(function () {
  "use strict";
  var preview = document.getElementById("route-preview");
  if (!preview || !window.fetch) { return; }
  var form = preview.closest("form");
  var url = preview.getAttribute("data-preview-url");
  var section = preview.closest(".route-preview");
  var pending = null;

  var similarSlot = document.getElementById("similar-slot");
  // What the slot shows, as the server sent it; unknown (null) while the page's own is there.
  var similarShown = similarSlot && similarSlot.children.length === 0 ? "" : null;

  function showSimilar(html) {
    // Only when it changed: a screen reader announces the new part, and replacing it
    // would take the focus from a choice inside it.
    if (!similarSlot || typeof html !== "string") { return; }
    html = html.trim();
    if (html === similarShown) { return; }
    similarShown = html;
    similarSlot.innerHTML = html;
  }

  function show(data) {
    showSimilar(data.similar_html);
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

  function schedule(event) {
    // Choosing a kwestie changes neither the route nor what is similar.
    if (similarSlot && event && similarSlot.contains(event.target)) { return; }
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 250);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
})();
