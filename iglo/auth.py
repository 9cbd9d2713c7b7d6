"""Sign-in details the project configures: what django-axes records about a failed login."""


def axes_username(request, credentials: dict | None) -> str:
    """The username django-axes records for a failed login, cut to what its column holds (255)."""
    name = (credentials or {}).get("username") or (request.POST.get("username", "") if request is not None else "")
    return str(name)[:150]
