// IGLO's small client: focus after swaps, keep open forms during live updates,
// drag and drop with SortableJS. No inline scripts (CSP); htmx does the rest.
(function () {
  "use strict";

  // Live updates must not destroy what someone is typing. A poll (a form
  // marked data-live-poll) swaps regions out of band: skip a region that holds
  // an open editor or the focused field, and then keep the old version numbers
  // (inputs marked data-live-version), so the next poll brings the region
  // again. The order of the regions in the answer does not matter.
  var fromPoll = false;
  var skipped = false;
  var shown = {}; // id -> value of the version inputs this answer already swapped
  function isBusy(el) {
    if (el.matches(".is-editing") || el.querySelector(".is-editing")) return true;
    var active = document.activeElement;
    return !!(active && el.contains(active) && active.matches("input, textarea, select"));
  }
  function holdVersions() {
    Object.keys(shown).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.value = shown[id];
    });
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    fromPoll = !!(evt.detail.elt && evt.detail.elt.hasAttribute("data-live-poll"));
    skipped = false;
    shown = {};
  });
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!fromPoll || !target) return;
    if (target.hasAttribute("data-live-version")) {
      if (skipped) evt.detail.shouldSwap = false;
      else if (target.id) shown[target.id] = target.value;
    } else if (isBusy(target)) {
      evt.detail.shouldSwap = false;
      if (!skipped) holdVersions();
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
          // Sortable's animation leaves style="" behind; the page's CSP allows no style attributes.
          [evt.from, to].forEach(function (list) {
            list.querySelectorAll("[style]").forEach(function (el) {
              if (!el.getAttribute("style").trim()) el.removeAttribute("style");
            });
          });
          if (evt.from === to && evt.oldIndex === evt.newIndex) return;
          var url = card.getAttribute("data-move-url");
          if (!url) return;
          var index = Array.prototype.indexOf.call(to.querySelectorAll("li.card"), card);
          htmx.ajax("POST", url, {
            source: card,
            swap: "none",
            // The CSRF header comes from <body hx-headers>, which the card inherits.
            values: { level: to.dataset.level, dimension: to.dataset.dimension, index: index }
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initSortable(document); });
  document.addEventListener("htmx:load", function () { initSortable(document); });
})();
