// Starts Swagger UI on /api/v1/docs. Kept in a file (not inline) so the page runs under a
// Content-Security-Policy that allows scripts and styles from this origin only. BaseLayout
// (no top bar) because the top bar's logo carries an inline <style> that policy refuses.
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Never send the document to the public validator service (an outside request).
    validatorUrl: null,
  });
});
