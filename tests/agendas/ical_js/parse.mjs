// Read one iCalendar file from stdin, print its events as JSON (times in UTC), as a calendar client sees them.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    location: event.location,
    description: event.description,
    url: vevent.getFirstPropertyValue("url"),
    organizer: vevent.getFirstPropertyValue("organizer"),
  };
});
process.stdout.write(JSON.stringify({ events }));
