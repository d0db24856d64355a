/* Pantau: small behaviours every page shares (loaded by base.html; the CSP allows no inline script). */
(function () {
  "use strict";

  // After a refused submit, take the keyboard and the screen reader to the summary of what was wrong.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // The print button of the evidence page (and any other [data-print] button).
  function wirePrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function ready() {
    focusErrorSummary();
    wirePrintButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
