"""The error pages of the URL that failed: the staff's for the back office, the portal's under
the portal's path (/my/, but not its back-office pages under /my/staff/). Django's own handlers
render 403.html, 404.html and 500.html for every URL, so a clerk's error showed the portal's
header, "Back to your account" and the customer phone line.

- 500 (`server_error`): rendered like Django's own, a template without a request context (no
  context processors, no database: the error may be the database's), given only the request id
  that the response carries as X-Request-ID (config.logcontext), for staff to quote.
- 403 and 404 (`permission_denied`, `page_not_found`): with the request context, because what
  the page offers depends on who asks (`who_asks`): the way back goes where that user can go (a
  customer's account, the staff start page, or, for a login without a staff role, nowhere but
  out), never to a page that answers 403 again; a 403 offers "Log out" (a customer logged in at
  the staff side, or staff at the portal, can change login without hunting for the button).
- 405 (`MethodNotAllowedPageMiddleware`): Django's views answer a GET to a POST-only address
  (an approve, post or issue button's, followed as a link or typed) with an empty 405; the
  middleware gives that response the side's 405.html (the same page as a 403 or 404, with the way
  back to the page the user came from when it is ours), keeping its status and Allow header.
"""
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from config.logcontext import current_request_id

PORTAL_STAFF_PATH = "staff/"     # the portal app's back-office pages (portal/staff.py, reconcile)


def is_portal_path(path):
    """True for the customers' pages: under /my/, except the back office's /my/staff/."""
    from config.urls import PORTAL_PATH
    portal = "/" + PORTAL_PATH
    return path.startswith(portal) and not path.startswith(portal + PORTAL_STAFF_PATH)


def who_asks(request):
    """What the error page may offer the user of `request`: `kind` ("customer": a portal login;
    "staff": a login with a staff role; "other": logged in with neither; "anonymous"), `name`
    (the customer number or the user name), `home` (the start page this user can open: the
    account for a customer, the staff start page for staff, the login page of the URL's side
    for anyone else, never a page that answers 403), `logout` (the logout URL of the user's
    side, None when anonymous)."""
    from billing.roles import roles_of
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        login_page = "portal:login" if is_portal_path(request.path) else "login"
        return {"kind": "anonymous", "name": "", "home": reverse(login_page), "logout": None}
    login = getattr(user, "customer_login", None)     # none: RelatedObjectDoesNotExist
    if login is not None and not roles_of(user):
        return {"kind": "customer", "name": login.customer_no, "home": reverse("portal:dashboard"),
                "logout": reverse("portal:logout")}
    if roles_of(user):
        return {"kind": "staff", "name": user.get_username(), "home": reverse("billing:home"),
                "logout": reverse("logout")}
    return {"kind": "other", "name": user.get_username(), "home": None,
            "logout": reverse("logout")}


def _render(request, name, status_class):
    side = "portal" if is_portal_path(request.path) else "staff"
    template = name if side == "portal" else f"billing/{name}"
    context = {"who": who_asks(request), "side": side}
    return status_class(loader.render_to_string(template, context, request=request))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", HttpResponseForbidden)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", HttpResponseNotFound)


@requires_csrf_token
def server_error(request):
    portal = is_portal_path(request.path)
    template = loader.get_template("500.html" if portal else "billing/500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))


def _came_from(request):
    """The page the user came from (Referer), when it is one of ours and not this address."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    return None if referer.split("?")[0].endswith(request.path) else referer


class MethodNotAllowedPageMiddleware:
    """An empty 405 (a view's http_method_not_allowed) becomes the side's styled page: status 405
    and its Allow header kept, the body the error page (billing/405.html, or the portal's
    405.html under /my/). A 405 with a body of its own is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False) \
                or response.content:
            return response
        side = "portal" if is_portal_path(request.path) else "staff"
        template = "405.html" if side == "portal" else "billing/405.html"
        context = {"who": who_asks(request), "side": side, "back": _came_from(request),
                   "method": request.method}
        response.content = loader.render_to_string(template, context, request=request)
        response["Content-Type"] = "text/html; charset=utf-8"
        return response
