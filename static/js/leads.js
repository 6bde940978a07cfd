/* "Scan contacts" (templates/leads/scan.html): a badge scanned with the camera or a keyboard-wedge scanner (or
 * typed) is looked up with fetch; the attendee who shares their profile is shown with the lead form, which is
 * saved with fetch too ("Saved." in place). Without JavaScript both forms post and the page comes back.
 * The camera and the badge-code checks are the door's (scanner.js). Names are put in as text, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("leads");
  if (!root || !window.fetch) return;
  var T = JSON.parse(document.getElementById("leads-text").textContent);
  var scanner = window.welcomedayScanner;
  var input = document.getElementById("code"), scanForm = document.getElementById("scan-form");
  var card = document.getElementById("person"), leadForm = document.getElementById("lead-form");
  var refusal = document.getElementById("refusal"), status = document.getElementById("lead-status");

  function send(form, url) {
    return fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, data: d}; }); });
  }
  function refuse(message) { refusal.textContent = message; refusal.hidden = false; card.hidden = true; }
  function text(id, value) { var el = document.getElementById(id); el.textContent = value || ""; el.hidden = !value; }

  function showPerson(p, saveUrl) {
    refusal.hidden = true;
    document.getElementById("person-name").textContent = p.full_name;
    text("person-latin", p.latin_name);
    text("person-study", [p.degree, p.field_of_study].filter(Boolean).join(" · "));
    leadForm.action = saveUrl;
    leadForm.querySelectorAll("input[name=rating]").forEach(function (r) { r.checked = String(p.rating) === r.value; });
    leadForm.querySelector("textarea[name=note]").value = p.note || "";
    status.textContent = ""; status.className = "saved";
    card.hidden = false;
  }
  function lookUp(raw) {
    var code = scanner.normalise(raw);
    if (!code) return;
    if (!scanner.wellFormed(code)) { input.value = ""; refuse(T.malformed); return; }  // misread or mistyped
    input.value = code;
    send(scanForm, scanForm.action).then(function (res) {
      input.value = "";
      if (!res.ok) { refuse(res.data.error ? res.data.error.message : T.failed); return; }
      showPerson(res.data.person, res.data.save_url);
      (leadForm.querySelector("input[name=rating]:checked") || leadForm.querySelector("input[name=rating]")).focus();
    }).catch(function () { refuse(T.network); });
  }

  scanForm.addEventListener("submit", function (e) { e.preventDefault(); lookUp(input.value); });
  leadForm.addEventListener("submit", function (e) {
    e.preventDefault();
    leadForm.setAttribute("aria-busy", "true");
    send(leadForm, leadForm.action).then(function (res) {
      if (!res.ok) throw new Error(res.data.error ? res.data.error.message : "");
      status.className = "saved ok"; status.textContent = T.saved;
      input.focus();
    }).catch(function (err) {
      status.className = "saved failed"; status.textContent = T.failed + (err.message ? " " + err.message : "");
    }).then(function () { leadForm.removeAttribute("aria-busy"); });
  });

  var cameraBox = document.getElementById("camera");
  var camera = scanner.camera(document.getElementById("video"), root.dataset.vendorUrl, lookUp);
  document.getElementById("camera-toggle").addEventListener("click", function () {
    if (camera.running()) { camera.stop(); cameraBox.hidden = true; input.focus(); return; }
    cameraBox.hidden = false;
    document.getElementById("camera-msg").textContent = T.camera_loading;
    camera.start().then(function () { document.getElementById("camera-msg").textContent = ""; })
      .catch(function () { document.getElementById("camera-msg").textContent = T.no_camera; });
  });
})();
