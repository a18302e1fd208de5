"""Errors a user can cause, and the one place they become a line on stderr and an exit code."""
from __future__ import annotations

import sys
from typing import Callable


class UserError(Exception):
    """Bad operator input: a bad date, a missing folder, a bad config key. Exit code 2."""

    exit_code = 2


class ConfigError(UserError):
    """The configuration file is missing, malformed or has a bad key or value."""


class DataQualityError(Exception):
    """A data-quality gate or reconciliation failed. Exit code 1: the data, not the operator."""

    exit_code = 1


def guarded(action: Callable[[], int]) -> int:
    """Run a command or job; turn operator and data errors into one line and an exit code."""
    try:
        return action()
    except UserError as exc:
        print(f"clout: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except DataQualityError as exc:
        print(f"clout: data-quality failure: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("clout: interrupted", file=sys.stderr)
        return 130
