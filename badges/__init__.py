"""Badges: unforgeable badge tokens, badge PDFs, and check-in at the door."""
