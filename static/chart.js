// stancemap: the chart view's tooltip (a strip segment pointed at or focused shows the statement behind it) and
// the "compare with" field kept in step with the view after an htmx swap. Progressive enhancement only: without
// this file each segment's <title> is its tooltip and the field is rendered from the URL on every load.
(function () {
  "use strict";
  var tip = null;
  var current = null;

  function tooltip() {
    if (!tip || !document.body.contains(tip)) {
      tip = document.createElement("div");
      tip.className = "chart-tooltip";
      tip.id = "chart-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }

  function line(cls, text) {
    var node = document.createElement("div");
    node.className = cls;
    node.textContent = text; // textContent, never innerHTML: quotes come from articles
    return node;
  }

  // The segment's <title> holds its lines: "Country: stance", the dates, how sure, the quote, a note.
  function fill(seg) {
    var t = tooltip();
    var title = seg.querySelector("title");
    var lines = title ? title.textContent.split("\n") : [];
    t.textContent = "";
    lines.forEach(function (text, i) {
      var cls = i === 0 ? "tt-name" : "tt-line";
      if (i === 2) cls += seg.classList.contains("unreviewed") ? " tt-trust-unreviewed" : " tt-trust";
      if (text.charAt(0) === "\u201c") cls = "tt-quote";
      t.appendChild(line(cls, text));
    });
    t.appendChild(line("tt-hint", "Open it for the statement and its source"));
    t.hidden = false;
  }

  function place(x, y) {
    var t = tooltip();
    var pad = 14, w = t.offsetWidth, h = t.offsetHeight;
    var left = x + pad, top = y + pad;
    if (left + w > window.innerWidth - 8) left = Math.max(8, x - pad - w);
    if (top + h > window.innerHeight - 8) top = Math.max(8, y - pad - h);
    t.style.left = left + "px";
    t.style.top = top + "px";
  }

  function show(seg, x, y) {
    if (current !== seg) {
      if (current) current.classList.remove("is-current");
      current = seg;
      seg.classList.add("is-current");
      fill(seg);
    }
    place(x, y);
  }

  function hide() {
    if (current) current.classList.remove("is-current");
    current = null;
    if (tip) tip.hidden = true;
  }

  function segmentOf(target) {
    return target && target.closest ? target.closest(".strip-bars a.seg") : null;
  }

  document.addEventListener("mousemove", function (e) {
    var seg = segmentOf(e.target);
    if (seg) show(seg, e.clientX, e.clientY);
    else if (current && document.activeElement !== current) hide();
  });
  document.addEventListener("focusin", function (e) {
    var seg = segmentOf(e.target);
    if (!seg) { if (current) hide(); return; }
    var box = seg.getBoundingClientRect();
    show(seg, box.left + Math.min(box.width / 2, 40), box.bottom - 6);
  });
  document.addEventListener("focusout", function (e) {
    if (segmentOf(e.target) === current) hide();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") hide();
  });

  // A tab or "stop comparing" used from the keyboard is swapped away with the view: keep the focus on the same
  // control in the new view (or, when it is gone, on the "compare with" field it cleared).
  var focusedId = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var el = document.activeElement;
    focusedId = el && el.id && el.closest && el.closest("#view .view-tabs") ? el.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    var el = document.getElementById(focusedId) || (focusedId === "stop-comparing" && document.getElementById("f-since"));
    focusedId = null;
    if (el && document.activeElement !== el) el.focus();
  });

  // After a swap of the view: drop a tooltip pointing at nothing, and let the "compare with" field (outside the
  // swapped part, so typing in it keeps the focus) show the view's date unless the reader is typing in it.
  document.addEventListener("htmx:afterSwap", function () {
    if (current && !document.body.contains(current)) hide();
    var tabs = document.querySelector("#view .view-tabs");
    var field = document.getElementById("f-since");
    if (!tabs || !field || document.activeElement === field) return;
    if (tabs.dataset.sinceInvalid) { field.setAttribute("aria-invalid", "true"); return; }
    field.removeAttribute("aria-invalid");
    field.value = tabs.dataset.since || "";
  });
})();
