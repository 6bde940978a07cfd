/* The door's decision, as badges/door/decision.py makes it: may this holder come in through this door now?
 *
 * One pure function of plain values; the door page (checkin.js) calls it when it decides offline, from its copy
 * of the roster. tests/badges/door_cases.json holds the cases that both this file and the Python function must
 * answer alike (tests/badges/test_door_cases.py runs them here under Node).
 *
 * holder: null (no such badge) or {badge, event, state: "ok"|"revoked"|"cancelled"|"waitlisted", seats: [ids]
 * or null (every door)}; door: {event, name, session (id or null), opens, closes (ISO strings, Dates or null)};
 * at: a Date or ISO string; admitted: came in through this door before; nonceUse: null or {badge, door}.
 */
(function (root) {
  "use strict";
  function time(value) { return value === null || value === undefined ? null : new Date(value).getTime(); }

  function decide(holder, door, at, admitted, nonceUse) {
    if (nonceUse) {  // a retry carries what the first scan carried: the same badge at the same door
      var badge = holder ? holder.badge : null;
      if (nonceUse.badge === badge && nonceUse.door === door.name) return {status: "replay", reason: ""};
      return {status: "refused", reason: "nonce_reused"};
    }
    if (!holder) return {status: "rejected", reason: "invalid"};
    if (holder.event !== door.event) return {status: "rejected", reason: "another_event"};
    if (holder.state !== "ok") return {status: "rejected", reason: holder.state};
    var now = time(at), opens = time(door.opens), closes = time(door.closes);
    if ((opens !== null && now < opens) || (closes !== null && now > closes)) {
      return {status: "rejected", reason: "outside_window"};
    }
    if (door.session !== null && door.session !== undefined && holder.seats && holder.seats.indexOf(door.session) < 0) {
      return {status: "rejected", reason: "not_enrolled"};
    }
    return {status: admitted ? "already" : "ok", reason: ""};
  }

  var api = {decide: decide};
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.welcomedayDoorDecision = api;
})(this);
