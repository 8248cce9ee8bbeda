"""Messages for end users: a failure's safe, overridable, translated text, apart from its own.

A failure's ``message`` is for logs and developers; what an end user sees comes from
a template chosen per failure class (the families' documented wording where there is
one, else a short sentence per code or category), overridable per application and
translated with gettext (the ``railguard`` domain ships English and German catalogs).
`negotiate` picks a locale from an ``Accept-Language`` header; `Messages.localize`
returns the message with its locale as a `LocalizedMessage`, AIP-193's shape.

>>> from railguard import RateLimitFailure
>>> user_message(RateLimitFailure(message="bucket api-key-7 empty", retry_after=30))
'Too many requests. Please try again in 30s.'
"""

from ._catalogs import DOMAIN, LOCALEDIR, N_
from ._localized import LocalizedMessage
from ._messages import Messages, user_message
from ._negotiate import negotiate
from ._template import TemplateError

__all__ = [
    "DOMAIN",
    "LOCALEDIR",
    "N_",
    "LocalizedMessage",
    "Messages",
    "TemplateError",
    "negotiate",
    "user_message",
]
