"""`Failure`: the immutable value every railguard error is."""

from __future__ import annotations

import inspect
from http import HTTPStatus
from typing import ClassVar

import attrs

from ._construct import TWIN_MARK, install_constructor
from ._details import EMPTY_DETAILS, Details, to_details
from ._registry import register
from ._semantics import Category, Recovery, Retry, plain_retry

__all__ = ["Failure"]


@attrs.frozen(kw_only=True)
class Failure:
    """Base of every railguard failure: an immutable, slotted, comparable value.

    Per-class constants are declared as class keywords and read through
    ``code``, ``status``, ``category`` and ``retry``; instances carry only
    ``message``, ``details``, ``cause`` and the server's ``retry_after`` hint,
    plus the typed fields a subclass declares. Define your own failure::

        @attrs.frozen(kw_only=True)
        class PaymentDeclinedFailure(Failure, code="PAYMENT_DECLINED",
                                     category=Category.CONFLICT, status=402):
            message: str = "The payment was declined."
            order_id: str

    Class keywords: ``code`` (required unless ``abstract=True``), ``category``,
    ``status`` (default: the category's), ``recovery`` (default: the category's),
    ``fatal`` (default: the category's; see `fatal`).
    A subclass that must vary ``code``, ``status`` or ``category`` per instance
    redeclares it as a field.
    """

    default_code: ClassVar[str] = "FAILURE"
    default_category: ClassVar[Category] = Category.INTERNAL
    _default_status: ClassVar[HTTPStatus | None] = None
    _default_recovery: ClassVar[Recovery | None] = None
    _default_fatal: ClassVar[bool | None] = None
    _abstract: ClassVar[bool] = False

    message: str = "An error occurred."
    details: Details = attrs.field(default=EMPTY_DETAILS, converter=to_details)
    cause: Failure | None = None
    retry_after: float | None = None

    def __init_subclass__(
        cls,
        *,
        code: str | None = None,
        category: Category | None = None,
        status: HTTPStatus | int | None = None,
        recovery: Recovery | None = None,
        fatal: bool | None = None,
        abstract: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if TWIN_MARK in own:  # construction's hidden helper class, not a failure class
            return
        if code is not None:
            cls.default_code = code
        if category is not None:
            if not isinstance(category, Category):
                raise TypeError(
                    f"{cls.__qualname__}: category={category!r} is not a Category"
                    " (write category=Category.CONFLICT, not a string)"
                )
            cls.default_category = category
        if status is not None:
            cls._default_status = _error_status(cls, status)
        if recovery is not None:
            cls._default_recovery = recovery
        if fatal is not None:
            cls._default_fatal = fatal
        if abstract:
            cls._abstract = True
        elif "_abstract" not in own:
            cls._abstract = False
        install_constructor(cls)
        # attrs rebuilds slotted classes; only the finished class is registered.
        if "__attrs_attrs__" not in own:
            declares = code or category or status or recovery or fatal is not None
            _guard_undecorated(cls, declares=bool(declares))
            return
        _refuse_a_retry_field(cls)
        if cls._abstract:
            return
        if "default_code" not in own:
            raise TypeError(
                f"{cls.__qualname__} must declare its own code (class {cls.__name__}"
                "(Base, code='...')) or be declared abstract=True"
            )
        register(cls)

    @property
    def code(self) -> str:
        """Stable machine code, unique across the catalog."""
        return self.default_code

    @property
    def category(self) -> Category:
        """What kind of failure this is."""
        return self.default_category

    @property
    def status(self) -> HTTPStatus:
        """The HTTP status this failure answers with."""
        return self._default_status or self.category.default_status

    @property
    def recovery(self) -> Recovery:
        """The recovery strategy this failure asks for."""
        return self._default_recovery or self.category.default_recovery

    @property
    def fatal(self) -> bool:
        """Whether this failure ends the connection or session it happens in.

        A fatal failure on a WebSocket is answered with an error frame and then a
        close; any other is answered with an error frame and the connection goes on.
        """
        fatal = self._default_fatal
        return self.category.default_fatal if fatal is None else fatal

    @property
    def retry(self) -> Retry:
        """Retry semantics: recovery strategy plus the server's hint in seconds."""
        after = self.retry_after
        if after is None:
            return plain_retry(self.recovery)
        return Retry(self.recovery, after)

    def __str__(self) -> str:
        """``CODE: message``, what a log line or an unwrapped ``Err`` shows (``repr`` is attrs')."""
        return f"{self.code}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt with ``object.__new__`` + ``__setstate__``: ``cls.__new__(cls)``
        # (pickle's default) may return the shared all-defaults instance.
        return (object.__new__, (type(self),), self.__getstate__())

    def to_exception(self) -> Exception:
        """Return the exception paired with this failure, its cause chain attached.

        A documented family returns its document's exception; any other failure
        returns a `railguard.RailguardError` that carries it.
        """
        from ._exceptions import RailguardError, attach_cause  # noqa: PLC0415  # cycle
        from ._policy import peer_exception  # noqa: PLC0415  # cycle

        return peer_exception(self, attach_cause(RailguardError(self), self))

    @classmethod
    def from_exception(cls, exc: BaseException) -> Failure:
        """Return the failure for an exception (paired, carried or foreign).

        Never raises: an exception nothing is known about becomes an
        `railguard.InternalFailure` whose message reveals nothing of it.
        """
        from ._policy import failure_from_exception  # noqa: PLC0415  # cycle

        return failure_from_exception(exc)


def _refuse_a_retry_field(cls: type[Failure]) -> None:
    """A field named ``retry`` would hide `Failure.retry`, which every boundary reads."""
    if any(field.name == "retry" for field in attrs.fields(cls)):
        raise TypeError(
            f"{cls.__qualname__}: a field named 'retry' would hide Failure.retry, the"
            " retry semantics every boundary reads; name it otherwise (retry_count)"
        )


def _guard_undecorated(cls: type[Failure], *, declares: bool) -> None:
    """A subclass not (yet) built by attrs that declares keywords or fields refuses to build.

    attrs' finished class gets its own constructor; an undecorated one keeps this
    ``__new__``. A plain subclass that only overrides behaviour stays usable.
    """
    if (declares or inspect.get_annotations(cls)) and not cls._abstract:  # pyright: ignore[reportPrivateUsage]
        type.__setattr__(cls, "__new__", staticmethod(_undecorated))


def _undecorated(cls: type, /, *args: object, **kwargs: object) -> object:
    """``__new__`` of a failure subclass attrs never finished: refuse with the fix."""
    if "__attrs_attrs__" in cls.__dict__:  # decorated in place: attrs only does that unslotted
        raise TypeError(
            f"{cls.__qualname__} is not registered: failure classes are slotted attrs classes;"
            " decorate it with @attrs.frozen(kw_only=True), without slots=False"
        )
    raise TypeError(
        f"{cls.__qualname__} is not registered: decorate it with @attrs.frozen(kw_only=True)"
        " (every failure class is an attrs class; an undecorated subclass is unusable)"
    )


def _error_status(cls: type, status: object) -> HTTPStatus:
    """``status`` as an `HTTPStatus` of an error (400-599); a clear ``TypeError`` otherwise."""
    try:
        value = HTTPStatus(status)  # type: ignore[arg-type]  # checked here
    except (ValueError, TypeError):
        value = None
    if value is None or not 400 <= value <= 599:  # the error statuses
        raise TypeError(
            f"{cls.__qualname__}: status={status!r} is not an error status (400-599);"
            " a failure always answers with one"
        )
    return value


install_constructor(Failure)
register(Failure)
