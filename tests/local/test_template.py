"""read_template: what a SAM template deploys, as far as the local gateway is concerned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lambdash.local._events import build_event
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._results import to_http
from lambdash.local._template import TemplateError
from lambdash.local._template import TemplateSettings
from lambdash.local._template import _Loader
from lambdash.local._template import read_template

# The complete template from ../shared/user-story/dash-favicon-on-api-gateway.txt, verbatim but
# for trailing spaces and the last line: the post nests double quotes there, which is not YAML,
# so the outer pair is single quotes here.
USER_STORY = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Sample SAM cd Template for Dash

Parameters:
  ServiceName:
    Type: String
    Default: "<my_service_name>"
  BasePathName:
    Type: String
    Default: <my_base_path>
    Description: Specific app reference that gets added to the base url for your application

Globals:
  Function:
    Runtime: python3.8
    MemorySize: 3072
    Timeout: 600
    Tags:
      Project: "<my_project_name>"
      Name: "<my_application_name>"
      Service: !Ref ServiceName

Resources:
  DashApi:
    Type: AWS::Serverless::Api
    Properties:
      BinaryMediaTypes:
        - "image/*"
      StageName: !Ref BasePathName

  <MyLambdaFunction>:
    Type: AWS::Serverless::Function
    Properties:
      Handler: <dash_app_dir>.<lambda_handler_file.py>.lambda_handler
      Runtime: Python 3.8
      FunctionName: "<my_cloudwatch_log_group_name>"
      MemorySize: 2048
      Timeout: 900
      Events:
        DashEndpoint:
          Type: Api
          Properties:
            Path: /{proxy+}
            Method: ANY
            RestApiId:
              Ref: DashApi

  BasePathMapping:
    Type: AWS::ApiGateway::BasePathMapping
    Properties:
      BasePath: !Ref BasePathName
      DomainName: "<my_base_domain: e.g. my_website.com>"
      Stage: !Ref BasePathName
      RestApiId:
        Ref: DashApi
    DependsOn:
      - DashApiStage

Outputs:
  DashAppURL:
    Value: '<my_external_url_that_I_share_with_people. Usually I do "my_base_domain/BasePathName/dash">'
"""

HEADER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def settings(path: Path, **fields: object) -> TemplateSettings:
    """The settings SAM's defaults give a function named App, with *fields* on top."""
    defaults: dict[str, object] = {
        "path": path,
        "function": "App",
        "handler": "app.handler",
        "code_dir": path.parent,
        "runtime": None,
        "gateway": "rest",
        "stage": "Prod",
        "binary_media_types": (),
        "root_route": True,
        "proxy_route": True,
        "timeout": 3.0,
        "memory_size": 128,
    }
    return TemplateSettings(**{**defaults, **fields})  # type: ignore[arg-type]


class TestUserStory:
    def test_settings(self, tmp_path: Path) -> None:
        path = write(tmp_path, USER_STORY)
        # The function's own Timeout and MemorySize win over Globals; the stage comes from the
        # parameter's Default; only /{proxy+} is routed.
        assert read_template(path) == TemplateSettings(
            path=path,
            function="<MyLambdaFunction>",
            handler="<dash_app_dir>.<lambda_handler_file.py>.lambda_handler",
            code_dir=tmp_path,
            runtime="Python 3.8",
            gateway="rest",
            stage="<my_base_path>",
            binary_media_types=("image/*",),
            root_route=False,
            proxy_route=True,
            timeout=900.0,
            memory_size=2048,
            base_paths=("/<my_base_path>",),
        )

    def test_root_url_fails(self, tmp_path: Path) -> None:
        # With only /{proxy+}, the app's root URL is 403 Missing Authentication Token on AWS.
        found = read_template(write(tmp_path, USER_STORY))
        config = GatewayConfig(
            gateway=found.gateway,
            stage=found.stage,
            binary_media_types=found.binary_media_types,
            root_route=found.root_route,
            proxy_route=found.proxy_route,
        )
        for target in ("/<my_base_path>/", "/<my_base_path>"):
            request = HTTPRequest(method="GET", target=target, headers=[])
            assert build_event(config, request) == HTTPResponse(
                status=403,
                headers=[("Content-Type", "application/json")],
                body=b'{"message":"Missing Authentication Token"}',
                reason="no route matches the request",
            )
        request = HTTPRequest(
            method="GET", target="/<my_base_path>/assets/favicon.ico", headers=[]
        )
        event = build_event(config, request)
        assert isinstance(event, dict)
        assert (event["path"], event["pathParameters"]) == (
            "/assets/favicon.ico",
            {"proxy": "assets/favicon.ico"},
        )


def test_binary_media_types_in_sam_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Globals:
  Api:
    BinaryMediaTypes: ["image~1png"]
  Function:
    Handler: app.handler
    CodeUri: src/
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Root: {Type: Api, Properties: {Path: /, Method: ANY}}
        Proxy: {Type: Api, Properties: {Path: "/{proxy+}", Method: ANY}}
""",
    )
    found = read_template(path)
    # An implicit API (no RestApiId) has the stage Prod; Globals.Api gives its settings.
    assert found == settings(
        path, code_dir=tmp_path / "src", binary_media_types=("image~1png",)
    )
    # SAM's ~1 stands for /: a base64 PNG reaches a client that asks for image/png as bytes.
    config = GatewayConfig(binary_media_types=found.binary_media_types)
    request = HTTPRequest(
        method="GET", target="/Prod/x.png", headers=[("Accept", "image/png")]
    )
    result = json.dumps({"body": "iVBORw==", "isBase64Encoded": True})
    assert to_http(config, request, result).body == b"\x89PNG"


def test_rest_api_reference_and_parameters(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Parameters:
  Stage: {Type: String, Default: v1}
  Seconds: {Type: Number, Default: 60}
  Types: {Type: String, Default: "*~1*"}
Globals:
  Api:
    BinaryMediaTypes: [image/png]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Broken: just a string
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
  Web:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      BinaryMediaTypes: [!Ref Types, font/woff2]
  App:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Timeout: !Ref Seconds
      MemorySize: "1024"
      CodeUri: {Bucket: b, Key: k}
      Events:
        Root:
          Type: Api
          Properties: {Path: /, Method: ANY, RestApiId: !Ref Web}
""",
    )
    # The API resource's properties replace Globals.Api; !Ref resolves to parameter defaults; a
    # CodeUri in S3 leaves the template's directory; functions without HTTP events are skipped.
    assert read_template(path) == settings(
        path,
        runtime="python3.13",
        stage="v1",
        binary_media_types=("*~1*", "font/woff2"),
        proxy_route=False,
        timeout=60.0,
        memory_size=1024,
    )


def test_unresolvable_stage(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Parameters:
  NoDefault: {Type: String}
  Odd: not a mapping
Resources:
  Web:
    Type: AWS::Serverless::Api
    Properties: {StageName: !Sub "${AWS::Region}-stage"}
  Other:
    Type: AWS::Serverless::Api
    Properties: {StageName: !Ref NoDefault}
  App:
    Type: AWS::Serverless::Function
    Properties:
      Handler: !Ref Odd
      Events:
        A: {Type: Api, Properties: {Path: "/{proxy+}", Method: ANY, RestApiId: !Ref Web}}
""",
    )
    # A stage only known at deploy time is left to the gateway's default.
    assert read_template(path) == settings(
        path, handler=None, stage=None, root_route=False
    )


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(
            "A: {Type: HttpApi}",
            {"stage": "$default"},
            id="catch-all",
        ),
        pytest.param(
            "A: {Type: HttpApi, Properties: {Path: $default, Method: ANY}}",
            {"stage": "$default"},
            id="default-route",
        ),
        pytest.param(
            "A: {Type: HttpApi, Properties: {Path: '/{proxy+}', Method: ANY, ApiId: !Ref Http}}",
            {"stage": "v2", "root_route": False},
            id="proxy-only-named-stage",
        ),
        pytest.param(
            "A: {Type: HttpApi, Properties: {Path: /, Method: GET}}",
            {"stage": "$default", "proxy_route": False},
            id="root-only",
        ),
    ],
)
def test_http_api(tmp_path: Path, events: str, expected: dict[str, object]) -> None:
    path = write(
        tmp_path,
        HEADER
        + f"""
Globals:
  Function: {{Handler: app.handler, Timeout: 30, MemorySize: 512}}
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties: {{StageName: v2}}
  App:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        {events}
""",
    )
    assert read_template(path) == settings(
        path, gateway="http", timeout=30.0, memory_size=512, **expected
    )


def test_function_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: .
      FunctionUrlConfig: {AuthType: NONE}
""",
    )
    assert read_template(path) == settings(path, gateway="url", stage=None)


def test_timeout_only_known_at_deploy(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Parameters:
  Seconds: {Type: Number}
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Timeout: !Ref Seconds
      FunctionUrlConfig: {AuthType: NONE}
""",
    )
    assert read_template(path) == settings(path, gateway="url", stage=None)


class TestErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        path = tmp_path / "template.yaml"
        with pytest.raises(TemplateError) as caught:
            read_template(path)
        assert str(caught.value) == (
            f"cannot read the template {str(path)!r}: [Errno 2] No such file or directory: {str(path)!r}"
        )

    def test_invalid_yaml(self, tmp_path: Path) -> None:
        text = "Resources: [unclosed\n"
        path = write(tmp_path, text)
        with pytest.raises(yaml.YAMLError) as parse_error:
            yaml.safe_load(text)
        with pytest.raises(TemplateError) as caught:
            read_template(path)
        assert (
            str(caught.value)
            == f"cannot read the template {str(path)!r}: {parse_error.value}"
        )

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param("", id="empty"),
            pytest.param("- a list\n", id="list"),
            pytest.param(HEADER, id="no-resources"),
            pytest.param(HEADER + "Resources: [a]\n", id="resources-list"),
        ],
    )
    def test_no_resources(self, tmp_path: Path, text: str) -> None:
        path = write(tmp_path, text)
        with pytest.raises(TemplateError) as caught:
            read_template(path)
        assert str(caught.value) == f"the template {str(path)!r} has no Resources"

    def test_no_http_function(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            HEADER
            + """
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Events:
        Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
        Broken: not a mapping
  Bare:
    Type: AWS::Serverless::Function
""",
        )
        with pytest.raises(TemplateError) as caught:
            read_template(path)
        assert str(caught.value) == (
            f"the template {str(path)!r} has no AWS::Serverless::Function with an Api, HttpApi, "
            "FunctionUrlConfig or ALB target group"
        )


def test_short_tags_load_as_intrinsics() -> None:
    text = """
ref: !Ref Name
sub: !Sub "${A}-b"
sub_list: !Sub ["${A}", {A: x}]
att: !GetAtt Fn.Arn
att_list: !GetAtt [Fn, Arn]
join: !Join [",", [a, !Ref B]]
if: !If [Cond, 1, 2]
mapping: !Transform {Name: AWS::Include}
"""
    assert yaml.load(text, Loader=_Loader) == {
        "ref": {"Ref": "Name"},
        "sub": {"Fn::Sub": "${A}-b"},
        "sub_list": {"Fn::Sub": ["${A}", {"A": "x"}]},
        "att": {"Fn::GetAtt": ["Fn", "Arn"]},
        "att_list": {"Fn::GetAtt": ["Fn", "Arn"]},
        "join": {"Fn::Join": [",", ["a", {"Ref": "B"}]]},
        "if": {"Fn::If": ["Cond", 1, 2]},
        "mapping": {"Fn::Transform": {"Name": "AWS::Include"}},
    }


def test_alb_target_group(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, CodeUri: .}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Fn.Arn}]
      TargetGroupAttributes: [{Key: lambda.multi_value_headers.enabled, Value: "true"}]
""",
    )
    settings = read_template(path)
    assert (
        settings.gateway,
        settings.multi_value_headers,
        settings.root_route,
        settings.proxy_route,
    ) == ("alb", True, True, True)
