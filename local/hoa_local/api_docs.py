"""Interactive API docs on the local runtime: Swagger UI at ``/docs`` over the committed
``docs/openapi.json`` (the document CI keeps in step with the code), with the runtime
itself as the first server so "Try it out" calls it. Paste a token from the banner (or
``hoa token manager``) into "Authorize"."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Request, Response

from hoa_local import ROOT

DOCUMENT = ROOT / "docs" / "openapi.json"
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HOA invoice publishing API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""
START = """window.ui = SwaggerUIBundle({
  url: "/docs/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
});
"""
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")


def _swagger_ui() -> Path:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return Path(swagger_ui_bundle.swagger_ui_path)


def api_docs(request: Request, rest: str) -> Response:
    """The ``/docs`` pages: the viewer, its files, and the document."""
    name = rest.strip("/")
    if name == "":
        return Response(PAGE, content_type="text/html; charset=utf-8")
    if name == "start.js":
        return Response(START, content_type="text/javascript; charset=utf-8")
    if name == "openapi.json":
        document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
        here = request.host_url.rstrip("/")
        document["servers"] = [{"url": here, "description": "This local runtime"}, *document["servers"]]
        return Response(json.dumps(document), content_type="application/json")
    if name in ASSETS:
        path = _swagger_ui() / name
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(path.read_bytes(), content_type=kind)
    return Response(json.dumps({"message": "Not Found"}), status=404, content_type="application/json")
