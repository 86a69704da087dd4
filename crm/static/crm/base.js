// Close an open filter drop-down when clicking elsewhere.
document.addEventListener("click", function (e) {
  document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
    if (!d.contains(e.target)) { d.removeAttribute("open"); }
  });
});
