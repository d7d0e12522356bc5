"""The lambdash demo: a small but real Dash 4 app, served on Lambda by one line.

Its assets are the ones that break on a badly configured REST API: a custom favicon, a PNG logo
and a web font, and ``compress=True`` makes every page and script a compressed (binary) body.
The font is a subset of DejaVu Serif Bold (Bitstream Vera licence, free to redistribute).
"""

from __future__ import annotations

import math
import mimetypes

import plotly.graph_objects as go
from dash import Dash
from dash import Input
from dash import Output
from dash import dcc
from dash import html

from lambdash import make_handler

# Python's built-in MIME table has no web font types; a Lambda image without /etc/mime.types
# would serve the font as application/octet-stream (`lambdash doctor` checks this, LD106).
mimetypes.add_type("font/woff2", ".woff2")

app = Dash(__name__, compress=True, title="lambdash demo")


def layout() -> html.Main:
    """The page, built per request: ``get_asset_url`` then sees the prefix of that request.

    Built once at import time, it would carry the default prefix ``/`` and point the logo
    outside the API's stage.
    """
    return html.Main(
        [
            html.Header(
                [
                    html.Img(
                        id="logo",
                        src=app.get_asset_url("logo.png"),
                        alt="lambdash logo",
                        width=48,
                        height=48,
                    ),
                    html.H1("lambdash demo"),
                ],
                className="masthead",
            ),
            html.P(
                "A Dash app on AWS Lambda: move the slider and the callback redraws the graph."
            ),
            html.Label("Frequency", htmlFor="frequency"),
            dcc.Slider(id="frequency", min=1, max=10, step=1, value=3),
            dcc.Graph(id="graph"),
            html.P(id="summary"),
        ]
    )


app.layout = layout


@app.callback(
    Output("graph", "figure"),
    Output("summary", "children"),
    Input("frequency", "value"),
)
def draw(frequency: int) -> tuple[go.Figure, str]:
    """A sine wave of the chosen frequency."""
    xs = [i / 100 for i in range(629)]
    figure = go.Figure(
        go.Scatter(
            x=xs, y=[math.sin(frequency * x) for x in xs], mode="lines", name="sin"
        )
    )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 30, "b": 40}, title=f"sin({frequency}x)"
    )
    return figure, f"Frequency {frequency}: {frequency} full waves over 2π."


# The Lambda handler: Handler: app.lambda_handler in the SAM template.
lambda_handler = make_handler(app)
