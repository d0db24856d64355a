"""The soak (issue 14): Pantau under gunicorn on PostgreSQL, with faults, for about two minutes.

    bash tests/with_postgres.sh .venv/bin/python bench/soak.py      # or: make soak

Needs the throwaway cluster of ``tests/with_postgres.sh`` (``TEST_DATABASE_URL`` and ``TEST_PG_DATA``, which it
exports): the script restarts that server. Everything listens on and talks to 127.0.0.1 only; every phase is
bounded in time and the script stops by itself.

1. ``flask db upgrade`` and ``flask seed-demo`` on the empty database, in development (PANTAU_ENV=development:
   production marks the session cookie Secure, which a client speaking plain HTTP to 127.0.0.1 never sends back,
   and refuses the demo seed; the soak wants the demo officer and plain HTTP on the loopback).
2. gunicorn with 4 sync workers; 50 client threads (urllib, one cookie jar each, signed in as the demo officer)
   for 60 s: three requests in four read a page (dashboard, permit list, a permit, estates), one in four moves a
   permit (the page's CSRF token, version and allowed targets; accepted = 302 to the permit page).
3. At 15 s one worker is SIGKILLed; at 30 s PostgreSQL is restarted (``pg_ctl restart -m fast``). Pages answer 503
   while it is down (app/errors.py) and the pool's pre-ping replaces the dead connections afterwards.
4. Before the load (the demo's open files are still open then): the stall scan (``flask permits scan``) is
   held inside its transaction by a lock on ``stall_flag`` and SIGKILLed there; a clean scan then must leave
   exactly the flags a clean scan leaves on a copy of the database taken before (CREATE DATABASE ... TEMPLATE),
   and a second scan must change nothing.

Checks (exit 1 when one fails): no 5xx outside the restart window, only 503 inside it; recovery within 10 s of
the server being back; accepted moves equal new permit events (moves whose answer was lost with the killed worker
are reported and allowed either way); the worker was replaced; the scan was killed mid-transaction and the flags
match (``--scan-only``: step 1 and this check alone, no load). The figures go to
``bench/results/soak-<date>.json`` and a text table beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from served import BIN, ROOT, gunicorn, memory_gib, percentile, wait_for
from soak_load import Recorder, client_loop, log

RESULTS = ROOT / "bench" / "results"
CLIENTS = 50
DURATION = 60.0
KILL_WORKER_AT = 15.0
RESTART_DB_AT = 30.0
RECOVERY_LIMIT = 10.0  # seconds from the server being back to the last 503


def as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- the HTTP client ---------------------------------------------------------------------------------------


def flask(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True
    )


def scalar(url: str, sql: str, *params):
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute(sql, params).fetchone()[0]


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def restart_postgres(data: str) -> tuple[float, float]:
    """``pg_ctl restart -m fast``; the server's output goes to the cluster's log (a pipe would stay open)."""
    t0 = time.monotonic()
    log_file = str(Path(data).parent / "server.log")
    subprocess.run(
        [*as_postgres(), "pg_ctl", "-D", data, "-l", log_file, "-m", "fast", "-w", "-t", "60", "restart"],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )
    return t0, time.monotonic()


FLAG_COLUMNS = "permit_id, kind, episode, raised_on, last_confirmed_on, resolved_on"


def flags(url: str) -> list[tuple]:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute(f"SELECT {FLAG_COLUMNS} FROM stall_flag ORDER BY permit_id, kind, episode").fetchall()  # noqa: S608


def scan_check(env: dict, url: str) -> dict:
    """Kill the stall scan inside its transaction, then compare a clean run with a clean run on a copy."""
    # The demo's open files are not late today: pull their thresholds into the past so the scan has work.
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "UPDATE permit SET at_risk_on = CURRENT_DATE - 12 - id % 5, overdue_on = CURRENT_DATE - 4 + id % 8"
            " WHERE running_since IS NOT NULL AND at_risk_on IS NOT NULL AND overdue_on IS NOT NULL"
        )
        conn.execute("UPDATE permit SET investor_overdue_on = CURRENT_DATE - 3 WHERE investor_overdue_on IS NOT NULL")
        conn.execute("UPDATE permit SET investor_silent_on = CURRENT_DATE - 3 WHERE investor_silent_on IS NOT NULL")
    copy_url = url.rsplit("/", 1)[0] + "/pantau_soak_copy"
    with psycopg.connect(libpq_url(url.rsplit("/", 1)[0] + "/postgres"), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pantau_soak_copy")
        conn.execute(f"CREATE DATABASE pantau_soak_copy TEMPLATE {url.rsplit('/', 1)[1]}")
    before = len(flags(url))
    clean = flask({**env, "DATABASE_URL": copy_url}, "permits", "scan", timeout=120)
    reference = flags(copy_url)

    result: dict = {"flags_before": before, "reference_flags": len(reference)}
    with psycopg.connect(libpq_url(url)) as blocker:
        blocker.execute("LOCK TABLE stall_flag IN EXCLUSIVE MODE")  # reads go on, the scan's writes wait
        scan = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "permits", "scan"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        waiting = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and scan.poll() is None:
            waiting = bool(
                scalar(
                    url,
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                    url.rsplit("/", 1)[1],
                )
            )
            if waiting:
                break
            time.sleep(0.05)
        result["killed_mid_scan"] = waiting and scan.poll() is None
        scan.send_signal(signal.SIGKILL)
        scan.wait(timeout=30)
        blocker.rollback()
    # The server notices the dead client when the released statement answers; its transaction is rolled back.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and scalar(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
        " AND pid <> pg_backend_pid()",
        url.rsplit("/", 1)[1],
    ):
        time.sleep(0.1)
    result["flags_after_kill"] = len(flags(url))
    result["unfinished_runs"] = scalar(
        url, "SELECT count(*) FROM job_run WHERE job = 'stall-scan' AND finished_at IS NULL"
    )
    first = flask(env, "permits", "scan", timeout=120)
    after_first = flags(url)
    second = flask(env, "permits", "scan", timeout=120)
    after_second = flags(url)
    result.update(
        scans_ok=clean.returncode == 0 and first.returncode == 0 and second.returncode == 0,
        flags_after_clean_run=len(after_first),
        same_as_copy=after_first == reference,
        only_after_kill=[list(map(str, f)) for f in sorted(set(after_first) - set(reference))][:20],
        only_in_copy=[list(map(str, f)) for f in sorted(set(reference) - set(after_first))][:20],
        idempotent=after_second == after_first,
    )
    if not result["scans_ok"]:
        result["scan_errors"] = (clean.stderr + first.stderr + second.stderr)[-2000:]
    with psycopg.connect(libpq_url(url.rsplit("/", 1)[0] + "/postgres"), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pantau_soak_copy")
    return result


def main() -> int:  # noqa: C901
    url = os.environ.get("TEST_DATABASE_URL")
    data = os.environ.get("TEST_PG_DATA")
    if not url or not data or "@127.0.0.1:" not in url:
        print(
            "soak: run inside tests/with_postgres.sh (TEST_DATABASE_URL and TEST_PG_DATA on 127.0.0.1)", file=sys.stderr
        )
        return 2
    env = {
        **os.environ,
        "PANTAU_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "FLASK_LOGIN_RATE_LIMIT": "1000 per minute",  # 50 sign-ins from one address in a few seconds
        "FLASK_RATELIMIT_STORAGE_URI": "memory://",
    }
    started = dt.datetime.now(dt.UTC)
    log("migrate and seed the demo")
    for args in (("db", "upgrade"), ("seed-demo",)):
        done = flask(env, *args)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
    log("the stall scan, killed mid-transaction")
    scan = scan_check(env, url)
    log(f"scan: {json.dumps(scan, default=str)}")
    if "--scan-only" in sys.argv[1:]:
        return 0 if scan.get("killed_mid_scan") and scan.get("same_as_copy") and scan.get("idempotent") else 1
    permit_ids = [
        row[0] for row in psycopg.connect(libpq_url(url), autocommit=True).execute("SELECT id FROM permit").fetchall()
    ]
    events_before = scalar(url, "SELECT count(*) FROM permit_event")

    checks: dict[str, bool] = {}
    options = ("--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning")
    with gunicorn("wsgi:app", 4, env, *options) as (server, base, gunicorn_log):
        if not wait_for(base, 60):
            log("gunicorn did not answer")
            return 1
        rec = Recorder()
        start_at = time.monotonic() + 15  # the clients sign in first (one password hash each)
        stop_at = start_at + DURATION
        threads = [
            threading.Thread(target=client_loop, args=(base, permit_ids, start_at, stop_at, rec, i), daemon=True)
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        log(f"{CLIENTS} clients sign in, then run for {DURATION:.0f} s against {base}")
        while time.monotonic() < start_at + KILL_WORKER_AT:
            time.sleep(0.1)
        before_kill = workers_of(server.pid)
        victim = random.choice(before_kill)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic() - start_at
        log(f"SIGKILL worker {victim}")
        while time.monotonic() < start_at + RESTART_DB_AT:
            time.sleep(0.1)
        log("pg_ctl restart -m fast")
        down, up = restart_postgres(data)
        log(f"PostgreSQL back after {up - down:.1f} s")
        for t in threads:
            t.join(timeout=max(1.0, stop_at - time.monotonic() + 40))
        workers_after = workers_of(server.pid)

    samples = list(rec.samples)
    unavailable = [s for s in samples if s[2] == 503]
    first_503 = min((s[0] for s in unavailable), default=None)
    last_503_end = max((s[0] + s[1] for s in unavailable), default=None)
    window = (down, max(up, last_503_end or up) + 0.5)
    in_window = [s for s in samples if window[0] <= s[0] + s[1] and s[0] <= window[1]]
    outside = [s for s in samples if s not in in_window]
    five_outside = [s for s in outside if s[2] >= 500]
    other_5xx_inside = [s for s in in_window if s[2] >= 500 and s[2] != 503]
    recovery = max(0.0, (last_503_end or up) - up)
    events_after = scalar(url, "SELECT count(*) FROM permit_event")
    new_events = events_after - events_before
    ok_latencies = [s[1] for s in samples if 200 <= s[2] < 400]
    log(f"gunicorn's log: {gunicorn_log}")

    checks["no 5xx outside the restart window"] = not five_outside
    checks["only 503 inside the restart window"] = not other_5xx_inside
    checks["503 pages seen while PostgreSQL was down"] = bool(unavailable)
    checks[f"recovered within {RECOVERY_LIMIT:.0f} s"] = recovery <= RECOVERY_LIMIT
    checks["accepted moves = new events"] = rec.accepted <= new_events <= rec.accepted + rec.lost_moves
    checks["killed worker replaced"] = len(workers_after) == 4 and victim not in workers_after
    checks["scan SIGKILLed inside its transaction"] = bool(scan.get("killed_mid_scan"))
    checks["after the kill, a clean scan = a clean scan on a copy"] = bool(scan.get("same_as_copy"))
    checks["a second scan changes nothing"] = bool(scan.get("idempotent")) and bool(scan.get("scans_ok"))
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s[2])] = statuses.get(str(s[2]), 0) + 1

    result = {
        "date": started.isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "memory_gib": memory_gib(), "platform": platform.platform()},
        "engine": "PostgreSQL " + str(scalar(url, "SHOW server_version")),
        "mode": "PANTAU_ENV=development (plain HTTP on 127.0.0.1: production's Secure cookie would not come back)",
        "gunicorn_workers": 4,
        "clients": CLIENTS,
        "duration_s": DURATION,
        "requests": len(samples),
        "statuses": statuses,
        "connection_errors": statuses.get("0", 0),
        "5xx_outside_restart": len(five_outside),
        "503_during_restart": len(unavailable),
        "other_5xx_during_restart": len(other_5xx_inside),
        "latency_ms": {
            "p50": round(percentile(ok_latencies, 0.5) * 1000, 1),
            "p95": round(percentile(ok_latencies, 0.95) * 1000, 1),
            "mean": round(statistics.fmean(ok_latencies) * 1000, 1) if ok_latencies else 0,
        },
        "moves": {
            "accepted": rec.accepted,
            "new_permit_events": new_events,
            "answer_lost": rec.lost_moves,
            "refused_by_status": {str(k): v for k, v in sorted(rec.refused_moves.items())},
        },
        "worker_killed_at_s": round(killed_at, 1),
        "postgres_restart": {
            "at_s": round(down - start_at, 1),
            "pg_ctl_seconds": round(up - down, 2),
            "first_503_at_s": round(first_503 - start_at, 1) if first_503 else None,
            "recovery_s_after_server_up": round(recovery, 2),
        },
        "scan": scan,
        "checks": checks,
        "passed": all(checks.values()),
    }
    rows = [
        ("requests", result["requests"]),
        ("connection errors (killed worker)", result["connection_errors"]),
        ("5xx outside the restart window", result["5xx_outside_restart"]),
        ("503 during the restart", result["503_during_restart"]),
        ("other 5xx during the restart", result["other_5xx_during_restart"]),
        ("p50 / p95 latency (ms)", f"{result['latency_ms']['p50']} / {result['latency_ms']['p95']}"),
        ("accepted moves / new events", f"{rec.accepted} / {new_events} (answer lost: {rec.lost_moves})"),
        ("pg_ctl restart (s)", result["postgres_restart"]["pg_ctl_seconds"]),
        ("recovery after server up (s)", result["postgres_restart"]["recovery_s_after_server_up"]),
        ("flags: copy / after kill+scan", f"{scan.get('reference_flags')} / {scan.get('flags_after_clean_run')}"),
    ]
    table = "\n".join(
        [
            f"Pantau soak {result['date']}: {result['engine']}, gunicorn 4 workers,"
            f" {CLIENTS} clients x {DURATION:.0f} s,"
            f" nproc {result['machine']['nproc']}, {result['machine']['memory_gib']} GiB",
            *(f"  {label:<36} {value}" for label, value in rows),
            *(f"  [{'ok' if passed else 'FAIL'}] {name}" for name, passed in checks.items()),
        ]
    )
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"soak-{started.strftime('%Y-%m-%dT%H%M%SZ')}"
    stem.with_suffix(".json").write_text(json.dumps({**result, "table": table}, indent=2, default=str) + "\n")
    stem.with_suffix(".txt").write_text(table + "\n")
    log(f"written {stem}.json and .txt")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
