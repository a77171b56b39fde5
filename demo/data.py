"""The demo data set loaded by ``manage.py seed_demo``, as plain structures.

Amounts are in minor units (Rp 1 = 100). Challenge windows and milestone due dates are
day offsets from the day of the first run, in the region's own time zone. Everything is
referred to by a natural key: usernames, slugs, organisation keys, proposal keys.
"""

RP = 100  # minor units per rupiah
JUTA = 1_000_000 * RP  # Rp 1.000.000

SECTORS = [
    # slug, name, name_en
    ("kesehatan", "Kesehatan", "Health"),
    ("pasar-umkm", "Pasar dan UMKM", "Markets and SMEs"),
    ("perizinan", "Perizinan", "Permits and licensing"),
    ("pendidikan", "Pendidikan", "Education"),
    ("konektivitas", "Konektivitas", "Connectivity"),
    ("pengaduan", "Pengaduan masyarakat", "Public complaints"),
    ("pertanian", "Pertanian", "Agriculture"),
    ("pariwisata", "Pariwisata", "Tourism"),
]

REGIONS = [
    {
        "slug": "sumba-barat",
        "title": "Kabupaten Sumba Barat",
        "level": "kabupaten",
        "province": "Nusa Tenggara Timur",
        "timezone": "Asia/Makassar",
        "intro": "Kabupaten di Pulau Sumba dengan ibu kota Waikabubak. Banyak desa berada di perbukitan "
        "dengan sinyal seluler terbatas, sehingga layanan publik digital harus tetap berjalan "
        "saat jaringan putus.",
        "intro_en": "A regency on Sumba Island whose capital is Waikabubak. Many villages lie in the "
        "hills with patchy mobile signal, so digital public services must keep working when the "
        "network drops.",
    },
    {
        "slug": "pontianak",
        "title": "Kota Pontianak",
        "level": "kota",
        "province": "Kalimantan Barat",
        "timezone": "Asia/Jakarta",
        "intro": "Kota di tepian Sungai Kapuas yang dilintasi garis khatulistiwa, dengan puluhan pasar "
        "tradisional dan ribuan pelaku UMKM.",
        "intro_en": "A city on the banks of the Kapuas River, crossed by the equator, with dozens of "
        "traditional markets and thousands of small businesses.",
    },
]

CHALLENGE_INDEX = {"slug": "tantangan", "title": "Tantangan"}

AGENCIES = [
    {
        "key": "diskominfo-sbb",
        "region": "sumba-barat",
        "name": "Dinas Komunikasi dan Informatika",
        "name_en": "Communication and Informatics Office",
        "acronym": "Diskominfo",
        "officials": ["official"],
        "heads": ["agency_head"],
    },
    {
        "key": "dinkes-sbb",
        "region": "sumba-barat",
        "name": "Dinas Kesehatan",
        "name_en": "Health Office",
        "acronym": "Dinkes",
        "officials": ["official"],
        "heads": ["agency_head"],
    },
    {
        "key": "diskop-ptk",
        "region": "pontianak",
        "name": "Dinas Koperasi dan Usaha Kecil Menengah",
        "name_en": "Cooperatives and Small and Medium Enterprises Office",
        "acronym": "Diskop UKM",
        "officials": ["official", "official2"],
        "heads": ["agency_head2"],
    },
    # The regional finance offices (BPKAD): their finance officers enter the region's treasury
    # account that sponsors transfer pledges to. They post no challenges.
    {
        "key": "bpkad-sbb",
        "region": "sumba-barat",
        "name": "Badan Pengelolaan Keuangan dan Aset Daerah",
        "name_en": "Regional Finance and Asset Management Agency",
        "acronym": "BPKAD",
        "officials": ["finance"],
    },
    {
        "key": "bpkad-ptk",
        "region": "pontianak",
        "name": "Badan Pengelolaan Keuangan dan Aset Daerah",
        "name_en": "Regional Finance and Asset Management Agency",
        "acronym": "BPKAD",
        "officials": ["finance2"],
    },
]

# The regional treasury accounts (RKUD) entered by the finance officers. Kota Pontianak has none
# yet: its pledge page tells the sponsor whom to ask instead.
TREASURY_ACCOUNTS = [
    {
        "region": "sumba-barat",
        "by": "finance",
        "bank_name": "Bank NTT",
        "account_number": "0010203040506",
        "account_holder": "RKUD Kabupaten Sumba Barat",
    },
]

# Officials use the Wagtail admin, so they are staff; the official group gets page
# permissions on each region's subtree.
OFFICIAL_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]

USERS = [
    {
        "username": "official",
        "first_name": "Maria",
        "last_name": "Bili",
        "groups": ["official"],
        "is_staff": True,
        "role": "pejabat OPD: memasang tantangan, menetapkan pemenang, menyetujui tahapan",
    },
    {
        "username": "official2",
        "first_name": "Rudi",
        "last_name": "Setiawan",
        "groups": ["official"],
        "is_staff": True,
        "role": "pejabat OPD Kota Pontianak",
    },
    {
        "username": "finance",
        "first_name": "Yuliana",
        "last_name": "Kaka",
        "groups": ["finance"],
        "is_staff": True,
        "role": "petugas keuangan: mencatat alokasi APBD, mencairkan dana",
    },
    {
        "username": "finance2",
        "first_name": "Hendrik",
        "last_name": "Tanoto",
        "groups": ["finance"],
        "is_staff": True,
        "role": "petugas keuangan kedua",
    },
    {
        "username": "reviewer",
        "first_name": "Siti",
        "last_name": "Rahmawati",
        "groups": ["reviewer"],
        "is_staff": False,
        "role": "penilai proposal",
    },
    {
        "username": "reviewer2",
        "first_name": "Agustinus",
        "last_name": "Wora",
        "groups": ["reviewer"],
        "is_staff": False,
        "role": "penilai proposal (jaringan desa, pendidikan vokasi)",
    },
    {
        "username": "reviewer3",
        "first_name": "Dewi",
        "last_name": "Anggraini",
        "groups": ["reviewer"],
        "is_staff": False,
        "role": "penilai proposal (kesehatan masyarakat, UMKM)",
    },
    {
        "username": "applicant",
        "first_name": "Daniel",
        "last_name": "Malo",
        "groups": [],
        "is_staff": False,
        "role": "pemohon (Sumba Barat)",
    },
    {
        "username": "applicant2",
        "first_name": "Nur",
        "last_name": "Aini",
        "groups": [],
        "is_staff": False,
        "role": "pemohon (Pontianak)",
    },
    {
        "username": "sponsor",
        "first_name": "Linda",
        "last_name": "Wijaya",
        "groups": ["sponsor"],
        "is_staff": False,
        "role": "mitra sponsor (CSR)",
    },
    {
        "username": "agency_head",
        "first_name": "Yohanes",
        "last_name": "Lende",
        "groups": ["agency_head"],
        "is_staff": True,
        "role": "kepala OPD Sumba Barat: menyetujui tantangan wilayahnya sebelum terbit (Wagtail)",
    },
    {
        "username": "agency_head2",
        "first_name": "Hendra",
        "last_name": "Saputra",
        "groups": ["agency_head"],
        "is_staff": True,
        "role": "kepala OPD Pontianak: menyetujui tantangan wilayahnya sebelum terbit (Wagtail)",
    },
]
USER_EMAIL_DOMAIN = "demo.example.org"

ORGANISATIONS = [
    {
        "key": "kode-nusantara",
        "owner": "applicant",
        "name": "PT Kode Nusantara Timur",
        "kind": "startup",
        "region": "sumba-barat",
        "sectors": ["kesehatan", "pengaduan"],
        "verified": True,
        "website": "https://kode-nusantara.example.org",
        "description": "Perusahaan rintisan di Waikabubak yang membangun aplikasi layanan publik ringan "
        "untuk daerah dengan sinyal lemah.",
    },
    {
        "key": "politeknik-sumba",
        "owner": "applicant",
        "name": "Politeknik Digital Sumba",
        "kind": "perguruan_tinggi",
        "region": "sumba-barat",
        "sectors": ["pendidikan", "kesehatan", "konektivitas"],
        "verified": True,
        "website": "",
        "description": "Perguruan tinggi vokasi dengan program studi teknik informatika dan jaringan; "
        "mahasiswanya magang di puskesmas dan kantor desa.",
    },
    {
        "key": "yayasan-literasi",
        "owner": "applicant",
        "name": "Yayasan Literasi Sumba Lestari",
        "kind": "ngo",
        "region": "sumba-barat",
        "sectors": ["pendidikan", "konektivitas"],
        "verified": True,
        "website": "",
        "description": "Yayasan yang mengelola taman baca dan pelatihan literasi digital di desa-desa "
        "Sumba Barat sejak 2015.",
    },
    {
        "key": "pasar-pintar",
        "owner": "applicant2",
        "name": "Pasar Pintar Borneo",
        "kind": "startup",
        "region": "pontianak",
        "sectors": ["pasar-umkm", "perizinan"],
        "verified": True,
        "website": "https://pasarpintar.example.org",
        "description": "Perusahaan rintisan pembayaran dan pembukuan untuk pedagang pasar dan koperasi "
        "di Kalimantan Barat.",
    },
    {
        "key": "ksu-khatulistiwa",
        "owner": "applicant2",
        "name": "Koperasi Serba Usaha Khatulistiwa Mandiri",
        "kind": "koperasi",
        "region": "pontianak",
        "sectors": ["pasar-umkm", "pertanian"],
        "verified": True,
        "website": "",
        "description": "Koperasi pedagang pasar dan petani dengan 640 anggota di Pontianak Utara.",
    },
    {
        "key": "aloe-siantan",
        "owner": "applicant2",
        "name": "Aloe Vera Siantan Jaya",
        "kind": "umkm",
        "region": "pontianak",
        "sectors": ["pertanian", "pasar-umkm"],
        "verified": False,
        "website": "",
        "description": "Usaha keluarga yang mengolah lidah buaya menjadi minuman, dodol dan kerupuk.",
    },
    {
        "key": "citra-survei",
        "owner": "applicant2",
        "name": "PT Citra Survei Kalbar",
        "kind": "company",
        "region": "pontianak",
        "sectors": ["perizinan"],
        "verified": False,
        "website": "https://citrasurvei.example.org",
        "description": "Perseroan terbatas jasa survei lahan dan sistem informasi geografis; memetakan aset "
        "dan batas persil untuk pemerintah kota sejak 2012.",
    },
    {
        "key": "melek-digital",
        "owner": "applicant2",
        "name": "Komunitas Melek Digital Kapuas",
        "kind": "komunitas",
        "region": "pontianak",
        "sectors": ["pendidikan", "perizinan"],
        "verified": False,
        "website": "",
        "description": "Relawan yang mendampingi pelaku usaha mikro dan warga lanjut usia memakai "
        "layanan daring.",
    },
]

# "window" is (opens, closes) in days from today; "outcome" is set once the proposals are in.
CHALLENGES = [
    {
        "slug": "antrean-puskesmas-daring",
        "agency": "dinkes-sbb",
        "sector": "kesehatan",
        "window": (-14, 24),
        "title": "Antrean daring untuk puskesmas",
        "title_en": "Online queueing for community health centres",
        "summary": "Pasien puskesmas di Sumba Barat datang sejak subuh dan menunggu berjam-jam untuk "
        "mendapat nomor antrean. Kami mencari sistem antrean daring yang juga bisa dipakai lewat "
        "SMS dan tetap berjalan saat internet putus.",
        "summary_en": "Patients at West Sumba's health centres arrive before dawn and wait for hours for a "
        "queue number. We are looking for an online queueing system that also works by SMS "
        "and keeps running when the internet drops.",
        "body": [
            "Sebelas puskesmas di Sumba Barat melayani rata-rata 120 pasien per hari. Nomor antrean "
            "dibagikan di loket mulai pukul 07.00, sehingga warga dari desa yang jauh harus berangkat "
            "sebelum matahari terbit, dan tidak sedikit yang pulang tanpa dilayani.",
            "Solusi yang kami cari memungkinkan warga mengambil nomor antrean lewat ponsel (aplikasi web "
            "ringan, SMS atau WhatsApp), memperkirakan waktu panggilan, dan memberi petugas loket tampilan "
            "yang sederhana. Sistem harus tetap bekerja luring di puskesmas, menyinkronkan data ketika "
            "sinyal kembali, dan dapat dihubungkan dengan P-Care BPJS Kesehatan.",
        ],
        "eligibility": "<ul><li>Badan usaha, koperasi, perguruan tinggi atau komunitas yang terdaftar di "
        "Indonesia.</li><li>Pernah membangun aplikasi yang dipakai pengguna nyata.</li>"
        "<li>Bersedia menguji coba di dua puskesmas selama tiga bulan.</li></ul>",
        "incentives": [
            ("grant", 150 * JUTA, "Hibah pengembangan dan uji coba di dua puskesmas"),
            ("in_kind", 0, "Pendampingan tim Dinas Kesehatan dan akses ke data layanan yang dianonimkan"),
        ],
        "criteria": [
            ("Dampak bagi pasien", "Berapa jam tunggu yang dihemat dan siapa yang terbantu.", 35),
            ("Kelayakan teknis dan kemampuan luring", "Tetap jalan tanpa internet; data tidak hilang.", 30),
            ("Biaya dan keberlanjutan", "Biaya operasional setelah masa uji coba.", 20),
            ("Pengalaman tim", "Rekam jejak membangun dan merawat aplikasi.", 15),
        ],
    },
    {
        "slug": "pencatatan-gizi-posyandu",
        "agency": "dinkes-sbb",
        "sector": "kesehatan",
        "window": (-130, -80),
        "outcome": "awarded",
        "title": "Pencatatan tumbuh kembang balita di posyandu",
        "title_en": "Recording child growth at village health posts",
        "summary": "Kader posyandu mencatat berat dan tinggi badan balita di buku tulis, lalu merekapnya "
        "secara manual setiap bulan, sehingga data stunting terlambat sampai ke dinas. Kami "
        "mencari alat pencatatan digital yang mudah dipakai kader dan bekerja tanpa sinyal.",
        "summary_en": "Village health volunteers record toddlers' weight and height in notebooks and tally "
        "them by hand every month, so stunting data reaches the health office late. We are "
        "looking for a digital recording tool that volunteers find easy and that works "
        "without signal.",
        "body": [
            "Sumba Barat memiliki lebih dari 200 posyandu. Prevalensi stunting masih di atas rata-rata "
            "nasional, dan keputusan intervensi gizi bergantung pada data yang baru tersedia enam sampai "
            "delapan minggu setelah penimbangan.",
            "Kami mencari aplikasi yang dapat dipakai kader dengan ponsel Android sederhana, menghitung "
            "status gizi sesuai standar WHO secara otomatis, memberi peringatan untuk balita berisiko, dan "
            "mengirim rekap ke puskesmas ketika tersambung internet.",
        ],
        "eligibility": "<ul><li>Tim dengan pengalaman di bidang kesehatan masyarakat atau pengembangan "
        "aplikasi.</li><li>Bersedia melatih kader posyandu di desa.</li></ul>",
        "incentives": [
            ("grant", 250 * JUTA, "Hibah pengembangan, pelatihan kader dan perluasan bertahap"),
        ],
        "criteria": [
            ("Kemudahan bagi kader", "Dapat dipakai kader setelah pelatihan satu hari.", 30),
            ("Ketepatan data dan standar gizi", "Perhitungan z-skor sesuai standar WHO.", 30),
            ("Kemampuan luring", "Pencatatan tetap jalan tanpa sinyal.", 20),
            ("Biaya dan keberlanjutan", "Biaya perangkat dan perawatan per posyandu.", 20),
        ],
    },
    {
        "slug": "internet-desa-terpencil",
        "agency": "diskominfo-sbb",
        "sector": "konektivitas",
        "window": (-10, 35),
        "title": "Akses internet untuk desa terpencil",
        "title_en": "Internet access for remote villages",
        "summary": "Sebagian desa di Sumba Barat belum terjangkau sinyal 4G. Kami mencari model akses "
        "internet desa yang terjangkau dan dikelola warga, misalnya jaringan Wi-Fi komunitas "
        "yang tersambung ke menara atau titik akses satelit terdekat.",
        "summary_en": "Several villages in West Sumba still have no 4G signal. We are looking for an "
        "affordable, community-run model of village internet access, such as a community "
        "Wi-Fi network linked to the nearest tower or satellite access point.",
        "body": [
            "Kantor desa, sekolah dan puskesmas pembantu di desa-desa perbukitan harus pergi ke kota "
            "kecamatan untuk mengunggah laporan dan mengakses layanan daring. Beberapa desa sudah memiliki "
            "titik akses satelit dari program pemerintah pusat, tetapi jangkauannya hanya di sekitar kantor "
            "desa.",
            "Usulan yang baik menjelaskan teknologi, biaya pemasangan dan biaya bulanan per desa, siapa yang "
            "merawat jaringan, dan bagaimana BUMDes atau kelompok warga dapat menutup biaya operasional "
            "setelah masa hibah selesai.",
        ],
        "eligibility": "<ul><li>Badan usaha, koperasi, BUMDes, perguruan tinggi atau komunitas.</li>"
        "<li>Memiliki tenaga teknis jaringan atau bermitra dengan penyedia jasa internet "
        "berizin.</li></ul>",
        "incentives": [
            ("pilot_contract", 400 * JUTA, "Kontrak uji coba di lima desa selama dua belas bulan"),
            ("in_kind", 0, "Izin pemasangan perangkat di menara dan gedung milik pemerintah daerah"),
        ],
        "criteria": [
            ("Jangkauan", "Jumlah warga, sekolah dan fasilitas kesehatan yang terlayani.", 30),
            ("Biaya per desa", "Biaya pemasangan dan biaya bulanan.", 25),
            ("Pengelolaan oleh warga", "Peran BUMDes atau kelompok warga setelah uji coba.", 25),
            ("Kesiapan teknis", "Perangkat, perizinan frekuensi dan tenaga pemelihara.", 20),
        ],
    },
    {
        "slug": "literasi-digital-desa",
        "agency": "diskominfo-sbb",
        "sector": "pendidikan",
        "window": (-60, -9),
        "title": "Literasi digital bagi warga desa terpencil",
        "title_en": "Digital literacy for remote villages",
        "summary": "Banyak warga desa baru memiliki ponsel pintar, belum terbiasa memakai layanan daring, "
        "dan rentan terhadap penipuan. Kami mencari program pelatihan literasi digital yang dapat "
        "dijalankan oleh kader desa sendiri.",
        "summary_en": "Many villagers own a smartphone for the first time, are not used to online services "
        "and are vulnerable to scams. We are looking for a digital-literacy programme that "
        "village volunteers can run themselves.",
        "body": [
            "Pemerintah daerah memindahkan layanan administrasi kependudukan, bantuan sosial dan pengaduan "
            "ke kanal daring. Tanpa pendampingan, warga lanjut usia, petani dan ibu rumah tangga tertinggal "
            "dan bergantung pada perantara yang memungut biaya.",
            "Program yang kami cari melatih kader di setiap desa, memakai bahasa sehari-hari dan contoh "
            "lokal, mencakup keamanan akun dan cara mengenali penipuan, serta mengukur hasilnya secara "
            "sederhana.",
        ],
        "eligibility": "<ul><li>Lembaga pendidikan, yayasan atau komunitas dengan pengalaman pelatihan "
        "warga.</li><li>Materi dibagikan dengan lisensi terbuka.</li></ul>",
        "incentives": [
            ("grant", 120 * JUTA, "Hibah program pelatihan untuk 20 desa"),
            ("prize", 15 * JUTA, "Hadiah untuk materi pelatihan terbaik"),
        ],
        "criteria": [
            ("Jangkauan peserta", "Jumlah desa dan warga yang dilatih.", 30),
            ("Kesesuaian dengan konteks lokal", "Bahasa, contoh dan jadwal yang cocok untuk warga.", 30),
            ("Keberlanjutan melalui kader desa", "Kader mampu melanjutkan tanpa tim pelaksana.", 25),
            ("Cara mengukur hasil", "Indikator sederhana sebelum dan sesudah pelatihan.", 15),
        ],
    },
    {
        "slug": "penanganan-pengaduan-layanan-publik",
        "agency": "diskominfo-sbb",
        "sector": "pengaduan",
        "window": (-7, 28),
        "title": "Penanganan pengaduan layanan publik",
        "title_en": "Handling public-service complaints",
        "summary": "Pengaduan warga masuk lewat surat, telepon, media sosial dan SP4N-LAPOR!, lalu tercecer "
        "di banyak meja. Kami mencari cara menampung, meneruskan dan memantau setiap pengaduan "
        "sampai selesai, dengan tenggat yang terlihat oleh warga.",
        "summary_en": "Citizens' complaints arrive by letter, phone, social media and SP4N-LAPOR! and get "
        "scattered across many desks. We are looking for a way to collect, route and track "
        "every complaint to resolution, with deadlines the citizen can see.",
        "body": [
            "Saat ini tidak ada satu daftar pengaduan untuk seluruh perangkat daerah. Warga tidak tahu "
            "apakah pengaduannya dibaca, dan pimpinan daerah tidak dapat melihat dinas mana yang lambat "
            "menanggapi.",
            "Kami mencari solusi yang menyatukan kanal masuk, meneruskan pengaduan ke OPD yang tepat, "
            "mengirim pemberitahuan status kepada pelapor lewat SMS atau WhatsApp, dan menerbitkan "
            "statistik penanganan secara terbuka. Integrasi dengan SP4N-LAPOR! menjadi nilai tambah.",
        ],
        "eligibility": "<ul><li>Badan usaha, perguruan tinggi atau komunitas yang terdaftar di "
        "Indonesia.</li><li>Data pelapor disimpan di Indonesia.</li></ul>",
        "incentives": [
            ("pilot_contract", 200 * JUTA, "Kontrak uji coba selama enam bulan di tiga OPD"),
        ],
        "criteria": [
            ("Kemudahan bagi warga", "Pelapor tanpa ponsel pintar tetap bisa mengadu.", 30),
            ("Keterlacakan dan keterbukaan", "Status dan tenggat setiap pengaduan terlihat.", 30),
            ("Integrasi dengan kanal yang ada", "SP4N-LAPOR!, media sosial, surat.", 20),
            ("Biaya", "Biaya uji coba dan operasional tahunan.", 20),
        ],
    },
    {
        "slug": "promosi-wisata-kampung-adat",
        "agency": "diskominfo-sbb",
        "sector": "pariwisata",
        "window": (12, 60),
        "title": "Promosi digital wisata kampung adat",
        "title_en": "Digital promotion of traditional-village tourism",
        "summary": "Kampung adat di Sumba Barat menarik wisatawan, tetapi informasi kunjungan, tata krama "
        "dan pemandu lokal sulit ditemukan, dan pendapatan jarang sampai ke warga kampung. Kami "
        "mencari platform informasi dan pemesanan yang dikelola bersama masyarakat adat.",
        "summary_en": "West Sumba's traditional villages attract visitors, but information on visits, "
        "etiquette and local guides is hard to find, and income rarely reaches the villagers. "
        "We are looking for an information and booking platform run together with the "
        "indigenous communities.",
        "body": [
            "Wisatawan datang tanpa mengetahui aturan adat dan sering diarahkan oleh perantara dari luar "
            "kampung. Warga kampung tidak memiliki cara sederhana untuk menerima pemesanan pemandu, "
            "homestay atau tenun ikat secara langsung.",
            "Solusi harus disepakati dengan lembaga adat, menyajikan informasi dalam Bahasa Indonesia dan "
            "Inggris, menerima pembayaran nontunai, dan mencatat bagi hasil yang diterima kampung secara "
            "terbuka.",
        ],
        "eligibility": "<ul><li>Terbuka untuk semua jenis organisasi.</li><li>Wajib menyertakan surat "
        "dukungan dari lembaga adat kampung mitra.</li></ul>",
        "incentives": [
            ("grant", 100 * JUTA, "Hibah pengembangan platform dan pelatihan pemandu"),
            (
                "levy_relief",
                25 * JUTA,
                "Pembebasan retribusi tempat rekreasi selama satu tahun bagi kampung mitra",
            ),
        ],
        "criteria": [
            ("Persetujuan dan peran masyarakat adat", "Lembaga adat ikut memutuskan.", 35),
            ("Manfaat ekonomi bagi warga", "Bagian pendapatan yang diterima kampung.", 30),
            ("Kualitas informasi dwibahasa", "Informasi akurat dalam dua bahasa.", 20),
            ("Keberlanjutan", "Siapa yang mengelola setelah hibah selesai.", 15),
        ],
    },
    {
        "slug": "telekonsultasi-puskesmas-pembantu",
        "agency": "dinkes-sbb",
        "sector": "kesehatan",
        "window": (-110, -70),
        "outcome": "closed",
        "title": "Telekonsultasi dokter untuk puskesmas pembantu",
        "title_en": "Doctor teleconsultation for auxiliary health posts",
        "summary": "Puskesmas pembantu di desa hanya dilayani perawat atau bidan. Kami mencari layanan "
        "telekonsultasi yang menghubungkan mereka dengan dokter puskesmas untuk kasus yang perlu "
        "keputusan cepat.",
        "summary_en": "Auxiliary health posts in the villages are staffed only by a nurse or a midwife. We "
        "were looking for a teleconsultation service connecting them with the health-centre "
        "doctor for cases that need a quick decision.",
        "body": [
            "Perawat dan bidan di puskesmas pembantu sering harus memutuskan rujukan tanpa dapat "
            "berkonsultasi dengan dokter, karena telepon tidak selalu tersambung dan jarak ke puskesmas "
            "induk bisa dua jam perjalanan.",
            "Tantangan ini ditutup tanpa pemenang: usulan yang masuk belum memenuhi syarat keamanan data "
            "pasien. Dinas Kesehatan akan membuka putaran baru dengan persyaratan yang diperjelas.",
        ],
        "eligibility": "<ul><li>Tim yang melibatkan tenaga kesehatan berizin.</li></ul>",
        "incentives": [
            ("grant", 100 * JUTA, "Hibah pengembangan dan uji coba di sepuluh puskesmas pembantu"),
        ],
        "criteria": [
            ("Keselamatan pasien", "Alur konsultasi dan rujukan yang aman.", 35),
            ("Keamanan data", "Data pasien terlindungi sesuai UU Pelindungan Data Pribadi.", 30),
            ("Bekerja dengan sinyal lemah", "Pesan, foto dan suara pada jaringan 2G.", 20),
            ("Biaya", "Biaya per puskesmas pembantu.", 15),
        ],
    },
    {
        "slug": "retribusi-pasar-nontunai",
        "agency": "diskop-ptk",
        "sector": "pasar-umkm",
        "window": (-21, 21),
        "title": "Retribusi pasar nontunai",
        "title_en": "Cashless market levies",
        "summary": "Retribusi harian di pasar tradisional Pontianak masih dipungut tunai oleh petugas dengan "
        "karcis kertas, sehingga sulit diawasi dan rawan kebocoran. Kami mencari cara pembayaran "
        "retribusi nontunai yang mudah bagi pedagang kecil.",
        "summary_en": "Daily levies at Pontianak's traditional markets are still collected in cash by "
        "officers with paper tickets, which makes them hard to audit and prone to leakage. We "
        "are looking for a cashless levy payment that is easy for small traders.",
        "body": [
            "Kota Pontianak mengelola puluhan pasar dengan ribuan pedagang. Setoran retribusi tercatat per "
            "bundel karcis, bukan per pedagang, sehingga dinas tidak tahu siapa yang sudah membayar dan "
            "berapa potensi pendapatan sebenarnya.",
            "Kami mencari pembayaran melalui QRIS atau dompet digital, dengan pilihan bagi pedagang yang "
            "tidak memiliki ponsel pintar, rekap harian per pedagang untuk petugas, dan setoran otomatis "
            "ke rekening kas daerah. Pedagang harus bisa melihat riwayat pembayarannya sendiri.",
        ],
        "eligibility": "<ul><li>Badan usaha atau koperasi yang terdaftar di Indonesia.</li><li>Mitra "
        "pembayaran memiliki izin Bank Indonesia.</li></ul>",
        "incentives": [
            ("pilot_contract", 200 * JUTA, "Kontrak uji coba di tiga pasar selama enam bulan"),
            ("levy_relief", 30 * JUTA, "Keringanan retribusi tiga bulan bagi pedagang peserta uji coba"),
        ],
        "criteria": [
            ("Kemudahan bagi pedagang", "Termasuk pedagang tanpa ponsel pintar.", 35),
            ("Keterlacakan setoran", "Setiap pembayaran sampai ke kas daerah dan dapat diperiksa.", 30),
            ("Biaya transaksi", "Biaya yang ditanggung pedagang dan pemerintah.", 20),
            ("Kesiapan tim", "Pengalaman dan izin yang dimiliki.", 15),
        ],
    },
    {
        "slug": "izin-usaha-umkm-daring",
        "agency": "diskop-ptk",
        "sector": "perizinan",
        "window": (-5, 40),
        "title": "Pendampingan izin usaha daring untuk UMKM",
        "title_en": "Online business permits for small businesses",
        "summary": "Sebagian besar usaha mikro di Pontianak belum memiliki Nomor Induk Berusaha (NIB) "
        "karena proses daring di OSS terasa rumit. Kami mencari layanan pendampingan yang "
        "membantu pelaku UMKM mengurus izin dari ponsel.",
        "summary_en": "Most micro businesses in Pontianak have no business identification number (NIB) "
        "because the online OSS process feels complicated. We are looking for an assisted "
        "service that helps small businesses get their permits from a phone.",
        "body": [
            "Tanpa NIB, pelaku usaha mikro sulit mendapat kredit usaha rakyat, sertifikasi halal dan akses "
            "ke pengadaan pemerintah. Klinik UMKM dinas hanya dapat mendampingi beberapa puluh orang per "
            "minggu.",
            "Solusi yang kami cari memandu pelaku usaha langkah demi langkah dalam bahasa yang sederhana, "
            "memeriksa kelengkapan dokumen sebelum diunggah, dan memberi tahu dinas bila ada pengajuan yang "
            "macet.",
        ],
        "eligibility": "<ul><li>Terbuka untuk semua jenis organisasi.</li><li>Layanan bebas biaya bagi "
        "pelaku usaha mikro.</li></ul>",
        "incentives": [
            ("grant", 90 * JUTA, "Hibah layanan pendampingan selama enam bulan"),
            ("in_kind", 0, "Ruang kerja bersama di Rumah UMKM Kota Pontianak selama enam bulan"),
        ],
        "criteria": [
            ("Jumlah UMKM terbantu", "Target NIB terbit selama program.", 35),
            ("Kemudahan penggunaan", "Dapat dipakai dari ponsel sederhana.", 30),
            ("Kesesuaian dengan OSS", "Mengikuti alur OSS berbasis risiko.", 20),
            ("Biaya", "Biaya per UMKM terbantu.", 15),
        ],
    },
    {
        "slug": "pemasaran-daring-lidah-buaya",
        "agency": "diskop-ptk",
        "sector": "pertanian",
        "window": (-55, -6),
        "title": "Pemasaran daring produk lidah buaya",
        "title_en": "Online marketing of aloe vera products",
        "summary": "Petani dan UMKM lidah buaya di Pontianak Utara menjual sebagian besar panen ke tengkulak "
        "dengan harga rendah. Kami mencari cara menghubungkan mereka langsung dengan pembeli di "
        "luar daerah.",
        "summary_en": "Aloe vera farmers and small producers in North Pontianak sell most of their harvest "
        "to middlemen at low prices. We are looking for a way to connect them directly with "
        "buyers outside the region.",
        "body": [
            "Lidah buaya adalah ikon Kota Pontianak. Produk olahannya seperti minuman, dodol dan kerupuk "
            "dikenal wisatawan, tetapi pemasarannya masih mengandalkan toko oleh-oleh dan pesanan dari "
            "mulut ke mulut.",
            "Usulan dapat berupa toko daring bersama, kemitraan dengan platform niaga elektronik, atau "
            "layanan pengiriman terpadu. Yang penting, petani dan UMKM mendapat harga yang lebih baik dan "
            "dapat mengelola tokonya sendiri setelah pendampingan selesai.",
        ],
        "eligibility": "<ul><li>Terbuka untuk UMKM, koperasi, kelompok tani dan perusahaan rintisan.</li>"
        "</ul>",
        "incentives": [
            ("grant", 75 * JUTA, "Hibah pemasaran dan pendampingan"),
            ("prize", 10 * JUTA, "Hadiah untuk kenaikan penjualan tertinggi"),
        ],
        "criteria": [
            ("Kenaikan pendapatan petani", "Harga jual dibandingkan harga tengkulak.", 40),
            ("Kemandirian setelah pendampingan", "Petani mengelola toko sendiri.", 25),
            ("Jangkauan pasar", "Pembeli di luar Kalimantan Barat.", 20),
            ("Biaya", "Biaya per petani atau UMKM.", 15),
        ],
    },
    {
        "slug": "peta-kuliner-tepian-kapuas",
        "agency": "diskop-ptk",
        "sector": "pariwisata",
        "window": (7, 50),
        "title": "Peta kuliner UMKM tepian Kapuas",
        "title_en": "A food map of small businesses along the Kapuas river",
        "summary": "Warung kopi dan kuliner di tepian Sungai Kapuas menjadi tujuan wisata, tetapi banyak "
        "UMKM belum tercantum di peta daring dan belum menerima pembayaran nontunai. Kami "
        "mencari cara membuat mereka mudah ditemukan dan dibayar.",
        "summary_en": "Coffee shops and food stalls along the Kapuas river draw visitors, but many small "
        "businesses are not on online maps and do not take cashless payments. We are looking "
        "for a way to make them easy to find and to pay.",
        "body": [
            "Wisatawan mencari kuliner lewat peta daring dan media sosial. UMKM yang tidak tercantum "
            "kehilangan pembeli, terutama saat acara seperti peristiwa kulminasi matahari di Tugu "
            "Khatulistiwa dan festival di tepian Kapuas.",
            "Kami mencari program yang mendata dan memotret UMKM kuliner, mendaftarkan mereka ke peta daring "
            "dan QRIS, serta menyediakan peta kuliner dwibahasa yang dikelola bersama asosiasi pedagang.",
        ],
        "eligibility": "<ul><li>Terbuka untuk semua jenis organisasi.</li></ul>",
        "incentives": [
            ("prize", 50 * JUTA, "Hadiah untuk tiga tim terbaik"),
            ("in_kind", 0, "Stan gratis di festival kuliner kota"),
        ],
        "criteria": [
            ("Jumlah UMKM yang terdata", "UMKM yang tercantum di peta dan menerima QRIS.", 35),
            ("Kualitas peta dwibahasa", "Informasi lengkap dan akurat.", 25),
            ("Keterlibatan asosiasi pedagang", "Asosiasi ikut mengelola peta.", 25),
            ("Keberlanjutan", "Pembaruan data setelah program selesai.", 15),
        ],
    },
    {
        "slug": "pembukuan-digital-koperasi",
        "agency": "diskop-ptk",
        "sector": "pasar-umkm",
        "window": (-125, -85),
        "outcome": "awarded",
        "title": "Pembukuan digital untuk koperasi simpan pinjam",
        "title_en": "Digital bookkeeping for savings-and-loan cooperatives",
        "summary": "Banyak koperasi di Pontianak masih mencatat simpanan dan pinjaman anggota di buku besar "
        "kertas, sehingga laporan tahunan terlambat dan anggota tidak dapat memeriksa saldonya. "
        "Kami mencari aplikasi pembukuan koperasi yang sederhana dan terjangkau.",
        "summary_en": "Many cooperatives in Pontianak still record members' savings and loans in paper "
        "ledgers, so annual reports are late and members cannot check their balances. We are "
        "looking for simple, affordable bookkeeping software for cooperatives.",
        "body": [
            "Rapat anggota tahunan sering tertunda karena laporan keuangan belum selesai, dan pengawasan "
            "dinas atas kesehatan koperasi bergantung pada laporan kertas yang dikirim setahun sekali.",
            "Kami mencari aplikasi yang mengikuti standar akuntansi koperasi, dapat dipakai pengurus dengan "
            "pelatihan singkat, memungkinkan anggota melihat simpanan dan pinjamannya lewat ponsel, dan "
            "menghasilkan laporan untuk dinas secara otomatis.",
        ],
        "eligibility": "<ul><li>Badan usaha atau koperasi yang terdaftar di Indonesia.</li><li>Bersedia "
        "mendampingi minimal 30 koperasi.</li></ul>",
        "incentives": [
            ("grant", 200 * JUTA, "Hibah pengembangan dan pendampingan 30 koperasi"),
        ],
        "criteria": [
            ("Kesesuaian dengan standar akuntansi koperasi", "Laporan sesuai ketentuan kementerian.", 30),
            ("Kemudahan bagi pengurus", "Dapat dipakai setelah pelatihan singkat.", 30),
            ("Akses anggota ke saldo", "Anggota memeriksa simpanan dan pinjamannya sendiri.", 20),
            ("Biaya langganan", "Terjangkau bagi koperasi kecil.", 20),
        ],
    },
]

# state: draft, submitted, withdrawn, rejected or awarded (awards are listed in AWARDS).
PROPOSALS = [
    {
        "key": "antrisehat",
        "challenge": "antrean-puskesmas-daring",
        "organisation": "kode-nusantara",
        "state": "submitted",
        "requested_amount": 145 * JUTA,
        "title": "AntriSehat: nomor antrean puskesmas lewat SMS dan web",
        "summary": "Warga mengambil nomor antrean lewat SMS, WhatsApp atau web ringan dan menerima perkiraan "
        "jam panggilan. Server kecil di puskesmas tetap melayani saat internet putus.",
        "plan": "Bulan 1: pemetaan alur loket di dua puskesmas. Bulan 2: uji coba terbatas. "
        "Bulan 3: evaluasi bersama Dinas Kesehatan dan penyempurnaan.",
    },
    {
        "key": "kios-antrean",
        "challenge": "antrean-puskesmas-daring",
        "organisation": "politeknik-sumba",
        "state": "draft",
        "requested_amount": 120 * JUTA,
        "title": "Kios antrean luring-daring untuk puskesmas",
        "summary": "Kios layar sentuh di puskesmas dan pendaftaran lewat web, dikembangkan dan dirawat oleh "
        "mahasiswa magang.",
        "plan": "",
    },
    {
        "key": "wifi-bumdes",
        "challenge": "internet-desa-terpencil",
        "organisation": "yayasan-literasi",
        "state": "submitted",
        "requested_amount": 380 * JUTA,
        "title": "Wi-Fi komunitas yang dikelola BUMDes",
        "summary": (
            "Jaringan Wi-Fi desa yang tersambung ke titik akses satelit, "
            "dengan voucer murah yang dijual BUMDes untuk menutup biaya bulanan."
        ),
        "plan": "Lima desa, masing-masing dengan dua teknisi warga yang dilatih selama dua minggu.",
    },
    {
        "key": "mesh-surya",
        "challenge": "internet-desa-terpencil",
        "organisation": "politeknik-sumba",
        "state": "submitted",
        "requested_amount": 350 * JUTA,
        "title": "Jaringan mesh desa bertenaga surya",
        "summary": "Titik akses mesh bertenaga surya yang menjangkau dusun-dusun di perbukitan, dipasang dan "
        "dirawat bersama mahasiswa teknik jaringan.",
        "plan": "Survei lokasi, pemasangan bertahap, pelatihan teknisi desa, pemantauan jarak jauh.",
    },
    {
        "key": "satu-pintu-pengaduan",
        "challenge": "penanganan-pengaduan-layanan-publik",
        "organisation": "kode-nusantara",
        "state": "draft",
        "requested_amount": 190 * JUTA,
        "title": "Satu pintu pengaduan warga Sumba Barat",
        "summary": "Semua kanal pengaduan masuk ke satu daftar, diteruskan ke OPD yang tepat, dan pelapor "
        "menerima kabar lewat SMS.",
        "plan": "",
    },
    {
        "key": "qris-pasar",
        "challenge": "retribusi-pasar-nontunai",
        "organisation": "pasar-pintar",
        "state": "submitted",
        "requested_amount": 195 * JUTA,
        "title": "Retribusi pasar lewat QRIS dan kartu pedagang",
        "summary": "Pedagang membayar retribusi dengan QRIS atau kartu prabayar; petugas memegang aplikasi "
        "rekap harian dan setoran masuk langsung ke rekening kas daerah.",
        "plan": "Uji coba di Pasar Flamboyan, Pasar Kemuning dan Pasar Dahlia selama enam bulan.",
    },
    {
        "key": "loket-koperasi",
        "challenge": "retribusi-pasar-nontunai",
        "organisation": "ksu-khatulistiwa",
        "state": "withdrawn",
        "requested_amount": 150 * JUTA,
        "title": "Loket retribusi nontunai yang dikelola koperasi pasar",
        "summary": "Koperasi pedagang membuka loket pembayaran retribusi nontunai di setiap pasar.",
        "plan": "Ditarik: koperasi bergabung sebagai mitra usulan lain.",
    },
    {
        "key": "klinik-nib",
        "challenge": "izin-usaha-umkm-daring",
        "organisation": "melek-digital",
        "state": "draft",
        "requested_amount": 80 * JUTA,
        "title": "Klinik NIB keliling dengan pendamping sebaya",
        "summary": "Relawan mendatangi sentra UMKM dan membantu pendaftaran NIB langsung dari ponsel pelaku "
        "usaha.",
        "plan": "",
    },
    {
        "key": "kader-cakap-digital",
        "challenge": "literasi-digital-desa",
        "organisation": "yayasan-literasi",
        "state": "submitted",
        "requested_amount": 115 * JUTA,
        "title": "Kader Cakap Digital di 20 desa",
        "summary": "Dua kader per desa dilatih menjadi pendamping digital, dengan modul bergambar dan contoh "
        "penipuan yang sering terjadi di Sumba.",
        "plan": "Pelatihan kader di Waikabubak, lalu pendampingan di desa selama empat bulan.",
    },
    {
        "key": "modul-bahasa-lokal",
        "challenge": "literasi-digital-desa",
        "organisation": "politeknik-sumba",
        "state": "submitted",
        "requested_amount": 110 * JUTA,
        "title": "Modul literasi digital dalam bahasa daerah",
        "summary": "Video pendek dan modul cetak dalam Bahasa Indonesia dan bahasa daerah, diputar di balai "
        "desa dan dibagikan lewat WhatsApp.",
        "plan": "Produksi modul, uji keterbacaan bersama warga, penyebaran ke 20 desa.",
    },
    {
        "key": "toko-lidah-buaya",
        "challenge": "pemasaran-daring-lidah-buaya",
        "organisation": "aloe-siantan",
        "state": "submitted",
        "requested_amount": 70 * JUTA,
        "title": "Toko daring bersama petani lidah buaya Siantan",
        "summary": "Satu toko daring bersama di platform niaga elektronik dengan foto produk, label "
        "kemasan baru dan pengiriman terpadu.",
        "plan": "Pelatihan foto produk, pembukaan toko, kemitraan pengiriman, pendampingan tiga bulan.",
    },
    {
        "key": "agregasi-koperasi",
        "challenge": "pemasaran-daring-lidah-buaya",
        "organisation": "ksu-khatulistiwa",
        "state": "submitted",
        "requested_amount": 75 * JUTA,
        "title": "Agregasi dan pengiriman produk lidah buaya oleh koperasi",
        "summary": "Koperasi membeli panen dengan harga yang disepakati, mengolah dan mengirim ke pembeli di "
        "Jawa dan Kalimantan.",
        "plan": "Kontrak dengan 40 petani, gudang bersama, pemasaran ke toko oleh-oleh dan pembeli grosir.",
    },
    {
        "key": "posyandu-digital",
        "challenge": "pencatatan-gizi-posyandu",
        "organisation": "kode-nusantara",
        "state": "awarded",
        "requested_amount": 240 * JUTA,
        "title": "Posyandu Digital: catat tumbuh kembang tanpa sinyal",
        "summary": "Aplikasi Android untuk kader yang menghitung status gizi balita sesuai standar WHO, "
        "bekerja luring, dan mengirim rekap ke puskesmas saat tersambung.",
        "plan": "Purwarupa di lima posyandu, perluasan ke 40 posyandu, dasbor gizi untuk dinas.",
    },
    {
        "key": "timbangan-pintar",
        "challenge": "pencatatan-gizi-posyandu",
        "organisation": "politeknik-sumba",
        "state": "rejected",
        "requested_amount": 250 * JUTA,
        "title": "Timbangan pintar untuk posyandu",
        "summary": "Timbangan dan alat ukur tinggi badan yang mengirim data langsung ke ponsel kader.",
        "plan": "Perakitan perangkat, uji akurasi, pembagian ke posyandu.",
    },
    {
        "key": "koperasiku",
        "challenge": "pembukuan-digital-koperasi",
        "organisation": "pasar-pintar",
        "state": "awarded",
        "requested_amount": 180 * JUTA,
        "title": "KoperasiKu: pembukuan simpan pinjam dan saldo anggota lewat ponsel",
        "summary": "Aplikasi pembukuan koperasi simpan pinjam dengan laporan otomatis untuk dinas dan akses "
        "saldo untuk anggota.",
        "plan": "Aplikasi inti dan migrasi data lima koperasi, perluasan ke 30 koperasi, akses anggota.",
    },
    {
        "key": "spreadsheet-koperasi",
        "challenge": "pembukuan-digital-koperasi",
        "organisation": "melek-digital",
        "state": "rejected",
        "requested_amount": 90 * JUTA,
        "title": "Pendampingan pembukuan koperasi dengan lembar kerja bersama",
        "summary": "Relawan mendampingi pengurus koperasi memindahkan buku besar ke lembar kerja daring.",
        "plan": "Pendampingan di 30 koperasi selama enam bulan.",
    },
    {
        "key": "konsultasi-pesan",
        "challenge": "telekonsultasi-puskesmas-pembantu",
        "organisation": "politeknik-sumba",
        "state": "rejected",
        "requested_amount": 95 * JUTA,
        "title": "Telekonsultasi lewat aplikasi pesan",
        "summary": "Perawat mengirim foto dan catatan pasien ke grup dokter puskesmas lewat aplikasi pesan.",
        "plan": "Pelatihan perawat dan dokter, format pesan standar, rekap bulanan.",
    },
    {
        "key": "telemedis-luring",
        "challenge": "telekonsultasi-puskesmas-pembantu",
        "organisation": "kode-nusantara",
        "state": "withdrawn",
        "requested_amount": 100 * JUTA,
        "title": "Telemedis simpan-dan-kirim untuk jaringan 2G",
        "summary": "Catatan pemeriksaan dikirim bertahap lewat jaringan lemah dan dijawab dokter dalam "
        "hitungan jam.",
        "plan": "Ditarik oleh pengusul sebelum tenggat.",
    },
    {
        "key": "waspada-penipuan",
        "challenge": "literasi-digital-desa",
        "organisation": "kode-nusantara",
        "state": "submitted",
        "requested_amount": 95 * JUTA,
        "title": "Latihan Waspada Penipuan lewat SMS dan ponsel murah",
        "summary": "Warga berlatih mengenali pesan penipuan (undian palsu, kurir palsu, pinjaman daring "
        "ilegal) lewat simulasi SMS dan aplikasi ringan, didampingi kader desa yang memandu diskusi.",
        "plan": "Tiga puluh skenario penipuan disusun bersama Polres Sumba Barat, uji coba di lima desa, "
        "pelatihan kader, lalu perluasan ke 20 desa.",
    },
    {
        "key": "kelas-daring-kapuas",
        "challenge": "literasi-digital-desa",
        "organisation": "melek-digital",
        "state": "submitted",
        "requested_amount": 60 * JUTA,
        "title": "Kelas literasi digital daring dari Pontianak",
        "summary": "Kelas video mingguan yang dipandu relawan dari Pontianak; warga mengikutinya lewat "
        "konferensi video dari balai desa.",
        "plan": "Dua belas sesi daring; rekaman kelas disimpan di kanal komunitas.",
    },
]

# Who decides a proposal that is rejected, per agency.
DECIDING_OFFICIAL = "official"

# Budget allocations (APBD) recorded by a finance officer, one per challenge fund.
ALLOCATIONS = [
    {
        "challenge": "pencatatan-gizi-posyandu",
        "amount": 300 * JUTA,
        "reference": "DPA-DINKES-SBB-1.02.02.2.14",
        "by": "finance",
    },
    {
        "challenge": "pembukuan-digital-koperasi",
        "amount": 200 * JUTA,
        "reference": "DPA-DISKOP-PTK-2.17.03.2.07",
        "by": "finance",
    },
    {
        "challenge": "antrean-puskesmas-daring",
        "amount": 150 * JUTA,
        "reference": "DPA-DINKES-SBB-1.02.02.2.21",
        "by": "finance",
    },
    {
        "challenge": "retribusi-pasar-nontunai",
        "amount": 200 * JUTA,
        "reference": "DPA-DISKOP-PTK-2.17.03.2.11",
        "by": "finance",
    },
    {
        "challenge": "literasi-digital-desa",
        "amount": 120 * JUTA,
        "reference": "DPA-DISKOMINFO-SBB-2.16.02.2.05",
        "by": "finance",
    },
    {
        "challenge": "pemasaran-daring-lidah-buaya",
        "amount": 75 * JUTA,
        "reference": "DPA-DISKOP-PTK-2.17.03.2.15",
        "by": "finance",
    },
]

# Funded projects. Milestone "state": planned, reported, approved (awaiting release) or paid;
# "due" is days from today.
AWARDS = [
    {
        "proposal": "posyandu-digital",
        "amount": 240 * JUTA,
        "awarded_by": "official",
        "bank": {
            "bank_name": "Bank NTT",
            "account_holder": "PT Kode Nusantara Timur",
            "account_number": "0012345678",
        },
        "milestones": [
            {
                "title": "Purwarupa dan uji coba di lima posyandu",
                "amount": 80 * JUTA,
                "due": 7,
                "state": "paid",
                "released_by": "finance",
                "bank_reference": "SP2D-00412/BUD-SBB",
                "report": "Aplikasi dipakai 18 kader di lima posyandu; 412 balita tercatat, 37 ditandai "
                "berisiko dan dirujuk ke puskesmas.",
                # The grantee's public progress report (issue 14), with evidence links only.
                "progress": {
                    "text": "Uji coba di lima posyandu Kecamatan Loli selesai. Delapan belas kader kini "
                    "mencatat berat dan tinggi badan balita di ponsel, juga tanpa sinyal; datanya "
                    "terkirim begitu ada jaringan. Dari 412 balita yang tercatat, 37 ditandai berisiko "
                    "gizi kurang dan sudah dirujuk ke puskesmas. Tahap berikutnya: 40 posyandu.",
                    "links": [
                        "https://kode-nusantara.example.org/posyandu-digital/uji-coba",
                        "https://video.example.org/posyandu-digital-kader-loli",
                    ],
                    "public": True,
                },
            },
            {
                "title": "Perluasan ke 40 posyandu dan pelatihan 120 kader",
                "amount": 100 * JUTA,
                "due": 30,
                "state": "approved",
                "report": "Pelatihan kader selesai di empat kecamatan; 40 posyandu mengirim rekap bulanan "
                "lewat aplikasi.",
                # A draft the grantee has not made public: only the grantee and the agency see it.
                "progress": {
                    "text": "Draf: pelatihan di Kecamatan Wanokaka diulang karena jadwalnya bentrok "
                    "dengan panen.",
                    "links": [],
                    "public": False,
                },
            },
            {
                "title": "Dasbor gizi dinas dan serah terima kode sumber",
                "amount": 60 * JUTA,
                "due": 90,
                "state": "planned",
            },
        ],
    },
    {
        "proposal": "koperasiku",
        "amount": 180 * JUTA,
        "awarded_by": "official",
        "bank": {
            "bank_name": "Bank Kalbar",
            "account_holder": "PT Pasar Pintar Borneo",
            "account_number": "1098765432",
        },
        "milestones": [
            {
                "title": "Aplikasi inti dan migrasi data lima koperasi",
                "amount": 60 * JUTA,
                "due": 10,
                "state": "paid",
                "released_by": "finance2",
                "bank_reference": "SP2D-00977/BKAD-PTK",
                "report": "Lima koperasi memakai aplikasi; buku besar tiga tahun terakhir sudah dipindahkan.",
            },
            {
                "title": "Perluasan ke 30 koperasi dan pelatihan pengurus",
                "amount": 70 * JUTA,
                "due": 45,
                "state": "reported",
                "report": "Pelatihan pengurus selesai untuk 30 koperasi; 26 di antaranya sudah menutup buku "
                "bulan lalu di aplikasi.",
            },
            {
                "title": "Akses saldo anggota lewat ponsel",
                "amount": 50 * JUTA,
                "due": 100,
                "state": "planned",
            },
        ],
    },
]


# Sponsor contributions to challenge funds (issue 14): by card and by bank transfer pledge,
# and a refund. The demo has no Stripe account: the card payment is recorded through the
# service Stripe's ``payment_intent.succeeded`` webhook calls, with a PaymentIntent id marked
# "demo" (nothing was charged). Pledges are confirmed by a finance officer against the bank
# statement line, as on the finance pages.
CONTRIBUTIONS = [
    {
        "key": "awan-kartu",
        "challenge": "pencatatan-gizi-posyandu",
        "sponsor": "sponsor",
        "sponsor_name": "PT Awan Nusantara",
        "public": True,
        "amount": 15 * JUTA,
        "rail": "stripe",
        "payment_intent": "pi_demo_awan_nusantara_posyandu",
    },
    {
        "key": "bank-kalbar-pledge",
        "challenge": "pembukuan-digital-koperasi",
        "sponsor": "sponsor",
        "sponsor_name": "Bank Kalbar Peduli (CSR)",
        "public": True,
        "amount": 50 * JUTA,
        "rail": "pledge",
        "confirmed_by": "finance",
        "bank_reference": "KALBAR-CSR-0117",
    },
    {
        "key": "anonim-pledge",
        "challenge": "antrean-puskesmas-daring",
        "sponsor": "sponsor",
        "sponsor_name": "Linda Wijaya",
        "public": False,
        "amount": 10 * JUTA,
        "rail": "pledge",
        "confirmed_by": "finance2",
        "bank_reference": "NTT-0099-2231",
        "refund": {
            "amount": 4 * JUTA,
            "by": "finance",
            "reason": "Penyumbang salah mengetik nominal; kelebihan transfer dikembalikan.",
            "bank_reference": "SP2D-KEMBALI-0031",
        },
    },
    # Pledges whose transfer has not arrived yet: the sponsor's page shows where to send it.
    {
        "key": "sumba-pledge-pending",
        "challenge": "antrean-puskesmas-daring",
        "sponsor": "sponsor",
        "sponsor_name": "PT Awan Nusantara",
        "public": True,
        "amount": 25 * JUTA,
        "rail": "pledge",
    },
    {
        "key": "pontianak-pledge-pending",
        "challenge": "pembukuan-digital-koperasi",
        "sponsor": "sponsor",
        "sponsor_name": "PT Awan Nusantara",
        "public": True,
        "amount": 5 * JUTA,
        "rail": "pledge",
    },
]


# The fuller proposal form (issue 3) -------------------------------------------------------
# Every proposal that is submitted gets the texts, milestones, budget lines and team below
# (written for its own spec by ``proposal_details``); drafts stay as they are, so the demo
# shows a checklist with missing items.

PROPOSAL_TEAM = [
    ("Maria Ndapa", "Ketua tim", "Manajemen proyek layanan publik"),
    ("Yohanes Bili", "Pengembang", "Aplikasi web dan SMS gateway"),
    ("Ratna Lende", "Pendamping warga", "Pelatihan kader dan kelompok perempuan"),
]


def proposal_details(spec: dict) -> dict:
    """Texts and rows for a submitted demo proposal; amounts add up to the requested amount."""
    amount = spec["requested_amount"]
    first, second = amount * 40 // 100, amount * 35 // 100
    people, software = amount * 45 // 100, amount * 30 // 100
    return {
        "problem": spec.get("problem")
        or "Layanan ini masih berjalan di atas kertas: warga datang berkali-kali, petugas merekap "
        "dengan tangan, dan data baru sampai ke dinas berminggu-minggu kemudian.",
        "solution": spec.get("solution") or spec["summary"],
        "inclusion": spec.get("inclusion")
        or "Bekerja di ponsel murah dan lewat SMS tanpa data internet; petugas desa membantu lansia dan "
        "penyandang disabilitas; pelatihan dijadwalkan bersama kelompok perempuan dan menjangkau dusun "
        "terpencil.",
        "plan": spec["plan"] or "Uji coba terbatas, evaluasi bersama dinas, lalu perluasan.",
        "milestones": [
            ("Uji coba di lokasi pertama", 45, first),
            ("Perluasan dan pelatihan petugas", 120, second),
            ("Serah terima dan laporan akhir", 180, amount - first - second),
        ],
        "budget": [
            ("personnel", "Honor tim dan pendamping lapangan", people),
            ("software", "Pengembangan, server dan paket SMS", software),
            ("training", "Pelatihan petugas dan kader desa", amount - people - software),
        ],
        "team": PROPOSAL_TEAM,
    }


# Consortium partners, invited by the lead (a submitted proposal's before submission); "accept"
# is the answer of the partner's owner, None while it still waits (only on a draft: submission
# needs every partner to have accepted).
PROPOSAL_PARTNERS = {
    "qris-pasar": [
        {
            "organisation": "ksu-khatulistiwa",
            "role": "Mengelola loket nontunai dan mendampingi pedagang anggota koperasi",
            "budget_share": 45 * JUTA,
            "accept": True,
        }
    ],
    # A draft led by applicant's Kode Nusantara: its own foundation has accepted; applicant2's
    # community has not answered yet, so applicant2 finds the invitation in /workspace/.
    "satu-pintu-pengaduan": [
        {
            "organisation": "yayasan-literasi",
            "role": "Mendampingi warga desa menyampaikan pengaduan dan melatih petugas desa",
            "budget_share": 35 * JUTA,
            "accept": True,
        },
        {
            "organisation": "melek-digital",
            "role": "Menyusun panduan pengaduan bergambar dan mendampingi warga lanjut usia",
            "budget_share": 15 * JUTA,
            "accept": None,
        },
    ],
}

# Officials' steps after submission: the target state and the note the applicant reads.
PROPOSAL_DECISIONS = {
    "wifi-bumdes": ("in_review", ""),
    "mesh-surya": (
        "changes_requested",
        "Mohon rinci biaya perawatan panel surya setelah tahun pertama dan siapa yang menanggungnya.",
    ),
}

# Challenge details beyond the basics: typed fields of the incentives above (by position),
# extra in-kind offers, sponsors, SDGs (by number), beneficiaries (by slug), districts,
# contact and the later phases (days after the closing day).
SPONSORS = [
    {"name": "PT Awan Nusantara", "website": "https://awan-nusantara.example.org"},
    {"name": "Yayasan Mentor Digital Indonesia", "website": "https://mentor-digital.example.org"},
    {"name": "Bank Kalbar Peduli (CSR)", "website": ""},
]

CHALLENGE_DETAILS = {
    "antrean-puskesmas-daring": {
        "incentives": {
            1: {"quantity": 40, "unit": "jam pendampingan", "provider_name": "Dinas Kesehatan Sumba Barat"},
        },
        "extra_incentives": [
            {
                "kind": "in_kind",
                "description": "Kredit komputasi awan untuk server antrean",
                "quantity": 5000,
                "unit": "USD kredit cloud",
                "provider": "PT Awan Nusantara",
                "expires_in": 365,
            },
        ],
        "sponsors": [("PT Awan Nusantara", "Penyedia kredit cloud")],
        "sdgs": [3, 9, 10],
        "beneficiaries": ["pasien", "desa-terpencil", "lansia"],
        "districts": "Loli\nKota Waikabubak\nTana Righu",
        "contact": ("dr. Agustina Dapa Lolo", "dinkes@sumbabarat.example.go.id", "0387 21000"),
        "phases": (14, 21, 180),
    },
    "pencatatan-gizi-posyandu": {
        "extra_incentives": [
            {
                "kind": "in_kind",
                "description": "Pendampingan teknis oleh mentor berpengalaman",
                "quantity": 40,
                "unit": "jam pendampingan",
                "provider": "Yayasan Mentor Digital Indonesia",
                "expires_in": 200,
            },
        ],
        "sponsors": [("Yayasan Mentor Digital Indonesia", "Penyedia mentor")],
        "sdgs": [2, 3],
        "beneficiaries": ["desa", "perempuan"],
        "districts": "Wanokaka\nLamboya",
        "contact": ("Maria Bili", "gizi@sumbabarat.example.go.id", ""),
        "phases": (10, 14, 200),
        # Part of the mentoring hours is already given to the winner.
        "drawdowns": [{"incentive": 1, "proposal": "posyandu-digital", "quantity": 28}],
    },
    "internet-desa-terpencil": {
        "incentives": {
            0: {"duration_months": 12},
            1: {"quantity": 5, "unit": "lokasi menara", "provider_name": "Pemerintah Kabupaten Sumba Barat"},
        },
        "sdgs": [9, 4, 17],
        "beneficiaries": ["desa-terpencil", "pelajar", "aparatur-desa"],
        "districts": "Lamboya Barat\nWanokaka",
    },
    "literasi-digital-desa": {
        "incentives": {1: {"winners": 3}},
        "sdgs": [4, 10],
        "beneficiaries": ["lansia"],
    },
    "penanganan-pengaduan-layanan-publik": {"incentives": {0: {"duration_months": 6}}, "sdgs": [16]},
    "promosi-wisata-kampung-adat": {
        "incentives": {1: {"levy_name": "Retribusi tempat rekreasi", "relief": "100% selama 12 bulan"}},
        "sdgs": [8, 11],
    },
    "retribusi-pasar-nontunai": {
        "incentives": {
            0: {"duration_months": 6},
            1: {"levy_name": "Retribusi pasar", "relief": "50% selama 3 bulan"},
        },
        "sponsors": [("Bank Kalbar Peduli (CSR)", "Mitra pembayaran dan pelatihan pedagang")],
        "sdgs": [8, 16],
        "beneficiaries": ["pedagang-pasar", "umkm"],
        "districts": "Pontianak Utara\nPontianak Timur",
        "contact": ("Rudi Setiawan", "diskop@pontianak.example.go.id", "0561 734000"),
        "phases": (14, 21, 180),
    },
    "izin-usaha-umkm-daring": {
        "incentives": {
            1: {"quantity": 10, "unit": "kursi ruang kerja bersama", "provider_name": "Rumah UMKM"}
        },
        "sdgs": [8],
        "beneficiaries": ["umkm"],
    },
    "pemasaran-daring-lidah-buaya": {
        "incentives": {1: {"winners": 1}},
        "extra_incentives": [
            {
                "kind": "in_kind",
                "description": "Pelatihan foto produk dan desain kemasan di Rumah UMKM",
                "quantity": 24,
                "unit": "jam pelatihan",
                "provider_name": "Rumah UMKM Kota Pontianak",
                "expires_in": 240,
            },
        ],
        "beneficiaries": ["petani", "umkm"],
    },
    "peta-kuliner-tepian-kapuas": {
        "incentives": {0: {"winners": 3}, 1: {"quantity": 3, "unit": "stan festival"}},
        "sdgs": [8, 11],
    },
}

# Public Q&A on open challenges: answered (one pinned), a duplicate merged into the first, and one
# waiting for the official's answer.
QUESTIONS = [
    {
        "key": "sms-gateway",
        "challenge": "antrean-puskesmas-daring",
        "asker": "applicant2",
        "body": "Apakah dinas menyediakan gateway SMS, atau biaya SMS ditanggung penyedia solusi?",
        "answer": "Dinas menyediakan nomor SMS dan kuota 50.000 pesan per bulan selama uji coba; "
        "penyedia cukup menghubungkan sistemnya ke gateway tersebut.",
        "pinned": True,
    },
    {
        "key": "offline-data",
        "challenge": "antrean-puskesmas-daring",
        "asker": "applicant",
        "body": "Di mana data pasien disimpan saat puskesmas luring?",
        "answer": "Di perangkat puskesmas, terenkripsi, lalu disinkronkan ke server Diskominfo saat "
        "sinyal kembali. Data tidak boleh disimpan di luar Indonesia.",
    },
    {
        "key": "sms-duplicate",
        "challenge": "antrean-puskesmas-daring",
        "asker": "sponsor",
        "body": "Siapa yang membayar biaya pengiriman SMS antrean?",
        "merge_into": "sms-gateway",
    },
    {
        "key": "qris-fees",
        "challenge": "retribusi-pasar-nontunai",
        "asker": "applicant",
        "body": "Apakah biaya MDR QRIS untuk pedagang kecil ditanggung pemerintah kota?",
    },
]

PARTNER_LISTINGS = [
    {
        "key": "pasar-pintar-retribusi",
        "challenge": "retribusi-pasar-nontunai",
        "organisation": "pasar-pintar",
        "offers": "Aplikasi kasir untuk 300 pedagang pasar dan jaringan agen di enam pasar kota.",
        "needs": "Mitra yang berpengalaman dengan integrasi QRIS dan pelaporan ke BPKAD.",
    },
]

PARTNERSHIP_REQUESTS = [
    {
        "listing": "pasar-pintar-retribusi",
        "from": "kode-nusantara",
        "message": "Kami sudah membangun integrasi QRIS untuk dua pemda di NTT dan siap bergabung.",
    },
]


# Organisation verification (issue 2) ------------------------------------------------------
# The legal identifiers an owner adds after registering and the documents a member uploads
# (small generated PDFs; "title" is printed on the page). An organisation marked "verified" in
# ORGANISATIONS is then verified by "verified_by", an official of its region who checked them;
# the others wait for an official (Aloe Vera Siantan Jaya shows the officials' queue).
DEMO_DOCUMENT_NOTE = "Dokumen contoh untuk demo, bukan dokumen resmi."

VERIFICATION = {
    "kode-nusantara": {
        "nib": "9120304150617",
        "npwp": "912345678924000",
        "documents": [
            ("deed", "akta-pendirian-kode-nusantara-timur.pdf", "Akta Pendirian PT Kode Nusantara Timur"),
            ("nib", "nib-kode-nusantara-timur.pdf", "Nomor Induk Berusaha PT Kode Nusantara Timur"),
        ],
        "verified_by": "official",
    },
    "politeknik-sumba": {
        "npwp": "031234567924000",
        "documents": [("decree", "sk-pendirian-politeknik.pdf", "SK Pendirian Politeknik Digital Sumba")],
        "verified_by": "official",
    },
    "yayasan-literasi": {
        "npwp": "761234567924000",
        "documents": [
            ("decree", "sk-kemenkumham-yayasan.pdf", "SK Kemenkumham Yayasan Literasi Sumba Lestari")
        ],
        "verified_by": "official",
    },
    "pasar-pintar": {
        "nib": "9120102030405",
        "npwp": "861234567701000",
        "documents": [("nib", "nib-pasar-pintar-borneo.pdf", "Nomor Induk Berusaha PT Pasar Pintar Borneo")],
        "verified_by": "official2",
    },
    "ksu-khatulistiwa": {
        "nib": "9120506070809",
        "npwp": "021234567701000",
        "documents": [("deed", "akta-pendirian-koperasi.pdf", "Akta Pendirian KSU Khatulistiwa Mandiri")],
        "verified_by": "official2",
    },
    "aloe-siantan": {
        "nib": "1234560789012",
        "documents": [
            ("nib", "nib-aloe-vera-siantan.pdf", "Nomor Induk Berusaha Aloe Vera Siantan Jaya"),
            ("other", "surat-keterangan-usaha.pdf", "Surat Keterangan Usaha dari Kelurahan Siantan Hulu"),
        ],
    },
}

# Invitations to join an organisation, by email. "invitee" is a demo user (the address they
# confirmed); "email" an address nobody has signed up with. "state": pending (the invitee sees
# it in /workspace/), accepted (the invitee is now a member) or expired (sent "days_ago" days
# ago and never answered; an invitation lives seven days).
MEMBERSHIP_INVITATIONS = [
    {"organisation": "politeknik-sumba", "invitee": "applicant2", "role": "member", "state": "accepted"},
    {
        "organisation": "politeknik-sumba",
        "email": f"ratna.lende@{USER_EMAIL_DOMAIN}",
        "role": "member",
        "state": "expired",
        "days_ago": 10,
    },
    {"organisation": "pasar-pintar", "invitee": "applicant", "role": "member", "state": "pending"},
]


# Challenges not public yet (same shape as CHALLENGES) -----------------------------------
# Written by an official ("written_by") and saved as a draft revision. One was submitted to the
# region's approval workflow and waits for the agency head: `agency_head` finds it under
# "Awaiting your review" on the admin dashboard (/admin/). The other its agency head
# ("approved_by") approved to go live "go_live_in" days after the first run at 08:00, region
# time; `manage.py publish_scheduled` publishes it then.
CHALLENGES_AWAITING_APPROVAL = [
    {
        "slug": "pengingat-imunisasi-sms",
        "agency": "dinkes-sbb",
        "sector": "kesehatan",
        "window": (10, 55),
        "written_by": "official",
        "title": "Pengingat jadwal imunisasi anak lewat SMS",
        "title_en": "Childhood immunisation reminders by SMS",
        "summary": "Banyak balita di Sumba Barat terlambat mendapat imunisasi dasar karena orang tua lupa "
        "jadwalnya atau tidak tahu kapan petugas datang ke desa. Kami mencari layanan pengingat "
        "lewat SMS yang terhubung dengan pencatatan imunisasi puskesmas.",
        "summary_en": "Many toddlers in West Sumba get their basic immunisations late because parents forget "
        "the schedule or do not know when the health workers visit their village. We are looking "
        "for an SMS reminder service linked to the health centres' immunisation records.",
        "body": [
            "Cakupan imunisasi dasar lengkap di Sumba Barat masih di bawah target. Jadwal posyandu "
            "diumumkan lewat gereja dan kepala dusun, sehingga keluarga yang tinggal jauh sering tidak "
            "mendengarnya.",
            "Kami mencari layanan yang mengirim pengingat SMS dalam Bahasa Indonesia dua hari sebelum "
            "jadwal, mencatat balita yang belum datang untuk dikunjungi kader, dan bekerja dengan ponsel "
            "biasa tanpa aplikasi.",
        ],
        "eligibility": "<ul><li>Badan usaha, perguruan tinggi atau organisasi nirlaba yang terdaftar di "
        "Indonesia.</li><li>Bersedia menjaga kerahasiaan data kesehatan anak.</li></ul>",
        "incentives": [
            ("grant", 90 * JUTA, "Hibah pengembangan dan biaya SMS selama enam bulan uji coba"),
        ],
        "criteria": [
            ("Kenaikan cakupan imunisasi", "Balita yang datang tepat waktu setelah pengingat.", 40),
            ("Perlindungan data anak", "Data disimpan dan dikirim dengan aman.", 25),
            ("Kemudahan bagi petugas", "Petugas puskesmas memperbarui jadwal tanpa pelatihan panjang.", 20),
            ("Biaya per balita", "Biaya SMS dan perawatan per balita per tahun.", 15),
        ],
    },
]

SCHEDULED_CHALLENGES = [
    {
        "slug": "katalog-daring-umkm-binaan",
        "agency": "diskop-ptk",
        "sector": "pasar-umkm",
        "window": (3, 45),
        "go_live_in": 3,
        "written_by": "official2",
        "approved_by": "agency_head2",
        "title": "Katalog daring produk UMKM binaan",
        "title_en": "An online catalogue of assisted small businesses' products",
        "summary": "Dinas membina lebih dari 400 UMKM, tetapi pembeli dari hotel, kantor dan toko oleh-oleh "
        "tidak punya satu tempat untuk melihat produk mereka. Kami mencari katalog daring yang "
        "diperbarui sendiri oleh pelaku UMKM.",
        "summary_en": "The office assists more than 400 small businesses, but buyers from hotels, offices "
        "and souvenir shops have no single place to see their products. We are looking for an "
        "online catalogue the businesses keep up to date themselves.",
        "body": [
            "Daftar UMKM binaan saat ini berupa lembar kerja yang diperbarui setahun sekali. Pembeli "
            "grosir menghubungi dinas untuk mencari pemasok, dan banyak UMKM tidak pernah ditawari.",
            "Kami mencari katalog dengan foto, harga grosir dan kapasitas produksi, yang dapat diperbarui "
            "UMKM lewat ponsel dan menghubungkan pembeli langsung ke pelaku usaha.",
        ],
        "eligibility": "<ul><li>Terbuka untuk badan usaha, koperasi dan komunitas di Kalimantan "
        "Barat.</li></ul>",
        "incentives": [
            ("grant", 120 * JUTA, "Hibah pengembangan katalog dan pendampingan 100 UMKM pertama"),
        ],
        "criteria": [
            ("Jumlah UMKM yang aktif", "UMKM yang memperbarui katalognya sendiri.", 35),
            ("Transaksi dengan pembeli", "Pesanan yang terjadi lewat katalog.", 30),
            ("Kemudahan bagi UMKM", "Dapat dipakai pelaku usaha lewat ponsel.", 20),
            ("Biaya dan keberlanjutan", "Siapa yang membiayai katalog setelah hibah.", 15),
        ],
    },
]


# Files and logos ----------------------------------------------------------------------------
# Attachments the lead's owner added to draft proposals (a submitted proposal takes no new
# files): (file name, title, lines). seed_demo generates each file: a PDF prints the title and
# the lines, a PNG sketch shows the title above one box per line.
PROPOSAL_ATTACHMENTS = {
    "kios-antrean": [
        (
            "rencana-uji-coba-kios-antrean.pdf",
            "Rencana uji coba kios antrean",
            ["Puskesmas Waikabubak dan Puskesmas Puuweri", "Bulan 1-3: pemasangan, pelatihan, evaluasi"],
        ),
        (
            "denah-kios-dan-loket.png",
            "Denah kios antrean dan loket pendaftaran",
            ["Kios antrean", "Ruang tunggu", "Loket"],
        ),
    ],
    "satu-pintu-pengaduan": [
        (
            "alur-pengaduan-satu-pintu.pdf",
            "Alur pengaduan satu pintu",
            ["SMS, WhatsApp dan web masuk ke satu daftar", "Diteruskan ke OPD; pelapor menerima kabar"],
        ),
        (
            "tampilan-daftar-pengaduan.png",
            "Tampilan daftar pengaduan untuk petugas",
            ["Masuk", "Diteruskan ke OPD", "Selesai"],
        ),
    ],
}

# Logos (generated 256x256 PNGs): initials on a background colour.
ORGANISATION_LOGOS = {
    "kode-nusantara": ("KN", "#0f766e"),
    "politeknik-sumba": ("PDS", "#1d4ed8"),
    "pasar-pintar": ("PP", "#c2410c"),
    "ksu-khatulistiwa": ("KSU", "#15803d"),
}


# Judging: screening, reviewers, reviews, determinations -----------------------------------
# Two rounds that have closed are judged through the services, as the officials, reviewers and
# applicants would do it on the site.
# - "Literasi digital bagi warga desa terpencil" (Sumba Barat) is in review: four proposals were
#   screened (one not eligible), the other three got three reviewers each by suggestion; one
#   reviewer declared a conflict of interest and `reviewer` was assigned in their place by hand
#   (still to declare); most reviews are submitted, `reviewer`'s own is a draft. The comparison
#   shows a clear first (shortlisted), a tie for second with reviewers who disagree, and a harsh
#   outlier reviewer.
# - "Pemasaran daring produk lidah buaya" (Pontianak) was reviewed and decided: one proposal is
#   awarded with conditions (its agreement waits for applicant2) and the other is not funded;
#   the results are not published yet.

# Reviewers' fields of expertise (tags) and sectors, matched against the proposals when the
# officials assign by suggestion. Keyed by username, or by an external expert's "key".
REVIEWER_EXPERTISE = {
    "reviewer": (["literasi digital", "layanan pengaduan", "pelatihan kader"], ["pendidikan", "pengaduan"]),
    "reviewer2": (
        ["jaringan desa", "pendidikan vokasi", "kesehatan digital"],
        ["pendidikan", "konektivitas", "kesehatan"],
    ),
    "reviewer3": (
        ["kesehatan masyarakat", "koperasi", "evaluasi program"],
        ["kesehatan", "pendidikan", "pasar-umkm"],
    ),
}

# External experts invited by email by an official of the challenge ("challenge"): the service
# makes an account with the reviewer role and emails a link to choose a password.
EXTERNAL_REVIEWERS = [
    {
        "key": "fransiska-tanggu",
        "challenge": "literasi-digital-desa",
        "invited_by": "official",
        "full_name": "Fransiska Tanggu",
        "email": f"fransiska.tanggu@{USER_EMAIL_DOMAIN}",
        "expertise": ["pendidikan orang dewasa", "literasi digital", "evaluasi program"],
        "sectors": ["pendidikan", "konektivitas"],
    },
]

# Each judged challenge's reviewer pool, in the order the official ("by") added them.
REVIEWER_POOLS = [
    {
        "challenge": "literasi-digital-desa",
        "by": "official",
        "reviewers": ["reviewer", "reviewer2", "reviewer3", "fransiska-tanggu"],
    },
    {
        "challenge": "pemasaran-daring-lidah-buaya",
        "by": "official2",
        "reviewers": ["reviewer", "reviewer2", "reviewer3", "fransiska-tanggu"],
    },
]

# Eligibility screening by an official of the challenge: "reject" is the reason the applicant
# reads; the others pass (the official confirms the item judged by hand, "in_scope").
SCREENING = [
    {"proposal": "kader-cakap-digital", "by": "official"},
    {"proposal": "modul-bahasa-lokal", "by": "official"},
    {"proposal": "waspada-penipuan", "by": "official"},
    {
        "proposal": "kelas-daring-kapuas",
        "by": "official",
        "in_scope_note": "Pelatihan tidak dijalankan oleh kader desa.",
        "reject": "Usulan belum memenuhi syarat tantangan ini: kelas hanya berlangsung daring dari "
        "Pontianak tanpa kader di desa, padahal sebagian besar desa sasaran belum punya sinyal yang "
        "cukup untuk konferensi video, dan materi pelatihan tidak dibagikan dengan lisensi terbuka.",
    },
    {"proposal": "toko-lidah-buaya", "by": "official2"},
    {"proposal": "agregasi-koperasi", "by": "official2"},
]

# After the suggestions: an official takes a reviewer off a proposal before they declared, with
# the reason the reviewer reads, and assigns another by hand ("replaced_by").
ASSIGNMENT_REMOVALS = [
    {
        "proposal": "toko-lidah-buaya",
        "reviewer": "reviewer",
        "reason": "Beban penilaian Ibu Siti dialihkan: pekan ini beliau menilai usulan literasi digital "
        "di Sumba Barat.",
        "replaced_by": "reviewer2",
    },
]

# Conflicts of interest declared by the reviewer (the note only officials read); an official
# then assigns "replaced_by" by hand. Every reviewer with a review below declared none.
CONFLICTS = [
    {
        "proposal": "modul-bahasa-lokal",
        "reviewer": "reviewer2",
        "note": "Tahun lalu saya dosen tamu di Politeknik Digital Sumba dan ikut menyusun kurikulum "
        "literasi digital yang menjadi dasar modul ini.",
        "replaced_by": "reviewer",
    },
]

# Reviews: one (score, comment) per criterion of the challenge, in the challenge's order; the
# recommendation, the comment for the applicant and private notes for the officials. "draft"
# reviews are saved, not submitted; "reopened" ones were submitted with "first_comment",
# reopened by an official with the reason, and submitted again with "comment".
REVIEWS = [
    {
        "proposal": "kader-cakap-digital",
        "reviewer": "reviewer",
        "scores": [
            (5, "Dua kader per desa di 20 desa; jadwal pelatihan mengikuti musim tanam."),
            (4, "Contoh penipuan diambil dari kejadian di Sumba; bahasa daerah belum dipakai."),
            (5, "Kader dibekali modul bergambar dan grup pendamping setelah program."),
            (4, "Ada tes sebelum dan sesudah pelatihan, tetapi belum ada tindak lanjut tiga bulan."),
        ],
        "recommendation": "fund",
        "comment": "Rencana yang matang dan dekat dengan warga. Tambahkan pengukuran tiga bulan setelah "
        "pelatihan untuk melihat apakah warga tetap memakai yang dipelajari.",
        "notes": "Yayasan ini sudah dikenal di desa sasaran; risiko pelaksanaan rendah.",
    },
    {
        "proposal": "kader-cakap-digital",
        "reviewer": "fransiska-tanggu",
        "scores": [
            (5, "Jangkauan 20 desa realistis dengan dua kader per desa."),
            (5, "Materi memakai contoh penipuan yang benar-benar beredar di Sumba."),
            (4, "Honor kader setelah hibah selesai belum jelas sumbernya."),
            (4, "Indikator sederhana dan dapat dicatat kader sendiri."),
        ],
        "recommendation": "fund",
        "comment": "Pendekatan pendidikan orang dewasa yang baik: belajar dari pengalaman warga sendiri. "
        "Jelaskan bagaimana kader tetap aktif setelah masa hibah.",
        "notes": "",
    },
    {
        "proposal": "kader-cakap-digital",
        "reviewer": "reviewer2",
        "scores": [
            (4, "Desa tanpa sinyal belum masuk rencana pendampingan."),
            (5, "Sangat sesuai dengan kebiasaan warga."),
            (4, "Perlu kesepakatan dengan pemerintah desa soal honor kader."),
            (3, "Cara mengukur hasil masih umum."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Layak didanai. Sertakan desa-desa tanpa sinyal dengan jadwal kunjungan kader, dan "
        "rinci indikator hasil per desa.",
        "notes": "Anggaran pelatihan sedikit tinggi dibanding usulan sejenis.",
    },
    {
        "proposal": "modul-bahasa-lokal",
        "reviewer": "fransiska-tanggu",
        "scores": [
            (4, "Video dapat menjangkau banyak warga lewat WhatsApp."),
            (4, "Bahasa daerah memudahkan warga lanjut usia."),
            (4, "Mahasiswa dapat memperbarui modul setiap tahun."),
            (3, "Uji keterbacaan baik, tetapi hasil belajar tidak diukur."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Modul dalam bahasa daerah adalah kekuatan usulan ini. Tambahkan cara mengukur apakah "
        "warga benar-benar lebih waspada setelah menonton.",
        "notes": "",
    },
    {
        "proposal": "modul-bahasa-lokal",
        "reviewer": "reviewer3",
        "scores": [
            (3, "Penyebaran lewat WhatsApp tidak menjangkau warga tanpa ponsel pintar."),
            (4, "Isi sesuai konteks lokal."),
            (3, "Tidak jelas siapa yang mendampingi warga setelah menonton video."),
            (3, "Hanya jumlah penonton yang dihitung."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Materi bagus, tetapi video saja tidak cukup. Libatkan pendamping di desa dan ukur "
        "perubahan kebiasaan warga, bukan hanya jumlah penonton.",
        "notes": "",
    },
    {
        "proposal": "waspada-penipuan",
        "reviewer": "reviewer2",
        "scores": [
            (5, "SMS menjangkau warga dengan ponsel biasa di semua desa."),
            (4, "Skenario disusun bersama kepolisian setempat."),
            (4, "Kader memandu diskusi setelah simulasi."),
            (4, "Aplikasi mencatat jawaban benar sebelum dan sesudah latihan."),
        ],
        "recommendation": "fund",
        "comment": "Cara belajar yang menarik dan cocok untuk ponsel sederhana. Pastikan biaya SMS "
        "setelah masa hibah ditanggung pihak yang jelas.",
        "notes": "",
    },
    {
        "proposal": "waspada-penipuan",
        "reviewer": "reviewer3",
        "scores": [
            (2, "Simulasi lewat aplikasi butuh ponsel pintar; di desa sasaran baru sepertiga warga punya."),
            (4, "Contoh penipuannya sesuai dengan yang terjadi di Sumba."),
            (3, "Peran kader setelah uji coba belum dirinci."),
            (2, "Keberhasilan diukur dari jumlah unduhan, bukan dari warga yang terhindar dari penipuan."),
        ],
        "recommendation": "do_not_fund",
        "first_comment": "Kurang menjangkau warga.",
        "comment": "Gagasannya baik, tetapi sebagian besar latihan memerlukan ponsel pintar yang belum "
        "dimiliki kebanyakan warga sasaran, dan keberhasilan hanya diukur dari jumlah unduhan. "
        "Perbanyak latihan lewat SMS dan tatap muka, lalu ukur berapa warga yang mengenali penipuan.",
        "notes": "Pengusul juga memimpin usulan lain di daerah ini; kapasitas timnya perlu dicek.",
        "reopened": {
            "by": "official",
            "reason": "Mohon jelaskan skor rendah Anda dalam komentar untuk pemohon: satu kalimat belum "
            "cukup bagi pemohon untuk memperbaiki usulannya.",
        },
    },
    {
        "proposal": "waspada-penipuan",
        "reviewer": "reviewer",
        "draft": True,
        "scores": [
            (4, "SMS menjangkau hampir semua warga; aplikasi hanya sebagian."),
            (5, "Skenario penipuan sangat dekat dengan kejadian di desa."),
            (None, ""),
            (None, ""),
        ],
        "recommendation": "",
        "comment": "Catatan sementara: cek lagi rencana pendampingan kader.",
        "notes": "",
    },
    {
        "proposal": "agregasi-koperasi",
        "reviewer": "reviewer3",
        "scores": [
            (5, "Harga beli yang disepakati di muka jelas lebih baik dari harga tengkulak."),
            (4, "Pengurus koperasi sudah berpengalaman mengelola gudang bersama."),
            (4, "Pembeli di Jawa sudah menyatakan minat tertulis."),
            (4, "Biaya per petani wajar."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Usulan kuat. Cantumkan harga beli minimal dalam kontrak dengan petani dan laporkan "
        "setiap bulan.",
        "notes": "",
    },
    {
        "proposal": "agregasi-koperasi",
        "reviewer": "reviewer",
        "scores": [
            (4, "Kenaikan pendapatan bergantung pada harga kontrak; angkanya belum dicantumkan."),
            (4, "Koperasi dapat melanjutkan sendiri setelah hibah."),
            (5, "Jaringan pembeli di Jawa dan Kalimantan sudah ada."),
            (3, "Biaya gudang cukup besar."),
        ],
        "recommendation": "fund",
        "comment": "Model koperasi cocok untuk petani kecil. Rinci biaya gudang dan siapa yang "
        "menanggungnya setelah hibah.",
        "notes": "",
    },
    {
        "proposal": "agregasi-koperasi",
        "reviewer": "reviewer2",
        "scores": [
            (5, "Petani menerima harga pasti saat panen."),
            (3, "Pencatatan stok masih manual."),
            (4, "Pengiriman terpadu menekan ongkos kirim."),
            (4, "Biaya per petani wajar."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Layak didanai dengan syarat koperasi memakai pencatatan stok yang bisa diperiksa dinas.",
        "notes": "",
    },
    {
        "proposal": "toko-lidah-buaya",
        "reviewer": "reviewer3",
        "scores": [
            (2, "Tidak ada perkiraan kenaikan harga jual dibanding tengkulak."),
            (3, "Pendampingan tiga bulan terlalu singkat untuk mengelola toko sendiri."),
            (3, "Pembeli di luar Kalimantan Barat belum dijajaki."),
            (3, "Biaya iklan di platform belum dihitung."),
        ],
        "recommendation": "do_not_fund",
        "comment": "Toko daring saja belum menjamin petani mendapat harga yang lebih baik. Hitung harga "
        "jual di toko dibanding harga tengkulak dan siapa yang menanggung biaya iklan.",
        "notes": "",
    },
    {
        "proposal": "toko-lidah-buaya",
        "reviewer": "fransiska-tanggu",
        "scores": [
            (3, "Ada potensi kenaikan harga untuk produk olahan."),
            (3, "Pelatihan foto produk berguna, tetapi pengelolaan toko belum dipelajari."),
            (4, "Platform niaga elektronik menjangkau pembeli di seluruh Indonesia."),
            (3, "Biaya wajar."),
        ],
        "recommendation": "fund_with_changes",
        "comment": "Usaha keluarga ini punya produk yang menarik. Tambahkan pelatihan mengelola pesanan "
        "dan layanan pelanggan, tidak hanya foto produk.",
        "notes": "",
    },
    {
        "proposal": "toko-lidah-buaya",
        "reviewer": "reviewer2",
        "scores": [
            (3, "Kenaikan harga hanya untuk produk olahan, bukan daun segar."),
            (2, "Tidak jelas siapa yang mengelola toko setelah pendampingan."),
            (3, "Pengiriman terpadu belum punya mitra."),
            (4, "Biaya per petani rendah."),
        ],
        "recommendation": "do_not_fund",
        "comment": "Perjelas siapa yang mengelola toko bersama setelah pendampingan selesai dan ajak "
        "petani daun segar, bukan hanya pengolah.",
        "notes": "Organisasi pengusul belum terverifikasi.",
    },
]

# After the reviews the officials decide: "shortlist" or "reject" (the note goes to the applicant).
JUDGING_DECISIONS = [
    {"proposal": "kader-cakap-digital", "by": "official", "transition": "shortlist", "note": ""},
    {"proposal": "agregasi-koperasi", "by": "official2", "transition": "shortlist", "note": ""},
    {
        "proposal": "toko-lidah-buaya",
        "by": "official2",
        "transition": "reject",
        "note": "Terima kasih atas usulan Anda. Catatan para penilai dapat Anda baca di halaman usulan.",
    },
]

# Awards made after review, "with conditions": the agreement waits for the grantee's owner
# (applicant2 finds it under "Agreements to accept"). "in_kind" gives units of the challenge's
# in-kind offers (by description); "due" is days from today.
JUDGED_AWARDS = [
    {
        "proposal": "agregasi-koperasi",
        "awarded_by": "official2",
        "amount": 70 * JUTA,
        "conditions": "1. Kontrak pembelian dengan sedikitnya 40 petani lidah buaya ditandatangani "
        "sebelum tahap pertama dilaporkan.\n2. Harga beli dari petani paling sedikit 20% di atas harga "
        "tengkulak, dicatat per transaksi dan dilaporkan ke dinas setiap bulan.",
        "in_kind": [("Pelatihan foto produk dan desain kemasan di Rumah UMKM", 16)],
        "milestones": [
            {"title": "Kontrak dengan 40 petani dan gudang bersama siap", "amount": 30 * JUTA, "due": 30},
            {"title": "Pengiriman pertama ke pembeli di Jawa dan Kalimantan", "amount": 25 * JUTA, "due": 90},
            {"title": "Laporan penjualan dan harga petani enam bulan", "amount": 15 * JUTA, "due": 180},
        ],
    },
]

# On the funded projects (AWARDS): a milestone the grantee reported with evidence links and the
# official sent back for revision ("milestone" is its position, from 0), and a planned milestone
# whose due date the official moved ("days_later") with the reason kept.
MILESTONE_REVISIONS = [
    {
        "proposal": "posyandu-digital",
        "milestone": 2,
        "report": "Dasbor gizi sudah dipakai Dinas Kesehatan; kode sumber diserahkan lewat repositori.",
        "links": [
            "https://posyandu-digital.example.org/dasbor",
            "https://git.example.org/kode-nusantara/posyandu-digital",
        ],
        "by": "official",
        "reason": "Dasbor belum menampilkan data per desa, dan kode sumber belum disertai panduan "
        "instalasi untuk server Diskominfo. Mohon lengkapi, lalu laporkan kembali.",
    },
]

MILESTONE_REPLANS = [
    {
        "proposal": "koperasiku",
        "milestone": 2,
        "days_later": 30,
        "by": "official2",
        "reason": "Bank mitra baru membuka akses API saldo anggota bulan depan; tenggat digeser 30 hari.",
    },
]

# English twins of the public texts (core.localized), for most challenges and the public
# projects; the rest show their Indonesian text under /en/, marked "(Bahasa Indonesia)".
# Incentives are found by their Indonesian description, criteria by position, sponsors' roles
# by the sponsor's name, milestones by position.
CHALLENGES_EN = {
    "antrean-puskesmas-daring": {
        "body_en": [
            "West Sumba's eleven community health centres (puskesmas) see 120 patients a day on "
            "average. Queue numbers are handed out at the counter from 7 a.m., so people from distant "
            "villages have to set off before sunrise, and quite a few go home without being seen.",
            "We are looking for a solution that lets people take a queue number by phone (a light web "
            "app, SMS or WhatsApp), estimates when they will be called, and gives counter staff a simple "
            "screen. It must keep working offline at the health centre, synchronise when the signal "
            "returns, and connect to BPJS Kesehatan's P-Care system.",
        ],
        "eligibility_en": "<ul><li>Companies, cooperatives, universities or community groups registered "
        "in Indonesia.</li><li>Have built an app that real users rely on.</li><li>Willing to run a "
        "three-month pilot at two health centres.</li></ul>",
        "incentives": {
            "Hibah pengembangan dan uji coba di dua puskesmas": {
                "description_en": "Grant for development and a pilot at two health centres"
            },
            "Pendampingan tim Dinas Kesehatan dan akses ke data layanan yang dianonimkan": {
                "description_en": "Support from the Health Office team and access to anonymised service data",
                "unit_en": "hours of support",
            },
            "Kredit komputasi awan untuk server antrean": {
                "description_en": "Cloud computing credits for the queueing server",
                "unit_en": "USD cloud credits",
            },
        },
        "criteria": [
            ("Impact on patients", "How many hours of waiting are saved, and who benefits."),
            (
                "Technical feasibility and offline operation",
                "Keeps working without internet; no data is lost.",
            ),
            ("Cost and sustainability", "Running costs after the pilot."),
            ("Team experience", "Track record of building and maintaining apps."),
        ],
        "sponsors": {"PT Awan Nusantara": "Cloud credit provider"},
    },
    "pencatatan-gizi-posyandu": {
        "body_en": [
            "West Sumba has more than 200 village health posts (posyandu). Stunting is still above the "
            "national average, and decisions on nutrition programmes depend on data that arrives six to "
            "eight weeks after children are weighed.",
            "We are looking for an app that volunteers can use on a basic Android phone, that works out "
            "nutritional status to the WHO standard automatically, warns about children at risk, and "
            "sends the monthly summary to the health centre once it is online.",
        ],
        "eligibility_en": "<ul><li>Teams with experience in public health or app development.</li>"
        "<li>Willing to train posyandu volunteers in the villages.</li></ul>",
        "incentives": {
            "Hibah pengembangan, pelatihan kader dan perluasan bertahap": {
                "description_en": "Grant for development, volunteer training and a phased roll-out"
            },
            "Pendampingan teknis oleh mentor berpengalaman": {
                "description_en": "Technical mentoring by experienced mentors",
                "unit_en": "mentoring hours",
            },
        },
        "criteria": [
            ("Ease of use for volunteers", "Volunteers can use it after one day of training."),
            ("Data accuracy and nutrition standards", "Z-scores calculated to the WHO standard."),
            ("Offline operation", "Recording keeps working without signal."),
            ("Cost and sustainability", "Device and maintenance costs per health post."),
        ],
        "sponsors": {"Yayasan Mentor Digital Indonesia": "Provides mentors"},
    },
    "internet-desa-terpencil": {
        "body_en": [
            "Village offices, schools and auxiliary health posts in the hill villages have to travel to "
            "the sub-district town to upload reports and use online services. Some villages already have "
            "a satellite access point from a central government programme, but it only reaches the area "
            "around the village office.",
            "A good proposal explains the technology, the installation cost and monthly cost per village, "
            "who maintains the network, and how the village enterprise (BUMDes) or a residents' group can "
            "cover running costs once the grant period ends.",
        ],
        "eligibility_en": "<ul><li>Companies, cooperatives, village enterprises (BUMDes), universities "
        "or community groups.</li><li>Have network technicians, or partner with a licensed internet "
        "service provider.</li></ul>",
        "incentives": {
            "Kontrak uji coba di lima desa selama dua belas bulan": {
                "description_en": "Pilot contract in five villages for twelve months"
            },
            "Izin pemasangan perangkat di menara dan gedung milik pemerintah daerah": {
                "description_en": "Permission to install equipment on towers and buildings owned by the "
                "regional government",
                "unit_en": "tower sites",
            },
        },
        "criteria": [
            ("Coverage", "How many residents, schools and health facilities are served."),
            ("Cost per village", "Installation and monthly costs."),
            ("Run by the community", "The role of BUMDes or residents' groups after the pilot."),
            ("Technical readiness", "Equipment, frequency licences and maintenance staff."),
        ],
    },
    "literasi-digital-desa": {
        "body_en": [
            "The regional government is moving civil registration, social assistance and complaints to "
            "online channels. Without help, older people, farmers and homemakers are left behind and "
            "depend on middlemen who charge a fee.",
            "The programme we are looking for trains a volunteer in every village, uses everyday language "
            "and local examples, covers account security and how to spot scams, and measures its results "
            "in a simple way.",
        ],
        "eligibility_en": "<ul><li>Educational institutions, foundations or community groups with "
        "experience in training residents.</li><li>Materials are shared under an open licence.</li></ul>",
        "incentives": {
            "Hibah program pelatihan untuk 20 desa": {
                "description_en": "Grant for a training programme in 20 villages"
            },
            "Hadiah untuk materi pelatihan terbaik": {
                "description_en": "Prizes for the best training materials"
            },
        },
        "criteria": [
            ("Reach", "Number of villages and residents trained."),
            ("Fit with the local context", "Language, examples and schedules that suit residents."),
            ("Sustained by village volunteers", "Volunteers can carry on without the delivery team."),
            ("Measuring results", "Simple indicators before and after the training."),
        ],
    },
    "retribusi-pasar-nontunai": {
        "body_en": [
            "Pontianak runs dozens of markets with thousands of traders. Levy payments are recorded per "
            "bundle of paper tickets, not per trader, so the office does not know who has paid or what "
            "the real revenue potential is.",
            "We are looking for payment by QRIS or e-wallet, with an option for traders who have no "
            "smartphone, a daily summary per trader for collectors, and automatic transfer to the "
            "regional treasury account. Traders must be able to see their own payment history.",
        ],
        "eligibility_en": "<ul><li>Companies or cooperatives registered in Indonesia.</li><li>The "
        "payment partner is licensed by Bank Indonesia.</li></ul>",
        "incentives": {
            "Kontrak uji coba di tiga pasar selama enam bulan": {
                "description_en": "Pilot contract in three markets for six months"
            },
            "Keringanan retribusi tiga bulan bagi pedagang peserta uji coba": {
                "description_en": "Three months of levy relief for traders taking part in the pilot",
                "relief_en": "50% for 3 months",
            },
        },
        "criteria": [
            ("Ease of use for traders", "Including traders without a smartphone."),
            ("Traceable deposits", "Every payment reaches the regional treasury and can be checked."),
            ("Transaction costs", "Costs borne by traders and by the government."),
            ("Team readiness", "Experience and licences held."),
        ],
        "sponsors": {"Bank Kalbar Peduli (CSR)": "Payment partner and trader training"},
    },
    "izin-usaha-umkm-daring": {
        "body_en": [
            "Without a business identification number (NIB), micro-entrepreneurs struggle to get "
            "people's business credit (KUR), halal certification and access to government procurement. "
            "The office's SME clinic can only help a few dozen people a week.",
            "The solution we are looking for guides entrepreneurs step by step in plain language, checks "
            "that documents are complete before they are uploaded, and alerts the office when an "
            "application gets stuck.",
        ],
        "eligibility_en": "<ul><li>Open to every kind of organisation.</li><li>The service is free of "
        "charge for micro-entrepreneurs.</li></ul>",
        "incentives": {
            "Hibah layanan pendampingan selama enam bulan": {
                "description_en": "Grant for six months of assistance"
            },
            "Ruang kerja bersama di Rumah UMKM Kota Pontianak selama enam bulan": {
                "description_en": "Co-working space at Pontianak's SME House for six months",
                "unit_en": "co-working seats",
            },
        },
        "criteria": [
            ("SMEs helped", "Target number of NIBs issued during the programme."),
            ("Ease of use", "Works from a basic phone."),
            ("Fit with OSS", "Follows the risk-based OSS licensing flow."),
            ("Cost", "Cost per SME helped."),
        ],
    },
    "pembukuan-digital-koperasi": {
        "body_en": [
            "Annual members' meetings are often postponed because the accounts are not ready, and the "
            "office's oversight of cooperatives' health depends on paper reports sent once a year.",
            "We are looking for an app that follows cooperative accounting standards, that board members "
            "can use after short training, that lets members check their savings and loans by phone, and "
            "that produces the office's reports automatically.",
        ],
        "eligibility_en": "<ul><li>Companies or cooperatives registered in Indonesia.</li><li>Willing "
        "to support at least 30 cooperatives.</li></ul>",
        "incentives": {
            "Hibah pengembangan dan pendampingan 30 koperasi": {
                "description_en": "Grant for development and support for 30 cooperatives"
            },
        },
        "criteria": [
            ("Fit with cooperative accounting standards", "Reports meet the ministry's rules."),
            ("Ease of use for board members", "Usable after short training."),
            ("Members' access to balances", "Members check their own savings and loans."),
            ("Subscription cost", "Affordable for small cooperatives."),
        ],
    },
}

PROJECTS_EN = {
    "posyandu-digital": {
        "title_en": "Digital Posyandu: recording child growth without signal",
        "summary_en": "An Android app for village health volunteers that works out toddlers' "
        "nutritional status to the WHO standard, works offline, and sends the summary to the health "
        "centre once connected.",
        "milestones": [
            "Prototype and pilot at five health posts",
            "Roll-out to 40 health posts and training for 120 volunteers",
            "Nutrition dashboard for the Health Office and hand-over of the source code",
        ],
    },
    "koperasiku": {
        "title_en": "KoperasiKu: savings-and-loan bookkeeping and members' balances by phone",
        "summary_en": "A bookkeeping app for savings-and-loan cooperatives, with automatic reports for "
        "the office and balance checks for members.",
        "milestones": [
            "Core app and data migration for five cooperatives",
            "Roll-out to 30 cooperatives and training for their boards",
            "Members' balance checks by phone",
        ],
    },
}
