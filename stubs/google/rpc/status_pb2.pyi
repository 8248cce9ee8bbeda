from collections.abc import Iterable

from google.protobuf import any_pb2, message
from google.protobuf.internal import containers

class Status(message.Message):
    code: int
    message: str
    @property
    def details(self) -> containers.RepeatedCompositeFieldContainer[any_pb2.Any]: ...
    def __init__(
        self,
        code: int | None = ...,
        message: str | None = ...,
        details: Iterable[any_pb2.Any] | None = ...,
    ) -> None: ...
