from scorecard.tests.helpers import site  # noqa: F401
