"""IAM decisions by a real evaluator: @cloud-copilot/iam-simulate (npm, in .tools/ from
`make tools`), run by Node.js through tests/iam_simulate.cjs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.support import ROOT

_SCRIPT = ROOT / "tests" / "iam_simulate.cjs"
_MODULES = ROOT / ".tools" / "node_modules"
ACCOUNT = "123456789012"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
"""Identity policy (and Organizations' FullAWSAccess SCP): only the policy under test denies."""


@dataclass(frozen=True)
class Request:
    """One request: who, what action on which resource, and the context keys it carries."""

    principal: str
    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)


def decisions(
    requests: Sequence[Request],
    scp: Mapping[str, Any] | None = None,
    boundary: Mapping[str, Any] | None = None,
) -> list[str]:
    """The decision on each request by a principal whose identity policy allows everything,
    in an account under ``scp`` (next to FullAWSAccess) and with ``boundary``."""
    simulations = []
    for request in requests:
        simulation: dict[str, Any] = {
            "request": {
                "principal": request.principal,
                "action": request.action,
                "resource": {"resource": request.resource, "accountId": ACCOUNT},
                "contextVariables": {"aws:PrincipalArn": request.principal, **request.context},
            },
            "identityPolicies": [{"name": "allow-all", "policy": ALLOW_ALL}],
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
        }
        if scp is not None:
            policies = [
                {"name": "FullAWSAccess", "policy": ALLOW_ALL},
                {"name": "sm", "policy": scp},
            ]
            simulation["serviceControlPolicies"] = [
                {"orgIdentifier": "o-example", "policies": policies}
            ]
        if boundary is not None:
            simulation["permissionBoundaryPolicies"] = [{"name": "sm", "policy": boundary}]
        simulations.append(simulation)
    node = shutil.which("node", path=str(_MODULES / ".bin")) or shutil.which("node")
    if node is None or not (_MODULES / "@cloud-copilot" / "iam-simulate").exists():
        raise FileNotFoundError("the IAM simulator is not installed: run `make tools`")
    done = subprocess.run(
        [node, str(_SCRIPT)],
        input=json.dumps(simulations),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(_MODULES)},
        cwd=ROOT / ".tools",
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"iam-simulate failed ({done.returncode}): {done.stderr}")
    results = json.loads(done.stdout)
    errors = [result["errors"] for result in results if "errors" in result]
    if errors:
        raise AssertionError(f"iam-simulate rejected a simulation: {errors}")
    return [str(result["decision"]) for result in results]
