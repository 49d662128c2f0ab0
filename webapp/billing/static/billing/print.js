// A "Print" button ([data-print]) on printable pages (the content security policy forbids
// inline handlers).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
