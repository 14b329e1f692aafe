"""Benchmark: the study points ledger on PostgreSQL.

Targets (issue 5):
  (a) awards from 4 concurrent clients: >= 2,000 awards/s (services.awards.award, each its own
      committed transaction: the entry, its lot and the balance, one statement on PostgreSQL);
  (b) reserve + post cycles from 4 concurrent clients: >= 500 cycles/s;
  (c) balance query (services.points.balance) p99 < 5 ms with 1,000,000 entries in the ledger.
Also measured, without a target: awards through the earning rules (person + enterprise pool), a
ledger page, and the full reconciliation (``eduapp points verify``).

A scratch database (created if missing) is brought to the migrations' head and emptied; the ledger
is bulk-loaded with COPY (a history of awards, expiries and posted reservations per person, about
47 entries each) and only the measured operations are timed. Each client is its own process with
its own connection.

    python bench/ledger.py [--quick] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_ledger]

--quick loads 100,000 entries and does a fifth of the work (same targets). The last line printed
is a JSON object with the figures and targets_met.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _pg import copy_rows as _copy  # noqa: E402 (bench/ is on the path when run as a script)
from _pg import finish_load as _finish_load  # noqa: E402
from _pg import pg_timestamp as _ts  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_ledger"
AWARDS_TARGET = 2000  # awards per second, 4 clients
CYCLES_TARGET = 500  # reserve + post cycles per second, 4 clients
BALANCE_P99_TARGET_MS = 5.0
CLIENTS = 4
AWARDS_PER_PERSON = 40  # the loaded history: 40 awards, the 4 oldest expired, 2 spent by one posted reservation
ENTRIES_PER_PERSON = AWARDS_PER_PERSON + 4 + 2 + 1
PEOPLE_PER_ENTERPRISE = 50


def app_for(url: str):
    from eduapp import create_app

    return create_app({"EDUAPP_DATABASE_URL": url, "EDUAPP_SECRET_KEY": "bench" * 8, "EDUAPP_ENV": "testing"})


def prepare_database(url: str):
    """The scratch database at the migrations' head, emptied; returns the app."""
    from _pg import ensure_database, fresh_schema


    ensure_database(url)
    app = app_for(url)
    fresh_schema(app)
    return app


def _history(people: int, now: datetime):
    """The ledger of ``people`` persons as COPY lines: (award entries, lots, other entries,
    reservations, accounts). Account i belongs to user i; lot ids equal their award entry's id."""
    from eduapp.domain.points import expiry_for

    awards, lots, others, reservations, accounts = [], [], [], [], []
    entry_id = people * AWARDS_PER_PERSON  # the other entries come after every award
    for person in range(1, people + 1):
        available = 0
        first = (person - 1) * AWARDS_PER_PERSON
        spent = []
        for j in range(AWARDS_PER_PERSON):
            award_id = first + j + 1
            amount = 1 + (person * 7 + j) % 5
            created = now - timedelta(days=400 - j * 10, minutes=person % 600)
            expires = expiry_for(created, 12)
            awards.append(f"{award_id}\t{person}\taward\t{amount}\tbench:{person}:{j}\t\\N\t\\N\t\\N\t{_ts(expires)}\t"
                          f"Study time\t\\N\t{_ts(created)}\n")
            if expires <= now:  # expired: written off
                entry_id += 1
                others.append(f"{entry_id}\t{person}\texpire\t{-amount}\t\\N\t{award_id}\t\\N\t\\N\t\\N\tExpired\t"
                              f"\\N\t{_ts(expires + timedelta(minutes=5))}\n")
                remaining = 0
            elif len(spent) < 2:  # the two oldest usable lots went to an offset
                spent.append((award_id, amount))
                remaining = 0
            else:
                remaining = amount
                available += amount
            lots.append(f"{award_id}\t{person}\t{award_id}\t{amount}\t{remaining}\t{_ts(expires)}\t{_ts(created)}\n")
        held_at = _ts(now - timedelta(days=30))
        allocations = json.dumps([[lot, part] for lot, part in spent])
        reservations.append(f"{person}\t{person}\t{sum(p for _, p in spent)}\tposted\t{allocations}\t"
                            f"offset_application:{person}\t{held_at}\t{held_at}\n")
        for lot, part in spent:
            entry_id += 1
            others.append(f"{entry_id}\t{person}\treserve\t{-part}\t\\N\t{lot}\t{person}\t\\N\t\\N\tReserved\t\\N\t"
                          f"{held_at}\n")
        entry_id += 1
        others.append(f"{entry_id}\t{person}\tpost\t0\t\\N\t\\N\t{person}\t\\N\t\\N\tReserved points spent\t\\N\t"
                      f"{held_at}\n")
        accounts.append(f"{person}\tperson\t{person}\t{available}\t0\t{_ts(now)}\n")
    return awards, lots, others, reservations, accounts


def load(people: int, now: datetime) -> dict:
    """Enterprises, their staff, and the staff's ledgers; returns counts."""
    from eduapp.extensions import db

    enterprises = max(people // PEOPLE_PER_ENTERPRISE, 1)
    awards, lots, others, reservations, accounts = _history(people, now)
    pools = [f"{people + e}\tenterprise\t{e}\t0\t0\t{_ts(now)}\n" for e in range(1, enterprises + 1)]
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        _copy(cur, "organisations", "id, kind, name, active, created_at",
              (f"{e}\tenterprise\t基准企业{e:05d}\tt\t{_ts(now)}\n" for e in range(1, enterprises + 1)))
        _copy(cur, "users", "id, username, full_name, password_hash, organisation_id, active, must_change_password, "
              "session_token, created_at",
              (f"{u}\tbench{u:07d}\t员工{u}\tx\t{1 + (u - 1) % enterprises}\tt\tf\ttok{u}\t{_ts(now)}\n"
               for u in range(1, people + 1)))
        _copy(cur, "user_roles", "user_id, role", (f"{u}\tenterprise_staff\n" for u in range(1, people + 1)))
        _copy(cur, "points_accounts", "id, owner_kind, owner_id, available, reserved, updated_at", accounts + pools)
        columns = ("id, account_id, kind, amount, source_key, lot_id, reservation_id, reverses_id, expires_at, "
                   "reason, actor_id, created_at")
        entries = _copy(cur, "points_entries", columns, awards)
        _copy(cur, "points_lots", "id, account_id, entry_id, amount, remaining, expires_at, created_at", lots)
        _copy(cur, "points_reservations", "id, account_id, amount, state, allocations, purpose, created_at, "
              "settled_at", reservations)
        entries += _copy(cur, "points_entries", columns, others)
        _finish_load(raw, cur, ("organisations", "users", "points_accounts", "points_entries", "points_lots",
                      "points_reservations"))
    finally:
        raw.close()
    return {"people": people, "enterprises": enterprises, "entries": entries, "lots": len(lots)}


# --- the clients ----------------------------------------------------------------------------------------


def client(job: str, url: str, number: int, count: int, people: int, barrier, results) -> None:
    """One client process: ``count`` operations of ``job`` on its own connection; reports its timing."""
    from eduapp.extensions import db
    from eduapp.models import User
    from eduapp.services import awards, reservations

    app = app_for(url)
    rng = random.Random(1000 + number)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
        # each client works on its own quarter of the people, so that reservations never starve
        mine = list(range(1 + number, people + 1, CLIENTS))
        rng.shuffle(mine)
        barrier.wait()
        started = time.monotonic()
        errors = 0
        for n in range(count):
            try:
                if job == "award":
                    awards.award(rng.choice(mine), 1 + n % 5, f"bench-award:{number}:{n}", "Study time")
                elif job == "activity":
                    user = db.session.get(User, rng.choice(mine))
                    awards.award_for_activity(user, "training", f"training:{number}:{n}", points=2)
                elif job == "cycle":
                    reservation = reservations.reserve(mine[n % len(mine)], 3, f"bench-cycle:{number}:{n}")
                    reservations.post(reservation)
            except Exception:  # counted and reported: a benchmark must not stop half-way
                db.session.rollback()
                errors += 1
        finished = time.monotonic()
    results.put((started, finished, count, errors))


def run_clients(job: str, url: str, per_client: int, people: int) -> dict:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(CLIENTS), context.Queue()
    processes = [context.Process(target=client, args=(job, url, i, per_client, people, barrier, results))
                 for i in range(CLIENTS)]
    for p in processes:
        p.start()
    figures = [results.get(timeout=1800) for _ in processes]
    for p in processes:
        p.join()
    seconds = max(f for _, f, _, _ in figures) - min(s for s, _, _, _ in figures)
    done = sum(c for _, _, c, _ in figures)
    errors = sum(e for *_, e in figures)
    return {"operations": done, "errors": errors, "seconds": seconds, "per_second": (done - errors) / seconds}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def bench_reads(app, people: int, samples: int) -> dict:
    from eduapp.extensions import db
    from eduapp.services import ledger_verify, points

    rng = random.Random(3)
    with app.app_context():
        for _ in range(100):  # warm the connection and the plan cache (not counted)
            points.balance(rng.randrange(1, people + 1))
        db.session.rollback()
        balance_ms, ledger_ms = [], []
        for _ in range(samples):
            account = rng.randrange(1, people + 1)
            t0 = time.perf_counter()
            points.balance(account)
            balance_ms.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
        for _ in range(samples // 5):
            account = rng.randrange(1, people + 1)
            t0 = time.perf_counter()
            points.ledger(account, page=1, per_page=20)
            ledger_ms.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
        t0 = time.perf_counter()
        discrepancies = ledger_verify.verify()
        verify_seconds = time.perf_counter() - t0
    return {
        "balance_samples": samples, "balance_p50_ms": statistics.median(balance_ms),
        "balance_p99_ms": percentile(balance_ms, 99), "balance_max_ms": max(balance_ms),
        "ledger_p99_ms": percentile(ledger_ms, 99), "verify_seconds": verify_seconds,
        "discrepancies": len(discrepancies),
    }


def entry_count(app) -> int:
    from sqlalchemy import func, select

    from eduapp.extensions import db
    from eduapp.models import PointsEntry

    with app.app_context():
        return db.session.execute(select(func.count()).select_from(PointsEntry)).scalar_one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 entries and a fifth of the work")
    parser.add_argument("--database-url", default=os.environ.get("EDUAPP_BENCH_LEDGER_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    scale = 5 if args.quick else 1
    target_entries = 100_000 if args.quick else 1_000_000
    people = -(-target_entries // ENTRIES_PER_PERSON)
    now = datetime.now(UTC)

    app = prepare_database(args.database_url)
    started = time.perf_counter()
    with app.app_context():
        loaded = load(people, now)
    load_seconds = time.perf_counter() - started

    reads = bench_reads(app, people, 5000 // scale)  # on the loaded million, before anything is added
    awards = run_clients("award", args.database_url, 5000 // scale, people)
    activity = run_clients("activity", args.database_url, 2000 // scale, people)
    cycles = run_clients("cycle", args.database_url, 2500 // scale, people)
    total_entries = entry_count(app)

    awards_ok = awards["per_second"] >= AWARDS_TARGET and not awards["errors"]
    cycles_ok = cycles["per_second"] >= CYCLES_TARGET and not cycles["errors"]
    balance_ok = reads["balance_p99_ms"] < BALANCE_P99_TARGET_MS and loaded["entries"] >= target_entries

    print(f"{'benchmark':<44}{'size':>20}{'result':>16}{'target':>14}")
    print(f"{'(a) awards, 4 clients':<44}{awards['operations']:>13,} awards{awards['per_second']:>12,.0f} /s"
          f"{'>= ' + format(AWARDS_TARGET, ','):>12} /s  {'ok' if awards_ok else 'MISSED'}")
    print(f"{'    through the earning rules (person+pool)':<44}{activity['operations']:>13,} awards"
          f"{activity['per_second']:>12,.0f} /s")
    print(f"{'(b) reserve + post cycles, 4 clients':<44}{cycles['operations']:>13,} cycles"
          f"{cycles['per_second']:>12,.0f} /s{'>= ' + format(CYCLES_TARGET, ','):>12} /s  "
          f"{'ok' if cycles_ok else 'MISSED'}")
    print(f"{'(c) balance query, p99':<44}{loaded['entries']:>12,} entries{reads['balance_p99_ms']:>13.2f} ms"
          f"{'< ' + format(BALANCE_P99_TARGET_MS, '.0f'):>12} ms  {'ok' if balance_ok else 'MISSED'}")
    print(f"{'    balance p50 / max':<44}{'':>20}{reads['balance_p50_ms']:>10.2f} / {reads['balance_max_ms']:.2f} ms")
    print(f"{'    ledger page (20 newest), p99':<44}{'':>20}{reads['ledger_p99_ms']:>13.2f} ms")
    print(f"{'    verify the whole ledger':<44}{'':>20}{reads['verify_seconds']:>14.2f} s "
          f"({reads['discrepancies']} discrepancies)")
    print(f"{'    bulk load with COPY (not timed above)':<44}{'':>20}{load_seconds:>14.2f} s")
    print(f"{loaded['people']:,} people in {loaded['enterprises']:,} enterprises, {loaded['lots']:,} lots; "
          f"{total_entries:,} entries at the end; errors: awards {awards['errors']}, activity "
          f"{activity['errors']}, cycles {cycles['errors']}")
    summary = {
        "quick": args.quick,
        "targets_met": awards_ok and cycles_ok and balance_ok,
        "clients": CLIENTS,
        "entries_loaded": loaded["entries"],
        "entries_at_end": total_entries,
        "awards": awards["operations"],
        "awards_per_second": round(awards["per_second"]),
        "awards_target_per_second": AWARDS_TARGET,
        "activity_awards_per_second": round(activity["per_second"]),
        "cycles": cycles["operations"],
        "cycles_per_second": round(cycles["per_second"]),
        "cycles_target_per_second": CYCLES_TARGET,
        "balance_p50_ms": round(reads["balance_p50_ms"], 3),
        "balance_p99_ms": round(reads["balance_p99_ms"], 3),
        "balance_p99_target_ms": BALANCE_P99_TARGET_MS,
        "ledger_page_p99_ms": round(reads["ledger_p99_ms"], 3),
        "verify_seconds": round(reads["verify_seconds"], 2),
        "discrepancies": reads["discrepancies"],
        "errors": awards["errors"] + activity["errors"] + cycles["errors"],
        "load_seconds": round(load_seconds, 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
