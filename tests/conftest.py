"""Shared pytest configuration: hypothesis profiles.

``CI=true`` selects the derandomized ``ci`` profile; ``RAILGUARD_HYPOTHESIS_PROFILE=deep``
(``make fuzz``) runs many more examples.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "deep", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("RAILGUARD_HYPOTHESIS_PROFILE", _default))


import pytest  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio."""
    return "asyncio"
