// While an import form sends and checks its file, show the progress panel and keep the button from being pressed
// twice. Served as a file (the CSP allows no inline script); without it the form works the same, silently.
(function () {
  "use strict";
  document.querySelectorAll("form[data-import-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var panel = document.getElementById(form.getAttribute("data-import-progress"));
      if (panel) {
        panel.hidden = false;
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });
})();
