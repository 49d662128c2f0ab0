"""Structured request logging: every log line carries the request's user and id.

`RequestLogMiddleware` (after authentication) puts the user and a short request id into a
context variable and logs one line per request (method, path, status, milliseconds);
`RequestContextFilter` adds `user` and `request_id` to every record, so the lines of
`billing.services` (the procedure called and its actor) say which request they belong to:

    ts=... level=INFO logger=billing.services user=clerk req=5f2c9a1b CALL record_reading actor=staff:clerk ok in 3 ms

Every response carries the id as `X-Request-ID` (a 500 page too), so a user's report of an error
finds its traceback in the log (django.request, settings.LOGGING).
"""
import contextvars
import logging
import time
import uuid

_context = contextvars.ContextVar("billing_request", default=("-", "-"))
log = logging.getLogger("billing.request")


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        record.user, record.request_id = _context.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        request_id = uuid.uuid4().hex[:8]
        token = _context.set((name, request_id))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log.info("%s %s status=%s ms=%.0f", request.method, request.path,
                     response.status_code, (time.monotonic() - started) * 1000)
            return response
        finally:
            _context.reset(token)


def current_request_id():
    """The id of the request being answered ("-" outside one): the 500 page shows it."""
    return _context.get()[1]
