"""The user story's Dash settings: hard-coded prefixes that match the base path."""

from __future__ import annotations

import os

from dash import Dash
from dash import html

location = os.path.dirname(os.path.abspath(__file__))

app = Dash(
    __name__,
    serve_locally=False,
    external_stylesheets=[
        "https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css"
    ],
    assets_folder=os.path.join(location, "assets/"),
    compress=False,
    routes_pathname_prefix="/dash/",
    requests_pathname_prefix="/dash/",
)
app.layout = html.Div([html.H1("Dashboard")])
