/* Progress of background jobs (templates/jobs_progress.html): polls each box's data-job-url until the job ends,
   then shows the download link (or, when it failed, the Retry button), tells the page ("job-done" event) and, with data-reload-when-done, reloads it
   without its ?job= (the meeting setup shows the finished run). */
(function () {
  "use strict";
  document.querySelectorAll(".job[data-job-url]").forEach(function (box) {
    if (box.dataset.polling) { return; }  // the partial may be included more than once
    box.dataset.polling = "1";
    var bar = box.querySelector("progress"), msg = box.querySelector(".job-message"),
        res = box.querySelector(".job-result"), again = box.querySelector(".job-retry");
    function poll() {
      fetch(box.dataset.jobUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (job) {
          bar.value = job.percent;
          msg.textContent = job.status === "failed" ? job.error
            : (job.message || job.status) + (job.total ? " (" + job.done + "/" + job.total + ")" : "");
          if (job.status === "done") {
            if (job.result_url) { res.hidden = false; res.querySelector("a").href = job.result_url; }
            box.dispatchEvent(new CustomEvent("job-done", {detail: job, bubbles: true}));
            if ("reloadWhenDone" in box.dataset) { location.href = location.pathname; }
          } else if (job.status === "failed") {
            if (again && job.retryable) { again.hidden = false; }
          } else { setTimeout(poll, 700); }
        }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();
