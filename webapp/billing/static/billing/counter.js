// The counter payment form (issue 22): the reference field only for a cheque or a transfer,
// the cash box only for cash, and the change to give back: tendered - amount, in cents
// (integers), for display only; nothing of it is sent to the server.
(function () {
  "use strict";
  var form = document.querySelector("form.counter-payment");
  if (!form) { return; }
  var method = form.querySelector("#id_method");
  var amount = form.querySelector("#id_amount");
  var reference = form.querySelector("#id_reference");
  var cash = document.getElementById("cash-box");
  var tendered = document.getElementById("tendered");
  var out = cash.querySelector(".change");

  function cents(text) {
    var m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    return m ? parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10) : null;
  }
  function money(c) {
    return (c < 0 ? "-" : "") + Math.floor(Math.abs(c) / 100) + "." +
           ("0" + Math.abs(c) % 100).slice(-2);
  }
  function update() {
    var m = method.value;
    cash.hidden = m !== "cash";
    reference.closest(".field").hidden = !(m === "cheque" || m === "bank_transfer");
    var a = cents(amount.value), t = cents(tendered.value);
    if (m !== "cash" || a === null || t === null) { out.textContent = ""; return; }
    out.textContent = t >= a ? "Change to give: " + money(t - a)
                             : "Short by " + money(a - t) + ": tendered is less than the amount.";
  }
  [method, amount, tendered].forEach(function (el) {
    el.addEventListener("input", update);
    el.addEventListener("change", update);
  });
  update();
})();
