/* Staff dashboard (templates/dashboard/dashboard.html): fetches the panels again every 30 seconds while the tab is
   visible, so the figures and charts stay current on a screen at the venue. */
(function () {
  "use strict";
  var box = document.getElementById("panels");
  if (!box) { return; }
  function refresh() {
    if (document.hidden) { return; }
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) { box.innerHTML = html; } }).catch(function () {});
  }
  setInterval(refresh, 30000);
})();
