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
    // A request still under way from inside the region: its answer needs the elements it came from.
    if (el.matches(".htmx-request") || el.querySelector(".htmx-request")) return true;
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
    // Answers can overlap (a save answered after another card's editor opened): the editor
    // panel's own focus wins, and a saved card does not take focus from an open editor.
    var marked = Array.prototype.slice.call(document.querySelectorAll("[data-focus]"));
    var home = panel();
    var inPanel = home ? marked.filter(function (each) { return home.contains(each); })[0] : null;
    var el = inPanel || marked[0];
    marked.forEach(function (each) { each.removeAttribute("data-focus"); });
    var busy = !inPanel && home && home.firstElementChild && el && el.matches("a.card-title");
    if (el && !busy) el.focus();
    markOpenCard();
  });

  // The card editor lives in one stable panel (#editor-panel) that live updates never
  // replace. Cards open it through one listener on the document (event delegation), so
  // a card that a poll has just swapped in opens at once, before htmx has processed it,
  // and the answer lands in the panel even if the card's cell was replaced meanwhile.
  function panel() { return document.getElementById("editor-panel"); }
  function announce(text) {
    var region = document.getElementById("board-announce");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = text; }, 50); }
  }
  function cardLink(id) { return document.querySelector('#initiative-' + id + ' a.card-title'); }
  function openId() {
    var editor = panel() && panel().querySelector("[data-initiative]");
    return editor ? editor.getAttribute("data-initiative") : null;
  }
  function markOpenCard() {
    var home = panel();
    if (!home) return;
    if (home && !home.firstElementChild && home.firstChild) home.replaceChildren(); // a save leaves only whitespace
    var id = openId() || (home.firstElementChild ? "panel" : null);
    document.querySelectorAll("li.card.is-open").forEach(function (el) {
      if (el.getAttribute("data-initiative") !== id) el.classList.remove("is-open");
    });
    if (id) {
      var card = document.getElementById("initiative-" + id);
      if (card) card.classList.add("is-open");
    }
    var narrow = window.matchMedia("(max-width: 760px)").matches;
    // On a phone the panel covers the board: nothing behind it may take focus (WCAG 2.4.11).
    document.querySelectorAll(".site-header, .skip-link, .page-head, .board-bar, #first-run, .board-layout").forEach(function (el) {
      el.inert = !!(id && narrow);
    });
  }
  function closeEditor() {
    // A save under way closes the editor itself when it answers; emptying the panel now would
    // leave its answer without the card it updates.
    if (panel() && panel().querySelector(".htmx-request")) return;
    var id = openId();
    stopPicking();
    stopMoving(false);
    if (panel()) panel().replaceChildren();
    markOpenCard();
    drawSoon();
    var link = id && cardLink(id);
    if (link) link.focus();
  }
  var picking = null; // the <select> a card click fills while choosing a link's other end
  function stopPicking() {
    if (!picking) return;
    var button = document.querySelector('[data-pick-for="' + picking.id + '"]');
    if (button) button.setAttribute("aria-pressed", "false");
    document.body.classList.remove("is-picking");
    picking = null;
  }
  document.addEventListener("click", function (evt) {
    var close = evt.target.closest("[data-editor-close]");
    if (close && panel() && panel().contains(close)) { evt.preventDefault(); closeEditor(); return; }
    var pick = evt.target.closest("[data-pick-for]");
    if (pick) {
      var select = document.getElementById(pick.getAttribute("data-pick-for"));
      if (picking === select) { stopPicking(); announce(pick.textContent); return; }
      picking = select;
      pick.setAttribute("aria-pressed", "true");
      document.body.classList.add("is-picking");
      announce(pick.getAttribute("data-pick-help") || pick.title || "");
      return;
    }
    var link = evt.target.closest("a.card-title[data-editor-url]");
    if (!link || !panel() || evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.button !== 0) return;
    evt.preventDefault();
    var card = link.closest("[data-initiative]");
    if (picking) {
      var option = picking.querySelector('option[value="' + card.getAttribute("data-initiative") + '"]');
      if (option) {
        picking.value = option.value;
        var chosen = picking;
        stopPicking();
        announce(option.textContent);
        chosen.focus();
      }
      return;
    }
    // From the panel, so it waits for a save still under way there (the panel's hx-sync).
    htmx.ajax("GET", link.getAttribute("href"), { source: panel(), target: "#editor-panel", swap: "innerHTML" });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape" || !panel() || !panel().contains(document.activeElement)) return;
    if (moving) return;
    if (picking) { stopPicking(); return; }
    closeEditor();
  });
  // The board's other end of a link, chosen by clicking a card: the button appears only with JavaScript.
  function showScriptOnly(root) {
    root.querySelectorAll(".pick-button[hidden], .move-button[hidden]").forEach(function (el) { el.hidden = false; });
  }

  // Moving a card with the keyboard: the move button, then the arrow keys choose the cell
  // (up/down the level, left/right struktur/kultur), Enter moves it, Escape cancels.
  var LEVELS = ["individ", "gruppe", "ledelse", "organisation"];
  var DIMENSIONS = ["struktur", "kultur"];
  var moving = null; // {button, level, dimension}
  function cellLabel(level, dimension) {
    var cell = document.getElementById("cell-" + level + "-" + dimension);
    var label = cell && cell.querySelector(".cell-label");
    return label ? label.textContent.trim() : level + " · " + dimension;
  }
  function showTarget() {
    document.querySelectorAll(".cell.is-move-target").forEach(function (el) { el.classList.remove("is-move-target"); });
    if (!moving) return;
    var cell = document.getElementById("cell-" + moving.level + "-" + moving.dimension);
    if (cell) cell.classList.add("is-move-target");
  }
  function stopMoving(announceIt) {
    if (!moving) return;
    moving.button.setAttribute("aria-pressed", "false");
    moving = null;
    showTarget();
    var region = document.getElementById("board-announce");
    if (announceIt && region) announce(region.getAttribute("data-move-cancelled"));
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest(".move-button");
    if (!button) return;
    if (moving) { stopMoving(true); return; }
    var here = button.getAttribute("data-cell").split(":");
    moving = { button: button, level: here[0], dimension: here[1] };
    button.setAttribute("aria-pressed", "true");
    showTarget();
    announce(cellLabel(moving.level, moving.dimension) + ". " + document.getElementById(button.getAttribute("aria-describedby")).textContent);
  });
  document.addEventListener("keydown", function (evt) {
    if (!moving || document.activeElement !== moving.button) return;
    var level = LEVELS.indexOf(moving.level), dimension = DIMENSIONS.indexOf(moving.dimension);
    if (evt.key === "ArrowUp") level = Math.max(0, level - 1);
    else if (evt.key === "ArrowDown") level = Math.min(LEVELS.length - 1, level + 1);
    else if (evt.key === "ArrowLeft") dimension = 0;
    else if (evt.key === "ArrowRight") dimension = 1;
    else if (evt.key === "Escape") { evt.preventDefault(); stopMoving(true); return; }
    else if (evt.key === "Enter") {
      evt.preventDefault();
      var button = moving.button, target = moving.level + ":" + moving.dimension;
      var label = cellLabel(moving.level, moving.dimension);
      stopMoving(false);
      if (target === button.getAttribute("data-cell")) return;
      htmx.ajax("POST", button.getAttribute("data-move-url"), {
        source: button, swap: "none", values: { cell: target, from: "editor" }
      }).then(function () { announce(label); });
      return;
    } else return;
    evt.preventDefault();
    moving.level = LEVELS[level];
    moving.dimension = DIMENSIONS[dimension];
    showTarget();
    announce(cellLabel(moving.level, moving.dimension));
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
  // Links drawn over the grid (the list in #board-links is the text for them): the open
  // card's links always, every link while "Vis forbindelser" is pressed. A cross-level
  // link is a solid line, a struktur <-> kultur link a dashed one, each labelled by its kind.
  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(name, attrs) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    return el;
  }
  function drawLinks() {
    var layout = document.querySelector(".board-layout");
    var board = layout && layout.querySelector("table.board");
    var old = document.getElementById("link-lines");
    if (old) old.remove();
    document.querySelectorAll("li.card.is-linked").forEach(function (el) { el.classList.remove("is-linked"); });
    if (!board) return;
    var toggle = document.getElementById("links-toggle");
    var all = toggle && toggle.getAttribute("aria-pressed") === "true";
    var open = openId();
    var links = Array.prototype.filter.call(document.querySelectorAll("#board-links li[data-source]"), function (li) {
      return all || li.getAttribute("data-source") === open || li.getAttribute("data-target") === open;
    });
    if (!links.length) return;
    var origin = layout.getBoundingClientRect();
    var svg = svgEl("svg", { id: "link-lines", class: "link-lines", "aria-hidden": "true",
      width: layout.scrollWidth, height: layout.scrollHeight });
    var defs = svgEl("defs", {});
    var marker = svgEl("marker", { id: "link-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", class: "link-arrow" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    links.forEach(function (li) {
      var from = document.getElementById("initiative-" + li.getAttribute("data-source"));
      var to = document.getElementById("initiative-" + li.getAttribute("data-target"));
      if (!from || !to) return;
      [from, to].forEach(function (card) {
        if (card.getAttribute("data-initiative") !== open) card.classList.add("is-linked");
      });
      var a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
      var ax = a.left + a.width / 2 - origin.left, ay = a.top + a.height / 2 - origin.top;
      var bx = b.left + b.width / 2 - origin.left, by = b.top + b.height / 2 - origin.top;
      // From edge to edge: top/bottom between rows, left/right within one.
      var vertical = Math.abs(by - ay) > (a.height + b.height) / 2;
      var x1 = ax, y1 = ay, x2 = bx, y2 = by, c1, c2;
      if (vertical) {
        var down = by > ay ? 1 : -1;
        y1 = ay + down * a.height / 2; y2 = by - down * b.height / 2;
        var bendY = Math.max(25, Math.abs(y2 - y1) / 3) * down;
        c1 = x1 + "," + (y1 + bendY); c2 = x2 + "," + (y2 - bendY);
      } else {
        var right = bx > ax ? 1 : -1;
        x1 = ax + right * a.width / 2; x2 = bx - right * b.width / 2;
        var bendX = Math.max(25, Math.abs(x2 - x1) / 3) * right;
        c1 = (x1 + bendX) + "," + y1; c2 = (x2 - bendX) + "," + y2;
      }
      var kind = li.classList.contains("crosses-dimension") ? "is-dimension" : "is-level";
      var path = "M" + x1 + "," + y1 + " C" + c1 + " " + c2 + " " + x2 + "," + y2;
      svg.appendChild(svgEl("path", { d: path, class: "link-line-halo" }));
      svg.appendChild(svgEl("path", { d: path, class: "link-line " + kind, "marker-end": "url(#link-arrow)" }));
      var label = svgEl("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, class: "link-label", "text-anchor": "middle" });
      label.textContent = li.getAttribute("data-kind");
      svg.appendChild(label);
    });
    layout.appendChild(svg);
  }
  var drawPending = false;
  function drawSoon() {
    if (drawPending) return;
    drawPending = true;
    window.requestAnimationFrame(function () { drawPending = false; drawLinks(); });
  }
  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest("#links-toggle");
    if (!toggle) return;
    var on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    var legend = document.getElementById("links-legend");
    if (legend) legend.hidden = !on;
    drawSoon();
  });
  document.addEventListener("htmx:afterSettle", drawSoon);
  window.addEventListener("resize", drawSoon);
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("links-toggle");
    if (toggle) toggle.hidden = false;
  });

  document.addEventListener("DOMContentLoaded", function () { initSortable(document); showScriptOnly(document); });
  document.addEventListener("htmx:load", function (evt) { initSortable(document); showScriptOnly(evt.target); });
})();
