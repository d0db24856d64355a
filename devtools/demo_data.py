"""The demo scenario as data: the reference case of PT Jaya Dinasti Indonesia and fictional investors.

The JDI figures are as reported in the press in 2025-26 (see the claims); where reports give no date or
breakdown (the zone split, permit dates) the values are illustrative and say so in their notes. Every other
investor is fictional (``is_demo``), with NIB and NPWP numbers in a 99... range no real company holds.
"""

from __future__ import annotations

from datetime import date

JDI = "PT Jaya Dinasti Indonesia"
JDI_ESTATE = "Kawasan Industri Sawah Luhur"
ILLUSTRATIVE = "Tanggal ilustratif untuk demo: pemberitaan tidak menyebut tanggal pasti."
PRESS = "Pemberitaan media 2025-2026 (nama terbitan dicatat oleh petugas)"
RADAR24 = "Radar24News, 14 Maret 2025: \u201cInvestasi Baru: Kawasan Industri Rp650 Miliar di Serang\u201d"

# (kind, share of the estate's area) for the fictional estates; the rest stays unzoned.
ZONE_SPLIT = (
    ("industrial", "0.65"),
    ("housing", "0.10"),
    ("commercial", "0.05"),
    ("leisure", "0.05"),
    ("utilities_green", "0.10"),
)

REFERENCE_CASE = {
    "investor": {
        "legal_name": JDI,
        "legal_form": "pt",
        "capital_status": "pma",
        "country_of_origin": "CN",
        "main_kbli": "68130",
        "is_demo": False,
        "notes": "PMA milik investor Tiongkok yang membangun kawasan industri dengan perumahan pekerja, pusat "
        "komersial dan area rekreasi di Kota Serang. Kasus acuan Pantau, sebagaimana diberitakan media pada "
        "2025-2026; NIB dan kontak tidak dipublikasikan.",
    },
    "estate": {
        "name": JDI_ESTATE,
        "bps_code": "36.73",
        "kecamatan": "Kasemen",
        "kelurahan": "Sawah Luhur",
        "area_ha": "150",
        "planned_investment_rp": 650_000_000_000,
        "kbli": "68130",
        "status": "stopped",
        "stop_order_on": date(2025, 9, 16),
        "stop_order_reason": (
            "Diperintahkan Pemerintah Kota Serang selama persetujuan lingkungan (AMDAL) belum terbit."
        ),
        "notes": (
            "Luas dan nilai menurut pemberitaan terbanyak (150 ha, Rp650 miliar); sumber lain berbeda: lihat klaim."
        ),
    },
    "zones": [
        {
            "kind": "industrial",
            "name": "Kaveling industri",
            "area_ha": "100",
            "notes": "Pembagian ilustratif: pemberitaan tidak merinci luas per zona.",
        },
        {
            "kind": "housing",
            "name": "Perumahan pekerja",
            "area_ha": "25",
            "housing_units": 2500,
            "notes": "Pembagian ilustratif: pemberitaan tidak merinci luas per zona.",
        },
        {
            "kind": "commercial",
            "name": "Pusat komersial",
            "area_ha": "10",
            "notes": "Pembagian ilustratif: pemberitaan tidak merinci luas per zona.",
        },
        {
            "kind": "leisure",
            "name": "Area rekreasi",
            "area_ha": "10",
            "notes": "Pembagian ilustratif: pemberitaan tidak merinci luas per zona.",
        },
    ],
    "claims": [
        {
            "metric": "investment_rp",
            "value": 650_000_000_000,
            "unit": "Rp",
            "claimant": "Kepala DPMPTSP Banten (Virgojanti)",
            "source": RADAR24,
            "claimed_on": date(2025, 3, 14),
            "notes": "PT Jaya Dinasti Indonesia, perusahaan asal Tiongkok, akan membangun kawasan industri di Kota "
            "Serang; izin \u201csedang dalam proses pengurusan, termasuk AMDAL dan IUKI\u201d.",
        },
        {
            "metric": "investment_rp",
            "value": 600_000_000_000,
            "unit": "Rp",
            "claimant": "Pemberitaan Radar Banten",
            "source": "Radar Banten, 22 Februari 2025",
            "claimed_on": date(2025, 2, 22),
            "notes": "Rp600 miliar; DPMPTSP Kota Serang disebut belum menerima pemberitahuan.",
        },
        {
            "metric": "area_ha",
            "value": 150,
            "unit": "ha",
            "claimant": "Pemberitaan Tribun Banten",
            "source": "banten.tribunnews.com, 8 Maret 2025",
            "claimed_on": date(2025, 3, 8),
            "notes": "Rp650 miliar di atas 150 ha di Sawah Luhur, Kasemen.",
        },
        {
            "metric": "area_ha",
            "value": 100,
            "value_high": 199,
            "unit": "ha",
            "claimant": "Pemberitaan media",
            "source": PRESS,
            "claimed_on": date(2025, 9, 20),
            "notes": '"Seratusan hektare". ' + ILLUSTRATIVE,
        },
        {
            "metric": "area_ha",
            "value": 4000,
            "unit": "ha",
            "claimant": "Kabar yang dikutip media",
            "source": PRESS,
            "claimed_on": date(2025, 10, 1),
            "notes": "Kabar yang belum terverifikasi. " + ILLUSTRATIVE,
        },
        {
            "metric": "jobs",
            "value": 50_000,
            "value_high": 100_000,
            "unit": "tenaga kerja lokal",
            "claimant": JDI,
            "source": PRESS,
            "claimed_on": date(2025, 9, 16),
            "notes": "3-7 kali angka 100 pekerja/ha pada 150 ha (15.000). " + ILLUSTRATIVE,
        },
    ],
    "permits": [
        {
            "code": "NIB",
            "status": "issued",
            "submitted_on": date(2025, 2, 3),
            "decided_on": date(2025, 2, 3),
            "notes": "Diterbitkan oleh pusat. " + ILLUSTRATIVE,
        },
        {
            "code": "KKPR",
            "status": "issued",
            "submitted_on": date(2025, 2, 10),
            "decided_on": date(2025, 3, 24),
            "notes": "Diterbitkan oleh pusat. " + ILLUSTRATIVE,
        },
        {
            "code": "PERTEK",
            "status": "issued",
            "submitted_on": date(2025, 4, 7),
            "decided_on": date(2025, 5, 26),
            "notes": "Tidak disebut media; dicatat terbit karena penilaian AMDAL memerlukannya. " + ILLUSTRATIVE,
        },
        {
            "code": "AMDAL",
            "status": "under_review",
            "submitted_on": date(2025, 6, 30),
            "notes": "Dalam penilaian di Kementerian Lingkungan Hidup (PP 28/2025 Pasal 138(4)). " + ILLUSTRATIVE,
        },
    ],
}

# Where the demo's estates sit on the map: the approximate centre of each kecamatan (latitude, longitude), to
# four decimals; not surveyed boundaries. Sawah Luhur (Kasemen) is the reference case's kelurahan.
KECAMATAN_POINTS = {
    "Sawah Luhur": ("-6.0300", "106.1700"),
    "Ciwandan": ("-6.0350", "105.9700"),
    "Bojonegara": ("-5.9550", "106.0700"),
    "Pasar Kemis": ("-6.1700", "106.5300"),
    "Rangkasbitung": ("-6.3600", "106.2500"),
    "Labuan": ("-6.3800", "105.8300"),
    "Cikupa": ("-6.2300", "106.5100"),
    "Ciruas": ("-6.1100", "106.2300"),
    "Walantaka": ("-6.1400", "106.2000"),
    "Setu": ("-6.3400", "106.6800"),
    "Neglasari": ("-6.1300", "106.6300"),
    "Anyar": ("-6.1000", "105.9000"),
    "Malingping": ("-6.7800", "106.0200"),
    "Balaraja": ("-6.2000", "106.4500"),
}

# Fictional investors: (legal name, form, capital, country, estate name, BPS code, kecamatan, area ha,
# investment in rupiah, estate status, furthest permit reached).
FICTIONAL = [
    (
        "PT Cahaya Logam Nusantara",
        "pt",
        "pmdn",
        "ID",
        "Kawasan Industri Cahaya Cilegon",
        "36.72",
        "Ciwandan",
        "220",
        2_400_000_000_000,
        "operating",
        "SLF",
    ),
    (
        "PT Sinar Pesisir Industri",
        "pt",
        "pma",
        "JP",
        "Kawasan Industri Pesisir Bojonegara",
        "36.04",
        "Bojonegara",
        "310",
        3_100_000_000_000,
        "under_construction",
        "PBG",
    ),
    (
        "PT Agro Park Pasar Kemis",
        "pt",
        "pmdn",
        "ID",
        "Kawasan Industri Agro Pasar Kemis",
        "36.03",
        "Pasar Kemis",
        "120",
        850_000_000_000,
        "permitting",
        "AMDAL-returned",
    ),
    (
        "PT Lebak Hijau Manufaktur",
        "pt",
        "pma",
        "KR",
        "Kawasan Industri Rangkasbitung Hijau",
        "36.02",
        "Rangkasbitung",
        "95",
        410_000_000_000,
        "planned",
        "NIB",
    ),
    (
        "PT Maritim Labuan Sejahtera",
        "pt",
        "pmdn",
        "ID",
        "Kawasan Industri Maritim Labuan",
        "36.01",
        "Labuan",
        "60",
        275_000_000_000,
        "permitting",
        "KKPR-review",
    ),
    (
        "PT Bumi Tekstil Cikupa",
        "pt",
        "pma",
        "TW",
        "Kawasan Industri Tekstil Cikupa",
        "36.03",
        "Cikupa",
        "140",
        1_050_000_000_000,
        "operating",
        "SLF",
    ),
    (
        "PT Prakarsa Daerah Ciruas",
        "bumd",
        "pmdn",
        "ID",
        "Kawasan Industri Terpadu Ciruas",
        "36.04",
        "Ciruas",
        "80",
        500_000_000_000,
        "permitting",
        "PERTEK-review",
    ),
    (
        "Koperasi Industri Kecil Serang Raya",
        "koperasi",
        "pmdn",
        "ID",
        "Sentra Industri Kecil Walantaka",
        "36.73",
        "Walantaka",
        "52",
        45_000_000_000,
        "permitting",
        "PBG-rejected",
    ),
    (
        "PT Serpong Digital Park",
        "pt",
        "pma",
        "SG",
        "Kawasan Teknologi Serpong Selatan",
        "36.74",
        "Setu",
        "55",
        1_600_000_000_000,
        "under_construction",
        "PBG",
    ),
    (
        "PT Logistik Bandara Terpadu",
        "pt",
        "pmdn",
        "ID",
        "Kawasan Industri Logistik Neglasari",
        "36.71",
        "Neglasari",
        "70",
        920_000_000_000,
        "permitting",
        "IUKI-review",
    ),
    (
        "PT Anyer Kimia Lestari",
        "pt",
        "pma",
        "DE",
        "Kawasan Industri Kimia Anyer",
        "36.04",
        "Anyar",
        "180",
        4_200_000_000_000,
        "permitting",
        "AMDAL-review",
    ),
    (
        "PT Energi Hijau Malingping",
        "pt",
        "pma",
        "CN",
        "Kawasan Industri Energi Malingping",
        "36.02",
        "Malingping",
        "110",
        780_000_000_000,
        "stopped",
        "KKPR",
    ),
    (
        "PT Komponen Otomotif Balaraja",
        "pt",
        "pma",
        "TH",
        "Kawasan Industri Balaraja Barat",
        "36.03",
        "Balaraja",
        "260",
        2_800_000_000_000,
        "operating",
        "SLF",
    ),
]

DEMO_PASSWORD = "pantau-demo"  # noqa: S105 - published demo accounts, refused under the production config
# (e-mail, name, role, investor legal name or None, region BPS code or None)
DEMO_ACCOUNTS = [
    ("admin@pantau.test", "Admin Pantau", "administrator", None, None),
    ("petugas@pantau.test", "Petugas DPMPTSP Provinsi", "officer", None, None),
    ("petugas.serang@pantau.test", "Petugas DPMPTSP Kota Serang", "officer", None, "36.73"),
    ("gubernur@pantau.test", "Biro Ekonomi Setda Banten", "governor", None, None),
    ("jdi@pantau.test", "Staf Perizinan PT Jaya Dinasti Indonesia", "investor", JDI, None),
    ("investor@pantau.test", "Staf Perizinan PT Agro Park Pasar Kemis", "investor", "PT Agro Park Pasar Kemis", None),
]
