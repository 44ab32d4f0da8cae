/* stancemap: the date slider and the play control of the map page. Progressive enhancement only: without this
   file the date field and the "Show" button do the same job. The slider's values are days since 1970-01-01; it
   writes the date field and asks the form (htmx) to refresh, so the URL, map, legend and table follow.

   Play steps through the slider's ticks (the dates on which some position changed), one step once the last one
   is drawn and has been shown for STEP_MS. A run adds one entry to the browser's history: its first step pushes
   the URL, the following ones replace it, so Back returns to the view before Play. */
(function () {
  "use strict";
  var DAY = 86400000;
  var STEP_MS = 1600;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function dateAt(v) { return new Date(v * DAY); }
  function dayOf(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? Math.round(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY) : null;
  }
  function iso(d) { return d.toISOString().slice(0, 10); }
  // The server's style ("27 Mar 2025"), written out: toLocaleDateString("en-GB") says "Sept" in some browsers.
  function label(d) { return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); }

  function init(root) {
    var slider = root.querySelector ? root.querySelector("#as_of_slider") : null;
    if (!slider || slider.dataset.ready) return;
    slider.dataset.ready = "1";
    var form = document.getElementById("view-form");
    var field = document.getElementById("f-as_of");
    var play = document.getElementById("play");
    var startLabel = document.getElementById("slider-start");
    var wrap = slider.closest(".slider-wrap");
    if (wrap) wrap.hidden = false;
    var ticks = Array.prototype.map.call(document.querySelectorAll("#change-ticks option"), function (o) {
      return +o.value;
    }).sort(function (a, b) { return a - b; });
    var playing = false, awaiting = false, pushed = false, timer = null;

    function refresh() {
      if (window.htmx) window.htmx.trigger(form, "refresh");
      else form.requestSubmit();
    }
    function setDay(v) {
      slider.value = v;
      var d = dateAt(+slider.value);
      field.value = iso(d);
      field.dataset.committed = field.value; // static/datefield.js: this value is sent, do not send it again
      field.removeAttribute("aria-invalid");
      slider.setAttribute("aria-valuetext", label(d));
    }
    // The field's date, once whole and real (static/datefield.js sends "change" only then), moves the slider;
    // an earlier date than the slider's start extends it, so slider and field never disagree.
    field.addEventListener("change", function () {
      var v = dayOf(field.value);
      if (v === null) return;
      stop();
      if (v < +slider.min) {
        slider.min = v;
        if (startLabel) startLabel.textContent = label(dateAt(v));
      }
      slider.value = Math.min(+slider.max, v);
      slider.setAttribute("aria-valuetext", label(dateAt(v)));
    });
    slider.addEventListener("input", function () { stop(); setDay(slider.value); refresh(); });
    // The slider has no name; its change must not also reach the form's own change trigger.
    slider.addEventListener("change", function (e) { e.stopPropagation(); });

    function nextTick() {
      var v = +slider.value;
      for (var i = 0; i < ticks.length; i++) if (ticks[i] > v) return ticks[i];
      return null;
    }
    function setPressed(on) {
      play.setAttribute("aria-pressed", on ? "true" : "false");
      play.classList.toggle("is-playing", on);
    }
    function stop() {
      if (!playing) return;
      playing = false;
      clearTimeout(timer); timer = null;
      setPressed(false);
    }
    function step() {
      timer = null;
      var v = nextTick();
      if (v === null) { stop(); return; }
      setDay(v);
      awaiting = true;
      refresh();
    }
    play.addEventListener("click", function () {
      if (playing) { stop(); return; }
      if (!ticks.length) return;
      playing = true; pushed = false;
      setPressed(true);
      if (nextTick() === null) { setDay(ticks[0]); awaiting = true; refresh(); }
      else step();
    });
    // One history entry per run: the first step's URL is pushed, the later ones replace it (also a step still
    // in flight when the reader pauses).
    document.body.addEventListener("htmx:beforeHistoryUpdate", function (e) {
      if (!(playing || awaiting) || !e.detail || !e.detail.history) return;
      if (pushed) e.detail.history.type = "replace";
      pushed = true;
    });
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (!awaiting || e.target.id !== "view") return;
      awaiting = false;
      if (!playing) return;
      if (nextTick() === null) stop();
      else timer = setTimeout(step, STEP_MS);
    });
    document.body.addEventListener("htmx:afterRequest", function (e) {
      if (awaiting && e.detail && e.detail.failed) { awaiting = false; stop(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function () { init(document); });
})();
