"""The records of the role x URL table (tests/test_url_access.py), shared by the crawls."""

from tests.test_url_access import ctx  # noqa: F401
