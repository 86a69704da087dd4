"""Automatic logout (等保 2.0): after an idle time and, at the latest, some hours after login.

Idle: the session expires SESSION_COOKIE_AGE seconds after it was last saved, in the
database and in the browser. Activity saves it again, but at most once per
TOUCH_SECONDS: SESSION_SAVE_EVERY_REQUEST would write the session row on every
request (the import page polls every second) for a precision nobody needs.

Absolute: the login time is stored in the session, and a session older than
CRM_SESSION_MAX_AGE seconds is logged out whatever its activity.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LOGIN_AT = "crm_login_at"
ACTIVE_AT = "crm_active_at"
TOUCH_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="crm_session_login_at")
def remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[ACTIVE_AT] = now


class SessionLifetimeMiddleware:
    """Log out a session older than CRM_SESSION_MAX_AGE; renew an active one's idle expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, int(time.time())
            login_at = session.get(LOGIN_AT)
            if login_at is None:
                # A session from before this check existed: its clock starts now.
                session[LOGIN_AT] = login_at = now
            if now - login_at > settings.CRM_SESSION_MAX_AGE:
                logout(request)
                hours = settings.CRM_SESSION_MAX_AGE / 3600
                messages.info(
                    request, f"登录已超过 {hours:g} 小时，为安全起见已自动退出，请重新登录。"
                )
            elif now - session.get(ACTIVE_AT, 0) >= TOUCH_SECONDS:
                session[ACTIVE_AT] = now  # saved after the response: the expiry moves on
        return self.get_response(request)
