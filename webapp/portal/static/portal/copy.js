// A "copy" button: <button data-copy="ID"> copies the text of element ID to the clipboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById("copy-status");
  var done = function (text) { if (status) { status.textContent = text; } };
  if (navigator.clipboard && source) {
    navigator.clipboard.writeText(source.textContent.trim()).then(
      function () { done("Copied."); }, function () { done("Select the link and copy it."); });
  } else {
    done("Select the link and copy it.");
  }
});
