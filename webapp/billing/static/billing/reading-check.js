// The reading entry form's panel and warnings (issue 22). The meter's numbers come from
// /readings/meter.json (v_staff_meter_context); the checks mirror record_reading's rules
// (billing-rules.md, Consumption) to warn before submitting; the procedure still decides.
// Values are compared in hundredths (integers), so no float rounding changes a verdict.
(function () {
  "use strict";
  var form = document.querySelector("form.reading-entry");
  if (!form) { return; }
  var panel = document.getElementById("meter-context");
  var warn = document.getElementById("reading-warning");
  var button = form.querySelector("button[type=submit]");
  var label = button.textContent;
  var serial = form.querySelector("#id_serial_no");
  var readOn = form.querySelector("#id_read_on");
  var value = form.querySelector("#id_value");
  var meter = null;
  var confirmed = false;
  // the serial the server refused (its sentence is under the field): not said again here
  var refusedSerial = document.getElementById("id_serial_no_error") ? serial.value.trim() : null;

  function cents(text) {
    if (text === null || text === undefined || text === "") { return null; }
    var m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(String(text));
    if (!m) { return NaN; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function days(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 86400000); }

  function show(m) {
    meter = m && m.found ? m : null;
    panel.hidden = false;
    if (!meter) {
      panel.hidden = serial.value.trim() === refusedSerial;
      panel.querySelector(".meter-text").textContent = serial.value.trim()
        ? "No meter " + serial.value.trim() + " is installed on an account." : "";
      return check();
    }
    panel.querySelector(".meter-text").textContent =
      "Meter " + meter.serial_no + ": last reading " + meter.last_register_text + " on " +
      meter.last_read_on_text + (meter.last_status === "review" ? " (in review)" : "") +
      "; typical use " + (meter.daily_kwh === null ? "not known yet (no history)"
                                                   : meter.daily_kwh_text + " a day") + ".";
    check();
  }

  function verdict() {
    if (!meter) { return null; }
    var v = cents(value.value), d = readOn.value;
    if (v === null || !d) { return null; }
    if (isNaN(v)) { return ["refused", "The value must be a number with at most two decimals."]; }
    var cap = parseInt(meter.capacity, 10) * 100, last = cents(meter.last_register);
    if (v >= cap) { return ["refused", "The value is at or over the dial's capacity (" + meter.capacity + ")."]; }
    if (d > form.dataset.today) { return ["refused", "The date is in the future."]; }
    if (d <= meter.last_read_on) { return ["refused", "The date is not after the last reading (" + meter.last_read_on_text + ")."]; }
    var step;
    if (v >= last) { step = v - last; }
    else if (cap - last + v <= cap / 10) { step = cap - last + v; }
    else { return ["refused", "The value is below the last reading (" + meter.last_register_text + ") and not a rollover."]; }
    var mult = parseFloat(meter.multiplier), kwh = step * mult / 100;
    // written as billing.formatting.kwh writes kWh: thousands separated, no needless decimals
    var text = "About " + kwh.toLocaleString("en-GB", {maximumFractionDigits: 2}) + " kWh over " +
      days(meter.last_read_on, d) + " days.";
    if (meter.history_kwh !== null && parseFloat(meter.history_kwh) > 0 &&
        kwh * parseInt(meter.history_days, 10) >
        3 * parseFloat(meter.history_kwh) * days(meter.last_read_on, d)) {
      return ["review", text + " That is more than 3 times the typical use: the reading will go to review."];
    }
    return ["ok", text];
  }

  function check() {
    var v = verdict();
    confirmed = false;
    button.textContent = label;
    warn.hidden = !v;
    warn.className = "reading-warning" + (v ? " warning-" + v[0] : "");
    warn.textContent = v ? v[1] : "";
  }

  function load() {
    var s = serial.value.trim();
    if (!s) { return show(null); }
    fetch(form.dataset.meterUrl + "?serial_no=" + encodeURIComponent(s),
          {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(show);
  }

  serial.addEventListener("change", load);
  readOn.addEventListener("input", check);
  value.addEventListener("input", check);
  form.addEventListener("submit", function (e) {
    var v = verdict();
    if (v && v[0] !== "ok" && !confirmed) {
      e.preventDefault();
      confirmed = true;
      button.textContent = v[0] === "review" ? "Record it for review" : "Submit anyway";
      warn.focus();
    }
  });
  if (panel.dataset.initial) { show(JSON.parse(panel.dataset.initial)); } else if (serial.value) { load(); }
})();
