/* stancemap: date fields (input[data-date-field], text inputs holding YYYY-MM-DD). A form that updates as it
   changes (htmx, hx-trigger="change") hears of a date only once it is whole and real: on Enter, on leaving the
   field, or after a pause in typing, and only when it differs from the date last sent. A partial or impossible
   date is never sent; the field says what is wrong instead. Without this file the form posts what was typed and
   the server answers with the same message. */
(function () {
  "use strict";
  var PAUSE_MS = 900;
  var MIN = "1991-01-01";

  function today() { return new Date().toISOString().slice(0, 10); }

  // "" (no date) is allowed; otherwise a message, or null when the date is fine.
  function problem(field) {
    var v = field.value.trim();
    if (v === "") return null;
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return "type a whole date as YYYY-MM-DD, e.g. 2025-03-01";
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) {
      return "'" + v + "' is not a date (there is no such day)";
    }
    if (v < (field.dataset.min || MIN)) return "use a date from " + (field.dataset.min || MIN) + " on";
    if (v > (field.dataset.max || today())) return "use a date up to " + (field.dataset.max || today());
    return null;
  }

  function message(field, text) {
    var id = field.id + "-problem";
    var p = document.getElementById(id);
    if (!text) {
      if (p) p.hidden = true;
      field.removeAttribute("aria-invalid");
      return;
    }
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.id = id;
      p.setAttribute("role", "alert");
      var after = field.nextElementSibling && field.nextElementSibling.classList.contains("hint") ?
        field.nextElementSibling : field;
      after.insertAdjacentElement("afterend", p);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(id) < 0) described.push(id);
      field.setAttribute("aria-describedby", described.join(" "));
    }
    p.textContent = text;
    p.hidden = false;
    field.setAttribute("aria-invalid", "true");
  }

  function isDateField(el) { return el && el.matches && el.matches("input[data-date-field]"); }

  function ready(field) {
    if (field.dataset.committed === undefined) field.dataset.committed = field.value;
  }

  // Sends the date on (a "change" event the form's htmx trigger hears) when it is fine and new.
  function commit(field) {
    clearTimeout(field._pause);
    ready(field);
    var text = problem(field);
    message(field, text);
    if (text || field.value.trim() === field.dataset.committed) return;
    field.dataset.committed = field.value.trim();
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // What the field held before the person typed: the date the page shows (set before any input event).
  function readyAll(root) {
    var fields = (root && root.querySelectorAll) ? root.querySelectorAll("input[data-date-field]") : [];
    for (var i = 0; i < fields.length; i++) ready(fields[i]);
  }
  document.addEventListener("DOMContentLoaded", function () { readyAll(document); });
  document.addEventListener("htmx:load", function (e) { readyAll(e.target); });
  document.addEventListener("focusin", function (e) { if (isDateField(e.target)) ready(e.target); });

  // The browser's own change (on leaving the field) never reaches the form; commit() decides what does.
  document.addEventListener("change", function (e) {
    if (!isDateField(e.target) || !e.isTrusted) return;
    e.stopPropagation();
    commit(e.target);
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !isDateField(e.target)) return;
    var form = e.target.form;
    // In a form that updates as it changes, Enter sends the date; in other forms it submits as usual.
    if (!form || !form.hasAttribute("hx-trigger") || !/change/.test(form.getAttribute("hx-trigger"))) {
      if (problem(e.target)) { e.preventDefault(); message(e.target, problem(e.target)); }
      return;
    }
    e.preventDefault();
    commit(e.target);
  }, true);
  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!isDateField(field)) return;
    ready(field);
    clearTimeout(field._pause);
    var v = field.value.trim();
    if (!problem(field)) message(field, null);
    // A pause after a whole date (or an emptied field) sends it; a partial one waits for Enter or leaving.
    if (v === "" || v.length === 10) field._pause = setTimeout(function () { commit(field); }, PAUSE_MS);
  }, true);
  // A form is not sent with a bad date in it (the server would answer with the same message).
  document.addEventListener("submit", function (e) {
    var fields = e.target.querySelectorAll ? e.target.querySelectorAll("input[data-date-field]") : [];
    for (var i = 0; i < fields.length; i++) {
      var text = problem(fields[i]);
      if (text) {
        e.preventDefault();
        e.stopPropagation();
        message(fields[i], text);
        fields[i].focus();
        return;
      }
      ready(fields[i]);
      fields[i].dataset.committed = fields[i].value.trim();
    }
  }, true);
})();
