"""Synthetic search documents and a fixed query mix for ``manage.py bench_search``.

Everything here is deterministic (seeded ``random.Random``): the same ``--docs`` and ``--seed``
give the same documents and the same queries, so two runs compare engines and changes, not
luck. The text is Indonesian public-service vocabulary with its affixed forms (``bayar``,
``membayar``, ``pembayaran``), so the stemmer, the stop words and the typo correction do the
work they do on real data; each document leans on the vocabulary of its sector, as real
challenges and organisations do, so some words are common and most are rare."""

from __future__ import annotations

import datetime
import math
import random

from search.documents import SearchDocument
from search.query import SearchParams

# The instant every status is computed at: documents open and close around it.
NOW = datetime.datetime(2026, 6, 1, 0, 0, tzinfo=datetime.UTC)
RUPIAH = 100  # minor units per rupiah
JUTA = 1_000_000 * RUPIAH

# Share of each kind in the corpus: mostly challenges and organisations, some projects.
KIND_SHARES = (("challenge", 0.45), ("organisation", 0.45), ("project", 0.10))
KIND_NUMBER = {kind: position for position, (kind, _share) in enumerate(KIND_SHARES)}

SECTORS = (
    "kesehatan",
    "pasar-umkm",
    "perizinan",
    "pendidikan",
    "konektivitas",
    "pengaduan",
    "pertanian",
    "pariwisata",
)

REGIONS = (
    "sumba-barat", "pontianak", "kupang", "ende", "manggarai", "sikka", "flores-timur", "alor",
    "lombok-tengah", "bima", "dompu", "sumbawa", "kapuas-hulu", "sambas", "ketapang", "sintang",
    "singkawang", "banjarmasin", "balikpapan", "samarinda", "kutai-kartanegara", "palu", "poso",
    "donggala", "gorontalo", "manado", "minahasa", "ambon", "maluku-tengah", "jayapura",
    "merauke", "sorong", "mamuju", "makassar", "gowa", "bone", "kendari", "buton", "ternate",
    "halmahera-barat",
)  # fmt: skip

INCENTIVES = ("grant", "prize", "pilot_contract", "in_kind", "levy_relief")
KINDS = ("challenge", "project", "organisation")  # what the synthetic corpus has
ORGANISATION_KINDS = ("startup", "umkm", "koperasi", "komunitas", "perguruan_tinggi", "ngo", "company")

# Each entry is one root and forms of it that occur in text (the stemmer maps them back).
SECTOR_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "kesehatan": (
        ("puskesmas",),
        ("sehat", "kesehatan", "menyehatkan"),
        ("obat", "pengobatan", "berobat"),
        ("rujuk", "rujukan", "merujuk", "dirujuk"),
        ("periksa", "pemeriksaan", "memeriksa"),
        ("posyandu",),
        ("gizi", "bergizi"),
        ("imunisasi",),
        ("hamil", "kehamilan"),
        ("rawat", "perawatan", "perawat", "dirawat"),
        ("pasien",),
        ("bidan", "kebidanan"),
        ("sakit", "penyakit", "kesakitan"),
        ("ibu",),
        ("anak", "anak-anak"),
        ("stunting",),
        ("antre", "antrean", "mengantre"),
        ("daftar", "pendaftaran", "mendaftar", "terdaftar"),
        ("jadwal", "penjadwalan", "terjadwal"),
        ("catat", "pencatatan", "catatan", "mencatat"),
    ),
    "pasar-umkm": (
        ("pasar", "pemasaran", "memasarkan", "dipasarkan"),
        ("retribusi",),
        ("bayar", "membayar", "pembayaran", "dibayar", "bayaran"),
        ("dagang", "pedagang", "perdagangan"),
        ("jual", "penjualan", "menjual", "dijual", "penjual"),
        ("beli", "pembelian", "membeli", "pembeli"),
        ("kios",),
        ("los",),
        ("harga",),
        ("stok",),
        ("timbang", "timbangan", "penimbangan"),
        ("usaha", "pengusaha", "berusaha"),
        ("umkm",),
        ("modal", "permodalan"),
        ("tagih", "penagihan", "tagihan", "menagih"),
        ("karcis",),
        ("qris",),
        ("tunai", "nontunai"),
        ("setor", "penyetoran", "menyetor"),
        ("kas",),
    ),
    "perizinan": (
        ("izin", "perizinan", "mengizinkan"),
        ("mohon", "permohonan", "pemohon", "memohon"),
        ("berkas", "pemberkasan"),
        ("syarat", "persyaratan"),
        ("verifikasi", "diverifikasi"),
        ("terbit", "penerbitan", "diterbitkan", "menerbitkan"),
        ("bangun", "bangunan", "pembangunan"),
        ("tanda", "penandatanganan"),
        ("surat",),
        ("nib",),
        ("akta",),
        ("lahir", "kelahiran"),
        ("penduduk", "kependudukan"),
        ("catat", "pencatatan", "catatan"),
        ("sipil",),
        ("daftar", "pendaftaran", "mendaftar", "terdaftar"),
        ("tunggu", "menunggu"),
        ("proses", "pemrosesan", "diproses"),
        ("loket",),
        ("arsip", "pengarsipan"),
    ),
    "pendidikan": (
        ("sekolah", "bersekolah", "persekolahan"),
        ("didik", "pendidikan", "pendidik", "mendidik"),
        ("guru",),
        ("murid",),
        ("siswa",),
        ("ajar", "pelajaran", "pengajar", "belajar", "mengajar"),
        ("baca", "membaca", "bacaan", "pembaca"),
        ("tulis", "menulis", "tulisan"),
        ("hitung", "menghitung", "perhitungan"),
        ("buku",),
        ("kelas",),
        ("nilai", "penilaian"),
        ("hadir", "kehadiran", "menghadiri"),
        ("beasiswa",),
        ("latih", "pelatihan", "melatih"),
        ("kurikulum",),
        ("perpustakaan", "pustaka"),
        ("literasi",),
        ("ujian", "menguji"),
        ("anak", "anak-anak"),
    ),
    "konektivitas": (
        ("sinyal",),
        ("jaring", "jaringan"),
        ("internet",),
        ("daring",),
        ("luring",),
        ("aplikasi",),
        ("digital", "digitalisasi"),
        ("sistem",),
        ("data", "pendataan"),
        ("informasi",),
        ("server",),
        ("kirim", "pengiriman", "mengirim", "terkirim"),
        ("sambung", "sambungan", "tersambung", "penyambungan"),
        ("menara",),
        ("satelit",),
        ("listrik", "kelistrikan"),
        ("putus", "terputus", "pemutusan"),
        ("sinkron", "sinkronisasi"),
        ("simpan", "penyimpanan", "menyimpan"),
        ("pesan", "pemesanan", "pesanan"),
    ),
    "pengaduan": (
        ("adu", "aduan", "pengaduan", "mengadu"),
        ("lapor", "laporan", "pelaporan", "melapor", "pelapor"),
        ("warga",),
        ("masyarakat", "kemasyarakatan"),
        ("tanggap", "tanggapan", "menanggapi"),
        ("tindak", "tindakan", "ditindaklanjuti"),
        ("jalan", "jalanan"),
        ("rusak", "kerusakan"),
        ("sampah", "persampahan"),
        ("banjir",),
        ("lampu",),
        ("air", "pengairan"),
        ("bersih", "kebersihan", "pembersihan"),
        ("awas", "pengawasan", "mengawasi"),
        ("pantau", "pemantauan", "memantau"),
        ("transparan", "transparansi"),
        ("keluh", "keluhan", "mengeluh"),
        ("selesai", "penyelesaian", "menyelesaikan"),
        ("kumpul", "pengumpulan", "mengumpulkan"),
        ("pilah", "pemilahan", "memilah"),
    ),
    "pertanian": (
        ("tani", "petani", "pertanian", "bertani"),
        ("pupuk", "pemupukan"),
        ("panen", "memanen"),
        ("benih", "pembenihan"),
        ("beras",),
        ("padi",),
        ("jagung",),
        ("sawah", "persawahan"),
        ("irigasi",),
        ("ternak", "peternak", "peternakan"),
        ("ikan", "perikanan"),
        ("nelayan",),
        ("hasil",),
        ("pangan", "ketahanan"),
        ("cuaca",),
        ("hama",),
        ("lahan",),
        ("olah", "pengolahan", "mengolah", "olahan"),
        ("gudang", "pergudangan"),
        ("angkut", "angkutan", "pengangkutan", "mengangkut"),
    ),
    "pariwisata": (
        ("wisata", "pariwisata", "wisatawan", "berwisata"),
        ("kunjung", "kunjungan", "pengunjung"),
        ("tiket",),
        ("pantai",),
        ("budaya", "kebudayaan"),
        ("tenun", "tenunan", "penenun"),
        ("kampung",),
        ("inap", "penginapan", "menginap"),
        ("pandu", "pemandu"),
        ("promosi", "mempromosikan"),
        ("festival",),
        ("kuliner",),
        ("adat",),
        ("pesan", "pemesanan", "memesan"),
        ("desa",),
        ("homestay",),
        ("kerajinan", "pengrajin"),
        ("alam",),
        ("jalan", "perjalanan", "berjalan"),
        ("foto", "fotografi"),
    ),
}

GENERAL_WORDS: tuple[tuple[str, ...], ...] = (
    ("layan", "layanan", "pelayanan", "melayani", "dilayani"), ("desa", "pedesaan", "perdesaan"),
    ("daerah",), ("kabupaten",), ("kota", "perkotaan"), ("pemerintah", "pemerintahan"),
    ("dinas",), ("kelola", "pengelolaan", "mengelola", "dikelola", "pengelola"),
    ("cepat", "percepatan", "mempercepat"), ("mudah", "kemudahan", "memudahkan"),
    ("anggar", "anggaran", "penganggaran"), ("uang", "keuangan"), ("biaya", "pembiayaan"),
    ("kendali", "pengendalian", "mengendalikan"), ("program",), ("solusi",), ("inovasi",),
    ("petugas",), ("waktu",), ("hari", "harian"), ("bulan", "bulanan"), ("tahun", "tahunan"),
    ("catat", "pencatatan", "catatan"), ("guna", "pengguna", "penggunaan", "menggunakan"),
    ("kembang", "pengembangan", "mengembangkan"), ("tingkat", "peningkatan", "meningkatkan"),
    ("kerja", "pekerjaan", "bekerja", "kerjasama"), ("mitra", "kemitraan"),
    ("laksana", "pelaksanaan", "melaksanakan"), ("rencana", "perencanaan", "merencanakan"),
)  # fmt: skip

FUNCTION_WORDS = (
    "yang", "dan", "di", "untuk", "dengan", "dari", "agar", "belum", "masih", "sering", "tidak",
    "karena", "oleh", "pada", "dalam", "secara", "ke", "setiap", "lebih", "sudah", "bisa", "harus",
)  # fmt: skip

TITLE_HEADS = (
    "Digitalisasi", "Sistem", "Aplikasi", "Platform", "Peningkatan", "Percepatan", "Pengelolaan",
    "Pemantauan", "Inovasi", "Layanan", "Penguatan", "Pendataan",
)  # fmt: skip
ORGANISATION_HEADS = (
    "PT", "CV", "Koperasi", "Komunitas", "Yayasan", "Universitas", "Lab", "Kelompok", "Startup",
)  # fmt: skip
ORGANISATION_NAMES = (
    "Nusantara", "Sinar", "Maju", "Makmur", "Digital", "Bersama", "Mandiri", "Karya", "Cipta",
    "Solusi", "Harapan", "Sejahtera", "Teknologi", "Data", "Inovasi", "Timur", "Khatulistiwa",
)  # fmt: skip
CAPABILITIES = (
    "pembayaran digital", "aplikasi seluler", "analisis data", "pemetaan", "sensor IoT",
    "pelatihan", "desain layanan", "sistem informasi", "pengelolaan sampah", "logistik",
    "telemedisin", "pemasaran daring", "survei lapangan", "energi surya", "keuangan mikro",
)  # fmt: skip

# Translated titles and summaries: English words of the document's sector, some general ones.
ENGLISH_WORDS: dict[str, tuple[str, ...]] = {
    "kesehatan": (
        "health",
        "centre",
        "clinic",
        "patients",
        "queue",
        "referral",
        "midwife",
        "nutrition",
        "records",
    ),
    "pasar-umkm": (
        "market",
        "levy",
        "payment",
        "traders",
        "cashless",
        "stall",
        "prices",
        "small",
        "business",
    ),
    "perizinan": (
        "permit",
        "licence",
        "application",
        "registration",
        "documents",
        "approval",
        "birth",
        "certificate",
    ),
    "pendidikan": (
        "school",
        "teacher",
        "pupils",
        "literacy",
        "attendance",
        "learning",
        "scholarship",
        "books",
    ),
    "konektivitas": ("signal", "network", "offline", "internet", "mobile", "data", "sync", "tower", "power"),
    "pengaduan": (
        "complaint",
        "citizens",
        "reporting",
        "road",
        "waste",
        "flood",
        "water",
        "response",
        "tracking",
    ),
    "pertanian": (
        "farmer",
        "harvest",
        "fertiliser",
        "rice",
        "irrigation",
        "fisheries",
        "livestock",
        "storage",
    ),
    "pariwisata": (
        "tourism",
        "visitor",
        "tickets",
        "beach",
        "weaving",
        "homestay",
        "guide",
        "festival",
        "culture",
    ),
}
GENERAL_ENGLISH = (
    "digital",
    "service",
    "village",
    "district",
    "local",
    "government",
    "faster",
    "pilot",
    "system",
)

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
TYPO_SOURCE = "abcdefghijklmnoprstuw"


def _kind_counts(total: int) -> dict[str, int]:
    counts = {kind: int(total * share) for kind, share in KIND_SHARES}
    counts["challenge"] += total - sum(counts.values())
    return counts


def kind_counts(total: int) -> dict[str, int]:
    """How many documents of each kind a corpus of ``total`` has."""
    return _kind_counts(total)


def _form(rng: random.Random, entries: tuple[tuple[str, ...], ...]) -> str:
    # Earlier roots of a list are more frequent (roughly Zipf), as in real text.
    index = min(int(rng.paretovariate(1.1)) - 1, len(entries) - 1)
    return rng.choice(entries[index if rng.random() < 0.6 else rng.randrange(len(entries))])


def _words(rng: random.Random, topical, count: int) -> list[str]:
    result = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.28:
            result.append(rng.choice(FUNCTION_WORDS))
        elif roll < 0.72:
            result.append(_form(rng, topical))
        elif roll < 0.95:
            result.append(_form(rng, GENERAL_WORDS))
        else:
            result.append(_detail(rng))
    return result


def _detail(rng: random.Random) -> str:
    """A place, an amount, a date or a count, as text mentions them."""
    roll = rng.random()
    if roll < 0.3:
        return _region_name(rng.choice(REGIONS))
    if roll < 0.55:
        return f"Rp {rng.randint(5, 950)} {rng.choice(('juta', 'juta', 'miliar'))}"
    if roll < 0.8:
        return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2023, 2027)}"
    return f"{rng.randint(2, 500)} {rng.choice(('warga', 'pedagang', 'desa', 'sekolah', 'petani'))}"


def _sentences(rng: random.Random, topical, words: int) -> str:
    parts = []
    while words > 0:
        length = min(words, rng.randint(7, 16))
        sentence = _words(rng, topical, length)
        parts.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        words -= length
    return " ".join(parts)


def _english(rng: random.Random, sector: str, shortest: int, longest: int) -> str:
    pool = ENGLISH_WORDS[sector]
    count = rng.randint(shortest, longest)
    return " ".join(rng.choice(pool if rng.random() < 0.7 else GENERAL_ENGLISH) for _ in range(count))


def _region_name(slug: str) -> str:
    return slug.replace("-", " ").title()


def _document(kind: str, number: int, seed: int) -> SearchDocument:
    rng = random.Random(seed * 1_000_003 + KIND_NUMBER[kind] * 100_000_007 + number)
    sector = rng.choice(SECTORS)
    topical = SECTOR_WORDS[sector]
    others = [s for s in SECTORS if s != sector]
    sectors = [sector] + sorted(rng.sample(others, rng.choice((0, 0, 0, 1, 1, 2))))
    region = rng.choice(REGIONS)
    object_id = number + 1
    if kind == "challenge":
        opens_at = NOW + datetime.timedelta(days=rng.uniform(-400, 60))
        closes_at = opens_at + datetime.timedelta(days=rng.uniform(14, 120))
        decided = ""
        if closes_at < NOW - datetime.timedelta(days=30):
            decided = "awarded" if rng.random() < 0.7 else "closed"
        incentives = sorted(rng.sample(INCENTIVES, rng.choice((1, 1, 2, 3))))
        english = rng.random() < 0.6
        return SearchDocument(
            kind=kind,
            object_id=object_id,
            title=" ".join(
                [rng.choice(TITLE_HEADS), *(_form(rng, topical) for _ in range(rng.randint(2, 4)))]
                + ["di", _region_name(region)]
            ),
            url=f"/challenges/bench-{object_id}/",
            summary=_sentences(rng, topical, rng.randint(20, 35)),
            body=_sentences(rng, topical, rng.randint(80, 160)),
            title_en=_english(rng, sector, 4, 7) if english else "",
            summary_en=_english(rng, sector, 15, 25) if english else "",
            region=region,
            agency=REGIONS.index(region) * 5 + rng.randint(1, 5),
            sectors=sectors,
            incentives=incentives,
            amount=sum(rng.randint(5, 400) * 5 * JUTA for _ in incentives),
            opens_at=opens_at,
            closes_at=closes_at,
            decided=decided,
            date=opens_at - datetime.timedelta(days=rng.uniform(1, 14)),
            suggest=[f"Dinas {sector.replace('-', ' ').title()} {_region_name(region)}"],
        )
    if kind == "organisation":
        name = " ".join(
            [rng.choice(ORGANISATION_HEADS), rng.choice(ORGANISATION_NAMES), _form(rng, topical).capitalize()]
            + [rng.choice(ORGANISATION_NAMES), str(object_id)]
        )
        return SearchDocument(
            kind=kind,
            object_id=object_id,
            title=name,
            url=f"/organisations/bench-{object_id}/",
            summary=_sentences(rng, topical, rng.randint(20, 45)),
            region=region if rng.random() < 0.9 else "",
            sectors=sorted(sectors),
            organisation_kind=rng.choice(ORGANISATION_KINDS),
            verified=rng.random() < 0.6,
            date=NOW - datetime.timedelta(days=rng.uniform(0, 1100)),
            tags=sorted(rng.sample(CAPABILITIES, rng.randint(1, 4))),
        )
    organisation = f"{rng.choice(ORGANISATION_HEADS)} {rng.choice(ORGANISATION_NAMES)} {rng.randint(1, 9999)}"
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        title=" ".join([rng.choice(TITLE_HEADS), *(_form(rng, topical) for _ in range(rng.randint(2, 4)))]),
        url=f"/projects/{object_id}/",
        summary=_sentences(rng, topical, rng.randint(20, 35)),
        body=" ".join([_sentences(rng, topical, 8), organisation]),
        title_en=_english(rng, sector, 4, 7),
        region=region,
        agency=REGIONS.index(region) * 5 + rng.randint(1, 5),
        sectors=[sector],
        amount=rng.randint(10, 300) * 5 * JUTA,
        date=NOW - datetime.timedelta(days=rng.uniform(0, 365)),
        suggest=[organisation],
    )


def documents(total: int, seed: int = 42) -> dict[str, list[SearchDocument]]:
    """``total`` synthetic documents, by kind. Document ``i`` of a kind depends only on the
    seed, the kind and ``i``, so a smaller corpus is a prefix of a larger one per kind."""
    counts = _kind_counts(total)
    return {kind: [_document(kind, i, seed) for i in range(count)] for kind, count in counts.items()}


# Queries -------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    position = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "replace"))
    if edit == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if edit == "drop":
        return word[:position] + word[position + 1 :]
    return word[:position] + rng.choice(TYPO_SOURCE) + word[position + 1 :]


def _query_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return " ".join(rng.sample(ENGLISH_WORDS[rng.choice(SECTORS)], rng.randint(1, 2)))
    topical = SECTOR_WORDS[rng.choice(SECTORS)]
    length = rng.choice((1, 1, 2, 2, 3))
    words = [_form(rng, topical if rng.random() < 0.75 else GENERAL_WORDS) for _ in range(length)]
    if rng.random() < 0.15:
        position = rng.randrange(len(words))
        words[position] = _typo(rng, words[position])
    return " ".join(dict.fromkeys(words))


STATUS_MIX = ("open", "open", "closing_soon", "upcoming", "in_review", "awarded")


def _filters(rng: random.Random, count: int) -> dict[str, object]:
    chosen = rng.sample(("sector", "region", "status", "type", "amount"), count)
    values: dict[str, object] = {}
    for name in chosen:
        if name == "sector":
            values["sector"] = rng.choice(SECTORS)
        elif name == "region":
            values["region"] = rng.choice(REGIONS)
        elif name == "status":
            values["status"] = rng.choice(STATUS_MIX)
        elif name == "type":
            values["types"] = (rng.choice(("challenge", "challenge", "organisation", "project")),)
        else:
            low = rng.choice((0, 50, 100, 250, 500)) * JUTA
            values["amount_min"] = low or None
            values["amount_max"] = low + rng.choice((250, 500, 1000, 2000)) * JUTA
    return values


def queries(count: int = 200, seed: int = 42) -> list[SearchParams]:
    """A fixed mix of faceted searches as the pages make them: mostly one to three words (some
    affixed, some with a typo, a few in English), 0–2 filters, varied sorts, facets on."""
    rng = random.Random(seed * 7 + 1)
    result = []
    for _ in range(count):
        q = _query_text(rng) if rng.random() < 0.88 else ""
        filters = _filters(rng, rng.choices((0, 1, 2), weights=(35, 40, 25))[0])
        sort = rng.choices(("relevance", "closes", "amount", "newest"), weights=(60, 15, 10, 15))[0]
        if not q and sort == "relevance":
            sort = "newest"
        result.append(SearchParams(q=q, sort=sort, facets=True, now=NOW, **filters))
    return result


def describe(params: SearchParams) -> str:
    """A short label of a query for the report."""
    parts = [f"q={params.q!r}"] if params.q else ["q=''"]
    for name in ("types", "status", "sector", "region", "amount_min", "amount_max"):
        value = getattr(params, name)
        if value:
            parts.append(f"{name}={','.join(value) if isinstance(value, tuple) else value}")
    parts.append(f"sort={params.sort}")
    return " ".join(parts)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]
