#!/usr/bin/env python3
"""Imports VADER's English sentiment lexicon into Switchboard lexicon files.

    python3 scripts/import-vader.py                  # download the pinned package from PyPI, write the files
    python3 scripts/import-vader.py --archive FILE   # use a wheel/sdist already on disk (offline)
    python3 scripts/import-vader.py --check          # exit 1 if the files on disk differ from what would be written

Source: the PyPI package `vaderSentiment` (pinned below), file vaderSentiment/vader_lexicon.txt:
one token per line, tab-separated: token, mean valence (the mean of ten human ratings from -4 to +4),
standard deviation, the ten raw ratings. License: MIT, Copyright (c) 2016 C.J. Hutto (the LICENSE text
is read from the package and its copyright line checked; the full text is in Rules/lexicons/README.md).

It writes, under Rules/lexicons/:

    vader-negative-strong.txt   mean valence <= -2.0
    vader-negative-mild.txt     -2.0 < mean valence <= -1.3
    vader-positive.txt          mean valence >= +2.0

Why these bounds. +-2.0 is half of VADER's scale: words the raters found, on average, clearly
charged. A first cut for mild was -1.2, but the -1.2 band (181 words), read in full, is dominated by
words a neutral support message contains (no, stop, missing, missed, refuse, refused, lower,
pressure, critical, complaint, suspect, uncertain, warnings, worn, obsolete, defer, interrupted,
limitation, cuts, exclusion, ...): its few tone words (worried, impatient, pesky, aggravating) do
not pay for that, so mild starts at -1.3.
Between -1.3 and +2.0 nothing is imported: VADER's mildly positive words (good, nice, ok, like, help,
thanks) are exactly the politeness a support inbox is full of.

Filters, in this order, each documented where it is defined:
  1. only words: ASCII letters, optionally joined by an inner apostrophe or hyphen (WORD); emoticons,
     punctuation and digit tokens are dropped: Switchboard matches any term that does not start and end
     with an ASCII letter/digit as a SUBSTRING, so ":/" would fire inside every URL;
  2. at least MIN_LETTERS letters: VADER's one- and two-letter tokens are chat shorthand or emoticon
     letters (l, xd, xp, po, qq, dx, fu, bl, wd, ...) that collide with sizes, codes and abbreviations;
  3. not in EXCLUDE: words whose charged reading is not the usual one in a support message (see there);
  4. the valence bands above.
Terms are the tokens in lower case, exactly as VADER lists them: no inflected forms are invented (VADER
lists many forms itself; a form it does not list is not added). When a token occurs twice, the last line
wins, as in VADER's own loader.

Standard library only. The output is sorted and deterministic, so re-running changes nothing unless the
pin, the bounds or EXCLUDE change. To drop a word: add it to EXCLUDE (in the right group, with why) and
re-run; never edit the generated files by hand.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from decimal import Decimal

PACKAGE = "vaderSentiment"
VERSION = "3.3.2"  # the newest release on PyPI (checked with `pip index versions vaderSentiment`)
LEXICON_MEMBER = "vaderSentiment/vader_lexicon.txt"
# sha256 of vader_lexicon.txt in vaderSentiment 3.3.2 (the same file in the wheel and the sdist): a changed
# file under the same version fails loudly instead of silently changing the lexicons.
LEXICON_SHA256 = "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5"
COPYRIGHT_LINE = "Copyright (c) 2016 C.J. Hutto"

STRONG_NEGATIVE_MAX = Decimal("-2.0")  # strong: valence <= -2.0
MILD_NEGATIVE_MAX = Decimal("-1.3")  # mild: -2.0 < valence <= -1.3
POSITIVE_MIN = Decimal("2.0")  # positive: valence >= 2.0
MIN_LETTERS = 3
MAX_TERM_BYTES = 1000  # Switchboard's limit per term, after folding

WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEXICON_DIR = os.path.join(REPO, "Rules", "lexicons")


def words(text):
    return set(text.split())


# ---------------------------------------------------------------------------------------------------------
# EXCLUDE: words VADER rates as charged whose charged reading is NOT what they usually mean in a message to
# support. A support message reports facts ("payment failed", "screen broken", "item damaged"), asks
# ("how do I avoid the fee?", "is this email a scam?") and requests ("please ignore my last email"); none of
# that says the customer is angry or happy. Every candidate list (strong, mild, positive) was read in full,
# word by word; a word is excluded when a neutral question, request or factual report would commonly
# contain it. Generous on purpose: a missed cue costs little (the hand-written lexicons still fire), a
# false one moves routing. The groups only document why; EXCLUDE is their union and applies to all three
# files. Entries that VADER does not list (issue, cancel, refund, ...) are kept so that a later version
# or a lower threshold cannot bring them in.
# ---------------------------------------------------------------------------------------------------------

# The routine vocabulary of support: problems, failures, errors, billing, accounts, shipping, waiting, and
# the softeners of a factual report: "the payment failed", "wrong size", "502 Bad Gateway", "badly
# damaged in transit", "is this email fake?", "the problem lies in", "having trouble logging in",
# "account suspended", "card declined/refused", "dispute a charge", "poor signal", "weak password",
# "critical update", "sorry to bother you", "no worries", "unfortunately"/"sadly" + a fact.
ROUTINE_SUPPORT = words("""
    problem problems prblm prblms problematic problematical issue issues error errors erroneous
    no not stop cancel cancelled canceled charge charged refund refunds pay paid lost lose loses losing
    loss losses missing missed hard kill killed block blocked blocking delay delayed wait waiting
    help please sorry apology apologies question questions care cares want like ok okay okays aok fine
    yes thanks thank free sure well pretty honest honestly true clear easy play god lol haha hahaha
    fail fails failed failing failure failures fault faults faulted faulting faulty faultiness
    broken broke damage damaged damages defect defects defective defectives crash
    wrong mistake mistakes mistaken mistakenly accident accidents accidentally
    trouble troubles difficult difficulty difficulties struggle struggled struggles struggling
    confused confuses confusion misunderstand misunderstanding misunderstands misunderstood misinterpreted
    denied deny denies denying refuse refused refusing reject rejected rejecting rejection rejections
    rejects rejectee dispute disputed disputing
    suspended suspend banned ban restrict restricted restricting restricts forbid forbids forbidden
    disqualified excluded exclusion unapproved unsettled unfulfilled unsuccessful unsuccessfully
    unsupported penalty debt hardship defer detain detained detention
    stolen steal steals stealing scam scams fraud fraudulent spam spammer spammers spamming
    hacked infected exploited exploits exploiting
    suspicious suspicion suspicions suspect suspects threat threats attack attacks attacked attacker
    attackers attacking abuse abuses abused
    uncertain uncertainly uncertainness uncertainties uncertainty doubt doubts
    lack inability limitation lower lowest lowermost lowness weak weaker weakest weaken weakened weakens
    weakening weakness weaknesses weakly poor
    severe severely severed critical emergency warning warnings alarm
    negative odd strangely disappears hiding ignore ignored ignoring
    complain complained complains complaint complaints
    forced abandon abandoned abandoning abandons abandonments
    avoid avoided avoiding avoidance bother bothering
    inconvenience inconvenient unfortunately unfortunate regrettably sadly
    interrupt interrupted interrupting interruption interruptions interrupts interrupters interruptible
    interruptive interruptor disruption disruptions disruptive
    isolated isolates isolation drained worn loose leak leaked overload overweight
    pressure pressures tension tensions tensioner tensioning strains straining strained
    crushed crushes crushing shattered cuts discarded fallen distort distorted distorts
    ticked dupe sluggish stuttering unstable insecure unprotected unsecured unfocused
    resign resigns resignation resignations resigner strikes riskier riskiest
    hesitated hesitates hesitating hesitantly hesitatingly hesitater hesitaters
    unimportant waste worry worries
    bad badly fake lies
""")

# Technical vocabulary: error messages, logs and status pages use these words without any feeling
# ("fatal error", "kernel panic", "access violation", "core dump", "merge conflict", "invalid argument",
# "degraded performance", "disaster recovery", "destroy the instance", "non-destructive edit",
# "quota exhausted", "obstacle avoidance", "energized circuit", "lazy loading", "stress test").
TECHNICAL = words("""
    fatal panic panics illegal violate violated violates violating violation violations violator
    violators violater violaters dump dumps dumped dumping dumper deadlock conflict conflicts conflicting
    argument arguments mock mocked mocking obsolete lag lags lagged degrade degraded degrades degrading
    degradation degradations degrader degraders degradative disabling collapse collapses collapsing
    lazy stress stresses manipulation manipulating misbehave misbehaves misbehaving misbehaved
    exhaust exhausted exhaustion exhauster exhausters trustless anti bsod doa dx nfc trap
    offending disturb disturbance disturbances gross trickiest trickiness
    disaster disasters destroy destroys destroyed destroying destruct destructs destructing destructive
    aggressively inhibit inhibitive obstacle obstacles energise energised energises energize energized
    energizes energizing
""")

# Safety, health and loss topics: a report of an injury, an illness or a death is a safety or a topic
# signal (the `safety` lexicon and its urgency signal handle it), not a reading of the customer's tone;
# many of these also occur in neutral questions ("is it poisonous for dogs?", "did it damage the battery?").
SAFETY_HEALTH_LOSS = words("""
    fire fired firing fiery fume dead death die died danger dangers dangerous dangerously dangerousness
    dangered dangering fatality fatalities fatally hurt hurts hurting harm harms harmed harming
    pain pains ache ached sore numb rash sick ill illness illnesses flu tumor cancer allergic inflamed
    injured injury choke choked chokes choking drown drowned drowns trapped poison poisoned poisoning
    poisonings poisonous poisons stab stabbed stabs gun weapon weapons weaponed bomb shock shocks
    irritation irritant irritants irritative disorder dysfunction contagion contagious contagions
    depress depresses depression depressions depressant depressants depressor depressors
    bereave bereaved bereaves bereaving funeral funerals mourning widowed casualty
    grave graves graveyard graveyards gravesides gravers graveless
    heroin heroinism starving unemployment sufferer sufferers victims collision wreck
    eviction foreclosures prison prisoner prisoners
    adverse nagana
""")

# Names, brands, products, acronyms, legal nouns and product descriptions that collide with a charged
# reading: Dick, Rob, Kia, Discord, Riot (games), Excel, Fiesta, Triumph, VIP (a customer tier here), AML
# (anti-money laundering), PO (purchase order), pita bread, deviled eggs, "stubborn stains", "bitter
# taste", "it doesn't suck up dust", "past tense", "dearness allowance", "repeat offender".
COLLISIONS = words("""
    dick rob kia pita amort bfd btd nme mia sin sins discord doom witch obsession excel fiesta triumph
    noble vip aml tia sete slaw vbs wd nh bl ly blockbuster energizer supreme superior tops sweets sweet
    jewels rich joy hero heroes pukka radiant hand heart hearts
    deviled devilled deviling devilling darkest crude nuts blind whine ghost gag slam smear
    grime grimy grimed grimier griminess dirt dirty dirtier dull dulled decay shoot screwed screwer
    robing mlm atab flop flops cheat cheats cheating cheater cheaters infringement prejudice beating
    spite fatigues nerd horror horrors uninvolved
    riot suck tense stubborn bitter bitterness bittered bitterer bitterish lowery dearness excels fab
    paradise inspire offence offences offense offenses offender offenders
""")

# Games and media: "battle", "war", "weapon", "enemy", "kill", "combat", "champion" describe the product.
GAMES_MEDIA = words("""
    battle battled battles battlefield battlefront battleground combat fight fights fighting fightings
    war wars warred warfare warfares enemy enemies killer killers killing killings kills killingly
    champ champion champions championships romance
    destroyer destroyers
""")

# Positive words that are routine in support, product and billing language, not praise: "license
# agreement", "pending approval", "sign-up bonus", "effective date", "dedicated server", "interest rate",
# "outstanding balance", "loyalty points", "rewards program", "payment successful", "save button",
# "strong password", "trusted device", "honor the warranty", "refer a friend", "user-friendly"
# (a hyphen is a word boundary), "price-wise", "won't" (the apostrophe is a boundary too: "won"),
# "I'm hopeful you can", "in all honesty", "heaven forbid", "I've been a loyal customer" (a complaint).
ROUTINE_POSITIVE = words("""
    acceptance agreement approval award awards awardable benefit beneficiary bonus bonuses
    brightened brightening brightest comfortable confidence confident confidently creditworthy dedicated
    earnest effective engagement ethical fav favorite festival festive festivities free freedom freeing
    gain gently goodness grand graceful gracefully ideal improved improvement intellectual intelligence
    intelligent intelligently interest justice liberty liberties loyal loyally loyalty luck luckily
    medal optimize optimized optimizers optimizing outstanding passion peace positive positives
    positively precious prize prizes prizewinner prizewinners relaxation relaxed relaxing relief rescue
    respect respecting reward rewards rewarded rewardable safely satisfy save securest sophisticated
    strength strengthening strengthens strong succeed succeeding succeeds success successes successful
    successfully successfulness survived talents trust trusted trusts valuable valuables warmth wealth
    win wins won winner winners winning winnings wisdom wise attraction charities celebrate celebrated
    celebrates celebrating honor honors honored honoring honour honours honoured honouring honoree
    honorees friend friends friendly beauty beauties lover lovers sweetness jollies
    ambitious attracting favorable favorableness motivated hopeful honesty heaven
""")

# Politeness, greetings and closings: politeness alone must never read as praise ("I would be grateful if",
# "any help appreciated", "kind regards", "best regards", "have a pleasant day", "Sincerely", "Cheers",
# "happy to provide more details", "I'd love to know", "Merry Christmas", "thanks in advance",
# "have a wonderful weekend"; real praise keeps its phrases in the `praise` lexicon).
POLITENESS = words("""
    thanks thank please appreciate appreciated appreciates appreciation appreciative appreciator
    welcome welcomeness kind kindly kinder kindness kindnesses grateful gratefully gratefulness gratitude
    thankful thankfullest thankfulness sincerely sincerer sincerest best dearest glad happy happily
    pleasant pleasantry pleasure heartfelt enjoy enjoying cheer cheers bless blessed blesseder blessedest
    blesser blesses blessing blessings merry merriest hug hugs hugz kisses love lovely prosperous
    encourage enlighten tyvm tia sgtm ywia
    excellency excellencies festivity festively festiveness
    wonderful
""")

# Acknowledgements and words common in sarcasm. "great" is excluded on purpose: in a support inbox it is
# mostly a plain acknowledgement ("great, thanks", "ok great") or a request ("it would be great if you
# could ..."), and the most common word of sarcasm ("great, another outage"); real praise still fires
# through the `praise` lexicon's phrases ("great service", "great job"). The same holds for the other
# closers here ("perfect, thanks", "awesome, thanks", "brilliant, cheers", "super" is also an
# intensifier: "super slow"), for laughter and for "wow" ("wow, still not fixed").
ACKNOWLEDGEMENT_SARCASM = words("""
    great awesome perfect perfectly brilliant super wow woo wtg laugh laughed laughing laughs laughingly
    laughter laughters haha hahaha bwahahah lol lolz lulz lmao lmfao lmso rofl roflcopter roflmao rotfl
    rotflmao rotflmfao rotflol rotgl alol
""")

# Chat shorthand and terms of endearment: ambiguous, affectionate or a sign-off rather than a rating of
# the service (the emoticon-like x-d / x-p pass the word test, so they are listed here).
CHAT_SHORTHAND = words("""
    aas aayf ambw amor bff fwb gla gj hagd hagn hhoj ilu iluaaf ily iyq kfy kmuf lya lyb lyl lylab lylas
    mml muah mwah ptl sfete swak tgif vbg vwd vwp xoxo xoxozzz xd xp x-d x-p sweetheart sweethearts
    sweetie sweeties
    darling darlings dearie
""")

EXCLUDE = (ROUTINE_SUPPORT | TECHNICAL | SAFETY_HEALTH_LOSS | COLLISIONS | GAMES_MEDIA | ROUTINE_POSITIVE
           | POLITENESS | ACKNOWLEDGEMENT_SARCASM | CHAT_SHORTHAND)

OUTPUTS = [
    # (file, title, rule, selector)
    ("vader-negative-strong.txt", "VADER strong negative words",
     f"mean valence <= {STRONG_NEGATIVE_MAX}",
     lambda v: v <= STRONG_NEGATIVE_MAX),
    ("vader-negative-mild.txt", "VADER mild negative words",
     f"{STRONG_NEGATIVE_MAX} < mean valence <= {MILD_NEGATIVE_MAX}",
     lambda v: STRONG_NEGATIVE_MAX < v <= MILD_NEGATIVE_MAX),
    ("vader-positive.txt", "VADER positive words",
     f"mean valence >= {POSITIVE_MIN}",
     lambda v: v >= POSITIVE_MIN),
]


def fail(message):
    sys.exit(f"import-vader: {message}")


def download(directory):
    """The pinned package from PyPI, through pip; wheel or sdist, whichever pip picks."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":none:",
               f"{PACKAGE}=={VERSION}", "-d", directory]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        fail(f"pip download failed ({' '.join(command)}):\n{result.stdout}")
    archives = [os.path.join(directory, name) for name in sorted(os.listdir(directory))
                if name.endswith((".whl", ".tar.gz", ".zip"))]
    if len(archives) != 1:
        fail(f"expected one archive from pip, found {archives}")
    return archives[0]


def read_members(archive):
    """{path inside the archive: bytes} for the lexicon and the license."""
    wanted = {}
    if archive.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                wanted[name] = lambda name=name, z=z: z.read(name)
            return pick(wanted)
    with tarfile.open(archive) as t:
        for member in t.getmembers():
            if member.isfile():
                wanted[member.name] = lambda member=member, t=t: t.extractfile(member).read()
        return pick(wanted)


def pick(readers):
    lexicon = [n for n in readers if n == LEXICON_MEMBER or n.endswith("/" + LEXICON_MEMBER)]
    licenses = [n for n in readers if re.search(r"(^|/)LICEN[CS]E(\.txt|\.md)?$", n, re.I)]
    if len(lexicon) != 1:
        fail(f"{LEXICON_MEMBER} not found once in the archive (found {lexicon})")
    if not licenses:
        fail("no LICENSE file in the archive")
    return lexicon[0], readers[lexicon[0]](), licenses[0], readers[licenses[0]]()


def check_license(text):
    if "Permission is hereby granted, free of charge" not in text or "MIT" not in text:
        fail("the package's LICENSE is no longer the MIT license: review before importing")
    if COPYRIGHT_LINE not in text:
        fail(f"the package's LICENSE no longer says '{COPYRIGHT_LINE}': update COPYRIGHT_LINE and the README")


def parse_lexicon(text):
    """[(token, valence)], tokens lower-cased, the last line winning for a repeated token."""
    entries = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            fail(f"{LEXICON_MEMBER}:{number}: expected token<TAB>valence, got {line!r}")
        token = fields[0].strip().lower()
        entries.pop(token, None)
        entries[token] = Decimal(fields[1].strip())
    return list(entries.items())


def fold(term):
    """Switchboard's folding, as far as it concerns ASCII words: NFKC, lower case, invisible characters
    removed (format/control characters, Hangul fillers), white space runs collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", term).lower()
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc") and c not in "\u115f\u1160\u3164\uffa0")
    return " ".join(text.split())


def select(entries):
    """{file: [terms]} plus the counts of what each filter dropped."""
    chosen = {name: [] for name, *_ in OUTPUTS}
    dropped = {"not a word": 0, f"shorter than {MIN_LETTERS} letters": 0, "EXCLUDE": 0}
    for token, valence in entries:
        in_band = [name for name, _, _, test in OUTPUTS if test(valence)]
        if not in_band:
            continue
        if not WORD.fullmatch(token):
            dropped["not a word"] += 1
        elif sum(c.isalpha() for c in token) < MIN_LETTERS:
            dropped[f"shorter than {MIN_LETTERS} letters"] += 1
        elif token in EXCLUDE:
            dropped["EXCLUDE"] += 1
        else:
            chosen[in_band[0]].append(token)
    return {name: sorted(terms) for name, terms in chosen.items()}, dropped


def verify(chosen):
    seen = {}
    for name, terms in chosen.items():
        if not terms:
            fail(f"{name} would have no terms")
        for term in terms:
            folded = fold(term)
            if not folded:
                fail(f"{name}: {term!r} folds to nothing")
            if folded != term:
                fail(f"{name}: {term!r} is not in folded form ({folded!r})")
            if len(folded.encode("utf-8")) > MAX_TERM_BYTES:
                fail(f"{name}: {term!r} is longer than {MAX_TERM_BYTES} bytes")
            if not (term[0].isascii() and term[0].isalnum() and term[-1].isascii() and term[-1].isalnum()):
                fail(f"{name}: {term!r} would match as a substring, not on word boundaries")
            if term in seen:
                fail(f"{term!r} is in both {seen[term]} and {name}")
            seen[term] = name


def render(name, title, rule, terms, lexicon_sha):
    header = [
        f"# {title} ({name[:-4]}): {rule}. {len(terms)} terms.",
        f"# source: PyPI package {PACKAGE} {VERSION}, file {LEXICON_MEMBER} (sha256 {lexicon_sha}).",
        f"# license: MIT, {COPYRIGHT_LINE}; the license text is in lexicons/README.md.",
        f"# conversion: a VADER token becomes a term when it is a word (ASCII letters, optionally joined by an",
        f"#   inner apostrophe or hyphen; emoticons and punctuation dropped), has at least {MIN_LETTERS} letters, is not",
        f"#   in EXCLUDE of scripts/import-vader.py (routine support, technical, safety/health, name/brand,",
        f"#   game, politeness and acknowledgement words) and its mean valence (column 2) is in the band:",
        f"#   {rule}. Terms are VADER's tokens in lower case; no inflected forms are added.",
        f"#   A token listed twice takes its last line's valence (as VADER's loader does).",
        "# All terms are ASCII words, so they match on word boundaries.",
        "# generated by scripts/import-vader.py; do not edit by hand — add exclusions to the script",
        "",
    ]
    return "\n".join(header + terms) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="a vaderSentiment wheel or sdist already downloaded (skips pip)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    parser.add_argument("--output", default=LEXICON_DIR, help="directory to write to (default Rules/lexicons)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="import-vader-") as tmp:
        archive = args.archive or download(tmp)
        lexicon_path, lexicon_bytes, license_path, license_bytes = read_members(archive)
    lexicon_sha = hashlib.sha256(lexicon_bytes).hexdigest()
    if lexicon_sha != LEXICON_SHA256:
        fail(f"{lexicon_path} has sha256 {lexicon_sha}, expected {LEXICON_SHA256} for {PACKAGE} {VERSION}")
    check_license(license_bytes.decode("utf-8"))

    entries = parse_lexicon(lexicon_bytes.decode("utf-8"))
    chosen, dropped = select(entries)
    verify(chosen)

    stale = 0
    for name, title, rule, _ in OUTPUTS:
        path = os.path.join(args.output, name)
        text = render(name, title, rule, chosen[name], lexicon_sha)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if args.check:
            if current != text:
                print(f"{path}: out of date")
                stale += 1
            continue
        if current != text:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print(f"{path}: {len(chosen[name])} terms{'' if current != text else ' (unchanged)'}")
    print(f"{PACKAGE} {VERSION}: {len(entries)} tokens; in a band but dropped: "
          + ", ".join(f"{reason} {count}" for reason, count in dropped.items()))
    listed = {token for token, _ in entries}
    print(f"EXCLUDE: {len(EXCLUDE)} words, {len(EXCLUDE - listed)} of them not in VADER's lexicon (kept as guards)")
    if stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
