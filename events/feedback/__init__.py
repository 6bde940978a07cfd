"""After the day: the feedback survey (staff choose its questions; attendees answer once, editable until closed)."""
