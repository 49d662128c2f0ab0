// Polls a billing run's JSON status and keeps its <progress> bar and text up to date.
(function () {
  "use strict";
  var box = document.querySelector(".run-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  function show(s) {
    var done = s.accounts_done, total = s.accounts_total;
    if (total !== null && total !== undefined) {
      bar.max = Math.max(total, 1);
      bar.value = done || 0;
      if (total === 0 && (s.state === "completed" || s.status === "completed")) { bar.value = bar.max; }
      box.querySelector(".progress-total").textContent = s.accounts_total_text;
      box.querySelector(".progress-done").textContent = s.accounts_done_text || "0";
    }
    var state = s.state || s.status;
    box.querySelector(".progress-state").textContent = state;
    var err = box.querySelector(".progress-error");
    if (s.error) { err.textContent = s.error; err.hidden = false; }
    if (s.run_url) {
      var link = box.querySelector(".progress-done-link");
      link.querySelector("a").href = s.run_url;
      if (state !== "running") { link.hidden = false; }
    }
    return state === "running";
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (show(s)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
