"""What a newcomer meets on a first `course serve`: the address it prints answers, `/` says
where the course is in words a `curl` shows, and the log has no "not trusted" noise."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_printed_address_answers_and_says_where_the_course_is(server):
    """Is the printed trainee address the bare one, and does it answer a client that does not
    follow redirects with the course app's full address in the body?"""
    printed = re.search(r"Trainees:\s+(\S+)", server.log())
    assert printed, server.log()
    assert printed.group(1) == server.url
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoRedirect).open(printed.group(1), timeout=60)
    assert answer.value.code == 302
    body = answer.value.read().decode()
    assert f"{server.url}voila/render/index.ipynb" in body
    assert answer.value.headers["Content-Type"].startswith("text/plain")


def test_serving_the_course_logs_no_untrusted_notebook(trainee, server):
    """Once a trainee's page is up, has the server logged no "Notebook … is not trusted"?"""
    trainee.open()
    trainee.page.locator(".course-join-start").wait_for()
    log = server.log()
    assert "Kernel started" in log, "the log caught too little to judge"
    assert "is not trusted" not in log
