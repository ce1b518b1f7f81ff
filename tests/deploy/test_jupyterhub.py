"""deploy/jupyterhub run for real: two trainees sign in to JupyterHub in Chromium, each gets
their own Voilà server with the course, writes a reflection, and the shared PostgreSQL store
holds both under their hub names.

Nothing is mocked: a real JupyterHub with its shared-password authenticator, a real
configurable-http-proxy from npm, SimpleLocalProcessSpawner starting real
``jupyterhub-singleuser`` servers configured by deploy/jupyterhub/singleuser/, a real
PostgreSQL and a real Chromium. The store is read back with SQL, not through the page.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from widgets.live.dashboard import join_link
from widgets.store import ResponseStore
from widgets.store.models import Learner, SubmissionRecord

from .conftest import FACILITATOR_GROUP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

MODULE = "coaching-and-mentoring"
PAGE_TIMEOUT = 120_000  # ms: a spawn plus a cold kernel on a busy 2-core machine
# Bob's name is long on purpose: his server's files live under a longer home folder.
TRAINEES = {
    "alice": "Alice: I will ask before I advise.",
    "bob-from-the-science-department": "Bob: listening first, then one open question.",
}


def sign_in(context, hub, name: str, password: str = PASSWORD):
    """Open the hub's login page and submit the form (without waiting for the server)."""
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT)
    page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()
    return page


def refuse_outside(context, hub, asked: list[str]) -> None:
    """Record and abort every request that does not go to the hub (no CDN, no internet)."""

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("data:", "blob:")):
            request_route.continue_()
            return
        asked.append(url)
        request_route.abort()

    context.route(lambda url: not url.startswith(hub.url), route)


@pytest.fixture(scope="module")
def trainees(hub, browser):
    """Both trainees signed in, in their own browser contexts, on the course app."""
    pages, contexts, outside = {}, [], []
    for name in TRAINEES:  # both servers spawn at once, as in a class
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        refuse_outside(context, hub, outside)
        contexts.append(context)
        pages[name] = sign_in(context, hub, name)
    try:
        for name, page in pages.items():
            page.locator(".course-app").wait_for()
            assert page.url.startswith(f"{hub.url}/user/{name}/voila/render/index.ipynb"), page.url
        yield pages
    except Exception:
        print(hub.log()[-20_000:])
        raise
    finally:
        for context in contexts:
            context.close()
    assert outside == [], f"pages asked for something outside the hub: {outside}"


def test_each_trainee_saves_a_reflection_under_their_hub_name(hub, hub_db_url, trainees):
    """Do two hub users each save a reflection that the shared store files under their name?"""
    for name, page in trainees.items():
        # signed in by the hub: straight to the module map, no join form, no resume code
        card = page.locator(f".course-module-{MODULE}")
        card.wait_for()
        assert page.locator(".course-join-start").count() == 0
        assert page.locator(".course-token").count() == 0
        card.locator(".course-part-review").click()
        box = page.locator(".course-reflection-text textarea")
        box.fill(TRAINEES[name])
        page.keyboard.press("Tab")  # leaving the box saves it
        page.locator(".course-activity-reflection .course-status", has_text="Saved").wait_for()

    engine = create_engine(hub_db_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            learners = connection.execute(select(Learner.hub_user, Learner.token)).all()
            saved = connection.execute(
                select(Learner.hub_user, SubmissionRecord.response)
                .join(SubmissionRecord, SubmissionRecord.learner_id == Learner.id)
                .where(SubmissionRecord.activity_id == "m1-reflection")
            ).all()
    finally:
        engine.dispose()
    assert sorted(hub_user for hub_user, _token in learners) == sorted(TRAINEES)
    assert all(token for _hub_user, token in learners)
    assert {hub_user: response["text"] for hub_user, response in saved} == TRAINEES
    assert len(saved) == len(TRAINEES)


def test_facilitator_group_reaches_the_servers(hub, trainees):
    """Does each server know whether its user is in the facilitator group, by flag and by API?"""
    servers = hub.servers()
    assert sorted(servers) == sorted(TRAINEES)
    for name, environ in servers.items():
        facilitator = name == "alice"  # the conftest puts alice in the group
        assert environ["COURSE_HUB_FACILITATOR"] == ("1" if facilitator else "0")
        assert environ["COURSE_DB_URL"].split("/")[-1] == hub.db_name
        # the server's own token may read its user's groups from the hub API
        request = urllib.request.Request(
            environ["JUPYTERHUB_API_URL"] + "/user",
            headers={"Authorization": f"token {environ['JUPYTERHUB_API_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            model = json.load(response)
        assert model["name"] == name
        assert model["groups"] == ([FACILITATOR_GROUP] if facilitator else [])


def test_a_facilitators_join_link_puts_a_hub_user_in_the_session(hub, hub_db_url, trainees):
    """Does the join link the dashboard shows under the hub (through user-redirect) bring a
    signed-in trainee to the course on their own server, in the facilitator's session?"""
    with ResponseStore(hub_db_url) as store:
        session = store.create_session("Hub twilight")
    facilitator_env = {  # what alice's server (the facilitator's) has
        "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
        "JUPYTERHUB_BASE_URL": "/",
        "COURSE_PUBLIC_URL": hub.url,
    }
    link = join_link(session.code, facilitator_env)
    page = trainees["bob-from-the-science-department"]
    page.goto(link, wait_until="domcontentloaded")
    page.locator(".course-alert", has_text="You have joined the live session").wait_for()
    assert page.url.startswith(f"{hub.url}/user/bob-from-the-science-department/voila/")
    assert "Hub twilight" in page.locator(".course-in-session").inner_text()
    with ResponseStore(hub_db_url) as store:
        learner = store.learner_for_hub_user("bob-from-the-science-department")
    assert learner.session_code == session.code


def test_a_user_server_serves_the_course_and_nothing_else(hub, trainees):
    """Are files read-only, JupyterLab and terminals off, and code from a browser refused?"""
    page = trainees["alice"]
    base = f"{hub.url}/user/alice"
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf")
    headers = {"X-XSRFToken": xsrf}
    notebook = {
        "type": "notebook",
        "format": "json",
        "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
    }
    put = page.context.request.put(
        f"{base}/api/contents/mine.ipynb", data=notebook, headers=headers
    )
    assert put.status == 403 and "read-only" in put.text(), (put.status, put.text())
    delete = page.context.request.delete(f"{base}/api/contents/index.ipynb", headers=headers)
    assert delete.status == 403 and "read-only" in delete.text(), (delete.status, delete.text())
    assert page.context.request.get(f"{base}/api/contents/index.ipynb").ok  # reading is fine
    assert page.context.request.get(f"{base}/lab").status == 404
    assert page.context.request.post(f"{base}/api/terminals", headers=headers).status == 404

    # On the page's own kernel: kernel_info is answered, execute_request never is.
    kernels = page.context.request.get(f"{base}/api/kernels").json()
    assert kernels, "the course page should have a kernel"
    replies = page.evaluate(
        """async ([base, kernelId]) => {
            const ws = new WebSocket(base.replace('http', 'ws') + '/api/kernels/' + kernelId + '/channels');
            const seen = [];
            ws.onmessage = (event) => {
                const msg = JSON.parse(event.data);
                if (msg.channel === 'shell') seen.push(msg.header.msg_type);
            };
            await new Promise((resolve) => { ws.onopen = resolve; });
            const send = (type, content) => ws.send(JSON.stringify({
                channel: 'shell', content, metadata: {}, parent_header: {}, buffers: [],
                header: {msg_id: crypto.randomUUID(), msg_type: type, session: 'test',
                         username: 'test', version: '5.3', date: new Date().toISOString()},
            }));
            send('execute_request', {code: 'import os; os.environ', silent: false,
                                      store_history: false, user_expressions: {},
                                      allow_stdin: false, stop_on_error: true});
            send('kernel_info_request', {});
            await new Promise((resolve) => setTimeout(resolve, 4000));
            ws.close();
            return seen;
        }""",
        [base, kernels[0]["id"]],
    )
    assert "kernel_info_reply" in replies
    assert "execute_reply" not in replies


def test_a_wrong_password_is_refused(hub):
    """Does the hub turn away a sign-in with the wrong class password?"""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    opener.open(f"{hub.url}/hub/login", timeout=10).close()
    xsrf = next(c.value for c in cookies if c.name == "_xsrf")
    form = urllib.parse.urlencode(
        {"username": "mallory", "password": "not the password", "_xsrf": xsrf}
    )
    try:
        with opener.open(f"{hub.url}/hub/login", data=form.encode(), timeout=10) as response:
            body, status = response.read().decode(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    assert status == 403, status
    assert "Invalid username or password" in body
    assert "mallory" not in hub.servers()
