from collections.abc import Iterable, Mapping

from google.protobuf import duration_pb2, message
from google.protobuf.internal import containers

class ErrorInfo(message.Message):
    reason: str
    domain: str
    @property
    def metadata(self) -> containers.ScalarMap[str, str]: ...
    def __init__(
        self,
        reason: str | None = ...,
        domain: str | None = ...,
        metadata: Mapping[str, str] | None = ...,
    ) -> None: ...

class RetryInfo(message.Message):
    @property
    def retry_delay(self) -> duration_pb2.Duration: ...
    def __init__(self, retry_delay: duration_pb2.Duration | None = ...) -> None: ...

class DebugInfo(message.Message):
    @property
    def stack_entries(self) -> containers.RepeatedScalarFieldContainer[str]: ...
    detail: str
    def __init__(
        self, stack_entries: Iterable[str] | None = ..., detail: str | None = ...
    ) -> None: ...

class LocalizedMessage(message.Message):
    locale: str
    message: str
    def __init__(self, locale: str | None = ..., message: str | None = ...) -> None: ...

class BadRequest(message.Message):
    class FieldViolation(message.Message):
        field: str
        description: str
        reason: str
        def __init__(
            self,
            field: str | None = ...,
            description: str | None = ...,
            reason: str | None = ...,
        ) -> None: ...

    @property
    def field_violations(
        self,
    ) -> containers.RepeatedCompositeFieldContainer[BadRequest.FieldViolation]: ...
    def __init__(
        self, field_violations: Iterable[BadRequest.FieldViolation] | None = ...
    ) -> None: ...

class RequestInfo(message.Message):
    request_id: str
    serving_data: str
    def __init__(self, request_id: str | None = ..., serving_data: str | None = ...) -> None: ...
