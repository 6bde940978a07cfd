"""Security headers on every response, and people's text kept from reordering the page around it.

Headers: one function, ``apply_headers``, for every answer: pages, the JSON API (the scanner's too), files and
error pages (Flask's ``after_request``, registered by ``init_app``).

Text: names, titles and everything else people type can hold bidirectional controls (U+202E RIGHT-TO-LEFT
OVERRIDE turns "Anna: checked in" into "ni dekcehc :annA"). The template filters ``bdi`` (an isolating ``<bdi>``
element) and ``isolate`` (the Unicode isolates FSI…PDI, for places that hold plain text only: ``<option>``,
attributes) keep such a control inside the text it came with.
"""
from __future__ import annotations

from markupsafe import Markup, escape
from werkzeug.middleware.proxy_fix import ProxyFix

# No 'unsafe-inline' anywhere: every script and stylesheet is a file under /static; data for scripts travels in
# data- attributes and <script type="application/json"> blocks, which browsers never run. 'wasm-unsafe-eval'
# lets the door page compile the ZXing WebAssembly of its camera polyfill (WebAssembly only, not JavaScript eval);
# worker-src is for the door page's service worker. No page uses data: or blob: images, and nothing frames ours.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Secret links ("My registration", calendar feeds) live in URLs: never leak them to other sites as Referer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors 'none' for browsers that predate it
}
HSTS = "max-age=31536000; includeSubDomains"
_HTTPS_HEADERS = {**HEADERS, "Strict-Transport-Security": HSTS}


def apply_headers(response, config):
    """Add the security headers to ``response`` (a view that set one of them itself keeps its own value).

    One look at the headers the response has, then one extend: ``Headers.setdefault`` per header searched the
    whole list each time (a sixth of a scan's hooks)."""
    # Behind a TLS-terminating proxy the request itself looks like http: the public address decides.
    wanted = _HTTPS_HEADERS if config.get("BASE_URL", "").startswith("https://") else HEADERS
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in wanted.items() if name.lower() not in present])
    return response


FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE


def isolated(text: str) -> str:
    """Plain text wrapped in the Unicode isolates, for labels built in Python that mix people's text with ours."""
    return f"{FSI}{text}{PDI}"


def bdi(value) -> Markup:
    """``{{ name|bdi }}``: people's text as an isolated run; None shows nothing."""
    if value is None:
        return Markup("")
    return Markup("<bdi>%s</bdi>") % (value,)


def isolate(value) -> Markup:
    """``{{ title|isolate }}``: like ``bdi``, for places that hold only text (an <option>, an attribute)."""
    if value is None:
        return Markup("")
    return Markup(isolated(str(escape(value))))


def init_app(app) -> None:
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:  # behind load balancers: the client's address and scheme come from the proxies' X-Forwarded headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.after_request
    def security_headers(response):
        return apply_headers(response, app.config)

    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(isolate, "isolate")
