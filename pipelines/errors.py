"""Errors a user can cause. The CLI turns each into one line on stderr and exit code 2."""


class UserError(Exception):
    """Bad operator input: a bad date, a missing folder, a bad config key. Exit code 2."""

    exit_code = 2


class ConfigError(UserError):
    """The configuration file is missing, malformed or has a bad key or value."""


class DataQualityError(Exception):
    """A data-quality gate or reconciliation failed. Exit code 1: the data, not the operator."""

    exit_code = 1
