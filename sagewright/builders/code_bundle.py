"""Content-addressed code bundles: the only way sagewright ships code to SageMaker.

A bundle is a script plus its helper files. Its S3 location is derived from a
SHA-256 over the file names and bytes, so the pipeline definition can name the
code before anything is uploaded, two builds of the same code give the same
definition (and step-cache hits), and changed code gives a new prefix:

* ``s3://BUCKET/PREFIX/code/<sha256>/<file>``: the files, for processing jobs
  (the prefix is mounted at ``/opt/ml/processing/input/code/``);
* ``s3://BUCKET/PREFIX/sourcedir/<sha256>/sourcedir.tar.gz``: the same files as a
  byte-reproducible archive, for framework training containers
  (``sagemaker_submit_directory``). It lives outside the code prefix so that
  processing jobs do not download it.

Nothing here touches AWS except :func:`upload`, which is meant for deploy time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import posixpath
import re
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = ["CodeBundle", "CodeFile", "make_bundle", "upload"]

SOURCEDIR_NAME = "sourcedir.tar.gz"
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")


@dataclass(frozen=True)
class CodeFile:
    """One file of a bundle: its POSIX path inside the bundle and its bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class CodeBundle:
    """Files plus where they live on S3; every URI is a pure function of the content."""

    files: tuple[CodeFile, ...]
    bucket: str
    prefix: str
    sha256: str

    @property
    def prefix_uri(self) -> str:
        """``s3://BUCKET/PREFIX/code/<sha256>/``: the processing code input (ends in ``/``)."""
        return f"s3://{self.bucket}/{self._key('code', self.sha256)}/"

    def file_uri(self, name: str) -> str:
        """The S3 URI of one file of the bundle."""
        if name not in self.names:
            raise KeyError(f"{name!r} is not in the bundle; files: {list(self.names)}")
        return f"{self.prefix_uri}{name}"

    @property
    def names(self) -> tuple[str, ...]:
        """File names in bundle order (sorted)."""
        return tuple(f.name for f in self.files)

    @property
    def sourcedir_uri(self) -> str:
        """``s3://BUCKET/PREFIX/sourcedir/<sha256>/sourcedir.tar.gz`` for framework containers."""
        return f"s3://{self.bucket}/{self._sourcedir_key()}"

    def sourcedir_tar_gz(self) -> bytes:
        """The bundle as a byte-reproducible ``.tar.gz``.

        Entries are sorted, with mtime 0, uid/gid 0, empty owner names, mode 0644,
        and the gzip header carries no timestamp or file name, so the archive
        depends on the content only.
        """
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for f in self.files:
                info = tarfile.TarInfo(name=f.name)
                info.size = len(f.data)
                info.mtime = 0
                info.mode = 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                tar.addfile(info, io.BytesIO(f.data))
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
            gz.write(raw.getvalue())
        return out.getvalue()

    def objects(self) -> list[tuple[str, bytes]]:
        """``(key, bytes)`` of every object :func:`upload` writes, in a stable order."""
        code = self._key("code", self.sha256)
        objects = [(f"{code}/{f.name}", f.data) for f in self.files]
        objects.append((self._sourcedir_key(), self.sourcedir_tar_gz()))
        return objects

    def _sourcedir_key(self) -> str:
        return f"{self._key('sourcedir', self.sha256)}/{SOURCEDIR_NAME}"

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)


def content_hash(files: Iterable[CodeFile]) -> str:
    """SHA-256 over ``(name, size, bytes)`` of each file, in name order.

    Length-prefixing keeps ``("a", b"bc")`` and ``("ab", b"c")`` apart.
    """
    digest = hashlib.sha256(b"sagewright-code-bundle-v1\0")
    for f in sorted(files, key=lambda f: f.name):
        name = f.name.encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(f.data).to_bytes(8, "big") + f.data)
    return digest.hexdigest()


def _clean_name(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    norm = posixpath.normpath(str(path))
    if path.is_absolute() or norm.startswith("..") or norm in ("", "."):
        raise ValueError(f"bundle file name must be a relative path inside the bundle: {name!r}")
    return norm


def make_bundle(
    files: Iterable[str | Path] | Mapping[str, str | Path | bytes],
    *,
    bucket: str,
    prefix: str = "",
    root: str | Path | None = None,
) -> CodeBundle:
    """Read local files into a :class:`CodeBundle` for ``s3://bucket/prefix/...``.

    ``files`` is either paths (named by their path relative to ``root``, or by
    their base name without a root) or a mapping ``{name in bundle: path or bytes}``.
    The entry-point script is just one of the files; the caller names it.
    """
    if not _BUCKET_RE.fullmatch(bucket):
        raise ValueError(f"invalid S3 bucket name {bucket!r}")
    prefix = prefix.strip("/")
    entries: dict[str, bytes] = {}

    def add(name: str, data: bytes) -> None:
        name = _clean_name(name)
        if name in entries:
            raise ValueError(f"two bundle files are both named {name!r}")
        entries[name] = data

    if isinstance(files, Mapping):
        for name, source in files.items():
            add(name, source if isinstance(source, bytes) else Path(source).read_bytes())
    else:
        base = Path(root).resolve() if root is not None else None
        for item in files:
            path = Path(item)
            name = path.resolve().relative_to(base).as_posix() if base else path.name
            add(name, path.read_bytes())
    if not entries:
        raise ValueError("a code bundle needs at least one file")
    code_files = tuple(CodeFile(name, entries[name]) for name in sorted(entries))
    return CodeBundle(
        files=code_files, bucket=bucket, prefix=prefix, sha256=content_hash(code_files)
    )


def upload(bundle: CodeBundle, s3_client: Any) -> list[str]:
    """Put the bundle's objects to S3 at deploy time, skipping keys that already exist.

    Keys are content-addressed, so an existing key already holds these bytes.
    ``s3_client`` is a boto3 S3 client. Returns the keys actually written.
    """
    from botocore.exceptions import ClientError

    written = []
    for key, data in bundle.objects():
        try:
            s3_client.head_object(Bucket=bundle.bucket, Key=key)
            continue
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code not in ("404", "NoSuchKey", "NotFound"):
                raise
        s3_client.put_object(Bucket=bundle.bucket, Key=key, Body=data)
        written.append(key)
    return written
