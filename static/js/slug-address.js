/* The public address under an event's slug field (templates/programme/_slug_address.html) follows what is typed. */
(function () {
  "use strict";
  document.querySelectorAll("[data-slug-address]").forEach(function (target) {
    var input = document.getElementById(target.dataset.slugAddress);
    if (!input) { return; }
    input.addEventListener("input", function () {
      target.textContent = input.value.trim() || target.dataset.example;
    });
  });
})();
