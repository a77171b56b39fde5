"""Benchmark: many approved milestones paid through Stripe by real Celery workers while two
finance officers release the same payments at once and the gateway fails on purpose.

Self-contained (``make bench-payments COUNT=1000 WORKERS=4``): on a dedicated PostgreSQL
database (its name must contain "bench"; it is dropped and created again) and a dedicated Redis
database (flushed), it starts the Stripe emulator of ``devtools`` (a dev dependency),
a web process that receives the emulator's signed webhooks, and ``--workers`` Celery worker
processes, on their queues as production runs them (docker-compose.yml): ``--webhook-workers``
(1) consume only ``webhooks``, the others ``payouts`` and ``default``; creates ``--count``
disbursements through the services (funds with budget
allocations, one award per grantee, one payment per milestone, grantees with a Stripe Express
account whose onboarding is complete); releases every one of them from two threads at once
(two finance officers); makes a fraction of transfer creations fail (500 before anything
happens, or a transfer made whose answer comes after the client gave up); waits until all are
paid or ``--timeout``; stops what it started; and prints one figure per line, then
``transfers=N duplicates=D balanced=yes|no rate=R/s`` (rate: payments paid per second, from the
first release to the last confirmation). ``webhook_wait_*`` is how long the provider's events
waited between their receipt and their processing.

Beat is not started: the command queues the recovery sweeps itself every few seconds (the
schedules in settings run them every few minutes in production).

The worker processes get ``STRIPE_TIMEOUT_SECONDS`` = ``--client-timeout`` (80 s by default in
production), so that an injected timeout costs seconds. The command speaks to payments through
``payments.api`` and to Stripe through the gateway interface only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Count, Sum

STRIPE_KEY = "sk_test_bench_payments"
WEBHOOK_SECRET = "whsec_bench_payments"
MILESTONE_AMOUNT = 2_500_000_00  # Rp 2.500.000 each
MILESTONES_PER_AWARD = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Benchmark the payment pipeline end to end (emulated Stripe, real Celery workers, a "
        "dedicated PostgreSQL database and Redis database) and check that nothing is paid twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="disbursements to pay (default 1000)")
        parser.add_argument("--workers", type=int, default=4, help="Celery worker processes (default 4)")
        parser.add_argument(
            "--webhook-workers",
            type=int,
            default=1,
            help="of these, workers consuming only the webhooks queue (default 1; 0: every worker "
            "consumes every queue, webhooks behind payouts)",
        )
        parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for all to be paid")
        parser.add_argument(
            "--error-rate", type=float, default=0.2, help="share of transfer calls answered 500 (default 0.2)"
        )
        parser.add_argument(
            "--timeout-rate",
            type=float,
            default=0.1,
            help="share of transfer calls made but answered after the client gave up (default 0.1)",
        )
        parser.add_argument(
            "--client-timeout", type=float, default=2.0, help="the workers' Stripe client timeout, seconds"
        )
        parser.add_argument("--seed", type=int, default=2026, help="seed of the injected faults")

    # ------------------------------------------------------------------------------------------

    def handle(self, *args, **options):
        count, workers, webhook_workers = options["count"], options["workers"], options["webhook_workers"]
        if count < 1 or workers < 1:
            raise CommandError("--count and --workers must be at least 1.")
        if not 0 <= webhook_workers < workers:
            raise CommandError("--webhook-workers must leave at least one worker for payouts.")
        database = settings.DATABASES["default"]
        if "postgresql" not in database["ENGINE"] or "bench" not in str(database["NAME"]):
            raise CommandError(
                "The benchmark drops and recreates its database: point DATABASE_URL at a PostgreSQL "
                "database whose name contains 'bench' (make bench-payments does)."
            )
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith("redis://") or settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "Set CELERY_BROKER_URL to a dedicated Redis database (make bench-payments does)."
            )
        try:
            from devtools import stripe_emulator
        except ImportError as exc:
            raise CommandError(
                f"The Stripe emulator needs the dev dependencies ({exc}); run `make dev`."
            ) from exc

        self.figures: list[tuple[str, object]] = []
        self.logs = Path(tempfile.mkdtemp(prefix="bench-payments-"))
        self.processes: list[tuple[str, subprocess.Popen]] = []
        started = time.monotonic()
        self._recreate_database(database)
        self._flush_redis(broker)
        seconds = time.monotonic() - started
        self.say(f"database {database['NAME']} migrated, redis {broker} flushed ({seconds:.1f}s)")

        with stripe_emulator.running_stripe_emulator() as url:
            settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = STRIPE_KEY, url
            settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
            env = self._child_env(url, options["client_timeout"])
            try:
                web = self._start_web(env)
                stripe_emulator.register_webhook(
                    url,
                    f"{web}/payments/webhooks/stripe/",
                    WEBHOOK_SECRET,
                    events=["transfer.created", "transfer.updated", "transfer.reversed"],
                )
                ids, people = self._create(count, url, stripe_emulator)
                self.figure("workers", workers)
                queues = self._worker_queues(workers, webhook_workers)
                self.figure("worker_queues", " ".join(f"{q}:{n}" for q, n in Counter(queues).items()))
                self.figure(
                    "faults",
                    f"500s {options['error_rate']:.0%}, timeouts {options['timeout_rate']:.0%} "
                    f"(client timeout {options['client_timeout']:g}s) of transfer calls",
                )
                stripe_emulator.configure_faults(
                    url,
                    error_rate=options["error_rate"],
                    timeout_rate=options["timeout_rate"],
                    delay=options["client_timeout"] + 1.0,
                    seed=options["seed"],
                )
                self._start_workers(queues, env)
                release_started = time.monotonic()
                self._release_race(ids, people)
                all_paid = self._wait(ids, release_started, options["timeout"])
                elapsed = time.monotonic() - release_started
            finally:
                self._stop_processes()
            faults = stripe_emulator.faults(url)
            stripe_emulator.configure_faults(url)
            self._report(ids, url, faults, elapsed, all_paid)

    # Steps --------------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def figure(self, name: str, value) -> None:
        self.figures.append((name, value))
        self.say(f"{name}={value}")

    def _recreate_database(self, database: dict) -> None:
        import psycopg

        connections.close_all()
        params: dict[str, Any] = {
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
        }
        name = str(database["NAME"])
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            quoted = '"' + name.replace('"', '""') + '"'
            admin.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {quoted}")
        call_command("migrate", verbosity=0, interactive=False)

    def _flush_redis(self, broker: str) -> None:
        import redis

        redis.Redis.from_url(broker).flushdb()

    def _child_env(self, stripe_url: str, client_timeout: float) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "STRIPE_SECRET_KEY": STRIPE_KEY,
                "STRIPE_API_BASE": stripe_url,
                "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "DEBUG": "0",
                "SECRET_KEY": settings.SECRET_KEY,
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                "STRIPE_TIMEOUT_SECONDS": str(client_timeout),
            }
        )
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        self.processes.append((name, process))
        return process

    def _start_web(self, env: dict[str, str]) -> str:
        """A web process for the emulator's webhooks (signed; verified and stored by the site)."""
        port = _free_port()
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "-t",
                "60",
            ],
            env,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/payments/webhooks/stripe/", timeout=2)
            except urllib.error.HTTPError:
                return base  # 405 for a GET: it answers
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
                continue
            return base
        raise CommandError(f"the web process did not answer; see {self.logs}/web.log")

    def _create(self, count: int, stripe_url: str, stripe_emulator) -> tuple[list[int], dict]:
        """Funds, awards and approved milestones' disbursements, through the payments_api."""
        from payments import api as payments_api
        from payments.models import Recipient

        started = time.monotonic()
        people = {name: self._user(name, group) for name, group in _PEOPLE}
        awards = (count + MILESTONES_PER_AWARD - 1) // MILESTONES_PER_AWARD
        funds = [
            payments_api.fund_get_or_create(
                reference=f"challenge:bench-{index}", name=f"Tantangan uji {index}"
            )
            for index in range(min(10, awards))
        ]
        per_fund = Counter(index % len(funds) for index in range(awards))
        for index, fund in enumerate(funds):
            payments_api.allocation_record(
                fund=fund,
                amount=per_fund[index] * MILESTONES_PER_AWARD * MILESTONE_AMOUNT,
                by=people["finance_a"],
                description="APBD 2026",
                reference=f"DPA-BENCH-{index}",
                idempotency_key=f"bench-apbd-{index}",
            )
        ids: list[int] = []
        for award in range(awards):
            payee = f"organisation:bench-{award}"
            payments_api.recipient_start_stripe_onboarding(
                payee_reference=payee,
                email=f"keuangan{award}@bench.example.id",
                country="GB",
                return_url="http://127.0.0.1/back/",
                refresh_url="http://127.0.0.1/again/",
            )
            account = Recipient.objects.get(payee_reference=payee).stripe_account_id
            stripe_emulator.complete_onboarding(stripe_url, account)
            payments_api.recipient_sync_stripe(account_id=account, activate=True)
            milestones = min(MILESTONES_PER_AWARD, count - len(ids))
            commitment = payments_api.commitment_create(
                fund=funds[award % len(funds)],
                reference=f"award:bench-{award}",
                amount=milestones * MILESTONE_AMOUNT,
                by=people["official"],
            )
            for milestone in range(milestones):
                ids.append(
                    payments_api.disbursement_create(
                        commitment=commitment,
                        reference=f"milestone:bench-{award}-{milestone}",
                        amount=MILESTONE_AMOUNT,
                        payee_reference=payee,
                        requested_by=people["official"],
                        description=f"Tahap {milestone + 1}",
                    ).pk
                )
        self.figure("setup_seconds", f"{time.monotonic() - started:.1f}")
        self.figure("disbursements", len(ids))
        self.figure("grantees", awards)
        return ids, people

    def _user(self, username: str, group: str):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        user = get_user_model().objects.create_user(username=username, email=f"{username}@bench.example.id")
        user.groups.add(Group.objects.get(name=group))
        return user

    def _worker_queues(self, workers: int, webhook_workers: int) -> list[str]:
        """The -Q of each worker: every configured queue is consumed by at least one."""
        from config.celery import app

        every = ",".join(queue.name for queue in app.conf.task_queues)
        if not webhook_workers:
            return [every] * workers
        rest = ",".join(q for q in every.split(",") if q != "webhooks")
        return ["webhooks"] * webhook_workers + [rest] * (workers - webhook_workers)

    def _start_workers(self, queues: list[str], env: dict[str, str]) -> None:
        from config.celery import app

        for index, names in enumerate(queues):
            self._spawn(
                f"worker{index}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    f"--hostname=bench{index}@%h",
                    f"--queues={names}",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                ],
                env,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if len(app.control.ping(timeout=1.0) or []) >= len(queues):
                return
            for name, process in self.processes:
                if process.poll() is not None:
                    raise CommandError(f"{name} exited; see {self.logs}/{name}.log")
        raise CommandError(f"the workers did not answer; see {self.logs}")

    def _release_race(self, ids: list[int], people: dict) -> None:
        """Two finance officers release every payment at the same time, in the same order."""
        from payments import api as payments_api
        from payments.models import Disbursement

        outcomes: Counter = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(2)

        def session(user, order):
            barrier.wait()
            try:
                for pk in order:
                    try:
                        payments_api.disbursement_release(disbursement=Disbursement(pk=pk), by=user)
                        result = f"released_by_{user.username}"
                    except payments_api.PaymentError:
                        result = "release_refused"
                    with lock:
                        outcomes[result] += 1
            finally:
                connection.close()

        started = time.monotonic()
        threads = [
            threading.Thread(target=session, args=(people["finance_a"], ids)),
            threading.Thread(target=session, args=(people["finance_b"], ids)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.figure("release_seconds", f"{time.monotonic() - started:.1f}")
        for name in ("released_by_finance_a", "released_by_finance_b", "release_refused"):
            self.figure(name, outcomes[name])

    def _wait(self, ids: list[int], started: float, timeout: float) -> bool:
        from payments import tasks
        from payments.models import Disbursement

        last_sweep = last_line = time.monotonic()
        while True:
            statuses = Counter(
                dict(
                    Disbursement.objects.filter(pk__in=ids)
                    .values_list("status")
                    .annotate(n=Count("pk"))
                    .values_list("status", "n")
                )
            )
            now = time.monotonic()
            if statuses["paid"] == len(ids):
                return True
            if now - started > timeout:
                self.say(f"timeout after {timeout:.0f}s: {dict(statuses)}")
                return False
            if now - last_sweep > 5:
                # What beat does in production, more often: resend what is stuck, ask Stripe about
                # what was sent but never confirmed (a lost webhook).
                tasks.resend_stuck_disbursements.delay(older_than_seconds=10)
                tasks.confirm_sent_disbursements.delay(older_than_seconds=10)
                last_sweep = now
            if now - last_line > 10:
                self.say(f"  {now - started:.0f}s: {dict(sorted(statuses.items()))}")
                last_line = now
            time.sleep(0.5)

    def _stop_processes(self) -> None:
        for _name, process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 20
        for _name, process in self.processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []

    def _report(self, ids: list[int], stripe_url: str, faults: dict, elapsed: float, all_paid: bool) -> None:
        import datetime

        from payments import api as payments_api
        from payments.gateways import get_gateway
        from payments.models import Account, Disbursement, Entry, GatewayCall, Transaction, WebhookEvent

        disbursements = Disbursement.objects.filter(pk__in=ids)
        paid = disbursements.filter(status=Disbursement.Status.PAID)
        paid_count = paid.count()
        paid_sum = paid.aggregate(total=Sum("amount"))["total"] or 0
        transfers = get_gateway("stripe").transfers_since(None)
        per_disbursement = Counter(t.metadata.get("disbursement", "") for t in transfers)
        duplicates = sum(n - 1 for n in per_disbursement.values() if n > 1)
        transferred = sum(t.amount - t.amount_reversed for t in transfers)

        unbalanced = (
            Entry.objects.values("transaction_id", "currency")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
            .count()
        )
        by_kind = dict(Entry.objects.values_list("account__kind").annotate(total=Sum("amount")))
        grants_paid = by_kind.get(Account.Kind.GRANTS_PAID, 0)
        in_flight = by_kind.get(Account.Kind.RECEIVABLE, 0) + by_kind.get(Account.Kind.CLEARING, 0)
        allocated = -by_kind.get(Account.Kind.BUDGET_SOURCE, 0)
        held = by_kind.get(Account.Kind.FUND, 0) + by_kind.get(Account.Kind.COMMITTED, 0)
        totals_match = (
            grants_paid == paid_sum == transferred
            and (in_flight == 0 if all_paid else True)
            and allocated == held + in_flight + grants_paid
        )
        balanced = unbalanced == 0 and totals_match
        run = payments_api.reconcile(full=True, settle=datetime.timedelta(0)).run

        self.figure("paid", paid_count)
        self.figure(
            "not_paid", dict(Counter(disbursements.exclude(status="paid").values_list("status", flat=True)))
        )
        self.figure("pay_seconds", f"{elapsed:.1f}")
        self.figure("gateway_requests", faults.get("requests", 0))
        self.figure("injected_500s", faults.get("errors", 0))
        self.figure("injected_timeouts", faults.get("timeouts", 0))
        self.figure("gateway_calls_recorded", GatewayCall.objects.filter(disbursement__in=ids).count())
        self.figure(
            "attempts_per_disbursement_max",
            disbursements.order_by("-attempts").values_list("attempts", flat=True)[0],
        )
        self.figure("webhook_events", WebhookEvent.objects.count())
        waits = sorted(
            (event.processed_at - event.received_at).total_seconds()
            for event in WebhookEvent.objects.exclude(processed_at=None).only("received_at", "processed_at")
        )
        if waits:
            for name, share in (("p50", 0.5), ("p95", 0.95)):
                self.figure(f"webhook_wait_{name}_seconds", f"{waits[int(share * (len(waits) - 1))]:.2f}")
            self.figure("webhook_wait_max_seconds", f"{waits[-1]:.2f}")
        self.figure("ledger_transactions", Transaction.objects.count())
        self.figure("unbalanced_transactions", unbalanced)
        self.figure("paid_total", paid_sum)
        self.figure("ledger_grants_paid", grants_paid)
        self.figure("stripe_transferred", transferred)
        self.figure("reconciliation_differences", len(run.differences))
        rate = paid_count / elapsed if elapsed else 0.0
        self.say(
            f"transfers={len(transfers)} duplicates={duplicates} balanced={'yes' if balanced else 'no'} "
            f"rate={rate:.1f}/s"
        )
        if duplicates or not balanced or not all_paid:
            raise CommandError(f"the benchmark found a problem; the processes' logs are in {self.logs}")


_PEOPLE = [
    ("finance_a", "finance"),
    ("finance_b", "finance"),
    ("official", "official"),
]
