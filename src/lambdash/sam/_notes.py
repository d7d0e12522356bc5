"""Why each line of the template is there: the comments ``lambdash init`` writes into it.

Each comment explains an AWS behaviour and links the page that documents it.
"""

from __future__ import annotations

from lambdash.sam._options import API
from lambdash.sam._options import FUNCTION
from lambdash.sam._options import HANDLER_MODULE
from lambdash.sam._options import InitOptions

__all__ = ["Comment", "Path", "comments", "header"]

# A key's place in the template, such as ("Resources", "AppApi", "Properties", "StageName").
Path = tuple[str, ...]
# Comments, by the path of the key they explain: (lines above it, a note beside it).
Comment = tuple[tuple[str, ...], str]


def comments(options: InitOptions) -> dict[Path, Comment]:
    """The comments for the template of *options*, by the path of the key each explains.

    :param options: what the template deploys.
    """
    function = ("Resources", FUNCTION, "Properties")
    api = ("Resources", API, "Properties")
    notes: dict[Path, Comment] = {
        (*function, "Handler"): ((), f"{HANDLER_MODULE}.py calls lambdash.make_handler(app)"),
        (*function, "MemorySize"): (
            ("Lambda gives CPU in proportion to memory, so 1024 MB also shortens the cold start",
             "that imports Dash (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)."),
            "",
        ),
        (*function, "Timeout"): (_TIMEOUT_NOTES[options.gateway], ""),
    }  # fmt: skip
    if options.snapstart:
        notes[(*function, "AutoPublishAlias")] = (
            (
                "SnapStart snapshots published versions only: SAM publishes one on every deploy",
                "and points the events at the alias (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).",
            ),
            "",
        )
    if options.gateway == "rest":
        notes[(*api, "StageName")] = (
            (),
            "the URL's first segment; lambdash tells the app its prefix",
        )
        notes[(*api, "OpenApiVersion")] = (
            (
                "Any OpenApiVersion stops SAM from also deploying a stage named Stage",
                "(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html).",
            ),
            "",
        )
        notes[(*api, "BinaryMediaTypes")] = (
            (
                "A REST API decodes a base64 body only when the request's FIRST Accept type matches",
                "(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).",
            ),
            "browsers send many Accept types, and only */* matches them all",
        )
        notes[(*function, "Events")] = (
            ("/{proxy+} does not match /, so the root page needs a route of its own.",),
            "",
        )
    elif options.gateway == "http":
        notes[(*function, "Events")] = (
            ("No Path: the $default route, which takes every method and every path.",),
            "",
        )
    elif options.gateway == "url":
        notes[(*function, "FunctionUrlConfig")] = (
            ("AuthType NONE: a public URL, as a website needs.",),
            "",
        )
    else:
        notes[("Resources", "AppTargetGroup", "Properties", "TargetGroupAttributes")] = (
            ("Multi-value headers, so that every Set-Cookie reaches the browser: with single-value",
             "headers an ALB keeps one (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html)."),
            "",
        )  # fmt: skip
        notes[("Resources", "AppInvokePermission", "Properties", "SourceArn")] = (
            ("Any target group of this account and region: naming the one below would be circular,",
             "since the permission must exist before the target group registers the function."),
            "",
        )  # fmt: skip
        notes[("Resources", "AppListener", "Properties", "Port")] = (
            ("Plain HTTP: for HTTPS add a listener on 443 with an ACM certificate.",),
            "",
        )
    if options.domain is not None:
        notes[("Resources", "AppDomain", "Properties", "EndpointConfiguration")] = (
            ("A regional domain takes a certificate from this stack's region (an edge-optimized",
             "one needs it in us-east-1); TLS 1.2 allows multi-level mappings later."),
            "",
        )  # fmt: skip
    return notes


_QUOTAS = "(https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)."
_TIMEOUT_NOTES = {
    "rest": (
        "A REST API stops waiting after 29 s, its integration timeout: a longer Timeout",
        f"only bills work nobody receives {_QUOTAS}",
    ),
    "http": (
        "An HTTP API stops waiting after 30 s: the function must answer before that",
        _QUOTAS,
    ),
    "url": (
        "A Function URL waits as long as the function runs (up to 900 s): 60 s bounds",
        "a stuck request (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html).",
    ),
    "alb": (
        "An ALB waits as long as the function runs (up to 900 s): 60 s bounds a stuck request",
        "(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html).",
    ),
}


def header(options: InitOptions) -> tuple[str, ...]:
    """The comment lines that open the template.

    :param options: what the template deploys.
    """
    last = (
        "# A reference template: deploying asks for the VpcId and SubnetIds of your VPC."
        if options.gateway == "alb"
        else "# Try it first with `lambdash serve`, which reads this file."
    )
    return (
        "# Written by `lambdash init`. Build with `lambdash build` (or `sam build`), then deploy",
        "# with `sam deploy --guided` the first time and `sam deploy` after that.",
        last,
    )
