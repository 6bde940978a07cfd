"""The programme: events, rooms and sessions; public pages and staff editing."""
