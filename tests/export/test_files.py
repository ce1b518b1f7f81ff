"""`course export`: CSV, Parquet and xAPI files that leak nothing and validate as xAPI 1.0.3."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import BaseXapiActivityInteractionDefinition
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb
from ralph.models.xapi.concepts.verbs.scorm_profile import CompletedVerb

from widgets.activities.branching import BranchingLogic
from widgets.cli import main
from widgets.content import cached_course
from widgets.export import Pseudonymiser
from widgets.export.columns import DTYPES, INTERACTION_TYPES
from widgets.export.xapi import DEFAULT_BASE_IRI, iso_duration

from .conftest import (
    DRAFT_MARKER,
    KEY,
    REFLECTION_MARKER,
    SCENARIO,
    SIMULATOR,
    VIDEO,
    VIDEO_MARKER,
)

RUN = f"{DEFAULT_BASE_IRI}/xapi/extensions/run"
ENDING = f"{DEFAULT_BASE_IRI}/xapi/extensions/ending"


def interaction_of(activity_id: str) -> str:
    return INTERACTION_TYPES[cached_course().activity(activity_id).type]


def export(known, tmp_path: Path, fmt: str, *extra: str) -> Path:
    path = tmp_path / f"out-{fmt}-{len(extra)}"
    code = main(["export", "--format", fmt, "-o", str(path), "--db-url", known.url, *extra])
    assert code == 0
    assert path.stat().st_size > 0
    return path


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("COURSE_PSEUDONYM_KEY", KEY)


def readable(path: Path, fmt: str) -> str:
    """Everything a reader could get out of the file, as text (Parquet is compressed)."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    if fmt == "parquet":
        table = pq.read_table(path)
        raw += table.to_pandas().to_csv() + str(table.schema.metadata)
    return raw


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xapi"])
def test_no_names_codes_or_text_leak(known, tmp_path, fmt):
    """Do display names, resume codes, hub users, the key, reflection text and video answers
    stay out?"""
    text = readable(export(known, tmp_path, fmt), fmt)
    assert "coaching-and-mentoring" in text  # the search reads real content
    assert VIDEO in text and SIMULATOR in text
    for secret in [*known.secrets, KEY, REFLECTION_MARKER, VIDEO_MARKER, DRAFT_MARKER]:
        assert secret not in text, f"{secret!r} leaked into the {fmt} export"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xapi"])
def test_text_only_when_asked(known, tmp_path, fmt):
    """With --include-text, are the reflection and the video answers there, and still no names
    or codes?"""
    text = readable(export(known, tmp_path, fmt, "--include-text"), fmt)
    assert REFLECTION_MARKER in text
    assert VIDEO_MARKER in text
    assert DRAFT_MARKER in text  # the rehearsal's own words (drafts and simulator replies)
    for secret in [*known.secrets, KEY]:
        assert secret not in text


def test_parquet_keeps_dtypes(known, tmp_path):
    """Does the Parquet file read back with the documented dtypes and all rows?"""
    frame = pd.read_parquet(export(known, tmp_path, "parquet"))
    assert {n: str(t) for n, t in frame.dtypes.items()} == DTYPES
    from widgets.export import load_responses

    assert len(frame) == len(load_responses(known.url, key=KEY))


def test_csv_round_trip(known, tmp_path):
    """Does the CSV carry every row, UTC ISO timestamps and durations in seconds?"""
    frame = pd.read_csv(export(known, tmp_path, "csv"))
    assert list(frame.columns) == list(DTYPES)
    assert frame["submitted_at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$").all()
    assert (frame["duration"] > 0).all()


def statements(known, tmp_path, *extra) -> list[dict]:
    path = export(known, tmp_path, "xapi", *extra)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_xapi_validates_with_ralph(known, tmp_path):
    """Is every statement a valid xAPI 1.0.3 statement according to ralph's models?"""
    found = statements(known, tmp_path, "--include-text")
    assert len(found) > 100
    kinds = {s["object"]["definition"].get("type", "").rsplit("/", 1)[-1] for s in found}
    assert {"simulation", "lesson", "module", "cmi.interaction"} <= kinds  # the new ones too
    parents = {
        p["id"].rsplit("/", 1)[-1]
        for s in found
        for p in s.get("context", {}).get("contextActivities", {}).get("parent", [])
    }
    assert {SIMULATOR, SCENARIO, VIDEO} <= parents
    for statement in found:
        BaseXapiStatement.model_validate(statement)
        assert "version" not in statement  # the LRS sets it (Data 2.4.10)
        verb = statement["verb"]["id"]
        if verb == AnsweredVerb().id:
            AnsweredVerb.model_validate(statement["verb"])
            BaseXapiActivityInteractionDefinition.model_validate(statement["object"]["definition"])
        else:
            CompletedVerb.model_validate(statement["verb"])
    assert len({s["id"] for s in found}) == len(found)


def body(statement: dict) -> str:
    return json.dumps({k: v for k, v in statement.items() if k != "id"}, sort_keys=True)


def test_xapi_ids_cover_what_statements_say(known, tmp_path):
    """Does the same statement get the same id in every export, and a statement that says
    anything else (the learner's text, another base IRI) another id?"""
    plain = statements(known, tmp_path)
    again = statements(known, tmp_path, "--quiet")
    assert [s["id"] for s in plain] == [s["id"] for s in again]
    with_text = statements(known, tmp_path, "--include-text")
    elsewhere = statements(known, tmp_path, "--base-iri", "https://uni.example/study-7")
    for other in (with_text, elsewhere):
        ids = {s["id"]: body(s) for s in plain}
        for statement in other:
            if statement["id"] in ids:  # one id, one content
                assert ids[statement["id"]] == body(statement)
        same = {body(s) for s in plain} & {body(s) for s in other}
        assert {s["id"] for s in plain if body(s) in same} == {
            s["id"] for s in other if body(s) in same
        }
    texts = [s for s in with_text if s["result"].get("response", "").startswith(REFLECTION_MARKER)]
    assert texts and not {s["id"] for s in texts} & {s["id"] for s in plain}
    assert not {s["id"] for s in elsewhere} & {s["id"] for s in plain}


def test_ralph_really_validates():
    """Does the validator refuse what the spec refuses (so the test above means something)?"""
    good = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "a"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "https://x.example/a",
            "definition": {"interactionType": "choice", "correctResponsesPattern": ["a"]},
        },
        "version": "1.0.3",
    }
    BaseXapiStatement.model_validate(good)
    bad_type = json.loads(json.dumps(good))
    bad_type["object"]["definition"]["interactionType"] = "ordering"
    with pytest.raises(ValueError):
        BaseXapiActivityInteractionDefinition.model_validate(bad_type["object"]["definition"])
    for broken in (
        {**good, "version": "2.0.0"},
        {**good, "result": {"response": ""}},
        {**good, "result": {"duration": "six minutes"}},
        {**good, "actor": {"name": "nobody"}},
    ):
        with pytest.raises(ValueError):
            BaseXapiStatement.model_validate(broken)


def test_xapi_answered_statements(known, tmp_path):
    """Do answered statements carry the right interaction type, pattern, response and context?"""
    found = [s for s in statements(known, tmp_path) if s["verb"]["id"].endswith("/answered")]
    by_type: dict[str, list[dict]] = {}
    for s in found:
        definition = s["object"]["definition"]
        by_type.setdefault(definition["interactionType"], []).append(s)
        parent = s["context"]["contextActivities"].get("parent", [s["object"]])[0]["id"]
        activity = parent.rsplit("/", 1)[1]
        own_reply = s["object"]["id"].endswith("/own-reply")  # a simulator rehearsal's words
        expected = "long-fill-in" if own_reply else interaction_of(activity)
        assert definition["interactionType"] == expected
        if "duration" in s["result"]:  # on a submission's first statement only
            assert re.match(r"^PT(\d+H)?(\d+M)?(\d+(\.\d\d?)?S)?$", s["result"]["duration"])
        assert s["timestamp"].endswith("Z")
    assert set(by_type) == {"matching", "sequencing", "choice", "likert", "long-fill-in"}
    for s in by_type["sequencing"]:
        steps = s["result"]["response"].split("[,]")
        pattern = s["object"]["definition"]["correctResponsesPattern"][0].split("[,]")
        assert sorted(steps) == sorted(pattern)  # every step once, in the learner's order
        assert s["result"]["success"] == (s["result"]["score"]["raw"] == len(pattern))
    for s in by_type["matching"]:
        pairs = s["result"]["response"].split("[,]")
        pattern = s["object"]["definition"]["correctResponsesPattern"][0].split("[,]")
        assert len(pairs) == len(pattern) == len(s["object"]["definition"]["source"])
        assert all(re.match(r"^[a-z0-9-]+\[\.\][a-z0-9-]+$", p) for p in pairs)
        assert s["result"]["success"] == (set(pairs) == set(pattern))
        assert s["result"]["score"]["max"] == len(pattern)
    for s in by_type["choice"]:
        chosen = set(s["result"]["response"].split("[,]"))
        right = set(s["object"]["definition"]["correctResponsesPattern"][0].split("[,]"))
        assert s["result"]["success"] == (chosen == right)
        assert s["result"]["score"]["raw"] == int(chosen == right)
    for s in by_type["likert"]:
        scale = [c["id"] for c in s["object"]["definition"]["scale"]]
        assert s["result"]["response"] in scale and "success" not in s["result"]
    assert all("response" not in s["result"] for s in by_type["long-fill-in"])
    in_session = [s for s in found if "registration" in s["context"]]
    assert in_session and len(in_session) < len(found)  # solo learners have none


def test_xapi_completed_statements(known, tmp_path):
    """Are parts and modules completed once per learner, and only when every activity is?"""
    found = statements(known, tmp_path)
    completed = [s for s in found if s["verb"]["id"].endswith("/completed")]
    objects = [s["object"]["definition"]["type"].rsplit("/", 1)[1] for s in completed]
    assert "lesson" in objects and "module" in objects
    levels = [s for s, kind in zip(completed, objects) if kind in ("lesson", "module")]
    assert set(objects) == {"lesson", "module", "simulation"}  # simulation: a run's ending
    keys = [(s["actor"]["account"]["name"], s["object"]["id"]) for s in levels]
    assert len(keys) == len(set(keys))
    answered_by = {s["actor"]["account"]["name"] for s in found if "/answered" in s["verb"]["id"]}
    module_done = {a for a, o in keys if o.endswith("/coaching-and-mentoring")}
    assert module_done < answered_by


def seconds(duration: str) -> float:
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", duration)
    hours, minutes, secs = (float(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


def test_xapi_time_on_task_counted_once(known, tmp_path):
    """Do the statements' durations add up to the time learners spent, each submission's
    time counted once (not copied onto each of its items)?"""
    from widgets.export import load_responses

    frame = load_responses(known.url, key=KEY)
    answers = frame[frame["action"] != "solution"]  # a revealed solution is no statement
    spent = answers.drop_duplicates(["learner", "activity", "attempt"])
    answered = [s for s in statements(known, tmp_path) if "/answered" in s["verb"]["id"]]
    timed = [seconds(s["result"]["duration"]) for s in answered if "duration" in s["result"]]
    assert len(timed) == len(spent) < len(answered)
    total = spent["duration"].dt.total_seconds().sum()
    assert abs(sum(timed) - total) <= 0.005 * len(timed) + 1e-6


def test_iso_duration():
    """Are durations ISO 8601 with at most two decimals?"""
    assert iso_duration(0) == "PT0S"
    assert iso_duration(62.5) == "PT1M2.50S"
    assert iso_duration(3723) == "PT1H2M3S"


def test_data_dictionary_is_current():
    """Is docs/data-dictionary.md exactly what the column definitions generate?"""
    from widgets.export import data_dictionary

    from ..conftest import REPO

    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), (
        "run: course export --data-dictionary docs/data-dictionary.md"
    )


def mine(found: list[dict], known, activity: str) -> list[dict]:
    """The consenting planted learner's statements about ``activity`` (its items or itself)."""
    name = Pseudonymiser(KEY).learner(known.consenting.id)
    return [
        s
        for s in found
        if s["actor"]["account"]["name"] == name
        and (f"/activities/{activity}/" in s["object"]["id"] + "/")
    ]


def test_xapi_simulator_decisions_and_endings(known, tmp_path):
    """Is each simulator decision an answered choice with the node's options and the expert
    reply as the pattern, and each run's ending a completed statement with its score?"""
    content = cached_course().activity(SIMULATOR)
    nodes = {n.id: n for n in content.nodes}
    found = mine(statements(known, tmp_path), known, SIMULATOR)
    replies = [s for s in found if s["object"]["id"].endswith("/own-reply")]
    answered = [s for s in found if s["verb"]["id"].endswith("/answered") and s not in replies]
    ended = [s for s in found if s["verb"]["id"].endswith("/completed")]
    # a rehearsal's own reply is answered (long-fill-in), its words only when text was asked
    assert all(s["object"]["definition"]["interactionType"] == "long-fill-in" for s in replies)
    assert all("response" not in s["result"] for s in replies)
    runs = [s["context"]["extensions"][RUN] for s in answered]
    assert runs[0] == 1 and runs[-1] == 2 and sorted(runs) == runs
    for s in answered:
        definition = s["object"]["definition"]
        node = nodes[s["object"]["id"].rsplit("/", 1)[1]]
        assert definition["interactionType"] == "choice"
        assert [c["id"] for c in definition["choices"]] == [o.id for o in node.options]
        expert = next(o.id for o in node.options if o.expert)
        assert definition["correctResponsesPattern"] == [expert]
        assert s["result"]["success"] == (s["result"]["response"] == expert)
        assert s["context"]["contextActivities"]["parent"][0]["id"].endswith(f"/{SIMULATOR}")
    first = [s for s in answered if s["context"]["extensions"][RUN] == 1]
    second = [s for s in answered if s["context"]["extensions"][RUN] == 2]
    assert not any(s["result"]["success"] for s in first)
    assert all(s["result"]["success"] for s in second)
    assert [s["context"]["extensions"][RUN] for s in ended] == [1, 2]  # one per ending
    weak, expert_run = ended
    assert weak["result"]["completion"] and not weak["result"]["success"]
    assert weak["result"]["score"] == {"raw": 0.0, "min": 0, "max": len(first), "scaled": 0.0}
    assert expert_run["result"]["success"]
    score = expert_run["result"]["score"]
    assert score["raw"] == score["max"] == len(second)
    expert_path, expert_end = BranchingLogic(
        content, lambda node: next(o for o in node.options if o.expert)
    ).preferred_path()
    assert [s["result"]["response"] for s in second] == [o for _, o in expert_path]
    assert expert_run["result"]["extensions"][ENDING] == expert_end
    assert expert_run["object"]["definition"]["type"].endswith("/simulation")


def test_xapi_scenario_best_path(known, tmp_path):
    """Does a scenario's best path give a successful answered choice per situation and one
    successful completion?"""
    content = cached_course().activity(SCENARIO)
    found = mine(statements(known, tmp_path), known, SCENARIO)
    answered = [s for s in found if s["verb"]["id"].endswith("/answered")]
    ended = [s for s in found if s["verb"]["id"].endswith("/completed")]
    assert answered and all(s["result"]["success"] for s in answered)
    for s in answered:
        node = next(n for n in content.nodes if s["object"]["id"].endswith(f"/items/{n.id}"))
        best = [o.id for o in node.options if o.quality == "best"]
        assert s["object"]["definition"]["correctResponsesPattern"] == best
    assert len(ended) == 1 and ended[0]["result"]["success"]
    assert ended[0]["result"]["score"]["raw"] == len(answered)


@pytest.mark.parametrize("include_text", [False, True])
def test_xapi_video_answers(known, tmp_path, include_text):
    """Is each answered guided question a long-fill-in statement, its text only on request?"""
    content = cached_course().activity(VIDEO)
    extra = ("--include-text",) if include_text else ()
    found = mine(statements(known, tmp_path, *extra), known, VIDEO)
    prompts = {q.id: " ".join(q.prompt.split()) for q in content.questions}
    last_save = {}  # question -> its latest answered statement (each save repeats the answers)
    for s in found:
        definition = s["object"]["definition"]
        assert definition["interactionType"] == "long-fill-in"
        question = s["object"]["id"].rsplit("/", 1)[1]
        assert definition["name"]["en"] == prompts[question]
        assert "success" not in s["result"] and "correctResponsesPattern" not in definition
        last_save[question] = s
    assert set(last_save) == set(prompts)
    for question, s in last_save.items():
        if include_text:
            assert s["result"]["response"] == f"{VIDEO_MARKER}: {question}"
        else:
            assert "response" not in s["result"]
