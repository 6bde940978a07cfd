/* Check-in overview (templates/badges/checkin_overview.html): "Start checking in" opens the chosen door's page,
   taking the station's name along as ?station=; the page reloads every 30 seconds for the live numbers (not
   while someone is typing: a <meta> refresh would throw their typing away, and axe counts it as a failure). */
(function () {
  "use strict";
  document.querySelectorAll("form.door-picker").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.action = form.elements.door.value;
      form.elements.door.disabled = true;  // the door is in the address already, not a parameter
    });
  });
  var live = document.querySelector("[data-refresh-seconds]");
  if (live) {
    var seconds = parseInt(live.dataset.refreshSeconds, 10) * 1000;
    var reload = function () {
      var active = document.activeElement;
      if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { window.setTimeout(reload, seconds); return; }
      window.location.reload();
    };
    window.setTimeout(reload, seconds);
  }
})();
