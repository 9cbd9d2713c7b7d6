// IGLO's small client: focus after swaps, keep open forms during live updates,
// drag and drop with SortableJS. No inline scripts (CSP); htmx does the rest.
(function () {
  "use strict";

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); }
    catch (e) { return {}; }
  }

  // Live updates must not destroy what someone is typing: skip a region that
  // holds an open editor or the focused field, and keep the old version so
  // the next poll brings the region again.
  var skipped = false;
  var fromPoll = false;
  function isBusy(el) {
    if (el.querySelector(".is-editing")) return true;
    var active = document.activeElement;
    return !!(active && el.contains(active) && active.matches("input, textarea, select"));
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    fromPoll = !!(evt.detail.elt && evt.detail.elt.id === "board-live");
  });
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!fromPoll || !target) return;
    if (target.id === "board-version") {
      if (skipped) evt.detail.shouldSwap = false;
      skipped = false;
    } else if (isBusy(target)) {
      evt.detail.shouldSwap = false;
      skipped = true;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var el = document.querySelector("[data-focus]");
    if (el) { el.removeAttribute("data-focus"); el.focus(); }
  });

  function initSortable(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("ol.cards[data-sortable]").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = window.Sortable.create(list, {
        group: "cards",
        animation: 120,
        // On touch screens a short hold starts a drag, so a swipe still scrolls the page.
        delay: 200,
        delayOnTouchOnly: true,
        draggable: "li.card:not(.is-editing):not(.is-deleted)",
        filter: "input, textarea, select, button",
        preventOnFilter: false,
        onEnd: function (evt) {
          var card = evt.item;
          var to = evt.to;
          if (evt.from === to && evt.oldIndex === evt.newIndex) return;
          var url = card.getAttribute("data-move-url");
          if (!url) return;
          var index = Array.prototype.indexOf.call(to.querySelectorAll("li.card"), card);
          htmx.ajax("POST", url, {
            source: card,
            swap: "none",
            values: { level: to.dataset.level, dimension: to.dataset.dimension, index: index },
            headers: csrfHeaders()
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initSortable(document); });
  document.addEventListener("htmx:load", function () { initSortable(document); });
})();
