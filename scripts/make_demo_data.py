"""Generate the seeded multi-source demo sample shipped in ``goldenrec._demo``.

The sample simulates three systems that each hold a partial, messy view of the same
customers:

* ``crm.csv``      -- structured CRM export (ISO dates, separate address fields),
* ``webshop.csv``  -- web shop accounts (day-first dates, one-line local-style address),
* ``support.csv``  -- help-desk contacts (single free-text name, month-first dates),
* ``truth.csv``    -- the answer key mapping every record to its real person.

About 300 people from GB, US, DE, LV, IL, JP and CN are generated, each with a
country-matching name pool (including Hebrew, Japanese and Chinese scripts), and
copied into one to three sources with realistic noise: typos, nicknames, case and
whitespace variation, dropped diacritics, changed e-mails/phones/addresses,
placeholders and invalid values.

The generator only uses the standard library and ``phonenumbers`` and draws every
random choice from ``random.Random(SEED)``, so running::

    python scripts/make_demo_data.py [--out-dir DIR]

rewrites the CSV files byte-identically every time (for a given ``phonenumbers``
version, whose metadata drives phone validity and formatting).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

SEED = 20261122
DEFAULT_OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "goldenrec" / "_demo"

SOURCES: tuple[str, ...] = ("crm", "webshop", "support")
HEADERS: dict[str, tuple[str, ...]] = {
    "crm": (
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "street",
        "city",
        "postcode",
        "country",
        "updated_at",
    ),
    "webshop": (
        "customer_no",
        "given_name",
        "surname",
        "e_mail",
        "mobile",
        "dob",
        "address",
        "zip",
        "town",
        "country",
        "updated_at",
    ),
    "support": ("contact_id", "name", "email", "phone", "birthday", "country", "updated_at"),
}
TRUTH_HEADER: tuple[str, ...] = ("source", "record_key", "person_id")

# People per country (sum = 300) and how many sources each person appears in.
COUNTRY_COUNTS: tuple[tuple[str, int], ...] = (
    ("GB", 55),
    ("US", 55),
    ("DE", 55),
    ("LV", 45),
    ("IL", 35),
    ("JP", 30),
    ("CN", 25),
)
SOURCE_COUNT_SHARES: tuple[tuple[int, float], ...] = ((1, 0.45), (2, 0.35), (3, 0.20))
WITHIN_SOURCE_DUP_SHARE = 0.05
NATIVE_SCRIPT_SHARE = {"IL": 0.6, "JP": 0.6, "CN": 0.6}

# A romanised name: (native script, romanisation, alternative romanisations).
Romanized = tuple[str, str, tuple[str, ...]]

# --------------------------------------------------------------------------- name pools

EN_MALE: tuple[str, ...] = (
    "Robert",
    "William",
    "James",
    "Michael",
    "Thomas",
    "John",
    "David",
    "Richard",
    "Charles",
    "Daniel",
    "Matthew",
    "Christopher",
    "Joseph",
    "Edward",
    "Andrew",
    "Steven",
    "Anthony",
    "Paul",
    "George",
    "Peter",
)
EN_FEMALE: tuple[str, ...] = (
    "Elizabeth",
    "Katherine",
    "Margaret",
    "Jennifer",
    "Patricia",
    "Susan",
    "Sarah",
    "Jessica",
    "Emily",
    "Rebecca",
    "Victoria",
    "Alexandra",
    "Deborah",
    "Samantha",
    "Olivia",
    "Emma",
    "Charlotte",
    "Mary",
    "Linda",
    "Rachel",
)
EN_LAST: tuple[str, ...] = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Taylor",
    "Davies",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Clarke",
    "Jackson",
    "Miller",
    "Davis",
    "Garcia",
    "Anderson",
    "Martin",
    "Lee",
    "O'Brien",
    "McDonald",
)
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will"),
    "James": ("Jim", "Jimmy"),
    "Michael": ("Mike",),
    "Thomas": ("Tom", "Tommy"),
    "Richard": ("Rick", "Dick"),
    "Charles": ("Charlie", "Chuck"),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Christopher": ("Chris",),
    "Joseph": ("Joe",),
    "Edward": ("Ed", "Ted"),
    "Andrew": ("Andy",),
    "Steven": ("Steve",),
    "Anthony": ("Tony",),
    "John": ("Johnny",),
    "David": ("Dave",),
    "Peter": ("Pete",),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Margaret": ("Maggie", "Peggy"),
    "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Trish"),
    "Susan": ("Sue",),
    "Jessica": ("Jess",),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky",),
    "Alexandra": ("Alex",),
    "Deborah": ("Debbie",),
    "Samantha": ("Sam",),
}

DE_MALE: tuple[str, ...] = (
    "Jürgen",
    "Klaus",
    "Stefan",
    "Thomas",
    "Michael",
    "Andreas",
    "Jörg",
    "Uwe",
    "Matthias",
    "Günter",
    "Lukas",
    "Felix",
    "Björn",
    "Sören",
)
DE_FEMALE: tuple[str, ...] = (
    "Anna",
    "Sabine",
    "Ursula",
    "Katrin",
    "Monika",
    "Birgit",
    "Sophie",
    "Hannah",
    "Bärbel",
    "Käthe",
    "Lena",
    "Jördis",
    "Müge",
    "Julia",
)
DE_LAST: tuple[str, ...] = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Weiß",
    "Schäfer",
    "Köhler",
    "Krüger",
    "Groß",
    "Jäger",
    "Böhm",
    "Koch",
    "Wolf",
    "Günther",
    "Schröder",
    "Braun",
)

LV_MALE: tuple[str, ...] = (
    "Jānis",
    "Andris",
    "Mārtiņš",
    "Pēteris",
    "Kārlis",
    "Edgars",
    "Gatis",
    "Roberts",
    "Juris",
    "Aivars",
    "Uldis",
    "Krišjānis",
)
LV_FEMALE: tuple[str, ...] = (
    "Anna",
    "Līga",
    "Ilze",
    "Kristīne",
    "Inese",
    "Dace",
    "Zane",
    "Laura",
    "Ieva",
    "Māra",
    "Agnese",
    "Baiba",
)
# (masculine, feminine) surname forms.
LV_LAST: tuple[tuple[str, str], ...] = (
    ("Bērziņš", "Bērziņa"),
    ("Kalniņš", "Kalniņa"),
    ("Ozoliņš", "Ozoliņa"),
    ("Jansons", "Jansone"),
    ("Liepiņš", "Liepiņa"),
    ("Krūmiņš", "Krūmiņa"),
    ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"),
    ("Vītols", "Vītola"),
    ("Kļaviņš", "Kļaviņa"),
    ("Ozols", "Ozola"),
    ("Eglītis", "Eglīte"),
)

IL_MALE: tuple[Romanized, ...] = (
    ("דוד", "David", ()),
    ("משה", "Moshe", ("Moshik",)),
    ("יוסף", "Yosef", ("Yossi", "Joseph")),
    ("אברהם", "Avraham", ("Avi", "Abraham")),
    ("יעקב", "Yaakov", ("Yakov", "Jacob")),
    ("דניאל", "Daniel", ("Dani",)),
    ("איתי", "Itai", ("Itay",)),
    ("נועם", "Noam", ()),
    ("אורי", "Uri", ("Ori",)),
    ("עמית", "Amit", ()),
)
IL_FEMALE: tuple[Romanized, ...] = (
    ("שרה", "Sarah", ("Sara",)),
    ("רחל", "Rachel", ("Rahel",)),
    ("מיכל", "Michal", ()),
    ("נועה", "Noa", ("Noah",)),
    ("תמר", "Tamar", ()),
    ("יעל", "Yael", ("Jael",)),
    ("אסתר", "Esther", ("Ester",)),
    ("רבקה", "Rivka", ("Rebecca",)),
    ("שירה", "Shira", ()),
    ("מאיה", "Maya", ("Maia",)),
)
IL_LAST: tuple[Romanized, ...] = (
    ("כהן", "Cohen", ("Kohen", "Cohn")),
    ("לוי", "Levi", ("Levy",)),
    ("מזרחי", "Mizrahi", ("Mizrachi",)),
    ("פרץ", "Peretz", ("Perez",)),
    ("ביטון", "Biton", ("Bitton",)),
    ("דהן", "Dahan", ()),
    ("אברהם", "Avraham", ()),
    ("פרידמן", "Friedman", ("Fridman",)),
    ("שפירא", "Shapira", ("Shapiro",)),
    ("גולדברג", "Goldberg", ()),
    ("אזולאי", "Azulay", ("Azoulay",)),
    ("כץ", "Katz", ("Kats",)),
)

JP_LAST: tuple[Romanized, ...] = (
    ("山田", "Yamada", ()),
    ("佐藤", "Sato", ("Satou", "Satoh")),
    ("鈴木", "Suzuki", ()),
    ("高橋", "Takahashi", ()),
    ("田中", "Tanaka", ()),
    ("伊藤", "Ito", ("Itou", "Itoh")),
    ("渡辺", "Watanabe", ()),
    ("中村", "Nakamura", ()),
    ("小林", "Kobayashi", ()),
    ("加藤", "Kato", ("Katou", "Katoh")),
    ("大野", "Ono", ("Ohno", "Oono")),
)
JP_MALE: tuple[Romanized, ...] = (
    ("太郎", "Taro", ("Tarou", "Tarō")),
    ("健太", "Kenta", ()),
    ("翔太", "Shota", ("Shouta",)),
    ("大輔", "Daisuke", ()),
    ("浩", "Hiroshi", ()),
    ("誠", "Makoto", ()),
    ("拓也", "Takuya", ()),
    ("直樹", "Naoki", ()),
    ("雄一", "Yuichi", ("Yuuichi",)),
)
JP_FEMALE: tuple[Romanized, ...] = (
    ("花子", "Hanako", ()),
    ("陽子", "Yoko", ("Youko", "Yōko")),
    ("美咲", "Misaki", ()),
    ("由美", "Yumi", ()),
    ("恵子", "Keiko", ()),
    ("愛", "Ai", ()),
    ("さくら", "Sakura", ()),
    ("真由美", "Mayumi", ()),
    ("ゆり", "Yuri", ()),
)

CN_LAST: tuple[Romanized, ...] = (
    ("王", "Wang", ()),
    ("李", "Li", ("Lee",)),
    ("张", "Zhang", ("Chang",)),
    ("刘", "Liu", ()),
    ("陈", "Chen", ("Chan",)),
    ("杨", "Yang", ()),
    ("黄", "Huang", ()),
    ("赵", "Zhao", ()),
    ("吴", "Wu", ()),
    ("周", "Zhou", ("Chou",)),
)
CN_MALE: tuple[Romanized, ...] = (
    ("伟", "Wei", ()),
    ("强", "Qiang", ()),
    ("磊", "Lei", ()),
    ("军", "Jun", ()),
    ("志强", "Zhiqiang", ("Zhi Qiang", "Zhi-Qiang")),
    ("建华", "Jianhua", ("Jian Hua",)),
    ("浩然", "Haoran", ("Hao Ran",)),
    ("子轩", "Zixuan", ("Zi Xuan",)),
)
CN_FEMALE: tuple[Romanized, ...] = (
    ("芳", "Fang", ()),
    ("娜", "Na", ()),
    ("静", "Jing", ()),
    ("秀英", "Xiuying", ("Xiu Ying", "Xiu-Ying")),
    ("丽", "Li", ()),
    ("敏", "Min", ()),
    ("婷婷", "Tingting", ("Ting Ting",)),
    ("雪", "Xue", ()),
)

ROMANIZED_POOLS: dict[str, tuple[Sequence[Romanized], Sequence[Romanized], Sequence[Romanized]]] = {
    "IL": (IL_MALE, IL_FEMALE, IL_LAST),
    "JP": (JP_MALE, JP_FEMALE, JP_LAST),
    "CN": (CN_MALE, CN_FEMALE, CN_LAST),
}

# Distinct people who share a name: (country, script, gender, first, last, how many).
SHARED_NAMES: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("GB", "latin", "m", "John", "Smith", 2),
    ("US", "latin", "m", "John", "Smith", 1),
    ("US", "latin", "f", "Mary", "Johnson", 2),
    ("DE", "latin", "f", "Anna", "Müller", 2),
    ("LV", "latin", "m", "Jānis", "Bērziņš", 2),
    ("IL", "hebrew", "m", "דוד", "כהן", 2),
    ("CN", "cjk", "m", "伟", "王", 2),
)

TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "GB": {"m": ("Mr.", "Mr", "Dr."), "f": ("Mrs.", "Ms.", "Ms", "Dr.")},
    "US": {"m": ("Mr.", "Dr."), "f": ("Mrs.", "Ms.", "Dr.")},
    "DE": {"m": ("Herr", "Dr.", "Herr Dr."), "f": ("Frau", "Dr.", "Frau Dr.")},
    "LV": {"m": ("Dr.",), "f": ("Dr.",)},
    "IL": {"m": ("Mr.", "Dr."), "f": ("Ms.", "Dr.")},
    "JP": {"m": ("Mr.",), "f": ("Ms.",)},
    "CN": {"m": ("Mr.", "Dr."), "f": ("Ms.", "Dr.")},
}

# --------------------------------------------------------------------------- e-mail pools

EMAIL_DOMAINS: dict[str, tuple[str, ...]] = {
    "GB": ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk"),
    "US": ("gmail.com", "yahoo.com", "outlook.com", "aol.com", "icloud.com"),
    "DE": ("gmx.de", "web.de", "gmail.com", "t-online.de"),
    "LV": ("inbox.lv", "gmail.com", "apollo.lv"),
    "IL": ("gmail.com", "walla.co.il", "012.net.il"),
    "JP": ("yahoo.co.jp", "gmail.com", "docomo.ne.jp"),
    "CN": ("qq.com", "163.com", "126.com", "gmail.com"),
}
WORK_DOMAINS: tuple[str, ...] = ("acme-corp.com", "globex.example", "initech.io", "example.org")

# --------------------------------------------------------------------------- address pools

STREET_ABBR: dict[str, str] = {
    "Street": "St",
    "Road": "Rd",
    "Lane": "Ln",
    "Avenue": "Ave",
    "Drive": "Dr",
    "Boulevard": "Blvd",
    "Place": "Pl",
}
GB_STREETS: tuple[tuple[str, str], ...] = (
    ("Baker", "Street"),
    ("High", "Street"),
    ("Church", "Road"),
    ("Station", "Road"),
    ("Victoria", "Road"),
    ("Park", "Lane"),
    ("Mill", "Lane"),
    ("King", "Street"),
    ("Green", "Lane"),
    ("Queen's", "Road"),
    ("Albert", "Avenue"),
    ("Manor", "Road"),
)
GB_CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("London", ("SW1A", "NW1", "E1", "W1D", "SE1", "N1", "EC1V")),
    ("Manchester", ("M1", "M4", "M14")),
    ("Birmingham", ("B1", "B15")),
    ("Leeds", ("LS1", "LS6")),
    ("Bristol", ("BS1", "BS8")),
    ("Edinburgh", ("EH1", "EH3")),
    ("Glasgow", ("G1", "G12")),
    ("Liverpool", ("L1", "L17")),
    ("Cardiff", ("CF10", "CF24")),
    ("Oxford", ("OX1", "OX4")),
)
GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

US_STREETS: tuple[tuple[str, str], ...] = (
    ("Main", "Street"),
    ("Oak", "Avenue"),
    ("Maple", "Drive"),
    ("Elm", "Street"),
    ("Washington", "Boulevard"),
    ("Park", "Avenue"),
    ("Lake", "Road"),
    ("Cedar", "Lane"),
    ("Sunset", "Boulevard"),
    ("Pine", "Street"),
    ("Lincoln", "Place"),
    ("Highland", "Avenue"),
)
US_CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("New York", "100", ("NYC", "New York City")),
    ("Los Angeles", "900", ("LA",)),
    ("Chicago", "606", ()),
    ("Houston", "770", ()),
    ("Boston", "021", ()),
    ("Seattle", "981", ()),
    ("San Francisco", "941", ("SF",)),
    ("Austin", "787", ()),
    ("Denver", "802", ()),
    ("Miami", "331", ()),
)

DE_STREETS: tuple[str, ...] = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Schillerstraße",
    "Goethestraße",
    "Bergstraße",
    "Mozartstraße",
    "Friedrichstraße",
    "Gartenweg",
    "Lindenallee",
    "Am Markt",
    "Kirchplatz",
    "Schloßallee",
    "Weißdornweg",
    "Königstraße",
)
DE_CITIES: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("Berlin", 10115, 14199, ()),
    ("München", 80331, 81929, ("Muenchen", "Munich")),
    ("Hamburg", 20095, 22769, ()),
    ("Köln", 50667, 51149, ("Koeln", "Cologne")),
    ("Frankfurt am Main", 60311, 60599, ("Frankfurt", "Frankfurt a.M.")),
    ("Stuttgart", 70173, 70629, ()),
    ("Düsseldorf", 40210, 40629, ("Duesseldorf",)),
    ("Leipzig", 4103, 4357, ()),
    ("Dresden", 1067, 1328, ()),
    ("Nürnberg", 90402, 90491, ("Nuernberg", "Nuremberg")),
)

LV_STREETS: tuple[str, ...] = (
    "Brīvības iela",
    "Elizabetes iela",
    "Tērbatas iela",
    "Krišjāņa Barona iela",
    "Dzirnavu iela",
    "Ģertrūdes iela",
    "Lāčplēša iela",
    "Maskavas iela",
    "Raiņa bulvāris",
    "Kalnciema iela",
    "Krišjāņa Valdemāra iela",
    "Miera iela",
)
LV_STREET_ABBR: dict[str, str] = {
    "Krišjāņa Barona iela": "K. Barona iela",
    "Krišjāņa Valdemāra iela": "K. Valdemāra iela",
    "Raiņa bulvāris": "Raiņa bulv.",
}
LV_CITIES: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("Rīga", 1001, 1084, ("Riga",)),
    ("Daugavpils", 5401, 5422, ()),
    ("Liepāja", 3401, 3414, ("Liepaja",)),
    ("Jelgava", 3001, 3008, ()),
    ("Jūrmala", 2010, 2015, ("Jurmala",)),
    ("Ventspils", 3601, 3605, ()),
)

# (latin name, latin kind, hebrew name)
IL_STREETS: tuple[tuple[str, str, str], ...] = (
    ("Herzl", "St", "הרצל"),
    ("Dizengoff", "St", "דיזנגוף"),
    ("Ben Yehuda", "St", "בן יהודה"),
    ("Jabotinsky", "St", "ז'בוטינסקי"),
    ("Allenby", "St", "אלנבי"),
    ("King George", "St", "המלך ג'ורג'"),
    ("Weizmann", "St", "ויצמן"),
    ("Rothschild", "Blvd", "שדרות רוטשילד"),
)
# (latin city, hebrew city, postcode prefix, latin alternatives)
IL_CITIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Tel Aviv", "תל אביב", "6", ("Tel Aviv-Yafo", "Tel-Aviv")),
    ("Jerusalem", "ירושלים", "9", ()),
    ("Haifa", "חיפה", "3", ()),
    ("Netanya", "נתניה", "42", ()),
    ("Be'er Sheva", "באר שבע", "84", ("Beersheba", "Beer Sheva")),
    ("Rishon LeZion", "ראשון לציון", "75", ("Rishon Lezion",)),
)

# (kanji city, romaji ward, postcode prefix, [(kanji area, romaji area)])
JP_CITIES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "東京都千代田区",
        "Chiyoda-ku, Tokyo",
        "100",
        (("丸の内", "Marunouchi"), ("大手町", "Otemachi"), ("有楽町", "Yurakucho")),
    ),
    (
        "東京都新宿区",
        "Shinjuku-ku, Tokyo",
        "160",
        (("西新宿", "Nishi-Shinjuku"), ("歌舞伎町", "Kabukicho")),
    ),
    ("大阪市北区", "Kita-ku, Osaka", "530", (("梅田", "Umeda"), ("中之島", "Nakanoshima"))),
    ("横浜市西区", "Nishi-ku, Yokohama", "220", (("みなとみらい", "Minatomirai"),)),
    ("名古屋市中区", "Naka-ku, Nagoya", "460", (("栄", "Sakae"), ("錦", "Nishiki"))),
    ("札幌市中央区", "Chuo-ku, Sapporo", "060", (("大通西", "Odori-nishi"),)),
    ("福岡市博多区", "Hakata-ku, Fukuoka", "812", (("博多駅前", "Hakataekimae"),)),
)

# (hanzi road, pinyin road)
CN_STREETS: tuple[tuple[str, str], ...] = (
    ("建国路", "Jianguo"),
    ("南京路", "Nanjing"),
    ("人民路", "Renmin"),
    ("解放路", "Jiefang"),
    ("中山路", "Zhongshan"),
    ("长安街", "Chang'an"),
    ("和平路", "Heping"),
)
# (hanzi city, pinyin city, postcode prefix)
CN_CITIES: tuple[tuple[str, str, str], ...] = (
    ("北京", "Beijing", "100"),
    ("上海", "Shanghai", "200"),
    ("广州", "Guangzhou", "510"),
    ("深圳", "Shenzhen", "518"),
    ("成都", "Chengdu", "610"),
    ("杭州", "Hangzhou", "310"),
    ("武汉", "Wuhan", "430"),
)

# --------------------------------------------------------------------------- phone pools

# Per region: national-significant-number prefixes and the number of random digits after them.
PHONE_PLANS: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    "GB": ((("74", "75", "77", "78", "79"), 8),),
    "US": ((("212", "415", "312", "617", "206", "305", "512", "303", "713", "310"), 7),),
    "DE": ((("151", "152", "157", "159", "176"), 8), (("30",), 8)),
    "LV": ((("2",), 7),),
    "IL": ((("50", "52", "53", "54", "58"), 7),),
    "JP": ((("90", "80", "70"), 8),),
    "CN": ((("130", "135", "138", "150", "158", "186", "189"), 8),),
}

REAL_PHONE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)

HEBREW_LETTERS = "אבגדהוזחטיכלמנסעפצקרשת"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
DE_TRANSLIT = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}

UPDATED_MIN = dt.datetime(2023, 1, 1)
UPDATED_MAX = dt.datetime(2026, 11, 1)
DOB_MIN = dt.date(1940, 1, 1)
DOB_MAX = dt.date(2005, 12, 31)
DOB_FORMATS = {"crm": "%Y-%m-%d", "webshop": "%d.%m.%Y", "support": "%m/%d/%Y"}


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Address:
    """One postal address with the ways a source may write its parts."""

    line: str
    city: str
    postcode: str
    line_alts: tuple[str, ...] = ()
    city_alts: tuple[str, ...] = ()
    postcode_alts: tuple[str, ...] = ()


@dataclass
class Person:
    """The ground-truth person behind one or more source records."""

    person_id: str
    country: str
    gender: str
    script: str  # "latin", "hebrew" or "cjk"
    first: str
    last: str
    latin_first: str  # romanised name, used for e-mail addresses
    latin_last: str
    first_alts: tuple[str, ...]  # alternative romanisations
    last_alts: tuple[str, ...]
    nicknames: tuple[str, ...]
    middle_initial: str
    dob: dt.date
    email: str
    phone: PhoneNumber
    address: Address
    alt_email: str = ""
    alt_phone: PhoneNumber | None = None
    alt_address: Address | None = None


@dataclass
class Record:
    """One row of one source, kept as logical fields until keys are assigned."""

    source: str
    person: Person
    updated: dt.datetime
    values: dict[str, str]
    key: str = ""


# --------------------------------------------------------------------------- small helpers


def strip_diacritics(text: str) -> str:
    """Drop combining marks (``Bērziņš`` -> ``Berzins``, ``Müller`` -> ``Muller``)."""
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def transliterate_de(text: str) -> str:
    """German-style transcription (``Müller`` -> ``Mueller``, ``Weiß`` -> ``Weiss``)."""
    return "".join(DE_TRANSLIT.get(ch, ch) for ch in text)


def ascii_slug(text: str, country: str) -> str:
    """Lower-case ASCII token suitable for an e-mail local part."""
    if country == "DE":
        text = transliterate_de(text)
    text = strip_diacritics(text).lower()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def weighted_choice(rng: Random, options: Sequence[tuple[str, float]]) -> str:
    """Pick one option according to its weight."""
    total = sum(weight for _, weight in options)
    point = rng.random() * total
    for value, weight in options:
        point -= weight
        if point < 0:
            return value
    return options[-1][0]


def pick_variant(rng: Random, canonical: str, alts: Sequence[str], p_alt: float) -> str:
    """Return ``canonical`` or, with probability ``p_alt``, one of ``alts``."""
    usable = [alt for alt in alts if alt != canonical]
    if usable and rng.random() < p_alt:
        return rng.choice(usable)
    return canonical


def typo(rng: Random, text: str, alphabet: str) -> str:
    """Apply one insert/delete/substitute/transpose edit (never on the first character)."""
    if len(text) < 3:
        return text
    op = rng.choice(("insert", "delete", "substitute", "transpose"))
    pos = rng.randrange(1, len(text) - 1)
    letter = rng.choice(alphabet)
    if text[pos].isupper():
        letter = letter.upper()
    if op == "insert":
        return text[:pos] + letter + text[pos:]
    if op == "delete":
        return text[:pos] + text[pos + 1 :]
    if op == "substitute":
        if letter.lower() == text[pos].lower():
            letter = alphabet[(alphabet.index(letter.lower()) + 1) % len(alphabet)]
        return text[:pos] + letter + text[pos + 1 :]
    if text[pos] == text[pos + 1]:
        return text[:pos] + text[pos + 1 :]
    return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]


def random_datetime(rng: Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """Uniform timestamp between ``start`` and ``end`` at one-second resolution."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(span))


# --------------------------------------------------------------------------- generators


def make_phone(rng: Random, region: str) -> PhoneNumber:
    """Draw a random number that ``phonenumbers`` considers valid for ``region``."""
    plans = PHONE_PLANS[region]
    country_code = phonenumbers.country_code_for_region(region)
    for _ in range(1000):
        prefixes, n_digits = rng.choice(plans)
        lead = rng.randint(2, 9) if region == "US" else rng.randint(1, 9)
        digits = str(lead) + "".join(str(rng.randrange(10)) for _ in range(n_digits - 1))
        if region == "US" and (digits[:3] == "555" or digits[1:3] == "11"):
            continue
        national = int(rng.choice(prefixes) + digits)
        number = PhoneNumber(country_code=country_code, national_number=national)
        if (
            phonenumbers.is_valid_number_for_region(number, region)
            and phonenumbers.number_type(number) in REAL_PHONE_TYPES
        ):
            return number
    raise RuntimeError(f"could not draw a valid phone number for {region}")


def make_email(rng: Random, first: str, last: str, country: str, used: set[str]) -> str:
    """Derive a unique e-mail address from the romanised name."""
    f, ln = ascii_slug(first, country), ascii_slug(last, country)
    domain = rng.choice(EMAIL_DOMAINS[country])
    if domain in ("qq.com", "163.com") and rng.random() < 0.5:
        local = str(rng.randint(10_000_000, 2_999_999_999))
    else:
        local = weighted_choice(
            rng,
            (
                (f"{f}.{ln}", 4),
                (f"{f[0]}{ln}", 2),
                (f"{f}{ln}", 1.5),
                (f"{f}_{ln}", 1),
                (f"{ln}.{f}", 1),
                (f"{f}.{ln}{rng.randint(1, 99)}", 1.5),
                (f"{f}{rng.randint(1940, 2005)}", 1),
            ),
        )
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rng.randint(2, 999)}@{domain}"
    used.add(email)
    return email


def make_work_email(rng: Random, first: str, last: str, country: str, used: set[str]) -> str:
    """A second, different address (new job or new provider)."""
    if rng.random() < 0.5:
        f, ln = ascii_slug(first, country), ascii_slug(last, country)
        email = f"{f}.{ln}@{rng.choice(WORK_DOMAINS)}"
        if email not in used:
            used.add(email)
            return email
    return make_email(rng, first, last, country, used)


def _address_gb(rng: Random, native: bool) -> Address:
    name, kind = rng.choice(GB_STREETS)
    num = rng.randint(1, 220)
    city, outward = rng.choice(GB_CITIES)
    letters = rng.choice(GB_INWARD_LETTERS) + rng.choice(GB_INWARD_LETTERS)
    postcode = f"{rng.choice(outward)} {rng.randint(0, 9)}{letters}"
    line = f"{num} {name} {kind}"
    alts = [f"{num} {name} {STREET_ABBR[kind]}", f"{num} {name} {STREET_ABBR[kind]}."]
    if rng.random() < 0.15:
        alts.append(line)
        line = f"Flat {rng.randint(1, 30)}, {line}"
    return Address(
        line,
        city,
        postcode,
        tuple(alts),
        (city.upper(),),
        (postcode.replace(" ", ""), postcode.lower()),
    )


def _address_us(rng: Random, native: bool) -> Address:
    name, kind = rng.choice(US_STREETS)
    num = rng.randint(1, 9999)
    city, zip_prefix, city_alts = rng.choice(US_CITIES)
    postcode = f"{zip_prefix}{rng.randint(1, 99):02d}"
    line = f"{num} {name} {kind}"
    short = f"{num} {name} {STREET_ABBR[kind]}"
    alts: tuple[str, ...] = (short, f"{short}.")
    if rng.random() < 0.25:
        apt = f"{rng.randint(1, 40)}{rng.choice('ABCD')}"
        alts = (f"{short} #{apt}", f"{short} Apt {apt}", line)
        line = f"{line}, Apt {apt}"
    return Address(
        line, city, postcode, alts, city_alts, (f"{postcode}-{rng.randint(1000, 9999)}",)
    )


def _address_de(rng: Random, native: bool) -> Address:
    street = rng.choice(DE_STREETS)
    num = f"{rng.randint(1, 120)}{'a' if rng.random() < 0.1 else ''}"
    city, lo, hi, city_alts = rng.choice(DE_CITIES)
    postcode = f"{rng.randint(lo, hi):05d}"
    abbr = street.replace("straße", "str.").replace("Straße", "Str.")
    alts = (f"{abbr} {num}", f"{street.replace('ß', 'ss')} {num}", f"{abbr}{num}")
    return Address(f"{street} {num}", city, postcode, alts, city_alts, (f"D-{postcode}",))


def _address_lv(rng: Random, native: bool) -> Address:
    street = rng.choice(LV_STREETS)
    num = rng.randint(1, 150)
    city, lo, hi, city_alts = rng.choice(LV_CITIES)
    code = rng.randint(lo, hi)
    short = LV_STREET_ABBR.get(street, street)
    if rng.random() < 0.5:
        apt = rng.randint(1, 60)
        line = f"{street} {num}-{apt}"
        alts = (f"{short} {num}-{apt}", f"{street} {num} dz. {apt}")
    else:
        line = f"{street} {num}"
        alts = (f"{short} {num}", f"{street.removesuffix(' iela')} {num}")
    return Address(line, city, f"LV-{code}", alts, city_alts, (f"LV{code}", str(code)))


def _address_il(rng: Random, native: bool) -> Address:
    lat, kind, heb = rng.choice(IL_STREETS)
    num = rng.randint(1, 180)
    city, heb_city, prefix, city_alts = rng.choice(IL_CITIES)
    postcode = prefix + "".join(str(rng.randrange(10)) for _ in range(7 - len(prefix)))
    if native:
        heb_alts = (f"רחוב {heb} {num}",) if kind == "St" else (f"{heb}, {num}",)
        return Address(f"{heb} {num}", heb_city, postcode, heb_alts, (city,))
    full = "Street" if kind == "St" else "Boulevard"
    alts = (f"{num} {lat} {full}", f"{lat} {num}")
    return Address(f"{lat} {kind} {num}", city, postcode, alts, city_alts)


def _address_jp(rng: Random, native: bool) -> Address:
    city, ward, prefix, areas = rng.choice(JP_CITIES)
    area, area_latin = rng.choice(areas)
    a, b, c = rng.randint(1, 9), rng.randint(1, 20), rng.randint(1, 30)
    postcode = f"{prefix}-{rng.randint(1, 99):04d}"
    pc_alts = (postcode.replace("-", ""), f"〒{postcode}")
    if native:
        alts = (f"{area}{a}丁目{b}-{c}", f"{area}{a}-{b}-{c}号")
        return Address(f"{area}{a}-{b}-{c}", city, postcode, alts, (), pc_alts)
    city_alts = (ward.replace("-ku", ""), ward.split(", ")[1])
    return Address(
        f"{a}-{b}-{c} {area_latin}",
        ward,
        postcode,
        (f"{area_latin} {a}-{b}-{c}",),
        city_alts,
        pc_alts,
    )


def _address_cn(rng: Random, native: bool) -> Address:
    road, road_latin = rng.choice(CN_STREETS)
    num = rng.randint(1, 300)
    city, city_latin, prefix = rng.choice(CN_CITIES)
    postcode = f"{prefix}{rng.randint(0, 999):03d}"
    if native:
        return Address(f"{road}{num}号", f"{city}市", postcode, (f"{road}{num}",), (city,))
    kind = "Street" if road.endswith("街") else "Road"
    alts = (f"No. {num} {road_latin} {STREET_ABBR[kind]}", f"{road_latin} {kind} {num}")
    return Address(f"{num} {road_latin} {kind}", city_latin, postcode, alts, (city_latin.upper(),))


ADDRESS_MAKERS: dict[str, Callable[[Random, bool], Address]] = {
    "GB": _address_gb,
    "US": _address_us,
    "DE": _address_de,
    "LV": _address_lv,
    "IL": _address_il,
    "JP": _address_jp,
    "CN": _address_cn,
}


def make_address(rng: Random, country: str, native: bool) -> Address:
    """A plausible address for ``country`` (native-script for Hebrew/CJK people)."""
    return ADDRESS_MAKERS[country](rng, native)


def make_person(
    rng: Random,
    person_id: str,
    country: str,
    used_emails: set[str],
    forced: tuple[str, str, str, str] | None = None,
) -> Person:
    """Create one ground-truth person; ``forced`` = (script, gender, first, last)."""
    gender = forced[1] if forced else rng.choice("mf")
    first_alts: tuple[str, ...] = ()
    last_alts: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()
    if country in ROMANIZED_POOLS:
        male, female, lasts = ROMANIZED_POOLS[country]
        if forced:
            script = forced[0]
            first_entry = next(e for e in (*male, *female) if forced[2] in (e[0], e[1]))
            last_entry = next(e for e in lasts if forced[3] in (e[0], e[1]))
        else:
            script = "latin"
            if rng.random() < NATIVE_SCRIPT_SHARE[country]:
                script = "hebrew" if country == "IL" else "cjk"
            first_entry = rng.choice(male if gender == "m" else female)
            last_entry = rng.choice(lasts)
        latin_first, latin_last = first_entry[1], last_entry[1]
        if script == "latin":
            first, last = latin_first, latin_last
            first_alts, last_alts = first_entry[2], last_entry[2]
        else:
            first, last = first_entry[0], last_entry[0]
    else:
        script = "latin"
        if forced:
            first, last = forced[2], forced[3]
        elif country in ("GB", "US"):
            first = rng.choice(EN_MALE if gender == "m" else EN_FEMALE)
            last = rng.choice(EN_LAST)
        elif country == "DE":
            first = rng.choice(DE_MALE if gender == "m" else DE_FEMALE)
            last = rng.choice(DE_LAST)
        else:
            first = rng.choice(LV_MALE if gender == "m" else LV_FEMALE)
            last = rng.choice(LV_LAST)[0 if gender == "m" else 1]
        latin_first, latin_last = first, last
        nicknames = NICKNAMES.get(first, ()) if country in ("GB", "US") else ()
    middle = rng.choice("ABCDEFGHJKLMNPRSTW") if country == "US" and rng.random() < 0.3 else ""
    dob = DOB_MIN + dt.timedelta(days=rng.randrange((DOB_MAX - DOB_MIN).days + 1))
    email = make_email(rng, latin_first, latin_last, country, used_emails)
    return Person(
        person_id=person_id,
        country=country,
        gender=gender,
        script=script,
        first=first,
        last=last,
        latin_first=latin_first,
        latin_last=latin_last,
        first_alts=first_alts,
        last_alts=last_alts,
        nicknames=nicknames,
        middle_initial=middle,
        dob=dob,
        email=email,
        phone=make_phone(rng, country),
        address=make_address(rng, country, native=script != "latin"),
    )


# --------------------------------------------------------------------------- per-copy noise


def vary_name(rng: Random, person: Person, ascii_mode: str) -> tuple[str, str]:
    """First/last name as one source copy writes it."""
    first, last = person.first, person.last
    if person.nicknames and rng.random() < 0.25:
        first = rng.choice(person.nicknames)
    first = pick_variant(rng, first, person.first_alts, 0.25)
    last = pick_variant(rng, last, person.last_alts, 0.2)
    if ascii_mode == "translit":
        first, last = transliterate_de(first), transliterate_de(last)
    elif ascii_mode == "strip":
        first, last = strip_diacritics(first), strip_diacritics(last)
    if person.script != "cjk" and rng.random() < 0.15:
        alphabet = HEBREW_LETTERS if person.script == "hebrew" else LATIN_LETTERS
        if rng.random() < 0.6:
            last = typo(rng, last, alphabet)
        else:
            first = typo(rng, first, alphabet)
    if person.script == "latin":
        r = rng.random()
        if r < 0.05:
            first, last = first.upper(), last.upper()
        elif r < 0.08:
            first, last = first.lower(), last.lower()
        elif r < 0.11:
            last = last.upper()
    return first, last


def add_whitespace_noise(rng: Random, text: str) -> str:
    """Leading/trailing blanks or a doubled inner space."""
    if not text:
        return text
    choice = rng.randrange(3)
    if choice == 0:
        return f" {text}"
    if choice == 1:
        return f"{text}  "
    return text.replace(" ", "  ", 1) if " " in text else f"{text} "


def support_name(rng: Random, person: Person, first: str, last: str) -> str:
    """The single free-text name field of the support system."""
    if person.script == "cjk":
        sep = weighted_choice(rng, (("", 0.5), (" ", 0.4), ("\u3000", 0.1)))
        return f"{last}{sep}{first}"
    if person.script == "hebrew":
        return f"{first} {last}" if rng.random() < 0.75 else f"{last} {first}"
    if person.country in ("CN", "JP") and rng.random() < 0.4:
        family = last.upper() if person.country == "JP" and rng.random() < 0.5 else last
        return f"{family} {first}"
    if person.middle_initial and rng.random() < 0.5:
        first = f"{first} {person.middle_initial}."
    r = rng.random()
    if r < 0.18:
        return f"{last}, {first}"
    if r < 0.32:
        return f"{rng.choice(TITLES[person.country][person.gender])} {first} {last}"
    return f"{first} {last}"


def vary_email(rng: Random, email: str) -> str:
    """Missing or case-varied e-mail."""
    r = rng.random()
    if r < 0.05:
        return ""
    if r < 0.12:
        local, domain = email.split("@")
        local = ".".join(part.capitalize() for part in local.split("."))
        if rng.random() < 0.3:
            domain = domain.capitalize()
        return f"{local}@{domain}"
    if r < 0.15:
        return email.upper()
    return email


def format_phone(rng: Random, number: PhoneNumber, source: str) -> str:
    """Write a valid number the way a given source tends to."""
    if rng.random() < 0.07:
        return ""
    weights = {
        "crm": (("e164", 0.4), ("intl", 0.35), ("national", 0.25)),
        "webshop": (("intl", 0.3), ("national", 0.4), ("e164", 0.15), ("digits", 0.15)),
        "support": (("national", 0.4), ("intl", 0.3), ("e164", 0.1), ("custom", 0.2)),
    }[source]
    style = weighted_choice(rng, weights)
    if style == "e164":
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if style == "intl":
        return intl
    if style == "national":
        return national
    if style == "digits":
        return "".join(ch for ch in national if ch.isdigit())
    if number.country_code == 1:
        nsn = str(number.national_number)
        dashed = f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
        return dashed if rng.random() < 0.5 else f"+1-{dashed}"
    if number.country_code == 81:  # Japan dials 010, not 00, for international calls
        return phonenumbers.format_number(number, PhoneNumberFormat.RFC3966).removeprefix("tel:")
    return "00" + intl[1:]


def format_dob(rng: Random, dob: dt.date, source: str) -> str:
    """Source-specific date of birth, occasionally missing or with a one-digit typo."""
    r = rng.random()
    if r < 0.04:
        return ""
    fmt = DOB_FORMATS[source]
    text = dob.strftime(fmt)
    if r < 0.07:
        for _ in range(20):
            pos = rng.choice([i for i, ch in enumerate(text) if ch.isdigit()])
            digit = str((int(text[pos]) + rng.randint(1, 9)) % 10)
            candidate = text[:pos] + digit + text[pos + 1 :]
            try:
                parsed = dt.datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
            if 1930 <= parsed.year <= 2010:
                return candidate
    return text


def format_updated(moment: dt.datetime, source: str) -> str:
    """ISO-8601 timestamp in the source's own flavour."""
    if source == "crm":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if source == "webshop":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def make_record(
    rng: Random,
    person: Person,
    source: str,
    updated: dt.datetime,
    *,
    alt_email: bool,
    alt_phone: bool,
    alt_address: bool,
) -> Record:
    """One noisy copy of ``person`` as stored in ``source``."""
    ascii_mode = ""
    if person.country in ("DE", "LV") and rng.random() < 0.3:
        ascii_mode = "translit" if person.country == "DE" and rng.random() < 0.6 else "strip"
    first, last = vary_name(rng, person, ascii_mode)
    values: dict[str, str] = {}
    if source == "support":
        name = support_name(rng, person, first, last)
        values["name"] = add_whitespace_noise(rng, name) if rng.random() < 0.05 else name
    else:
        if person.script == "cjk" and source == "webshop" and rng.random() < 0.1:
            first, last = "", f"{last}{first}"
        elif person.script == "latin" and person.country in ("CN", "JP") and rng.random() < 0.1:
            first, last = last, first
        if rng.random() < 0.05:
            if rng.random() < 0.5:
                first = add_whitespace_noise(rng, first)
            else:
                last = add_whitespace_noise(rng, last)
        values["first"], values["last"] = first, last
    values["email"] = vary_email(rng, person.alt_email if alt_email else person.email)
    phone = person.alt_phone if alt_phone and person.alt_phone is not None else person.phone
    values["phone"] = format_phone(rng, phone, source)
    values["dob"] = format_dob(rng, person.dob, source)
    if source != "support":
        address = person.alt_address if alt_address and person.alt_address else person.address
        line = pick_variant(rng, address.line, address.line_alts, 0.3)
        city = pick_variant(rng, address.city, address.city_alts, 0.2)
        postcode = pick_variant(rng, address.postcode, address.postcode_alts, 0.15)
        if ascii_mode:
            line, city = strip_diacritics(line), strip_diacritics(city)
        if person.script == "latin" and rng.random() < 0.05:
            line = line.upper()
        values["street"] = "" if rng.random() < 0.02 else line
        values["city"] = "" if rng.random() < 0.03 else city
        values["postcode"] = "" if rng.random() < 0.04 else postcode
    values["country"] = "" if rng.random() < 0.07 else person.country
    values["updated_at"] = format_updated(updated, source)
    return Record(source=source, person=person, updated=updated, values=values)


# --------------------------------------------------------------------------- assembly


def choose_sources(rng: Random, n_sources: int) -> list[str]:
    """Which systems a person is known to."""
    if n_sources == 1:
        return [weighted_choice(rng, (("crm", 0.4), ("webshop", 0.35), ("support", 0.25)))]
    if n_sources == 2:
        pair = weighted_choice(
            rng,
            (
                ("crm webshop", 0.4),
                ("crm support", 0.3),
                ("webshop support", 0.3),
            ),
        )
        return pair.split()
    return list(SOURCES)


def build_people(rng: Random) -> list[Person]:
    """All ground-truth people, in random order, with ids ``P0001`` ..."""
    used_emails: set[str] = set()
    specs: list[tuple[str, tuple[str, str, str, str] | None]] = []
    for country, count in COUNTRY_COUNTS:
        forced = [
            (script, gender, first, last)
            for c, script, gender, first, last, n in SHARED_NAMES
            if c == country
            for _ in range(n)
        ]
        specs.extend((country, f) for f in forced)
        specs.extend((country, None) for _ in range(count - len(forced)))
    rng.shuffle(specs)
    return [
        make_person(rng, f"P{i:04d}", country, used_emails, forced)
        for i, (country, forced) in enumerate(specs, start=1)
    ]


def build_records(rng: Random, people: list[Person]) -> list[Record]:
    """Spread every person over 1-3 sources and render the noisy copies."""
    n_people = len(people)
    counts: list[int] = []
    for n_sources, share in SOURCE_COUNT_SHARES:
        counts.extend([n_sources] * round(n_people * share))
    counts = (counts + [1] * n_people)[:n_people]
    rng.shuffle(counts)
    dup_people = set(rng.sample(range(n_people), round(n_people * WITHIN_SOURCE_DUP_SHARE)))
    used_emails = {p.email for p in people}

    records: list[Record] = []
    for index, person in enumerate(people):
        sources = choose_sources(rng, counts[index])
        if index in dup_people:
            sources.append(rng.choice(sources))
        updated = [random_datetime(rng, UPDATED_MIN, UPDATED_MAX) for _ in sources]
        latest = max(range(len(sources)), key=lambda i: updated[i])
        email_change = phone_change = move = -1
        if len(sources) >= 2:
            if rng.random() < 0.12:
                person.alt_email = make_work_email(
                    rng, person.latin_first, person.latin_last, person.country, used_emails
                )
                email_change = latest
            if rng.random() < 0.06:
                person.alt_phone = make_phone(rng, person.country)
                phone_change = rng.randrange(len(sources))
            with_address = [i for i, s in enumerate(sources) if s != "support"]
            if len(with_address) >= 2 and rng.random() < 0.2:
                person.alt_address = make_address(rng, person.country, person.script != "latin")
                move = max(with_address, key=lambda i: updated[i])
        for i, source in enumerate(sources):
            records.append(
                make_record(
                    rng,
                    person,
                    source,
                    updated[i],
                    alt_email=i == email_change,
                    alt_phone=i == phone_change,
                    alt_address=i == move,
                )
            )
    inject_bad_values(rng, records)
    return records


def inject_bad_values(rng: Random, records: list[Record]) -> None:
    """Sprinkle a handful of placeholders and invalid values over random records."""
    with_email = [r for r in records if "@" in r.values["email"]]
    picks = rng.sample(with_email, 6)
    for record, value in zip(
        picks[:4], ("test@test.com", "n/a", "test@test.com", "N/A"), strict=True
    ):
        record.values["email"] = value
    picks[4].values["email"] = picks[4].values["email"].replace("@", "@@")
    picks[5].values["email"] = picks[5].values["email"].replace("@", "")

    with_phone = [r for r in records if r.values["phone"]]
    picks = rng.sample(with_phone, 5)
    for record in picks[:3]:
        number = record.person.phone
        nsn = str(number.national_number)
        record.values["phone"] = f"+{number.country_code} {nsn[: len(nsn) - 4]}"
    for record in picks[3:]:
        record.values["phone"] = "000-000-0000"

    crm_with_dob = [r for r in records if r.source == "crm" and r.values["dob"]]
    for record in rng.sample(crm_with_dob, 2):
        record.values["dob"] = "1900-01-01"


def assign_keys(rng: Random, records: list[Record]) -> dict[str, list[Record]]:
    """Shuffle each source and give its rows their ids (``C0001``, ``W-10001``, ``S42``)."""
    by_source: dict[str, list[Record]] = {}
    for source in SOURCES:
        rows = [r for r in records if r.source == source]
        rng.shuffle(rows)
        next_support = rng.randint(10, 60)
        for i, record in enumerate(rows, start=1):
            if source == "crm":
                record.key = f"C{i:04d}"
            elif source == "webshop":
                record.key = f"W-{10000 + i}"
            else:
                record.key = f"S{next_support}"
                next_support += rng.randint(1, 9)
        by_source[source] = rows
    return by_source


def row_for(record: Record) -> list[str]:
    """Render a record into its source's column order."""
    v = record.values
    if record.source == "crm":
        return [
            record.key,
            v["first"],
            v["last"],
            v["email"],
            v["phone"],
            v["dob"],
            v["street"],
            v["city"],
            v["postcode"],
            v["country"],
            v["updated_at"],
        ]
    if record.source == "webshop":
        return [
            record.key,
            v["first"],
            v["last"],
            v["email"],
            v["phone"],
            v["dob"],
            v["street"],
            v["postcode"],
            v["city"],
            v["country"],
            v["updated_at"],
        ]
    return [record.key, v["name"], v["email"], v["phone"], v["dob"], v["country"], v["updated_at"]]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """UTF-8, comma-separated, minimal quoting, ``\\n`` line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(seed: int = SEED) -> dict[str, list[list[str]]]:
    """Build all four tables (rows without headers) from ``seed``."""
    rng = Random(seed)
    people = build_people(rng)
    records = build_records(rng, people)
    by_source = assign_keys(rng, records)
    tables: dict[str, list[list[str]]] = {
        source: [row_for(r) for r in by_source[source]] for source in SOURCES
    }
    tables["truth"] = [
        [source, r.key, r.person.person_id] for source in SOURCES for r in by_source[source]
    ]
    return tables


def write_demo_data(out_dir: Path) -> None:
    """(Re)write ``crm.csv``, ``webshop.csv``, ``support.csv`` and ``truth.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = generate()
    for source in SOURCES:
        write_csv(out_dir / f"{source}.csv", HEADERS[source], tables[source])
    write_csv(out_dir / "truth.csv", TRUTH_HEADER, tables["truth"])


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    write_demo_data(args.out_dir)
    print(f"wrote demo data to {args.out_dir}")


if __name__ == "__main__":
    main()
