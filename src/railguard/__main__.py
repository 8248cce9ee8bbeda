"""``python -m railguard``: the ``railguard`` command."""

from railguard.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
