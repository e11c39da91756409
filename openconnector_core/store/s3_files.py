"""The files bucket on S3 (adapter of :class:`openconnector_core.gateway.files.FileStore`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openconnector_core.errors import NotFoundError
from openconnector_core.gateway.files import FileInfo, guess_type, safe_name
from openconnector_core.store.aws_errors import error_code

# S3 multipart parts must be at least 5 MiB (except the last): small upload parts are buffered.
_MIN_PART = 8 * 1024 * 1024


class S3FileStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> FileInfo:
        kind = content_type or guess_type(key)
        extra = {"Metadata": dict(metadata)} if metadata else {}
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=kind, **extra)
        return FileInfo(key, len(data), kind, dict(metadata or {}))

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            body: bytes = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error_code(error) in ("NoSuchKey", "404"):
                raise NotFoundError(f"No file {safe_name(key)!r}") from None
            raise
        return body

    def head(self, key: str) -> FileInfo | None:
        from botocore.exceptions import ClientError

        try:
            found = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error_code(error) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        kind = str(found.get("ContentType") or guess_type(key))
        return FileInfo(key, int(found["ContentLength"]), kind, dict(found.get("Metadata") or {}))

    def list(self, prefix: str) -> list[FileInfo]:
        files: list[FileInfo] = []
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix, Delimiter="/"):
            for item in page.get("Contents", []):
                files.append(FileInfo(item["Key"], int(item["Size"]), guess_type(item["Key"])))
        return sorted(files, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    def presigned_get(self, key: str, filename: str, expires: int = 300) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{safe_name(filename)}"',
            },
            ExpiresIn=expires,
        )
        return url

    def concatenate(self, key: str, parts: Sequence[str], content_type: str | None = None) -> FileInfo:
        """A multipart upload fed part by part; memory holds at most one buffered S3 part."""
        kind = content_type or guess_type(key)
        upload = self._s3.create_multipart_upload(Bucket=self._bucket, Key=key, ContentType=kind)
        upload_id = upload["UploadId"]
        done: list[dict[str, Any]] = []
        buffer = bytearray()
        size = 0
        try:
            for part in parts:
                chunk = self.get(part)
                size += len(chunk)
                buffer += chunk
                if len(buffer) >= _MIN_PART:
                    done.append(self._upload_part(key, upload_id, len(done) + 1, bytes(buffer)))
                    buffer.clear()
            if buffer or not done:
                done.append(self._upload_part(key, upload_id, len(done) + 1, bytes(buffer)))
            self._s3.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
            )
        except Exception:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)
            raise
        return FileInfo(key, size, kind)

    def _upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> dict[str, Any]:
        answer = self._s3.upload_part(
            Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )
        return {"ETag": answer["ETag"], "PartNumber": number}
