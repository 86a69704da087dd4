// Drag a card onto another column: open the stage form for that move.
document.addEventListener("DOMContentLoaded", function () {
  var board = document.getElementById("board");
  var next = encodeURIComponent(location.pathname + location.search);
  board.addEventListener("dragstart", function (e) {
    var card = e.target.closest(".card");
    if (card) { e.dataTransfer.setData("text/plain", card.dataset.lead + ":" + card.dataset.stage); }
  });
  board.querySelectorAll(".column").forEach(function (col) {
    col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("drop-target"); });
    col.addEventListener("dragleave", function () { col.classList.remove("drop-target"); });
    col.addEventListener("drop", function (e) {
      e.preventDefault();
      col.classList.remove("drop-target");
      var parts = e.dataTransfer.getData("text/plain").split(":");
      if (parts.length === 2 && parts[1] !== col.dataset.stage) {
        location.href = "/leads/" + parts[0] + "/stage/" + col.dataset.stage + "/?next=" + next;
      }
    });
  });
});
