"""Badges: unforgeable badge tokens, badge PDFs, and check-in at the door."""

# The composition root loads first, whatever is imported first: it imports every feature, in order.
import app  # noqa: E402,F401
