"""``course``: the console script (serve, validate, db upgrade, session admin, research data)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from .content import ContentError, default_data_dir, load_course
from .content.notebooks import check_notebooks
from .notebook_trust import trust_notebooks
from .paths import var_dir


def _validate(data_dir: Path, course_dir: Path) -> int:
    try:
        course = load_course(data_dir)
        check_notebooks(course, course_dir)
    except ContentError as exc:
        print(f"Content error: {exc}", file=sys.stderr)
        return 1
    activities = sum(len(m.file.activities) for m in course.modules)
    print(
        f"Content OK: {len(course.modules)} module(s), {activities} activities, "
        f"{len(course.references)} references."
    )
    return 0


def cmd_validate(args) -> int:
    return _validate(Path(args.data), Path(args.course))


def cmd_reference(args) -> int:
    from .content.reference import render_reference

    sys.stdout.write(render_reference(load_course(Path(args.data))))
    return 0


def cmd_db_upgrade(args) -> int:
    from .store import ResponseStore, StoreError

    try:
        with ResponseStore(args.db_url or None) as store:
            store.upgrade()
            print(f"Database ready: {store.shown_url}")  # never the password
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    return 0


def lan_address() -> str | None:
    """This machine's address on its local network (a UDP socket's route; nothing is sent)."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def cmd_session_new(args) -> int:
    from .store import ResponseStore

    with ResponseStore() as store:
        store.check_ready()
        session = store.create_session(args.title)
    print(f"Session {session.code} created: {args.title}")
    return 0


def cmd_serve(args) -> int:
    from .serving import (
        APP_PATH,
        GUARD_TOKEN_ENV,
        ServeSettings,
        course_voila_class,
        kernel_environment,
        voila_config,
    )

    settings = ServeSettings()
    for name in ("ip", "port", "pool_size"):
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    status = _validate(Path(args.data), Path(settings.course_dir))
    if status:
        print("Not serving: fix the content error above first.", file=sys.stderr)
        return status
    runtime = var_dir()
    os.environ.update(kernel_environment(settings, runtime))
    # kernels prove to this server that they are its own (guessing limits, guard.py)
    os.environ.setdefault(GUARD_TOKEN_ENV, secrets.token_urlsafe(32))
    if cmd_db_upgrade(argparse.Namespace(db_url=settings.db_url)):
        return 1
    key = settings.resolved_facilitator_key(runtime)
    host = "127.0.0.1" if settings.ip in ("", "0.0.0.0") else settings.ip
    if settings.ip in ("", "0.0.0.0") and not os.environ.get("COURSE_PUBLIC_URL"):
        room = lan_address()  # what the room's devices reach; shown on the join screen
        if room:
            host = room
            os.environ["COURSE_PUBLIC_URL"] = f"http://{room}:{settings.port}"
    print(
        f"\n  Trainees:        http://{host}:{settings.port}/  (opens /{APP_PATH})\n"
        f"  Facilitator:     http://{host}:{settings.port}/voila/render/facilitator/dashboard.ipynb\n"
        f"  Facilitator key: {key}\n"
        f"  Stop with Ctrl+C.\n",
        flush=True,
    )

    config = voila_config(settings)
    config.merge(trust_notebooks(Path(settings.course_dir), runtime))  # no "not trusted" noise
    app = course_voila_class()(config=config)
    app.initialize([settings.course_dir])
    app.start()
    return 0


# -- research data: export, erase, demo data (pandas is imported only by these) -------------


def _ready_store(db_url: str | None):
    from .store import ResponseStore

    store = ResponseStore(db_url or None)
    try:
        store.check_ready()
    except Exception:
        store.close()
        raise
    return store


def _export_request(store, args):
    """What ``course export`` exports: consenting learners, with the kept pseudonym key."""
    from .export.pseudonym import pseudonym_key
    from .export.responses import ExportRequest

    return ExportRequest(
        engine=store.engine, key=pseudonym_key(var_dir()), include_text=args.include_text
    )


def cmd_export(args) -> int:
    if args.data_dictionary:
        from .export.columns import data_dictionary

        Path(args.data_dictionary).write_text(data_dictionary(), encoding="utf-8")
        print(f"Data dictionary written to {args.data_dictionary}")
        return 0
    if args.lrs:
        return _deliver_to_lrs(args)
    from tqdm import tqdm

    from .export.files import SUFFIXES, export
    from .export.responses import count_items
    from .store import StoreError

    output = Path(args.output or f"course-responses{SUFFIXES[args.format]}")
    try:
        with _ready_store(args.db_url) as store:
            request = _export_request(store, args)
            total = count_items(request)
            with tqdm(
                total=total, unit=" responses", unit_scale=True, disable=args.quiet or None
            ) as bar:
                summary = export(request, output, args.format, bar.update, args.base_iri)
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    what = "statements" if args.format == "xapi" else "rows"
    text = "with reflection text" if args.include_text else "without reflection text"
    print(f"Exported {summary.rows:,} {what} ({text}) to {summary.path}")
    return 0


def _deliver_to_lrs(args) -> int:
    """``course export --format xapi --lrs URL``: every statement POSTed to the LRS."""
    from tqdm import tqdm

    from .export.files import base_iri_setting, xapi_lines
    from .export.lrs import DeliveryError, LrsTarget, deliver
    from .export.pseudonym import KEY_ENV, KEY_FILE
    from .store import StoreError

    if args.format != "xapi":
        print("Only xAPI statements go to an LRS: add --format xapi.", file=sys.stderr)
        return 2
    base_iri = base_iri_setting(args.base_iri)
    if not base_iri:
        print(
            "Not delivered: an LRS keeps statements for good, so they need your study's own "
            "base IRI (e.g. https://your-university.example/peer-coaching), not a placeholder. "
            "Set COURSE_XAPI_BASE_IRI or pass --base-iri, and keep it for every delivery.",
            file=sys.stderr,
        )
        return 2
    if not os.environ.get(KEY_ENV) and not (var_dir() / KEY_FILE).exists():
        print(
            f"Not delivered: no pseudonym key ({KEY_ENV}, or {var_dir() / KEY_FILE}). A new key "
            "would give every learner a new actor and every statement a new id, so an LRS "
            "that has earlier deliveries would keep everything twice. Restore the key; only "
            "if nothing was ever delivered, create one with a file export (`course export`).",
            file=sys.stderr,
        )
        return 2
    target = LrsTarget(
        args.lrs,
        os.environ.get("COURSE_LRS_USER", ""),
        os.environ.get("COURSE_LRS_PASSWORD", ""),
    )
    try:
        with _ready_store(args.db_url) as store:
            request = _export_request(store, args)
            with tqdm(unit=" statements", disable=args.quiet or None) as bar:
                report = deliver(xapi_lines(request, None, base_iri), target, progress=bar.update)
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    except DeliveryError as exc:
        print(f"Not delivered: {exc}", file=sys.stderr)
        return 1
    print(f"Delivered to {target.statements_url}: {report.summary()}.")
    for statement_id, reason in report.refused[:20]:
        print(f"  refused {statement_id}: {reason}", file=sys.stderr)
    if len(report.refused) > 20:
        print(f"  … and {len(report.refused) - 20:,} more refused", file=sys.stderr)
    return 0 if report.complete else 1


def cmd_erase(args) -> int:
    from .export.erasure import LearnerNotFound, erase_learner
    from .store import StoreError

    try:
        with _ready_store(args.db_url) as store:
            erased = erase_learner(store, args.learner)
    except LearnerNotFound as exc:
        print(f"Nothing erased: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    print(f"Erased the learner: {erased}")
    return 0


def cmd_demo_data(args) -> int:
    from tqdm import tqdm

    from .export.demo import generate
    from .store import ResponseStore, StoreError

    try:
        with ResponseStore(args.db_url or None) as store:
            store.upgrade()
            with tqdm(total=args.learners, unit=" learners", disable=args.quiet or None) as bar:
                summary = generate(
                    store,
                    learners=args.learners,
                    sessions=args.sessions,
                    seed=args.seed,
                    progress=lambda n: bar.update(n - bar.n),
                )
    except (StoreError, ValueError) as exc:
        print(f"No demo data: {exc}", file=sys.stderr)
        return 1
    print(
        f"Demo data: {summary.learners} learners ({summary.consenting} consenting) in "
        f"{summary.sessions} sessions, {summary.submissions} submissions."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description="Peer Coaching & Mentoring course")
    repo = Path(__file__).resolve().parents[1]
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "serve", help="validate the content, prepare the database and serve the course"
    )
    p.add_argument("--ip", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8866)")
    p.add_argument(
        "--pool-size",
        dest="pool_size",
        type=int,
        default=None,
        help="preheated kernels for the course app (0 disables preheating)",
    )
    p.add_argument("--data", default=str(default_data_dir()), help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "validate", help="check data/ and the notebooks; name the file and field of any mistake"
    )
    p.add_argument("--data", default=str(default_data_dir()))
    p.add_argument("--course", default=os.environ.get("COURSE_NOTEBOOK_DIR", str(repo / "course")))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("reference", help="print the authors' content reference (Markdown)")
    p.add_argument("--data", default=str(default_data_dir()))
    p.set_defaults(func=cmd_reference)

    p = sub.add_parser("db", help="database administration")
    dbsub = p.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="create or migrate the tables")
    up.add_argument("--db-url", default=None, help="database URL (default COURSE_DB_URL or SQLite)")
    up.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("session", help="live sessions")
    ssub = p.add_subparsers(dest="session_command", required=True)
    new = ssub.add_parser("new", help="create a session and print its join code")
    new.add_argument("title")
    new.set_defaults(func=cmd_session_new)

    p = sub.add_parser(
        "export",
        help="export consenting learners' responses, pseudonymised (CSV, Parquet or xAPI)",
    )
    p.add_argument("--format", choices=("csv", "parquet", "xapi"), default="csv")
    p.add_argument("-o", "--output", default=None, help="file to write (default in .)")
    p.add_argument(
        "--include-text", action="store_true", help="include reflection text (left out otherwise)"
    )
    p.add_argument(
        "--base-iri",
        default=None,
        help="xAPI: IRI the activity and actor ids start with (default COURSE_XAPI_BASE_IRI)",
    )
    p.add_argument(
        "--lrs",
        metavar="URL",
        default=None,
        help="xAPI: deliver the statements to this LRS endpoint instead of writing a file "
        "(credentials from COURSE_LRS_USER and COURSE_LRS_PASSWORD)",
    )
    p.add_argument("--db-url", default=None, help="database URL (default COURSE_DB_URL or SQLite)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--data-dictionary",
        metavar="PATH",
        default=None,
        help="write the data dictionary of the export's columns to PATH and stop",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("erase", help="erase one learner and everything they submitted")
    p.add_argument(
        "--learner", required=True, help="the learner's resume code or JupyterHub user name"
    )
    p.add_argument("--db-url", default=None, help="database URL (default COURSE_DB_URL or SQLite)")
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser(
        "demo-data", help="fill the database with realistic simulated learners (for analysis)"
    )
    p.add_argument("--learners", type=int, default=500)
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db-url", default=None, help="database URL (default COURSE_DB_URL or SQLite)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo_data)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
