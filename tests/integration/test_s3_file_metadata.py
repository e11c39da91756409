"""The S3 files bucket keeps a file's metadata (a fetched file's tags and publication) on moto."""

from __future__ import annotations

import boto3
import pytest

from openconnector_core.store.s3_files import S3FileStore


@pytest.mark.usefixtures("aws")
def test_metadata_round_trips_through_s3() -> None:
    client = boto3.client("s3", region_name="eu-west-1")
    client.create_bucket(Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    store = S3FileStore(client, "files")
    store.put("files/o/a.pdf", b"%PDF", "application/pdf", {"tags": "Public,Caf%C3%A9", "published": "true"})
    store.put("files/o/b.txt", b"plain")
    head = store.head("files/o/a.pdf")
    assert head is not None and head.content_type == "application/pdf"
    assert dict(head.metadata) == {"tags": "Public,Caf%C3%A9", "published": "true"}
    plain = store.head("files/o/b.txt")
    assert plain is not None and dict(plain.metadata) == {}
