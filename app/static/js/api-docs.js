// The API documentation page: Swagger UI (vendored in static/vendor/swagger-ui) reading the OpenAPI document.
// A file of its own because the Content-Security-Policy forbids inline scripts. Swagger UI's headings start a level
// too deep for the page around it: they are given their level in the page, and its parameter lists a name, again
// after every render.
(function () {
  "use strict";

  var LEVELS = { H3: "2", H4: "3", H5: "4" };

  function fitHeadings(root) {
    root.querySelectorAll("h3, h4, h5").forEach(function (heading) {
      heading.setAttribute("aria-level", LEVELS[heading.tagName]);
    });
    // A parameter's choice list is named by its parameter; a scrolling code example is reachable by keyboard.
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
    root.querySelectorAll(".highlight-code pre:not([tabindex])").forEach(function (code) {
      code.setAttribute("tabindex", "0");
    });
  }

  window.addEventListener("DOMContentLoaded", function () {
    var target = document.getElementById("swagger-ui");
    if (!target || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    new MutationObserver(function () {
      fitHeadings(target);
    }).observe(target, { childList: true, subtree: true });
    window.SwaggerUIBundle({
      url: target.getAttribute("data-spec-url"),
      dom_id: "#swagger-ui",
      deepLinking: false, // its links inside the operations' buttons would nest interactive elements
      tryItOutEnabled: false,
    });
  });
})();
