// The block editor (issue 22): rows of "up to kWh" and "rate" added and removed in the page,
// without a reload. The form works the same without it: "Add a block row" then posts and the
// server sends the page back with one more row, and an emptied row is ignored.
// The rows are a Django formset: inputs named <prefix>-<n>-up_to_kwh and <prefix>-<n>-rate,
// n = 0.., and <prefix>-TOTAL_FORMS the number of rows; after a removal the rows are numbered
// again so that the names stay 0..TOTAL_FORMS-1 in order.
(function () {
  "use strict";
  document.querySelectorAll("fieldset.block-editor").forEach(function (editor) {
    var total = editor.querySelector('input[name$="-TOTAL_FORMS"]');
    var body = editor.querySelector("tbody");
    var add = editor.querySelector("#add-block");
    if (!total || !body || !add) { return; }
    var prefix = total.name.replace(/-TOTAL_FORMS$/, "");
    var max = parseInt(editor.getAttribute("data-max-rows"), 10) || 50;
    var pattern = new RegExp("^(id_)?" + prefix + "-\\d+-");

    function rows() { return body.querySelectorAll("tr.block-row"); }

    function renumber() {
      var all = rows();
      all.forEach(function (row, i) {
        row.querySelector(".block-no").textContent = String(i + 1);
        row.querySelectorAll("input, label").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v && pattern.test(v)) {
              el.setAttribute(attr, v.replace(pattern, function (m, id) {
                return (id || "") + prefix + "-" + i + "-";
              }));
            }
          });
        });
        var remove = row.querySelector(".remove-block");
        remove.setAttribute("aria-label", "Remove block " + (i + 1));
      });
      total.value = String(all.length);
      add.disabled = all.length >= max;
    }

    function removeButton(row) {
      var cell = row.querySelector(".block-actions");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary remove-block";
      button.textContent = "Remove";
      button.addEventListener("click", function () {
        var all = rows();
        var at = Array.prototype.indexOf.call(all, row);
        if (all.length === 1) {          // the last row stays, emptied
          row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
          clearErrors(row);
          row.querySelector("input").focus();
          return;
        }
        clearErrors(row);
        row.remove();
        renumber();
        var next = rows()[Math.min(at, rows().length - 1)];
        next.querySelector("input").focus();
      });
      cell.appendChild(button);
    }

    function clearErrors(row) {        // the mark and the message row under it
      row.classList.remove("row-error");
      row.removeAttribute("aria-invalid");
      var next = row.nextElementSibling;
      if (next && next.classList.contains("block-row-errors")) { next.remove(); }
    }

    rows().forEach(removeButton);
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var all = rows();
      if (all.length >= max) { return; }
      var row = all[all.length - 1].cloneNode(true);
      clearErrors(row);
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelector(".block-actions").textContent = "";
      body.appendChild(row);
      removeButton(row);
      renumber();
      row.querySelector("input").focus();
    });
    renumber();
  });
}());
