"""Accounts and roles: administrators, event staff, door staff and employer contacts log in with a password.

Attendees have no account: their secret registration link is their key.
"""
