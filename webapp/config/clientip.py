"""The client's address for login throttling (django-axes), behind a known number of proxies.

BILLING_TRUSTED_PROXIES (settings, from the environment; default 0) is the number of reverse
proxies in front of the app that append to X-Forwarded-For (nginx's
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`, deploy/nginx/billing.conf, appends
the address it saw). With N proxies the client is the N-th entry from the right: everything left
of it was written by the client and is never believed (a forged left-most entry changes nothing).
With 0 the client is REMOTE_ADDR. gunicorn on a unix socket gives an empty REMOTE_ADDR
(/work/shared/facts.md), so without a trusted proxy count there is no address.

When no address is known (0 proxies and an empty REMOTE_ADDR, or a header with fewer entries
than proxies, or an entry that is not an IP address), `lockout_parameters` locks by user name
alone: failures are counted per user name instead of never being counted.
"""
import ipaddress

from django.conf import settings


def _ip(text):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:          # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:                        # v4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address as a string, or None when it is not known (see the module)."""
    proxies = int(getattr(settings, "BILLING_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return _ip(request.META.get("REMOTE_ADDR"))
    entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e.strip() for e in entries if e.strip()]
    if len(entries) < proxies:
        return None
    return _ip(entries[-proxies])


def lockout_parameters(request_or_attempt, credentials=None):
    """AXES_LOCKOUT_PARAMETERS: user name and address when the address is known, else the user
    name alone."""
    if hasattr(request_or_attempt, "META"):
        ip = getattr(request_or_attempt, "axes_ip_address", None) or client_ip(request_or_attempt)
    else:                                             # an AccessAttempt row
        ip = getattr(request_or_attempt, "ip_address", None)
    return [["username", "ip_address"]] if ip else ["username"]
