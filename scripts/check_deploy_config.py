"""``make deploy`` runs this first: the deploy settings of samconfig.toml are complete and valid.

It stops before anything is built or uploaded, with one message naming the parameter and how to set
it. The template's AllowedPattern and Rules say the same to a bare ``sam deploy``.
"""

from __future__ import annotations

import shlex
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parameter_overrides(config_env: str, samconfig: Path = ROOT / "samconfig.toml") -> dict[str, str]:
    document = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    deploy = document.get(config_env, {}).get("deploy", {}).get("parameters")
    if deploy is None:
        raise SystemExit(f"samconfig.toml has no [{config_env}.deploy.parameters] (CONFIG_ENV=dev or prod)")
    raw = deploy.get("parameter_overrides", "")
    items = shlex.split(raw) if isinstance(raw, str) else [str(item) for item in raw]
    return dict(item.partition("=")[::2] for item in items)


def problems(overrides: dict[str, str]) -> list[str]:
    from openconnector_core.errors import DeploymentError
    from openconnector_core.settings import Settings

    found: list[str] = []
    if overrides.get("ManagementAuth", "JWT") == "JWT":
        issuer = overrides.get("JwtIssuer", "")
        if not issuer.startswith("https://"):
            found.append(
                "JwtIssuer: set the https:// issuer URL of your identity provider, e.g. "
                "JwtIssuer=https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
            )
        if not overrides.get("JwtAudience"):
            found.append("JwtAudience: set the audience (app client id) the authorizer accepts")
    try:
        Settings(OPENCONNECTOR_OUTBOUND_ALLOW=overrides.get("OutboundAllow", ""))
    except DeploymentError as error:
        found.append(f"OutboundAllow: {error.message.split(': ', 2)[-1]}")
    return found


def main(config_env: str) -> int:
    found = problems(parameter_overrides(config_env))
    if found:
        print(
            f"samconfig.toml [{config_env}.deploy.parameters] parameter_overrides is incomplete:\n  "
            + "\n  ".join(found)
            + "\n(see the comment at the top of samconfig.toml, or run sam deploy --guided)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dev"))
