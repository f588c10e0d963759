"""The deploy folder (what ``assemble`` writes) and :func:`deploy` (what ships it).

Layout of a deploy folder::

    DIR/
      pipeline.json            the definition, byte for byte as built
      manifest.json            pipeline name, region, bucket, description, tags, parameters,
                               step names, definition SHA-256 and the code bundles
      code/<sha256>/<file>     the files of each content-addressed code bundle

Building stays offline; :func:`deploy` is the only code that talks to AWS. It uses plain
boto3 with the user's normal credential chain (``AWS_ENDPOINT_URL`` is honoured, e.g. for
moto), uploads the code bundles to the keys the definition already names (skipping keys
that exist), upserts the pipeline and optionally starts and waits for an execution.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints, ValidationError

from sagewright import jsonio
from sagewright.builders.assembler import Assembly
from sagewright.builders.code_bundle import CodeBundle, make_bundle, upload
from sagewright.errors import SagewrightError
from sagewright.folders import write_folder
from sagewright.registry.types import BucketName, PipelineName, Region
from sagewright.registry.validation import field_problems

__all__ = ["DeployError", "DeployResult", "deploy", "write_deploy_folder"]

FORMAT_VERSION = 1
DEFINITION_FILE = "pipeline.json"
MANIFEST_FILE = "manifest.json"
CODE_DIR = "code"
TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped"})
_ROLE_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):role/")


class DeployError(SagewrightError):
    """A deploy folder that cannot be read, or AWS refusing an upload or pipeline call."""

    code = "deploy_failed"


@dataclass(frozen=True)
class DeployResult:
    pipeline_name: str
    pipeline_arn: str
    created: bool  # False: an existing pipeline was updated
    uploaded: list[str] = field(default_factory=list)  # S3 keys written (existing ones skipped)
    execution_arn: str | None = None
    execution_status: str | None = None


# --------------------------------------------------------------------------- writing


def manifest_of(assembly: Assembly) -> dict[str, Any]:
    """Everything deploy needs besides the definition and the code files."""
    return {
        "format_version": FORMAT_VERSION,
        "pipeline_name": assembly.name,
        "region": assembly.region,
        "bucket": assembly.bucket,
        "description": assembly.description,
        "tags": assembly.tags,
        "parameters": assembly.parameters,
        "steps": list(assembly.steps),
        "definition_file": DEFINITION_FILE,
        "definition_sha256": hashlib.sha256(assembly.definition.encode("utf-8")).hexdigest(),
        "code": [
            {
                "sha256": bundle.sha256,
                "bucket": bundle.bucket,
                "prefix": bundle.prefix,
                "files": list(bundle.names),
                "code_uri": bundle.prefix_uri,
                "sourcedir_uri": bundle.sourcedir_uri,
            }
            for bundle in assembly.bundles
        ],
    }


def write_deploy_folder(assembly: Assembly, out_dir: str | Path, *, force: bool = False) -> Path:
    """Write the deploy folder atomically: complete, or untouched on any error.

    An existing ``out_dir`` is replaced only if it is empty or an earlier deploy folder
    (one edited by hand only with ``force``).
    """
    files: dict[str, str | bytes] = {DEFINITION_FILE: assembly.definition}
    for bundle in assembly.bundles:
        for code_file in bundle.files:
            files[f"{CODE_DIR}/{bundle.sha256}/{code_file.name}"] = code_file.data
    files[MANIFEST_FILE] = json.dumps(manifest_of(assembly), indent=2) + "\n"
    return write_folder(Path(out_dir), files, kind="deploy", force=force)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class DeployFolder:
    """A checked deploy folder: manifest, definition text and rebuilt code bundles."""

    path: Path
    manifest: dict[str, Any]
    definition: str
    bundles: tuple[CodeBundle, ...]


def read_deploy_folder(folder: str | Path) -> DeployFolder:
    """Read and verify a deploy folder (definition and code hashes must match the manifest)."""
    root = Path(folder)
    try:
        manifest = jsonio.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
        definition = (root / DEFINITION_FILE).read_text(encoding="utf-8")
    except (OSError, json.JSONDecodeError) as exc:
        raise DeployError(
            f"{root}: not a readable deploy folder ({exc})",
            hint="run `sagewright assemble ... --out DIR` first",
            code="bad_deploy_folder",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise DeployError(
            f"{root / MANIFEST_FILE}: unknown manifest format", code="bad_deploy_folder"
        )
    _check_manifest(manifest, root / MANIFEST_FILE)
    digest = hashlib.sha256(definition.encode("utf-8")).hexdigest()
    if digest != manifest.get("definition_sha256"):
        raise DeployError(
            f"{root / DEFINITION_FILE}: changed since it was assembled (SHA-256 mismatch)",
            hint="assemble again instead of editing pipeline.json",
            code="bad_deploy_folder",
        )
    bundles = []
    for entry in manifest.get("code", []):
        files = {name: root / CODE_DIR / entry["sha256"] / name for name in entry["files"]}
        try:
            bundle = make_bundle(files, bucket=entry["bucket"], prefix=entry["prefix"])
        except (OSError, ValueError) as exc:
            raise DeployError(
                f"{root}: unreadable code file ({exc})", code="bad_deploy_folder"
            ) from None
        if bundle.sha256 != entry["sha256"]:
            raise DeployError(
                f"{root / CODE_DIR / entry['sha256']}: files changed since they were assembled",
                hint="assemble again instead of editing the code copies",
                code="bad_deploy_folder",
            )
        bundles.append(bundle)
    return DeployFolder(root, manifest, definition, tuple(bundles))


def _relative_file(name: str) -> str:
    if not name or name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
        raise ValueError(f"file name {name!r} must be a relative path inside the bundle")
    return name


class _ManifestCode(BaseModel):
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    bucket: BucketName
    prefix: str
    files: list[Annotated[str, AfterValidator(_relative_file)]]


class _Manifest(BaseModel):
    """The keys :func:`deploy` reads; checked before any file named in it is opened."""

    pipeline_name: PipelineName
    region: Region
    bucket: BucketName
    definition_sha256: str
    description: str | None = None
    tags: dict[str, str] = {}
    parameters: dict[str, str] = {}
    code: list[_ManifestCode] = []


def _check_manifest(manifest: dict[str, Any], where: Path) -> None:
    try:
        _Manifest.model_validate(manifest)
    except ValidationError as exc:
        problem = field_problems(exc)[0]
        raise DeployError(
            f"{where}: {problem}",
            hint="assemble again instead of editing manifest.json",
            code="bad_deploy_folder",
        ) from None


# --------------------------------------------------------------------------- deploying


def deploy(
    folder: str | Path,
    *,
    role_arn: str,
    start: bool = False,
    wait: bool = False,
    parameters: Mapping[str, str] | None = None,
    boto_session: Any = None,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 6 * 3600,
    on_warning: Callable[[str], None] | None = None,
) -> DeployResult:
    """Upload the code bundles, create or update the pipeline, optionally start it.

    ``boto_session`` defaults to ``boto3.Session(region_name=<manifest region>)``;
    ``wait`` polls the execution until it succeeds, fails or stops (``start`` implied);
    ``on_warning`` hears about a role from another account before anything is sent.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    content = read_deploy_folder(folder)
    manifest = content.manifest
    name = str(manifest["pipeline_name"])
    known = manifest.get("parameters") or {}
    unknown = sorted(set(parameters or {}) - set(known))
    if unknown:
        raise DeployError(
            f"--parameter {', '.join(unknown)}: pipeline {name} has no such parameter",
            hint=f"its parameters: {', '.join(sorted(known)) or 'none'}",
            code="unknown_parameter",
        )
    warning = _role_account_warning(role_arn, content.definition)
    if warning and on_warning is not None:
        on_warning(warning)
    session = boto_session or boto3.Session(region_name=manifest["region"])
    step = "uploading code"
    try:
        s3 = session.client("s3")
        uploaded = [key for bundle in content.bundles for key in upload(bundle, s3)]
        step = "creating or updating the pipeline"
        sagemaker = session.client("sagemaker")
        arn, created = _upsert(sagemaker, name, content.definition, role_arn, manifest)
        execution_arn = status = None
        if start or wait:
            step = "starting the pipeline"
            execution_arn = _start(sagemaker, name, parameters or {})
            status = _status(sagemaker, execution_arn)
            if wait:
                step = "waiting for the execution"
                status = _wait(sagemaker, execution_arn, status, poll_seconds, timeout_seconds)
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(
            f"pipeline {name}: AWS refused {step}: {' '.join(str(exc).split())}",
            hint="check your AWS credentials, region, the bucket "
            f"{manifest.get('bucket')} and the role",
        ) from None
    return DeployResult(name, arn, created, uploaded, execution_arn, status)


def _role_account_warning(role_arn: str, definition: str) -> str | None:
    """A note when ``role_arn`` is in an account none of the steps' roles belong to."""
    accounts = set(_ROLE_ACCOUNT.findall(definition))
    mine = _ROLE_ACCOUNT.findall(role_arn)
    if not accounts or not mine or mine[0] in accounts:
        return None
    return (
        f"--role is in account {mine[0]}, but the config's roles are in account "
        f"{', '.join(sorted(accounts))}; the pipeline may not reach their resources"
    )


def _upsert(
    client: Any, name: str, definition: str, role_arn: str, manifest: Mapping[str, Any]
) -> tuple[str, bool]:
    from botocore.exceptions import ClientError

    common = {
        "PipelineName": name,
        "PipelineDefinition": definition,
        "PipelineDescription": str(manifest.get("description") or ""),
        "RoleArn": role_arn,
    }
    try:
        client.describe_pipeline(PipelineName=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in (
            "ResourceNotFound",
            "ValidationException",
        ):
            raise
        tags = [{"Key": k, "Value": v} for k, v in (manifest.get("tags") or {}).items()]
        created = client.create_pipeline(**common, **({"Tags": tags} if tags else {}))
        return str(created["PipelineArn"]), True
    updated = client.update_pipeline(**common)
    return str(updated["PipelineArn"]), False


def _start(client: Any, name: str, parameters: Mapping[str, str]) -> str:
    extra: dict[str, Any] = {}
    if parameters:
        extra["PipelineParameters"] = [{"Name": k, "Value": v} for k, v in parameters.items()]
    return str(client.start_pipeline_execution(PipelineName=name, **extra)["PipelineExecutionArn"])


def _status(client: Any, execution_arn: str) -> str:
    found = client.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
    return str(found["PipelineExecutionStatus"])


def _wait(
    client: Any, execution_arn: str, status: str, poll_seconds: float, timeout_seconds: float
) -> str:
    deadline = time.monotonic() + timeout_seconds
    while status not in TERMINAL_STATUSES:
        if time.monotonic() > deadline:
            raise DeployError(
                f"execution {execution_arn} still {status} after {timeout_seconds:.0f} s",
                code="deploy_timeout",
            )
        time.sleep(poll_seconds)
        status = _status(client, execution_arn)
    return status
