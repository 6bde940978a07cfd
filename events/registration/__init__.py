"""Registration: rules, the lock protocol, one store, public and self-service pages, the staff desk, import, exports, segment mail, API and privacy."""
