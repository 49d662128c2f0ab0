/* Bar charts of the reports and the home page, drawn with the vendored Chart.js
   (vendor/chartjs/chart.umd.js, loaded before this file).

   Each <canvas data-chart="ID"> is drawn from the JSON in <script type="application/json"
   id="ID"> (Django's json_script): {labels, series: [{label, data}], partial, x_title, y_title,
   unit, title}. The numbers are the database's, sent as text; nothing is computed here except
   where to draw them. Bars of a period not over yet (partial[i]) are drawn lighter with a dashed
   border, and their label says "so far". Every chart has a table of the same figures next to it
   (the page's text alternative), so a page without script loses nothing. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var COLOURS = ["#0b4f8a", "#c05621", "#2f855a", "#6b46c1"];
  var LIGHT = ["rgba(11,79,138,0.35)", "rgba(192,86,33,0.35)", "rgba(47,133,90,0.35)",
               "rgba(107,70,193,0.35)"];

  function withUnit(unit, value) {
    var n = Number(value);
    var text = n.toLocaleString("en", {maximumFractionDigits: 2});
    if (!unit) { return text; }
    return unit === "kWh" ? text + " kWh" : unit + text;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var partial = spec.partial || [];
    var datasets = spec.series.map(function (s, i) {
      var c = COLOURS[i % COLOURS.length], light = LIGHT[i % LIGHT.length];
      return {
        label: s.label,
        data: s.data.map(function (v) { return v === null ? null : Number(v); }),
        backgroundColor: s.data.map(function (_, j) { return partial[j] ? light : c; }),
        borderColor: c,
        borderWidth: s.data.map(function (_, j) { return partial[j] ? 2 : 0; }),
        borderDash: [4, 3]
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: {display: spec.series.length > 1},
          tooltip: {callbacks: {label: function (ctx) {
            return ctx.dataset.label + ": " + withUnit(spec.unit, ctx.raw);
          }}}
        },
        scales: {
          x: {title: {display: true, text: spec.x_title}, ticks: {autoSkip: true, maxRotation: 60}},
          y: {beginAtZero: true, title: {display: true, text: spec.y_title},
              ticks: {callback: function (v) { return withUnit(spec.unit, v); }}}
        }
      }
    });
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) { draw(canvases[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
