/* "Whom do you want to meet?" (templates/meetings/employer_choose.html): each row is a form that works without
   JavaScript; here it is sent with fetch() instead, the pressed button shows the choice kept, and the row says
   "Saved." (or that it was not, and the buttons stay as they were). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-choose]").forEach(function (form) {
    var status = form.querySelector(".saved");
    var row = form.closest(".person");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) { return; }  // an old browser posts the form, and the page comes back
      event.preventDefault();
      var body = new FormData(form);
      body.set("choice", button.value);
      status.textContent = "";
      form.setAttribute("aria-busy", "true");
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (data) { return {ok: response.ok, data: data}; });
        })
        .then(function (result) {
          if (!result.ok) { throw new Error((result.data.error && result.data.error.message) || "error"); }
          var kept = result.data.choice || "";
          form.querySelectorAll("button[name=choice]").forEach(function (b) {
            b.setAttribute("aria-pressed", b.value === kept ? "true" : "false");
          });
          row.classList.remove("chosen-wish", "chosen-exclude");
          if (kept) { row.classList.add("chosen-" + kept); }
          status.className = "saved ok";
          status.textContent = status.dataset.saved;
        })
        .catch(function (error) {
          status.className = "saved failed";
          status.textContent = status.dataset.failed + (error.message && error.message !== "error" ? " " + error.message : "");
        })
        .then(function () { form.removeAttribute("aria-busy"); });
    });
  });
})();
