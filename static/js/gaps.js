// The gap dashboard: live updates re-render the findings; keep the groups
// someone opened or closed as they were. No inline scripts (CSP).
(function () {
  "use strict";
  var state = null;
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== "findings") return;
    state = {};
    target.querySelectorAll("details[id]").forEach(function (el) { state[el.id] = el.open; });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!state) return;
    document.querySelectorAll("#findings details[id]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(state, el.id)) el.open = state[el.id];
    });
    state = null;
  });
})();
