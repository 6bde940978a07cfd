"""The door: check-in decided by one pure function, written by one path; the scanner API, the roster, door pages."""
