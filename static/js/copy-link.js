/* Copyable links (templates/events/_agenda_feed_link.html): the Copy button puts the field's link on the
   clipboard and says so (its data-copied text); focusing the field selects the whole link. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (button.dataset.bound) { return; }  // the partial may be on a page more than once, each with this script
    button.dataset.bound = "1";
    var input = button.parentNode.querySelector("input");
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      input.select();
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  });
})();
