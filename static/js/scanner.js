/* The badge scanner's front end, shared by the door (checkin.js) and the employer's "Scan contacts" page
 * (leads.js): badge codes checked as badges/tokens.py checks them, and the camera, which reads QR codes with the
 * native BarcodeDetector or, where there is none (Chrome on Linux and Windows, Firefox), the self-hosted polyfill
 * (ZXing-C++ in WebAssembly) loaded from ``vendorUrl``. A keyboard-wedge scanner needs nothing of this: it types
 * the code into the page's input and presses Enter.
 *
 *   var camera = welcomedayScanner.camera(videoElement, vendorUrl, function (text) { ... });
 *   camera.start().catch(function () { ...no camera... });  camera.stop();  camera.running();
 */
(function () {
  "use strict";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", TOKEN_LENGTH = 22;

  function normalise(s) { return (s || "").toUpperCase().replace(/[\s-]/g, "").slice(0, 64); }
  function checkChar(body) {  // Luhn mod 32
    var n = 32, factor = 2, total = 0;
    for (var i = body.length - 1; i >= 0; i--) {
      var addend = factor * ALPHABET.indexOf(body[i]);
      factor = factor === 2 ? 1 : 2;
      total += Math.floor(addend / n) + addend % n;
    }
    return ALPHABET[(n - total % n) % n];
  }
  function wellFormed(t) {
    if (t.length !== TOKEN_LENGTH) return false;
    for (var i = 0; i < t.length; i++) if (ALPHABET.indexOf(t[i]) < 0) return false;
    return checkChar(t.slice(0, -1)) === t[t.length - 1];
  }

  function detector(vendorUrl) {
    if ("BarcodeDetector" in window) return Promise.resolve(new window.BarcodeDetector({formats: ["qr_code"]}));
    return new Promise(function (resolve, reject) {  // the self-hosted polyfill (ZXing-C++ in WebAssembly)
      var s = document.createElement("script");
      s.src = vendorUrl + "barcode-detector-ponyfill.js";
      s.onload = function () {
        var api = window.BarcodeDetectionAPI;
        api.setZXingModuleOverrides({locateFile: function (path) { return vendorUrl + path; }});
        resolve(new api.BarcodeDetector({formats: ["qr_code"]}));
      };
      s.onerror = reject; document.head.appendChild(s);
    });
  }

  // Films with the back camera and calls onCode(text) for each code read (the same code again after 3 s only).
  function camera(video, vendorUrl, onCode) {
    var stream = null, lastSeen = {text: "", at: 0};
    function loop(det) {
      if (!stream) return;
      det.detect(video).then(function (codes) {
        var now = Date.now();
        if (codes.length && (codes[0].rawValue !== lastSeen.text || now - lastSeen.at > 3000)) {
          lastSeen = {text: codes[0].rawValue, at: now}; onCode(codes[0].rawValue);
        }
      }).catch(function () {}).finally(function () { setTimeout(function () { loop(det); }, 150); });
    }
    return {
      start: function () {
        return detector(vendorUrl).then(function (det) {
          return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (s) {
            stream = s; video.srcObject = s; return video.play().then(function () { loop(det); });
          });
        });
      },
      stop: function () { if (stream) stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; },
      running: function () { return !!stream; }
    };
  }

  window.welcomedayScanner = {normalise: normalise, wellFormed: wellFormed, checkChar: checkChar, camera: camera,
                              TOKEN_LENGTH: TOKEN_LENGTH};
})();
