// Poll an import job's progress and reload the page when it finishes.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-bar");
  var phase = document.getElementById("job-phase");
  var count = document.getElementById("job-count");
  var notice = document.getElementById("job-notice");
  function poll() {
    fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        phase.textContent = job.phase;
        count.textContent = job.done + " / " + job.total;
        notice.textContent = job.notice || "";
        notice.hidden = !job.notice;
        if (job.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
