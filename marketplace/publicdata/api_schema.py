"""What the published API schema describes, and the page that shows it.

The schema is the open-data API under /api/v1/ and nothing else: drf-spectacular collects every
DRF view it finds, which includes the Wagtail admin's own API (under /admin/api/); that API is for
signed-in editors and is not part of the public contract.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView

PUBLIC_API_PREFIX = "/api/v1/"


def public_api_only(endpoints):
    """drf-spectacular preprocessing hook: keep the endpoints of the public API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_API_PREFIX)]


class ApiDocsView(SpectacularSwaggerSplitView):
    """/api/v1/docs/: Swagger UI over /api/v1/schema/, its files from drf-spectacular-sidecar.

    It runs under the site's own Content-Security-Policy, unchanged. The "split" view serves the
    page's start-up script as a file of its own (the same address with ``?script``), so no inline
    script is needed (``script-src 'self'``); the template's one ``<style>`` carries the request's
    nonce. Swagger UI sets its runtime styles through the DOM (CSSOM), which CSP does not block, and
    its icons are ``data:`` images (``img-src data:``, already allowed).
    """

    template_name = "publicdata/api_docs.html"


# The errors every operation can answer besides its own, in the shapes DRF and the input guard
# (core.input_guard: a NUL character anywhere) give them.
ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "What went wrong, in the reader's language.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ParameterErrors": {
        "type": "object",
        "description": "Per refused parameter, what is wrong with it ({parameter: [messages]}); "
        "or, for a request refused as a whole, {detail: message}.",
        "additionalProperties": {
            "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
        },
    },
}


def _json(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the 400 and 404 answers of each operation.

    An operation that takes parameters answers 400 when one is refused (a filter's value, a NUL
    character); one with a path parameter or a page number answers 404 for an object or a page
    that is not there."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            responses = operation.setdefault("responses", {})
            if parameters and "400" not in responses:
                responses["400"] = _json("A parameter was refused.", "ParameterErrors")
            if any(p["in"] == "path" or p["name"] == "page" for p in parameters) and "404" not in responses:
                responses["404"] = _json("No such object, or no such page.", "Error")
    return result
