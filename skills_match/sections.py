"""Document structure of adverts, course pages and people's words: sections, boilerplate, negation.

The model is line based, because that is how adverts and course pages are written:

* A text is read line by line. A line is a **heading** when it is short, has no closing full
  stop and :func:`classify_heading` maps it to a section. A heading made only of heading words
  ("Main duties of the job", "WHAT WE OFFER", "## Requirements") opens its section whatever
  its case; a line that also carries other words ("Excellent Communication Skills:") only
  counts when it is marked as a heading (a trailing colon, markdown ``#``/``**bold**`` or
  ALL CAPS), and its words are kept as content. A line opening with a known heading and a
  colon ("Desirable: knowledge of SQL", "Pay: £24,000") puts that one line in the section;
  the next line is back in the enclosing section, since such fields are one-liners.
  Unknown headings keep the current section: a sub-heading "Our values" under "About us"
  is still about us, and a job title is content.
* Every other non-blank line is content: bullets (•, -, *, ·, ▪, "1.", "a)") are list items,
  each line break ends an item, and lines are split into sentences with care for
  abbreviations ("e.g.", "Dr."), dotted names ("Node.js", ".NET", "3.11"), URLs and emails.
  A run-on line is cut at ";" or "," so no sentence passes :data:`MAX_WORDS` words.
* A sentence is **boilerplate** when its section never yields skills (:data:`SKIPPED`) or
  when it is itself an instruction to applicants: contact lines, pay, dates, reference
  numbers, equal-opportunity and vetting statements, cookie notices. The duties "Answer calls
  and emails from customers" are not boilerplate: only words addressed to applicants are.
* A sentence's **requirement** comes from its own words ("would be an advantage",
  "you must") or else from its section (essential/entry -> "essential", desirable ->
  "desirable").
* :func:`negated` tells whether one mention in a sentence is negated: a cue before it in the
  same clause ("no experience of Python needed") or after it ("SQL is not required"), with
  clauses cut at punctuation and words such as "but" and "however", and with "not essential
  but would be a bonus" read as optional rather than negated.

Example::

    >>> [s.section for s in split("Essential criteria\\n• GCSE Maths\\nDesirable: SQL")]
    ['essential', 'essential', 'desirable']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = [
    "CLAUSE_BREAKS",
    "DESIRABLE_MARKERS",
    "ESSENTIAL_MARKERS",
    "MAX_WORDS",
    "NEGATION_CUES",
    "POST_NEGATION_CUES",
    "PSEUDO_NEGATIONS",
    "SECTIONS",
    "SKIPPED",
    "Sentence",
    "classify_heading",
    "html_to_text",
    "negated",
    "split",
]

SECTIONS: tuple[str, ...] = (
    "body",
    "summary",
    "duties",
    "essential",
    "desirable",
    "learning",
    "entry",
    "benefits",
    "about",
    "apply",
    "contact",
    "equality",
    "admin",
)
SKIPPED: frozenset[str] = frozenset({"benefits", "about", "apply", "contact", "equality", "admin"})

# Sentence embeddings degrade (and cost more) on long inputs; adverts pasted from PDFs often
# have whole paragraphs without a full stop.
MAX_WORDS = 60
# Headings are short; longer lines are sentences even when they end with a colon.
MAX_HEADING_WORDS = 8
MAX_PURE_HEADING_WORDS = 10
MAX_INLINE_HEADING_WORDS = 5


@dataclass(frozen=True)
class Sentence:
    """One sentence or list item of a text, with where it sits in the document."""

    start: int
    end: int
    text: str
    section: str
    heading: str | None
    boilerplate: bool
    requirement: str | None


# -- headings ------------------------------------------------------------------------------

# Ordered: the first section with a phrase in the heading wins, so the more specific reading
# comes first ("Nationality requirements" is vetting, not a requirement; "Skills you'll gain"
# is course content; "Apply and further information" is applying).
_HEADING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "equality",
        (
            "equality",
            "equal opportunities",
            "equal opportunity",
            "diversity",
            "inclusion",
            "inclusive",
            "edi",
            "dei",
            "safeguarding",
            "dbs",
            "disclosure and barring",
            "criminal record",
            "criminal records",
            "sponsorship",
            "certificate of sponsorship",
            "visa",
            "visas",
            "immigration",
            "right to work",
            "nationality",
            "disability confident",
            "disability",
            "reasonable adjustments",
            "adjustments",
            "things you need to know",
            "security",
            "security clearance",
            "vetting",
            "uk registration",
            "armed forces",
            "guaranteed interview",
            "civil service code",
            "fair and open competition",
            "our commitment",
        ),
    ),
    (
        "contact",
        (
            "contact",
            "contacts",
            "contact us",
            "contact details",
            "contact point",
            "enquiries",
            "get in touch",
            "email",
            "e mail",
            "telephone",
            "phone",
            "tel",
            "recruiter",
        ),
    ),
    (
        "apply",
        (
            "apply",
            "applying",
            "how to apply",
            "application",
            "applications",
            "application process",
            "application question",
            "application questions",
            "closing date",
            "closing",
            "deadline",
            "interview",
            "interviews",
            "interview date",
            "selection",
            "selection process",
            "recruitment process",
            "hiring process",
            "shortlisting",
            "assessment process",
            "assessment centre",
            "next steps",
            "what happens next",
        ),
    ),
    (
        "contact",
        ("further information", "more information", "further details", "informal discussion"),
    ),
    (
        "admin",
        (
            "reference",
            "reference number",
            "ref",
            "job reference",
            "vacancy reference",
            "job ref",
            "job id",
            "job type",
            "job types",
            "contract type",
            "contract",
            "type of contract",
            "employment type",
            "location",
            "locations",
            "work location",
            "job location",
            "where you will work",
            "where you will be based",
            "schedule",
            "date posted",
            "posted",
            "working pattern",
            "number of jobs",
            "number of jobs available",
            "number of posts",
            "length of employment",
            "duration",
            "start date",
            "start dates",
            "department",
            "directorate",
            "type of role",
            "region",
            "job category",
            "category",
            "sector",
            "industry",
            "job details",
            "vacancy details",
            "key details",
            "key facts",
            "privacy",
            "privacy notice",
            "cookies",
            "data protection",
            "study mode",
            "mode of study",
            "delivery mode",
            "course length",
            "timetable",
            "venue",
        ),
    ),
    (
        "learning",
        (
            "what you will learn",
            "you will learn",
            "what will i learn",
            "what you will study",
            "what will i study",
            "what you will cover",
            "course content",
            "content",
            "modules",
            "module",
            "curriculum",
            "syllabus",
            "topics",
            "topics covered",
            "key topics",
            "course structure",
            "structure",
            "course outline",
            "learning outcomes",
            "outcomes",
            "units",
            "what is covered",
            "what the course covers",
            "what is included",
            "skills you will gain",
            "skills you will learn",
            "what you will gain",
            "you will gain",
            "assessed",
            "assessment",
            "assessments",
            "how you will be assessed",
            "how you will learn",
            "teaching",
            "teaching and learning",
            "learning",
            "programme content",
        ),
    ),
    (
        "entry",
        (
            "entry requirements",
            "entry requirement",
            "entry criteria",
            "entry",
            "who is this course for",
            "who this course is for",
            "who is the course for",
            "who is it for",
            "is this course for you",
            "who can apply",
            "who can join",
            "who should apply",
            "eligibility",
            "eligible",
            "eligibility criteria",
            "prerequisites",
            "pre requisites",
            "admission requirements",
            "admissions",
            "before you start",
        ),
    ),
    (
        "desirable",
        (
            "desirable",
            "desirable criteria",
            "desired",
            "nice to have",
            "nice to haves",
            "bonus points",
            "bonus skills",
            "preferred",
            "preferable",
            "advantageous",
            "an advantage",
            "plus",
            "pluses",
            "good to have",
            "great to have",
            "ideally",
            "even better",
        ),
    ),
    (
        "essential",
        (
            "essential",
            "essential criteria",
            "person specification",
            "person spec",
            "specification",
            "requirements",
            "requirement",
            "qualifications",
            "qualification",
            "licence",
            "license",
            "certification",
            "certifications",
            "experience",
            "knowledge",
            "skills",
            "skill",
            "skillset",
            "competencies",
            "competences",
            "competency",
            "behaviours",
            "behaviors",
            "technical skills",
            "criteria",
            "about you",
            "who you are",
            "what we are looking for",
            "who we are looking for",
            "looking for",
            "what you need",
            "what you will need",
            "you will need",
            "what we need",
            "what you will bring",
            "you will bring",
            "will have",
            "you should have",
            "ideal candidate",
            "successful candidate",
            "abilities",
            "attributes",
            "personal qualities",
            "qualities",
            "must have",
            "must haves",
            "strengths",
            "capabilities",
            "expertise",
            "is this you",
            "what it takes",
        ),
    ),
    (
        "benefits",
        (
            "benefits",
            "benefit",
            "perks",
            "perk",
            "what we offer",
            "we offer",
            "what we can offer",
            "what you will get",
            "what you get",
            "in return",
            "reward",
            "rewards",
            "total reward",
            "salary",
            "salary range",
            "pay",
            "pay scale",
            "pay range",
            "supplemental pay",
            "wage",
            "wages",
            "pension",
            "holiday",
            "holidays",
            "annual leave",
            "hours",
            "working hours",
            "hours of work",
            "expected hours",
            "allowance",
            "allowances",
            "package",
            "compensation",
            "remuneration",
            "why work for us",
            "why join us",
            "why choose us",
            "why us",
            "working for us",
            "work for us",
            "what is in it for you",
            "fees",
            "fee",
            "tuition fees",
            "funding",
            "cost",
            "costs",
            "price",
            "financial support",
            "bursary",
            "bursaries",
            "flexible working",
            "wellbeing",
        ),
    ),
    (
        "about",
        (
            "about us",
            "about",
            "who we are",
            "employer details",
            "employer",
            "company",
            "organisation",
            "organization",
            "our values",
            "our mission",
            "our story",
            "our culture",
            "our vision",
            "our purpose",
            "our people",
            "our team",
            "progression",
            "career opportunities",
            "careers",
            "career prospects",
            "where next",
            "what next",
            "further study",
            "after the course",
        ),
    ),
    (
        "duties",
        (
            "duties",
            "main duties",
            "key duties",
            "responsibilities",
            "responsibility",
            "responsible",
            "job description",
            "role description",
            "what you will do",
            "what you will be doing",
            "what will you do",
            "what will you be doing",
            "what the role involves",
            "what the job involves",
            "the role involves",
            "day to day",
            "tasks",
            "key tasks",
            "accountabilities",
            "your role",
            "in this role",
            "in the role",
            "activities",
            "a typical day",
            "your day",
            "job role",
        ),
    ),
    (
        "summary",
        (
            "summary",
            "overview",
            "job purpose",
            "role purpose",
            "purpose of the role",
            "purpose of the post",
            "main purpose",
            "job advert",
            "advert",
            "description",
            "the role",
            "the job",
            "the post",
            "the position",
            "the opportunity",
            "the vacancy",
            "introduction",
            "highlights",
        ),
    ),
)

# Words that may sit in a heading beside its key phrase without making it a sentence:
# "Main duties of the job", "Contact point for applicants", "Skills required".
_HEADING_FILLERS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "with",
        "by",
        "from",
        "as",
        "our",
        "your",
        "my",
        "their",
        "this",
        "these",
        "job",
        "jobs",
        "role",
        "roles",
        "post",
        "position",
        "vacancy",
        "key",
        "main",
        "core",
        "general",
        "other",
        "additional",
        "further",
        "details",
        "information",
        "process",
        "applicants",
        "candidates",
        "required",
        "include",
        "includes",
        "including",
        "criteria",
        "service",
        "check",
        "checks",
        "scheme",
        "s",
        "what",
        "how",
        "who",
        "why",
        "when",
        "where",
        "which",
        "course",
        "programme",
        "bootcamp",
    ]
)

# "About X" is about the employer unless X is the reader or the role/course itself.
_ABOUT_OTHER = re.compile(
    r"^about (?!(?:you|yourself|the|this|our|your) (?:role|job|post|position|opportunity|"
    r"vacancy|course|programme|bootcamp)\b|you\b|yourself\b)"
)
_ABOUT_ROLE = re.compile(
    r"^about (?:the|this|our) (?:role|job|post|position|opportunity|vacancy|course|programme|"
    r"bootcamp)\b"
)


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """A whole-word alternation of phrases, longest first so the fullest phrase is taken."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


_RULE_PATTERNS = tuple((section, _phrase_pattern(phrases)) for section, phrases in _HEADING_RULES)
_ANY_PHRASE = _phrase_pattern(tuple(p for _, phrases in _HEADING_RULES for p in phrases))

# Contractions expanded before matching, so "What you'll do" and "What you will do" agree.
_CONTRACTIONS = (
    (re.compile(r"\b(you|we|they|i)'ll\b"), r"\1 will"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (re.compile(r"\b(you|we|they|i)'ve\b"), r"\1 have"),
    (re.compile(r"\b(what|who|where|that|it|there|here)'s\b"), r"\1 is"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"'s\b"), ""),
)
_NON_WORD = re.compile(r"[^a-z0-9']+")
# Markdown decoration around a heading: "## Title", "**Title**", "__Title__", "Title:".
_MARKDOWN_HASH = re.compile(r"^#{1,6}\s*")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+?)\1\s*:?$")


def _normalise(text: str) -> str:
    """Lower-case words of a heading with contractions expanded and punctuation dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("&", " and ")
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return " ".join(_NON_WORD.sub(" ", text).replace("'", " ").split())


def _clean_heading(line: str) -> tuple[str, bool]:
    """A heading line without its markdown or colon, and whether it was marked as a heading."""
    text = line.strip()
    marked = False
    hashed = _MARKDOWN_HASH.sub("", text)
    if hashed != text:
        text, marked = hashed, True
    emphasis = _EMPHASIS.match(text)
    if emphasis:
        text, marked = emphasis.group(2).strip(), True
    text = text.strip("*_ \t")
    if text.endswith(":"):
        text, marked = text[:-1].rstrip(), True
    return text, marked


def _rule_section(words: str) -> str | None:
    """The first section whose key phrase occurs in normalised heading words."""
    if _ABOUT_ROLE.match(words):
        return "summary"
    if words.startswith("about you"):
        return "essential"
    for section, pattern in _RULE_PATTERNS:
        if section == "about" and _ABOUT_OTHER.match(words):
            return "about"
        if pattern.search(words):
            return section
    return None


def _is_pure(words: str) -> bool:
    """Whether heading words are only key phrases and filler ("Main duties of the job")."""
    if _ABOUT_OTHER.match(words) or _ABOUT_ROLE.match(words):
        return len(words.split()) <= 5
    rest = _ANY_PHRASE.sub(" ", words).split()
    return all(w in _HEADING_FILLERS or w.isdigit() for w in rest)


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def classify_heading(line: str) -> str | None:
    """The section a heading line opens, or None when the line is not a known heading.

    >>> classify_heading("Main Duties & Responsibilities:")
    'duties'
    """
    text, _marked = _clean_heading(line)
    if not text or text[-1] in ".!;," or len(text.split()) > MAX_PURE_HEADING_WORDS:
        return None
    words = _normalise(text)
    return _rule_section(words) if words else None


def _heading_of(line: str) -> tuple[str, str, bool] | None:
    """(section, clean heading, pure) when a whole line is a heading, else None."""
    if len(line.split()) > MAX_PURE_HEADING_WORDS + 2:
        return None  # cheap exit: most lines are sentences
    text, marked = _clean_heading(line)
    # "Pay: £24,000" is a field with its value (an inline heading), not a heading line.
    if not text or text[-1] in ".!;," or ":" in text:
        return None
    words = _normalise(text)
    if not words:
        return None
    n_words = len(words.split())
    section = _rule_section(words)
    if section is None:
        return None
    if n_words <= MAX_PURE_HEADING_WORDS and _is_pure(words):
        return section, text, True
    if n_words <= MAX_HEADING_WORDS and (marked or _is_all_caps(text)):
        return section, text, False
    return None


# "Desirable: knowledge of SQL", "Pay: £24,000": a short known heading, a colon, then content.
_INLINE = re.compile(r"^([^:\n]{1,60}?)\s*:\s+(?=\S)")


def _inline_heading(line: str) -> tuple[str, str] | None:
    """(section, heading) when a line opens with a known heading and a colon."""
    match = _INLINE.match(line) if ":" in line else None
    if not match:
        return None
    text, _marked = _clean_heading(match.group(1))
    words = _normalise(text)
    if not words or len(words.split()) > MAX_INLINE_HEADING_WORDS or not _is_pure(words):
        return None
    section = _rule_section(words)
    return (section, text) if section else None


# -- lines, bullets and sentences -------------------------------------------------------------

# Any line break, including the Unicode ones pasted text brings along.
_LINE = re.compile(r"[^\r\n\u2028\u2029\x0b\x0c\x85]+")
# A bullet or list number at the start of a line: the marker is not part of the item.
_BULLET = re.compile(
    r"^(?:[•·▪●◦■‣⁃∙➢➤►○\-–—*+]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?(?:ii|iii|iv|vi|vii|viii|ix)[.)])"
    r"\s+"
)
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}|[a-z]|ii|iii|iv|vi|vii|viii|ix)[.)]\s")
# Bullets run together on one line ("Python • SQL • Excel"): only symbols never used in words.
_INLINE_BULLET = re.compile(r"\s+[•▪●◦■‣➢➤►]\s+")
# A candidate sentence end: terminal punctuation, closing quotes/brackets, then whitespace.
_TERMINAL = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_OPENERS = set("\"'“‘([£•")
# Words that end with a dot without ending the sentence ("e.g. Excel", "Dr. Patel",
# "No. 10"). "etc." is not here: followed by a capital it usually does end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "eg",
        "ie",
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "prof",
        "st",
        "no",
        "nos",
        "vs",
        "v",
        "approx",
        "incl",
        "dept",
        "est",
        "cf",
        "al",
        "fig",
        "rd",
        "ave",
        "tel",
        "ext",
        "ref",
        "min",
        "max",
        "sr",
        "jr",
        "govt",
        "univ",
        "assoc",
        "hon",
        "rev",
        "capt",
        "lt",
        "col",
        "sgt",
        "mt",
        "ft",
        "pt",
        "nr",
        "ca",
        "vol",
        "pp",
        "qty",
        "sept",
        "apprx",
    ]
)
_DOTTED_ABBREVIATION = re.compile(r"^(?:[a-z]\.)+[a-z]$")
_WORD = re.compile(r"\S+")
_HAS_WORD = re.compile(r"\w")


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of each non-blank line, trimmed of surrounding whitespace."""
    for match in _LINE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _ends_sentence(text: str, dot: int, after: int, limit: int) -> bool:
    """Whether the punctuation at ``dot`` ends a sentence (the next one starts at ``after``)."""
    if after >= limit:
        return False
    following = text[after]
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    if text[dot] != ".":
        return True
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("([\"'“‘").lower()
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "J. Smith"
    return not (word.replace(".", "") in _ABBREVIATIONS or _DOTTED_ABBREVIATION.match(word))


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside one line (or one inline bullet item)."""
    cursor = start
    for match in _TERMINAL.finditer(text, start, end):
        dot = match.start()
        if _ends_sentence(text, dot, match.end(), end):
            yield from _capped(text, *_trim(text, cursor, match.end()))
            cursor = match.end()
    yield from _capped(text, *_trim(text, cursor, end))


def _capped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A span cut into pieces of at most MAX_WORDS words, at ";" then "," where possible."""
    ends = [m.end() for m in _WORD.finditer(text, start, end)]
    first = 0  # index in ``ends`` of the first word of the remaining span
    while start < end:
        while first < len(ends) and ends[first] <= start:
            first += 1
        if len(ends) - first <= MAX_WORDS:
            yield start, end
            return
        window_end = ends[first + MAX_WORDS - 1]
        window = text[start:window_end]
        cut = -1
        for mark in ("; ", ", "):  # the space keeps "£24,000" whole
            # Not too near the start: a tiny first piece would be as useless as a long one.
            found = window.rfind(mark)
            if found > len(window) // 4:
                cut = start + found + 1
                break
        if cut < 0:
            cut = window_end
        yield _trim(text, start, cut)
        start, end = _trim(text, cut, end)


def _items(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the bullet items run together on one line."""
    cursor = start
    for match in _INLINE_BULLET.finditer(text, start, end):
        yield cursor, match.start()
        cursor = match.end()
    yield cursor, end


# -- boilerplate ---------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A UK phone number: +44 or a leading 0, then 9-10 more digits in groups.
_PHONE = re.compile(r"(?<![\w£.,])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d \t()-]{7,14}\d(?![\d,])")
_URL_ACTION = re.compile(
    r"\b(?:visit|click|apply|see|found|available|website|more|information|details|link|here|"
    r"go to|find out)\b",
    re.IGNORECASE,
)
# Each rule is (trigger words, pattern): a pattern runs only when one of its trigger words
# is a word of the sentence, which keeps split() fast on long adverts.
_BOILERPLATE_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    # Instructions to the reader: "please email", "you can apply", "feel free to call".
    (
        ("please", "kindly", "feel", "hesitate", "can", "may", "welcome", "simply"),
        r"\b(?:please|kindly|feel free to|(?:do not|don['’]t) hesitate to|you (?:can|may|are "
        r"welcome to)|simply)\s+(?:\w+\s+){0,2}?(?:contact|e-?mail|call|phone|ring|telephone|"
        r"write|speak|talk|get in touch|reach out|send|submit|apply|visit|click|go to|upload|"
        r"quote|forward|return|complete|download|refer to|see|note that (?:the )?(?:closing|"
        r"interview|we|this (?:post|role|vacancy)|applications|cvs|if))\b",
    ),
    # "For an informal discussion", "To arrange a visit", "If you would like to discuss".
    (
        (
            "discuss",
            "chat",
            "conversation",
            "visit",
            "info",
            "information",
            "details",
            "enquiry",
            "enquiries",
            "question",
            "questions",
            "queries",
            "more",
        ),
        r"^\W*(?:for|to (?:arrange|request|book|have)|should you (?:wish|want|like|require)"
        r"(?: to)?|if you (?:would like|wish|want) (?:to|an?))\s+(?:an?\s+|any\s+|more\s+|"
        r"further\s+|additional\s+|find out\s+)?(?:informal\s+)?(?:discussion|discuss|chat|"
        r"conversation|visit|information|details|enquir\w*|questions?|queries|info|more)\b",
    ),
    (
        ("questions", "queries"),
        r"\b(?:if you have|should you have|for) any (?:further )?(?:questions|queries)\b",
    ),
    (("informal",), r"\binformal (?:discussions?|chats?|enquir\w*|conversations?|visits?)\b"),
    (
        ("us", "me"),
        r"\b(?:contact|e-?mail|call|phone|ring|telephone|message|write to|speak to|talk to|"
        r"get in touch with)\s+(?:us|me)\s+(?:at|on|via|for|if|today|now|with|to)\b",
    ),
    # Applying.
    (
        ("application", "applications"),
        r"\bapplications? (?:must|should|can|will) (?:be|only be) (?:made|submitted|sent|"
        r"returned|received|considered)\b",
    ),
    (
        ("cv", "c", "application", "letter", "resume", "résumé"),
        r"\b(?:send|submit|email|e-mail|forward|upload) (?:your|a|an|us your) (?:cv|c\.v\.|"
        r"application|covering letter|cover letter|resume|résumé)\b",
    ),
    (
        ("apply",),
        r"\bto apply\b|\bhow to apply\b|\bapply (?:online|now|today|via|through|by|here|at|"
        r"using|on our|for this|for the (?:role|post|position|job))\b",
    ),
    (
        ("pack", "packs", "form"),
        r"\b(?:application (?:form|pack)|candidate pack|job pack|"
        r"applicant pack)s?\b",
    ),
    (
        ("click", "visit"),
        r"\bclick (?:here|the|on|apply)\b|\bvisit (?:our|the) (?:website|"
        r"careers|jobs)\b",
    ),
    # Dates of the process.
    (
        (
            "closing",
            "closes",
            "close",
            "deadline",
            "interview",
            "interviews",
            "shortlisting",
            "posted",
            "advert",
            "vacancy",
        ),
        r"\b(?:closing date|closes on|closing on|application deadline|deadline for "
        r"applications|applications close|interviews? (?:will|are|is|to be|date|dates|"
        r"expected|scheduled|likely)|interview date|date of interview|shortlisting (?:will|"
        r"date)|date posted|posted (?:on|\d+ days? ago)|(?:advert|vacancy) closes?)\b",
    ),
    (
        ("close", "closure", "reserve", "sufficient", "shortlisted", "heard"),
        r"\bclose (?:this|the) (?:vacancy|advert|post|role) early\b|\bclose early\b|"
        r"\bearly closure\b|\breserve the right to close\b|\bsufficient (?:number of )?"
        r"applications\b|\bshortlisted (?:candidates|applicants)\b|\bif you (?:have not|"
        r"haven['’]t) heard\b",
    ),
    # Pay, hours and leave.
    (
        ("£",),
        r"£\s?\d[\d,.]*\s*k?\s*(?:-|–|—|to)\s*£?\s?\d|£\s?\d[\d,.]*\s*k?\s*(?:(?:per|a|an)\s+"
        r"(?:annum|year|yr|week|wk|month|day|hour|hr|session|shift)|p\.?a\.?(?!\w)|p/?h(?!\w)|"
        r"pro[- ]rata|fte|depending|doe(?!\w)|plus benefits)",
    ),
    (
        ("salary", "pay", "wage", "rate", "remuneration"),
        r"^\W*(?:salary|pay|wage|rate of pay|hourly rate|remuneration)\s*(?::|-|–|is|of|"
        r"range|scale|band)\b",
    ),
    (
        ("competitive", "attractive", "excellent", "generous"),
        r"\b(?:competitive|attractive|excellent|generous) (?:salary|pay|rates? of pay|"
        r"package|remuneration|pension|benefits)\b",
    ),
    (
        ("annum", "rata", "agenda"),
        r"\bper annum\b|\bpro[- ]rata\b|\bagenda for change\b",
    ),
    (
        ("leave", "holiday", "holidays"),
        r"\b\d+(?:\.\d+)?\s*days?['’]?\s+(?:of\s+)?(?:annual leave|holidays?|paid holiday)\b",
    ),
    # Equality, vetting, immigration.
    (
        (
            "equal",
            "welcome",
            "disability",
            "guarantee",
            "guaranteed",
            "adjustment",
            "adjustments",
            "diverse",
            "protected",
            "represented",
            "underrepresented",
            "regardless",
        ),
        r"\bequal opportunit(?:y|ies)\b|\bwelcome applications? from\b|\bdisability "
        r"confident\b|\bguaranteed interview\b|\binterview guarantee\b|\breasonable "
        r"adjustments?\b|\bdiverse workforce\b|\bprotected characteristics?\b|\bunder-?"
        r"represented\b|\bregardless of (?:age|race|gender|sex|disability|background|their)\b",
    ),
    (
        ("committed", "safeguarding", "employer", "armed"),
        r"\bcommitted to (?:equality|diversity|inclusion|equal|safeguarding|being an "
        r"inclusive|creating an inclusive)\b|\bsafeguarding and promoting the welfare\b|"
        r"\binclusive employer\b|\bmindful employer\b|\barmed forces covenant\b",
    ),
    (
        ("dbs", "disclosure", "subject"),
        r"\b(?:enhanced |basic |standard )?dbs (?:check|disclosure|clearance)\b|\bdisclosure "
        r"and barring\b|\bsubject to (?:an? )?(?:enhanced |satisfactory |basic )?"
        r"(?:dbs|disclosure|security|vetting|references|pre-employment)\b",
    ),
    (
        ("sponsorship", "right", "skilled", "nationality"),
        r"\b(?:visa|skilled worker) sponsorship\b|\bcertificate of sponsorship\b|\bright to "
        r"work in the uk\b|\bskilled worker (?:visa|route)\b|\bnationality (?:rules|"
        r"requirements)\b|\bcivil service nationality\b",
    ),
    # Reference numbers and job-board fields.
    (
        ("ref", "reference", "requisition", "id", "number", "no"),
        r"\b(?:(?:job|vacancy|post|advert)\s+)?ref(?:erence)?\.?\s*(?:no\.?|number|code|id)?"
        r"\s*[:#]\s*\S*\d|\b(?:job|vacancy|post|advert|requisition)\s+(?:ref(?:erence)?|id|"
        r"number|no\.?)\s*[:#]?\s*\S*\d|\breference (?:number|no\.?)\s*[:#]?\s*\S*\d",
    ),
    (
        (":",),
        r"^\W*(?:job types?|contract (?:types?|length)|employment type|schedule|work "
        r"location|expected hours|supplemental pay(?: types)?|ability to (?:commute|"
        r"relocate)|job category|working pattern|number of (?:jobs|posts|vacancies)|length "
        r"of employment|type of role)\s*:",
    ),
    # Web pages around the advert.
    (
        ("cookie", "cookies", "privacy", "terms", "how"),
        r"\bcookies?\b|\bprivacy (?:policy|notice|statement)\b|\bterms (?:and|&) conditions"
        r"\b|\bterms of use\b|\bhow we (?:use|process|handle|store) your (?:personal )?"
        r"(?:data|information)\b",
    ),
    (
        (
            "apply",
            "save",
            "report",
            "share",
            "back",
            "view",
            "sign",
            "log",
            "print",
            "more",
        ),
        r"^\W*(?:apply now|apply (?:for this job|online)|easy apply|save (?:this )?job|report "
        r"(?:this )?job|share(?: this)?(?: job| page| vacancy)?|back to (?:search|results|"
        r"top)|view (?:all )?(?:jobs|vacancies)|sign in|log in|print|read more|show more|"
        r"see more)\W*$",
    ),
)
_BOILERPLATE = tuple(re.compile(pattern, re.IGNORECASE) for _, pattern in _BOILERPLATE_RULES)
# Trigger word -> indices of the rules it wakes, so a sentence costs a few dict look-ups.
_TRIGGERS: dict[str, tuple[int, ...]] = {}
for _i, (_words, _) in enumerate(_BOILERPLATE_RULES):
    for _w in _words:
        _TRIGGERS[_w] = (*_TRIGGERS.get(_w, ()), _i)
# Words (any script) plus the two symbols that trigger rules on their own.
_TOKEN = re.compile(r"[^\W\d_]+|[£:]")


def _tokens(text: str) -> frozenset[str]:
    """The lower-case words of a text, for cheap checks before running regexes."""
    return frozenset(_TOKEN.findall(text.lower()))


# "Contact Jane Smith on ..." starts with a contact verb and a capitalised name: case matters,
# so it cannot share the case-insensitive pattern ("Call customers back" is a duty).
_CONTACT_NAME = re.compile(
    r"^\W*(?:[Cc]ontact|[Ee]-?mail|[Cc]all|[Pp]hone|[Rr]ing|[Tt]elephone|[Ss]peak to)\s+"
    r"(?:us\b|me\b|[A-Z][a-z]+\s+[A-Z][a-z'-]+)"
)


def _is_phone(sentence: str) -> bool:
    for match in _PHONE.finditer(sentence):
        digits = sum(c.isdigit() for c in match.group())
        if 10 <= digits <= 12:
            return True
    return False


def _is_boilerplate(sentence: str, tokens: frozenset[str] | None = None) -> bool:
    """Whether a sentence speaks to applicants (contact, pay, dates, equality, notices)."""
    if _EMAIL.search(sentence) or _is_phone(sentence):
        return True
    url = _URL.search(sentence)
    if url:
        rest = _URL.sub(" ", sentence)
        if len(re.findall(r"[A-Za-z]{2,}", rest)) < 3 or _URL_ACTION.search(rest):
            return True
    if tokens is None:
        tokens = _tokens(sentence)
    rules = sorted({i for w in tokens for i in _TRIGGERS.get(w, ())})
    if any(_BOILERPLATE[i].search(sentence) for i in rules):
        return True
    return bool(_CONTACT_NAME.search(sentence))


# -- requirement and negation --------------------------------------------------------------

DESIRABLE_MARKERS: tuple[str, ...] = (
    "desirable",
    "would be an advantage",
    "an advantage",
    "advantageous",
    "nice to have",
    "nice-to-have",
    "a plus",
    "is a plus",
    "plus point",
    "plus points",
    "bonus",
    "ideally",
    "preferred",
    "preferable",
    "preferably",
    "beneficial",
    "would be useful",
    "would be great",
    "would be helpful",
    "would be welcome",
    "an asset",
    "not essential",
)
ESSENTIAL_MARKERS: tuple[str, ...] = (
    "essential",
    "must have",
    "must hold",
    "must be",
    "you must",
    "must",
    "required",
    "requirement",
    "mandatory",
    "necessary",
    "you will need",
    "you'll need",
    "you need",
    "compulsory",
)
NEGATION_CUES: tuple[str, ...] = (
    "no",
    "not",
    "never",
    "without",
    "none",
    "neither",
    "nor",
    "nothing",
    "cannot",
    "can't",
    "cant",
    "don't",
    "dont",
    "do not",
    "doesn't",
    "doesnt",
    "does not",
    "didn't",
    "did not",
    "isn't",
    "is not",
    "aren't",
    "are not",
    "won't",
    "will not",
    "haven't",
    "have not",
    "hasn't",
    "has not",
    "needn't",
    "no need",
    "not required",
    "not necessary",
    "no prior",
    "lack",
    "lacking",
    "lacks",
    "unable",
)
# Cues that follow the mention: "Python is not required", "SQL isn't needed".
POST_NEGATION_CUES: tuple[str, ...] = (
    "not required",
    "not necessary",
    "not needed",
    "not essential",
    "not a requirement",
    "not a prerequisite",
    "not mandatory",
    "not compulsory",
    "not expected",
    "not a must",
    "not important",
    "no longer required",
    "never required",
)
# Phrases built from a cue word that do not negate what follows.
PSEUDO_NEGATIONS: tuple[str, ...] = (
    "not only",
    "not just",
    "not merely",
    "not simply",
    "not limited to",
    "not least",
    "not to mention",
    "not forgetting",
    "no matter",
    "no doubt",
    "no later than",
    "no less than",
    "no fewer than",
    "no more than",
    "no two",
    "whether or not",
    "if not",
    "nothing less than",
    "no shortage",
    "do not hesitate",
    "don't hesitate",
    "don't miss",
    "do not miss",
)
# Words and marks that end a negation's reach ("No dress code, but you will use Excel").
CLAUSE_BREAKS: tuple[str, ...] = (
    ";",
    "!",
    "?",
    "(",
    ")",
    "[",
    "]",
    " - ",
    " – ",
    " — ",
    "but",
    "however",
    "although",
    "though",
    "whereas",
    "while",
    "whilst",
    "yet",
    "except",
    "unless",
    "if",
    "whether",
    "as long as",
    "provided",
    "providing",
    "instead",
    "rather",
    "because",
    "since",
    "otherwise",
    "so that",
)


def _words_pattern(phrases: tuple[str, ...]) -> str:
    """Whole-word alternation of phrases; apostrophes match straight and curly quotes."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    parts = [re.escape(p).replace("'", "['’]").replace(r"\ ", r"\s+") for p in ordered]
    # Hyphen guards: "non-technical", "no-nonsense" and "not-for-profit" are not negations.
    return r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"


_DESIRABLE = re.compile(_words_pattern(DESIRABLE_MARKERS), re.IGNORECASE)
_ESSENTIAL = re.compile(_words_pattern(ESSENTIAL_MARKERS), re.IGNORECASE)
# A marker can only match when its key word is in the sentence: checking the word set first
# spares most sentences both regexes.
_MARKER_FILLERS = frozenset(
    [
        "a",
        "an",
        "is",
        "be",
        "would",
        "you",
        "will",
        "ll",
        "to",
        "not",
        "have",
        "hold",
        "point",
        "points",
    ]
)
_DESIRABLE_WORDS = frozenset(
    w for m in DESIRABLE_MARKERS for w in _TOKEN.findall(m) if w not in _MARKER_FILLERS
)
_ESSENTIAL_WORDS = frozenset(
    w for m in ESSENTIAL_MARKERS for w in _TOKEN.findall(m) if w not in _MARKER_FILLERS
)
# "Attend meetings as required" describes when, not what is demanded.
_CIRCUMSTANTIAL = re.compile(
    r"\b(?:as|when|where|if|whenever|as and when)\s+(?:required|necessary)\b", re.IGNORECASE
)
_CUE = re.compile(_words_pattern(NEGATION_CUES) + r"|\w+n['’]t\b", re.IGNORECASE)
_POST_CUE = re.compile(
    r"(?:\b(?:not|never|no longer)|n['’]t)\s+(?:be\s+|at all\s+)?(?:strictly\s+|really\s+|"
    r"absolutely\s+|necessarily\s+)?(?:required|necessary|needed|essential|mandatory|"
    r"compulsory|expected|important|a\s+(?:pre-?)?requisite|a\s+prerequisite|a\s+"
    r"requirement|a\s+must)\b",
    re.IGNORECASE,
)
_PSEUDO = re.compile(_words_pattern(PSEUDO_NEGATIONS), re.IGNORECASE)
# A cue that only says the skill is optional: with a desirable marker it is not a negation.
_OPTIONAL_CUE = re.compile(
    r"(?:\b(?:not|no)|n['’]t)\s+(?:\w+\s+)?(?:essential|required|necessary|needed|mandatory|"
    r"compulsory|a\s+requirement)\b",
    re.IGNORECASE,
)
_HARD_BREAK = re.compile(
    "|".join(
        (
            r"[;!?()\[\]]",
            r"\s[-–—]\s",
            _words_pattern(tuple(b for b in CLAUSE_BREAKS if b[0].isalpha())),
            # A conjunction starting a new clause with its own subject: "... and you will".
            r"\b(?:and|or|so|as|then)\s+(?:you|we|they|i|he|she|it|there|our|your|their|the|"
            r"this|these|those|its|my|everyone|all)\b",
        )
    ),
    re.IGNORECASE,
)
_LIST_WORDS = frozenset({"and", "or", "&", "/"})
# Cues further than this from the mention are about something else.
MAX_SCOPE_WORDS = 10


def _list_item(segment: str) -> bool:
    """Whether a comma-separated segment is a short list item ("SQL or"), not a clause."""
    return len([w for w in segment.split() if w.lower() not in _LIST_WORDS]) <= 2


def _clause_before(text: str, pos: int) -> int:
    """Start of the clause that ends at ``pos``: commas between list items do not count."""
    hard = 0
    for match in _HARD_BREAK.finditer(text, 0, pos):
        hard = match.end()
    cursor = pos
    while True:
        comma = text.rfind(",", hard, cursor)
        if comma < 0:
            return hard
        if not _list_item(text[comma + 1 : cursor]):
            return comma + 1
        cursor = comma


def _clause_after(text: str, pos: int) -> int:
    """End of the clause that starts at ``pos``, crossing commas between list items."""
    hard = _HARD_BREAK.search(text, pos)
    limit = hard.start() if hard else len(text)
    cursor = pos
    while True:
        comma = text.find(",", cursor, limit)
        if comma < 0:
            return limit
        if not _list_item(text[cursor:comma]):
            return comma
        cursor = comma + 1


def _cue_before(text: str, pos: int, optional_ok: bool) -> bool:
    """Whether a real negation cue precedes ``pos`` in its clause and within reach."""
    start = _clause_before(text, pos)
    pseudo = [m.span() for m in _PSEUDO.finditer(text, start, pos)]
    for cue in _CUE.finditer(text, start, pos):
        if any(a <= cue.start() < b for a, b in pseudo):
            continue
        if len(text[cue.end() : pos].split()) > MAX_SCOPE_WORDS:
            continue
        if optional_ok and _OPTIONAL_CUE.match(text, cue.start()):
            continue
        return True
    return False


def negated(sentence: Sentence, start: int, end: int) -> bool:
    """Whether the mention at absolute offsets [start, end) is negated in its sentence.

    >>> s = split("No experience of Python needed - we will train you")[0]
    >>> negated(s, 17, 23)
    True
    """
    if not sentence.start <= start <= end <= sentence.end:
        raise ValueError(
            f"Mention [{start}, {end}) is outside the sentence [{sentence.start}, {sentence.end})."
        )
    text = sentence.text
    rel_start, rel_end = start - sentence.start, end - sentence.start
    # "Python is not essential but would be a bonus": optional, not ruled out.
    optional_ok = bool(_DESIRABLE.search(text))
    if _cue_before(text, rel_start, optional_ok):
        return True
    if optional_ok:
        return False
    clause_end = _clause_after(text, rel_end)
    return bool(_POST_CUE.search(text, rel_end, clause_end))


def _requirement(text: str, section: str, tokens: frozenset[str] | None = None) -> str | None:
    """Essential/desirable from the sentence's own words, else from its section."""
    if tokens is None:
        tokens = _tokens(text)
    if not tokens.isdisjoint(_DESIRABLE_WORDS) and _DESIRABLE.search(text):
        return "desirable"
    essential = _ESSENTIAL.finditer(text) if not tokens.isdisjoint(_ESSENTIAL_WORDS) else ()
    circumstantial = [m.span() for m in _CIRCUMSTANTIAL.finditer(text)] if essential else []
    for marker in essential:
        if any(a <= marker.start() < b for a, b in circumstantial):
            continue
        # "No previous experience is required" demands nothing.
        if not _cue_before(text, marker.start(), optional_ok=False):
            return "essential"
    if section in ("essential", "entry"):
        return "essential"
    if section == "desirable":
        return "desirable"
    return None


# -- the splitter ----------------------------------------------------------------------------


def _sentence(
    text: str, span: tuple[int, int], section: str, heading: str | None, is_heading: bool = False
) -> Sentence:
    start, end = span
    words = text[start:end]
    tokens = _tokens(words)
    boilerplate = is_heading or section in SKIPPED or _is_boilerplate(words, tokens)
    return Sentence(
        start=start,
        end=end,
        text=words,
        section=section,
        heading=heading,
        boilerplate=boilerplate,
        requirement=_requirement(words, section, tokens),
    )


def _content(
    text: str, start: int, end: int, section: str, heading: str | None
) -> Iterator[Sentence]:
    for item_start, item_end in _items(text, start, end):
        for span in _sentences(text, *_trim(text, item_start, item_end)):
            if span[0] < span[1] and _HAS_WORD.search(text, span[0], span[1]):
                yield _sentence(text, span, section, heading)


def split(text: str) -> list[Sentence]:
    """Every non-blank sentence and list item of a text, in order, with its section.

    >>> [(s.text, s.section, s.boilerplate) for s in split("About us\\nWe are a charity.")]
    [('About us', 'about', True), ('We are a charity.', 'about', True)]
    """
    out: list[Sentence] = []
    section, heading = "body", None
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        bullet = _BULLET.match(line)
        if bullet is None or _NUMBERED.match(line):
            # A numbered line may be a heading ("2. Person specification"); a bulleted one not.
            body = line[bullet.end() :] if bullet else line
            found = _heading_of(body)
            if found is not None:
                section, heading, pure = found
                offset = line_start + (bullet.end() if bullet else 0)
                span = (offset, line_end)
                out.append(_sentence(text, span, section, heading, is_heading=pure))
                continue
        content_start = line_start + (bullet.end() if bullet else 0)
        inline = _inline_heading(text[content_start:line_end])
        if inline is not None:
            out.extend(_content(text, content_start, line_end, *inline))
        else:
            out.extend(_content(text, content_start, line_end, section, heading))
    return out


# -- HTML ----------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "address",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "details",
        "summary",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
_CELL_TAGS = frozenset({"td", "th"})


class _TextParser(HTMLParser):
    """Collects the text of an HTML fragment as lines: one per block or list item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._pre = 0

    def _break(self) -> None:
        line = "".join(self._current)
        if not self._pre:
            line = " ".join(line.split())
        if line.strip():
            self.lines.append(line.strip())
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self._break()
            self._current.append("• ")
        elif tag == "br":
            self._break()
        elif tag in _BLOCK_TAGS:
            self._break()
            self._pre += tag == "pre"
        elif tag in _CELL_TAGS:
            self._current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS or tag == "li":
            self._break()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = data.replace("\xa0", " ")
        if self._pre:
            # Preformatted text keeps its own line breaks.
            parts = data.split("\n")
            for part in parts[:-1]:
                self._current.append(part)
                self._break()
            self._current.append(parts[-1])
        else:
            self._current.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML job description: one line per block, list items as "• item".

    >>> html_to_text("<h2>Requirements</h2><ul><li>SQL &amp; Excel</li></ul>")
    'Requirements\\n• SQL & Excel'
    """
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._break()
    return "\n".join(line for line in parser.lines if line.strip("• "))
