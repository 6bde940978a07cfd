/* The door page: scan (keyboard wedge or camera), full-screen verdict, sound, offline roster and queue.
 *
 * Online, every scan goes to the server (which decides and logs it). When the network is gone (or slower than
 * 1.5 s), the page decides from its copy of the roster (token hashes, status, seats, who is in) and queues
 * the scan with its nonce; the queue is uploaded when the network is back, and the server accepts each nonce
 * once and flags conflicts (the same badge admitted at two doors while offline).
 *
 * Names, organisations, session titles and stations are people's text in any script: each is put into the page
 * as the text of its own <bdi> element (never as HTML), so that a right-to-left name, or one that carries bidi
 * controls such as U+202E, cannot reorder the labels around it.
 */
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root) return;
  var cfg = root.dataset;
  var T = JSON.parse(document.getElementById("door-text").textContent);
  var input = document.getElementById("code");
  var verdictBox = document.getElementById("verdict");
  var undoButton = document.getElementById("undo");
  var rosterKey = "wd-roster-" + cfg.event, queueKey = "wd-queue-" + cfg.event;
  var roster = load(rosterKey), byHash = index(roster);
  var queue = load(queueKey) || [];
  var online = navigator.onLine, lastCheckIn = null, lastName = "", hideTimer = null, busy = false;

  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ } }
  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  // People's text, isolated from what surrounds it (a <bdi> takes its direction from its own text).
  function isolate(text) { var b = document.createElement("bdi"); b.textContent = text; return b; }
  // A translated label with {placeholders} filled in, as nodes: the label's own words stay plain text.
  function fill(parent, text, values) {
    text.split(/(\{\w+\})/).forEach(function (part) {
      var key = /^\{(\w+)\}$/.exec(part), value = key ? values[key[1]] : part;
      if (value === undefined || value === null || value === "") return;
      parent.appendChild(typeof value === "string" ? document.createTextNode(value) : value);
    });
    return parent;
  }
  function list(items) {  // session titles, each isolated, between plain separators
    var fragment = document.createDocumentFragment();
    items.forEach(function (item, i) {
      if (i) fragment.appendChild(document.createTextNode(" · "));
      fragment.appendChild(isolate(item));
    });
    return fragment;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function index(r) { var m = {}; if (r) r.badges.forEach(function (b) { m[b.h] = b; }); return m; }
  // 32 hex digits: the server takes 16 to 64 of [A-Za-z0-9_-], unique per scan of this signed-in door user.
  function nonce() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- token checks, as badges/tokens.py does them (scanner.js, shared with the employer's contact scanner)
  var normalise = window.welcomedayScanner.normalise, wellFormed = window.welcomedayScanner.wellFormed;

  // ---- SHA-256 (crypto.subtle needs https; a door laptop on the venue LAN may be on plain http)
  function sha256(text) {
    if (window.crypto && crypto.subtle && window.isSecureContext) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
        return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      });
    }
    return Promise.resolve(sha256js(text));
  }
  function sha256js(ascii) {
    var K = [], H = [], i, j, isPrime = {}, n = 0, c = 2;
    for (; n < 64; c++) {
      if (!isPrime[c]) { for (i = 0; i < 313; i += c) isPrime[i] = c;
        if (n < 8) H[n] = (Math.pow(c, 0.5) * 4294967296) | 0;
        K[n++] = (Math.pow(c, 1 / 3) * 4294967296) | 0; }
    }
    var words = [], len = ascii.length * 8;
    ascii += "\x80"; while (ascii.length % 64 - 56) ascii += "\x00";
    for (i = 0; i < ascii.length; i++) words[i >> 2] |= ascii.charCodeAt(i) << ((3 - i) % 4) * 8;
    words[words.length] = (len / 4294967296) | 0; words[words.length] = len;
    function rr(v, a) { return (v >>> a) | (v << (32 - a)); }
    for (j = 0; j < words.length;) {
      var w = words.slice(j, j += 16), old = H.slice(0);
      for (i = 0; i < 64; i++) {
        var w15 = w[i - 15], w2 = w[i - 2], a = H[0], e = H[4];
        var t1 = H[7] + (rr(e, 6) ^ rr(e, 11) ^ rr(e, 25)) + ((e & H[5]) ^ (~e & H[6])) + K[i] +
          (w[i] = i < 16 ? w[i] : (w[i - 16] + (rr(w15, 7) ^ rr(w15, 18) ^ (w15 >>> 3)) + w[i - 7] +
            (rr(w2, 17) ^ rr(w2, 19) ^ (w2 >>> 10))) | 0);
        var t2 = (rr(a, 2) ^ rr(a, 13) ^ rr(a, 22)) + ((a & H[1]) ^ (a & H[2]) ^ (H[1] & H[2]));
        H = [(t1 + t2) | 0].concat(H); H[4] = (H[4] + t1) | 0; H.length = 8;
      }
      for (i = 0; i < 8; i++) H[i] = (H[i] + old[i]) | 0;
    }
    var out = "";
    for (i = 0; i < 8; i++) for (j = 3; j + 1; j--) { var b = (H[i] >> (j * 8)) & 255; out += (b < 16 ? "0" : "") + b.toString(16); }
    return out;
  }

  // ---- sound: WebAudio beeps, no files
  var audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = {ok: [[880, 0, 0.12]], already: [[660, 0, 0.1], [660, 0.16, 0.1]], rejected: [[220, 0, 0.45]]}[kind];
      tones.forEach(function (t) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = t[0]; osc.type = kind === "rejected" ? "square" : "sine";
        gain.gain.value = 0.2; osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]); osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) { /* no audio: the colour still says it */ }
  }

  // ---- verdict
  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function show(v, offline) {
    clearTimeout(hideTimer);
    verdictBox.className = "verdict " + v.status;
    document.getElementById("verdict-title").textContent =
      v.status === "rejected" ? (T.reasons[v.reason] || T.rejected) : T[v.status];
    var name = v.full_name || v.name || "";
    clear(document.getElementById("verdict-name"));
    if (name) document.getElementById("verdict-name").appendChild(isolate(name));
    var org = document.getElementById("verdict-org");  // absent from a door page cached before it came
    if (org) { clear(org); if (v.organisation) org.appendChild(isolate(v.organisation)); }
    var detail = clear(document.getElementById("verdict-detail"));
    if (v.status === "already") fill(detail, T.already_at, {time: time(v.checked_in_at), station: isolate(v.station || "?")});
    else if (v.status === "ok" && v.sessions && v.sessions.length) fill(detail, T.sessions, {list: list(v.sessions)});
    else if (v.status === "rejected") detail.textContent = v.message || T.rejected;
    if (offline) detail.appendChild(document.createTextNode((detail.firstChild ? " — " : "") + T.offline));
    lastCheckIn = v.status === "ok" && v.check_in_id ? v.check_in_id : null; lastName = name;
    undoButton.hidden = !lastCheckIn;
    verdictBox.hidden = false;
    beep(v.status);
    history(v);
    hideTimer = setTimeout(function () { verdictBox.hidden = true; }, v.status === "ok" ? 2500 : 4000);
    input.focus();
  }
  function history(v) {
    var li = document.createElement("li"), rows = document.getElementById("history"), label = document.createElement("span");
    li.className = v.status;
    label.className = "history-label";
    label.textContent = v.label || (v.status === "rejected" ? (T.reasons[v.reason] || T.rejected) : T[v.status]);
    li.appendChild(document.createTextNode(time(new Date().toISOString()) + " · "));
    li.appendChild(isolate(v.full_name || v.name || "?"));
    li.appendChild(document.createTextNode(" · "));
    li.appendChild(label);
    rows.insertBefore(li, rows.firstChild);
    while (rows.children.length > 8) rows.removeChild(rows.lastChild);
  }

  // ---- local decision from the roster (offline): door-decision.js, the server's rules (badges/door/decision.py)
  function decideLocally(token, hash) {
    var now = new Date(), entry = byHash[hash];
    if (token !== null && !wellFormed(token)) entry = null;  // a garbled scan names no badge
    var holder = entry ? {badge: entry.h, event: roster.event, state: entry.s, seats: entry.x} : null;
    var win = roster.doors[cfg.door] || [null, null];
    var door = {event: roster.event, name: cfg.door, session: cfg.door === "main" ? null : parseInt(cfg.door.slice(8), 10),
                opens: win[0], closes: win[1]};
    var seen = entry ? (roster.checked_in[entry.k] || {})[cfg.door] : null;
    var decided = window.welcomedayDoorDecision.decide(holder, door, now, !!seen, null);
    var v = {status: decided.status, reason: decided.reason};
    if (entry) { v.name = entry.n; v.full_name = entry.f; v.role = entry.r; }
    if (decided.status === "already") { v.checked_in_at = seen[0]; v.station = seen[1]; }
    if (decided.status === "ok") {
      roster.checked_in[entry.k] = roster.checked_in[entry.k] || {};
      roster.checked_in[entry.k][cfg.door] = [now.toISOString(), cfg.station];
      save(rosterKey, roster);
    }
    return v;
  }
  function remember(v, hash) {  // keep the local copy current with what the server said
    var entry = byHash[hash];
    if (!roster || !entry || v.status === "rejected") return;
    roster.checked_in[entry.k] = roster.checked_in[entry.k] || {};
    roster.checked_in[entry.k][cfg.door] = [v.checked_in_at, v.station];
    save(rosterKey, roster);
  }

  // ---- network
  function post(url, body, timeoutMs) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs || 8000) : null;
    return fetch(url, {method: "POST", credentials: "same-origin", signal: ctrl && ctrl.signal,
      headers: {"Content-Type": "application/json", "X-CSRFToken": cfg.csrf}, body: JSON.stringify(body)})
      .finally(function () { clearTimeout(timer); });
  }
  function setOnline(value) {
    online = value;
    var net = document.getElementById("net");
    net.textContent = value ? T.online : T.offline_badge; net.className = "badge " + (value ? "ok" : "bad");
    var q = document.getElementById("queued");
    q.hidden = !queue.length; q.textContent = fmt(T.queued, {n: queue.length});
  }
  function scan(raw, hashOnly) {
    var token = hashOnly ? null : normalise(raw);
    if (!hashOnly && !token) return;
    var scanNonce = nonce(), scannedAt = new Date().toISOString();
    (hashOnly ? Promise.resolve(hashOnly) : sha256(token)).then(function (hash) {
      var body = hashOnly ? {hash: hash, nonce: scanNonce, station: cfg.station}
                          : {token: token, nonce: scanNonce, station: cfg.station};
      if (!online) return offline(token, hash, body, scannedAt);
      post(cfg.scanUrl, body, 1500).then(function (r) {
        if (r.status === 401 || r.redirected) { location.reload(); return; }
        return r.json().then(function (v) {
          // a refused request (say a 409 for a reused nonce): never another person's verdict, the reason instead
          if (v.error) { show({status: "rejected", reason: v.error.reason, message: v.error.message}); return; }
          setOnline(true); remember(v, hash); show(v, false);
        });
      }).catch(function () { setOnline(false); offline(token, hash, body, scannedAt); });
    });
  }
  function offline(token, hash, body, scannedAt) {
    var v = roster ? decideLocally(token, hash) : {status: "rejected", reason: "invalid"};
    body.scanned_at = scannedAt; body.offline_status = v.status;
    queue.push(body); save(queueKey, queue); setOnline(false);
    show(v, true);
  }
  function flush() {
    if (busy || !queue.length) return;
    busy = true;
    var item = queue[0];
    post(cfg.scanUrl, item, 8000).then(function (r) {
      if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 429)) {
        queue.shift(); save(queueKey, queue);
      }
      setOnline(true);
    }).catch(function () { setOnline(false); }).finally(function () { busy = false; if (online && queue.length) flush(); });
  }
  function syncRoster() {
    fetch(cfg.rosterUrl, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(r.status); return r.json();
    }).then(function (data) {
      roster = data; byHash = index(roster); save(rosterKey, roster); setOnline(true); showRosterAge();
    }).catch(function () { setOnline(false); });
  }
  function showRosterAge() {
    document.getElementById("roster-age").textContent = roster ? fmt(T.roster, {time: time(roster.generated_at)}) : T.no_roster;
  }

  // ---- undo, search, camera
  undoButton.addEventListener("click", function () {
    if (!lastCheckIn) return;
    if (!online) { clear(document.getElementById("verdict-detail")).textContent = T.undo_offline; return; }
    post(cfg.undoUrl, {check_in_id: lastCheckIn}).then(function (r) {
      if (r.ok) { verdictBox.hidden = true; lastCheckIn = null; syncRoster(); history({status: "rejected", name: lastName, label: T.undone}); }
    });
    input.focus();
  });
  verdictBox.addEventListener("click", function (e) { if (e.target !== undoButton) { verdictBox.hidden = true; input.focus(); } });

  var searchBox = document.getElementById("search"), searchInput = document.getElementById("search-q");
  document.getElementById("search-toggle").addEventListener("click", function () {
    searchBox.hidden = !searchBox.hidden; if (!searchBox.hidden) searchInput.focus(); else input.focus();
  });
  var searchTimer = null;
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { search(searchInput.value.trim()); }, 200);
  });
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }
  function search(q) {
    var list = document.getElementById("search-results");
    function render(items) {
      clear(list);
      if (!items.length && q.length >= 2) { var none = document.createElement("li"); none.textContent = T.nothing; list.appendChild(none); }
      items.slice(0, 12).forEach(function (it) {
        var li = document.createElement("li"), label = document.createElement("span"), b = document.createElement("button");
        label.appendChild(isolate(it.name)); label.appendChild(document.createTextNode(" · ")); label.appendChild(isolate(it.email));
        b.type = "button"; b.className = "btn small"; b.textContent = T.check_in;
        b.addEventListener("click", function () { scan(null, it.h); searchBox.hidden = true; input.focus(); });
        li.appendChild(label); li.appendChild(b); list.appendChild(li);
      });
    }
    if (q.length < 2) { render([]); return; }
    var local = function () {
      // as the server searches (app/text.py): case and accents ignored, each word in the search key
      var words = fold(q).split(" ").filter(Boolean);
      render((roster ? roster.badges : []).filter(function (b) {
        var key = b.q || fold((b.f || "") + " " + (b.e || "")), bare = key.replace(/ /g, "");
        return b.s === "ok" && words.every(function (w) { return key.indexOf(w) >= 0 || bare.indexOf(w) >= 0; });
      }).map(function (b) { return {h: b.h, name: b.f, email: b.e}; }));
    };
    if (!online) { local(); return; }
    fetch(cfg.searchUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { render(d.results); }).catch(local);
  }

  var cameraBox = document.getElementById("camera");
  var camera = window.welcomedayScanner.camera(document.getElementById("video"), cfg.vendorUrl, function (text) { scan(text); });
  document.getElementById("camera-toggle").addEventListener("click", function () {
    if (camera.running()) { stopCamera(); return; }
    cameraBox.hidden = false;
    document.getElementById("camera-msg").textContent = T.camera_loading;
    camera.start().catch(function () { document.getElementById("camera-msg").textContent = T.no_camera; });
  });
  function stopCamera() { camera.stop(); cameraBox.hidden = true; input.focus(); }

  // ---- wiring: the input always has the focus, Enter scans
  document.getElementById("scan-form").addEventListener("submit", function (e) {
    e.preventDefault(); var value = input.value; input.value = ""; scan(value);
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t !== input && t !== searchInput && !(e.ctrlKey || e.metaKey || e.altKey) && e.key.length === 1) input.focus();
  });
  window.addEventListener("online", function () { setOnline(true); flush(); syncRoster(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(function () { if (online) syncRoster(); }, 60000);
  setInterval(function () { if (queue.length) flush(); }, 5000);
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(cfg.swUrl, {scope: cfg.swUrl.replace(/sw\.js$/, "")}).catch(function () {});
  }
  setOnline(online); showRosterAge(); syncRoster(); flush(); input.focus();
  window.welcomedayDoor = {scan: scan, decideLocally: decideLocally, sha256js: sha256js, wellFormed: wellFormed};
})();
