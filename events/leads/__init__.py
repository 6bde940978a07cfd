"""Leads at the day: an employer contact scans a consenting attendee's badge and keeps a rating and a note."""
