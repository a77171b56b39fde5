"""What the published API schema describes: the open-data API under /api/v1/ and nothing else.

drf-spectacular collects every DRF view it finds, which includes the Wagtail admin's own API
(under /admin/api/); that API is for signed-in editors and is not part of the public contract.
"""

PUBLIC_API_PREFIX = "/api/v1/"


def public_api_only(endpoints):
    """drf-spectacular preprocessing hook: keep the endpoints of the public API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_API_PREFIX)]
