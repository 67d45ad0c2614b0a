"""Nicknames and spelling variants of given names, and the formal name each stands for.

The table is plain text, one formal name per line followed by the names that stand for
it. It is parsed on first use and cached. A name appears once in the table, so
an ambiguous nickname maps to one formal name. The rule is the more common formal name in
English-speaking birth registers (``Pat`` → Patricia, ``Chris`` → Christopher,
``Alex`` → Alexander); see ``docs/names.md`` for the full list of such choices.

Names are compared by their match key (case-folded, diacritics removed, German
umlauts expanded: ``Käthe`` → ``kaethe``). Cyrillic and Greek names are compared by
their transliteration (``Саша`` → ``sasha`` → ``alexander``).
"""

from __future__ import annotations

from functools import cache
from typing import Final

from goldenrec._normalise._text import fold, is_cyrillic_or_greek, transliterate

__all__ = ["NICKNAME_TABLE", "formal_name", "given_name_key", "nickname_table"]

#: ``formal: names that stand for it`` (nicknames, then other spellings of the formal
#: name). The formal name is written as the canonical form is spelt.
NICKNAME_TABLE: Final = """
# English, male
abraham: abe abram
albert: al bert bertie
alexander: alex alec alek sasha sacha xander lex aleksandr alexandr
alfred: alf alfie
andrew: andy drew
anthony: tony antony ant
archibald: archie
arthur: art artie
augustus: gus gussie
bartholomew: bart
benjamin: ben benny benji benjy
bernard: bernie barney
bradley: brad
calvin: cal
charles: charlie charley chuck chas chaz chip
christopher: chris kris kit topher
clifford: cliff
daniel: dan danny
david: dave davey davy
dominic: dom dominick
donald: don donnie donny
douglas: doug dougie
edward: ed eddie eddy ned ted teddy
ernest: ernie
eugene: gene
ezekiel: zeke
francis: frank frankie franky
frederick: fred freddie freddy frederic
geoffrey: geoff
gerald: gerry jerry
gregory: greg
henry: harry hank hal
herbert: herb herbie
howard: howie
isaac: ike
jacob: jake
james: jim jimmy jimmie jamie jem
jeffrey: jeff
jeremy: jez
john: johnny johnnie jack
jonathan: jon jonny jonty
joseph: joe joey
joshua: josh
kenneth: ken kenny
lawrence: larry laurence
leonard: len lenny
louis: lou
martin: marty
matthew: matt matty
maximilian: max maxi
michael: mike mikey mick mickey micky mikie michi
mitchell: mitch
montgomery: monty
mortimer: morty
nathan: nate
nathaniel: nat
nicholas: nick nicky nicko nicolas
norman: norm
oliver: ollie olly
percival: percy
peter: pete
philip: phil pip phillip
raymond: ray
reginald: reg reggie
richard: dick dicky rick ricky rich richie ritchie
robert: bob bobby rob robbie robby rab rabbie
rodney: rod
roger: rog
ronald: ron ronnie
russell: russ rusty
samuel: sam sammy
sebastian: seb basti
solomon: sol
stanley: stan
stephen: steve stevie steven
sylvester: sly
terence: terry terrence
theodore: theo
thomas: tom tommy tommie thom
timothy: tim timmy
tobias: toby
victor: vic
vincent: vince vinny vin
walter: walt wally
wesley: wes
wilfred: wilf
william: bill billy billie will willy willie wills
zachary: zach zack zak

# English, female
abigail: abby abbie
amanda: mandy manda
angela: angie
antonia: toni
barbara: barb barbie babs
cassandra: cassie
constance: connie
cynthia: cindy
deborah: deb debbie debby debra
dorothy: dot dottie dolly
eleanor: ellie nell nellie
elizabeth: liz lizzie lizzy beth betty bettie betsy bess bessie eliza elsie libby lilibet
evelyn: evie
florence: flo flossie
frances: fran frannie fanny
gertrude: gertie trudy
gillian: gill gilly
gwendolyn: gwen
harriet: hattie
henrietta: hettie etta
isabella: bella izzy issy
jacqueline: jackie jacqui jacky
jennifer: jen jenny jenn
joanna: jo joanne
josephine: josie
judith: judy
katherine: kate katie katy kathy cathy kath cath kat kitty
katherine: catherine kathryn katharine catharine kathrine
kimberly: kim kimberley
margaret: peggy maggie meg madge marge margie maisie
mary: molly polly mamie
matilda: tilly tillie mattie mathilda
melanie: mel
melissa: missy lissa
natalie: natty
olivia: liv livvy
pamela: pam
patricia: pat patty pattie trish tricia patsy
penelope: penny
philippa: pippa
priscilla: cilla
prudence: prue
rebecca: becky becca bex
samantha: sammie
sandra: sandy
susan: sue susie suzy
theresa: tess tessie teresa
valerie: val
victoria: vicky vicki vickie tori
virginia: ginny ginger
winifred: winnie

# German
elisabeth: liesl lieschen lisbeth sissi elli
franz: franzl
franziska: franzi
friedrich: fritz friedel
gabriele: gabi gaby
gottfried: götz
heinrich: heinz hein heini hinnerk
joachim: jochen achim
johannes: hans hannes hänschen
josef: sepp seppl seppi jupp
karl: kalle karli
katharina: kathi käthe
ludwig: lutz
magdalena: leni
margarete: grete gretel gretchen margarethe
rudolf: rudi
siegfried: sigi
stefanie: steffi
susanne: susi
theresia: resi
ulrich: ulli uli
ursula: uschi ulla
wilhelm: willi

# Latvian
jānis: jancis

# Russian (compared through the transliteration)
александр: шура саня
алексей: лёша алёша alexey alexei aleksei
анастасия: настя anastasia
владимир: володя вова
дмитрий: дима митя dmitry dmitri dmitrii
евгений: женя evgeny yevgeny evgenii
екатерина: катя yekaterina
иван: ваня
михаил: миша
мария: маша
наталья: наташа natalia
николай: коля nikolai
ольга: оля
павел: паша
пётр: петя pyotr
светлана: света
сергей: серёжа sergei
татьяна: таня tatiana
юрий: юра yuri yury yurii

# Greek (compared through the transliteration)
ιωάννης: γιάννης
κωνσταντίνος: κώστας
αικατερίνη: κατερίνα
"""


def _parse(table: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries: list[tuple[str, tuple[str, ...]]] = []
    for raw in table.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        formal, _, names = line.partition(":")
        entries.append((formal.strip(), tuple(names.split())))
    return tuple(entries)


@cache
def nickname_table() -> dict[str, str]:
    """Name key → key of the formal name (formal names map to themselves).

    Keys are match keys, transliterated for Cyrillic and Greek names. The first
    occurrence of a name wins (the table has none twice: a test checks it).
    """
    table: dict[str, str] = {}
    for formal, names in _parse(NICKNAME_TABLE):
        # a formal name listed as another's spelling (aleksandr) keeps that mapping
        formal_key = table.setdefault(given_name_key(formal), given_name_key(formal))
        for name in names:
            table.setdefault(given_name_key(name), formal_key)
    return table


def given_name_key(name: str) -> str:
    """The key a given name is looked up by: its match key, transliterated for Cyrillic
    and Greek (``Саша`` → ``sasha``).

    >>> given_name_key("Käthe"), given_name_key("Саша")
    ('kaethe', 'sasha')
    """
    return transliterate(name) if is_cyrillic_or_greek(name) else fold(
        name, expand_umlauts=True)


def formal_name(key: str) -> str | None:
    """The formal name a given-name key stands for, or ``None`` if it is not in the table.

    >>> formal_name("bob"), formal_name("sasha"), formal_name("hans"), formal_name("xyz")
    ('robert', 'alexander', 'johannes', None)
    """
    return nickname_table().get(key)
