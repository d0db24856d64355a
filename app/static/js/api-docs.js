// The API documentation page: Swagger UI (vendored in static/vendor/swagger-ui) reading the OpenAPI document.
// A file of its own because the Content-Security-Policy forbids inline scripts.
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
