"""Prometheus metrics of every reported failure (extra ``metrics``: prometheus-client).

``install()`` registers the counters on a registry (the default one unless
given) and adds their observer to `railguard.observe`::

    railguard_failures_total{code, category, boundary, outcome}
    railguard_retry_attempts_total{code, category}
    railguard_retry_exhausted_total{code}
    railguard_failure_retry_after_seconds{boundary}   (histogram of hints)
    errors_total{error_type, severity}                (the bridge's track_error)

Labels are bounded: a code is a registered catalog code or ``OTHER`` (a peer's
unknown code never becomes a label); no message, id or detail is a label.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Final

from railguard.core import Failure, lookup
from railguard.observe._report import Observation, add_observer, remove_observer

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["Metrics", "install", "track_error", "uninstall"]

OTHER: Final = "OTHER"
"""The code label of a failure whose code is not in the catalog."""

_CACHE_BOUND: Final = 4096
"""At most this many codes and label sets are cached (a peer's codes are unbounded)."""

_HINT_BUCKETS: Final = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)


class Metrics:
    """The collectors on one registry, and the observer that feeds them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        from prometheus_client import REGISTRY, Counter, Histogram  # noqa: PLC0415  # extra

        registry = REGISTRY if registry is None else registry
        self.failures: Counter = Counter(
            "railguard_failures",
            "Failures reported at a boundary.",
            ("code", "category", "boundary", "outcome"),
            registry=registry,
        )
        self.retry_attempts: Counter = Counter(
            "railguard_retry_attempts",
            "Retried calls' failed attempts.",
            ("code", "category"),
            registry=registry,
        )
        self.retry_exhausted: Counter = Counter(
            "railguard_retry_exhausted",
            "Retried calls that ran out of attempts or time, by the last attempt's code.",
            ("code",),
            registry=registry,
        )
        self.hints: Histogram = Histogram(
            "railguard_failure_retry_after_seconds",
            "Retry-after hints of reported failures.",
            ("boundary",),
            buckets=_HINT_BUCKETS,
            registry=registry,
        )
        self.errors: Counter = Counter(
            "errors",
            "The bridge document's track_error(name, severity) count.",
            ("error_type", "severity"),
            registry=registry,
        )
        self._children: dict[tuple[str, ...], Any] = {}
        """Each label set's child, by the raw (unmapped) values: one lookup per report."""
        self._codes: dict[str, str] = {}

    def _code(self, code: str) -> str:
        label = self._codes.get(code)
        if label is None:
            label = code if lookup(code) is not None else OTHER
            if len(self._codes) < _CACHE_BOUND:
                self._codes[code] = label
        return label

    def _child(self, key: tuple[str, ...]) -> Any:  # prometheus' untyped child
        """The child of ``key`` (``(metric, raw code, ...)``), its code label mapped."""
        metric, code, *rest = key
        child: Any
        if metric == "failures":
            child = self.failures.labels(self._code(code), *rest)
        elif metric == "attempts":
            child = self.retry_attempts.labels(self._code(code), *rest)
        elif metric == "exhausted":
            child = self.retry_exhausted.labels(self._code(code))
        else:
            child = self.hints.labels(code)  # the boundary, in the code's place
        if len(self._children) < _CACHE_BOUND:  # raw peer codes: the cache itself is bounded
            self._children[key] = child
        return child

    def __call__(self, observation: Observation) -> None:
        """Count one observation (the observer `install` registers)."""
        failure = observation.failure
        code = failure.code
        category = failure.category._value_  # the plain attribute: `.value` is a descriptor
        outcome = observation.outcome
        children = self._children
        key: tuple[str, ...] = ("failures", code, category, observation.boundary, outcome)
        (children.get(key) or self._child(key)).inc()
        if outcome == "attempt":
            key = ("attempts", code, category)
            (children.get(key) or self._child(key)).inc()
        elif outcome == "exhausted":
            key = ("exhausted", _last_code(failure))
            (children.get(key) or self._child(key)).inc()
        after = failure.retry_after
        if after is not None:
            key = ("hints", observation.boundary)
            (children.get(key) or self._child(key)).observe(after)


def _last_code(failure: Failure) -> str:
    """The last attempt's code of an exhaustion (its ``attempt_codes``, else its cause's)."""
    codes = getattr(failure, "attempt_codes", None)
    if isinstance(codes, tuple) and codes and isinstance(codes[-1], str):
        return codes[-1]
    return (failure.cause if failure.cause is not None else failure).code


_installed: Metrics | None = None

_made: weakref.WeakKeyDictionary[CollectorRegistry, Metrics] = weakref.WeakKeyDictionary()
"""The collectors `install` created, per registry: a registry holds each name once."""


def install(registry: CollectorRegistry | None = None) -> Metrics:
    """Create the collectors on ``registry`` (default: prometheus-client's) and start counting.

    A second call replaces the first one's observer. On a registry an earlier call
    installed on (an app factory called twice, tests), the same collectors count on.
    """
    global _installed  # noqa: PLW0603  # one installed instance, replaced whole
    from prometheus_client import REGISTRY  # noqa: PLC0415  # extra

    target = REGISTRY if registry is None else registry
    metrics = _made.get(target)
    if metrics is None:
        metrics = Metrics(target)  # may raise (a name taken): the installed one stays
        _made[target] = metrics
    uninstall()
    _installed = metrics
    add_observer(metrics)
    return metrics


def uninstall() -> None:
    """Stop counting (the collectors stay on their registry)."""
    global _installed  # noqa: PLW0603  # see install
    if _installed is not None:
        remove_observer(_installed)
        _installed = None


def track_error(name: str, severity: str) -> None:
    """The bridge document's ``track_error``: count ``errors_total{error_type, severity}``.

    Raises:
        RuntimeError: `install` was not called.
    """
    if _installed is None:
        raise RuntimeError("call railguard.observe.metrics.install() first")
    _installed.errors.labels(name, severity).inc()
