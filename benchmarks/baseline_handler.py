"""The baseline of benchmarks/cold_start.py: a bare Powertools HTTP API handler."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = Logger()
app = APIGatewayHttpResolver()


@app.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def lambda_handler(event, context):  # type: ignore[no-untyped-def]
    return app.resolve(event, context)
