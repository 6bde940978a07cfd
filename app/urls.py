"""Absolute links for e-mails, calendar feeds and PDFs, built from BASE_URL (works outside a request too)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme or "https",
                                       script_name=parts.path or "/")
    return adapter.build(endpoint, values, force_external=True)
