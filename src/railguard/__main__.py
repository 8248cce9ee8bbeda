"""``python -m railguard``: the ``railguard`` command."""

from railguard.cli import main

raise SystemExit(main())
