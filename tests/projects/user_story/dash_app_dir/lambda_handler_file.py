"""The user story's handler: aws-wsgi, with a hand-written list of base64 content types."""

from __future__ import annotations

from typing import Any

import awsgi  # type: ignore[import-not-found]

from dash_app_dir.app import app


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    base64_content_types = ["image/vnd.microsoft.icon", "image/x-icon"]
    return awsgi.response(app.server, event, context, base64_content_types)
