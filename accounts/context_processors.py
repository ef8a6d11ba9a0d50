from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Navigation entries for the signed-in user's interface, and their unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.navigation import menu_for

    return {"nav_items": menu_for(user), "unread_count": user.notifications.filter(read_at__isnull=True).count()}
