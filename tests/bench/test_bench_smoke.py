"""The benchmark's protocol client still understands the app (no timing is asserted).

bench/run.py drives N-1 trainees at the protocol level; if the app's widgets or CSS classes
change, those clients would silently measure the wrong thing. One trainee goes through the
real served course here: join, theory, practice, and must see the sorting board.
"""

from __future__ import annotations

import sys

import pytest

from ..conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sys.path.insert(0, str(REPO / "bench"))

from protocol_client import app_journey, is_sort_board
from servers import MODULE, CourseServer, stop_all


@pytest.fixture
def course_server(tmp_path):
    server = CourseServer(tmp_path, pool_size=1)
    yield server
    stop_all()


def test_protocol_client_reaches_the_sort_board(course_server):
    """Does a protocol-level trainee join, open theory, move to practice and get the board?"""
    seen = app_journey(course_server.url, course_server.app_path, MODULE, timeout=60)
    board = seen["sort_board"]
    assert is_sort_board(board)
    assert board["categories"] and board["items"], "the board arrived without its content"
    assert seen["kernel_id"] in course_server.kernels(), "the trainee's kernel is not the server's"
