"""The app's URLs plus the floors of the web benchmark:
/bench/trivial/  a logged-in page: the session and user are loaded (as on every real page),
                 then a fixed 2-line HTML response; no billing query, no template.
/bench/hello/    an anonymous fixed response: Django's request/response cycle and middleware only.
"""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


@login_required
def trivial(request):
    return HttpResponse(f"<!doctype html><title>ok</title><p>Hello {request.user.get_username()}</p>")


def hello(request):
    return HttpResponse("<!doctype html><title>ok</title><p>Hello</p>")


urlpatterns = [path("bench/trivial/", trivial), path("bench/hello/", hello)] + app_urlpatterns
