// stancemap: tooltip for the stance map. Delegated on document so it keeps working after htmx swaps the map.
// On a touch screen the first tap on a country shows its position in a card (with a link to its page) instead of
// leaving the page; a second tap on the same country, or the card's link, opens the page.
(function () {
  "use strict";
  var tip = null;
  var current = null;
  var pinned = null;  // the country whose card a tap opened
  var lastPointer = "mouse";

  function tooltip() {
    if (!tip || !document.body.contains(tip)) {
      tip = document.createElement("div");
      tip.className = "map-tooltip";
      tip.id = "map-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    node.className = cls;
    node.textContent = text; // textContent, never innerHTML: quotes come from articles
    return node;
  }

  // The stances' names come with the map (data-stance-labels, from app/models.py's vocabulary).
  function labels(link) {
    var wrap = link.closest(".stance-map-wrap");
    var given = wrap && wrap.dataset.stanceLabels ? JSON.parse(wrap.dataset.stanceLabels) : {};
    return Object.assign({ none: "No position", filtered: "Not in this view" }, given);
  }

  function fill(link) {
    var t = tooltip();
    var d = link.dataset;
    var LABELS = labels(link);
    var stance = LABELS[d.stance] ? d.stance : "none";
    t.textContent = "";
    var head = el("div", "tt-head", "");
    head.appendChild(el("span", "tt-name", d.name || d.iso2 || ""));
    head.appendChild(el("span", "badge badge-" + stance, LABELS[stance]));
    t.appendChild(head);
    if (stance === "filtered") t.appendChild(el("div", "tt-date", "Hidden by the stance or group filter"));
    if (d.since) t.appendChild(el("div", "tt-date", "Since " + d.since + (d.date && d.date !== d.since ? ", last restated " + d.date : "")));
    else if (d.date) t.appendChild(el("div", "tt-date", "Stated " + d.date));
    if (d.trustLabel) t.appendChild(el("div", "tt-trust tt-trust-" + (d.trust || ""), d.trustLabel + (d.sources ? " \u00b7 " + d.sources : "")));
    if (d.stale) t.appendChild(el("div", "tt-stale", "Stale: " + d.stale));
    if (d.note) t.appendChild(el("div", "tt-note", d.note)); // a comparison: how it changed, or "unchanged"
    if (d.quote) t.appendChild(el("p", "tt-quote", "\u201c" + d.quote + "\u201d"));
    t.hidden = false;
  }

  function place(x, y) {
    var t = tooltip();
    var pad = 14;
    var w = t.offsetWidth, h = t.offsetHeight;
    var left = x + pad, top = y + pad;
    if (left + w > window.innerWidth - 8) left = Math.max(8, x - pad - w);
    if (top + h > window.innerHeight - 8) top = Math.max(8, y - pad - h);
    t.style.left = left + "px";
    t.style.top = top + "px";
  }

  // Neighbours drawn later would cover part of a hovered country's outline, so the outline is drawn again
  // on top, in an overlay that ignores the pointer.
  function outline(link) {
    var old = document.querySelectorAll(".stance-map .hover-outline");
    for (var i = 0; i < old.length; i++) old[i].remove();
    var svg = link && link.closest("svg.stance-map");
    if (!svg) return;
    var g = document.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("class", "hover-outline");
    g.setAttribute("aria-hidden", "true");
    var shapes = link.querySelectorAll("path, circle");
    for (var j = 0; j < shapes.length; j++) g.appendChild(shapes[j].cloneNode(false));
    svg.appendChild(g);
  }

  function pin(link) {
    var t = tooltip();
    current = link;
    pinned = link;
    fill(link);
    outline(link);
    var d = link.dataset;
    var foot = el("div", "tt-actions", "");
    var open = document.createElement("a");
    open.href = link.getAttribute("href");
    open.className = "tt-open";
    open.textContent = "Open " + (d.name || d.iso2) + "\u2019s page \u2192";
    var close = el("button", "tt-close secondary small", "Close");
    close.type = "button";
    close.addEventListener("click", unpin);
    foot.appendChild(open);
    foot.appendChild(close);
    t.appendChild(foot);
    t.classList.add("is-pinned");
    t.setAttribute("role", "group");
    t.setAttribute("aria-label", (d.name || d.iso2) + ": position");
    t.style.left = ""; t.style.top = "";
  }

  function unpin() {
    pinned = null;
    if (tip) { tip.classList.remove("is-pinned"); tip.setAttribute("role", "tooltip"); tip.removeAttribute("aria-label"); }
    hide();
  }

  function show(link, x, y) {
    if (pinned) return;
    if (current !== link) {
      current = link;
      fill(link);
      outline(link);
    }
    place(x, y);
  }

  function hide() {
    if (pinned) return;
    current = null;
    outline(null);
    if (tip) tip.hidden = true;
  }

  function countryOf(target) {
    return target && target.closest ? target.closest(".stance-map-wrap .country") : null;
  }

  document.addEventListener("mousemove", function (e) {
    var link = countryOf(e.target);
    if (link) show(link, e.clientX, e.clientY);
    else if (current && document.activeElement !== current) hide();
  });
  document.addEventListener("mouseleave", hide);
  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);
  // A tap on a country: show its position first; the same country tapped again (or the card's link) opens it.
  document.addEventListener("click", function (e) {
    var link = countryOf(e.target);
    if (pinned && tip && tip.contains(e.target)) return;
    if (!link) { if (pinned) unpin(); return; }
    if (lastPointer !== "touch" || pinned === link) return;
    e.preventDefault();
    pinned = null;
    pin(link);
  }, true);
  document.addEventListener("focusin", function (e) {
    var link = countryOf(e.target);
    if (!link) return hide();
    var box = link.getBoundingClientRect();
    show(link, box.left + box.width / 2, box.top + box.height / 2);
  });
  document.addEventListener("focusout", function (e) {
    if (countryOf(e.target) === current) hide();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { if (pinned) unpin(); else hide(); }
  });
  // A swapped-in map replaces the element under the pointer; drop a tooltip that points at nothing.
  document.addEventListener("htmx:afterSwap", function () {
    if (current && !document.body.contains(current)) { pinned = null; hide(); }
  });
})();
