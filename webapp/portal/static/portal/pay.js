// The Pay button states the amount typed (text only: the server checks and posts the amount).
(function () {
  var input = document.getElementById("id_amount");
  var button = document.getElementById("pay-button");
  if (!input || !button) { return; }
  var currency = button.getAttribute("data-currency") || "";
  var shape = /^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$/;
  function label() {
    var v = input.value.trim();
    if (!shape.test(v)) { button.textContent = "Pay"; return; }
    var parts = v.replace(/,/g, "").split(".");
    var whole = parts[0].replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ((parts[1] || "") + "00").slice(0, 2);
    button.textContent = "Pay " + currency + whole + "." + cents;
  }
  input.addEventListener("input", label);
})();
