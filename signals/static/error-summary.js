// After a form comes back with errors, the focus moves to its error summary, so a screen reader
// reads the errors at once and a keyboard user starts there (as GOV.UK and NL Design System do).
// A link in the summary then takes the focus to its field itself, not only the scroll position.
// Without JavaScript the page works as before: the summary is at the top, its links are anchors.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }

  function fieldOf(target) {
    if (target.matches("input, select, textarea")) { return target; }
    return target.querySelector("input:not([type=hidden]), select, textarea");  // a fieldset
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var field = target && fieldOf(target);
    if (!field) { return; }
    event.preventDefault();
    var details = target.closest("details");
    if (details) { details.open = true; }
    var legend = target.matches("fieldset") ? target.querySelector("legend") : null;
    var label = legend || (field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']"));
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  summary.focus();
})();
