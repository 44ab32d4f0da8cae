// stancemap: tooltip for the stance map. Delegated on document so it keeps working after htmx swaps the map.
(function () {
  "use strict";
  var tip = null;
  var current = null;

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
    return Object.assign({ none: "No position" }, given);
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
    if (d.since) t.appendChild(el("div", "tt-date", "Since " + d.since + (d.date && d.date !== d.since ? ", last restated " + d.date : "")));
    else if (d.date) t.appendChild(el("div", "tt-date", "Stated " + d.date));
    if (d.trustLabel) t.appendChild(el("div", "tt-trust tt-trust-" + (d.trust || ""), d.trustLabel + (d.sources ? " \u00b7 " + d.sources : "")));
    if (d.stale) t.appendChild(el("div", "tt-stale", "Stale: " + d.stale));
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

  function show(link, x, y) {
    if (current !== link) {
      current = link;
      fill(link);
      outline(link);
    }
    place(x, y);
  }

  function hide() {
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
    if (e.key === "Escape") hide();
  });
  // A swapped-in map replaces the element under the pointer; drop a tooltip that points at nothing.
  document.addEventListener("htmx:afterSwap", function () {
    if (current && !document.body.contains(current)) hide();
  });
})();
