"""Web hardening: security headers the settings do not give, and the /healthz endpoint.

SecurityHeadersMiddleware sets Content-Security-Policy (settings.CONTENT_SECURITY_POLICY; a view
that set its own keeps it) and Permissions-Policy on every response. X-Content-Type-Options,
Referrer-Policy and HSTS come from Django's SecurityMiddleware, X-Frame-Options: DENY from the
clickjacking middleware (see settings.py).

healthz: GET /healthz runs SELECT 1 on both database aliases (`default`: Django's tables,
`billing`: the billing schema); 200 {"status": "ok", ...} when both answer, else 503 with the
failing alias marked "error". No login, no session, nothing else revealed (for nginx and the
load balancer).
"""
import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("billing.health")

DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy",
                                    "camera=(), microphone=(), geolocation=(), payment=()")
        return response


@never_cache
@require_GET
def healthz(request):
    checks = {}
    for alias in ("default", "billing"):
        try:
            with connections[alias].cursor() as cur:
                cur.execute("SELECT 1")
                ok = cur.fetchone()[0] == 1
            checks[alias] = "ok" if ok else "error"
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            log.error("healthz: database %s: %s", alias, exc)
            checks[alias] = "error"
            try:
                connections[alias].close()       # reconnect next time
            except Exception:  # noqa: BLE001
                pass
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "databases": checks},
                        status=200 if healthy else 503)
