// Polls a billing run's (or a preview's) JSON status and keeps its <progress> bar and its line
// up to date. The line's words are the server's (runs.progress_text: "120 of 300 accounts"
// while it works, "3 accounts considered: 0 billed, 3 skipped" once completed), as the page
// first rendered them; the state follows them.
(function () {
  "use strict";
  var box = document.querySelector(".run-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  function show(s) {
    var done = s.accounts_done, total = s.accounts_total;
    var state = s.state || s.status;
    if (total !== null && total !== undefined) {
      bar.max = Math.max(total, 1);
      bar.value = state === "completed" ? bar.max : (done || 0);
    }
    if (s.progress_text) { box.querySelector(".progress-words").textContent = s.progress_text; }
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
