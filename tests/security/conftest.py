"""The security suite drives the real served course, with the browser suite's fixtures."""

from ..browser.conftest import browser, server  # noqa: F401 - fixtures shared with tests/browser
