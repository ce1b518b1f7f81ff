"""Identity: token formats, query strings, JupyterHub users."""

from __future__ import annotations

from widgets.identity import (
    ALPHABET,
    TOKEN_LENGTH,
    format_token,
    new_learner_token,
    new_session_code,
    normalise_session_code,
    normalise_token,
    parse_query,
    request_identity,
)


def test_tokens_are_unguessable_and_well_formed():
    """Are tokens 12 characters of the unambiguous alphabet and all different?"""
    tokens = {new_learner_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(len(t) == TOKEN_LENGTH and set(t) <= set(ALPHABET) for t in tokens)


def test_typed_tokens_are_normalised():
    """Does a code typed with dashes, spaces, lower case or O/I/L mix-ups still work?"""
    token = "AB0D1FGH2KMN"
    assert normalise_token(format_token(token).lower()) == token
    assert normalise_token("abod ifgh 2kmn") == token
    assert normalise_token("too-short") is None
    assert normalise_token("") is None
    assert normalise_token("ABCDEFGHJKM!") is None


def test_session_codes():
    """Are join codes 6 unambiguous characters, and malformed ones refused?"""
    code = new_session_code()
    assert normalise_session_code(code.lower()) == code
    assert normalise_session_code("ABC") is None
    assert not set("01OIL") & set(code)


def test_query_string_parsing():
    """Does the query string give the token, the session code and the place in the course?"""
    ident = parse_query("learner=ABCD-EFGH-JKMN&code=kx7p2m&module=m1&part=practice")
    assert ident.token == "ABCDEFGHJKMN"
    assert ident.session_code == "KX7P2M"
    assert (ident.module, ident.part) == ("m1", "practice")
    assert not ident.token_was_bad


def test_bad_token_is_reported_not_dropped():
    """Is a malformed token remembered as bad so the page can explain, not silently ignored?"""
    ident = parse_query("learner=<script>")
    assert ident.token is None and ident.token_was_bad


def test_hub_user_wins():
    """Under JupyterHub, is the hub user the identity whatever the query says?"""
    ident = request_identity({"JUPYTERHUB_USER": "sam", "QUERY_STRING": "learner=ABCDEFGHJKMN"})
    assert ident.hub_user == "sam" and ident.token is None


def test_without_voila_the_query_string_is_read_directly(monkeypatch):
    """Outside a preheated kernel, is QUERY_STRING read without waiting?"""
    monkeypatch.setenv("QUERY_STRING", "learner=ABCDEFGHJKMN")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert request_identity().token == "ABCDEFGHJKMN"


def test_request_wait_survives_a_dropped_socket():
    """If Voilà's query socket closes before the request arrives (a server too busy to answer
    in time), does the kernel connect again and still get the request's variables?"""
    import threading

    from websockets.sync.server import serve

    from widgets.identity import _receive_request

    calls = []

    def handler(connection):
        calls.append(connection.request.path)
        if len(calls) == 1:
            connection.close()  # the first wait is cut off
            return
        connection.send('{"QUERY_STRING": "learner=ABCDEFGHJKMN"}')

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            got = _receive_request(f"ws://127.0.0.1:{port}/voila/query/k1", timeout=20)
        finally:
            server.shutdown()
    assert got == '{"QUERY_STRING": "learner=ABCDEFGHJKMN"}'
    assert calls == ["/voila/query/k1", "/voila/query/k1"]
