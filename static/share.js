// stancemap: copy buttons for the share / embed code and the citation (progressive enhancement: without this
// file the fields are plain read-only text to select). Delegated on document, so it survives htmx swaps; the
// "Share / embed" disclosure stays open across swaps of the map view.
(function () {
  "use strict";
  var shareOpen = false;

  function status(button, text) {
    var scope = button.closest(".share, .card") || document;
    var out = scope.querySelector("#share-status") || document.getElementById("share-status");
    if (out) out.textContent = text;
  }

  function copy(field, button) {
    var text = field.value;
    function done() { status(button, "Copied to the clipboard."); button.classList.add("is-copied"); }
    function fallback() {
      field.focus();
      field.select();
      try {
        if (document.execCommand("copy")) { done(); return; }
      } catch (e) { /* fall through */ }
      status(button, "Selected: press Ctrl+C (or Cmd+C) to copy.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function ready(root) {
    var buttons = (root || document).querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
    var details = document.getElementById("share");
    if (details && shareOpen) details.open = true;
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button.copy[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (field) copy(field, button);
  });
  // A click in a read-only field selects all of it: the usual way to take a link or code by hand.
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t && t.readOnly && (t.id || "").match(/^(share|cite)-/)) t.select();
  });
  document.addEventListener("toggle", function (e) {
    if (e.target && e.target.id === "share") shareOpen = e.target.open;
  }, true);
  document.addEventListener("htmx:afterSettle", function () { ready(document); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { ready(document); });
  else ready(document);
})();
