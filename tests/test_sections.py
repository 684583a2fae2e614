"""Document structure: sections, headings, boilerplate, requirement and negation on real-style text.

The adverts below follow the layouts of NHS Jobs, a council careers site, an Indeed listing
and a Skills Bootcamp course page; every check reads the result the way the extractor does.
"""

from __future__ import annotations

import pytest

from skills_match.sections import (
    MAX_WORDS,
    SECTIONS,
    SKIPPED,
    Sentence,
    classify_heading,
    html_to_text,
    negated,
    split,
)

NHS = """Band 4 Medical Secretary

Job summary
We are looking for an organised Medical Secretary to join the Cardiology team at St. James's \
Hospital. You will provide a full secretarial service to consultants, e.g. typing clinic \
letters, managing diaries and handling patient enquiries.

Main duties of the job
• Type clinic letters and reports from digital dictation using Microsoft Word.
• Manage consultants' diaries and book outpatient appointments on the electronic patient \
record (EPR).
• Answer calls and emails from patients, GPs and other departments.
• Maintain accurate records on SystmOne in line with information governance policies.

About us
Leeds Teaching Hospitals is one of the largest NHS trusts in the country. We employ over \
20,000 staff.

Job description
Job responsibilities
Process referrals and keep the waiting list up to date. Attend meetings as required and take \
minutes.

Person Specification
Qualifications
Essential
• GCSE English and Maths at grade C/4 or above
• RSA III or equivalent typing qualification
Desirable
• AMSPAR medical terminology certificate
Experience
Essential
• Previous secretarial or administrative experience in an office environment
Desirable
• Experience of working in the NHS would be an advantage
Knowledge
Essential
• Good working knowledge of Microsoft Office, including Excel and Outlook

Disclosure and Barring Service Check
This post is subject to the Rehabilitation of Offenders Act (Exceptions Order) 1975 and as \
such it will be necessary for a submission for Disclosure to be made to the Disclosure and \
Barring Service (DBS) to check for any previous criminal convictions.

Employer details
Employer name
Leeds Teaching Hospitals
Address
St. James's University Hospital, Beckett Street, Leeds, LS9 7TF
Employer's website
https://www.leedsth.nhs.uk/
"""

COUNCIL = """Customer Services Adviser
Salary: £24,294 - £25,979 per annum
Contract type: Permanent, 37 hours per week

About us
Calderdale Council serves over 200,000 residents. We are proud of our friendly, supportive teams.

What you'll do
You will be the first point of contact for residents. Respond to enquiries by phone and email, \
and resolve council tax and housing benefit queries. Record every contact accurately in our \
CRM system (Salesforce).
You will also update web content using our content management system.

What we're looking for
- Excellent communication skills, both written and verbal
- Confident using Microsoft Excel and Word
- Experience of handling complaints would be an advantage but is not essential
- No previous council experience is required as full training is provided

How to apply
Please apply online via our website. For an informal discussion about the role please contact \
Sarah Jones on 01422 393000 or email sarah.jones@calderdale.gov.uk.
Closing date: 14 March 2025
Interview date: 24 March 2025

Our commitment to equality, diversity and inclusion
We are an equal opportunities employer and we welcome applications from all sections of the \
community. As a Disability Confident employer we offer a guaranteed interview scheme.
"""

INDEED = """Junior Data Engineer
Acme Analytics Ltd - Manchester

Responsibilities:
* Build and maintain ETL pipelines in Python 3.11 and SQL
* Deploy services with Docker on Linux servers
* Build dashboards in Power BI for the finance team

Requirements:
* 1+ years of experience with Python (pandas, NumPy)
* Strong SQL skills (PostgreSQL or MySQL)
* You must be comfortable using Git

Nice to have:
* Experience with AWS or Azure
* Knowledge of .NET or Node.js

Benefits:
* Company pension
* 25 days holiday plus bank holidays
* Hybrid working

Job Types: Full-time, Permanent
Pay: £30,000.00-£38,000.00 per year
Schedule:
* Monday to Friday
Work Location: Hybrid remote in Manchester M1

Application question(s):
* How many years of Python experience do you have?
"""

BOOTCAMP = """Skills Bootcamp in Data Analytics

Course overview
This free 12-week Skills Bootcamp is for adults aged 19+ in West Yorkshire who want to move \
into a data role. No experience of coding needed - we will teach you everything.

What you'll learn
1. Cleaning and analysing data in Excel, including pivot tables and VLOOKUP
2. Writing SQL queries to extract data from relational databases
3. Building interactive dashboards in Power BI
4. Presenting findings to non-technical audiences

Entry requirements
a) You must live or work in West Yorkshire
b) Basic IT skills and confidence using a computer
c) A GCSE in Maths is desirable

Fees
This course is fully funded by the Department for Education.

How to apply
Apply online at www.example-college.ac.uk/bootcamps. Start dates: September and January.
"""


def _find(sentences: list[Sentence], fragment: str) -> Sentence:
    """The one sentence containing a fragment."""
    found = [s for s in sentences if fragment in s.text]
    assert len(found) == 1, (fragment, [s.text for s in found])
    return found[0]


def _mention(text: str, mention: str) -> tuple[Sentence, int, int]:
    """The sentence holding a mention and the mention's absolute offsets."""
    for sentence in split(text):
        at = sentence.text.find(mention)
        if at >= 0:
            return sentence, sentence.start + at, sentence.start + at + len(mention)
    raise AssertionError(f"{mention!r} not found in {text!r}")


# -- whole adverts -------------------------------------------------------------------------


@pytest.mark.parametrize("text", [NHS, COUNCIL, INDEED, BOOTCAMP])
def test_sentences_are_exact_ordered_slices(text):
    sentences = split(text)
    assert sentences
    previous_end = 0
    for s in sentences:
        assert s.text == text[s.start : s.end]
        assert s.text == s.text.strip()
        assert s.start >= previous_end
        previous_end = s.end
        assert s.section in SECTIONS
        assert s.requirement in (None, "essential", "desirable")
        if s.section in SKIPPED:
            assert s.boilerplate


def test_nhs_advert_sections_and_person_specification():
    sentences = split(NHS)
    title = _find(sentences, "Band 4 Medical Secretary")
    assert (title.section, title.heading, title.boilerplate) == ("body", None, False)
    summary = _find(sentences, "organised Medical Secretary")
    assert (summary.section, summary.heading) == ("summary", "Job summary")
    assert "St. James's Hospital." in summary.text  # "St." does not end the sentence
    assert "e.g. typing clinic letters" in _find(sentences, "secretarial service").text
    duty = _find(sentences, "Answer calls and emails")
    assert (duty.section, duty.boilerplate, duty.requirement) == ("duties", False, None)
    assert duty.text.startswith("Answer")  # the bullet is not part of the item
    assert _find(sentences, "largest NHS trusts").section == "about"
    assert _find(sentences, "largest NHS trusts").boilerplate
    minutes = _find(sentences, "Attend meetings")
    assert (minutes.section, minutes.requirement) == ("duties", None)  # "as required"
    gcse = _find(sentences, "GCSE English")
    assert (gcse.section, gcse.requirement, gcse.boilerplate) == ("essential", "essential", False)
    amspar = _find(sentences, "AMSPAR")
    assert (amspar.section, amspar.requirement) == ("desirable", "desirable")
    secretarial = _find(sentences, "Previous secretarial")
    assert (secretarial.section, secretarial.heading) == ("essential", "Essential")
    assert _find(sentences, "working in the NHS").requirement == "desirable"
    office = _find(sentences, "Microsoft Office")
    assert (office.section, office.requirement) == ("essential", "essential")
    dbs = _find(sentences, "Rehabilitation of Offenders")
    assert (dbs.section, dbs.boilerplate) == ("equality", True)
    assert _find(sentences, "Beckett Street").section == "about"
    assert _find(sentences, "https://www.leedsth.nhs.uk/").boilerplate


def test_nhs_heading_lines_are_boilerplate_and_open_their_section():
    headings = [s for s in split(NHS) if s.text == s.heading]
    assert [h.section for h in headings[:6]] == [
        "summary",
        "duties",
        "about",
        "duties",
        "duties",
        "essential",
    ]
    assert all(h.boilerplate for h in headings)
    assert [h.text for h in headings if h.section == "desirable"] == ["Desirable", "Desirable"]


def test_council_advert_sections_boilerplate_and_requirements():
    sentences = split(COUNCIL)
    salary = _find(sentences, "£24,294")
    assert (salary.section, salary.heading, salary.boilerplate) == ("benefits", "Salary", True)
    assert _find(sentences, "Contract type").section == "admin"
    assert _find(sentences, "Calderdale Council serves").section == "about"
    enquiries = _find(sentences, "Respond to enquiries by phone and email")
    assert (enquiries.section, enquiries.boilerplate) == ("duties", False)
    crm = _find(sentences, "Salesforce")
    assert (crm.section, crm.boilerplate) == ("duties", False)
    assert _find(sentences, "Excellent communication skills").requirement == "essential"
    excel = _find(sentences, "Microsoft Excel")
    assert (excel.section, excel.requirement, excel.boilerplate) == (
        "essential",
        "essential",
        False,
    )
    complaints = _find(sentences, "handling complaints")
    assert (complaints.section, complaints.requirement) == ("essential", "desirable")
    at = complaints.start + complaints.text.index("complaints")
    assert not negated(complaints, at, at + len("complaints"))
    council = _find(sentences, "No previous council experience")
    at = council.start + council.text.index("council")
    assert negated(council, at, at + len("council"))
    for fragment in ("Please apply online", "informal discussion", "14 March", "24 March"):
        assert _find(sentences, fragment).boilerplate, fragment
        assert _find(sentences, fragment).section == "apply"
    opportunities = _find(sentences, "equal opportunities employer")
    assert (opportunities.section, opportunities.boilerplate) == ("equality", True)
    assert _find(sentences, "guaranteed interview scheme").section == "equality"


def test_council_boilerplate_without_headings_is_still_boilerplate():
    # The same lines pasted without their headings, inside the duties.
    text = "What you'll do\n" + "\n".join(
        [
            "Respond to enquiries by phone and email.",
            "For an informal discussion about the role please contact Sarah Jones on 01422 393000.",
            "Applications close on 14 March 2025.",
            "We are an equal opportunities employer.",
            "Salary £24,294 - £25,979 per annum.",
        ]
    )
    sentences = split(text)
    assert [s.section for s in sentences[1:]] == ["duties"] * 5
    assert [s.boilerplate for s in sentences[1:]] == [False, True, True, True, True]


def test_indeed_advert_sections_and_job_board_fields():
    sentences = split(INDEED)
    pipelines = _find(sentences, "ETL pipelines")
    assert (pipelines.section, pipelines.heading, pipelines.boilerplate) == (
        "duties",
        "Responsibilities",
        False,
    )
    assert "Python 3.11 and SQL" in pipelines.text
    assert _find(sentences, "Docker on Linux").section == "duties"
    pandas = _find(sentences, "pandas")
    assert (pandas.section, pandas.requirement) == ("essential", "essential")
    assert _find(sentences, "Git").requirement == "essential"
    dotnet = _find(sentences, ".NET or Node.js")
    assert (dotnet.section, dotnet.requirement, dotnet.boilerplate) == (
        "desirable",
        "desirable",
        False,
    )
    assert dotnet.text == "Knowledge of .NET or Node.js"
    assert _find(sentences, "Company pension").section == "benefits"
    job_types = _find(sentences, "Job Types")
    assert (job_types.section, job_types.boilerplate) == ("admin", True)
    pay = _find(sentences, "£30,000.00")
    assert (pay.section, pay.boilerplate) == ("benefits", True)
    assert _find(sentences, "Monday to Friday").section == "admin"
    assert _find(sentences, "Hybrid remote").section == "admin"
    question = _find(sentences, "How many years")
    assert (question.section, question.boilerplate) == ("apply", True)
    kept = [s.text for s in sentences if not s.boilerplate]
    assert len(kept) == 10  # title, company line, 3 duties, 3 requirements, 2 nice-to-haves
    assert "Acme Analytics Ltd - Manchester" in kept


def test_bootcamp_course_page_sections():
    sentences = split(BOOTCAMP)
    overview = _find(sentences, "12-week")
    assert (overview.section, overview.heading) == ("summary", "Course overview")
    coding = _find(sentences, "No experience of coding needed")
    at = coding.start + coding.text.index("coding")
    assert negated(coding, at, at + len("coding"))
    excel = _find(sentences, "pivot tables")
    assert (excel.section, excel.requirement, excel.boilerplate) == ("learning", None, False)
    assert excel.text.startswith("Cleaning")  # the list number is not part of the item
    assert _find(sentences, "Power BI").section == "learning"
    assert not _find(sentences, "non-technical").boilerplate
    live = _find(sentences, "live or work")
    assert (live.section, live.requirement) == ("entry", "essential")
    assert live.text.startswith("You must")  # "a)" is a list marker
    assert _find(sentences, "Basic IT skills").requirement == "essential"
    assert _find(sentences, "GCSE in Maths").requirement == "desirable"
    funded = _find(sentences, "fully funded")
    assert (funded.section, funded.boilerplate) == ("benefits", True)
    online = _find(sentences, "Apply online")
    assert (online.section, online.boilerplate) == ("apply", True)
    assert _find(sentences, "Start dates").boilerplate


# -- headings ------------------------------------------------------------------------------

HEADINGS = [
    # NHS Jobs
    ("Job summary", "summary"),
    ("Main duties of the job", "duties"),
    ("About us", "about"),
    ("Job description", "duties"),
    ("Job responsibilities", "duties"),
    ("Person Specification", "essential"),
    ("Qualifications", "essential"),
    ("Experience", "essential"),
    ("Knowledge", "essential"),
    ("Skills", "essential"),
    ("Essential", "essential"),
    ("Desirable", "desirable"),
    ("Essential criteria", "essential"),
    ("Desirable criteria", "desirable"),
    ("Employer details", "about"),
    ("Disclosure and Barring Service Check", "equality"),
    ("Certificate of Sponsorship", "equality"),
    ("UK Registration", "equality"),
    # Civil Service Jobs
    ("Behaviours", "essential"),
    ("Technical skills", "essential"),
    ("Benefits", "benefits"),
    ("Things you need to know", "equality"),
    ("Selection process details", "apply"),
    ("Security", "equality"),
    ("Nationality requirements", "equality"),
    ("Contact point for applicants", "contact"),
    ("Apply and further information", "apply"),
    # councils and charities
    ("What you'll do", "duties"),
    ("What we're looking for", "essential"),
    ("About you", "essential"),
    ("About the role", "summary"),
    ("Who we are", "about"),
    ("Why work for us", "benefits"),
    ("What we offer", "benefits"),
    ("How to apply", "apply"),
    ("Closing date", "apply"),
    ("Interview date", "apply"),
    ("Salary", "benefits"),
    ("Contract type", "admin"),
    ("Hours", "benefits"),
    ("Location", "admin"),
    ("Our commitment to equality, diversity and inclusion", "equality"),
    ("Safeguarding", "equality"),
    ("About Calderdale Council", "about"),
    # Indeed / LinkedIn
    ("Responsibilities", "duties"),
    ("Requirements", "essential"),
    ("Nice to have", "desirable"),
    ("Bonus points", "desirable"),
    ("Perks", "benefits"),
    ("Schedule", "admin"),
    ("Work Location", "admin"),
    ("Application question(s)", "apply"),
    # course pages
    ("Course overview", "summary"),
    ("What you will learn", "learning"),
    ("What you’ll learn", "learning"),
    ("Course content", "learning"),
    ("Modules", "learning"),
    ("Skills you'll gain", "learning"),
    ("Entry requirements", "entry"),
    ("Who is this course for?", "entry"),
    ("Fees", "benefits"),
    ("Funding", "benefits"),
    ("How you'll be assessed", "learning"),
    ("Progression", "about"),
    ("Career opportunities", "about"),
    ("Start dates", "admin"),
    # variants of case, punctuation and markup
    ("Main Duties & Responsibilities", "duties"),
    ("WHAT WE OFFER", "benefits"),
    ("Key responsibilities:", "duties"),
    ("## Requirements", "essential"),
    ("**Nice to have**", "desirable"),
    ("ABOUT THE ROLE:", "summary"),
]


@pytest.mark.parametrize(("line", "section"), HEADINGS)
def test_classify_heading(line, section):
    assert classify_heading(line) == section


@pytest.mark.parametrize(("line", "section"), HEADINGS)
def test_heading_line_opens_its_section(line, section):
    sentences = split(f"Intro text here.\n{line}\nPrepare monthly reports in Excel.")
    assert sentences[1].boilerplate
    assert sentences[2].section == section
    assert sentences[2].boilerplate == (section in SKIPPED)


@pytest.mark.parametrize(
    "line",
    [
        "We are looking for a motivated person to join our busy team.",
        "Excellent communication skills",
        "Experience of working in a team",
        "Band 4 Medical Secretary",
        "Python Developer",
        "",
        "Note:",
    ],
)
def test_not_headings(line):
    assert classify_heading(line) is None or line.startswith(("Excellent", "Experience"))
    sentences = split(f"Responsibilities\n{line}\nPrepare reports.")
    assert all(s.section == "duties" for s in sentences)


def test_content_lines_with_heading_words_do_not_switch_section():
    sentences = split("Responsibilities\nExcellent communication skills\nPrepare reports")
    assert [s.section for s in sentences] == ["duties", "duties", "duties"]
    assert not sentences[1].boilerplate


def test_marked_heading_with_content_words_switches_but_keeps_its_words():
    sentences = split("Responsibilities\nExcellent Communication Skills:\n- Listening")
    assert [s.section for s in sentences] == ["duties", "essential", "essential"]
    assert not sentences[1].boilerplate


def test_inline_heading_applies_to_its_own_line_only():
    text = (
        "What you'll do\nDesirable: knowledge of SQL\nBuild reports in Excel\nPay: £12.50 per hour"
    )
    sentences = split(text)
    assert [(s.section, s.heading) for s in sentences] == [
        ("duties", "What you'll do"),
        ("desirable", "Desirable"),
        ("duties", "What you'll do"),
        ("benefits", "Pay"),
    ]
    assert sentences[1].text == "Desirable: knowledge of SQL"
    assert sentences[1].requirement == "desirable"
    assert not sentences[1].boilerplate
    assert sentences[3].boilerplate


def test_unknown_heading_keeps_the_section():
    sentences = split("About us\nLife at Calderdale:\nWe care about people.")
    assert [s.section for s in sentences] == ["about", "about", "about"]
    assert sentences[2].heading == "About us"


def test_person_specification_sub_headings():
    text = "Person specification\nSkills\n• Python\nDesirable\n• Go\nExperience\n• Retail"
    sentences = [s for s in split(text) if s.text in ("Python", "Go", "Retail")]
    assert [(s.section, s.requirement) for s in sentences] == [
        ("essential", "essential"),
        ("desirable", "desirable"),
        ("essential", "essential"),
    ]


def test_numbered_heading():
    sentences = split("2. Person specification\n3. Use Excel daily")
    assert sentences[0].section == "essential"
    assert sentences[0].boilerplate
    assert (sentences[1].text, sentences[1].section) == ("Use Excel daily", "essential")


# -- boilerplate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "boilerplate"),
    [
        ("Please email us at jobs@acme.co.uk", True),
        ("Please call 0113 496 0000 for an application pack", True),
        ("For further information contact the hiring manager", True),
        ("For an informal discussion please contact Dr. Lee", True),
        ("If you have any questions, get in touch.", True),
        ("Contact Jane Smith for an informal chat", True),
        ("You can email us at any time", True),
        ("£24,000 - £26,000 per annum", True),
        ("Salary: £12.21 per hour", True),
        ("Competitive salary and generous pension", True),
        ("25 days annual leave plus bank holidays", True),
        ("Closing date: 1 May 2025", True),
        ("Interviews will be held on 3 June", True),
        ("We reserve the right to close this vacancy early", True),
        ("We are an equal opportunities employer", True),
        ("We welcome applications from all backgrounds", True),
        ("We are a Disability Confident employer", True),
        ("We offer a guaranteed interview scheme to disabled applicants", True),
        ("Tell us if you need reasonable adjustments", True),
        ("This post is subject to an enhanced DBS check", True),
        ("We are unable to offer visa sponsorship", True),
        ("Reference number: C123-45", True),
        ("Job Types: Full-time, Permanent", True),
        ("We use cookies to improve your experience", True),
        ("https://jobs.example.com/123", True),
        ("Apply now", True),
        ("To apply, send your CV and covering letter", True),
        ("Answer calls and emails from customers", False),
        ("Respond to enquiries by phone and email", False),
        ("Call customers back to book appointments", False),
        ("Email clients with weekly updates", False),
        ("Use email and phone to keep in touch with clients", False),
        ("Provide further information to customers on request", False),
        ("Manage a budget of £2m", False),
        ("Conduct interviews with service users", False),
        ("Follow safeguarding procedures", False),
        ("Process monthly salaries and expenses", False),
        ("Build websites in WordPress", False),
        ("Send invoices to suppliers", False),
    ],
)
def test_boilerplate_sentences(sentence, boilerplate):
    (found,) = split(sentence)
    # A "Field: value" line is in its field's section; anything else stays in the body.
    assert (found.section == "body") is (": " not in sentence)
    assert found.boilerplate is boilerplate


# -- requirement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "section_heading", "requirement"),
    [
        ("Experience of Canva would be an advantage but is not essential", None, "desirable"),
        ("Python is not essential but would be a bonus", None, "desirable"),
        ("Knowledge of SQL is desirable", None, "desirable"),
        ("Ideally you will have used Jira", "Requirements", "desirable"),
        ("A degree is preferred", "Requirements", "desirable"),
        ("Power BI would be beneficial", None, "desirable"),
        ("Experience with Docker is a plus", None, "desirable"),
        ("You must hold a full UK driving licence", "Nice to have", "essential"),
        ("A DBS check is required", None, "essential"),
        ("You will need strong Excel skills", None, "essential"),
        ("Excel skills are essential", None, "essential"),
        ("Excel skills", "Essential", "essential"),
        ("Excel skills", "Desirable", "desirable"),
        ("Excel skills", "Entry requirements", "essential"),
        ("Excel skills", "Responsibilities", None),
        ("Excel skills", None, None),
        ("Excel skills", "What you'll learn", None),
        ("Attend meetings as required", "Responsibilities", None),
        ("No previous experience is required", "Responsibilities", None),
    ],
)
def test_requirement(sentence, section_heading, requirement):
    text = f"{section_heading}\n{sentence}" if section_heading else sentence
    assert split(text)[-1].requirement == requirement


# -- negation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "mention", "expected"),
    [
        ("No experience of Python needed - we will train you", "Python", True),
        ("No experience of coding needed", "coding", True),
        ("You don't need to know SQL; our analysts write the queries", "SQL", True),
        ("You don’t need to know SQL", "SQL", True),
        ("Python is not required for this role", "Python", True),
        (
            "You don't need to be an Excel whizz - full training on our systems is given",
            "Excel",
            True,
        ),
        ("Previous helpdesk experience is not necessary", "helpdesk", True),
        ("I can't use spreadsheets at all", "spreadsheets", True),
        ("Not required: SQL", "SQL", True),
        ("Training will be given, so no previous IT experience is required", "IT", True),
        ("We use Python, not Java", "Java", True),
        ("No CAD experience necessary", "CAD", True),
        ("We don't need Python, SQL or Excel", "Excel", True),
        ("Python, SQL and Excel are not required", "Python", True),
        ("You can start without any coding knowledge", "coding", True),
        ("We have never used Salesforce", "Salesforce", True),
        ("Neither Python nor Java is needed", "Python", True),
        ("Neither Python nor Java is needed", "Java", True),
        ("SQL isn't essential for this job", "SQL", True),
        ("I have no Excel skills but I am good with Word", "Excel", True),
        ("We use Python, not Java", "Python", False),
        ("Python is not essential but would be a bonus", "Python", False),
        ("Experience of Canva would be an advantage but is not essential", "Canva", False),
        ("Knowledge of SQL is not required but would be beneficial", "SQL", False),
        ("not only Excel but also Power BI", "Excel", False),
        ("not only Excel but also Power BI", "Power BI", False),
        ("No two days are the same; you will use Excel daily", "Excel", False),
        ("Support non-technical staff with Excel", "Excel", False),
        ("No experience needed, full training in Excel given", "Excel", False),
        ("There is no dress code and you will use Excel", "Excel", False),
        ("Including but not limited to Word, Excel and Outlook", "Excel", False),
        ("It doesn't matter if you know Python", "Python", False),
        ("No software except Excel is used", "Excel", False),
        ("I have no Excel skills but I am good with Word", "Word", False),
        ("A no-nonsense team that uses Jira", "Jira", False),
        ("A not-for-profit charity using Salesforce", "Salesforce", False),
        ("You will build dashboards in Power BI", "Power BI", False),
    ],
)
def test_negated(sentence, mention, expected):
    found, start, end = _mention(sentence, mention)
    assert negated(found, start, end) is expected


def test_negated_uses_absolute_offsets():
    text = "Requirements\nStrong Excel skills.\nPython is not required."
    found, start, end = _mention(text, "Python")
    assert found.start > 0
    assert negated(found, start, end)
    excel, start, end = _mention(text, "Excel")
    assert not negated(excel, start, end)


def test_negated_rejects_a_mention_outside_the_sentence():
    first, second = split("Use Excel daily. No Python needed.")
    with pytest.raises(ValueError, match="outside the sentence"):
        negated(first, second.start, second.start + 2)


# -- sentence splitting and edge cases -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use Node.js and .NET daily. Python 3.11 is our main language.", 2),
        ("Dr. Patel leads the team, e.g. on audits. She reports to the board.", 2),
        ("Use Word, Excel etc. You will also use Teams.", 2),
        ("Visit www.example.com/jobs. Email a.b@nhs.net today.", 2),
        ("Based at No. 10 Downing Street. Travel is required.", 2),
        ("Tools i.e. Excel and Word. Great!", 2),
        ("Do you like data? Then apply.", 2),
        ("J. Smith manages the team.", 1),
    ],
)
def test_sentence_splitting(text, expected):
    sentences = split(text)
    assert len(sentences) == expected, [s.text for s in sentences]
    assert " ".join(s.text for s in sentences) == text


def test_empty_and_blank_texts():
    assert split("") == []
    assert split("  \n\n\t \r\n") == []
    assert split("•\n-\n----") == []


def test_text_without_newlines():
    sentences = split("We need an analyst. You will use SQL. Excel would be an advantage.")
    assert [s.section for s in sentences] == ["body"] * 3
    assert [s.requirement for s in sentences] == [None, None, "desirable"]


def test_only_headings():
    sentences = split("Essential\nDesirable\nBenefits")
    assert [(s.section, s.boilerplate) for s in sentences] == [
        ("essential", True),
        ("desirable", True),
        ("benefits", True),
    ]


def test_crlf_line_endings():
    text = "Requirements\r\n• Python\r\n• SQL\r\nBenefits\r\n• Pension\r\n"
    sentences = split(text)
    assert [s.text for s in sentences] == ["Requirements", "Python", "SQL", "Benefits", "Pension"]
    assert [s.section for s in sentences] == ["essential"] * 3 + ["benefits"] * 2
    assert all(text[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize(
    "bullet", ["•", "-", "*", "·", "▪", "●", "◦", "–", "1.", "2)", "a)", "(iv)"]
)
def test_bullets_are_list_items(bullet):
    sentences = split(f"Skills\n{bullet} Python\n{bullet} SQL")
    assert [s.text for s in sentences] == ["Skills", "Python", "SQL"]


def test_bullets_run_together_on_one_line():
    sentences = split("Skills: Python • SQL • Power BI")
    assert [s.text for s in sentences] == ["Skills: Python", "SQL", "Power BI"]
    assert {s.section for s in sentences} == {"essential"}


def test_very_long_line_is_capped():
    clauses = [f"maintain system number {i} for the service team" for i in range(40)]
    text = ", ".join(clauses) + "; " + " ".join(["word"] * 150)
    sentences = split(text)
    assert len(sentences) > 4
    assert all(len(s.text.split()) <= MAX_WORDS for s in sentences)
    assert [w for s in sentences for w in s.text.split()] == text.split()
    # Cut at punctuation where there was some: the first pieces end at a comma.
    assert sentences[0].text.endswith(",")


def test_long_text_splits_every_line():
    text = (NHS + COUNCIL + INDEED + BOOTCAMP) * 20
    sentences = split(text)
    assert len(sentences) == 20 * sum(len(split(t)) for t in (NHS, COUNCIL, INDEED, BOOTCAMP))
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_sections_constants():
    assert SECTIONS[0] == "body"
    assert {"benefits", "about", "apply", "contact", "equality", "admin"} == SKIPPED
    assert set(SECTIONS) > SKIPPED


# -- HTML ----------------------------------------------------------------------------------


def test_html_to_text_job_posting():
    html = (
        "<div><h2>About the role</h2><p>We&rsquo;re hiring a <strong>Data Analyst</strong>."
        "<br>Hybrid &amp; flexible.</p><p><strong>Requirements:</strong></p>"
        "<ul><li>SQL</li><li>Power&nbsp;BI</li></ul><script>var x = 1;</script>"
        "<ol><li>Excel</li></ol><p>   </p><style>p {color: red}</style></div>"
    )
    assert html_to_text(html) == (
        "About the role\nWe’re hiring a Data Analyst.\nHybrid & flexible.\nRequirements:\n"
        "• SQL\n• Power BI\n• Excel"
    )


def test_html_to_text_feeds_split():
    html = "<p><b>Nice to have</b></p><ul>\n  <li>Docker</li>\n  <li>Kubernetes</li>\n</ul>"
    sentences = split(html_to_text(html))
    assert [(s.text, s.section) for s in sentences] == [
        ("Nice to have", "desirable"),
        ("Docker", "desirable"),
        ("Kubernetes", "desirable"),
    ]


def test_html_to_text_plain_and_empty():
    assert html_to_text("") == ""
    assert html_to_text("Just   text\nwith a break") == "Just text with a break"
    assert html_to_text("<pre>line one\nline two</pre>") == "line one\nline two"
