"""Text that has broken real systems: markup, script, header injection, bidi overrides, joiners, emoji."""

from __future__ import annotations

import pytest

# Starts with a formula trigger and holds everything else that must come out harmless. Short fields get
# a prefix of it; every prefix longer than 8 characters still carries "<script>".
NASTY = (
    "=<script>alert('cg')</script>\r\nBcc: victim@example.org\u202eevil\u200d👩🏽‍⚕️ & \"quoted\" <b>bold</b> "
    '=HYPERLINK("https://evil.example")'
)
HARMFUL_MARKUP = ("<script>", "<b>bold</b>")


@pytest.fixture
def nasty() -> str:
    return NASTY
