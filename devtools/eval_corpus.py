# ruff: noqa: E501 - the data tables below read best one record a line
"""The held-out evaluation corpus: public-service challenges, funded projects and organisations
of Indonesian regions, as ``SearchDocument``s (``make search-eval`` loads them into both
engines through the real indexing functions and runs ``data/judgments_heldout.json`` on them).

It was written apart from the demo data the synonyms and thresholds were tuned on, so the
figures it gives are a measurement, not a fit. Deterministic: the same code gives the same
documents, keys and order (no randomness but a seeded ``random.Random``). Each document is
identified by a stable key, as the judgments name it: ``challenge:<slug>``,
``organisation:<slug>`` and ``project:<title>`` (``search_evaluation.document_key``).

Every challenge comes from one of the problems below (``TOPICS``) set in one region and village,
with the problem's own wording, one of its title forms and local facts, so two challenges on the
same problem read like two agencies writing about it, not like a template filled twice.
Organisations offer what they do in their own words; projects are funded solutions to a problem
somewhere. ``topic`` and ``region`` of each document are kept beside it (``Labelled``) for the
test that checks the judgments name real documents."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils.text import slugify

from search.documents import SearchDocument

SEED = 20261206
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
RUPIAH = 100
JUTA = 1_000_000 * RUPIAH
FIRST_ID = 900_000  # object ids well away from any real row

# slug, name, province, villages (desa/kelurahan), what the place is like
REGIONS = (
    ("sumba-barat", "Kabupaten Sumba Barat", "NTT", ("Lokory", "Tebara", "Gollu Sapi"), "sabana kering dan musim kemarau panjang"),
    ("kota-kupang", "Kota Kupang", "NTT", ("Oesapa", "Naikoten", "Fatululi"), "kota pesisir yang cepat tumbuh"),
    ("ende", "Kabupaten Ende", "NTT", ("Wolotopo", "Ndetundora", "Nangaba"), "lereng gunung dan pantai selatan Flores"),
    ("manggarai-barat", "Kabupaten Manggarai Barat", "NTT", ("Gorontalo", "Wae Kelambu", "Pasir Panjang"), "gerbang wisata Komodo"),
    ("sikka", "Kabupaten Sikka", "NTT", ("Wolomarang", "Nita", "Kewapante"), "kampung tenun dan nelayan"),
    ("lombok-tengah", "Kabupaten Lombok Tengah", "NTB", ("Sade", "Kuta", "Praya"), "sawah tadah hujan dan kawasan Mandalika"),
    ("bima", "Kabupaten Bima", "NTB", ("Sape", "Wawo", "Donggo"), "ladang jagung dan bawang merah"),
    ("kapuas-hulu", "Kabupaten Kapuas Hulu", "Kalimantan Barat", ("Putussibau", "Nanga Badau", "Lanjak"), "hulu sungai dan perbatasan Malaysia"),
    ("sambas", "Kabupaten Sambas", "Kalimantan Barat", ("Tebas", "Jawai", "Paloh"), "perkebunan jeruk dan pesisir utara"),
    ("kota-pontianak", "Kota Pontianak", "Kalimantan Barat", ("Siantan", "Tanjung Hulu", "Benua Melayu"), "kota sungai di garis khatulistiwa"),
    ("banjarmasin", "Kota Banjarmasin", "Kalimantan Selatan", ("Kuin", "Pekapuran", "Sungai Jingah"), "kota seribu sungai dengan pasar terapung"),
    ("kutai-kartanegara", "Kabupaten Kutai Kartanegara", "Kalimantan Timur", ("Tenggarong", "Loa Kulu", "Muara Badak"), "tambang lama dan danau"),
    ("palu", "Kota Palu", "Sulawesi Tengah", ("Talise", "Petobo", "Balaroa"), "kota yang bangkit setelah gempa dan likuefaksi"),
    ("gorontalo", "Kabupaten Gorontalo", "Gorontalo", ("Limboto", "Tibawa", "Batudaa"), "danau Limboto yang mendangkal"),
    ("minahasa", "Kabupaten Minahasa", "Sulawesi Utara", ("Tondano", "Kakas", "Remboken"), "pegunungan dan danau Tondano"),
    ("kota-ambon", "Kota Ambon", "Maluku", ("Passo", "Batu Merah", "Latuhalat"), "kota teluk di pulau kecil"),
    ("maluku-tengah", "Kabupaten Maluku Tengah", "Maluku", ("Masohi", "Banda Neira", "Saparua"), "gugus pulau rempah"),
    ("jayapura", "Kabupaten Jayapura", "Papua", ("Sentani", "Doyo Baru", "Waibu"), "danau Sentani dan kampung adat"),
    ("merauke", "Kabupaten Merauke", "Papua Selatan", ("Kurik", "Semangga", "Tanah Miring"), "lumbung padi di dataran rendah"),
    ("sorong", "Kota Sorong", "Papua Barat Daya", ("Klademak", "Remu", "Klasaman"), "pintu masuk Raja Ampat"),
    ("makassar", "Kota Makassar", "Sulawesi Selatan", ("Tallo", "Panakkukang", "Mariso"), "kota pelabuhan yang padat"),
    ("bone", "Kabupaten Bone", "Sulawesi Selatan", ("Watampone", "Bajoe", "Ulaweng"), "sentra padi dan tambak"),
    ("kendari", "Kota Kendari", "Sulawesi Tenggara", ("Mandonga", "Abeli", "Puuwatu"), "teluk dengan permukiman di atas air"),
    ("ternate", "Kota Ternate", "Maluku Utara", ("Dufa-Dufa", "Kalumata", "Sulamadaha"), "pulau gunung api"),
)  # fmt: skip
REGION_BY_SLUG = {r[0]: r for r in REGIONS}


@dataclass(frozen=True)
class Topic:
    key: str
    sector: str
    titles: tuple[str, ...]  # title forms; "{place}" is the village or the region
    title_en: str
    problem: tuple[str, ...]  # sentences about the problem (two or three are used)
    wanted: tuple[str, ...]  # what the agency asks for (one is used)
    solution: str  # a funded project's name stem
    solution_text: str


# The problems agencies bring. Words vary between the forms on purpose: a searcher does not
# know which one a given agency used.
TOPICS = (
    Topic("antrean-puskesmas", "kesehatan",
          ("Antrean pasien puskesmas {place} terlalu panjang", "Pendaftaran berobat tanpa antre di puskesmas {place}", "Nomor antrean daring untuk layanan kesehatan {place}"),
          "Long patient queues at community health centres",
          ("Pasien datang sebelum subuh untuk mengambil nomor antrean.", "Ruang tunggu penuh dan lansia menunggu berjam-jam.", "Petugas loket mencatat pendaftaran di buku tulis."),
          ("Kami mencari cara mendaftar berobat dari rumah lewat SMS atau WhatsApp.", "Dicari sistem nomor antrean yang bisa dipantau pasien dari ponsel."),
          "AntreSehat", "Pendaftaran puskesmas lewat SMS dan papan antrean digital."),
    Topic("stunting-posyandu", "kesehatan",
          ("Pemantauan tumbuh kembang balita di posyandu {place}", "Pencegahan stunting berbasis data posyandu", "Kader posyandu {place} butuh alat ukur dan pencatatan"),
          "Tracking child growth at village health posts to prevent stunting",
          ("Berat dan tinggi badan balita dicatat di kartu kertas yang sering hilang.", "Angka stunting di desa masih di atas rata-rata provinsi.", "Kader kesulitan mengenali anak yang pertumbuhannya melambat."),
          ("Dicari aplikasi sederhana untuk kader yang bekerja tanpa sinyal.", "Kami ingin peringatan dini bagi balita yang berisiko gizi buruk."),
          "Timbang Tumbuh", "Aplikasi luring untuk kader posyandu mencatat pengukuran balita dan mengirim rekap ke puskesmas."),
    Topic("rujukan-ibu-hamil", "kesehatan",
          ("Rujukan darurat ibu melahirkan dari {place}", "Transportasi rujukan ibu hamil di daerah terpencil", "Koordinasi bidan desa dan rumah sakit untuk persalinan"),
          "Emergency referral for women in labour from remote villages",
          ("Ibu hamil dengan komplikasi harus dibawa berjam-jam ke rumah sakit.", "Bidan desa tidak tahu apakah rumah sakit rujukan punya tempat tidur kosong.", "Ambulans desa sering tidak tersedia di malam hari."),
          ("Kami mencari sistem rujukan yang menghubungkan bidan, ambulans dan rumah sakit.",),
          "Jalur Bunda", "Sistem rujukan persalinan yang memberi tahu rumah sakit sebelum pasien tiba."),
    Topic("stok-obat", "kesehatan",
          ("Kekosongan stok obat di puskesmas pembantu", "Pencatatan persediaan obat {place}", "Distribusi obat ke pustu di pulau-pulau kecil"),
          "Medicine stock-outs at rural clinics",
          ("Obat esensial habis berminggu-minggu sebelum ada yang menyadari.", "Laporan stok dikirim bulanan dalam bentuk kertas.", "Obat kedaluwarsa menumpuk di gudang farmasi kabupaten."),
          ("Dicari pencatatan stok obat yang memberi tanda sebelum persediaan habis.",),
          "StokSehat", "Pencatatan stok obat puskesmas pembantu dengan pengingat pemesanan ulang."),
    Topic("retribusi-pasar", "pasar-umkm",
          ("Pembayaran retribusi pasar {place} tanpa uang tunai", "Retribusi los dan kios pasar tradisional secara digital", "Kebocoran pungutan pasar di {place}"),
          "Cashless market stall fees",
          ("Juru pungut menarik retribusi harian dengan karcis kertas.", "Setoran retribusi ke kas daerah tidak sesuai jumlah pedagang.", "Pedagang mengeluh ditarik dua kali dalam sehari."),
          ("Kami ingin pedagang membayar retribusi lewat QRIS atau kartu dengan bukti yang jelas.",),
          "Karcis Digital", "Karcis retribusi pasar lewat QRIS dengan laporan setoran harian untuk dinas."),
    Topic("pemasaran-umkm", "pasar-umkm",
          ("Pemasaran daring produk UMKM {place}", "Membawa kerajinan {place} ke pembeli di luar daerah", "Perajin dan usaha kecil belum berjualan online"),
          "Getting small businesses selling online",
          ("Perajin hanya menjual kepada pengepul dengan harga rendah.", "Pelaku usaha kecil belum punya foto produk dan akun toko daring.", "Ongkos kirim dari daerah ini mahal sehingga pembeli membatalkan pesanan."),
          ("Dicari pendampingan toko daring, pengemasan dan pengiriman bersama.",),
          "Etalase Nusa", "Toko daring bersama untuk perajin dengan pengiriman gabungan dari desa."),
    Topic("harga-pangan", "pasar-umkm",
          ("Informasi harga bahan pokok di pasar {place}", "Lonjakan harga cabai dan bawang menjelang hari raya", "Pemantauan harga pangan harian"),
          "Daily food price information",
          ("Dinas mencatat harga beras, cabai dan minyak goreng secara manual setiap pagi.", "Warga tidak tahu pasar mana yang lebih murah.", "Spekulan memanfaatkan kabar harga yang simpang siur."),
          ("Kami mencari cara mengumpulkan dan mengumumkan harga pangan setiap hari.",),
          "Harga Hari Ini", "Papan harga bahan pokok dari laporan pedagang pasar, diumumkan lewat SMS."),
    Topic("koperasi-pembukuan", "pasar-umkm",
          ("Pembukuan koperasi simpan pinjam {place}", "Koperasi desa masih mencatat di buku besar", "Laporan keuangan koperasi yang bisa diperiksa anggota"),
          "Bookkeeping for village cooperatives",
          ("Pengurus koperasi mencatat simpanan dan pinjaman anggota dengan tangan.", "Rapat anggota tahunan tertunda karena laporan belum selesai.", "Anggota tidak bisa melihat saldo simpanannya sendiri."),
          ("Dicari aplikasi pembukuan koperasi yang mudah dipakai pengurus.",),
          "KoperasiKu", "Pembukuan koperasi simpan pinjam dengan saldo anggota yang bisa dicek lewat ponsel."),
    Topic("izin-usaha", "perizinan",
          ("Mengurus izin usaha mikro di {place} terlalu lama", "Perizinan berusaha satu pintu untuk UMKM", "Pelaku usaha bolak-balik ke kantor DPMPTSP"),
          "Slow business permits for micro enterprises",
          ("Pemohon harus datang berkali-kali untuk melengkapi berkas.", "Status permohonan izin tidak bisa dilacak.", "Banyak usaha kecil belum punya NIB karena prosesnya membingungkan."),
          ("Kami mencari pendampingan dan pelacakan permohonan izin usaha.",),
          "Izin Kilat", "Pendampingan pendaftaran NIB dan pelacakan permohonan izin lewat WhatsApp."),
    Topic("imb-pbg", "perizinan",
          ("Persetujuan bangunan gedung untuk rumah warga", "Izin mendirikan bangunan di {place}", "Pemeriksaan dokumen PBG yang menumpuk"),
          "Building approvals for homes",
          ("Warga membangun rumah tanpa izin karena prosesnya dianggap rumit.", "Gambar teknis diperiksa satu per satu oleh petugas yang sedikit.", "Bangunan di sempadan sungai terus bertambah."),
          ("Dicari cara memeriksa berkas persetujuan bangunan lebih cepat dan transparan.",),
          "Rumah Berizin", "Pemeriksaan berkas persetujuan bangunan dengan daftar periksa dan status yang terbuka."),
    Topic("adminduk", "perizinan",
          ("Pelayanan KTP dan akta kelahiran jemput bola di {place}", "Dokumen kependudukan untuk warga kampung terpencil", "Akta kelahiran anak yang belum tercatat"),
          "Identity documents and birth certificates for remote residents",
          ("Banyak anak belum memiliki akta kelahiran.", "Warga harus menyeberang pulau untuk merekam KTP elektronik.", "Data kependudukan desa berbeda dengan data dinas."),
          ("Kami mencari layanan keliling dan pendaftaran dokumen dari kantor desa.",),
          "Dukcapil Keliling", "Perekaman KTP dan penerbitan akta kelahiran dari kantor desa dengan perangkat keliling."),
    Topic("putus-sekolah", "pendidikan",
          ("Anak putus sekolah di {place}", "Mengembalikan anak yang berhenti sekolah", "Siswa yang tidak lagi datang ke kelas"),
          "Children dropping out of school",
          ("Banyak anak berhenti sekolah untuk membantu orang tua di ladang atau laut.", "Sekolah baru tahu siswa berhenti setelah berbulan-bulan.", "Jarak rumah ke SMP lebih dari sepuluh kilometer."),
          ("Dicari cara mengenali siswa yang mulai jarang hadir dan mendampingi keluarganya.",),
          "Kembali Sekolah", "Pencatatan kehadiran harian dan kunjungan rumah bagi siswa yang jarang hadir."),
    Topic("literasi-anak", "pendidikan",
          ("Kemampuan membaca siswa SD kelas awal", "Taman baca dan buku cerita untuk anak {place}", "Literasi anak di sekolah dasar terpencil"),
          "Early-grade reading",
          ("Siswa kelas tiga belum lancar membaca.", "Sekolah tidak punya buku cerita dalam bahasa daerah.", "Guru belum terlatih mengajar membaca permulaan."),
          ("Kami mencari bahan bacaan berjenjang dan pelatihan guru kelas awal.",),
          "Pustaka Kampung", "Buku cerita berjenjang dalam bahasa daerah dan pojok baca di kelas."),
    Topic("guru-daerah-terpencil", "pendidikan",
          ("Pelatihan guru di sekolah terpencil", "Guru honorer {place} sulit mengikuti pelatihan", "Belajar jarak jauh untuk guru"),
          "Training for teachers in remote schools",
          ("Pelatihan guru diadakan di ibu kota kabupaten yang jauh.", "Guru honorer menanggung sendiri biaya perjalanan.", "Sinyal internet di sekolah hanya ada di titik tertentu."),
          ("Dicari pelatihan guru yang bisa diikuti tanpa meninggalkan sekolah.",),
          "Guru Belajar", "Modul pelatihan guru yang diunduh sekali dan dipelajari tanpa internet."),
    Topic("internet-desa", "konektivitas",
          ("Akses internet untuk desa {place}", "Desa tanpa sinyal di {place}", "Wifi publik di balai desa"),
          "Internet access for villages without signal",
          ("Warga harus naik ke bukit untuk mendapat sinyal telepon.", "Kantor desa tidak bisa mengirim laporan secara daring.", "Menara BTS terdekat berjarak puluhan kilometer."),
          ("Kami mencari jaringan internet desa yang bisa dirawat warga sendiri.",),
          "Jaring Desa", "Jaringan internet desa dengan radio jarak jauh dan pengelola dari BUMDes."),
    Topic("layanan-digital-desa", "konektivitas",
          ("Surat keterangan desa tanpa datang ke kantor", "Layanan administrasi desa secara daring di {place}", "Digitalisasi pelayanan kantor desa"),
          "Village office services online",
          ("Warga menunggu kepala desa untuk menandatangani surat pengantar.", "Arsip desa tersimpan di lemari dan mudah rusak.", "Perangkat desa belum terbiasa memakai komputer."),
          ("Dicari aplikasi pelayanan surat desa yang sederhana.",),
          "Desa Digital", "Permohonan surat keterangan desa lewat ponsel dengan tanda tangan elektronik kepala desa."),
    Topic("pengaduan-warga", "pengaduan",
          ("Kanal pengaduan warga {place}", "Laporan warga tentang jalan rusak dan lampu mati", "Keluhan masyarakat yang tidak pernah ditindaklanjuti"),
          "A channel for residents' complaints",
          ("Warga mengadu lewat media sosial dan laporannya hilang begitu saja.", "Dinas tidak tahu keluhan mana yang sudah ditangani.", "Pelapor tidak pernah mendapat kabar tindak lanjut."),
          ("Kami mencari satu pintu pengaduan dengan status tindak lanjut yang bisa dilihat pelapor.",),
          "Lapor Cepat", "Pengaduan warga lewat WhatsApp yang diteruskan ke dinas dengan status terbuka."),
    Topic("bansos-tepat-sasaran", "pengaduan",
          ("Penyaluran bantuan sosial tepat sasaran di {place}", "Data penerima bansos yang tidak akurat", "Keberatan warga atas daftar penerima bantuan"),
          "Getting social assistance to the right households",
          ("Keluarga miskin tidak masuk daftar penerima bantuan.", "Penerima yang sudah pindah atau meninggal masih tercatat.", "Warga tidak tahu cara mengajukan keberatan."),
          ("Dicari cara memutakhirkan data penerima dan menerima sanggahan warga.",),
          "Bantuan Tepat", "Pemutakhiran data penerima bantuan oleh musyawarah desa dengan sanggahan terbuka."),
    Topic("sampah-pesisir", "pengaduan",
          ("Sampah plastik di pantai dan permukiman pesisir {place}", "Pengelolaan sampah rumah tangga {place}", "Bank sampah untuk kampung nelayan"),
          "Plastic waste on beaches and coastal settlements",
          ("Sampah rumah tangga dibuang ke laut karena tidak ada pengangkutan.", "Pantai wisata kotor setelah musim hujan.", "Tempat pembuangan sementara sudah penuh."),
          ("Kami mencari pengelolaan sampah berbasis warga yang menghasilkan pendapatan.",),
          "Bank Sampah Bahari", "Bank sampah kampung pesisir yang membeli plastik dari warga dan menjualnya ke pendaur ulang."),
    Topic("air-bersih", "pengaduan",
          ("Air bersih untuk warga {place}", "Krisis air di musim kemarau", "Sumur dan mata air desa yang mengering"),
          "Clean water for villages",
          ("Warga membeli air tangki dengan harga mahal di musim kemarau.", "Perempuan dan anak berjalan jauh mengambil air.", "Jaringan pipa desa sering bocor dan tidak tercatat."),
          ("Dicari cara menyediakan dan merawat sarana air bersih desa.",),
          "Air Desa", "Pompa tenaga surya dan pengelola air desa dengan iuran bulanan yang tercatat."),
    Topic("banjir-peringatan", "pengaduan",
          ("Peringatan dini banjir untuk permukiman bantaran sungai", "Banjir tahunan di {place}", "Informasi tinggi muka air sungai untuk warga"),
          "Flood early warning for riverside neighbourhoods",
          ("Warga baru tahu air naik ketika sudah masuk rumah.", "Tidak ada alat ukur tinggi muka air di hulu.", "Jalur evakuasi tidak diketahui warga baru."),
          ("Kami mencari sensor sederhana dan pesan peringatan ke warga.",),
          "Siaga Sungai", "Sensor tinggi muka air di hulu dan peringatan lewat pengeras suara masjid dan SMS."),
    Topic("harga-gabah-petani", "pertanian",
          ("Petani padi menjual gabah terlalu murah", "Akses pasar hasil panen petani {place}", "Posisi tawar petani terhadap tengkulak"),
          "Rice farmers selling their harvest too cheaply",
          ("Petani menjual gabah basah kepada tengkulak saat panen raya.", "Tidak ada tempat pengeringan dan gudang bersama.", "Harga di tingkat petani jauh di bawah harga pembelian pemerintah."),
          ("Dicari resi gudang atau penjualan bersama lewat kelompok tani.",),
          "Gudang Tani", "Pengeringan dan gudang bersama kelompok tani dengan penjualan langsung ke penggilingan."),
    Topic("pupuk-bersubsidi", "pertanian",
          ("Penyaluran pupuk bersubsidi di {place}", "Petani tidak kebagian pupuk saat musim tanam", "Kartu tani dan kuota pupuk"),
          "Subsidised fertiliser reaching farmers",
          ("Pupuk habis di kios ketika petani membutuhkannya.", "Kuota pupuk tidak sesuai luas lahan yang sebenarnya.", "Petani penggarap tidak tercatat sebagai penerima."),
          ("Kami mencari pencatatan kebutuhan dan penyaluran pupuk yang terbuka.",),
          "Pupuk Tepat", "Pencatatan kebutuhan pupuk per kelompok tani dan stok kios yang bisa dilihat petani."),
    Topic("hama-penyuluhan", "pertanian",
          ("Serangan hama di kebun jeruk dan jagung", "Penyuluhan pertanian yang menjangkau petani {place}", "Petani menebak-nebak obat hama"),
          "Pest outbreaks and agricultural extension",
          ("Penyuluh pertanian hanya satu orang untuk beberapa desa.", "Petani memakai pestisida berlebihan karena tidak tahu jenis hamanya.", "Gagal panen berulang dua musim terakhir."),
          ("Dicari konsultasi hama lewat foto dan jadwal kunjungan penyuluh.",),
          "Klinik Tanaman", "Konsultasi hama dan penyakit tanaman lewat foto dengan jawaban penyuluh dalam sehari."),
    Topic("nelayan-cuaca", "pertanian",
          ("Informasi cuaca dan gelombang untuk nelayan {place}", "Keselamatan nelayan kecil di laut", "Nelayan melaut tanpa prakiraan cuaca"),
          "Weather and wave information for small-scale fishers",
          ("Perahu nelayan kecil hilang saat cuaca buruk.", "Prakiraan cuaca tidak sampai ke kampung nelayan.", "Nelayan tidak membawa alat komunikasi di laut."),
          ("Kami mencari peringatan cuaca yang sampai ke nelayan sebelum berangkat.",),
          "Laut Aman", "Siaran prakiraan gelombang harian ke kampung nelayan dan pelacak perahu sederhana."),
    Topic("rumput-laut", "pertanian",
          ("Pengolahan rumput laut pascapanen", "Budidaya rumput laut di {place}", "Harga rumput laut kering yang rendah"),
          "Seaweed farming and drying",
          ("Rumput laut dijemur di pasir sehingga kotor dan dihargai murah.", "Pembudidaya tidak punya akses ke pembeli pabrik.", "Bibit rumput laut terserang penyakit ice-ice."),
          ("Dicari para-para jemur, pengolahan dan pembeli tetap.",),
          "Rumput Laut Bersih", "Para-para jemur dan penjualan rumput laut kering langsung ke pabrik."),
    Topic("homestay-wisata", "pariwisata",
          ("Homestay dan pemandu lokal di desa wisata {place}", "Pemesanan penginapan warga di desa wisata", "Wisatawan tidak menemukan penginapan di {place}"),
          "Homestays and local guides in tourism villages",
          ("Wisatawan datang tanpa tahu ada rumah warga yang bisa disewa.", "Pemandu lokal belum punya standar layanan.", "Pendapatan wisata lebih banyak dinikmati operator dari luar daerah."),
          ("Kami mencari pemesanan homestay dan pelatihan pemandu yang dikelola pokdarwis.",),
          "Singgah Kampung", "Pemesanan homestay desa wisata yang dikelola pokdarwis dengan pembayaran langsung ke pemilik rumah."),
    Topic("tiket-destinasi", "pariwisata",
          ("Tiket masuk objek wisata {place}", "Kebocoran retribusi tempat wisata", "Data kunjungan wisatawan yang tidak akurat"),
          "Entrance tickets at tourist sites",
          ("Karcis masuk pantai dan air terjun dijual tanpa nomor seri.", "Pemerintah daerah tidak tahu berapa wisatawan yang datang.", "Pengunjung membayar tarif berbeda-beda."),
          ("Dicari tiket elektronik dan penghitung kunjungan untuk destinasi wisata.",),
          "Tiket Wisata", "Tiket elektronik objek wisata dengan laporan kunjungan harian untuk dinas pariwisata."),
    Topic("tenun-ikat", "pariwisata",
          ("Regenerasi penenun ikat di {place}", "Tenun ikat sebagai produk wisata budaya", "Motif tenun daerah yang ditiru pabrik"),
          "Keeping ikat weaving alive",
          ("Penenun muda semakin sedikit.", "Kain tenun tiruan cetak pabrik dijual lebih murah.", "Penenun tidak mencatat asal motif dan pewarna alam."),
          ("Kami mencari sertifikasi asal, pelatihan penenun muda dan pasar yang adil.",),
          "Benang Leluhur", "Label asal kain tenun ikat dan kelas menenun bagi remaja."),
    Topic("transportasi-sekolah", "konektivitas",
          ("Angkutan sekolah untuk siswa di pulau kecil", "Perahu sekolah di {place}", "Siswa berjalan kaki berjam-jam ke sekolah"),
          "School transport for pupils on small islands and remote hamlets",
          ("Siswa menyeberang dengan perahu nelayan tanpa pelampung.", "Tidak ada angkutan umum ke SMA terdekat.", "Siswa sering terlambat di musim hujan."),
          ("Dicari angkutan sekolah yang aman dan terjadwal.",),
          "Perahu Pintar", "Perahu sekolah berjadwal dengan pelampung dan pencatatan penumpang."),
    Topic("pajak-daerah", "perizinan",
          ("Pembayaran pajak bumi dan bangunan di {place}", "Wajib pajak daerah yang enggan membayar", "Tagihan PBB yang tidak sampai ke warga"),
          "Paying local property tax",
          ("Surat tagihan PBB dibagikan lewat ketua RT dan sering terlambat.", "Warga harus ke bank di kota untuk membayar.", "Tunggakan pajak daerah terus bertambah."),
          ("Kami mencari pembayaran pajak daerah dari desa dan pengingat jatuh tempo.",),
          "Bayar PBB", "Pembayaran PBB lewat agen bank desa dan QRIS dengan pengingat jatuh tempo."),
)  # fmt: skip
TOPIC_BY_KEY = {t.key: t for t in TOPICS}

AGENCIES = (
    "Dinas Kesehatan", "Dinas Koperasi dan UKM", "Dinas Perdagangan", "DPMPTSP", "Dinas Pendidikan",
    "Diskominfo", "Bappeda", "Dinas Pertanian", "Dinas Kelautan dan Perikanan", "Dinas Pariwisata",
    "Dinas Sosial", "Dinas Lingkungan Hidup", "BPBD", "Dinas Dukcapil", "Bapenda",
)  # fmt: skip
SECTOR_AGENCY = {
    "kesehatan": ("Dinas Kesehatan",),
    "pasar-umkm": ("Dinas Koperasi dan UKM", "Dinas Perdagangan"),
    "perizinan": ("DPMPTSP", "Dinas Dukcapil", "Bapenda"),
    "pendidikan": ("Dinas Pendidikan",),
    "konektivitas": ("Diskominfo", "Bappeda"),
    "pengaduan": ("Bappeda", "Dinas Sosial", "Dinas Lingkungan Hidup", "BPBD"),
    "pertanian": ("Dinas Pertanian", "Dinas Kelautan dan Perikanan"),
    "pariwisata": ("Dinas Pariwisata",),
}
SECTOR_EN = {
    "kesehatan": "health",
    "pasar-umkm": "markets and small business",
    "perizinan": "permits and public administration",
    "pendidikan": "education",
    "konektivitas": "connectivity and digital services",
    "pengaduan": "public services and complaints",
    "pertanian": "agriculture and fisheries",
    "pariwisata": "tourism",
}
INCENTIVES = ("grant", "prize", "pilot_contract", "in_kind")
FACTS = (
    "Sekitar {n} kepala keluarga terdampak.",
    "Wilayah layanan mencakup {n} dusun.",
    "Anggaran tahun ini hanya cukup untuk {n} titik percontohan.",
    "Survei dinas mencatat {n} keluhan dalam setahun terakhir.",
    "Uji coba akan dimulai di {n} desa.",
)
CONTEXT = (
    "{region} adalah {character}.",
    "Di {region}, daerah dengan {character}, masalah ini makin terasa.",
    "Kondisi {character} membuat layanan di {region} sulit menjangkau warga.",
)

# Organisations: (name, kind, description, topics they work on)
ORGANISATIONS = (
    ("Sehat Nusantara Digital", "startup", "Membangun aplikasi pendaftaran pasien dan rekam medis sederhana untuk puskesmas.", ("antrean-puskesmas", "stok-obat")),
    ("Yayasan Gizi Anak Timur", "ngo", "Mendampingi kader posyandu dan keluarga untuk mencegah stunting.", ("stunting-posyandu",)),
    ("Koperasi Bidan Sejahtera", "koperasi", "Koperasi bidan praktik mandiri yang mengelola ambulans desa dan rujukan persalinan.", ("rujukan-ibu-hamil",)),
    ("Apotek Rakyat Kepulauan", "company", "Distributor obat ke puskesmas pembantu di pulau-pulau kecil.", ("stok-obat",)),
    ("PasarPay Indonesia", "startup", "Pembayaran nontunai untuk pedagang pasar tradisional dan juru pungut.", ("retribusi-pasar",)),
    ("Kriya Timur Kolektif", "umkm", "Kelompok perajin yang menjual anyaman dan tenun lewat toko daring bersama.", ("pemasaran-umkm", "tenun-ikat")),
    ("Pantau Harga Pangan", "komunitas", "Relawan yang melaporkan harga bahan pokok dari pasar setiap pagi.", ("harga-pangan",)),
    ("Buku Kas Koperasi", "startup", "Perangkat lunak pembukuan untuk koperasi simpan pinjam dan BUMDes.", ("koperasi-pembukuan",)),
    ("Klinik Izin Usaha", "ngo", "Pendamping pelaku usaha mikro mengurus NIB dan izin edar.", ("izin-usaha",)),
    ("Studio Arsitek Warga", "company", "Konsultan gambar teknis rumah sederhana untuk persetujuan bangunan.", ("imb-pbg",)),
    ("Identitas untuk Semua", "ngo", "Membantu warga kampung terpencil mendapatkan akta kelahiran dan KTP.", ("adminduk",)),
    ("Rumah Belajar Pelangi", "komunitas", "Mendampingi anak putus sekolah agar kembali belajar.", ("putus-sekolah", "literasi-anak")),
    ("Taman Baca Nusa", "komunitas", "Jaringan taman baca dengan buku cerita bahasa daerah.", ("literasi-anak",)),
    ("Universitas Nusa Cendana, LPPM", "perguruan_tinggi", "Lembaga pengabdian masyarakat: pelatihan guru dan riset pendidikan di NTT.", ("guru-daerah-terpencil", "putus-sekolah")),
    ("Jaringan Desa Terhubung", "startup", "Memasang dan merawat internet desa dengan radio jarak jauh bersama BUMDes.", ("internet-desa",)),
    ("Kantor Desa Pintar", "startup", "Aplikasi surat-menyurat dan arsip untuk pemerintah desa.", ("layanan-digital-desa",)),
    ("Suara Warga", "ngo", "Platform pengaduan warga dan pemantauan tindak lanjut pemerintah daerah.", ("pengaduan-warga",)),
    ("Data Sosial Terbuka", "ngo", "Pemutakhiran data kemiskinan bersama musyawarah desa.", ("bansos-tepat-sasaran",)),
    ("Bahari Bersih", "komunitas", "Bank sampah dan daur ulang plastik di kampung nelayan.", ("sampah-pesisir",)),
    ("Tirta Surya Mandiri", "company", "Pompa air tenaga surya dan pelatihan pengelola air desa.", ("air-bersih",)),
    ("Sensor Sungai Lab", "perguruan_tinggi", "Laboratorium kampus yang membuat sensor tinggi muka air murah.", ("banjir-peringatan",)),
    ("Gapoktan Maju Bersama", "koperasi", "Gabungan kelompok tani dengan gudang dan pengering gabah bersama.", ("harga-gabah-petani", "pupuk-bersubsidi")),
    ("Dokter Tanaman", "startup", "Diagnosis hama dan penyakit tanaman dari foto ponsel.", ("hama-penyuluhan",)),
    ("Nelayan Selamat", "ngo", "Radio dan pelacak perahu untuk keselamatan nelayan kecil.", ("nelayan-cuaca",)),
    ("Koperasi Rumput Laut Sejahtera", "koperasi", "Pembudidaya rumput laut yang menjual hasil kering langsung ke pabrik.", ("rumput-laut",)),
    ("Pokdarwis Kampung Adat", "komunitas", "Kelompok sadar wisata yang mengelola homestay dan pemandu lokal.", ("homestay-wisata",)),
    ("Loket Wisata Nusantara", "startup", "Tiket elektronik untuk destinasi wisata milik daerah dan desa.", ("tiket-destinasi",)),
    ("Sanggar Tenun Lestari", "umkm", "Penenun ikat pewarna alam yang melatih remaja menenun.", ("tenun-ikat",)),
    ("Armada Sekolah Kepulauan", "company", "Operator perahu dan angkutan sekolah berjadwal.", ("transportasi-sekolah",)),
    ("Pajak Mudah", "startup", "Pembayaran pajak daerah lewat agen bank desa dan QRIS.", ("pajak-daerah", "retribusi-pasar")),
)  # fmt: skip
# Second words that make organisation names distinct when a topic's organisation recurs by region.
ORG_PLACE_FORMS = ("{name} {region_short}", "{name} Cabang {region_short}", "{name} – {region_short}")


@dataclass(frozen=True)
class Labelled:
    document: SearchDocument
    key: str
    topics: tuple[str, ...]
    region: str


def _short(region_name: str) -> str:
    return region_name.replace("Kabupaten ", "").replace("Kota ", "")


def _challenge(rng: random.Random, number: int, topic: Topic, region: tuple, form: int) -> Labelled:
    slug, region_name, province, villages, character = region
    village = villages[number % len(villages)]
    place = village if form != 2 else _short(region_name)
    title = topic.titles[form % len(topic.titles)].format(place=place)
    problem = rng.sample(topic.problem, k=min(len(topic.problem), rng.choice((2, 3))))
    summary = " ".join([problem[0], rng.choice(topic.wanted)])
    body = " ".join(
        [
            *problem[1:],
            rng.choice(CONTEXT).format(region=region_name, character=character),
            f"Lokasi: Desa {village}, {region_name}, {province}.",
            rng.choice(FACTS).format(n=rng.randint(3, 900)),
        ]
    )
    where = "" if _short(region_name) in title else f" {_short(region_name)}"
    doc_slug = slugify(f"{title}{where}")[:80].strip("-")
    agency = rng.choice(SECTOR_AGENCY[topic.sector])
    opens = NOW - datetime.timedelta(days=rng.randint(5, 60))
    document = SearchDocument(
        kind="challenge",
        object_id=FIRST_ID + number,
        title=title,
        url=f"/challenges/{doc_slug}/",
        summary=summary,
        body=f"{agency} {region_name}. {body}",
        title_en=f"{topic.title_en} ({_short(region_name)})",
        summary_en=f"A {SECTOR_EN[topic.sector]} challenge from {region_name}, {province}.",
        region=slug,
        agency=AGENCIES.index(agency) + 1,
        sectors=[topic.sector],
        incentives=sorted(set(rng.sample(INCENTIVES, k=rng.choice((1, 2))))),
        amount=rng.choice((25, 50, 75, 100, 150, 250)) * JUTA,
        opens_at=opens,
        closes_at=NOW + datetime.timedelta(days=rng.randint(20, 120)),
        date=opens,
    )
    return Labelled(document, f"challenge:{doc_slug}", (topic.key,), slug)


def _project(rng: random.Random, number: int, topic: Topic, region: tuple) -> Labelled:
    slug, region_name, province, villages, _character = region
    village = rng.choice(villages)
    title = (
        f"{topic.solution} {village}: {topic.solution_text.split(' ')[0].lower()} di {_short(region_name)}"
    )
    body = " ".join(
        [
            topic.solution_text,
            f"Dijalankan di Desa {village}, {region_name}, sejak {rng.choice(('Januari', 'Maret', 'Juli', 'Oktober'))} 2026.",
            rng.choice(topic.problem),
            rng.choice(FACTS).format(n=rng.randint(3, 400)),
        ]
    )
    document = SearchDocument(
        kind="project",
        object_id=FIRST_ID + number,
        title=title,
        url=f"/projects/{FIRST_ID + number}/",
        summary=topic.solution_text,
        body=body,
        title_en=f"{topic.solution}: funded project on {topic.title_en.lower()}",
        summary_en=f"Funded {SECTOR_EN[topic.sector]} project in {region_name}.",
        region=slug,
        sectors=[topic.sector],
        amount=rng.choice((20, 30, 45, 60, 90)) * JUTA,
        date=NOW - datetime.timedelta(days=rng.randint(30, 300)),
    )
    return Labelled(document, f"project:{title}", (topic.key,), slug)


def _organisation(rng: random.Random, number: int, entry: tuple, region: tuple, branch: int) -> Labelled:
    name, kind, description, topics = entry
    slug_region, region_name, province, villages, _character = region
    if branch:
        name = ORG_PLACE_FORMS[branch % len(ORG_PLACE_FORMS)].format(
            name=name, region_short=_short(region_name)
        )
    doc_slug = slugify(name)
    tags = [TOPIC_BY_KEY[t].title_en.lower() for t in topics]
    body = " ".join(
        [
            f"Berkantor di {rng.choice(villages)}, {region_name}, {province}.",
            rng.choice(TOPIC_BY_KEY[topics[0]].problem),
            f"Bekerja sama dengan {rng.choice(SECTOR_AGENCY[TOPIC_BY_KEY[topics[0]].sector])} setempat.",
        ]
    )
    document = SearchDocument(
        kind="organisation",
        object_id=FIRST_ID + number,
        title=name,
        url=f"/organisations/{doc_slug}/",
        summary=description,
        body=body,
        summary_en=f"{kind.replace('_', ' ')} working on " + ", ".join(tags) + ".",
        region=slug_region,
        sectors=sorted({TOPIC_BY_KEY[t].sector for t in topics}),
        organisation_kind=kind,
        verified=rng.random() < 0.7,
        date=NOW - datetime.timedelta(days=rng.randint(60, 900)),
        suggest=[name],
        tags=[TOPIC_BY_KEY[t].solution for t in topics],
    )
    return Labelled(document, f"organisation:{doc_slug}", tuple(topics), slug_region)


def corpus() -> list[Labelled]:
    """Every document of the evaluation corpus, in a fixed order (about 330)."""
    rng = random.Random(SEED)
    labelled: list[Labelled] = []
    number = 0
    # Challenges: each problem in five or six regions, each region's wording its own.
    for t_index, topic in enumerate(TOPICS):
        regions = rng.sample(REGIONS, k=5 + t_index % 2)
        for form, region in enumerate(regions):
            number += 1
            labelled.append(_challenge(rng, number, topic, region, form))
    # Funded projects: two per problem, in regions of their own.
    for topic in TOPICS:
        for region in rng.sample(REGIONS, k=2):
            number += 1
            labelled.append(_project(rng, number, topic, region))
    # Organisations: each in its home region, most with branches elsewhere.
    for o_index, entry in enumerate(ORGANISATIONS):
        for branch, region in enumerate(rng.sample(REGIONS, k=2 + o_index % 3)):
            number += 1
            labelled.append(_organisation(rng, number, entry, region, branch))
    keys = [item.key for item in labelled]
    assert len(keys) == len(set(keys)), "every document has its own key"
    return labelled


def documents() -> dict[str, list[SearchDocument]]:
    """The corpus by kind, as the indexing functions take it."""
    by_kind: dict[str, list[SearchDocument]] = {"challenge": [], "project": [], "organisation": []}
    for item in corpus():
        by_kind[item.document.kind].append(item.document)
    return by_kind


def load_database() -> int:
    """Replace the database copy (entries and vocabulary) with the corpus, through the indexing
    functions the site uses; for a database of its own (``make search-eval``'s)."""
    from django.db import transaction

    from search import indexing
    from search.models import SearchEntry, SearchTerm
    from search.text import stem_word

    docs = [doc for group in documents().values() for doc in group]
    stem_word.cache_clear()
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchTerm.objects.all().delete()
        indexing.write_database_entries(docs)
        # What rebuild_database_copy ends with: every word counted once per document.
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w, documents=n) for w, n in indexing.entry_words(docs).items()], batch_size=5000
        )
    return len(docs)


def load_elasticsearch(client) -> int:
    """Index the corpus behind the aliases of ``SEARCH_INDEX_PREFIX`` (one index per kind)."""
    from search import indexing

    return sum(
        indexing.bulk_index_documents(client, kind, iter(docs), len(docs))
        for kind, docs in documents().items()
    )
