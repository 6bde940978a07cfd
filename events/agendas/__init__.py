"""Agendas that go with people: the programme booklet and personal agendas as PDF, calendar feeds (see README.md).

- ``items``: a person's day, gathered from every provider; ``signals``: how other features contribute to it
  (items, the badge token printed on the PDF) without the agendas importing them.
- ``providers``: what the programme adds to a person's day, and a session as the public feed shows it.
- ``calendar``: the iCalendar writer.
- ``documents``: PDF building (programme booklet, personal agenda), cached by a fingerprint of every input.
- ``feeds`` and ``models``: the secret, revocable feed links; the listener that bumps SEQUENCE when an item changes.
- ``attachments``: the agenda PDF and .ics attached to the confirmation e-mail.
- ``views``: the downloads and feeds; ``feature``: registers them and the programme's providers.
"""
