"""Constrained string types shared by configs: ARNs, S3 URIs, instance types, regions."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

AWS_REGIONS: frozenset[str] = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "ca-central-1", "ca-west-1", "sa-east-1", "mx-central-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2",
        "eu-north-1", "eu-south-1", "eu-south-2",
        "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7", "ap-east-1",
        "me-south-1", "me-central-1", "il-central-1", "af-south-1",
        "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1",
    }
)  # fmt: skip


def _known_region(value: str) -> str:
    if value not in AWS_REGIONS:
        raise ValueError(f"unknown AWS region '{value}'; use a region code such as us-east-1")
    return value


Region = Annotated[str, AfterValidator(_known_region)]
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$"
S3_URI_PATTERN = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s]*)?$"
BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$"
INSTANCE_TYPE_PATTERN = r"^ml\.[a-z0-9]+(\.[a-z0-9]+)+$"
PIPELINE_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,79}$"
S3_PREFIX_PATTERN = r"^[A-Za-z0-9!_.*'()\-]+(/[A-Za-z0-9!_.*'()\-]+)*$"
VERSION_PATTERN = r"^[0-9A-Za-z.\-]{1,32}$"
PACKAGE_GROUP_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"

#: What a valid value of each pattern looks like, for error messages (never the raw regex).
PATTERN_DESCRIPTIONS: dict[str, str] = {
    ROLE_ARN_PATTERN: "an IAM role ARN such as arn:aws:iam::123456789012:role/SageMakerRole",
    S3_URI_PATTERN: "an S3 URI such as s3://my-bucket/path/ (a bucket of 3-63 lowercase "
    "letters, digits, '.' or '-'; no spaces)",
    BUCKET_PATTERN: "an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', "
    "starting and ending with a letter or digit",
    INSTANCE_TYPE_PATTERN: "an instance type such as ml.m5.xlarge",
    PIPELINE_NAME_PATTERN: "1-80 letters, digits or hyphens, starting and ending with a "
    "letter or digit (e.g. fraud-xgb)",
    S3_PREFIX_PATTERN: "a key prefix such as runs/fraud (letters, digits, !_.*'()- and '/' "
    "between parts)",
    VERSION_PATTERN: "1-32 letters, digits, '.' or '-' (e.g. 1.0.0)",
    PACKAGE_GROUP_PATTERN: "1-63 letters, digits or hyphens, starting and ending with a "
    "letter or digit (e.g. fraud-xgb-models)",
}

RoleArn = Annotated[str, StringConstraints(pattern=ROLE_ARN_PATTERN, max_length=2048)]
S3Uri = Annotated[str, StringConstraints(pattern=S3_URI_PATTERN)]
BucketName = Annotated[str, StringConstraints(pattern=BUCKET_PATTERN)]
InstanceType = Annotated[str, StringConstraints(pattern=INSTANCE_TYPE_PATTERN)]
PipelineName = Annotated[str, StringConstraints(pattern=PIPELINE_NAME_PATTERN)]
S3Prefix = Annotated[str, StringConstraints(pattern=S3_PREFIX_PATTERN)]
SqlQuery = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8)]


def _column_name(value: str) -> str:
    """Refuse names no data table can have: control characters, commas, a leading ``-``."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError(f"column name {value!r} contains a control character (newline, tab ...)")
    if "," in value:
        raise ValueError(
            f"column name {value!r} contains a comma; list each column as its own string, "
            'e.g. ["country", "amount"]'
        )
    if value.startswith("-"):
        raise ValueError(f"column name {value!r} starts with '-'; rename the column")
    return value


ColumnName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=256),
    AfterValidator(_column_name),
]
JobType = Literal["training", "calibration", "validation", "testing", "inference"]
Framework = Literal["xgboost", "pytorch"]
