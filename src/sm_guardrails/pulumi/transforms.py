"""Run a program's resource transforms the way the Pulumi engine does, for the harness.

A ``transforms`` resource option or ``pulumi.runtime.register_resource_transform``
does not change a resource's inputs in the program: the SDK serves the transform
from its callback server and sends a reference to it (a ``Callback``: the server's
address and a token) in ``RegisterResourceRequest.transforms`` or
``RegisterStackTransform``. The engine calls each one (``Callbacks.Invoke`` with a
``TransformRequest``) before it does anything else with the resource, in this
order: the resource's own transforms, then those of its parent, its parent's
parent and so on, then the stack's in the order they were registered; each gets
the inputs and options the one before returned. The policy pack sees the result.

:class:`EngineTransforms` keeps the same records and sends the same
``TransformRequest`` to the handler the program's callback server runs for the
token, on the program's event loop, without the gRPC hop: in the same process
that hop only adds a connection the SDK may close under it (gRPC then logs the
server's goodbye on stderr), and the handler's exception arrives as it was
raised. (The older ``transformations`` run inside the SDK before it registers
the resource, so the monitor already receives their result.)
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import Future
from typing import Any

from google.protobuf import json_format, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime import rpc
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import alias_pb2, callback_pb2, resource_pb2

SIG = rpc._special_sig_key
OUTPUT_SIG = rpc._special_output_value_sig
SECRET_SIG = rpc._special_secret_sig
UNKNOWN = rpc.UNKNOWN


class TransformError(RuntimeError):
    """A transform failed or could not be called; the message names it and the resource."""


class EngineTransforms:
    """The engine's records of transforms, and the calls it makes to run them.

    ``loop`` is the program's event loop, where its callback server runs.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._stack: list[callback_pb2.Callback] = []
        self._own: dict[str, list[callback_pb2.Callback]] = {}
        self._parents: dict[str, str] = {}

    def register_stack(self, callback: callback_pb2.Callback) -> None:
        """A transform for every resource registered from now on."""
        self._stack.append(callback)

    def record(self, urn: str, request: resource_pb2.RegisterResourceRequest) -> None:
        """Keep a registered resource's parent and transforms, which its children inherit."""
        self._parents[urn] = request.parent
        if request.transforms:
            self._own[urn] = list(request.transforms)

    def apply(
        self, request: resource_pb2.RegisterResourceRequest
    ) -> resource_pb2.RegisterResourceRequest:
        """``request`` with the inputs its transforms give, or ``request`` itself if none apply."""
        chain = [*request.transforms, *self._inherited(request.parent), *self._stack]
        if not chain:
            return request
        properties = _as_output_values(request)
        options = _options(request)
        for position, callback in enumerate(chain, start=1):
            properties, options = self._call(callback, request, properties, options, position)
        transformed = resource_pb2.RegisterResourceRequest()
        transformed.CopyFrom(request)
        transformed.object.Clear()
        transformed.object.update(_plain(json_format.MessageToDict(properties)))
        return transformed

    def _inherited(self, parent: str) -> Iterator[callback_pb2.Callback]:
        while parent:
            yield from self._own.get(parent, [])
            parent = self._parents.get(parent, "")

    def _call(
        self,
        callback: callback_pb2.Callback,
        request: resource_pb2.RegisterResourceRequest,
        properties: struct_pb2.Struct,
        options: resource_pb2.TransformResourceOptions,
        position: int,
    ) -> tuple[struct_pb2.Struct, resource_pb2.TransformResourceOptions]:
        transform_request = resource_pb2.TransformRequest(
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            properties=properties,
            options=options,
        )
        handler = self._handler(callback, request, position)

        async def transform() -> Any:
            return await handler(transform_request.SerializeToString())

        pending: Future[Any] = asyncio.run_coroutine_threadsafe(transform(), self._loop)
        try:
            reply = pending.result(timeout=60)
        except Exception as error:  # the transform's own, reported in one line
            raise TransformError(
                f"{_which(request, position)} failed: {type(error).__name__}: {error}"
                f"{_where(error)}"
            ) from None
        response = resource_pb2.TransformResponse.FromString(reply.SerializeToString())
        return (
            response.properties if response.HasField("properties") else properties,
            response.options if response.HasField("options") else options,
        )

    def _handler(
        self, callback: callback_pb2.Callback, request: Any, position: int
    ) -> Callable[[bytes], Awaitable[Any]]:
        """What the program's callback server runs for ``callback``'s token."""
        for server in _CallbackServicer._servicers:
            if server._target == callback.target and callback.token in server._callbacks:
                return server._callbacks[callback.token]
        raise TransformError(
            f"{_which(request, position)}: the program serves no callback {callback.token} "
            f"at {callback.target}"
        )


def _which(request: resource_pb2.RegisterResourceRequest, position: int) -> str:
    return f"transform {position} of {request.type} {request.name!r}"


def _where(error: BaseException) -> str:
    """`` (at FILE:LINE)`` of the frame that raised ``error``."""
    frames = traceback.extract_tb(error.__traceback__)
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _options(
    request: resource_pb2.RegisterResourceRequest,
) -> resource_pb2.TransformResourceOptions:
    """The resource options the engine passes to a transform, from the registration."""
    options = resource_pb2.TransformResourceOptions(
        depends_on=request.dependencies,
        ignore_changes=request.ignoreChanges,
        replace_on_changes=request.replaceOnChanges,
        version=request.version,
        provider=request.provider,
        providers=request.providers,
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        additional_secret_outputs=request.additionalSecretOutputs,
        aliases=[
            *request.aliases,
            *(alias_pb2.Alias(urn=urn) for urn in request.aliasURNs),
        ],
    )
    if request.HasField("protect"):
        options.protect = request.protect
    if request.HasField("retainOnDelete"):
        options.retain_on_delete = request.retainOnDelete
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        options.delete_before_replace = request.deleteBeforeReplace
    if request.HasField("customTimeouts"):
        options.custom_timeouts.CopyFrom(request.customTimeouts)
    return options


def _as_output_values(request: resource_pb2.RegisterResourceRequest) -> struct_pb2.Struct:
    """The inputs as the engine hands them to a transform: unknowns, secrets and
    inputs that depend on other resources are output values."""
    inputs = json_format.MessageToDict(request.object)
    upgraded: dict[str, Any] = {}
    for key, value in inputs.items():
        value = _upgrade(value)
        dependencies = request.propertyDependencies.get(key)
        if dependencies is not None and dependencies.urns:
            if not _is_output(value):
                value = {SIG: OUTPUT_SIG, "value": value}
            value["dependencies"] = sorted({*value.get("dependencies", []), *dependencies.urns})
        upgraded[key] = value
    struct = struct_pb2.Struct()
    struct.update(upgraded)
    return struct


def _upgrade(value: Any) -> Any:
    if value == UNKNOWN:
        return {SIG: OUTPUT_SIG}
    if isinstance(value, list):
        return [_upgrade(item) for item in value]
    if isinstance(value, Mapping):
        if value.get(SIG) == SECRET_SIG:
            inner = _upgrade(value.get("value"))
            if _is_output(inner):
                return {**inner, "secret": True}
            return {SIG: OUTPUT_SIG, "value": inner, "secret": True}
        if SIG in value:
            return dict(value)
        return {key: _upgrade(item) for key, item in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Output values back in the wire format a provider and the policy pack receive."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    if value.get(SIG) == OUTPUT_SIG:
        if "value" not in value:
            plain: Any = UNKNOWN
        else:
            plain = _plain(value["value"])
        return {SIG: SECRET_SIG, "value": plain} if value.get("secret") else plain
    if SIG in value:
        return dict(value)
    return {key: _plain(item) for key, item in value.items()}


def _is_output(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG) == OUTPUT_SIG
