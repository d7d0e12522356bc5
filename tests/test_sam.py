"""``lambdash init``: the templates pass cfn-lint and SAM's own translator, and the CLI writes safely.

Every template variant goes through the real tools offline: cfn-lint's rules, and the
aws-sam-translator transform ``sam deploy`` runs, whose CloudFormation output is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambdash.cli import _parser
from lambdash.cli import main
from lambdash.cli import plan_serve
from lambdash.sam import ExistingFilesError
from lambdash.sam import InitError
from lambdash.sam import InitOptions
from lambdash.sam import ProjectFile
from lambdash.sam import make_project
from lambdash.sam import make_template
from lambdash.sam import render_template
from lambdash.sam import stack_name_for
from lambdash.sam import write_project
from tests.conftest import require_no_awsgi

HERE = Path(__file__).parent / "sam"

VARIANTS: dict[str, dict[str, Any]] = {
    "rest": {},
    "rest-domain": {"domain": "example.com", "base_path": "dash"},
    "rest-snapstart": {"snapstart": True},
    "http": {"gateway": "http"},
    "url": {"gateway": "url"},
    "alb": {"gateway": "alb"},
    "arm64": {"architecture": "arm64", "runtime": "python3.14"},
    # Combinations that change how resources refer to the function.
    "rest-domain-root-snapstart": {"domain": "example.com", "snapstart": True},
    "http-snapstart": {"gateway": "http", "snapstart": True},
    "url-snapstart": {"gateway": "url", "snapstart": True},
    "alb-snapstart": {"gateway": "alb", "snapstart": True, "runtime": "python3.12"},
    "python3.11": {"runtime": "python3.11"},
}
parametrize_variants = pytest.mark.parametrize(
    "options",
    [
        pytest.param(InitOptions(app="app:app", **kw), id=name)
        for name, kw in VARIANTS.items()
    ],
)


class _NoManagedPolicies:
    """The translator's managed-policy loader; these templates name no AWS managed policies."""

    def load(self) -> dict[str, str]:
        return {}


def transformed(
    options: InitOptions, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The CloudFormation ``sam deploy`` would create, from the template text as written."""
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml.safe_load(render_template(options))
    # What `sam package` does: the code is uploaded, and CodeUri names it in S3.
    template["Resources"]["AppFunction"]["Properties"]["CodeUri"] = (
        "s3://bucket/app.zip"
    )
    result: dict[str, Any] = transform(template, {}, _NoManagedPolicies())
    return result


def of_type(cloudformation: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The resources of one type, by logical ID."""
    return {
        name: resource
        for name, resource in cloudformation["Resources"].items()
        if resource["Type"] == kind
    }


def props(cloudformation: dict[str, Any], name: str) -> dict[str, Any]:
    value: dict[str, Any] = cloudformation["Resources"][name]["Properties"]
    return value


def function_properties(
    *, timeout: int, architecture: str = "x86_64", runtime: str = "python3.13"
) -> dict[str, Any]:
    """The AWS::Lambda::Function every variant deploys, as SAM writes it."""
    return {
        "Code": {"S3Bucket": "bucket", "S3Key": "app.zip"},
        "Handler": "lambda_handler.lambda_handler",
        "MemorySize": 1024,
        "Role": {"Fn::GetAtt": ["AppFunctionRole", "Arn"]},
        "Runtime": runtime,
        "Timeout": timeout,
        "Tags": [{"Key": "lambda:createdBy", "Value": "SAM"}],
        "Architectures": [architecture],
    }


def proxy_integration(target: str) -> dict[str, Any]:
    uri = f"arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{target}}}/invocations"
    return {
        "x-amazon-apigateway-any-method": {
            "x-amazon-apigateway-integration": {
                "httpMethod": "POST",
                "type": "aws_proxy",
                "uri": {"Fn::Sub": uri},
            },
            "responses": {},
        }
    }


# --- Options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"app": "app"}, "APP 'app' is not module:attribute, such as app:app", id="no-colon"),
        pytest.param({"app": "app:"}, "APP 'app:' is not module:attribute, such as app:app", id="no-attribute"),
        pytest.param({"app": "my-app:app"}, "APP 'my-app:app' is not module:attribute, such as app:app", id="not-a-module"),
        pytest.param({"app": "app:class"}, "APP 'app:class' is not module:attribute, such as app:app", id="keyword"),
        pytest.param(
            {"app": "lambda_handler:app"},
            "APP 'lambda_handler:app' is in lambda_handler.py, the module lambdash init writes: rename that module",
            id="handler-module",
        ),
        pytest.param({"gateway": "nlb"}, "'nlb' is not a gateway: choose rest, http, alb or url", id="gateway"),
        pytest.param({"architecture": "arm"}, "'arm' is not an architecture: choose x86_64 or arm64", id="architecture"),
        pytest.param(
            {"runtime": "python3.8"},
            "'python3.8' is not a supported runtime: choose python3.11, python3.12, python3.13 or python3.14",
            id="runtime",
        ),
        pytest.param(
            {"runtime": "python3.11", "snapstart": True},
            "--snapstart needs python3.12 or later: Lambda SnapStart does not support python3.11",
            id="snapstart-python3.11",
        ),
        pytest.param(
            {"base_path": "dash"},
            "--base-path needs --domain: a base path maps part of a custom domain to the API",
            id="base-path-alone",
        ),
        pytest.param(
            {"gateway": "http", "domain": "example.com"},
            "--domain works with --gateway rest only, not http",
            id="domain-on-http",
        ),
        pytest.param(
            {"domain": "https://example.com/"},
            "'https://example.com/' is not a domain name such as example.com (lower case, no scheme, no path)",
            id="domain-url",
        ),
        pytest.param(
            {"domain": "localhost"},
            "'localhost' is not a domain name such as example.com (lower case, no scheme, no path)",
            id="domain-one-label",
        ),
        pytest.param(
            {"domain": "example.com", "base_path": "apps/dash"},
            "'apps/dash' is not a one-segment base path such as dash",
            id="multi-level-base-path",
        ),
        pytest.param(
            {"domain": "example.com", "base_path": "/"},
            "'/' is not a one-segment base path such as dash",
            id="slash-base-path",
        ),
    ],
)  # fmt: skip
def test_options_rejected_with_a_message_that_says_what_is_accepted(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InitError) as caught:
        InitOptions(**{"app": "app:app", **options})
    assert str(caught.value) == message


def test_options_accept_a_dotted_attribute_and_slashes_around_the_base_path() -> None:
    options = InitOptions(
        app="pkg.main:app.server", domain="apps.example.com", base_path="/dash/"
    )
    assert (options.app_module, options.app_attribute, options.mapping_key) == (
        "pkg.main",
        "app.server",
        "dash",
    )


# --- The template --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "golden"),
    [
        pytest.param(InitOptions(app="app:app"), "template-rest.yaml", id="rest"),
        pytest.param(
            InitOptions(
                app="app:app", domain="example.com", base_path="dash", snapstart=True
            ),
            "template-rest-domain-snapstart.yaml",
            id="rest-domain-snapstart",
        ),
    ],
)
def test_template_text_is_the_reviewed_one(options: InitOptions, golden: str) -> None:
    assert render_template(options) == (HERE / golden).read_text()


@parametrize_variants
def test_template_text_is_the_document_in_plain_yaml(options: InitOptions) -> None:
    # Long-form intrinsics only: a plain YAML loader reads what make_template built.
    assert yaml.safe_load(render_template(options)) == make_template(options)


def test_binary_media_types_carries_its_reason_beside_it() -> None:
    lines = render_template(InitOptions(app="app:app")).splitlines()
    assert (
        "      BinaryMediaTypes: ['*/*']  # browsers send many Accept types, and only */* matches them all"
        in lines
    )


@parametrize_variants
def test_template_passes_cfn_lint(options: InitOptions) -> None:
    from cfnlint.api import lint

    # Errors, warnings and informational findings alike: there should be none at all.
    matches = lint(render_template(options), config={"include_checks": ["I"]})
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


# --- What SAM deploys ----------------------------------------------------------------------


class TestRestAPI:
    def test_binary_media_types_routes_and_stage(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cloudformation = transformed(InitOptions(app="app:app"), monkeypatch)
        api = props(cloudformation, "AppApi")
        assert api["BinaryMediaTypes"] == ["*/*"]
        assert api["Body"]["x-amazon-apigateway-binary-media-types"] == ["*/*"]
        assert api["Body"]["swagger"] == "2.0"
        assert api["Body"]["paths"] == {
            "/": proxy_integration("AppFunction.Arn"),
            "/{proxy+}": proxy_integration("AppFunction.Arn"),
        }
        stages = of_type(cloudformation, "AWS::ApiGateway::Stage")
        assert [s["Properties"]["StageName"] for s in stages.values()] == ["Prod"]
        # No second stage named "Stage": the deployment names none.
        (deployment,) = of_type(cloudformation, "AWS::ApiGateway::Deployment").values()
        assert "StageName" not in deployment["Properties"]

    def test_function_and_permissions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cloudformation = transformed(InitOptions(app="app:app"), monkeypatch)
        assert props(cloudformation, "AppFunction") == function_properties(timeout=29)
        permissions = of_type(cloudformation, "AWS::Lambda::Permission")
        assert sorted(permissions) == [
            "AppFunctionProxyPermissionProd",
            "AppFunctionRootPermissionProd",
        ]
        assert {
            (p["Properties"]["Principal"], json.dumps(p["Properties"]["FunctionName"]))
            for p in permissions.values()
        } == {("apigateway.amazonaws.com", '{"Ref": "AppFunction"}')}
        assert cloudformation["Outputs"] == {
            "AppUrl": {
                "Description": "The URL to open",
                "Value": {
                    "Fn::Sub": "https://${AppApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/"
                },
            }
        }

    def test_custom_domain_and_base_path(self, monkeypatch: pytest.MonkeyPatch) -> None:
        options = InitOptions(app="app:app", domain="example.com", base_path="dash")
        cloudformation = transformed(options, monkeypatch)
        assert of_type(cloudformation, "AWS::ApiGateway::DomainName") == {
            "AppDomain": {
                "Type": "AWS::ApiGateway::DomainName",
                "Properties": {
                    "DomainName": "example.com",
                    "RegionalCertificateArn": {"Ref": "CertificateArn"},
                    "EndpointConfiguration": {"Types": ["REGIONAL"]},
                    "SecurityPolicy": "TLS_1_2",
                },
            }
        }
        assert of_type(cloudformation, "AWS::ApiGateway::BasePathMapping") == {
            "AppBasePathMapping": {
                "Type": "AWS::ApiGateway::BasePathMapping",
                "Properties": {
                    "DomainName": {"Ref": "AppDomain"},
                    "RestApiId": {"Ref": "AppApi"},
                    "Stage": {"Ref": "AppApiProdStage"},
                    "BasePath": "dash",
                },
            }
        }
        assert props(cloudformation, "AppApi")["EndpointConfiguration"] == {
            "Types": ["REGIONAL"]
        }
        assert cloudformation["Parameters"]["CertificateArn"]["Type"] == "String"
        assert (
            cloudformation["Outputs"]["AppUrl"]["Value"] == "https://example.com/dash/"
        )
        assert cloudformation["Outputs"]["DomainTarget"]["Value"] == {
            "Fn::GetAtt": ["AppDomain", "RegionalDomainName"]
        }

    def test_custom_domain_without_base_path_maps_the_whole_domain(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cloudformation = transformed(
            InitOptions(app="app:app", domain="example.com"), monkeypatch
        )
        assert "BasePath" not in props(cloudformation, "AppBasePathMapping")
        assert cloudformation["Outputs"]["AppUrl"]["Value"] == "https://example.com/"

    def test_snapstart_publishes_a_version_the_api_invokes_through_the_alias(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cloudformation = transformed(
            InitOptions(app="app:app", snapstart=True), monkeypatch
        )
        assert props(cloudformation, "AppFunction")["SnapStart"] == {
            "ApplyOn": "PublishedVersions"
        }
        (version,) = of_type(cloudformation, "AWS::Lambda::Version")
        assert of_type(cloudformation, "AWS::Lambda::Alias") == {
            "AppFunctionAliaslive": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "Name": "live",
                    "FunctionName": {"Ref": "AppFunction"},
                    "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
                },
            }
        }
        assert props(cloudformation, "AppApi")["Body"]["paths"] == {
            "/": proxy_integration("AppFunctionAliaslive"),
            "/{proxy+}": proxy_integration("AppFunctionAliaslive"),
        }
        assert {
            json.dumps(p["Properties"]["FunctionName"])
            for p in of_type(cloudformation, "AWS::Lambda::Permission").values()
        } == {'{"Ref": "AppFunctionAliaslive"}'}


def test_http_api_has_the_default_route(monkeypatch: pytest.MonkeyPatch) -> None:
    cloudformation = transformed(
        InitOptions(app="app:app", gateway="http"), monkeypatch
    )
    body = props(cloudformation, "AppApi")["Body"]
    assert cloudformation["Resources"]["AppApi"]["Type"] == "AWS::ApiGatewayV2::Api"
    assert list(body["paths"]) == ["$default"]
    route = body["paths"]["$default"]["x-amazon-apigateway-any-method"]
    assert route["isDefaultRoute"] is True
    assert route["x-amazon-apigateway-integration"]["payloadFormatVersion"] == "2.0"
    (stage,) = of_type(cloudformation, "AWS::ApiGatewayV2::Stage").values()
    assert (stage["Properties"]["StageName"], stage["Properties"]["AutoDeploy"]) == (
        "$default",
        True,
    )
    assert props(cloudformation, "AppFunction") == function_properties(timeout=29)
    (permission,) = of_type(cloudformation, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    assert cloudformation["Outputs"]["AppUrl"]["Value"] == {
        "Fn::Sub": "https://${AppApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
    }


@pytest.mark.parametrize(
    ("snapstart", "target"), [(False, "AppFunction"), (True, "AppFunctionAliaslive")]
)
def test_function_url_is_public(
    monkeypatch: pytest.MonkeyPatch, snapstart: bool, target: str
) -> None:
    options = InitOptions(app="app:app", gateway="url", snapstart=snapstart)
    cloudformation = transformed(options, monkeypatch)
    assert of_type(cloudformation, "AWS::Lambda::Url") == {
        "AppFunctionUrl": {
            "Type": "AWS::Lambda::Url",
            "Properties": {"TargetFunctionArn": {"Ref": target}, "AuthType": "NONE"},
        }
    }
    # A public URL needs both lambda:InvokeFunctionUrl and lambda:InvokeFunction for everyone.
    assert sorted(
        (
            p["Properties"]["Action"],
            p["Properties"]["Principal"],
            json.dumps(p["Properties"]["FunctionName"]),
        )
        for p in of_type(cloudformation, "AWS::Lambda::Permission").values()
    ) == [
        ("lambda:InvokeFunction", "*", json.dumps({"Ref": target})),
        ("lambda:InvokeFunctionUrl", "*", json.dumps({"Ref": target})),
    ]
    function = props(cloudformation, "AppFunction")
    assert function["Timeout"] == 60
    assert cloudformation["Outputs"]["AppUrl"]["Value"] == {
        "Fn::GetAtt": ["AppFunctionUrl", "FunctionUrl"]
    }


@pytest.mark.parametrize(
    ("snapstart", "target"),
    [
        (False, {"Fn::GetAtt": ["AppFunction", "Arn"]}),
        (True, {"Ref": "AppFunctionAliaslive"}),
    ],
)
def test_alb_target_group_has_multi_value_headers_and_permission(
    monkeypatch: pytest.MonkeyPatch, snapstart: bool, target: dict[str, Any]
) -> None:
    cloudformation = transformed(
        InitOptions(app="app:app", gateway="alb", snapstart=snapstart), monkeypatch
    )
    assert cloudformation["Resources"]["AppTargetGroup"] == {
        "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
        "DependsOn": "AppInvokePermission",
        "Properties": {
            "TargetType": "lambda",
            "Targets": [{"Id": target}],
            "TargetGroupAttributes": [
                {"Key": "lambda.multi_value_headers.enabled", "Value": "true"}
            ],
        },
    }
    assert of_type(cloudformation, "AWS::Lambda::Permission") == {
        "AppInvokePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": target,
                "Principal": "elasticloadbalancing.amazonaws.com",
                "SourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/*"
                },
            },
        }
    }
    balancer = props(cloudformation, "AppLoadBalancer")
    assert (balancer["Scheme"], balancer["Subnets"]) == (
        "internet-facing",
        {"Ref": "SubnetIds"},
    )
    assert props(cloudformation, "AppLoadBalancerSecurityGroup")[
        "SecurityGroupIngress"
    ] == [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]
    assert props(cloudformation, "AppListener")["DefaultActions"] == [
        {"Type": "forward", "TargetGroupArn": {"Ref": "AppTargetGroup"}}
    ]
    assert sorted(cloudformation["Parameters"]) == ["SubnetIds", "VpcId"]
    assert props(cloudformation, "AppFunction")["Timeout"] == 60
    assert cloudformation["Outputs"]["AppUrl"]["Value"] == {
        "Fn::Sub": "http://${AppLoadBalancer.DNSName}/"
    }


def test_arm64_and_runtime_reach_the_function(monkeypatch: pytest.MonkeyPatch) -> None:
    options = InitOptions(app="app:app", architecture="arm64", runtime="python3.14")
    cloudformation = transformed(options, monkeypatch)
    assert props(cloudformation, "AppFunction") == function_properties(
        timeout=29, architecture="arm64", runtime="python3.14"
    )


# --- The project files ---------------------------------------------------------------------

HANDLER = '''\
"""The Lambda entry point (Handler: lambda_handler.lambda_handler), written by lambdash init."""

from lambdash import make_handler

from app import app

# Made at import, once per Lambda container.
lambda_handler = make_handler(app)
'''

PYTHON = ".".join(map(str, sys.version_info[:3]))
REQUIREMENTS_HEADER = f"""\
# What `lambdash build` (or `sam build`) installs beside your code in the function's zip,
# written by lambdash init: the distributions app:app imports, pinned to the versions
# installed where it ran (Python {PYTHON}), so that the function runs what ran there.
# Lambda provides boto3 and its dependencies; `lambdash build` ships the lambdash it runs.
"""
# For an app that imports nothing but the standard library.
REQUIREMENTS = REQUIREMENTS_HEADER + "lambdash\n"

SAMCONFIG = """\
# Settings for `sam deploy`, written by `lambdash init`
# (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html).
version = 0.1

[default.deploy.parameters]
stack_name = "my-dash-app"
# SAM creates (once) and uses a bucket of its own for the code zip.
resolve_s3 = true
# SAM creates the function's IAM role, which CloudFormation must be allowed to do.
capabilities = "CAPABILITY_IAM"
# Show the change set and ask before deploying it.
confirm_changeset = true
# The region is yours to choose: uncomment this, or sam uses your AWS profile's region.
# region = "eu-west-1"
"""


@pytest.mark.parametrize(
    ("name", "stack"),
    [
        ("my_dash app", "my-dash-app"),
        ("Dash-App2", "Dash-App2"),
        ("2024 report", "lambdash-2024-report"),
        ("___", "lambdash"),
        ("a" * 200, "a" * 128),
    ],
)
def test_stack_name_comes_from_the_directory(
    tmp_path: Path, name: str, stack: str
) -> None:
    assert stack_name_for(tmp_path / name) == stack


def test_samconfig_names_the_parameters_to_give() -> None:
    files = {
        f.name: f.text
        for f in make_project(
            InitOptions(app="app:app", domain="example.com"), stack_name="s"
        )
    }
    alb = {
        f.name: f.text
        for f in make_project(InitOptions(app="app:app", gateway="alb"), stack_name="s")
    }
    assert tomllib.loads(files["samconfig.toml"]) == {
        "version": 0.1,
        "default": {
            "deploy": {
                "parameters": {
                    "stack_name": "s",
                    "resolve_s3": True,
                    "capabilities": "CAPABILITY_IAM",
                    "confirm_changeset": True,
                }
            }
        },
    }
    assert files["samconfig.toml"].endswith(
        "# The ACM certificate for example.com, in the stack's region.\n"
        '# parameter_overrides = "CertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/..."\n'
    )
    assert alb["samconfig.toml"].endswith(
        "# The VPC and its public subnets (two Availability Zones at least).\n"
        '# parameter_overrides = "VpcId=vpc-... SubnetIds=subnet-...,subnet-..."\n'
    )


def test_handler_module_for_a_dotted_attribute_imports_its_first_name() -> None:
    (handler,) = [
        f
        for f in make_project(InitOptions(app="pkg.main:app.server"), stack_name="s")
        if f.name == "lambda_handler.py"
    ]
    assert handler.text.splitlines()[4:] == [
        "from pkg.main import app",
        "",
        "# Made at import, once per Lambda container.",
        "lambda_handler = make_handler(app.server)",
    ]


def test_write_project_refuses_to_overwrite_and_keeps_what_it_must(
    tmp_path: Path,
) -> None:
    files = (
        ProjectFile(name="a.txt", text="new a\n"),
        ProjectFile(name="b.txt", text="new b\n"),
        ProjectFile(name="keep.txt", text="new keep\n", keep_existing=True),
    )
    (tmp_path / "a.txt").write_text("old a\n")
    (tmp_path / "keep.txt").write_text("old keep\n")
    with pytest.raises(ExistingFilesError) as caught:
        write_project(tmp_path, files)
    assert caught.value.paths == (tmp_path / "a.txt",)
    assert (
        str(caught.value)
        == f"{tmp_path / 'a.txt'} already exists; lambdash init wrote nothing"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "keep.txt"]
    assert write_project(tmp_path, files, force=True) == (
        tmp_path / "a.txt",
        tmp_path / "b.txt",
    )
    assert [(tmp_path / n).read_text() for n in ("a.txt", "b.txt", "keep.txt")] == [
        "new a\n",
        "new b\n",
        "old keep\n",
    ]


# --- The command ---------------------------------------------------------------------------


def init(*argv: str) -> int:
    return main(["init", *argv])


# A WSGI app.py that imports nothing: init imports it, and finds no distribution to pin.
PLAIN_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def with_app(directory: Path, source: str = PLAIN_APP) -> Path:
    """*directory*, created, with an app.py in it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(source)
    return directory


def test_init_writes_the_four_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = with_app(tmp_path / "my_dash app")
    assert init("app:app", "--dir", str(project)) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"wrote {project / name}"
        for name in (
            "template.yaml",
            "samconfig.toml",
            "lambda_handler.py",
            "requirements.txt",
        )
    ]
    assert err.splitlines() == [
        f"next: cd {project} && lambdash doctor && lambdash build && sam deploy --guided",
        f"try it locally first: lambdash serve --template {project / 'template.yaml'}",
    ]
    assert (project / "template.yaml").read_text() == (
        HERE / "template-rest.yaml"
    ).read_text()
    assert (project / "samconfig.toml").read_text() == SAMCONFIG
    assert (project / "lambda_handler.py").read_text() == HANDLER
    assert (project / "requirements.txt").read_text() == REQUIREMENTS


def test_init_in_the_current_directory_says_so_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(with_app(tmp_path))
    assert init("app:app", "--gateway", "alb") == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "wrote template.yaml"
    # `lambdash serve` reads no ALB template, so there is no local step to suggest.
    assert err.splitlines() == [
        "next: lambdash doctor && lambdash build && sam deploy --guided"
    ]


def test_second_run_refuses_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init("app:app", "--dir", str(with_app(tmp_path)))
    (tmp_path / "template.yaml").write_text("# mine\n")
    capsys.readouterr()
    assert init("app:app", "--gateway", "http", "--dir", str(tmp_path)) == 1
    out, err = capsys.readouterr()
    paths = [
        str(tmp_path / n)
        for n in ("template.yaml", "samconfig.toml", "lambda_handler.py")
    ]
    assert (out, err) == (
        "",
        f"error: {paths[0]}, {paths[1]} and {paths[2]} already exist; lambdash init wrote nothing\n"
        "hint: pass --force to overwrite them\n",
    )
    assert (tmp_path / "template.yaml").read_text() == "# mine\n"


def test_one_existing_file_is_named_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (with_app(tmp_path) / "samconfig.toml").write_text("version = 0.1\n")
    assert init("app:app", "--dir", str(tmp_path)) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'samconfig.toml'} already exists; lambdash init wrote nothing\n"
        "hint: pass --force to overwrite it\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "samconfig.toml"]


def test_force_overwrites_but_keeps_requirements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init("app:app", "--dir", str(with_app(tmp_path)))
    (tmp_path / "requirements.txt").write_text("dash==4.4.1\n")
    capsys.readouterr()
    assert init("app:app", "--gateway", "url", "--force", "--dir", str(tmp_path)) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"wrote {tmp_path / name}"
        for name in ("template.yaml", "samconfig.toml", "lambda_handler.py")
    ]
    assert err.splitlines()[:2] == [
        f"note: {tmp_path / 'requirements.txt'} is kept as it is, and lacks what app:app imports; add:",
        "  lambdash",
    ]
    assert (tmp_path / "requirements.txt").read_text() == "dash==4.4.1\n"
    assert "FunctionUrlConfig:" in (tmp_path / "template.yaml").read_text()


def test_existing_requirements_with_lambdash_get_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (with_app(tmp_path) / "requirements.txt").write_text(
        "dash==4.4.1\nLambdash[cli]==0.1.0\n"
    )
    assert init("app:app", "--dir", str(tmp_path)) == 0
    assert not capsys.readouterr().err.startswith("note:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--runtime", "python3.8"],
            "argument --runtime: 'python3.8' is not a supported runtime: "
            "choose python3.11, python3.12, python3.13 or python3.14",
            id="runtime",
        ),
        pytest.param(
            ["--base-path", "dash"],
            "--base-path needs --domain: a base path maps part of a custom domain to the API",
            id="base-path-without-domain",
        ),
        pytest.param(
            ["--snapstart", "--runtime", "python3.11"],
            "--snapstart needs python3.12 or later: Lambda SnapStart does not support python3.11",
            id="snapstart-python3.11",
        ),
        pytest.param(
            ["--arch", "arm"],
            "argument --arch: invalid choice: 'arm' (choose from 'x86_64', 'arm64')",
            id="arch",
        ),
    ],
)
def test_usage_errors_exit_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        init("app:app", "--dir", str(tmp_path), *argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lambdash init ")
    assert err.splitlines()[-1] == f"lambdash init: error: {message}"
    assert list(tmp_path.iterdir()) == []


def test_a_dir_that_is_a_file_has_no_app_and_gets_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("")
    assert init("app:app", "--dir", str(tmp_path / "taken")) == 1
    assert capsys.readouterr().err == (
        f"error: no module named 'app' in {tmp_path / 'taken'}\n"
        "hint: APP is module:attribute, with a module path like app or pkg.app, not a file name; "
        "there is no Python module there: run lambdash in the app's directory, or pass --dir\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (with_app(tmp_path) / "template.yaml").mkdir()
    assert init("app:app", "--force", "--dir", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: cannot write the project into {str(tmp_path)!r}: [Errno 21] Is a directory"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "template.yaml"]


def test_written_template_passes_the_cfn_lint_command(tmp_path: Path) -> None:
    init(
        "app:app",
        "--domain",
        "example.com",
        "--base-path",
        "dash",
        "--dir",
        str(with_app(tmp_path)),
    )
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), str(tmp_path / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    # Bit 2 is errors, 4 warnings, 8 informational: none of them.
    assert (result.returncode, result.stdout) == (0, "")


# --- Local serving and the doctor ----------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--gateway", "rest"], ("rest", "Prod", ("*/*",), True, True, 29.0)),
        (["--gateway", "http"], ("http", "$default", (), True, True, 29.0)),
        (["--gateway", "url"], ("url", None, (), True, True, 60.0)),
        (
            ["--snapstart", "--domain", "example.com"],
            ("rest", "Prod", ("*/*",), True, True, 29.0),
        ),
    ],
)
def test_lambdash_serve_reads_the_generated_template(
    tmp_path: Path, argv: list[str], expected: tuple[object, ...]
) -> None:
    assert init("app:app", "--dir", str(with_app(tmp_path)), *argv) == 0
    plan = plan_serve(
        _parser().parse_args(["serve", "--template", str(tmp_path / "template.yaml")])
    )
    config = plan.config
    assert (
        config.gateway,
        config.stage,
        config.binary_media_types,
        config.root_route,
        config.proxy_route,
        config.timeout,
    ) == expected
    assert (config.memory_size, plan.target.spec, plan.target.kind, plan.warnings) == (
        1024,
        "lambda_handler:lambda_handler",
        "handler",
        (),
    )


PROBE_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>probe</title><p>hello</p>"]
"""


@pytest.mark.parametrize("gateway", ["rest", "http", "url"])
def test_generated_project_passes_lambdash_doctor(tmp_path: Path, gateway: str) -> None:
    from lambdash.doctor import diagnose

    module = f"sam_probe_{gateway}"
    (tmp_path / f"{module}.py").write_text(PROBE_APP)
    assert init(f"{module}:app", "--gateway", gateway, "--dir", str(tmp_path)) == 0
    report = diagnose(tmp_path, template=tmp_path / "template.yaml")
    assert (report.findings, len(report.fetched) > 0) == ((), True)


def test_import_lambdash_sam_loads_no_yaml() -> None:
    code = "import sys, lambdash.sam; print(sorted(m for m in sys.modules if m.startswith(('yaml', 'cfnlint', 'samtranslator'))))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert loaded.strip() == "[]"


def test_handler_module_with_snapstart_registers_the_hooks() -> None:
    (handler,) = [
        f
        for f in make_project(
            InitOptions(app="app:app", snapstart=True), stack_name="s"
        )
        if f.name == "lambda_handler.py"
    ]
    assert handler.text == (
        '"""The Lambda entry point (Handler: lambda_handler.lambda_handler), written by lambdash init."""\n'
        "\n"
        "from lambdash import make_handler\n"
        "from lambdash.snapstart import register\n"
        "\n"
        "from app import app\n"
        "\n"
        "# Made at import, before the SnapStart snapshot, which then holds the warmed app.\n"
        "lambda_handler = register(make_handler(app))\n"
    )


# --- What init finds the app imports ---------------------------------------------------------

DASH_APP = """\
import json

import boto3
from dash import Dash, html

from helpers import TITLE

app = Dash(__name__)
app.layout = html.Div(TITLE)
"""
# What importing Dash 4.4.1 and boto3 loads in the test environment, by distribution: each pinned
# to the version installed here. boto3 (and botocore, urllib3...) is Lambda's; json the stdlib's;
# helpers the app's own. urllib3 imports brotli, backports.zstd and certifi when they are
# installed: pinned too, since nothing tells whether the app needs them as well.
DASH_DISTRIBUTIONS = (
    "annotated-types",
    "backports.zstd",
    "blinker",
    "brotli",
    "certifi",
    "click",
    "dash",
    "Flask",
    "importlib_metadata",
    "itsdangerous",
    "janus",
    "Jinja2",
    "lazy-importer",
    "MarkupSafe",
    "narwhals",
    "plotly",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "typing-inspection",
    "Werkzeug",
    "zipp",
)


def pinned(*names: str) -> list[str]:
    import importlib.metadata
    import re

    lines = [(n.lower(), f"{n}=={importlib.metadata.version(n)}") for n in names]
    lines.append(("lambdash", "lambdash"))
    return [
        line for _, line in sorted((re.sub(r"[-_.]+", "-", k), v) for k, v in lines)
    ]


def test_init_pins_the_distributions_a_dash_app_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_app(tmp_path, DASH_APP)
    (tmp_path / "helpers.py").write_text("TITLE = 'hello'\n")
    assert init("app:app", "--dir", str(tmp_path)) == 0
    assert (tmp_path / "requirements.txt").read_text().splitlines() == [
        *REQUIREMENTS_HEADER.splitlines(),
        *pinned(*DASH_DISTRIBUTIONS),
    ]
    # The app was imported in a process of its own: not here.
    assert "app" not in sys.modules
    assert capsys.readouterr().err.startswith("next: ")


def test_init_never_touches_requirements_and_says_what_they_lack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_app(tmp_path, "import flask\nimport plotly\n\napp = flask.Flask(__name__)\n")
    mine = "# mine\nflask==3.1.3  # the web framework\n-r more.txt\n"
    (tmp_path / "requirements.txt").write_text(mine)
    (tmp_path / "more.txt").write_text("Plotly>=5\n")
    assert init("app:app", "--dir", str(tmp_path)) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[:-2] == [
        f"note: {tmp_path / 'requirements.txt'} is kept as it is, and lacks what app:app imports; add:",
        *(
            f"  {line}"
            for line in pinned(
                "blinker",
                "click",
                "itsdangerous",
                "Jinja2",
                "MarkupSafe",
                "Werkzeug",
            )
        ),
    ]
    assert (tmp_path / "requirements.txt").read_text() == mine


def test_init_of_a_missing_attribute_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_app(
        tmp_path,
        DASH_APP.replace("import boto3\n", "").replace(
            "from helpers import TITLE\n", "TITLE = 'x'\n"
        ),
    )
    assert init("app:server", "--dir", str(tmp_path)) == 1
    assert capsys.readouterr() == (
        "",
        "error: module 'app' has no attribute 'server'\n"
        "hint: the names in 'app' that look like apps: app:app\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_init_of_the_user_story_handler_says_lambdash_replaces_aws_wsgi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_no_awsgi()
    (with_app(tmp_path) / "lambda_handler_file.py").write_text(
        "import awsgi\nfrom app import app\n\n\ndef lambda_handler(event, context):\n"
        "    return awsgi.response(app, event, context)\n"
    )
    assert init("lambda_handler_file:lambda_handler", "--dir", str(tmp_path)) == 1
    assert capsys.readouterr() == (
        "",
        "Traceback (most recent call last):\n"
        f'  File "{tmp_path}/lambda_handler_file.py", line 1, in <module>\n'
        "    import awsgi\n"
        "ModuleNotFoundError: No module named 'awsgi'\n"
        "error: 'lambda_handler_file' imports 'awsgi', from aws-wsgi, which is not installed\n"
        "hint: lambdash replaces aws-wsgi: `lambdash init APP` writes a lambda_handler.py that calls "
        "lambdash.make_handler(app); give serve and doctor the app itself (module:attribute)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "app.py",
        "lambda_handler_file.py",
    ]


def test_a_local_editable_distribution_is_a_comment_not_a_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A distribution installed as pip installs one with -e from ./support_lib_dir (PEP 610)."""
    project = with_app(
        tmp_path / "project", "import support_lib\n\napp = support_lib.app\n"
    )
    source = project / "support_lib_dir"
    (source / "support_lib").mkdir(parents=True)
    (source / "support_lib" / "__init__.py").write_text(PLAIN_APP)
    site = tmp_path / "site"
    info = site / "support_lib-0.3.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: support-lib\nVersion: 0.3.0\n"
    )
    (info / "top_level.txt").write_text("support_lib\n")
    (info / "RECORD").write_text("support_lib-0.3.0.dist-info/METADATA,,\n")
    (info / "direct_url.json").write_text(
        json.dumps({"url": source.as_uri(), "dir_info": {"editable": True}})
    )
    (site / "support_lib.pth").write_text(f"{source}\n")
    # The child process that imports the app sees the install, as a site directory would hold it.
    monkeypatch.setenv("PYTHONPATH", str(site))
    (site / "sitecustomize.py").write_text(
        f"import site\nsite.addsitedir({str(site)!r})\n"
    )
    assert init("app:app", "--dir", str(project)) == 0
    assert (project / "requirements.txt").read_text().splitlines()[4:] == [
        "lambdash",
        "# support-lib 0.3.0: an editable install from ./support_lib_dir, on no package index; "
        "add its path or a pinned release",
    ]
    assert capsys.readouterr().err.splitlines()[0] == (
        f"note: support-lib 0.3.0 is installed from ./support_lib_dir, not from a package index, "
        f"so {project / 'requirements.txt'} names it in a comment: add its path or a pinned release"
    )


def test_an_app_that_ends_the_process_on_import_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_app(tmp_path, "import os, sys\nprint('bye', file=sys.stderr)\nos._exit(3)\n")
    assert init("app:app", "--dir", str(tmp_path)) == 1
    assert capsys.readouterr().err == (
        "error: importing 'app:app' stopped the process (exit code 3): bye\n"
        "hint: check what the app does when it is imported\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_lacking_follows_includes_once_and_skips_options_and_paths(
    tmp_path: Path,
) -> None:
    from lambdash.sam._requirements import Pin
    from lambdash.sam._requirements import lacking

    (tmp_path / "requirements.txt").write_text(
        "--index-url https://example.invalid/simple\n-r base.txt\n-r missing.txt\n./support_lib_dir\n"
    )
    (tmp_path / "base.txt").write_text(
        "-r requirements.txt\nlambdash\ndash_Bootstrap.Components==2.0\n"
    )
    pins = [
        Pin(name="dash-bootstrap-components", version="2.0.1"),
        Pin(name="Flask", version="3.1.3"),
        Pin(name="tool", version="1.0", source="git+https://example.invalid/tool.git"),
    ]
    assert lacking(tmp_path / "requirements.txt", pins) == [
        "Flask==3.1.3",
        "# tool 1.0: installed from git+https://example.invalid/tool.git, on no package index; "
        "add its path or a pinned release",
    ]


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        pytest.param(None, ("", False), id="index"),
        pytest.param(
            '{"url": "https://example.invalid/x-1.0-py3-none-any.whl", "archive_info": {}}',
            ("https://example.invalid/x-1.0-py3-none-any.whl", False),
            id="archive-url",
        ),
        pytest.param(
            '{"url": "file:///opt/libs/x", "dir_info": {}}',
            ("/opt/libs/x", False),
            id="directory-outside-the-project",
        ),
    ],
)
def test_where_a_distribution_came_from(
    tmp_path: Path, direct_url: str | None, expected: tuple[str, bool]
) -> None:
    from lambdash.sam._requirements import _source

    assert _source(direct_url, tmp_path) == expected
