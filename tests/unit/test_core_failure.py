"""`Failure`: immutability, value semantics, copies, class keywords and per-instance fields."""

from __future__ import annotations

import copy
import pickle
from http import HTTPStatus
from typing import Any, cast

import attrs
import pytest

from railguard import (
    EMPTY_DETAILS,
    Category,
    Details,
    Failure,
    InternalFailure,
    NotFoundFailure,
    RateLimitFailure,
    Recovery,
    Retry,
    TimeoutFailure,
    UnknownFailure,
    ValidationFailure,
)


# Module-level so they pickle; abstract=True keeps them out of the catalog.
@attrs.frozen(kw_only=True)
class SeatTakenFailure(Failure, code="TEST_SEAT_TAKEN", category=Category.CONFLICT, abstract=True):
    """A seat is already booked."""

    message: str = "The seat is taken."
    seat: str
    row: int = 1


@attrs.frozen(kw_only=True)
class PaymentDeclinedFailure(
    Failure,
    code="TEST_PAYMENT_DECLINED",
    category=Category.CONFLICT,
    status=402,
    recovery=Recovery.DONT_RETRY,
    abstract=True,
):
    """The payment was declined."""

    message: str = "The payment was declined."
    order_id: str


@attrs.frozen(kw_only=True)
class PerInstanceStatusFailure(Failure, code="TEST_PER_INSTANCE", abstract=True):
    """Redeclares ``status`` as a field: each instance answers with its own."""

    status: HTTPStatus = HTTPStatus.BAD_GATEWAY


def test_fields_cannot_be_reassigned() -> None:
    """Every field of a failure, inherited or its own, refuses assignment."""
    failure = SeatTakenFailure(seat="12A")
    for field in attrs.fields(SeatTakenFailure):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(failure, field.name, getattr(failure, field.name))


def test_fields_cannot_be_deleted() -> None:
    """``del failure.message`` is refused like an assignment."""
    failure = NotFoundFailure()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del failure.message


def test_no_new_attributes() -> None:
    """A failure is slotted and frozen: no attribute can be added."""
    failure = NotFoundFailure()
    with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
        failure.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(failure, "__dict__")


def test_class_level_constants_are_read_only_properties() -> None:
    """The class-level ``code``, ``status``, ``category``, ``recovery``, ``retry`` are read-only."""
    failure = NotFoundFailure()
    for name in ("code", "status", "category", "recovery", "retry"):
        with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
            setattr(failure, name, None)


def test_details_cannot_be_mutated_even_nested() -> None:
    """``details`` and every object and array nested in it are read-only."""
    source = {"ids": [1, 2], "owner": {"name": "ada", "tags": ["x"]}}
    failure = NotFoundFailure(details=source)
    details = failure.details
    with pytest.raises(TypeError):
        details["ids"] = ()  # type: ignore[index]
    owner = details["owner"]
    assert isinstance(owner, Details)
    with pytest.raises(TypeError):
        owner["name"] = "eve"  # type: ignore[index]
    assert isinstance(details["ids"], tuple)
    assert isinstance(owner["tags"], tuple)
    source["ids"].append(3)  # type: ignore[attr-defined]
    assert failure.details["ids"] == (1, 2)


def test_details_reject_non_json_values_at_construction() -> None:
    """A value JSON cannot carry is refused when the failure is built, naming its path."""
    with pytest.raises(TypeError, match=r"details\['when'\]"):
        NotFoundFailure(details={"when": object()})
    with pytest.raises(ValueError, match="NaN"):
        NotFoundFailure(details={"ratio": float("nan")})


def test_equality_is_by_value() -> None:
    """Two failures with the same class and field values are equal and hash alike."""
    left = SeatTakenFailure(seat="1A", details={"a": [1]}, cause=TimeoutFailure())
    right = SeatTakenFailure(seat="1A", details={"a": [1]}, cause=TimeoutFailure())
    assert left == right
    assert hash(left) == hash(right)
    assert left != SeatTakenFailure(seat="1B", details={"a": [1]}, cause=TimeoutFailure())
    assert left != attrs.evolve(left, cause=None)


def test_equality_needs_the_same_class() -> None:
    """Failures of different classes never compare equal, even with equal fields."""
    not_found: object = NotFoundFailure(message="x")
    assert not_found != ValidationFailure(message="x")
    assert NotFoundFailure() != Failure(message=NotFoundFailure().message)


def test_failures_work_as_set_members_and_dict_keys() -> None:
    """Failures are hashable values: equal failures collapse in a set."""
    assert len({NotFoundFailure(), NotFoundFailure(), TimeoutFailure()}) == 2


@pytest.mark.parametrize(
    "failure",
    [
        NotFoundFailure(),
        SeatTakenFailure(seat="2C", row=7, details={"deep": {"list": [1, 2.5, None, True]}}),
        PaymentDeclinedFailure(order_id="o-1", cause=NotFoundFailure(cause=TimeoutFailure())),
        RateLimitFailure(retry_after=30),
        UnknownFailure(code="PEER_CODE", status=HTTPStatus.IM_A_TEAPOT, raw="{}"),
    ],
    ids=lambda failure: type(failure).__name__,
)
def test_pickle_copy_and_deepcopy_are_lossless(failure: Failure) -> None:
    """pickle, copy and deepcopy give an equal failure of the same class."""
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(failure, protocol=protocol))  # noqa: S301  # own data
        assert restored == failure
        assert type(restored) is type(failure)
    assert copy.copy(failure) == failure
    assert copy.deepcopy(failure) == failure


def test_internal_failure_keeps_its_exception_through_copy_but_not_pickle() -> None:
    """An InternalFailure's original exception survives copy/deepcopy and is dropped by pickle."""
    original = RuntimeError("boom")
    failure = InternalFailure(exception=original)
    assert copy.copy(failure).exception is original
    assert copy.deepcopy(failure).exception is original
    restored = pickle.loads(pickle.dumps(failure))  # noqa: S301  # own data
    assert restored == failure
    assert restored.exception is None


@pytest.mark.parametrize("category", list(Category))
def test_category_defaults_apply_to_status_and_recovery(category: Category) -> None:
    """A class that names only its category answers with that category's status and recovery."""

    @attrs.frozen(kw_only=True)
    class OnlyCategoryFailure(Failure, category=category, abstract=True):
        pass

    failure = OnlyCategoryFailure()
    assert failure.category is category
    assert failure.status is category.default_status
    assert failure.recovery is category.default_recovery
    assert failure.retry == Retry(category.default_recovery)


def test_class_keywords_override_category_defaults() -> None:
    """``status=`` and ``recovery=`` class keywords win over the category's defaults."""
    failure = PaymentDeclinedFailure(order_id="o-1")
    assert failure.code == "TEST_PAYMENT_DECLINED"
    assert failure.category is Category.CONFLICT
    assert failure.status is HTTPStatus.PAYMENT_REQUIRED
    assert failure.recovery is Recovery.DONT_RETRY
    assert not failure.retry.retryable


def test_class_keywords_are_inherited() -> None:
    """A subclass inherits its base's category, status and recovery unless it declares its own."""

    @attrs.frozen(kw_only=True)
    class CardExpiredFailure(PaymentDeclinedFailure, code="TEST_CARD_EXPIRED", abstract=True):
        pass

    failure = CardExpiredFailure(order_id="o-2")
    assert failure.code == "TEST_CARD_EXPIRED"
    assert failure.status is HTTPStatus.PAYMENT_REQUIRED
    assert failure.recovery is Recovery.DONT_RETRY
    assert isinstance(failure, PaymentDeclinedFailure)


def test_retry_after_on_an_instance_sets_the_hint() -> None:
    """``RateLimitFailure(retry_after=30).retry`` asks to retry after 30 seconds."""
    failure = RateLimitFailure(retry_after=30)
    assert failure.retry.after == 30
    assert failure.retry.recovery is Recovery.AFTER_HINT
    assert failure.retry.retryable
    assert RateLimitFailure().retry.after is None


def test_redeclared_field_overrides_a_class_constant_per_instance() -> None:
    """Redeclaring ``status`` as a field lets each instance carry its own."""
    assert PerInstanceStatusFailure().status is HTTPStatus.BAD_GATEWAY
    failure = PerInstanceStatusFailure(status=HTTPStatus.SERVICE_UNAVAILABLE)
    assert failure.status is HTTPStatus.SERVICE_UNAVAILABLE
    assert failure != PerInstanceStatusFailure()


def test_unknown_failure_keeps_the_peers_code_status_and_category() -> None:
    """UnknownFailure carries whatever code, status and category a peer sent."""
    failure = UnknownFailure(
        code="PEER_ONLY", status=HTTPStatus.IM_A_TEAPOT, category=Category.CONFLICT
    )
    assert (failure.code, failure.status, failure.category) == (
        "PEER_ONLY",
        HTTPStatus.IM_A_TEAPOT,
        Category.CONFLICT,
    )
    assert type(failure).default_code == "UNKNOWN"


def test_fields_are_keyword_only() -> None:
    """Failures take keyword arguments only, so field order never matters to callers."""
    with pytest.raises(TypeError):
        cast(Any, NotFoundFailure)("positional")


def test_required_field_is_required() -> None:
    """A subclass field without a default must be given."""
    with pytest.raises(TypeError, match="seat"):
        SeatTakenFailure()  # type: ignore[call-arg]


def test_subclass_without_code_or_abstract_is_refused() -> None:
    """A concrete subclass must declare its own code: reusing the base's is a TypeError."""
    with pytest.raises(TypeError, match="must declare its own code"):

        @attrs.frozen(kw_only=True)
        class NoCodeFailure(NotFoundFailure):
            pass


def test_abstract_subclass_needs_no_code_and_is_not_registered() -> None:
    """``abstract=True`` allows a base without a code of its own; it stays out of the catalog."""
    import railguard

    @attrs.frozen(kw_only=True)
    class BranchFailure(NotFoundFailure, abstract=True):
        pass

    assert BranchFailure not in list(railguard.catalog())
    assert railguard.lookup("NOT_FOUND") is NotFoundFailure


def test_subclass_of_abstract_must_declare_a_code() -> None:
    """Abstractness is not inherited: a concrete child of an abstract base needs a code."""

    @attrs.frozen(kw_only=True)
    class BranchFailure(Failure, category=Category.CONFLICT, abstract=True):
        pass

    with pytest.raises(TypeError, match="must declare its own code"):

        @attrs.frozen(kw_only=True)
        class LeafFailure(BranchFailure):
            pass


def test_define_your_own_failure_in_five_lines(isolated_catalog: None) -> None:
    """The documented five-line definition gives a registered, typed, paired failure."""
    import railguard

    @attrs.frozen(kw_only=True)
    class OutOfStockFailure(Failure, code="TEST_OUT_OF_STOCK", category=Category.CONFLICT):
        message: str = "The item is out of stock."
        sku: str

    failure = OutOfStockFailure(sku="apple")
    assert railguard.lookup("TEST_OUT_OF_STOCK") is OutOfStockFailure
    assert failure.status is HTTPStatus.CONFLICT
    assert failure.recovery is Recovery.ESCALATE
    assert Failure.from_exception(failure.to_exception()) == failure


def test_repr_shows_the_fields() -> None:
    """The repr names the class and shows the fields (not the class-level constants)."""
    text = repr(SeatTakenFailure(seat="9F"))
    assert text.startswith("SeatTakenFailure(")
    assert "seat='9F'" in text


# --- construction: one fast ``__new__`` per class --------------------------------------


def test_all_defaults_call_returns_one_shared_value() -> None:
    """``NotFoundFailure()`` is one shared immutable value, equal to a spelled-out one."""
    shared = NotFoundFailure()
    assert NotFoundFailure() is shared
    assert shared == NotFoundFailure(message="".join(["Not ", "found."]))
    assert NotFoundFailure(message="gone") is not NotFoundFailure(message="gone")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        shared.message = "changed"  # type: ignore[misc]


def test_default_details_are_not_converted_and_given_ones_are() -> None:
    """The default ``details`` is the shared empty value; a given mapping is frozen."""
    assert NotFoundFailure(message="x").details is EMPTY_DETAILS
    given = NotFoundFailure(details={"ids": [1, 2]}).details
    assert type(given) is Details
    assert given["ids"] == (1, 2)


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_unpickling_leaves_the_shared_value_alone(protocol: int) -> None:
    """Pickles rebuild a new value: the shared all-defaults value is never written to."""
    shared = TimeoutFailure()
    other = TimeoutFailure(message="slow", retry_after=2.0)
    restored = pickle.loads(pickle.dumps(other, protocol=protocol))  # noqa: S301  # own data
    assert restored == other
    assert restored is not TimeoutFailure()
    assert TimeoutFailure() is shared
    assert (shared.message, shared.retry_after) == ("The operation timed out.", None)
    assert pickle.loads(pickle.dumps(shared, protocol=protocol)) == shared  # noqa: S301


def test_a_plain_subclass_builds_its_own_instances(isolated_catalog: None) -> None:
    """A subclass without attrs gets instances of itself, never its parent's shared value."""

    class Quieter(NotFoundFailure):
        __slots__ = ()

    built = Quieter()
    assert type(built) is Quieter
    assert built.message == "Not found."
    assert Quieter(message="x").message == "x"


def test_the_signature_shows_the_fields() -> None:
    """``inspect.signature`` of a failure class lists its fields and defaults."""
    import inspect

    parameters = inspect.signature(NotFoundFailure).parameters
    assert parameters["message"].default == "Not found."
    assert parameters["details"].default is EMPTY_DETAILS
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())


def test_classes_with_more_than_defaults_keep_their_semantics(isolated_catalog: None) -> None:
    """Factories, converters, validators and post-init hooks run on every construction."""
    made: list[int] = []

    @attrs.frozen(kw_only=True)
    class Stamped(Failure, code="TEST_STAMPED"):
        stamp: int = attrs.field(factory=lambda: len(made))
        tags: tuple[str, ...] = attrs.field(default=["a"], converter=tuple)
        size: int = attrs.field(default=1, validator=attrs.validators.ge(0))

        def __attrs_post_init__(self) -> None:
            made.append(self.stamp)

    first, second = Stamped(), Stamped()
    assert first is not second
    assert (first.stamp, second.stamp) == (0, 1)
    assert first.tags == ("a",)
    with pytest.raises(ValueError, match="size"):
        Stamped(size=-1)
    assert made == [0, 1]


def test_required_and_self_factory_fields(isolated_catalog: None) -> None:
    """A required field is required; a ``takes_self`` default sees the earlier fields."""

    @attrs.frozen(kw_only=True)
    class Lookup(Failure, code="TEST_LOOKUP"):
        key: str
        message: str = attrs.field(
            default=attrs.Factory(lambda self: f"no {self.key}", takes_self=True)
        )

    assert Lookup(key="k").message == "no k"
    assert Lookup(key="k", message="m").message == "m"
    with pytest.raises(TypeError):
        Lookup()  # type: ignore[call-arg]


def test_a_hand_written_init_is_kept(isolated_catalog: None) -> None:
    """A class with its own ``__init__`` (``init=False``) is built by that ``__init__``."""

    @attrs.frozen(kw_only=True, init=False)
    class Custom(Failure, code="TEST_CUSTOM"):
        count: int

        def __init__(self, count: int) -> None:
            self.__attrs_init__(count=count, message=f"{count} left")

    built = Custom(3)
    assert (built.count, built.message) == (3, "3 left")


def test_category_failures_are_attrs_classes_in_every_way_read(isolated_catalog: None) -> None:
    """The plain category failures answer attrs' questions like decorated classes."""
    fields = attrs.fields(NotFoundFailure)
    assert [f.name for f in fields] == ["message", "details", "cause", "retry_after"]
    assert fields.message.default == "Not found."
    assert attrs.fields(TimeoutFailure).message.default == "The operation timed out."
    assert attrs.evolve(NotFoundFailure(), message="gone").message == "gone"
    assert not hasattr(NotFoundFailure(), "__dict__")

    @attrs.frozen(kw_only=True)
    class MissingSeat(NotFoundFailure, code="TEST_MISSING_SEAT"):
        seat: str = "1A"

    built = MissingSeat()
    assert (built.message, built.seat) == ("Not found.", "1A")
    assert [f.name for f in attrs.fields(MissingSeat)][-2:] == ["message", "seat"]
    assert attrs.has(NotFoundFailure)


def test_the_category_builder_refuses_anything_but_a_message() -> None:
    """The lean builder of the category failures only accepts a ``message`` redeclaration."""
    from railguard.core._generic import _as_category_failure

    class Extra(Failure, abstract=True):
        message: str = "m"
        extra: int = 1

    with pytest.raises(TypeError, match="may only redeclare message"):
        _as_category_failure(kw_only=True)(Extra)


def test_fields_named_like_the_constructor_locals_work(isolated_catalog: None) -> None:
    """A field called ``cls`` or ``shared`` is built by attrs' own ``__init__``."""

    @attrs.frozen(kw_only=True)
    class Odd(Failure, code="TEST_ODD"):
        cls: str = "c"
        shared: bool = False

    odd = Odd(cls="x", shared=True)
    assert (odd.cls, odd.shared) == ("x", True)
    assert Odd() == Odd()


def test_argument_errors_name_the_class() -> None:
    """A wrong keyword is reported against the failure class, as attrs' ``__init__`` was."""
    with pytest.raises(TypeError, match=r"NotFoundFailure\.__init__\(\) got an unexpected"):
        NotFoundFailure(nonsense=1)  # type: ignore[call-arg]


@pytest.mark.parametrize("status", [200, 302, 999, "oops"])
def test_a_non_error_status_is_refused_at_definition(status: object) -> None:
    """status=200 (or any non-4xx/5xx) is a TypeError when the class is defined."""
    with pytest.raises(TypeError, match="not an error status"):

        class _Bad(Failure, code="TEST_BAD_STATUS", status=status):  # type: ignore[arg-type]
            pass


def test_a_string_category_is_refused_at_definition() -> None:
    """category="conflict" is a TypeError naming Category, not a later AttributeError."""
    with pytest.raises(TypeError, match="not a Category"):

        class _Bad(Failure, code="TEST_BAD_CATEGORY", category="conflict"):  # type: ignore[arg-type]
            pass


@pytest.mark.parametrize("details", ["text", [1, 2], 3])
def test_non_mapping_details_are_refused_when_built(details: object) -> None:
    """A non-mapping details is a TypeError when the failure is built."""
    with pytest.raises(TypeError, match="details must be a mapping"):
        Failure(details=details)  # type: ignore[arg-type]


def test_an_undecorated_subclass_with_a_code_is_refused_when_built(isolated_catalog: None) -> None:
    """A subclass declaring a code or fields without @attrs.frozen is refused, naming the fix."""
    from railguard import lookup

    class Undecorated(NotFoundFailure, code="TEST_UNDECORATED"):
        pass

    class WithField(NotFoundFailure):
        order_id: str = "o-1"

    for cls in (Undecorated, WithField):
        with pytest.raises(TypeError, match=r"decorate it with @attrs\.frozen"):
            cls()
    assert lookup("TEST_UNDECORATED") is None


def test_an_unslotted_subclass_is_refused_naming_slots(isolated_catalog: None) -> None:
    """@attrs.frozen(slots=False) decorates in place, unregistered: the error names slots=False."""
    from railguard import lookup

    @attrs.frozen(kw_only=True, slots=False)
    class Unslotted(NotFoundFailure, code="TEST_UNSLOTTED"):
        order_id: str = "o-1"

    with pytest.raises(TypeError, match=r"without slots=False"):
        Unslotted()
    assert lookup("TEST_UNSLOTTED") is None


def test_a_field_named_retry_is_refused_when_defined(isolated_catalog: None) -> None:
    """A `retry` field would hide Failure.retry (what retry and every boundary read): TypeError."""
    from railguard import lookup

    with pytest.raises(TypeError, match=r"a field named 'retry' would hide Failure\.retry"):

        @attrs.frozen(kw_only=True)
        class Counted(Failure, code="TEST_RETRY_FIELD"):
            retry: int = 3  # type: ignore[assignment]

    assert lookup("TEST_RETRY_FIELD") is None


def _layout_class(code: str) -> Any:
    """A failure class with a field layout no other class has (so nothing compiled it yet)."""

    @attrs.frozen(kw_only=True)
    class Fresh(Failure, code=code):
        message: str = "fresh"
        attempt_budget_of_this_test_only: int = 3

    return Fresh


def test_a_new_layout_is_compiled_on_first_construction(isolated_catalog: None) -> None:
    """Defining a class compiles nothing; the first construction compiles and takes its place."""
    import inspect

    fresh = _layout_class("TEST_FRESH_FIRST")
    before = fresh.__dict__["__new__"].__func__
    assert type(before).__name__ == "_FirstNew"  # nothing compiled at definition
    built = fresh(attempt_budget_of_this_test_only=5)
    assert built.attempt_budget_of_this_test_only == 5
    assert fresh().message == "fresh"
    after = fresh.__dict__["__new__"].__func__
    assert inspect.isfunction(after)  # the compiled __new__ is now the class's own
    with pytest.raises(TypeError, match=r"Fresh\.__init__\(\) got an unexpected"):
        fresh(nonsense=1)


def test_a_new_layout_shows_its_signature_before_any_construction(
    isolated_catalog: None,
) -> None:
    """``inspect.signature`` of a class nobody built yet lists its fields (and compiles)."""
    import inspect

    fresh = _layout_class("TEST_FRESH_SIGNATURE")
    parameters = inspect.signature(fresh).parameters
    assert parameters["attempt_budget_of_this_test_only"].default == 3
    assert parameters["message"].default == "fresh"
    assert inspect.signature(fresh) == inspect.signature(fresh)  # the same after compiling


def test_a_plain_subclass_built_first_compiles_its_parent(isolated_catalog: None) -> None:
    """A subclass without attrs, built before its parent, gets its own instance."""
    fresh = _layout_class("TEST_FRESH_SUBCLASS")

    class Child(fresh):  # type: ignore[valid-type, misc]  # a class made at run time
        __slots__ = ()

    child = Child(attempt_budget_of_this_test_only=7)
    assert type(child) is Child
    assert child.attempt_budget_of_this_test_only == 7
    assert type(fresh()) is fresh
