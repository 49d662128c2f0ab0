"""The 500 page of the URL that failed: the staff's (billing/500.html) for the back office, the
portal's (500.html) under the portal's path. Django's own handler renders 500.html for every URL,
so a clerk's server error showed the portal's header and "Back to your account".

Rendered like Django's own: a template without a request context (no context processors, no
database: the error may be the database's), given only the request id that the response carries
as X-Request-ID (config.logcontext), for staff to quote when they report it."""
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from config.logcontext import current_request_id


@requires_csrf_token
def server_error(request):
    from config.urls import PORTAL_PATH
    portal = request.path.startswith("/" + PORTAL_PATH)
    template = loader.get_template("500.html" if portal else "billing/500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))
