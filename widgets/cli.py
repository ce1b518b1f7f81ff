"""``course``: the console script (serve, validate, db upgrade, session admin)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .content import ContentError, default_data_dir, load_course
from .content.notebooks import check_notebooks


def var_dir() -> Path:
    """Runtime files (database, facilitator key): COURSE_VAR_DIR or ``var/`` in the checkout."""
    env = os.environ.get("COURSE_VAR_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "var"


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


def cmd_db_upgrade(args) -> int:
    from .store import ResponseStore, StoreError

    try:
        with ResponseStore(args.db_url or None) as store:
            store.upgrade()
            print(
                f"Database ready: {store.url.render_as_string(hide_password=True) if hasattr(store.url, 'render_as_string') else store.url}"
            )
    except StoreError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    return 0


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
    if cmd_db_upgrade(argparse.Namespace(db_url=settings.db_url)):
        return 1
    key = settings.resolved_facilitator_key(runtime)
    host = "127.0.0.1" if settings.ip in ("", "0.0.0.0") else settings.ip
    print(
        f"\n  Trainees:        http://{host}:{settings.port}/{APP_PATH}\n"
        f"  Facilitator key: {key}\n"
        f"  Stop with Ctrl+C.\n",
        flush=True,
    )

    app = course_voila_class()(config=voila_config(settings))
    app.initialize([settings.course_dir])
    app.start()
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

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
