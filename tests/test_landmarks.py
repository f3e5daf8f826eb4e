"""Every piece of a page is inside a landmark (issue 14, item 9): the demo banner is in the
page's header, with the navigation, so that a screen reader's landmark list reaches it."""

from __future__ import annotations

import re

from django.urls import reverse

BANNER = "Demonstration system: the data here is invented."


def test_the_demo_banner_is_inside_the_header_landmark(client, db, settings):
    settings.DEMO = True
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    header = re.search(r"<header>(.*?)</header>", html, re.DOTALL)
    assert header is not None
    assert BANNER in header.group(1)
    assert html.count(BANNER) == 1
    # Between <body> and <header>, only the skip link.
    before = html.split("<body>", 1)[1].split("<header>", 1)[0]
    assert re.sub(r"\s+", " ", re.sub(r"<a [^>]*>[^<]*</a>", "", before)).strip() == ""


def test_outside_the_demo_there_is_no_banner(client, db, settings):
    settings.DEMO = False
    assert (
        BANNER
        not in client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
