"""Seeded synthetic multi-source customer data with a truth, at any size.

:func:`generate_customers` builds ``n_records`` records of people from GB, US, DE, LV,
IL, JP and CN spread over several source systems (by default a CRM, a web shop and a
support desk, each with its own column names, date format and home phone region), with
the answer key. It is vectorised (numpy/pandas): a million records take seconds.

>>> data = generate_customers(300, seed=1)
>>> sum(len(frame) for frame in data.frames.values()), len(data.truth)
(300, 300)
>>> sorted(data.frames)
['crm', 'shop', 'support']

What holds across sizes: entities are generated in fixed blocks of entities, each
block from its own seed (``seed``, block number), and records are laid out entity by
entity, so the first ``N`` records of a data set of size ``M > N`` (in generation order:
truth order) are exactly the records of size ``N``, with the same keys and values, and
each source frame of size ``N`` is a prefix of that source's frame of size ``M`` (only
the last entity of size ``N`` may have fewer copies). Record keys are a fixed bijection
of the record's position, so they do not reveal which records belong together.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import phonenumbers
from anyascii import anyascii

from goldenrec._schema import DateOrder, Source

__all__ = ["SyntheticData", "generate_customers"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TextArray = npt.NDArray[np.object_]
Rng = np.random.Generator

#: Entities per independently seeded block.
BLOCK = 16_384


@dataclass(frozen=True)
class SyntheticData:
    """Generated frames (one per source), how to read them, and the answer key.

    ``truth`` has one row per record: ``source``, ``record_key``, ``entity``.
    """

    frames: dict[str, pd.DataFrame]
    sources: list[Source]
    truth: pd.DataFrame


def _words(text: str) -> list[str]:
    """The words of ``text`` (name pools are written as space-separated text)."""
    return text.split()


# --------------------------------------------------------------------------- countries

COUNTRIES = ("GB", "US", "DE", "LV", "IL", "JP", "CN")
COUNTRY_SHARE = np.array([0.22, 0.22, 0.22, 0.13, 0.08, 0.07, 0.06])
NATIVE = {"IL", "JP", "CN"}  # names also written in their own script

# --------------------------------------------------------------------------- names

EN_MALE = _words("Robert William James Michael Thomas John David Richard Charles Daniel Matthew "
                 "Christopher Joseph Edward Andrew Steven Anthony Paul George Peter Mark Brian "
                 "Kevin Jason Gary Timothy Jeffrey Ryan Jacob Nicholas Eric Jonathan Stephen "
                 "Larry Justin Scott Benjamin Samuel Gregory Frank Alexander Patrick Raymond Jack "
                 "Dennis Jerry Tyler Aaron Henry Adam Douglas Nathan Zachary Kyle Walter Harold "
                 "Carl Arthur Gerald Roger Keith Lawrence Terry Sean Austin Noah Ethan Oliver "
                 "Harry Oscar Leo Archie Alfie Freddie Theo")
EN_FEMALE = _words("Elizabeth Katherine Margaret Jennifer Patricia Susan Sarah Jessica Emily "
                   "Rebecca Victoria Alexandra Deborah Samantha Olivia Emma Charlotte Mary Linda "
                   "Rachel Barbara Nancy Karen Lisa Betty Sandra Ashley Dorothy Kimberly Donna "
                   "Michelle Carol Amanda Melissa Stephanie Laura Sharon Cynthia Kathleen Amy "
                   "Shirley Angela Helen Anna Brenda Pamela Nicole Ruth Christine Catherine "
                   "Virginia Debra Janet Maria Heather Diane Julie Joyce Evelyn Joan Christina "
                   "Kelly Lauren Judith Megan Andrea Cheryl Hannah Jacqueline Martha Amelia Isla "
                   "Ava Mia Grace Sophie Lily Poppy Freya")
EN_LAST_BASE = _words("Smith Johnson Williams Brown Jones Taylor Davies Wilson Evans Thomas "
                      "Roberts Walker Wright Robinson Thompson White Hughes Edwards Green Hall "
                      "Wood Harris Clarke Jackson Miller Davis Garcia Anderson Martin Lee O'Brien "
                      "McDonald Moore Lewis Young King Scott Baker Adams Nelson Hill Campbell "
                      "Mitchell Carter Phillips Turner Parker Collins Stewart Morris Murphy Cook "
                      "Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Ward Cox Richardson "
                      "Watson Brooks Bennett Gray James Price Russell Butler Barnes Fisher "
                      "Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham "
                      "Wallace West Cole Hayes Ellis Gibson Fox Marshall Owen Harrison Kennedy "
                      "Palmer Shaw Holmes Rice Hunt Black Daniels Spencer Stone Knight Hawkins "
                      "Dunn Perkins Hudson Mason Webb Chapman Lane Payne Fleming Ryan Lloyd "
                      "Pearson Dixon Grant")
EN_ROOTS = _words("Ash Black Brad Brom Burn Carl Chat Clif Craw Dar Dun Elm Fair Gold Green Hal "
                  "Ham Hart Hay Hol Kings Lang Lock Marl Mid North Oak Pen Ran Red Rich Rock Ross "
                  "Sel South Stan Stock Thorn Wal War West Whit Wil Win Wood")
EN_ENDS = _words("ton ley field ford wood well by worth ham bury more stead")
NICKNAMES = {
    "Robert": "Bob", "William": "Bill", "James": "Jim", "Michael": "Mike", "Thomas": "Tom",
    "Richard": "Rick", "Charles": "Charlie", "Daniel": "Dan", "Matthew": "Matt",
    "Christopher": "Chris", "Joseph": "Joe", "Edward": "Ted", "Andrew": "Andy",
    "Steven": "Steve", "Anthony": "Tony", "David": "Dave", "Peter": "Pete",
    "Benjamin": "Ben", "Samuel": "Sam", "Nicholas": "Nick", "Jonathan": "Jon",
    "Alexander": "Alex", "Timothy": "Tim", "Gregory": "Greg", "Patrick": "Pat",
    "Elizabeth": "Liz", "Katherine": "Kate", "Margaret": "Maggie", "Jennifer": "Jen",
    "Patricia": "Trish", "Susan": "Sue", "Jessica": "Jess", "Rebecca": "Becky",
    "Victoria": "Vicky", "Alexandra": "Alex", "Deborah": "Debbie", "Samantha": "Sam",
    "Kimberly": "Kim", "Catherine": "Cathy", "Christine": "Chris", "Pamela": "Pam",
}
DE_MALE = _words("Jürgen Klaus Stefan Thomas Michael Andreas Jörg Uwe Matthias Günter Lukas Felix "
                 "Björn Sören Peter Wolfgang Frank Dieter Hans Werner Ralf Bernd Torsten Holger "
                 "Sven Jan Tobias Florian Maximilian Moritz Niklas Jonas Leon Paul Ben Finn Elias "
                 "Karl Heinz Helmut Horst Manfred Rüdiger Götz")
DE_FEMALE = _words("Anna Sabine Ursula Katrin Monika Birgit Sophie Hannah Bärbel Käthe Lena "
                   "Jördis Julia Petra Andrea Claudia Susanne Gabriele Karin Renate Heike Nicole "
                   "Stefanie Christiane Angelika Sandra Kerstin Anja Jana Laura Lea Mia Emilia "
                   "Marie Lina Ida Greta Jürgita Brigitte Gisela Hildegard Ingrid Dörte Annegret")
DE_LAST_BASE = _words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
                      "Weiß Schäfer Köhler Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz "
                      "Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz "
                      "Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter "
                      "Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel "
                      "Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann "
                      "Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher "
                      "Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas "
                      "Schreiber Graf Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann "
                      "Thomas Voigt Sauer Arnold Wolff Pfeiffer")
DE_ROOTS = _words("Bach Berg Brand Busch Feld Hof Kirch Lind Mahl Rein Stein Wald Weiß Grün Schön "
                  "Kühn Mühl Roß Sonn Wink Alt Buch Eich Fels Holz Kreuz Rosen Tann")
DE_ENDS = ["mann", "er", "berg", "hofer", "inger", "ke", "hardt", "stedt", "bauer", "meier"]
LV_MALE = _words("Jānis Andris Juris Edgars Māris Aivars Gints Kārlis Mārtiņš Valdis Uldis "
                 "Raimonds Artūrs Roberts Oskars Emīls Ēriks Dāvis Krišjānis Gatis Ivars Normunds")
LV_FEMALE = _words("Anna Inese Ilze Līga Kristīne Dace Baiba Laura Ieva Sanita Zane Agnese Evija "
                   "Māra Rūta Solvita Dārta Elīza Marta Sintija Gunta Aija")
LV_LAST_BASE = [("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"),
                ("Jansons", "Jansone"), ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"),
                ("Zariņš", "Zariņa"), ("Pētersons", "Pētersone"), ("Vītols", "Vītola"),
                ("Kļaviņš", "Kļaviņa"), ("Ozols", "Ozola"), ("Eglītis", "Eglīte"),
                ("Balodis", "Balode"), ("Kalējs", "Kalēja"), ("Zālītis", "Zālīte"),
                ("Siliņš", "Siliņa"), ("Lācis", "Lāce"), ("Vilks", "Vilka")]
LV_ROOTS = _words("Bērz Kaln Ozol Liep Krūm Zar Kļav Pried Egl Ābol Sproģ Strautiņ Lapiņ Celm "
                  "Purviņ Grīnberg Dūm Rozīt Skuj Vanag")
# (native, romanised) pairs
IL_MALE = [("דוד", "David"), ("משה", "Moshe"), ("יוסף", "Yosef"), ("אברהם", "Avraham"),
           ("יעקב", "Yaakov"), ("דניאל", "Daniel"), ("איתי", "Itai"), ("נועם", "Noam"),
           ("אורי", "Uri"), ("עמית", "Amit"), ("יונתן", "Yonatan"), ("אריאל", "Ariel")]
IL_FEMALE = [("שרה", "Sarah"), ("רחל", "Rachel"), ("מיכל", "Michal"), ("נועה", "Noa"),
             ("תמר", "Tamar"), ("יעל", "Yael"), ("אסתר", "Esther"), ("רבקה", "Rivka"),
             ("שירה", "Shira"), ("מאיה", "Maya"), ("טליה", "Talia"), ("הדס", "Hadas")]
IL_LAST = [("כהן", "Cohen"), ("לוי", "Levi"), ("מזרחי", "Mizrahi"), ("פרץ", "Peretz"),
           ("ביטון", "Biton"), ("דהן", "Dahan"), ("אברהם", "Avraham"), ("פרידמן", "Friedman"),
           ("שפירא", "Shapira"), ("גולדברג", "Goldberg"), ("אזולאי", "Azulay"), ("כץ", "Katz"),
           ("אוחיון", "Ohayon"), ("חדד", "Hadad"), ("גבאי", "Gabay"), ("בן דוד", "Ben David"),
           ("שלום", "Shalom"), ("רוזנברג", "Rosenberg"), ("ויס", "Weiss"), ("אלון", "Alon")]
JP_MALE = [("太郎", "Taro"), ("健太", "Kenta"), ("翔太", "Shota"), ("大輔", "Daisuke"),
           ("浩", "Hiroshi"), ("誠", "Makoto"), ("拓也", "Takuya"), ("直樹", "Naoki"),
           ("雄一", "Yuichi"), ("蓮", "Ren"), ("悠真", "Yuma"), ("湊", "Minato")]
JP_FEMALE = [("花子", "Hanako"), ("陽子", "Yoko"), ("美咲", "Misaki"), ("由美", "Yumi"),
             ("恵子", "Keiko"), ("愛", "Ai"), ("さくら", "Sakura"), ("真由美", "Mayumi"),
             ("ゆり", "Yuri"), ("結衣", "Yui"), ("葵", "Aoi"), ("陽菜", "Hina")]
JP_LAST = [("山田", "Yamada"), ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"),
           ("田中", "Tanaka"), ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("中村", "Nakamura"),
           ("小林", "Kobayashi"), ("加藤", "Kato"), ("大野", "Ono"), ("吉田", "Yoshida"),
           ("山本", "Yamamoto"), ("松本", "Matsumoto"), ("井上", "Inoue"), ("木村", "Kimura"),
           ("林", "Hayashi"), ("斎藤", "Saito"), ("清水", "Shimizu"), ("森", "Mori")]
CN_MALE = [("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("志强", "Zhiqiang"),
           ("建华", "Jianhua"), ("浩然", "Haoran"), ("子轩", "Zixuan"), ("明", "Ming"),
           ("俊杰", "Junjie"), ("宇航", "Yuhang"), ("国栋", "Guodong")]
CN_FEMALE = [("芳", "Fang"), ("娜", "Na"), ("静", "Jing"), ("秀英", "Xiuying"), ("丽", "Li"),
             ("敏", "Min"), ("婷婷", "Tingting"), ("雪", "Xue"), ("欣怡", "Xinyi"),
             ("梓涵", "Zihan"), ("佳怡", "Jiayi"), ("慧", "Hui")]
CN_LAST = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
           ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
           ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
           ("郭", "Guo"), ("何", "He"), ("高", "Gao"), ("林", "Lin"), ("罗", "Luo")]

# (native, romanised) syllables composed into more given names
CN_MALE_PARTS = [("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("明", "Ming"),
                 ("华", "Hua"), ("志", "Zhi"), ("建", "Jian"), ("国", "Guo"), ("浩", "Hao"),
                 ("宇", "Yu"), ("子", "Zi"), ("文", "Wen"), ("海", "Hai"), ("鹏", "Peng"),
                 ("杰", "Jie")]
CN_FEMALE_PARTS = [("芳", "Fang"), ("娜", "Na"), ("静", "Jing"), ("丽", "Li"), ("敏", "Min"),
                   ("婷", "Ting"), ("雪", "Xue"), ("慧", "Hui"), ("欣", "Xin"), ("怡", "Yi"),
                   ("佳", "Jia"), ("梅", "Mei"), ("琳", "Lin"), ("秀", "Xiu"), ("玉", "Yu"),
                   ("晓", "Xiao")]
JP_MALE_PARTS = ([("健", "Ken"), ("大", "Dai"), ("翔", "Sho"), ("拓", "Taku"), ("直", "Nao"),
                  ("雄", "Yu"), ("浩", "Hiro"), ("和", "Kazu"), ("正", "Masa"), ("秀", "Hide"),
                  ("俊", "Shun"), ("達", "Tatsu")],
                 [("太", "ta"), ("輔", "suke"), ("也", "ya"), ("樹", "ki"), ("一", "ichi"),
                  ("郎", "ro"), ("人", "to"), ("介", "suke")])
JP_FEMALE_PARTS = ([("美", "Mi"), ("由", "Yu"), ("恵", "Kei"), ("真", "Ma"), ("陽", "Yo"),
                    ("沙", "Sa"), ("結", "Yu"), ("愛", "Ai"), ("千", "Chi"), ("明", "Aki"),
                    ("奈", "Na"), ("春", "Haru")],
                   [("子", "ko"), ("美", "mi"), ("香", "ka"), ("奈", "na"), ("衣", "i"),
                    ("恵", "e"), ("菜", "na"), ("代", "yo")])
IL_LAST_MORE = [("ברק", "Barak"), ("שמעוני", "Shimoni"), ("אשכנזי", "Ashkenazi"),
                ("טל", "Tal"), ("עמר", "Amar"), ("מלכה", "Malka"), ("ששון", "Sasson"),
                ("אלמוג", "Almog"), ("יוסף", "Yosef"), ("זילברמן", "Zilberman"),
                ("ברגר", "Berger"), ("קליין", "Klein"), ("נחום", "Nachum"),
                ("בוזגלו", "Buzaglo"), ("סויסה", "Suissa"), ("גרוס", "Gross"),
                ("הורוביץ", "Horowitz"), ("שטרן", "Stern"), ("וקנין", "Vaknin"),
                ("אדלר", "Adler")]
JP_LAST_MORE = [("山口", "Yamaguchi"), ("池田", "Ikeda"), ("橋本", "Hashimoto"),
                ("阿部", "Abe"), ("石川", "Ishikawa"), ("山下", "Yamashita"), ("中島", "Nakajima"),
                ("石井", "Ishii"), ("小川", "Ogawa"), ("前田", "Maeda"), ("岡田", "Okada"),
                ("長谷川", "Hasegawa"), ("藤田", "Fujita"), ("後藤", "Goto"), ("近藤", "Kondo"),
                ("村上", "Murakami"), ("遠藤", "Endo"), ("青木", "Aoki"), ("坂本", "Sakamoto"),
                ("福田", "Fukuda")]


def _cn_given(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Chinese given names: the syllables alone and in pairs (pinyin joined)."""
    return parts + [(a + b, ra + rb.lower()) for a, ra in parts for b, rb in parts if a != b]


def _jp_given(parts: tuple[list[tuple[str, str]], list[tuple[str, str]]]
              ) -> list[tuple[str, str]]:
    """Japanese given names composed of a head and an ending."""
    return [(a + b, ra + rb) for a, ra in parts[0] for b, rb in parts[1]]


# --------------------------------------------------------------------------- contact

EMAIL_DOMAINS = {
    "GB": ("gmail.com", "yahoo.co.uk", "hotmail.co.uk", "outlook.com", "btinternet.com"),
    "US": ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com"),
    "DE": ("gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de"),
    "LV": ("gmail.com", "inbox.lv", "apollo.lv", "outlook.com"),
    "IL": ("gmail.com", "walla.co.il", "hotmail.com", "012.net.il"),
    "JP": ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"),
    "CN": ("qq.com", "163.com", "126.com", "sina.com", "gmail.com"),
}
WORK_DOMAINS = ("acme-corp.com", "globex.example", "initech.io", "example.org")
# (street names, house number after the street name?)
STREETS: dict[str, tuple[list[str], bool]] = {
    "GB": ([f"{a} {b}" for a in _words("Baker High Church Station Victoria Park Mill King Green "
                                       "Manor Albert Queen's Grove Chapel School")
            for b in ("Street", "Road", "Lane", "Avenue", "Close")], False),
    "US": ([f"{a} {b}" for a in _words("Main Oak Maple Elm Washington Park Lake Cedar Sunset Pine "
                                       "Lincoln Highland Hill Walnut Madison")
            for b in ("Street", "Avenue", "Drive", "Boulevard", "Road")], False),
    "DE": ([f"{a}{b}" for a in _words("Haupt Bahnhof Schul Garten Dorf Berg Kirch Wald Ring "
                                      "Linden Mühlen Goethe Schiller Friedrich Rosen")
            for b in ("straße", "weg", "allee", "platz")], True),
    "LV": ([f"{a} iela" for a in _words("Brīvības Elizabetes Tērbatas Krišjāņa Barona Ģertrūdes "
                                        "Lāčplēša Dzirnavu Miera Avotu Čaka Matīsa Stabu")],
           True),
    "IL": ([f"{a} St" for a in _words("Herzl Dizengoff Allenby Weizmann Jabotinsky Bialik Sokolov "
                                      "Arlozorov Balfour Hanassi")], True),
    "JP": ([f"{a}" for a in _words("Marunouchi Otemachi Nishi-Shinjuku Umeda Sakae Nishiki "
                                   "Minatomirai Hakataekimae")], False),
    "CN": ([f"{a} Road" for a in _words("Jianguo Nanjing Renmin Jiefang Zhongshan Heping Beijing "
                                        "Huaihai")], True),
}
CITIES = {
    "GB": ["London", "Manchester", "Birmingham", "Leeds", "Bristol", "Edinburgh", "Glasgow",
           "Liverpool", "Cardiff", "Oxford"],
    "US": ["New York", "Los Angeles", "Chicago", "Houston", "Boston", "Seattle",
           "San Francisco", "Austin", "Denver", "Miami"],
    "DE": ["Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Stuttgart",
           "Düsseldorf", "Leipzig", "Dresden", "Nürnberg"],
    "LV": ["Rīga", "Daugavpils", "Liepāja", "Jelgava", "Jūrmala", "Ventspils"],
    "IL": ["Tel Aviv", "Jerusalem", "Haifa", "Netanya", "Be'er Sheva", "Rishon LeZion",
           "Petah Tikva", "Ashdod", "Holon", "Bnei Brak", "Ramat Gan", "Ashkelon", "Rehovot",
           "Bat Yam", "Herzliya", "Kfar Saba", "Hadera", "Modi'in", "Nazareth", "Lod", "Ramla",
           "Ra'anana", "Eilat", "Tiberias", "Nahariya", "Afula", "Karmiel", "Rosh HaAyin"],
    "JP": ["Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto",
           "Kawasaki", "Saitama", "Hiroshima", "Sendai", "Chiba", "Kitakyushu", "Sakai",
           "Niigata", "Hamamatsu", "Kumamoto", "Sagamihara", "Shizuoka", "Okayama",
           "Kagoshima", "Hachioji", "Funabashi", "Utsunomiya", "Matsuyama", "Kanazawa",
           "Nara", "Nagasaki", "Toyama", "Gifu", "Wakayama", "Naha", "Kochi", "Otsu"],
    "CN": ["Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Hangzhou", "Wuhan",
           "Xi'an", "Chongqing", "Tianjin", "Nanjing", "Suzhou", "Zhengzhou", "Changsha",
           "Shenyang", "Qingdao", "Ningbo", "Dongguan", "Wuxi", "Foshan", "Hefei", "Dalian",
           "Fuzhou", "Xiamen", "Harbin", "Jinan", "Wenzhou", "Nanning", "Changchun",
           "Kunming", "Taiyuan", "Shijiazhuang", "Guiyang", "Nanchang", "Lanzhou"],
}
EMAIL_PLACEHOLDERS = np.array(["noemail@example.com", "n/a", "none@none.com", "-"],
                              dtype=object)
PHONE_PLACEHOLDERS = np.array(["0000000000", "123456789", "n/a"], dtype=object)
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class _Layout:
    """How one kind of source system writes its records."""

    key: str
    prefix: str
    columns: dict[str, str]  # canonical -> column name
    date_order: DateOrder
    phone_region: str
    full_name: bool


LAYOUTS = (
    _Layout("id", "C", {"first_name": "first_name", "last_name": "last_name",
                        "email": "email", "phone": "phone", "dob": "date_of_birth",
                        "street": "street", "city": "city", "postcode": "postcode",
                        "country": "country", "updated_at": "updated_at"},
            "YMD", "DE", False),
    _Layout("customer_no", "W-", {"first_name": "given_name", "last_name": "surname",
                                  "email": "e_mail", "phone": "mobile", "dob": "dob",
                                  "street": "address", "postcode": "zip", "city": "town",
                                  "country": "country", "updated_at": "updated_at"},
            "DMY", "GB", False),
    _Layout("contact_id", "S", {"name": "name", "email": "email", "phone": "phone",
                                "dob": "birthday", "country": "country",
                                "updated_at": "updated_at"},
            "MDY", "US", True),
)


# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class _Pool:
    """Names of one (country, gender) group: display, native script, ASCII, nickname."""

    display: TextArray
    native: TextArray
    ascii: TextArray
    nick: TextArray
    weight: FloatArray


def _fold(text: str) -> str:
    """ASCII form of a name; German umlauts sometimes as ``ae``/``oe``/``ue``."""
    return anyascii(text)


def _german(text: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                 ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


def _zipf(n: int) -> FloatArray:
    weight: FloatArray = 1.0 / (np.arange(n, dtype=np.float64) + 25.0)
    return np.asarray(weight / weight.sum(), dtype=np.float64)


def _pool(names: Sequence[str | tuple[str, str]], *, nick: bool = False,
          german: bool = False) -> _Pool:
    native = [n[0] if isinstance(n, tuple) else n for n in names]
    display = [n[1] if isinstance(n, tuple) else n for n in names]
    folded = [_german(d) if german else _fold(d) for d in display]
    nicks = [NICKNAMES.get(d, "") if nick else "" for d in display]
    return _Pool(np.array(display, dtype=object), np.array(native, dtype=object),
                 np.array(folded, dtype=object), np.array(nicks, dtype=object),
                 _zipf(len(names)))


@functools.lru_cache(maxsize=1)
def _name_pools() -> dict[tuple[str, str, str], _Pool]:
    """Pools keyed by (country, gender, 'first'|'last')."""
    en_last = list(dict.fromkeys(
        EN_LAST_BASE + [a + b for a in EN_ROOTS for b in EN_ENDS]
        + [a + m + b for a in EN_ROOTS[:30] for m in ("er", "ing", "s")
           for b in EN_ENDS[:8]]))
    de_last = list(dict.fromkeys(
        DE_LAST_BASE + [a + b for a in DE_ROOTS for b in DE_ENDS]
        + [a + m + b for a in DE_ROOTS for m in ("en", "s", "el")
           for b in DE_ENDS[:6]]))
    lv_last = LV_LAST_BASE + [
        (r + e + "š", r + e + "a") if e.endswith("iņ") else (r + e + "s", r + e + "a")
        for r in LV_ROOTS for e in ("iņ", "ul", "ān", "niek", "ēn", "ol")]
    lv_m = [m for m, _ in lv_last]
    lv_f = [f for _, f in lv_last]
    pools: dict[tuple[str, str, str], _Pool] = {}
    for country in ("GB", "US"):
        pools[country, "m", "first"] = _pool(EN_MALE, nick=True)
        pools[country, "f", "first"] = _pool(EN_FEMALE, nick=True)
        pools[country, "m", "last"] = pools[country, "f", "last"] = _pool(en_last)
    pools["DE", "m", "first"] = _pool(DE_MALE, german=True)
    pools["DE", "f", "first"] = _pool(DE_FEMALE, german=True)
    pools["DE", "m", "last"] = pools["DE", "f", "last"] = _pool(de_last, german=True)
    pools["LV", "m", "first"] = _pool(LV_MALE)
    pools["LV", "f", "first"] = _pool(LV_FEMALE)
    pools["LV", "m", "last"] = _pool(lv_m)
    pools["LV", "f", "last"] = _pool(lv_f)
    for country, male, female, last in (
            ("IL", IL_MALE, IL_FEMALE, IL_LAST + IL_LAST_MORE),
            ("JP", JP_MALE + _jp_given(JP_MALE_PARTS), JP_FEMALE + _jp_given(JP_FEMALE_PARTS),
             JP_LAST + JP_LAST_MORE),
            ("CN", CN_MALE + _cn_given(CN_MALE_PARTS), CN_FEMALE + _cn_given(CN_FEMALE_PARTS),
             CN_LAST)):
        pools[country, "m", "first"] = _pool(male)
        pools[country, "f", "first"] = _pool(female)
        pools[country, "m", "last"] = pools[country, "f", "last"] = _pool(last)
    return pools


@dataclass(frozen=True)
class _Phones:
    """Valid numbers of one country: a prefix and three free last digits.

    ``heads[i, f]`` is prefix ``i`` written in format ``f`` (E.164, international,
    national, ``00`` international) without its last three digits.
    """

    heads: TextArray  # (prefixes, 4)


PHONE_SUFFIX = 1000  # the last three digits are free


@functools.lru_cache(maxsize=1)
def _phone_pools() -> dict[str, _Phones]:
    """Valid phone-number prefixes per country, found once with ``phonenumbers``.

    Candidates keep the leading digits of the library's example mobile and fixed-line
    numbers and draw the rest; a prefix is kept when the number and three other
    endings are valid and every format ends with those three digits.
    """
    rng = np.random.default_rng(20261122)  # fixed: the pool never depends on the seed
    formats = (phonenumbers.PhoneNumberFormat.E164,
               phonenumbers.PhoneNumberFormat.INTERNATIONAL,
               phonenumbers.PhoneNumberFormat.NATIONAL)
    pools: dict[str, _Phones] = {}
    for country in COUNTRIES:
        code = phonenumbers.country_code_for_region(country)
        heads: list[list[str]] = []
        seen: set[str] = set()
        for kind, keep, tries in ((phonenumbers.PhoneNumberType.MOBILE, 2, 1500),
                                  (phonenumbers.PhoneNumberType.FIXED_LINE, 2, 700)):
            example = phonenumbers.example_number_for_type(country, kind)
            if example is None:
                continue
            digits = str(example.national_number)
            free = len(digits) - keep
            draws = rng.integers(0, 10, size=(tries, free))
            for row in draws:
                national = digits[:keep] + "".join(map(str, row))
                prefix = national[:-3]
                if prefix in seen:
                    continue
                endings = [national[-3:], *(f"{e:03d}" for e in rng.integers(0, 1000, 3))]
                numbers = [phonenumbers.PhoneNumber(country_code=code,
                                                    national_number=int(prefix + e))
                           for e in endings]
                if not all(phonenumbers.is_valid_number(n) for n in numbers):
                    continue
                texts = [phonenumbers.format_number(numbers[0], f) for f in formats]
                if not all(t.endswith(endings[0]) for t in texts):
                    continue
                seen.add(prefix)
                texts = [t[:-3] for t in texts]
                heads.append([*texts, "00" + texts[1][1:]])
        pools[country] = _Phones(np.array(heads, dtype=object).reshape(-1, 4))
    return pools


TOWN_PARTS = {
    "GB": (_words("Ash Brad Brom Chel Dor Elm Farn Gran Hal Hart Kings Lang Lit Long Marl "
                  "Mid New North Old Pen Ring Rom Salt Shep Stan Stock Tam Wal Wey Whit Wind"),
           _words("ford ton bury ley field ham stead wick worth minster")),
    "US": (_words("Spring Green Fair Clear Oak Maple River Lake Cedar Pine Rock Salem Frank "
                  "Madi Clin Jack Wash Mill Ash Glen Bay Sun Hill Wood Brook"),
           _words("field ville dale wood ton port burg view ridge haven")),
    "DE": (_words("Alt Bad Berg Bern Bisch Burg Dorn Eich Elster Falken Frei Gries Hag Hohen "
                  "Kirch Königs Lauen Linden Mühl Neu Ober Rhein Rosen Sonnen Stein Unter Wald"),
           _words("dorf hausen heim bach berg feld stadt burg au hofen")),
    "LV": (_words("Aiz Ber Dzer Ik Kal Krust Lie Ozol Pried Ropaž Sal Sēj Skrīv Stop Vec "
                  "Zaļ Jaun Lej Rūj Tal"),
           _words("kraukle pils ciems muiža pe ciema")),
}


@functools.cache
def _towns(code: str) -> TextArray:
    """Towns of a country: its big cities first, then smaller places."""
    towns = list(CITIES[code])
    if code in TOWN_PARTS:
        roots, ends = TOWN_PARTS[code]
        towns += [r + e for r in roots for e in ends if r + e not in towns]
    return np.array(towns, dtype=object)


@functools.cache
def _town_weights(code: str) -> FloatArray:
    """Big cities hold most people; the long tail of towns the rest."""
    n = len(_towns(code))
    weight = 1.0 / (np.arange(n, dtype=np.float64) + 3.0)
    return np.asarray(weight / weight.sum(), dtype=np.float64)


# --------------------------------------------------------------------------- helpers


def _cat(*parts: Any) -> TextArray:
    """Element-wise concatenation of text arrays and strings."""
    out: Any = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + (np.asarray(part, dtype=object) if not isinstance(part, str) else part)
    return np.asarray(out, dtype=object)


_DIGITS2 = np.array([f"{i:02d}" for i in range(100)], dtype=object)
_DIGITS3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_NUMBERS = np.array([str(i) for i in range(10000)], dtype=object)


def _typo(text: str, op: int, where: float, letter: str) -> str:
    """One keyboard slip: substitute, delete, transpose or insert a character."""
    if len(text) < 2:
        return text
    i = min(int(where * len(text)), len(text) - 1)
    if op == 0:
        return text[:i] + letter + text[i + 1:]
    if op == 1:
        return text[:i] + text[i + 1:]
    if op == 2 and i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + letter + text[i:]


def _apply_typos(values: TextArray, mask: BoolArray, rng: Rng) -> None:
    """Put one typo into ``values[mask]`` (in place; missing values are left alone)."""
    index = np.flatnonzero(mask)
    ops = rng.integers(0, 4, len(index))
    where = rng.random(len(index))
    letters = rng.integers(0, 26, len(index))
    for j, i in enumerate(index.tolist()):
        value = values[i]
        if isinstance(value, str):
            values[i] = _typo(value, int(ops[j]), float(where[j]), LETTERS[letters[j]])


# --------------------------------------------------------------------------- entities


@dataclass
class _Entities:
    country: IntArray
    gender: BoolArray  # True: female
    first: list[TextArray]  # display, native, ascii, nick
    last: list[TextArray]
    dob: npt.NDArray[np.datetime64]
    emails: tuple[TextArray, TextArray]  # usual, changed
    phones: tuple[TextArray, TextArray]  # heads (n, 4), changed heads (n, 4)
    phone_ends: tuple[IntArray, IntArray]
    streets: tuple[TextArray, TextArray]
    cities: tuple[TextArray, TextArray]
    postcodes: tuple[TextArray, TextArray]


def _names(rng: Rng, country: IntArray, female: BoolArray, part: str) -> list[TextArray]:
    pools = _name_pools()
    out = [np.empty(len(country), dtype=object) for _ in range(4)]
    for c, code in enumerate(COUNTRIES):
        for g, gender in ((False, "m"), (True, "f")):
            rows = np.flatnonzero((country == c) & (female == g))
            if not len(rows):
                continue
            pool = pools[code, gender, part]
            pick = rng.choice(len(pool.weight), size=len(rows), p=pool.weight)
            for k, column in enumerate((pool.display, pool.native, pool.ascii, pool.nick)):
                out[k][rows] = column[pick]
    return out


def _email(rng: Rng, first: TextArray, last: TextArray, country: IntArray) -> TextArray:
    n = len(first)
    f = np.char.lower(np.char.replace(first.astype(str), " ", "")).astype(object)
    ln = np.char.lower(np.char.replace(np.char.replace(last.astype(str), " ", ""), "'", ""))
    ln = ln.astype(object)
    initial = np.char.lower(first.astype("<U1")).astype(object)
    number = _NUMBERS[rng.integers(1, 2000, n)]
    year = _DIGITS2[rng.integers(50, 100, n) % 100]
    # five patterns with a number or year; 4 % bare (those may be shared by namesakes)
    pattern = np.where(rng.random(n) < 0.04, 5, rng.integers(0, 5, n))
    local = np.where(pattern == 0, _cat(f, ".", ln, number),
             np.where(pattern == 1, _cat(initial, ln, number),
             np.where(pattern == 2, _cat(f, ln, year),
             np.where(pattern == 3, _cat(f, "_", ln, number),
             np.where(pattern == 4, _cat(ln, ".", f, year), _cat(f, ".", ln))))))
    domain = np.empty(n, dtype=object)
    for c, code in enumerate(COUNTRIES):
        rows = np.flatnonzero(country == c)
        options = np.array(EMAIL_DOMAINS[code] + WORK_DOMAINS[:1], dtype=object)
        domain[rows] = options[rng.integers(0, len(options), len(rows))]
    return _cat(local, "@", domain)


def _address(rng: Rng, country: IntArray) -> tuple[TextArray, TextArray, TextArray]:
    n = len(country)
    street = np.empty(n, dtype=object)
    city = np.empty(n, dtype=object)
    postcode = np.empty(n, dtype=object)
    house = _NUMBERS[rng.integers(1, 200, n)]
    for c, code in enumerate(COUNTRIES):
        rows = np.flatnonzero(country == c)
        if not len(rows):
            continue
        m = len(rows)
        names, number_after = STREETS[code]
        name = np.array(names, dtype=object)[rng.integers(0, len(names), m)]
        street[rows] = (_cat(name, " ", house[rows]) if number_after
                        else _cat(house[rows], " ", name))
        towns = _towns(code)
        which = rng.choice(len(towns), size=m, p=_town_weights(code))
        city[rows] = towns[which]
        d3 = _DIGITS3[rng.integers(0, 1000, m)]
        d2 = _DIGITS2[rng.integers(0, 100, m)]
        if code == "GB":  # the outward code follows the town, the inward code varies
            letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
            area = np.array([a + b for a in "BCDEGHKLMNPRSTW" for b in "ABCDEHLNRST"],
                            dtype=object)
            postcode[rows] = _cat(area[which % len(area)], _NUMBERS[1 + which // len(area)],
                                  " ", _NUMBERS[rng.integers(1, 10, m)],
                                  letters[rng.integers(0, 20, m)],
                                  letters[rng.integers(0, 20, m)])
        elif code == "US":
            postcode[rows] = _cat(_DIGITS3[100 + (which * 7) % 899], d2)
        elif code == "DE":
            base = 1000 + (which * 317) % 98_000
            postcode[rows] = np.array([f"{v:05d}" for v in
                                       (base + rng.integers(0, 60, m)).tolist()], dtype=object)
        elif code == "LV":
            postcode[rows] = _cat("LV-", _NUMBERS[1000 + (which * 37) % 4700
                                                 + rng.integers(0, 10, m)])
        elif code == "IL":
            postcode[rows] = _cat(_NUMBERS[rng.integers(10, 99, m)], d3, d2)
        elif code == "JP":
            postcode[rows] = _cat(d3, "-", _NUMBERS[rng.integers(1000, 9999, m)])
        else:
            postcode[rows] = _cat(d3, d3)
    return street, city, postcode


def _entities(rng: Rng, n: int) -> _Entities:
    country = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_SHARE).astype(np.int64)
    female = rng.random(n) < 0.5
    first = _names(rng, country, female, "first")
    last = _names(rng, country, female, "last")
    start = np.datetime64("1935-01-01")
    dob = start + rng.integers(0, 70 * 365, n).astype("timedelta64[D]")
    emails = (_email(rng, first[2], last[2], country), _email(rng, first[2], last[2], country))
    phones = _phone_pools()
    heads = []
    ends = []
    for _ in range(2):
        head = np.empty((n, 4), dtype=object)
        for c, code in enumerate(COUNTRIES):
            rows = np.flatnonzero(country == c)
            pool = phones[code].heads
            head[rows] = pool[rng.integers(0, len(pool), len(rows))]
        heads.append(head)
        ends.append(rng.integers(0, PHONE_SUFFIX, n))
    a = _address(rng, country)
    b = _address(rng, country)
    return _Entities(country, female, first, last, dob, emails, (heads[0], heads[1]),
                     (ends[0], ends[1]), (a[0], b[0]), (a[1], b[1]), (a[2], b[2]))


# --------------------------------------------------------------------------- records


def _block(seed: int, block: int, n_sources: int) -> pd.DataFrame:
    """One block of entities and all their records (canonical columns, per-source text)."""
    rng = np.random.default_rng([seed, block])
    n = BLOCK
    ent = _entities(rng, n)
    # copies: each entity in 1-3 distinct sources, sometimes twice in one
    k = np.minimum(rng.choice([1, 2, 3], size=n, p=[0.45, 0.35, 0.20]), n_sources)
    order = np.argsort(rng.random((n, n_sources)), axis=1)
    dup = rng.random(n) < 0.05
    entity = np.repeat(np.arange(n), k)
    slot = np.arange(len(entity)) - np.repeat(np.cumsum(k) - k, k)
    source = order[entity, slot]
    dup_entity = np.flatnonzero(dup)
    entity = np.concatenate([entity, dup_entity])
    source = np.concatenate([source, order[dup_entity, 0]])
    sort = np.argsort(entity, kind="stable")
    e = entity[sort]
    src = source[sort].astype(np.int64)
    m = len(e)
    kind = src % len(LAYOUTS)
    u = rng.random((m, 24))

    country_code = np.array(COUNTRIES, dtype=object)[ent.country[e]]
    native_country = np.isin(ent.country[e], [COUNTRIES.index(c) for c in NATIVE])
    # names
    native = native_country & (u[:, 0] < 0.5)
    first = np.where(native, ent.first[1][e], ent.first[0][e])
    last = np.where(native, ent.last[1][e], ent.last[0][e])
    strip = ~native & (u[:, 1] < 0.25)
    first = np.where(strip, ent.first[2][e], first)
    last = np.where(strip, ent.last[2][e], last)
    nick = (ent.first[3][e] != "") & (u[:, 2] < 0.12)
    first = np.where(nick, ent.first[3][e], first)
    _apply_typos(first, ~native & (u[:, 3] < 0.04), rng)
    _apply_typos(last, ~native & (u[:, 4] < 0.04), rng)
    upper = ~native & (u[:, 5] < 0.03)
    lower = ~native & (u[:, 5] >= 0.03) & (u[:, 5] < 0.06)
    for values in (first, last):
        values[upper] = np.char.upper(values[upper].astype(str)).astype(object)
        values[lower] = np.char.lower(values[lower].astype(str)).astype(object)
    swap = u[:, 6] < 0.015
    first[swap], last[swap] = last[swap], first[swap].copy()
    first[u[:, 7] < 0.01] = None
    last[u[:, 8] < 0.005] = None
    # a single name column: "First Last", "Last, First", family name first in CJK script
    cjk = native & np.isin(ent.country[e], [COUNTRIES.index("JP"), COUNTRIES.index("CN")])
    f_txt = np.where(pd.isna(first), "", first)
    l_txt = np.where(pd.isna(last), "", last)
    full = np.where(cjk, _cat(l_txt, " ", f_txt),
                    np.where(~native & (u[:, 9] < 0.1), _cat(l_txt, ", ", f_txt),
                             _cat(f_txt, " ", l_txt)))
    title = ~native & (u[:, 10] < 0.04)
    titles = np.where(ent.gender[e], "Ms ", "Mr ")
    full = np.where(title, _cat(titles, full), full)
    full = np.char.strip(np.char.strip(full.astype(str)), ",").astype(object)
    full[full == ""] = None
    # e-mail
    email = np.where(u[:, 11] < 0.07, ent.emails[1][e], ent.emails[0][e])
    upper_mail = u[:, 12] < 0.05
    email[upper_mail] = np.char.upper(email[upper_mail].astype(str)).astype(object)
    _apply_typos(email, u[:, 13] < 0.01, rng)
    email[u[:, 14] < 0.005] = EMAIL_PLACEHOLDERS[rng.integers(0, 4, int((u[:, 14] < 0.005)
                                                                       .sum()))]
    email[(u[:, 14] >= 0.005) & (u[:, 14] < 0.105)] = None
    # phone: national format only where the region is known (record country or home)
    changed = u[:, 15] < 0.05
    head = np.where(changed[:, None], ent.phones[1][e], ent.phones[0][e])
    end = np.where(changed, ent.phone_ends[1][e], ent.phone_ends[0][e])
    region = np.array([layout.phone_region for layout in LAYOUTS], dtype=object)[kind]
    # country column: always in crm/shop (sometimes missing), support: often missing
    has_country = np.where(kind == 2, u[:, 16] < 0.6, u[:, 16] < 0.95)
    country = np.where(has_country, country_code, np.array(None, dtype=object))
    country = np.where(has_country & (u[:, 17] < 0.1),
                       np.char.lower(country_code.astype(str)).astype(object), country)
    local_ok = has_country | (region == country_code)
    style = np.where(local_ok & (u[:, 18] < 0.5), 2, (u[:, 18] * 100).astype(np.int64) % 3)
    style = np.where(style == 2, np.where(local_ok, 2, 1), style)
    style = np.where((style == 1) & (u[:, 19] < 0.15), 3, style)
    phone = _cat(head[np.arange(m), style], _DIGITS3[end])
    placeholder = u[:, 20] < 0.005
    phone[placeholder] = PHONE_PLACEHOLDERS[rng.integers(0, 3, int(placeholder.sum()))]
    phone[(u[:, 20] >= 0.005) & (u[:, 20] < 0.155)] = None
    # date of birth, in the source's order
    dob = ent.dob[e].copy()
    year_slip = u[:, 21] < 0.01
    dob[year_slip] = dob[year_slip] + np.where(u[year_slip, 22] < 0.5, 365, -365).astype(
        "timedelta64[D]")
    iso = np.datetime_as_string(dob, unit="D").astype(object)
    ymd = np.char.replace(iso.astype(str), "-", "").astype(np.int64)
    yy = _NUMBERS[ymd // 10000]
    mm = _DIGITS2[ymd // 100 % 100]
    dd = _DIGITS2[ymd % 100]
    swap_dm = (u[:, 22] < 0.01) & ~year_slip
    dd, mm = np.where(swap_dm, mm, dd), np.where(swap_dm, dd, mm)
    text = np.where(kind == 0, _cat(yy, "-", mm, "-", dd),
                    np.where(kind == 1, _cat(dd, ".", mm, ".", yy), _cat(mm, "/", dd, "/", yy)))
    dob_missing = u[:, 23] < 0.08
    text[dob_missing] = None
    placeholder_dob = (u[:, 23] >= 0.08) & (u[:, 23] < 0.083)
    text[placeholder_dob] = np.where(kind[placeholder_dob] == 0, "1900-01-01", "01.01.1900")
    # address: moved sometimes, missing sometimes, street abbreviated sometimes
    v = rng.random((m, 3))
    moved = v[:, 0] < 0.06
    street = np.where(moved, ent.streets[1][e], ent.streets[0][e])
    city = np.where(moved, ent.cities[1][e], ent.cities[0][e])
    postcode = np.where(moved, ent.postcodes[1][e], ent.postcodes[0][e])
    short = v[:, 1] < 0.2
    street[short] = pd.Series(street[short], dtype=object).str.replace(
        "straße", "str.").str.replace("Street", "St").str.replace("Road", "Rd").to_numpy(
        dtype=object)
    gone = v[:, 2] < 0.1
    street[gone] = None
    postcode[gone & (v[:, 1] < 0.5)] = None
    city[gone & (v[:, 1] < 0.3)] = None
    _apply_typos(street, ~gone & (v[:, 2] > 0.98), rng)
    seconds = rng.integers(1_600_000_000, 1_790_000_000, m).astype("datetime64[s]")
    updated = np.datetime_as_string(seconds).astype(object)
    updated = _cat(updated, "Z")
    frame: pd.DataFrame = pd.DataFrame({
        "entity": (e + block * BLOCK).astype(np.int64), "source": src,
        "first_name": first, "last_name": last, "name": full, "email": email,
        "phone": phone, "dob": text, "street": street, "city": city,
        "postcode": postcode, "country": country, "updated_at": updated,
    })
    return frame


def generate_customers(n_records: int, *, seed: int = 0,
                       sources: Sequence[str] = ("crm", "shop", "support")) -> SyntheticData:
    """``n_records`` synthetic customer records spread over ``sources``, with the truth.

    Source ``i`` is written like a CRM (``i % 3 == 0``: separate name fields, ISO dates,
    home phone region DE), a web shop (``1``: ``given_name``/``surname``, day-first
    dates, GB) or a support desk (``2``: one ``name`` column, month-first dates, US, no
    address). Same ``seed`` and size: identical frames. See the module docstring for
    what holds between sizes.
    """
    if n_records < 0:
        raise ValueError("n_records must not be negative")
    names = list(sources)
    if not names or len(set(names)) != len(names):
        raise ValueError("sources must be distinct names, at least one")
    blocks: list[pd.DataFrame] = []
    total = 0
    block = 0
    while total < n_records:
        frame = _block(seed, block, len(names))
        blocks.append(frame)
        total += len(frame)
        block += 1
    columns = ["entity", "source", "first_name", "last_name", "name", "email", "phone",
               "dob", "street", "city", "postcode", "country", "updated_at"]
    records = (pd.concat(blocks, ignore_index=True) if blocks
               else pd.DataFrame({c: [] for c in columns}))
    records = records.iloc[:n_records]
    position = np.arange(len(records), dtype=np.uint64)
    scrambled = (position * np.uint64(0x9E3779B1) + np.uint64(0x5BD1E995)) & np.uint64(
        0xFFFFFFFF)
    source_index = records["source"].to_numpy(dtype=np.int64)
    frames: dict[str, pd.DataFrame] = {}
    specs: list[Source] = []
    truth_parts: list[pd.DataFrame] = []
    for i, name in enumerate(names):
        layout = LAYOUTS[i % len(LAYOUTS)]
        rows = np.flatnonzero(source_index == i)
        prefix = layout.prefix if len(names) <= 3 else f"{layout.prefix}{i}-"
        keys = np.array([f"{prefix}{h:08X}" for h in scrambled[rows].tolist()], dtype=object)
        part = records.iloc[rows]
        data: dict[str, Any] = {layout.key: keys}
        for canonical, column in layout.columns.items():
            data[column] = part[canonical].to_numpy(dtype=object)
        frames[name] = pd.DataFrame(data)
        specs.append(Source(name, key=layout.key, date_order=layout.date_order,
                            phone_region=layout.phone_region))
        truth_parts.append(pd.DataFrame({
            "position": rows, "source": name, "record_key": keys,
            "entity": np.array([f"E{v:08d}" for v in part["entity"].tolist()],
                               dtype=object)}))
    truth = (pd.concat(truth_parts, ignore_index=True).sort_values("position")
             .drop(columns="position").reset_index(drop=True))
    return SyntheticData(frames, specs, truth)

