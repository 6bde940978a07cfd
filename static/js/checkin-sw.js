/* Service worker for the door page: network first, the last good copy when the venue Wi-Fi is gone, so the
 * door page (and its scripts, styles and the camera polyfill) reloads offline. Scans are never cached: the page
 * queues them itself. Served from /console/e/<slug>/door/sw.js, so its scope is that event's door pages. */
var CACHE = "welcomeday-door-v1";
self.addEventListener("install", function (e) { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  var mine = url.origin === self.location.origin &&
    (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf(self.registration.scope.replace(self.location.origin, "")) === 0);
  if (!mine) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok && !res.redirected) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req, {ignoreSearch: false}).then(function (hit) { return hit || caches.match(req, {ignoreSearch: true}); });
  }));
});
