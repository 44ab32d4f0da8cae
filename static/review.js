/* stancemap: keyboard triage of the review queue. Progressive enhancement only: without this file every button
   and link of the queue does the same job. Keys (never while typing in a field): j/k or arrows move between
   statements, v verify, d dismiss, c correct, Shift+V / Shift+D verify / dismiss all remaining in the article,
   u undo the last decision, o open the article page, ? shows the list. After each decision the focus moves to
   the next statement still waiting. */
(function () {
  "use strict";

  var lastActed = null;   // the id of the statement (or "group-N") the last action was taken on
  var lastUndo = null;    // the id of the element holding the last decision's undo form

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".review-item")); }
  function pending() { return items().filter(function (el) { return el.dataset.state === "pending"; }); }

  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".review-item") : null;
  }

  function highlight(item) {
    document.querySelectorAll("mark.ev.is-current").forEach(function (m) { m.classList.remove("is-current"); });
    if (!item) return;
    var id = item.dataset.id;
    document.querySelectorAll("mark.ev").forEach(function (m) {
      if ((" " + m.dataset.ids + " ").indexOf(" " + id + " ") >= 0) m.classList.add("is-current");
    });
    var mark = document.querySelector("mark.ev.is-current");
    var box = mark && mark.closest(".article-text");
    if (box && box.scrollHeight > box.clientHeight) {
      box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
    }
  }

  function focusItem(item, quiet) {
    if (!item) return;
    item.focus({ preventScroll: true });
    if (!quiet) item.scrollIntoView({ block: "nearest" });
    highlight(item);
  }

  function move(step) {
    var all = items();
    var at = all.indexOf(current());
    var next = at < 0 ? (step > 0 ? all[0] : all[all.length - 1]) : all[at + step];
    focusItem(next);
  }

  // The next statement still waiting after `id` in page order, else the first waiting one.
  function nextPendingAfter(id) {
    var all = items();
    var at = all.findIndex(function (el) { return el.dataset.id === String(id); });
    for (var i = at + 1; i < all.length; i++) if (all[i].dataset.state === "pending") return all[i];
    return pending()[0] || null;
  }

  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function act(item, selector) {
    if (!item || item.dataset.state !== "pending") return;
    var button = item.querySelector(selector);
    if (!button) return;
    lastActed = item.dataset.id;
    // A row that just arrived out of band may not be wired up by htmx yet: do it now, so the click is an
    // htmx request and not a whole-page form post.
    if (window.htmx) window.htmx.process(item);
    button.click();
  }

  function bulk(item, decision) {
    var group = item ? item.closest(".review-group") : document.querySelector(".review-group");
    var button = group && group.querySelector(".bulk-" + decision);
    if (!button) return;
    var members = group.querySelectorAll(".review-item");
    lastActed = members.length ? members[members.length - 1].dataset.id : null;
    if (window.htmx) window.htmx.process(group);
    button.click();
  }

  var returnTo = null;  // the statement that had the focus before the list opened
  function toggleHelp(open) {
    var help = document.getElementById("shortcuts");
    if (!help) return;
    var was = help.open;
    help.open = open === undefined ? !help.open : open;
    if (help.open && !was) { returnTo = current(); help.querySelector("summary").focus(); }
    else if (!help.open && was) { focusItem(returnTo || pending()[0], true); returnTo = null; }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      if (e.key === "Escape" && t.closest(".correct-form")) {
        var cancel = t.closest(".correct-form").querySelector("a.button.secondary");
        if (cancel) cancel.click();
      }
      return;
    }
    if (!document.querySelector(".review-list")) return;
    var item = current();
    var handled = true;
    switch (e.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "v": act(item, ".act-verify"); break;
      case "d": act(item, ".act-dismiss"); break;
      case "c": act(item, ".act-correct"); break;
      case "V": bulk(item, "verify"); break;
      case "D": bulk(item, "dismiss"); break;
      case "u": {
        var holder = lastUndo && document.getElementById(lastUndo);
        var form = holder && holder.querySelector("form[data-undo]");
        if (!form) form = document.querySelector("#done-flash form[data-undo]");
        if (form) {
          undoFocus = holder ? holder.id : null; lastUndo = null;
          if (window.htmx) window.htmx.process(form);
          submit(form);
        }
        break;
      }
      case "o": {
        var group = item ? item.closest(".review-group") : document.querySelector(".review-group");
        var link = group && group.querySelector("a.open-article");
        if (link) window.location.href = link.href + (item ? "#ev-" + item.dataset.id : "");
        break;
      }
      case "?": toggleHelp(); break;
      case "Escape": toggleHelp(false); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  document.addEventListener("focusin", function (e) {
    var item = e.target.closest && e.target.closest(".review-item");
    if (item) highlight(item);
  });

  // After htmx puts a decision's answer in place: remember its undo, move on to the next waiting statement.
  document.addEventListener("htmx:afterSettle", function (e) {
    var el = e.detail && e.detail.elt;
    if (!el || !el.closest) return;
    var item = el.classList && el.classList.contains("review-item") ? el : el.closest(".review-item");
    if (item && item.dataset.state === "correcting") {
      var field = item.querySelector(".correct-form input[type=radio]:checked, .correct-form input, .correct-form textarea");
      if (field) field.focus();
      return;
    }
    if (item && item.dataset.state === "done") {
      if (item.querySelector("form[data-undo]")) lastUndo = item.id;
      focusItem(nextPendingAfter(item.dataset.id));
    }
  });

  // Bulk decisions and undo answer with out-of-band swaps only (the form that asked is replaced, so its own
  // request events never reach the document): act on what arrives.
  var undoFocus = null;  // the id of the element whose undo was asked for: the focus goes back there
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var old = e.detail && e.detail.target;  // the element that was replaced; its successor has the same id
    var el = old && old.id && document.getElementById(old.id);
    if (!el) return;
    if (el.classList.contains("group-actions") && el.querySelector("form[data-undo]")) {
      lastUndo = el.id;  // a decision on the whole article: go on after it
      setTimeout(function () { focusItem(nextPendingAfter(lastActed)); }, 0);
    }
    if (undoFocus && el.id === undoFocus) {
      undoFocus = null;
      setTimeout(function () {
        var again = el.classList.contains("group-actions")
          ? el.closest(".review-group").querySelector('.review-item[data-state="pending"]') : el;
        focusItem(again && again.dataset.state === "pending" ? again : pending()[0]);
      }, 0);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".review-list")) return;
    // Ready for the keyboard at once, without scrolling the filters out of view.
    if (!window.location.hash) focusItem(pending()[0], true);
  });
})();
