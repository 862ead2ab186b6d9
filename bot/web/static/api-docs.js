// The API documentation page: Swagger UI (served from the swagger-ui-bundle package, no CDN) on our OpenAPI schema.
"use strict";
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
