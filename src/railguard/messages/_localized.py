"""`LocalizedMessage`: a message for end users and the locale it is written in."""

from __future__ import annotations

import attrs

__all__ = ["LocalizedMessage"]


@attrs.frozen
class LocalizedMessage:
    """A message for end users in one locale: the shape of AIP-193's ``LocalizedMessage``.

    Args:
        locale: the BCP 47 tag of the message's language (``"en"``, ``"de"``, ``"pt-BR"``).
        message: the text, safe to show to the caller.

    >>> LocalizedMessage("de", "Nicht gefunden.")
    LocalizedMessage(locale='de', message='Nicht gefunden.')
    """

    locale: str
    message: str
