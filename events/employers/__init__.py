"""Employers at a welcome day: partner candidacy, employer accounts and invitations, profiles, workshop slots."""
