"""The search layer against both engines: the Elasticsearch test server and the database copy
on PostgreSQL. Each behaviour a user notices is checked on both, through ``search()``."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from search import indexing, tasks
from search.connection import alias_name, es_client
from search.models import SearchEntry
from search.query import SearchParams, encode_cursor, search
from tests import factories
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the indexing that follows a commit (tests run inside a transaction)."""

    def run(make):
        with django_capture_on_commit_callbacks(execute=True):
            return make()

    return run


@dataclass
class Built:
    """Data built once for a class of tests, and what its indexing wrote to the database copy
    (kind → ids), for each test to write to its own Elasticsearch indices."""

    data: object
    indexed: dict[str, list[int]]


def built_once(build) -> Built:
    """``build(committed)`` for a class-scoped fixture, with ``committed`` as the fixture runs it."""

    def committed(make):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return make()

    before = set(SearchEntry.objects.values_list("kind", "object_id"))
    data = build(committed)
    indexed: dict[str, list[int]] = {}
    for kind, object_id in sorted(set(SearchEntry.objects.values_list("kind", "object_id")) - before):
        indexed.setdefault(kind, []).append(object_id)
    return Built(data, indexed)


def built_per_class(build):
    """A class-scoped fixture of ``built_once(build)``: built once for the class, rolled back
    after its last test; each test runs in a savepoint."""

    @pytest.fixture(scope="class")
    def built(django_db_setup, django_db_blocker):
        with rolled_back_after_module(django_db_blocker):
            yield built_once(build)

    return built


def for_this_test(built: Built, engine: str):
    """The test's own copy of what was built; on Elasticsearch, its documents written to the test's
    indices as the commit would have written them (the database copy is shared)."""
    if engine == "elasticsearch":
        for kind, ids in built.indexed.items():
            tasks.index_documents(kind, ids)
    return own_copy(built.data)


def titles(page) -> list[str]:
    """The titles of the hits, after checking the engine under test answered (a configured
    Elasticsearch, else the database), not the fallback."""
    expected = "elasticsearch" if settings.ELASTICSEARCH_URL else "database"
    assert (page.backend, page.degraded) == (expected, False)
    return [hit.title for hit in page.hits]


def find(q: str, **filters) -> list[str]:
    return titles(search(SearchParams(q=q, **filters)))


# Indexing lifecycle --------------------------------------------------------------------------


def test_publish_makes_a_challenge_findable_and_unpublish_removes_it(engine, committed):
    page = committed(lambda: factories.challenge(title="Literasi digital untuk desa"))
    assert find("literasi") == ["Literasi digital untuk desa"]
    assert search(SearchParams(q="literasi")).backend == engine

    committed(lambda: page.unpublish())
    assert find("literasi") == []


def test_a_draft_challenge_is_never_indexed(engine, committed):
    committed(lambda: factories.challenge(title="Rencana rahasia pengadaan", publish=False))
    assert find("rahasia") == []
    assert not SearchEntry.objects.filter(title__icontains="rahasia").exists()


def test_organisation_private_fields_are_never_indexed(engine, committed):
    organisation = committed(
        lambda: factories.organisation(
            name="Koperasi Tenun Ikat",
            description="Menenun kain ikat bersama perajin desa.",
            nib="9120001234567",
            npwp="01.234.567.8-901.000",
            address="Jalan Rahasia 7, Waingapu",
        )
    )
    assert find("tenun") == ["Koperasi Tenun Ikat"]
    assert find("9120001234567") == [] and find("Waingapu") == []
    stored = SearchEntry.objects.get(kind="organisation", object_id=organisation.pk)
    assert "9120001234567" not in stored.stemmed and "waingapu" not in stored.stemmed
    if engine == "elasticsearch":
        source = es_client().get(index=alias_name("organisation"), id=str(organisation.pk))["_source"]
        assert "9120001234567" not in str(source) and "Waingapu" not in str(source)


def test_an_organisation_edit_reaches_the_index(engine, committed):
    from marketplace.organisations.services import organisations as services

    organisation = committed(lambda: factories.organisation(name="Startup Lama"))
    owner = organisation.memberships.get().user
    committed(
        lambda: services.organisation_update(
            organisation=organisation, by=owner, name="Startup Kopi Sumba", description="Kopi dari Sumba."
        )
    )
    assert find("kopi sumba") == ["Startup Kopi Sumba"]
    assert find("lama") == []


# Language ------------------------------------------------------------------------------------


def build_payment_challenge(committed):
    return committed(
        lambda: factories.challenge(
            title="Retribusi pasar nontunai",
            summary="Pedagang pasar tradisional dengan pembayaran digital.",
        )
    )


_payment_challenge_built = built_per_class(build_payment_challenge)


@pytest.fixture
def payment_challenge(_payment_challenge_built, engine, db):
    return for_this_test(_payment_challenge_built, engine)


class TestThePaymentChallenge:
    """In a class, so that the challenge is gone before the module's other tests, which must find
    only their own."""

    @pytest.mark.parametrize("q", ["pembayaran", "membayar", "bayar", "Pembayaran digital", "dibayarkan"])
    def test_indonesian_affixes_meet_at_one_stem(self, engine, payment_challenge, q):
        assert find(q) == ["Retribusi pasar nontunai"]

    def test_highlights_mark_the_matched_words(self, engine, payment_challenge):
        hit = search(SearchParams(q="pembayaran")).hits[0]
        assert "<mark>pembayaran</mark>" in hit.snippet.lower()


@pytest.mark.parametrize(
    ("q", "title", "summary"),
    [
        ("UMKM", "Pendampingan usaha mikro kecil menengah", "Pelatihan pemasaran daring."),
        ("usaha mikro kecil menengah", "Akses modal UMKM", "Pembiayaan untuk pedagang."),
        ("SME", "Akses modal UMKM", "Pembiayaan untuk pedagang."),
        ("health centre", "Antrean puskesmas", "Pasien menunggu lama."),
        ("village", "Data desa terpadu", "Satu data untuk perangkat desa."),
        ("kampung", "Data desa terpadu", "Satu data untuk perangkat desa."),
        ("online", "Layanan perizinan daring", "Mengurus izin tanpa datang."),
        ("levy", "Retribusi parkir", "Menghitung setoran juru parkir."),
    ],
)
def test_domain_synonyms_in_both_languages(engine, committed, q, title, summary):
    committed(lambda: factories.challenge(title=title, summary=summary))
    committed(lambda: factories.challenge(title="Sekolah ramah anak", summary="Ruang belajar."))
    assert find(q) == [title]


def test_english_query_finds_indonesian_challenge_through_its_translation(engine, committed):
    def make():
        page = factories.challenge(title="Antrean puskesmas", summary="Pasien menunggu lama.")
        page.title_en = "Waiting lines at community health clinics"
        page.save_revision().publish()
        return page

    committed(make)
    assert find("waiting lines") == ["Antrean puskesmas"]


@pytest.mark.parametrize("q", ["puskesmaz", "pukesmas", "antrian puskesmas"])
def test_typos_still_find_the_challenge(engine, committed, q):
    committed(lambda: factories.challenge(title="Antrean puskesmas", summary="Pasien menunggu lama."))
    assert find(q) == ["Antrean puskesmas"]


def test_did_you_mean_offers_the_corrected_words(engine, committed):
    committed(lambda: factories.challenge(title="Pengelolaan sampah pasar", summary="Bank sampah warga."))
    page = search(SearchParams(q="sampha", fuzzy=False))
    assert "sampah" in page.suggestion


# Filters, facets, sorting, pages -------------------------------------------------------------


def build_market(committed):
    """Five challenges over two sectors and two regions, and one organisation."""
    health, trade = factories.SectorFactory(slug="kesehatan"), factories.SectorFactory(slug="perdagangan")
    sumba, bali = factories.region("Sumba Timur"), factories.region("Badung")
    now = timezone.now()

    def make():
        factories.challenge(
            title="Pasar sehat Sumba",
            sector=health,
            agency_obj=factories.agency(sumba),
            closes_at=now + datetime.timedelta(days=40),
            incentives=(("grant", 10_000_000_00),),
        )
        factories.challenge(
            title="Pasar digital Sumba",
            sector=trade,
            agency_obj=factories.agency(sumba),
            closes_at=now + datetime.timedelta(days=20),
            incentives=(("prize", 30_000_000_00),),
        )
        factories.challenge(
            title="Pasar ikan Badung",
            sector=trade,
            agency_obj=factories.agency(bali),
            closes_at=now + datetime.timedelta(days=60),
            incentives=(("grant", 20_000_000_00),),
        )
        factories.challenge(
            title="Pasar malam Badung",
            sector=trade,
            agency_obj=factories.agency(bali),
            opens_at=now + datetime.timedelta(days=5),
            closes_at=now + datetime.timedelta(days=50),
        )
        factories.challenge(
            title="Pasar lama Badung",
            sector=health,
            agency_obj=factories.agency(bali),
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(days=2),
        )
        factories.organisation(name="Komunitas Pasar Rakyat", region=sumba)

    committed(make)
    return {"health": health, "trade": trade, "sumba": sumba, "bali": bali}


_market_built = built_per_class(build_market)


@pytest.fixture
def market(_market_built, engine, db):
    return for_this_test(_market_built, engine)


def facet(page, name) -> dict[str, int]:
    return {bucket.value: bucket.count for bucket in page.facets[name]}


class TestTheMarket:
    """In a class, so that the market is gone before the module's other tests, which must find
    only their own (and reindex and check every challenge)."""

    def test_facets_count_with_the_other_active_filters(self, engine, market):
        page = search(SearchParams(q="pasar", sector="perdagangan"))
        assert sorted(titles(page)) == ["Pasar digital Sumba", "Pasar ikan Badung", "Pasar malam Badung"]
        # The sector facet ignores its own filter (to offer switching) but not the others' ...
        assert facet(page, "sector") == {"perdagangan": 3, "kesehatan": 2}
        # ... and every other facet counts within the chosen sector.
        sumba, bali = market["sumba"].slug, market["bali"].slug
        assert facet(page, "region") == {bali: 2, sumba: 1}
        assert facet(page, "type") == {"challenge": 3}
        assert facet(page, "status")["upcoming"] == 1 and facet(page, "status")["open"] == 2

        both = search(SearchParams(q="pasar", sector="perdagangan", region=sumba))
        assert titles(both) == ["Pasar digital Sumba"]
        assert facet(both, "region") == {bali: 2, sumba: 1}
        assert facet(both, "sector") == {"perdagangan": 1, "kesehatan": 1}
        assert [b.value for b in both.facets["sector"] if b.selected] == ["perdagangan"]

    def test_a_chosen_status_still_counts_every_status_and_narrows_the_other_facets(self, engine, market):
        every = search(SearchParams(q="pasar"))
        chosen = search(SearchParams(q="pasar", status="open"))
        assert facet(chosen, "status") == facet(every, "status")
        assert [b.value for b in chosen.facets["status"] if b.selected] == ["open"]
        assert facet(chosen, "type") == {"challenge": 3}
        assert chosen.total == 3

    def test_status_amount_and_type_filters(self, engine, market):
        assert sorted(find("pasar", status="open")) == [
            "Pasar digital Sumba",
            "Pasar ikan Badung",
            "Pasar sehat Sumba",
        ]
        assert find("pasar", status="in_review") == ["Pasar lama Badung"]
        assert find("pasar", status="upcoming") == ["Pasar malam Badung"]
        assert sorted(find("pasar", amount_min=20_000_000_00, amount_max=30_000_000_00)) == [
            "Pasar digital Sumba",
            "Pasar ikan Badung",
        ]
        assert find("pasar", types=("organisation",)) == ["Komunitas Pasar Rakyat"]

    def test_sorting_by_closing_date_and_amount(self, engine, market):
        assert find("pasar", status="open", sort="closes") == [
            "Pasar digital Sumba",
            "Pasar sehat Sumba",
            "Pasar ikan Badung",
        ]
        assert find("pasar", status="open", sort="amount") == [
            "Pasar digital Sumba",
            "Pasar ikan Badung",
            "Pasar sehat Sumba",
        ]

    def test_pages_follow_each_other_without_gaps_or_repeats(self, engine, market):
        seen, after = [], ""
        for _ in range(10):
            page = search(SearchParams(q="pasar", size=2, after=after, sort="closes"))
            seen += titles(page)
            after = page.next_after
            if not after:
                break
        assert len(seen) == len(set(seen)) == 6  # five challenges and the organisation

    def test_a_malformed_cursor_starts_from_the_first_page(self, engine, market):
        first = find("pasar", size=2, sort="closes")
        assert find("pasar", size=2, sort="closes", after="not-a-cursor!") == first
        # Well-formed but not one this sort made (typed by hand): still the first page, not a 400.
        for values in (["x"], ["late", "challenge:1"], [1, 2, 3]):
            assert find("pasar", size=2, sort="closes", after=encode_cursor(values)) == first


# Index management ----------------------------------------------------------------------------


def test_searches_keep_answering_while_the_alias_is_swapped(elasticsearch, committed):
    committed(lambda: [factories.challenge(title=f"Air bersih desa {n}") for n in range(12)])
    failures: list[str] = []
    counts: list[int] = []
    stop = threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                counts.append(search(SearchParams(q="air bersih", size=50, facets=False)).total)
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(exc))
        connection.close()  # this thread's own

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        for _ in range(3):
            assert indexing.reindex("challenge") == 12
    finally:
        stop.set()
        searcher.join()
    assert failures == []
    assert counts and set(counts) == {12}, "every search during the swaps saw every challenge"
    assert len(es_client().indices.get_alias(name=alias_name("challenge"))) == 1


def test_the_consistency_check_repairs_missing_and_extra_documents(elasticsearch, committed):
    kept = committed(lambda: factories.challenge(title="Bank sampah sekolah"))
    es_client().delete(index=alias_name("challenge"), id=str(kept.pk), refresh=True)
    SearchEntry.objects.filter(object_id=kept.pk).delete()
    es_client().index(
        index=alias_name("challenge"),
        id="999999",
        document={"kind": "challenge", "title": "Hantu"},
        refresh=True,
    )

    found = indexing.consistency_check("challenge")
    assert found["elasticsearch_missing_or_stale"] == [kept.pk]
    assert found["elasticsearch_extra"] == [999999]
    assert found["database_missing_or_stale"] == [kept.pk]
    assert find("sampah") == ["Bank sampah sekolah"]
    assert not es_client().exists(index=alias_name("challenge"), id="999999")
    assert indexing.consistency_check("challenge") == {
        "database_missing_or_stale": [],
        "database_extra": [],
        "elasticsearch_missing_or_stale": [],
        "elasticsearch_extra": [],
    }


def test_when_no_document_has_every_word_some_words_are_enough(engine, committed):
    committed(lambda: factories.challenge(title="Kanal pengaduan warga", summary="Satu pintu untuk keluhan."))
    committed(lambda: factories.challenge(title="Sekolah ramah anak", summary="Ruang belajar."))
    page = search(SearchParams(q="pengaduan masyarakat"))
    assert page.relaxed and titles(page) == ["Kanal pengaduan warga"]
    assert not search(SearchParams(q="pengaduan warga")).relaxed


def test_a_sector_name_finds_its_challenges(engine, committed):
    sector = factories.SectorFactory(name="Pengaduan masyarakat", slug="pengaduan")
    committed(lambda: factories.challenge(title="Kanal satu pintu", summary="Keluhan warga.", sector=sector))
    assert find("pengaduan masyarakat") == ["Kanal satu pintu"]
