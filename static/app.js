/* stancemap: the date slider and the play control of the map page. Progressive enhancement only: without this
   file the date field and the "Show" button do the same job. The slider moves in days from data-start; it writes
   the date field and asks the form (htmx) to refresh, so the URL, map, legend and table follow. */
(function () {
  "use strict";
  var DAY = 86400000;

  function parseISO(s) { var p = s.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function iso(d) { return d.toISOString().slice(0, 10); }
  function label(d) {
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }

  function init(root) {
    var slider = root.querySelector ? root.querySelector("#as_of_slider") : null;
    if (!slider || slider.dataset.ready) return;
    slider.dataset.ready = "1";
    var form = document.getElementById("view-form");
    var field = document.getElementById("f-as_of");
    var play = document.getElementById("play");
    var wrap = slider.closest(".slider-wrap");
    if (wrap) wrap.hidden = false;
    var start = parseISO(slider.dataset.start);
    var timer = null;

    function dateAt(v) { return new Date(start.getTime() + v * DAY); }
    function refresh() {
      if (window.htmx) window.htmx.trigger(form, "refresh");
      else form.requestSubmit();
    }
    function setDay(v) {
      slider.value = v;
      var d = dateAt(+slider.value);
      field.value = iso(d);
      slider.setAttribute("aria-valuetext", label(d));
    }

    slider.addEventListener("input", function () { setDay(slider.value); refresh(); });
    // The slider has no name; its change must not also reach the form's own change trigger.
    slider.addEventListener("change", function (e) { e.stopPropagation(); });
    field.addEventListener("change", function () {
      if (!field.value) return;
      var v = Math.round((parseISO(field.value) - start) / DAY);
      slider.value = Math.max(0, Math.min(+slider.max, v));
    });

    function stop() {
      clearInterval(timer); timer = null;
      play.textContent = "▶ Play"; play.setAttribute("aria-pressed", "false");
    }
    function step() {
      // Month by month: the same day of the next month (clamped to the month's end), until the slider's end.
      var d = dateAt(+slider.value);
      var next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      var last = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
      next.setUTCDate(Math.min(start.getUTCDate(), last));
      var v = Math.round((next - start) / DAY);
      if (v >= +slider.max) { setDay(+slider.max); refresh(); stop(); return; }
      setDay(v); refresh();
    }
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (+slider.value >= +slider.max) setDay(0);
      play.textContent = "❚❚ Pause"; play.setAttribute("aria-pressed", "true");
      step();
      timer = setInterval(step, 1200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(document); });
})();
