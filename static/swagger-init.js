/* Starts the vendored Swagger UI on /docs (a file, not an inline script, so the Content-Security-Policy can forbid
   inline scripts). The OpenAPI document's URL comes from the page. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    // No deep links: they put a link inside each operation's toggle button (a control inside a control, which
    // screen readers cannot announce; axe-core's nested-interactive rule).
    deepLinking: false,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
  // Example code blocks scroll sideways; a keyboard user must be able to reach them to scroll (axe-core's
  // scrollable-region-focusable rule). Swagger UI draws them as operations open, so watch for them.
  function focusable(node) {
    var blocks = node.querySelectorAll ? node.querySelectorAll(".highlight-code > .microlight:not([tabindex])") : [];
    Array.prototype.forEach.call(blocks, function (b) {
      b.setAttribute("tabindex", "0");
      b.setAttribute("role", "region");
      b.setAttribute("aria-label", "Example");
    });
  }
  new MutationObserver(function (records) {
    records.forEach(function (r) { Array.prototype.forEach.call(r.addedNodes, focusable); });
  }).observe(root, {childList: true, subtree: true});
})();
