/* Check-in overview (templates/badges/checkin_overview.html): "Start checking in" opens the chosen door's page,
   taking the station's name along as ?station=. */
(function () {
  "use strict";
  document.querySelectorAll("form.door-picker").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.action = form.elements.door.value;
      form.elements.door.disabled = true;  // the door is in the address already, not a parameter
    });
  });
})();
