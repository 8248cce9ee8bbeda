"""Fast construction of failures: one ``__new__`` built per class, from its attrs fields.

attrs' generated ``__init__`` for a frozen slotted class sets every field through
a bound ``object.__setattr__`` and runs every converter, even on defaults. A
failure class instead gets a ``__new__`` that fills a new instance as a hidden
twin subclass with plain slot stores and then sets its ``__class__`` (a plain
subclass of the class is filled through the slots' member descriptors instead),
skips converting a default ``details``, and returns one shared instance when
called with nothing but defaults (the value is immutable, so the instance is
interchangeable with a new one). ``__init__`` becomes ``object.__init__``.

The code is compiled once per field layout (names, order, which fields convert
or take a factory) and shared by every class with that layout; each class gets
a closure over its own defaults and slots. A class with anything this does not
reproduce exactly (validators, ``__attrs_pre_init__``, fields not in
``__init__``, a hash cache, a hand-written ``__init__``, no slots) keeps attrs'
``__init__`` unchanged.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

import attrs

from ._details import to_details

__all__ = ["install_constructor"]

_Maker = Callable[..., Callable[..., Any]]

_object_new = object.__new__
_NOTHING = attrs.NOTHING
_CONVERTER_CLASS: tuple[type, ...] = (
    (attrs.Converter,) if hasattr(attrs, "Converter") else ()  # attrs >= 24.1
)
_makers: dict[tuple[object, ...], _Maker] = {}
_RESERVED = frozenset({"cls", "self", "shared"})  # names the generated code uses itself


def _plain_new(cls: type, /, *args: object, **kwargs: object) -> object:
    """``__new__`` of a class that keeps attrs' ``__init__``: arguments go to it."""
    return _object_new(cls)


def install_constructor(cls: type) -> None:
    """Give ``cls`` its fast ``__new__`` (or the plain one when it cannot have it)."""
    own = cls.__dict__
    init = own.get("__init__")
    if init is not None and not _attrs_generated(init):
        type.__setattr__(cls, "__new__", staticmethod(_plain_new))
        return
    if "__attrs_attrs__" not in own:
        return  # attrs is still building the class, or a plain subclass: inherit
    new = _fast_new(cls)
    if new is None:
        type.__setattr__(cls, "__new__", staticmethod(_plain_new))
        return
    type.__setattr__(cls, "__new__", staticmethod(new))
    type.__setattr__(cls, "__init__", object.__init__)


def _attrs_generated(function: object) -> bool:
    code = getattr(function, "__code__", None)
    return code is not None and code.co_filename.startswith("<attrs generated")


def _slot(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _fast_new(cls: type) -> Callable[..., Any] | None:
    """The per-class ``__new__``, or ``None`` when attrs' ``__init__`` must stay."""
    if getattr(cls, "__attrs_pre_init__", None) is not None:
        return None
    if any("_attrs_cached_hash" in getattr(k, "__slots__", ()) for k in cls.__mro__):
        return None
    fields = attrs.fields(cls)
    layout: list[tuple[object, ...]] = []
    values: list[object] = []
    internable = True
    for field in fields:
        setter = _slot(cls, field.name)
        converter = field.converter
        if (
            setter is None
            or field.alias in _RESERVED
            or field.alias.startswith("_")
            or not field.init
            or field.validator is not None
            or isinstance(converter, _CONVERTER_CLASS)
        ):
            return None
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            kind = "self" if default.takes_self else "factory"
            default_value: object = default.factory
            internable = False
        elif default is _NOTHING:
            kind, default_value, internable = "required", None, False
        else:
            kind, default_value = "value", default
        if converter is to_details and kind == "value":
            conversion, converted = "known", to_details(default_value)
        elif converter is not None:
            conversion, converted, internable = "call", None, False
        else:
            conversion, converted = "none", default_value
        layout.append((field.alias, kind, conversion, field.kw_only, field.name))
        values.extend((setter.__set__, default_value, converter, converted))
    post_init = getattr(cls, "__attrs_post_init__", None) is not None
    internable = internable and not post_init
    key = (tuple(layout), post_init, internable)
    maker = _makers.get(key)
    if maker is not None:
        return _named(maker(cls, _make_twin, *values), cls)
    return _FirstNew(cls, key, layout, values, post_init=post_init, internable=internable)


def _named(new: Callable[..., Any], cls: type) -> Callable[..., Any]:
    # argument errors read as they did with attrs: "X.__init__() got an unexpected ..."
    new.__qualname__ = f"{cls.__qualname__}.__init__"
    return new


class _FirstNew:
    """A class's ``__new__`` until its first use, which compiles the layout's code.

    Compiling is most of what a class costs when it is defined, and most failure
    classes of an application are defined at import and built later, if ever: so the
    code of a layout no class has used yet is compiled on the first construction (or
    the first ``inspect.signature``), which then puts the compiled ``__new__`` in
    this one's place.
    """

    __slots__ = ("_cls", "_internable", "_key", "_layout", "_new", "_post_init", "_values")

    def __init__(  # the state `_fast_new` computed, kept for later
        self,
        cls: type,
        key: tuple[object, ...],
        layout: list[tuple[object, ...]],
        values: list[object],
        *,
        post_init: bool,
        internable: bool,
    ) -> None:
        self._cls = cls
        self._key = key
        self._layout = layout
        self._values = values
        self._post_init = post_init
        self._internable = internable
        self._new: Callable[..., Any] | None = None

    def compiled(self) -> Callable[..., Any]:
        """The class's compiled ``__new__``, now in this one's place on the class."""
        new = self._new
        if new is None:
            maker = _makers.get(self._key)
            if maker is None:
                maker = _makers[self._key] = _compile(
                    self._layout, post_init=self._post_init, internable=self._internable
                )
            new = self._new = _named(maker(self._cls, _make_twin, *self._values), self._cls)
            if getattr(self._cls.__dict__.get("__new__"), "__func__", None) is self:
                type.__setattr__(self._cls, "__new__", staticmethod(new))
        return new

    def __call__(self, cls: type, /, *args: object, **kwargs: object) -> Any:
        """Construct with the compiled ``__new__``."""
        return self.compiled()(cls, *args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """The compiled ``__new__``'s signature (``inspect.signature`` of the class)."""
        return inspect.signature(self.compiled())


def _make_twin(cls: type) -> type:
    """A hidden subclass of ``cls`` with plain attribute assignment and the same layout.

    A new instance is filled as the twin (plain slot stores, which CPython runs
    far faster than calls through the frozen ``__setattr__``), then becomes a
    ``cls`` by ``__class__`` assignment before anyone sees it. Made on the first
    construction, not while attrs is still building ``cls`` (a zero-argument
    ``super()`` in an ``__init_subclass__`` of the class body would fail then);
    if it cannot be made, the class fills its slots through their descriptors.
    """
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        TWIN_MARK: True,
    }
    return type(cls)(cls.__name__, (cls,), namespace)


TWIN_MARK = "_railguard_twin"
"""Set in a twin's namespace: `Failure.__init_subclass__` leaves such a class alone."""


def _field_source(
    i: int, param: str, kind: object, conversion: object, name: str
) -> tuple[str, list[str], list[str]]:
    """One field's parameter, and the lines that set its slot on the twin and on ``cls``."""
    first: list[str] = []
    if kind == "required":
        signature = param
    elif kind == "value":
        signature = f"{param}=_d{i}"
    else:
        signature = f"{param}=_NOTHING"
        call = f"_d{i}(self)" if kind == "self" else f"_d{i}()"
        first.append(f"if {param} is _NOTHING: {param} = {call}")
    value = param
    if conversion == "known":
        value = f"_v{i} if {param} is _d{i} else _c{i}({param})"
    elif conversion == "call":
        value = f"_c{i}({param})"
    return signature, [*first, f"self.{name} = {value}"], [*first, f"_s{i}(self, {value})"]


def _compile(layout: list[tuple[object, ...]], *, post_init: bool, internable: bool) -> _Maker:
    """Compile the maker of ``__new__`` functions for one field layout."""
    outer = ["_owner", "_make_twin"]
    positional: list[str] = []
    keyword: list[str] = []
    on_twin: list[str] = []
    on_cls: list[str] = []
    same = ["cls is _owner"]
    for i, (alias, kind, conversion, kw_only, name) in enumerate(layout):
        outer += [f"_s{i}", f"_d{i}", f"_c{i}", f"_v{i}"]
        signature, twin_lines, cls_lines = _field_source(i, str(alias), kind, conversion, str(name))
        (keyword if kw_only else positional).append(signature)
        on_twin += twin_lines
        on_cls += cls_lines
        if kind == "value":
            # ``message`` first: the field a call most often sets, so the test ends at once
            same.insert(1 if alias == "message" else len(same), f"{alias} is _d{i}")
    params = ["cls", "/", *positional]
    if keyword:
        params += ["*", *keyword]
    source = [
        f"def _make({', '.join(outer)}):",
        "  _shared = None",
        "  _twin = None",
        "  def _first_twin():",
        "    nonlocal _twin",
        "    try: _twin = _make_twin(_owner)",
        "    except Exception: _twin = False",  # a user's __init_subclass__ refused it
        "    return _twin",
        f"  def __new__({', '.join(params)}):",
    ]
    if internable:
        source += [
            "    nonlocal _shared",
            f"    shared = {' and '.join(same)}",
            "    if shared and _shared is not None: return _shared",
        ]
    source += [
        "    if cls is _owner and (_twin if _twin is not None else _first_twin()):",
        "      self = _object_new(_twin)",
        *[f"      {line}" for line in on_twin],
        "      self.__class__ = cls",
        "    else:  # a plain subclass (its layout may differ), or no twin",
        "      self = _object_new(cls)",
        *[f"      {line}" for line in on_cls],
    ]
    if post_init:
        source += ["    self.__attrs_post_init__()"]
    if internable:
        source += ["    if shared: _shared = self"]
    source += ["    return self", "  return __new__"]
    namespace: dict[str, Any] = {"_object_new": _object_new, "_NOTHING": _NOTHING}
    code = compile("\n".join(source), "<railguard failure constructor>", "exec")
    exec(code, namespace)  # noqa: S102  # our own generated source, no input in it
    maker: _Maker = namespace["_make"]
    return maker
