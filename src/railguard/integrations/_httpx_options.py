"""httpx's keyword arguments of a request, typed for the wrapped clients' ``**kwargs``.

The wrapped clients pass them on unchanged; typing them lets a checker catch a
misspelt or mistyped argument (``jsno=``) that ``**kwargs: Any`` would let through.
"""

from __future__ import annotations

from typing import Any, TypedDict

from httpx._client import UseClientDefault
from httpx._types import (
    AuthTypes,
    CookieTypes,
    HeaderTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
)

__all__ = ["BodyOptions", "RequestOptions", "SendOptions"]


class SendOptions(TypedDict, total=False):
    """``client.send``'s keyword arguments."""

    stream: bool
    auth: AuthTypes | UseClientDefault | None
    follow_redirects: bool | UseClientDefault


class RequestOptions(TypedDict, total=False):
    """Keyword arguments of a request without a body: ``get``, ``head``, ``options``, ``delete``."""

    params: QueryParamTypes | None
    headers: HeaderTypes | None
    cookies: CookieTypes | None
    auth: AuthTypes | UseClientDefault | None
    follow_redirects: bool | UseClientDefault
    timeout: TimeoutTypes | UseClientDefault
    extensions: RequestExtensions | None


class BodyOptions(RequestOptions, total=False):
    """Keyword arguments of a request with a body: ``request``, ``post``, ``put``, ``patch``."""

    content: RequestContent | None
    data: RequestData | None
    files: RequestFiles | None
    json: Any | None
