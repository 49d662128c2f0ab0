"""An idle timeout for sessions without a database write on every request.

SESSION_COOKIE_AGE is the idle timeout (DJANGO_SESSION_IDLE_SECONDS). Django keeps it an idle
timeout with SESSION_SAVE_EVERY_REQUEST, which writes the session row (a durable commit) on every
page view. This middleware saves a non-empty session again only when its last save is at least
SESSION_REFRESH_SECONDS old, so a session ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS
and SESSION_COOKIE_AGE after the last request. Sits after SessionMiddleware (which then saves).
"""
import time

from django.conf import settings

REFRESHED_KEY = "_refreshed_at"


class SessionRefreshMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and session.session_key is not None:
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now        # modified: SessionMiddleware saves it
        return response
