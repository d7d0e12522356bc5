"""The SAM template ``lambdash init`` writes: built as a dict, then dumped as commented YAML.

The generator is pure: :func:`make_template` returns the document, :func:`render_template` the
text. Intrinsics are CloudFormation's long forms (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), so the
YAML needs no custom tags and any YAML or JSON reader can load it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lambdash.sam._notes import Comment
from lambdash.sam._notes import Path
from lambdash.sam._notes import comments
from lambdash.sam._notes import header
from lambdash.sam._options import API
from lambdash.sam._options import FUNCTION
from lambdash.sam._options import HANDLER_MODULE
from lambdash.sam._options import InitOptions

__all__ = ["API", "FUNCTION", "TIMEOUTS", "make_template", "render_template"]

MEMORY_SIZE = 1024
# The function may not outlive the front door's wait, or its work is billed and thrown away.
# REST APIs give up after 29 s and HTTP APIs after 30 s (API Gateway quotas,
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). Function URLs and
# ALBs wait as long as the function runs (up to Lambda's 900 s): 60 s bounds a stuck request.
TIMEOUTS = {"rest": 29, "http": 29, "url": 60, "alb": 60}
_EXECUTE_API = "https://${" + API + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"

JSON = dict[str, Any]


def make_template(options: InitOptions) -> JSON:
    """The SAM template for *options*, as a dict ready for YAML or JSON.

    :param options: what to deploy.
    """
    resources: JSON = {}
    parameters: JSON = {}
    if options.gateway == "rest":
        resources[API] = _rest_api(options)
    elif options.gateway == "http":
        resources[API] = {"Type": "AWS::Serverless::HttpApi"}
    resources[FUNCTION] = {
        "Type": "AWS::Serverless::Function",
        "Properties": _function_properties(options),
    }
    if options.domain is not None:
        parameters.update(_certificate_parameter(options.domain))
        resources.update(_custom_domain(options.domain, options.mapping_key))
    if options.gateway == "alb":
        parameters.update(_alb_parameters())
        resources.update(_load_balancer(options))
    template: JSON = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"{options.app} on AWS Lambda behind {_FRONT_DOORS[options.gateway]}, from lambdash init.",
    }
    if parameters:
        template["Parameters"] = parameters
    template["Resources"] = resources
    template["Outputs"] = _outputs(options)
    return template


_FRONT_DOORS = {
    "rest": "an API Gateway REST API",
    "http": "an API Gateway HTTP API",
    "url": "a Lambda Function URL",
    "alb": "an Application Load Balancer",
}


def _rest_api(options: InitOptions) -> JSON:
    properties: JSON = {
        "StageName": "Prod",
        "OpenApiVersion": "2.0",
        "BinaryMediaTypes": ["*/*"],
    }
    if options.domain is not None:
        properties["EndpointConfiguration"] = {"Type": "REGIONAL"}
    return {"Type": "AWS::Serverless::Api", "Properties": properties}


def _function_properties(options: InitOptions) -> JSON:
    properties: JSON = {
        "CodeUri": ".",
        "Handler": f"{HANDLER_MODULE}.lambda_handler",
        "Runtime": options.runtime,
        "Architectures": [options.architecture],
        "MemorySize": MEMORY_SIZE,
        "Timeout": TIMEOUTS[options.gateway],
    }
    if options.snapstart:
        properties["AutoPublishAlias"] = "live"
        properties["SnapStart"] = {"ApplyOn": "PublishedVersions"}
    if options.gateway == "url":
        properties["FunctionUrlConfig"] = {"AuthType": "NONE"}
    elif options.gateway == "rest":
        properties["Events"] = {
            name: {
                "Type": "Api",
                "Properties": {
                    "Path": path,
                    "Method": "ANY",
                    "RestApiId": {"Ref": API},
                },
            }
            for name, path in (("Root", "/"), ("Proxy", "/{proxy+}"))
        }
    elif options.gateway == "http":
        properties["Events"] = {
            "Default": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": API}}}
        }
    return properties


def _certificate_parameter(domain: str) -> JSON:
    return {
        "CertificateArn": {
            "Type": "String",
            "Description": f"An ACM certificate for {domain} in this stack's region",
            "AllowedPattern": r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/.+$",
        }
    }


def _custom_domain(domain: str, mapping_key: str) -> JSON:
    mapping: JSON = {
        "DomainName": {"Ref": "AppDomain"},
        "RestApiId": {"Ref": API},
        # SAM's reference to the API's stage; it also orders the mapping after the stage.
        "Stage": {"Ref": f"{API}.Stage"},
    }
    if mapping_key:
        mapping["BasePath"] = mapping_key
    return {
        "AppDomain": {
            "Type": "AWS::ApiGateway::DomainName",
            "Properties": {
                "DomainName": domain,
                "RegionalCertificateArn": {"Ref": "CertificateArn"},
                "EndpointConfiguration": {"Types": ["REGIONAL"]},
                "SecurityPolicy": "TLS_1_2",
            },
        },
        "AppBasePathMapping": {
            "Type": "AWS::ApiGateway::BasePathMapping",
            "Properties": mapping,
        },
    }


def _alb_parameters() -> JSON:
    return {
        "VpcId": {
            "Type": "AWS::EC2::VPC::Id",
            "Description": "The VPC the load balancer runs in",
        },
        "SubnetIds": {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "Public subnets of that VPC, in at least two Availability Zones",
        },
    }


def _function_target(options: InitOptions) -> JSON:
    # With AutoPublishAlias, the load balancer must invoke the alias: SnapStart applies to
    # published versions only, never to $LATEST.
    if options.snapstart:
        return {"Ref": f"{FUNCTION}.Alias"}
    return {"Fn::GetAtt": [FUNCTION, "Arn"]}


def _load_balancer(options: InitOptions) -> JSON:
    target = _function_target(options)
    return {
        "AppLoadBalancerSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "HTTP from anywhere to the load balancer",
                "VpcId": {"Ref": "VpcId"},
                "SecurityGroupIngress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "CidrIp": "0.0.0.0/0",
                    }
                ],
            },
        },
        "AppLoadBalancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Type": "application",
                "Scheme": "internet-facing",
                "Subnets": {"Ref": "SubnetIds"},
                "SecurityGroups": [{"Ref": "AppLoadBalancerSecurityGroup"}],
            },
        },
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
        },
        "AppTargetGroup": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "DependsOn": "AppInvokePermission",
            "Properties": {
                "TargetType": "lambda",
                "Targets": [{"Id": target}],
                "TargetGroupAttributes": [
                    {"Key": "lambda.multi_value_headers.enabled", "Value": "true"}
                ],
            },
        },
        "AppListener": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "AppLoadBalancer"},
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [
                    {"Type": "forward", "TargetGroupArn": {"Ref": "AppTargetGroup"}}
                ],
            },
        },
    }


def _outputs(options: InitOptions) -> JSON:
    url: Any
    if options.domain is not None:
        url = f"https://{options.domain}/" + (
            f"{options.mapping_key}/" if options.mapping_key else ""
        )
    elif options.gateway == "rest":
        url = {"Fn::Sub": _EXECUTE_API + "Prod/"}
    elif options.gateway == "http":
        url = {"Fn::Sub": _EXECUTE_API}
    elif options.gateway == "url":
        url = {"Fn::GetAtt": [f"{FUNCTION}Url", "FunctionUrl"]}
    else:
        url = {"Fn::Sub": "http://${AppLoadBalancer.DNSName}/"}
    outputs: JSON = {"AppUrl": {"Description": "The URL to open", "Value": url}}
    if options.domain is not None:
        outputs["DomainTarget"] = {
            "Description": f"Point {options.domain} here: a CNAME, or a Route 53 alias record",
            "Value": {"Fn::GetAtt": ["AppDomain", "RegionalDomainName"]},
        }
    return outputs


_SECTIONS = ("Parameters", "Resources", "Outputs")
_KEY = re.compile(r"^( *)(- )?([A-Za-z][A-Za-z0-9]*):(?: |$)")


def _comment_lines(text: str, notes: Mapping[Path, Comment]) -> list[str]:
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        match = _KEY.match(line)
        if match is None:
            out.append(line)
            continue
        indent = len(match[1]) + (2 if match[2] else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match[3]))
        # A blank line before each section, and between the resources (or outputs) in it.
        if (indent == 0 and match[3] in _SECTIONS) or (
            indent == 2 and stack[0][1] in _SECTIONS and out[-1] != f"{stack[0][1]}:"
        ):
            out.append("")
        above, beside = notes.get(tuple(key for _, key in stack), ((), ""))
        out.extend(" " * indent + "# " + comment for comment in above)
        out.append(f"{line}  # {beside}" if beside else line)
    return out


def render_template(options: InitOptions) -> str:
    """The template for *options* as commented YAML.

    :param options: what to deploy.
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        """Block style, except lists of scalars, which read better inline: ``['*/*']``."""

        def ignore_aliases(self, data: Any) -> bool:
            # A value used twice (the function ARN) is written twice, never as &id001.
            return True

    def represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        flow = all(not isinstance(item, (dict, list)) for item in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, represent_list)
    text = yaml.dump(
        make_template(options),
        Dumper=Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    lines = _comment_lines(text, comments(options))
    return "\n".join([*header(options), *lines]) + "\n"
