// Workshop screens: the facilitator's timer. Live polling that never destroys
// what someone is typing is iglo.js's, as on the board. No inline scripts (CSP).
// The console and the presenter view (open in two windows of one browser) show
// one timer: each tells the other what it did over a BroadcastChannel named by
// the timer's data-timer value.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function initTimer(root) {
    var display = root.querySelector("[data-timer-display]");
    var done = root.querySelector("[data-timer-done]");
    var toggle = root.querySelector("[data-timer-toggle]");
    var total = 10 * 60;
    var left = total;
    var ticking = null;
    var endsAt = 0;
    var channel = ("BroadcastChannel" in window && root.dataset.timer) ? new BroadcastChannel(root.dataset.timer) : null;

    function tell() {
      if (channel) channel.postMessage({ total: total, left: left, endsAt: ticking ? endsAt : 0 });
    }

    function show() {
      display.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      root.classList.toggle("is-done", left === 0);
      root.classList.toggle("is-running", ticking !== null);
      toggle.textContent = ticking ? root.dataset.labelPause : root.dataset.labelStart;
      done.textContent = left === 0 ? root.dataset.labelDone : "";
    }
    function stop() {
      if (ticking) { clearInterval(ticking); ticking = null; }
    }
    function tick() {
      left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      if (left === 0) stop();
      show();
    }
    function run() {
      ticking = setInterval(tick, 250);
    }
    root.querySelectorAll("[data-timer-set]").forEach(function (button) {
      button.addEventListener("click", function () {
        stop();
        total = left = parseInt(button.dataset.timerSet, 10) * 60;
        show();
        tell();
      });
    });
    toggle.addEventListener("click", function () {
      if (ticking) { stop(); show(); tell(); return; }
      if (left === 0) left = total;
      endsAt = Date.now() + left * 1000;
      run();
      show();
      tell();
    });
    root.querySelector("[data-timer-reset]").addEventListener("click", function () {
      stop();
      left = total;
      show();
      tell();
    });
    if (channel) {
      channel.onmessage = function (evt) {
        var data = evt.data || {};
        if (data.ask) { tell(); return; }  // a window just opened: say where we are
        if (typeof data.total !== "number" || typeof data.left !== "number") return;
        stop();
        total = data.total;
        left = data.left;
        if (data.endsAt) { endsAt = data.endsAt; run(); tick(); } else { show(); }
      };
      channel.postMessage({ ask: true });
    }
    root.hidden = false;
    show();
  }

  // The phone follows the facilitator's step: the step's task moves to the top.
  // Moving the sections keeps what someone typed; while a field in them has
  // focus the move waits until it loses it.
  function followStep() {
    var step = document.getElementById("join-step");
    var tasks = document.querySelector("[data-join-tasks]");
    if (!step || !tasks || !step.dataset.tasks) return;
    var wanted = step.dataset.tasks;
    var now = Array.prototype.map.call(tasks.children, function (el) { return el.dataset.task; }).join(" ");
    if (now === wanted) return;
    var active = document.activeElement;
    if (active && tasks.contains(active) && active.matches("input, textarea, select")) {
      active.addEventListener("blur", followStep, { once: true });
      return;
    }
    wanted.split(" ").forEach(function (name) {
      var section = tasks.querySelector(":scope > [data-task='" + name + "']");
      if (section) tasks.appendChild(section);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-timer]").forEach(initTimer);
  });
  document.addEventListener("htmx:afterSettle", followStep);
})();
