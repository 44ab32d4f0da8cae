/* stancemap: keeps the keyboard focus where the person is across htmx swaps. When a swap replaces the element
   that had the focus (a legend entry, a sort link, a select in a swapped form), the focus goes to its
   counterpart in the new content (same id), else to the first element of the new content that asks for it
   ([data-focus-first]), else to the swapped region itself; it is never dropped on <body>. A page script that
   moved the focus itself (the review queue's) is left alone. */
(function () {
  "use strict";
  var lostId = null;
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  document.addEventListener("htmx:beforeSwap", function () {
    var a = document.activeElement;
    lostId = a && a !== document.body && a.id ? a.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    var a = document.activeElement;
    if (a && a !== document.body && document.documentElement.contains(a)) return; // the focus survived
    var target = e.detail && e.detail.target;
    var el = lostId ? document.getElementById(lostId) : null;
    if (!el && target && document.documentElement.contains(target)) {
      el = target.querySelector("[data-focus-first]") || target;
    }
    if (!el) return;
    if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  });
})();
