"""Fill a dedicated PostgreSQL database to benchmark size by copying the demo's rows in SQL.

Every kind of row is copied from the demo's own rows (the templates), whatever columns the
tables have today: a copy takes every column of its template and overrides only the ones that
must differ (ids, slugs, tree paths, dates, references). So the data looks like the demo's,
spread over many challenges, organisations and funds, and a new column needs no change here.

The copies bypass the services on purpose (minutes instead of hours): the audit trail is not
copied and the ledger's hash chain does not cover the copied transactions, so `verify_chains`
reports the bench database as broken (the funds' kept totals are rebuilt from the entries, so
`verify_fund_balances` holds). Never run this on a database that matters; the command
refuses any database whose name does not contain "bench".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection

from payments import fund_balances

# Wagtail's tree: each level adds four base-36 characters to the parent's path.
BASE36_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.tree_step(n bigint) RETURNS text AS $$
    SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                             ((n / (36 ^ (3 - i))::bigint) %% 36)::int + 1, 1), '' ORDER BY i)
    FROM generate_series(0, 3) i
$$ LANGUAGE sql IMMUTABLE;
"""


@dataclass(frozen=True)
class Sizes:
    challenges: int
    organisations: int
    proposals: int
    awards: int
    entries: int


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def copy_rows(
    table: str, *, source: str, overrides: Mapping[str, str], skip: tuple[str, ...] = ("id",)
) -> int:
    """INSERT INTO ``table`` one row per row of ``source`` (a FROM clause whose alias ``t`` is a
    row of ``table``): every column from ``t`` except those in ``overrides`` (SQL expressions)
    and ``skip`` (left to their defaults: the serial id)."""
    names = [c for c in columns(table) if c not in skip]
    select = ", ".join(overrides.get(c, f"t.{c}") for c in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT {select} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, {})
        return cursor.rowcount


def execute(sql: str, params: Mapping[str, object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})


def scalar(sql: str, params: Mapping[str, object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0


def current_sizes() -> Sizes:
    return Sizes(
        challenges=scalar("SELECT count(*) FROM challenges_challengepage"),
        organisations=scalar("SELECT count(*) FROM organisations_organisation"),
        proposals=scalar("SELECT count(*) FROM proposals_proposal"),
        awards=scalar("SELECT count(*) FROM awards_award"),
        entries=scalar("SELECT count(*) FROM payments_entry"),
    )


def fill(target: Sizes, log=print) -> Sizes:
    """Bring each count up to ``target`` (never down); returns the sizes reached."""
    execute(BASE36_SQL)
    have = current_sizes()
    if have.organisations < target.organisations:
        log(f"organisations: {have.organisations} → {target.organisations}")
        add_organisations(target.organisations - have.organisations)
    if have.challenges < target.challenges:
        log(f"challenges: {have.challenges} → {target.challenges}")
        add_challenges(target.challenges - have.challenges)
    if have.proposals < target.proposals:
        log(f"proposals: {have.proposals} → {target.proposals}")
        add_proposals(target.proposals - have.proposals)
    if have.awards < target.awards:
        log(f"awards: {have.awards} → {target.awards}")
        add_awards(target.awards - have.awards)
    have = current_sizes()
    if have.entries < target.entries:
        log(f"ledger entries: {have.entries} → {target.entries}")
        add_ledger_entries(target.entries - have.entries)
    log("fund totals from the entries")
    fund_balances.rebuild()
    return current_sizes()


def vacuum_analyze() -> None:
    """Fresh statistics for the planner (outside any transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def add_organisations(count: int) -> None:
    """Copies of the demo's verified organisations, each with its sectors."""
    execute("DROP TABLE IF EXISTS bench_org_template")
    execute(
        "CREATE TEMP TABLE bench_org_template AS SELECT id, row_number() OVER (ORDER BY id) AS rn "
        "FROM organisations_organisation WHERE verified AND slug NOT LIKE '%%-b%%'"
    )
    templates = scalar("SELECT count(*) FROM bench_org_template")
    start = scalar("SELECT coalesce(max(id), 0) FROM organisations_organisation")
    copy_rows(
        "organisations_organisation",
        source=f"""generate_series(1, {count}) g
            JOIN bench_org_template bt ON bt.rn = g %% {templates} + 1
            JOIN organisations_organisation t ON t.id = bt.id""",
        overrides={
            "name": "t.name || ' ' || g",
            "slug": f"t.slug || '-b{start}-' || g",
            "logo": "''",
            "created_at": "now() - (g %% 900 || ' days')::interval",
        },
    )
    execute(
        """INSERT INTO organisations_organisation_sectors (organisation_id, sector_id)
        SELECT o.id, s.sector_id FROM organisations_organisation o
        JOIN organisations_organisation t ON o.slug LIKE t.slug || '-b%%'
        JOIN organisations_organisation_sectors s ON s.organisation_id = t.id
        WHERE o.id > %(start)s ON CONFLICT DO NOTHING""",
        {"start": start},
    )


def add_challenges(count: int) -> None:
    """Copies of the demo's live challenges under the demo's challenge index pages, with their
    incentives, criteria, tags and a funded fund each; closing dates spread around today."""
    execute("DROP TABLE IF EXISTS bench_page_template")
    execute(
        """CREATE TEMP TABLE bench_page_template AS
        SELECT p.id, row_number() OVER (ORDER BY p.id) AS rn FROM wagtailcore_page p
        JOIN challenges_challengepage c ON c.page_ptr_id = p.id
        WHERE p.live AND p.slug NOT LIKE '%%-b%%'"""
    )
    templates = scalar("SELECT count(*) FROM bench_page_template")
    start = scalar("SELECT coalesce(max(id), 0) FROM wagtailcore_page")
    # One new page per g, under its template's own parent, placed after the parent's children.
    execute("DROP TABLE IF EXISTS bench_new_page")
    execute(
        f"""CREATE TEMP TABLE bench_new_page AS
        SELECT g, bt.id AS template_id, parent.id AS parent_id, parent.path AS parent_path,
               parent.url_path AS parent_url_path,
               parent.numchild + row_number() OVER (PARTITION BY parent.id ORDER BY g) AS position
        FROM generate_series(1, {count}) g
        JOIN bench_page_template bt ON bt.rn = g %% {templates} + 1
        JOIN wagtailcore_page t ON t.id = bt.id
        JOIN wagtailcore_page parent ON parent.path = substr(t.path, 1, length(t.path) - 4)"""
    )
    suffix = f"'-b{start}-' || n.g"
    copy_rows(
        "wagtailcore_page",
        source="bench_new_page n JOIN wagtailcore_page t ON t.id = n.template_id",
        overrides={
            "path": "n.parent_path || pg_temp.tree_step(n.position)",
            "numchild": "0",
            "title": "t.title || ' ' || n.g",
            "draft_title": "t.title || ' ' || n.g",
            "slug": f"t.slug || {suffix}",
            "url_path": f"n.parent_url_path || t.slug || {suffix} || '/'",
            "translation_key": "gen_random_uuid()",
            "live_revision_id": "NULL",
            "latest_revision_id": "NULL",
            "locked_by_id": "NULL",
            "alias_of_id": "NULL",
        },
    )
    execute(
        """UPDATE wagtailcore_page parent SET numchild = (
            SELECT count(*) FROM wagtailcore_page c
            WHERE c.path LIKE parent.path || '____' AND c.depth = parent.depth + 1)
        WHERE parent.id IN (SELECT DISTINCT parent_id FROM bench_new_page)"""
    )
    execute("DROP TABLE IF EXISTS bench_page_map")
    execute(
        f"""CREATE TEMP TABLE bench_page_map AS
        SELECT p.id AS new_id, n.template_id, n.g FROM bench_new_page n
        JOIN wagtailcore_page t ON t.id = n.template_id
        JOIN wagtailcore_page p ON p.slug = t.slug || '-b{start}-' || n.g"""
    )
    execute("CREATE INDEX ON bench_page_map (template_id)")
    copy_rows(
        "challenges_challengepage",
        source="bench_page_map m JOIN challenges_challengepage t ON t.page_ptr_id = m.template_id",
        skip=(),
        overrides={
            "page_ptr_id": "m.new_id",
            "opens_at": "now() - ((m.g %% 90) + 30 || ' days')::interval",
            "closes_at": "now() + ((m.g %% 150) - 75 || ' days')::interval",
        },
    )
    for child in ("challenges_incentive", "challenges_criterion"):
        copy_rows(
            child,
            source=f"bench_page_map m JOIN {child} t ON t.challenge_id = m.template_id",
            overrides={"challenge_id": "m.new_id"},
        )
    for m2m, other in (
        ("challenges_challengepage_beneficiaries", "beneficiary_id"),
        ("challenges_challengepage_sdg_tags", "sdgtag_id"),
    ):
        execute(
            f"""INSERT INTO {m2m} (challengepage_id, {other})
            SELECT m.new_id, t.{other} FROM bench_page_map m
            JOIN {m2m} t ON t.challengepage_id = m.template_id"""
        )
    add_challenge_funds()


def add_challenge_funds() -> None:
    """A fund, its cash and committed accounts and an APBD allocation for each new challenge."""
    execute(
        """INSERT INTO payments_fund (reference, name, currency, created_at)
        SELECT 'challenge:' || m.new_id, p.title, 'IDR', now() FROM bench_page_map m
        JOIN wagtailcore_page p ON p.id = m.new_id"""
    )
    execute(
        """INSERT INTO payments_account (code, name, kind, currency, fund_id)
        SELECT 'fund:' || f.id || ':' || k.suffix, k.label || f.name, k.kind, 'IDR', f.id
        FROM payments_fund f
        CROSS JOIN (VALUES ('cash', 'fund', 'Dana '), ('committed', 'committed', 'Komitmen '))
            AS k(suffix, kind, label)
        WHERE f.reference IN (SELECT 'challenge:' || new_id FROM bench_page_map)"""
    )
    post_transactions(
        "allocation",
        """SELECT f.id AS fund_id, 'fund:' || f.id || ':cash' AS debit_code, 'source:apbd' AS credit_code,
                  'allocation:bench-' || f.id AS key, 'DPA-BENCH-' || f.id AS reference,
                  50000000000::bigint AS amount, NULL::bigint AS commitment_id
        FROM payments_fund f JOIN bench_page_map m ON f.reference = 'challenge:' || m.new_id""",
    )


def post_transactions(kind: str, rows_sql: str) -> None:
    """One balanced transaction (a debit and a credit entry) per row of ``rows_sql``, which
    gives fund_id, debit_code, credit_code (account codes), key, reference, amount and
    commitment_id."""
    execute("DROP TABLE IF EXISTS bench_tx")
    execute(f"CREATE TEMP TABLE bench_tx AS {rows_sql}")
    execute(
        f"""INSERT INTO payments_transaction
            (kind, description, reference, idempotency_key, created_at, fund_id, commitment_id,
             chain_hash, chain_prev_hash)
        SELECT '{kind}', '', reference, key, now() - (random() * 700 || ' days')::interval,
               fund_id, commitment_id, repeat('0', 64), repeat('0', 64)
        FROM bench_tx"""
    )
    for code_column, sign in (("debit_code", "1"), ("credit_code", "-1")):
        execute(
            f"""INSERT INTO payments_entry (amount, currency, account_id, transaction_id)
            SELECT {sign} * b.amount, 'IDR', a.id, t.id FROM bench_tx b
            JOIN payments_transaction t ON t.idempotency_key = b.key
            JOIN payments_account a ON a.code = b.{code_column}"""
        )


def add_proposals(count: int) -> None:
    """Copies of the demo's proposals spread over every challenge and organisation."""
    execute("DROP TABLE IF EXISTS bench_proposal_template")
    execute(
        "CREATE TEMP TABLE bench_proposal_template AS "
        "SELECT id, row_number() OVER (ORDER BY id) AS rn FROM proposals_proposal WHERE status <> 'awarded'"
    )
    execute("DROP TABLE IF EXISTS bench_challenge_ids")
    execute(
        "CREATE TEMP TABLE bench_challenge_ids AS "
        "SELECT page_ptr_id AS id, row_number() OVER (ORDER BY page_ptr_id) AS rn "
        "FROM challenges_challengepage"
    )
    execute("DROP TABLE IF EXISTS bench_org_ids")
    execute(
        "CREATE TEMP TABLE bench_org_ids AS "
        "SELECT id, row_number() OVER (ORDER BY id) AS rn FROM organisations_organisation"
    )
    templates = scalar("SELECT count(*) FROM bench_proposal_template")
    challenges = scalar("SELECT count(*) FROM bench_challenge_ids")
    organisations = scalar("SELECT count(*) FROM bench_org_ids")
    copy_rows(
        "proposals_proposal",
        source=f"""generate_series(1, {count}) g
            JOIN bench_proposal_template bt ON bt.rn = g %% {templates} + 1
            JOIN proposals_proposal t ON t.id = bt.id
            JOIN bench_challenge_ids c ON c.rn = g %% {challenges} + 1
            JOIN bench_org_ids o ON o.rn = (g * 7) %% {organisations} + 1""",
        overrides={
            "title": "t.title || ' ' || g",
            "challenge_id": "c.id",
            "organisation_id": "o.id",
        },
    )


def add_awards(count: int) -> None:
    """Awards on proposals of challenges whose results are published (public projects), each
    with the template's milestones, a commitment and its first milestone paid."""
    template_award = scalar(
        "SELECT a.id FROM awards_award a JOIN proposals_proposal p ON p.id = a.proposal_id "
        "JOIN challenges_challengepage c ON c.page_ptr_id = p.challenge_id "
        "WHERE c.results_published_at IS NOT NULL ORDER BY a.id LIMIT 1"
    )
    execute("DROP TABLE IF EXISTS bench_award_proposal")
    execute(
        f"""CREATE TEMP TABLE bench_award_proposal AS
        SELECT p.id AS proposal_id, row_number() OVER (ORDER BY p.id) AS g FROM proposals_proposal p
        JOIN challenges_challengepage c ON c.page_ptr_id = p.challenge_id
        WHERE c.results_published_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM awards_award a WHERE a.proposal_id = p.id)
        ORDER BY p.id LIMIT {count}"""
    )
    execute(
        "UPDATE proposals_proposal SET status = 'awarded' "
        "WHERE id IN (SELECT proposal_id FROM bench_award_proposal)"
    )
    copy_rows(
        "awards_award",
        source=f"bench_award_proposal b CROSS JOIN awards_award t WHERE t.id = {template_award}",
        overrides={
            "proposal_id": "b.proposal_id",
            "commitment_id": "NULL",
            "awarded_at": "now() - (b.g %% 400 || ' days')::interval",
        },
    )
    execute("DROP TABLE IF EXISTS bench_new_award")
    execute(
        """CREATE TEMP TABLE bench_new_award AS
        SELECT a.id, p.challenge_id FROM awards_award a JOIN proposals_proposal p ON p.id = a.proposal_id
        WHERE a.proposal_id IN (SELECT proposal_id FROM bench_award_proposal)"""
    )
    copy_rows(
        "awards_milestone",
        source=f"bench_new_award n JOIN awards_milestone t ON t.award_id = {template_award}",
        overrides={"award_id": "n.id", "disbursement_id": "NULL", "status": "'planned'"},
    )
    if scalar(f"SELECT count(*) FROM awards_agreement WHERE award_id = {template_award}"):
        copy_rows(
            "awards_agreement",
            source=f"bench_new_award n JOIN awards_agreement t ON t.award_id = {template_award}",
            overrides={"award_id": "n.id"},
        )
    # The commitment each award reserves on its challenge's fund, disclosed (results published).
    execute(
        """INSERT INTO payments_commitment
            (reference, amount, currency, created_at, release_reason, created_by_id, fund_id, disclosed_at)
        SELECT 'award:' || a.id, a.amount, 'IDR', a.awarded_at, '', a.awarded_by_id, f.id, a.awarded_at
        FROM awards_award a JOIN bench_new_award n ON n.id = a.id
        JOIN payments_fund f ON f.reference = 'challenge:' || n.challenge_id"""
    )
    execute(
        """UPDATE awards_award a SET commitment_id = c.id FROM payments_commitment c
        WHERE c.reference = 'award:' || a.id AND a.id IN (SELECT id FROM bench_new_award)"""
    )
    post_transactions(
        "award",
        """SELECT c.fund_id, 'fund:' || c.fund_id || ':committed' AS debit_code,
                  'fund:' || c.fund_id || ':cash' AS credit_code, 'commitment:' || c.id AS key,
                  c.reference, c.amount, c.id AS commitment_id
        FROM payments_commitment c JOIN bench_new_award n ON c.reference = 'award:' || n.id""",
    )


def add_ledger_entries(count: int) -> None:
    """The rest of the ledger: APBD top-ups spread over every challenge fund (two entries each)."""
    run = scalar("SELECT count(*) FROM payments_transaction")
    post_transactions(
        "allocation",
        f"""SELECT f.id AS fund_id, 'fund:' || f.id || ':cash' AS debit_code, 'source:apbd' AS credit_code,
                  'allocation:bench-{run}-' || g AS key, 'DPA-BENCH-' || f.id AS reference,
                  100000000::bigint AS amount, NULL::bigint AS commitment_id
        FROM generate_series(1, {max(1, count // 2)}) g
        JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM payments_fund
              WHERE reference LIKE 'challenge:%%') f
          ON f.rn = g %% (SELECT count(*) FROM payments_fund WHERE reference LIKE 'challenge:%%') + 1""",
    )
