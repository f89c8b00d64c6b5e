"""One-line messages for what can go wrong talking to AWS: what, where, and how to fix it."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
NOT_ACCEPTED = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
)
BAD_SECRET = frozenset({"SignatureDoesNotMatch", "IncompleteSignature"})
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
"""The error codes botocore's retry modes treat as throttling (a test holds them equal)."""
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (or pass --profile), or "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)
_POLICY_HINT = "attach the policy `sm-guardrails iam-policy audit` prints"


def aws_problem(error: ClientError | BotoCoreError, region: str, action: str) -> str:
    """What ``error`` (from calling ``action`` in ``region``) means, and what to do about it.

    Always one line: botocore's own multi-line messages are joined.
    """
    return " ".join(_problem(error, region, action).split())


def _problem(error: ClientError | BotoCoreError, region: str, action: str) -> str:
    if isinstance(error, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, ProfileNotFound):
        return f"{error}: check --profile against ~/.aws/config"
    if isinstance(error, NoRegionError):
        return "no region given: pass --region or set AWS_DEFAULT_REGION"
    if isinstance(error, EndpointConnectionError):
        return (
            f"{region}: cannot reach the endpoint ({error}); check the network, the region "
            "name and --endpoint-url"
        )
    if not isinstance(error, ClientError):
        return f"{region}: {action} failed: {error}"
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).strip()
    if code in ACCESS_DENIED:
        return f"{region}: access denied to {action} ({code}); {_POLICY_HINT}"
    if code in EXPIRED:
        return f"{region}: the credentials have expired ({code}); refresh them and run again"
    if code in NOT_ACCEPTED:
        return (
            f"{region}: the credentials are not accepted here ({code}); if {region} is an "
            "opt-in region, it is probably not enabled for this account: enable it or leave it "
            "out, else check the access key"
        )
    if code in THROTTLED:
        retries = error.response.get("ResponseMetadata", {}).get("RetryAttempts")
        attempts = f"{retries + 1} attempt(s)" if isinstance(retries, int) else "its retries"
        return (
            f"{region}: {action} was still throttled ({code}) after {attempts}; run again "
            "later, or (audit) with fewer --workers or more --max-attempts"
        )
    if code in BAD_SECRET:
        return f"{region}: the request signature is wrong ({code}); check the secret access key"
    if code.isdigit():  # botocore's code when the answer is no AWS error: the HTTP status
        return (
            f"{region}: {action} failed: the endpoint answered HTTP {code} without an AWS "
            "error (a server fault, or an endpoint that does not implement the call); run "
            "again later, or check --endpoint-url"
        )
    return f"{region}: {action} failed ({code}: {message})"


def is_not_found(error: ClientError | BotoCoreError) -> bool:
    """True when ``error`` says the notebook (or its ARN) no longer exists.

    SageMaker answers a describe of a missing notebook with ValidationException
    "RecordNotFound"; ListTags on a deleted resource with ResourceNotFound.
    """
    if not isinstance(error, ClientError):
        return False
    details = error.response.get("Error", {})
    code, message = str(details.get("Code", "")), str(details.get("Message", ""))
    return code in {"ResourceNotFound", "ResourceNotFoundException"} or (
        code == "ValidationException" and "RecordNotFound" in message
    )
