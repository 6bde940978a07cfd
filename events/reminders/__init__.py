"""Reminders before the day: mails a set number of days before it, once per person, in their language."""
