"""Agendas that go with people: the programme booklet and personal agendas as PDF, personal calendar feeds.

- ``models``: the secret, revocable feed links, and the listener that bumps SEQUENCE when an item changes.
- ``providers``: what the programme adds to a person's day (events.agendas.items registry).
- ``feeds``: feed tokens (HMAC-derived, revocable by version).
- ``documents``: PDF building (programme booklet, personal agenda), cached by a fingerprint of every input.
- ``attachments``: the agenda PDF and .ics attached to the confirmation e-mail.
The iCalendar writer lives in ``events.agendas.calendar``; the views in ``events.agendas.views``.
"""
