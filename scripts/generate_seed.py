#!/usr/bin/env python3
"""Generate ILLUSTRATIVE seed data for skills-match: providers, courses and employer demand.

Usage:
    python scripts/generate_seed.py [--seed 20261122] [--out data/seed] [--courses 420]
                                    [--demand 5300]

Writes providers.json, courses.jsonl, demand.jsonl and README.md into --out. The providers,
courses, employers and adverts are invented; the skills and occupations they carry are real
ESCO concepts read from the repo's derived reference files in data/reference/ (produced by
scripts/derive_data.py). Nothing else is read: no network, no current date, no environment.

Deterministic: random.Random streams seeded from --seed drive every choice (one stream per
output, so asking for more courses does not reshuffle the adverts), every collection that is
iterated is a list or an insertion-ordered dict (never a set), and all dates come from fixed
reference dates, so the same arguments always give byte-identical files, whatever
PYTHONHASHSEED. Standard library only.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT / "data" / "reference"
DEFAULT_OUT = REPO_ROOT / "data" / "seed"
DEFAULT_SEED = 20261122
DEFAULT_COURSES = 420
DEFAULT_DEMAND = 5300

SOURCE = "illustrative-seed"
LIST_SEP = " | "  # how data/reference joins lists inside one CSV cell

# Fixed reference window (never "today"): course starts and advert dates fall inside these.
COURSE_WINDOW = (date(2025, 9, 1), date(2027, 3, 31))
DEMAND_WINDOW = (date(2025, 9, 1), date(2026, 10, 31))
OUTCOMES_YEAR = "2024-25"  # published outcomes quoted on bootcamp records

# UKPRNs are drawn from the top of the 8-digit range, where real ones are unlikely.
UKPRN_RANGE = (19990000, 19999999)


class SeedDataError(Exception):
    """The reference data does not contain something the generator was written against."""


# ======================================================================================
# Areas: the 20 local authorities of Liverpool City Region and Lancashire
# ======================================================================================

# GSS code -> real towns/neighbourhoods in that authority (used for venues and adverts).
AREA_TOWNS: dict[str, tuple[str, ...]] = {
    "E06000006": ("Runcorn", "Widnes"),
    "E08000011": ("Kirkby", "Huyton", "Prescot", "Halewood"),
    "E08000012": ("Liverpool", "Speke", "Wavertree", "Everton", "Garston", "Walton"),
    "E08000014": ("Bootle", "Southport", "Crosby", "Formby", "Maghull"),
    "E08000013": ("St Helens", "Newton-le-Willows", "Rainford", "Haydock"),
    "E08000015": ("Birkenhead", "Wallasey", "Bebington", "West Kirby", "Heswall"),
    "E07000117": ("Burnley", "Padiham"),
    "E07000118": ("Chorley", "Adlington", "Clayton-le-Woods"),
    "E07000119": ("Lytham St Annes", "Kirkham", "Warton"),
    "E07000120": ("Accrington", "Oswaldtwistle", "Great Harwood"),
    "E07000121": ("Lancaster", "Morecambe", "Carnforth", "Heysham"),
    "E07000122": ("Nelson", "Colne", "Barnoldswick"),
    "E07000123": ("Preston", "Fulwood", "Ribbleton"),
    "E07000124": ("Clitheroe", "Longridge", "Whalley"),
    "E07000125": ("Rawtenstall", "Bacup", "Haslingden"),
    "E07000126": ("Leyland", "Penwortham", "Bamber Bridge"),
    "E07000127": ("Ormskirk", "Skelmersdale", "Burscough"),
    "E07000128": ("Fleetwood", "Poulton-le-Fylde", "Thornton-Cleveleys", "Garstang"),
    "E06000008": ("Blackburn", "Darwen"),
    "E06000009": ("Blackpool", "Bispham"),
}
LCR = ("E06000006", "E08000011", "E08000012", "E08000014", "E08000013", "E08000015")

# Invented place-like words for venue and employer names (not real organisations).
NAME_HEADS = (
    "Ash",
    "Birch",
    "Bright",
    "Cedar",
    "Copper",
    "Elder",
    "Fern",
    "Hazel",
    "Heron",
    "Juniper",
    "Kestrel",
    "Lark",
    "Maple",
    "Moss",
    "Oak",
    "Pine",
    "Raven",
    "Rowan",
    "Silver",
    "Slate",
    "Swift",
    "Tarn",
    "Willow",
    "Wren",
    "Amber",
    "Flint",
    "Harbour",
    "Beacon",
    "Clover",
    "Linnet",
)
NAME_TAILS = (
    "brook",
    "field",
    "gate",
    "wood",
    "stone",
    "bridge",
    "moor",
    "side",
    "well",
    "ford",
    "wick",
    "hurst",
    "lea",
    "mere",
    "dale",
    "point",
    "ridge",
    "view",
    "light",
    "bank",
)
VENUE_KINDS = (
    "Community Hub",
    "Library",
    "Learning Centre",
    "Community Centre",
    "Digital Hub",
    "Neighbourhood Centre",
    "Enterprise Centre",
    "Family Hub",
)

# ======================================================================================
# Skill themes: what a course teaches, as real ESCO preferred labels (resolved at run time)
# ======================================================================================


@dataclass(frozen=True)
class Theme:
    """A hand-curated course theme: intended digital-skill level plus its ESCO skills."""

    level: str  # essential / general / specialist / fusion: the intent, not a label we write
    sector: str | None  # SIC section a course on this theme is filed under
    topics: tuple[str, ...]  # how providers name the subject in titles
    core: tuple[str, ...]  # always taught
    extra: tuple[str, ...]  # sampled to make courses on one theme differ
    blurb: str  # one sentence on why the subject matters (course descriptions)


THEMES: dict[str, Theme] = {
    # --- essential: the EDS entitlement (Entry 3 / Level 1) and community digital inclusion
    "eds_foundations": Theme(
        "essential",
        None,
        ("Essential Digital Skills", "Digital Skills for Life", "Computer Basics"),
        ("operate digital hardware", "conduct web searches", "use e-services"),
        (
            "use IT tools",
            "type on electronic devices",
            "browse, search and filter data, information and digital content",
            "evaluate data, information and digital content",
            "interact through digital technologies",
            "use online communication tools",
            "protect personal data and privacy",
            "protect ICT devices",
            "create digital files",
            "use word processing software",
            "solve technical problems",
            "share through digital technologies",
            "video conferencing tool",
            "have computer literacy",
            "use digital device operating systems",
            "manage data, information and digital content",
        ),
        "Everyday life now runs online, from booking a GP appointment to applying for a job.",
    ),
    "online_safety": Theme(
        "essential",
        None,
        ("Staying Safe Online", "Online Safety", "Cyber Aware at Home"),
        ("protect personal data and privacy", "protect ICT devices"),
        (
            "safeguard online privacy and identity",
            "apply digital security measures",
            "manage digital identity",
            "use online conventions of netiquette",
            "protect health and well-being while using digital technologies",
            "evaluate data, information and digital content",
            "intellectual property regime of digital content",
            "remove computer virus or malware from a computer",
        ),
        "Scams, weak passwords and oversharing put people off going online.",
    ),
    "get_online": Theme(
        "essential",
        None,
        ("Getting Online", "Smartphone and Tablet Basics", "Computer Confidence"),
        ("carry out practical tasks with smart devices", "use e-services"),
        (
            "operate digital hardware",
            "use online communication tools",
            "search for information online",
            "conduct web searches",
            "interact through digital technologies",
            "share through digital technologies",
            "video conferencing tool",
            "use digital device operating systems",
            "have computer literacy",
            "safeguard online privacy and identity",
        ),
        "Being online helps people stay in touch, save money and find work.",
    ),
    # --- general: what most jobs now need
    "office_productivity": Theme(
        "general",
        "N",
        ("Microsoft Office Skills", "IT User Skills", "Digital Skills for Work"),
        ("use word processing software", "use spreadsheets software"),
        (
            "use presentation software",
            "use microsoft office",
            "create digital files",
            "manage data, information and digital content",
            "use online tools to collaborate",
            "digitise documents",
            "use databases",
            "develop digital content",
            "use free typing techniques",
            "draft corporate emails",
            "use communication and collaboration software",
            "use IT tools",
        ),
        "Employers say confident use of everyday office software is the skill they look for most.",
    ),
    "spreadsheet_data": Theme(
        "general",
        "N",
        ("Spreadsheets and Data", "Excel for Work", "Working with Data"),
        ("use spreadsheets software", "perform data analysis"),
        (
            "use databases",
            "manage data, information and digital content",
            "integrate and re-elaborate digital content",
            "apply statistical analysis techniques",
            "data visualisation software",
            "use microsoft office",
            "manage database",
            "process data",
            "search databases",
            "Microsoft Access",
        ),
        "Spreadsheets remain employers' strongest continuing digital need.",
    ),
    "everyday_spreadsheets": Theme(
        "general",
        None,
        ("Everyday Spreadsheets", "Money Maths with Spreadsheets"),
        ("use spreadsheets software",),
        (
            "perform data analysis",
            "apply statistical analysis techniques",
            "process data",
            "manage data, information and digital content",
            "use e-services",
            "create digital files",
        ),
        "Spreadsheets make budgeting, bills and everyday numbers easier to manage.",
    ),
    "online_collaboration": Theme(
        "general",
        "N",
        ("Online Collaboration Tools", "Working Online", "Hybrid Working Skills"),
        ("use online tools to collaborate", "collaborate through digital technologies"),
        (
            "use communication and collaboration software",
            "video conferencing tool",
            "web based collaborative platforms",
            "share through digital technologies",
            "manage online communications",
            "use intranet",
            "use online communication tools",
            "use e-services",
        ),
        "Most teams now share files, meet and plan work online.",
    ),
    "business_systems": Theme(
        "general",
        "N",
        ("CRM and Business Systems", "Digital Business Administration", "Customer Systems"),
        ("use customer relationship management software", "use word processing software"),
        (
            "customer relationship management",
            "use spreadsheets software",
            "use content management system software",
            "process data",
            "manage database",
            "use accounting systems",
            "use e-procurement",
            "manage digital documents",
            "draft corporate emails",
            "use microsoft office",
        ),
        "Offices run on shared systems for customers, documents and orders.",
    ),
    "social_media_business": Theme(
        "general",
        "M",
        ("Social Media for Business", "Selling Online", "Digital Business Skills"),
        ("apply social media marketing", "develop digital content"),
        (
            "social media management",
            "manage online content",
            "social media marketing techniques",
            "create digital images",
            "use content management system software",
            "stay up to date with social media",
            "use internet to increase sales",
            "e-commerce systems",
            "process orders from online shop",
            "develop online community plan",
        ),
        "Small firms and sole traders win most new customers online.",
    ),
    # --- specialist: tech roles
    "software_development": Theme(
        "specialist",
        "J",
        (
            "Software Development",
            "Coding",
            "Full Stack Development",
            "Python Programming",
            "Programming",
        ),
        ("computer programming", "Python (computer programming)", "debug software"),
        (
            "Java (computer programming)",
            "JavaScript",
            "use object-oriented programming",
            "agile development",
            "create software design",
            "perform software unit testing",
            "use software design patterns",
            "SQL",
            "web programming",
            "develop automated software tests",
            "use scripting programming",
            "ICT debugging tools",
            "C#",
            "software frameworks",
            "use software libraries",
            "tools for software configuration management",
            "DevOps",
        ),
        "Software developers are among the hardest roles for employers in the region to fill.",
    ),
    "web_development": Theme(
        "specialist",
        "J",
        ("Web Development", "Front-End Development", "Website Design and Build"),
        ("web programming", "JavaScript", "use markup languages"),
        (
            "JavaScript Framework",
            "CSS",
            "implement front-end website design",
            "design user interface",
            "create website wireframe",
            "manage website",
            "troubleshoot website",
            "use content management system software",
            "PHP",
            "World Wide Web Consortium standards",
            "WordPress",
            "ICT accessibility standards",
        ),
        "Every organisation needs a website that works on any device and for every user.",
    ),
    "cyber_security": Theme(
        "specialist",
        "J",
        ("Cyber Security", "Ethical Hacking", "Security Operations"),
        ("cyber security", "ICT network security risks", "implement a firewall"),
        (
            "define firewall rules",
            "ICT encryption",
            "penetration testing tool",
            "Kali Linux",
            "web application security threats",
            "manage system security",
            "ensure information security",
            "cyber attack counter-measures",
            "ICT security standards",
            "implement a virtual private network",
            "handle cybersecurity incidents",
            "attack vectors",
            "ethical hacking principles",
            "perform ICT security testing",
            "implement ICT security policies",
            "GDPR",
        ),
        "Cyber attacks on small businesses and public services are rising every year.",
    ),
    "it_support_networking": Theme(
        "specialist",
        "J",
        (
            "IT Support",
            "IT Support and Networking",
            "CompTIA A+ and Network+",
            "Network Engineering",
        ),
        ("perform ICT troubleshooting", "install operating system", "provide ICT support"),
        (
            "assemble hardware components",
            "maintain computer hardware",
            "maintain ICT server",
            "ICT network routing",
            "ICT networking hardware",
            "maintain information network hardware",
            "network management system tools",
            "implement ICT network diagnostic tools",
            "perform backups",
            "use ICT hardware",
            "remove computer virus or malware from a computer",
            "provide ICT system training",
            "maintain internet protocol configuration",
            "administer ICT system",
            "mobile device management",
            "handle helpdesk problems",
            "use ICT ticketing system",
            "operating systems",
        ),
        "IT support is a common first step into a digital career.",
    ),
    "cloud_infrastructure": Theme(
        "specialist",
        "J",
        ("Cloud Computing", "Cloud Engineering", "Cloud and DevOps"),
        ("cloud technologies", "deploy cloud resource", "administer ICT system"),
        (
            "manage ICT virtualisation environments",
            "maintain ICT server",
            "store digital data and systems",
            "system backup best practice",
            "perform backups",
            "design cloud architecture",
            "cloud security and compliance",
            "automate cloud tasks",
            "develop with cloud services",
            "plan migration to cloud",
            "manage cloud data and storage",
            "DevOps",
            "cloud monitoring and reporting",
        ),
        "Most organisations are moving their systems to the cloud and need people to run them.",
    ),
    "data_analytics": Theme(
        "specialist",
        "J",
        ("Data Analytics", "Data Analysis", "Data Skills", "Business Intelligence"),
        ("perform data analysis", "SQL", "data visualisation software"),
        (
            "Python (computer programming)",
            "statistics",
            "apply statistical analysis techniques",
            "data mining",
            "data models",
            "create data models",
            "define data quality criteria",
            "analyse big data",
            "identify statistical patterns",
            "data quality assessment",
            "use databases",
            "use spreadsheets software",
            "data analytics",
            "business intelligence",
            "R",
            "perform data cleansing",
            "deliver visual presentation of data",
            "manage data",
        ),
        "Organisations of every kind want people who can turn data into decisions.",
    ),
    "ai_machine_learning": Theme(
        "specialist",
        "J",
        ("Artificial Intelligence", "Machine Learning", "AI and Data Science"),
        (
            "machine learning",
            "principles of artificial intelligence",
            "Python (computer programming)",
        ),
        (
            "natural language processing",
            "build predictive models",
            "data mining methods",
            "analyse big data",
            "statistics",
            "data science",
            "artificial neural networks",
            "computer vision",
            "perform dimensionality reduction",
            "utilise machine learning",
        ),
        "AI is changing how work is done in almost every sector.",
    ),
    "games_immersive": Theme(
        "specialist",
        "J",
        ("Games Development", "Immersive Technologies", "Games and VR Design"),
        ("digital game creation systems", "3D modelling"),
        (
            "develop virtual game engine",
            "create digital game characters",
            "create concept of digital game",
            "apply 3D imaging techniques",
            "digital game genres",
            "create game testing software",
            "compose digital game story",
            "Unity (digital game creation systems)",
            "Unreal Engine",
            "virtual reality",
            "augmented reality",
            "3D texturing",
            "C++",
            "render 3D images",
        ),
        "The region has a long-standing games cluster and a growing immersive-tech scene.",
    ),
    # --- fusion: advanced digital skills inside another discipline
    "digital_marketing": Theme(
        "fusion",
        "M",
        ("Digital Marketing", "Social Media Marketing", "SEO and Content Marketing"),
        (
            "digital marketing techniques",
            "apply social media marketing",
            "search engine optimisation",
        ),
        (
            "conduct search engine optimisation",
            "web analytics",
            "execute email marketing",
            "plan digital marketing",
            "mobile marketing",
            "use content management system software",
            "develop digital content",
            "design digital call to action",
            "enhance website visibility",
            "perform online data analysis",
            "online ads campaign techniques",
            "plan social media marketing campaigns",
            "marketing analytics",
            "WordPress",
        ),
        "Marketing roles now expect analytics, content and campaign tools as standard.",
    ),
    "cad_manufacturing": Theme(
        "fusion",
        "C",
        ("CAD/CAM for Manufacturing", "Digital Engineering", "Industry 4.0 Skills"),
        ("use CAD software", "use CAM software"),
        (
            "CAD software",
            "CAM software",
            "create CAD drawings",
            "use technical drawing software",
            "programmable logic controller",
            "robotics",
            "keep up with digital transformation of industrial processes",
            "use production planning software",
            "statistical process control",
            "create a product's virtual model",
            "3D printing process",
            "digital twin technology",
            "predictive maintenance",
            "industrial software",
        ),
        "Advanced manufacturers in the North West run on digital design and automation.",
    ),
    "health_informatics": Theme(
        "fusion",
        "Q",
        ("Health Informatics", "Digital Health", "Clinical Data and Records"),
        ("health informatics", "use electronic health records management system"),
        (
            "use electronic health records in nursing",
            "use e-health and mobile health technologies",
            "medical statistics",
            "collect statistics on medical records",
            "respect data protection principles",
            "data protection",
            "ensure information privacy",
            "medical informatics",
            "clinical coding",
            "manage digital documents",
            "patient record storage",
        ),
        "Health and care services increasingly rely on digital records and data.",
    ),
    "logistics_systems": Theme(
        "fusion",
        "H",
        ("Digital Logistics", "Warehouse Systems", "Supply Chain Technology"),
        ("use a warehouse management system", "operate warehouse record systems"),
        (
            "maintain warehouse database",
            "maintain logistics databases",
            "use methods of logistical data analysis",
            "transportation software related to an ERP system",
            "manage warehouse inventory",
            "inventory management rules",
            "use spreadsheets software",
            "identify software for warehouse management",
            "use fleet management system",
            "operate handheld devices",
            "use e-procurement",
        ),
        "Port, warehouse and distribution jobs now run on handheld scanners and stock systems.",
    ),
    "finance_digital": Theme(
        "fusion",
        "K",
        ("Digital Finance", "Fintech Fundamentals", "Accounting Software and Data"),
        ("use accounting systems", "use spreadsheets software"),
        (
            "produce statistical financial records",
            "financial forecasting",
            "core banking software",
            "trading software",
            "e-commerce systems",
            "process payments",
            "fraud detection",
            "perform financial analysis on price strategies",
            "cryptocurrency",
            "blockchain",
            "data analytics",
            "quantitative analysis",
        ),
        "Finance teams now work in cloud accounting packages and live data.",
    ),
    "construction_bim": Theme(
        "fusion",
        "F",
        ("BIM and Digital Construction", "Building Information Modelling", "CAD for Construction"),
        ("building information modelling", "use CADD software"),
        (
            "CADD software",
            "use technical drawing software",
            "use software tools for site modelling",
            "apply digital mapping",
            "geographic information systems",
            "use geographic information systems",
            "interpret 3D plans",
            "perform energy simulations",
            "smart city features",
            "building automation",
            "create CAD drawings",
        ),
        "Public construction projects require BIM, and contractors need people who can use it.",
    ),
    "precision_agriculture": Theme(
        "fusion",
        "A",
        ("Precision Agriculture", "Agri-Tech", "Digital Farming"),
        ("apply precision farming", "use agricultural information systems and databases"),
        (
            "geographic information systems",
            "use geographic information systems",
            "operate GPS systems",
            "collect data using GPS",
            "e-agriculture",
            "use pest detection sensors",
            "find trends in geographic data",
            "internet of things",
        ),
        "Lancashire's farms are adopting GPS guidance, sensors and farm data systems.",
    ),
}

# EDS qualifications follow the DfE 2019 national standards; community sessions are described
# against the 2018 EDS framework (what digital-inclusion charities use).
EDS_QUAL_FRAMEWORK = "eds-2019:"
EDS_COMMUNITY_FRAMEWORK = "eds-2018:"

# ======================================================================================
# Providers (fictional)
# ======================================================================================


@dataclass(frozen=True)
class ProviderSpec:
    """A fictional provider: where it is based, where it teaches and how big it is."""

    code: str  # prefix of its course references
    name: str
    provider_type: str
    home: str  # GSS code
    campus: str  # main venue name (without town)
    areas: tuple[str, ...] = ()  # other GSS codes it teaches in
    size: float = 1.0  # relative number of courses
    national: bool = False  # also sells online courses nationally
    focus: tuple[str, ...] = ()  # themes it leans towards


PROVIDERS: tuple[ProviderSpec, ...] = (
    # FE colleges
    ProviderSpec(
        "MVC",
        "Mersey Vale College",
        "fe_college",
        "E08000012",
        "Dockside Campus",
        ("E08000011",),
        2.2,
        focus=("software_development", "data_analytics"),
    ),
    ProviderSpec(
        "HCC",
        "Hilbre Coast College",
        "fe_college",
        "E08000015",
        "Conway Street Campus",
        (),
        1.6,
        focus=("cad_manufacturing", "it_support_networking"),
    ),
    ProviderSpec(
        "SSC",
        "Sefton Shoreline College",
        "fe_college",
        "E08000014",
        "Marsh Lane Campus",
        (),
        1.4,
        focus=("digital_marketing", "office_productivity"),
    ),
    ProviderSpec(
        "GWC",
        "Glassworks College St Helens",
        "fe_college",
        "E08000013",
        "Canal Side Campus",
        ("E06000006",),
        1.4,
        focus=("logistics_systems", "cad_manufacturing"),
    ),
    ProviderSpec(
        "RBC",
        "Runcorn Bridge College",
        "fe_college",
        "E06000006",
        "Daresbury Road Campus",
        (),
        1.0,
        focus=("logistics_systems", "cyber_security"),
    ),
    ProviderSpec(
        "RDC",
        "Ribblesdale College",
        "fe_college",
        "E07000123",
        "Moor Park Campus",
        ("E07000126", "E07000118"),
        2.0,
        focus=("software_development", "cyber_security"),
    ),
    ProviderSpec(
        "PHC",
        "Pendle and Burnley College",
        "fe_college",
        "E07000117",
        "Weavers Quay Campus",
        ("E07000122", "E07000125"),
        1.5,
        focus=("cad_manufacturing", "games_immersive"),
    ),
    ProviderSpec(
        "DVC",
        "Darwen Vale College",
        "fe_college",
        "E06000008",
        "Feilden Street Campus",
        ("E07000120",),
        1.5,
        focus=("data_analytics", "health_informatics"),
    ),
    ProviderSpec(
        "SVT",
        "Seaview Technical College",
        "fe_college",
        "E06000009",
        "Promenade Campus",
        ("E07000119", "E07000128"),
        1.5,
        focus=("digital_marketing", "cloud_infrastructure"),
    ),
    ProviderSpec(
        "LVC",
        "Lune Valley College",
        "fe_college",
        "E07000121",
        "Morecambe Road Campus",
        ("E07000124",),
        1.3,
        focus=("precision_agriculture", "construction_bim"),
    ),
    ProviderSpec(
        "WLC",
        "West Lancs Skills College",
        "fe_college",
        "E07000127",
        "Pennylands Campus",
        (),
        1.0,
        focus=("logistics_systems", "office_productivity"),
    ),
    # Independent training providers
    ProviderSpec(
        "NPT",
        "Northpoint Training Ltd",
        "independent_training_provider",
        "E08000012",
        "Old Hall Street Training Centre",
        ("E08000014", "E08000015"),
        1.2,
        focus=("digital_marketing", "it_support_networking"),
    ),
    ProviderSpec(
        "KAP",
        "Kestrel Apprenticeships Ltd",
        "independent_training_provider",
        "E07000123",
        "Winckley Square Training Rooms",
        ("E07000126", "E07000121"),
        1.2,
        focus=("data_analytics", "software_development"),
    ),
    ProviderSpec(
        "BWT",
        "Brightwork Training",
        "independent_training_provider",
        "E08000013",
        "Linkway Business Centre",
        ("E08000011",),
        0.9,
        focus=("business_systems", "logistics_systems"),
    ),
    ProviderSpec(
        "CSP",
        "Causeway Skills Partnership",
        "independent_training_provider",
        "E07000118",
        "Market Street Skills Centre",
        ("E07000127",),
        0.8,
        focus=("cyber_security", "office_productivity"),
    ),
    ProviderSpec(
        "ASL",
        "Ashlar Learning Ltd",
        "independent_training_provider",
        "E07000120",
        "Blackburn Road Training Centre",
        ("E06000008",),
        0.7,
        focus=("health_informatics", "business_systems"),
    ),
    ProviderSpec(
        "TWT",
        "Tidewater Training",
        "independent_training_provider",
        "E07000128",
        "Dock Street Skills Base",
        ("E06000009",),
        0.7,
        focus=("logistics_systems", "cad_manufacturing"),
    ),
    # Bootcamp suppliers
    ProviderSpec(
        "CHA",
        "CodeHarbour Academy",
        "bootcamp_supplier",
        "E08000012",
        "Baltic Works",
        (),
        1.3,
        national=True,
        focus=("software_development", "web_development"),
    ),
    ProviderSpec(
        "BFB",
        "Byteforge Bootcamps",
        "bootcamp_supplier",
        "E08000015",
        "Hamilton Square Studios",
        ("E08000012",),
        1.0,
        national=True,
        focus=("data_analytics", "ai_machine_learning"),
    ),
    ProviderSpec(
        "CFA",
        "Cyberfell Academy",
        "bootcamp_supplier",
        "E07000121",
        "Castle Hill Labs",
        ("E07000123",),
        0.9,
        national=True,
        focus=("cyber_security", "cloud_infrastructure"),
    ),
    ProviderSpec(
        "PQS",
        "Pixel Quay Academy",
        "bootcamp_supplier",
        "E08000012",
        "Ropewalks Studio",
        ("E08000011",),
        0.7,
        focus=("games_immersive", "web_development"),
    ),
    ProviderSpec(
        "CSB",
        "Cloudstep Bootcamps",
        "bootcamp_supplier",
        "E06000008",
        "King Street Hub",
        ("E07000117", "E07000122"),
        0.8,
        national=True,
        focus=("cloud_infrastructure", "it_support_networking"),
    ),
    # Community organisations
    ProviderSpec(
        "GCK",
        "Get Connected Knowsley",
        "community_organisation",
        "E08000011",
        "Larkfield Community Hub",
        (),
        0.6,
    ),
    ProviderSpec(
        "BDN",
        "Bootle Digital Neighbours",
        "community_organisation",
        "E08000014",
        "Strand Neighbourhood Centre",
        (),
        0.5,
    ),
    ProviderSpec(
        "RVT",
        "Rossendale Valley Community Trust",
        "community_organisation",
        "E07000125",
        "Irwell Mill Community Centre",
        ("E07000117",),
        0.5,
    ),
    ProviderSpec(
        "WDI",
        "West Lancashire Digital Inclusion Network",
        "community_organisation",
        "E07000127",
        "Tanhouse Family Hub",
        ("E07000118",),
        0.5,
    ),
    ProviderSpec(
        "RRC",
        "Ribble Valley Rural Connect",
        "community_organisation",
        "E07000124",
        "Castle Street Community Rooms",
        ("E07000121",),
        0.4,
        focus=("precision_agriculture",),
    ),
    ProviderSpec(
        "HDC",
        "Halton Digital Champions Network",
        "community_organisation",
        "E06000006",
        "Victoria Square Community Rooms",
        (),
        0.5,
    ),
    ProviderSpec(
        "FSC",
        "Fylde Coast Seafront Community Trust",
        "community_organisation",
        "E06000009",
        "Central Pier Community Hub",
        ("E07000119",),
        0.5,
    ),
    # University (fictional)
    ProviderSpec(
        "UNW",
        "University of the North West Coast",
        "university",
        "E07000123",
        "Harris Quarter Campus",
        ("E08000012", "E07000121"),
        1.3,
        national=True,
        focus=("ai_machine_learning", "health_informatics", "construction_bim"),
    ),
    # Local authority adult learning services
    ProviderSpec(
        "WFA",
        "Wyre and Fylde Adult Learning Service",
        "local_authority",
        "E07000128",
        "Fleetwood Adult Learning Centre",
        ("E07000119",),
        0.8,
    ),
    ProviderSpec(
        "MCL",
        "Mersey Community Learning Service",
        "local_authority",
        "E08000012",
        "Lodge Lane Adult Learning Centre",
        ("E08000011", "E08000014"),
        1.0,
    ),
    ProviderSpec(
        "SWL",
        "South Ribble and Chorley Adult Learning",
        "local_authority",
        "E07000126",
        "Leyland Adult Learning Centre",
        ("E07000118",),
        0.7,
    ),
    # An employer that trains its own apprentices
    ProviderSpec(
        "HDL",
        "Harbourline Digital Ltd",
        "employer",
        "E08000015",
        "Twelve Quays Office",
        (),
        0.4,
        focus=("software_development", "digital_marketing"),
    ),
)

# ======================================================================================
# Course kinds: what each programme looks like in the Course Directory
# ======================================================================================


@dataclass(frozen=True)
class CourseKind:
    """How one kind of course is shaped: programme, levels, duration, funding, places..."""

    key: str
    programme_type: str
    course_type: str
    themes: tuple[str, ...]
    levels: tuple[str, ...]
    duration: tuple[str, float, float]  # unit, min, max
    glh: tuple[int, int] | None
    delivery: tuple[str, ...]  # repeated entries weight the choice
    study: tuple[str, ...]
    attendance: tuple[str, ...]
    funding: tuple[str, ...]
    places: tuple[int, int]
    ages: tuple[int | None, int | None]
    starts: str  # see start_dates()
    awarding: tuple[str | None, ...] = (None,)
    cost: tuple[int, int] | None = None  # yearly fee range where fees are fixed (HTQs)


KINDS: dict[str, CourseKind] = {
    "bootcamp": CourseKind(
        "bootcamp",
        "skills_bootcamp",
        "skills_bootcamp",
        (
            "software_development",
            "web_development",
            "cyber_security",
            "it_support_networking",
            "cloud_infrastructure",
            "data_analytics",
            "ai_machine_learning",
            "games_immersive",
            "digital_marketing",
            "cad_manufacturing",
            "logistics_systems",
            "construction_bim",
            "health_informatics",
            "finance_digital",
        ),
        ("L3", "L3", "L3", "L4", "L2", "L5"),
        ("weeks", 8, 16),
        (60, 240),
        ("online", "online", "blended", "blended", "classroom"),
        ("part_time", "part_time", "part_time", "full_time"),
        ("evening", "evening", "weekend", "flexible", "daytime"),
        ("fully_funded",),
        (12, 30),
        (19, None),
        "cohorts",
    ),
    "t_level": CourseKind(
        "t_level",
        "t_level",
        "t_level",
        (),
        ("L3",),
        ("years", 2, 2),
        (1600, 1800),
        ("classroom",),
        ("full_time",),
        ("daytime",),
        ("fully_funded",),
        (20, 60),
        (16, 19),
        "september",
        ("Pearson",),
    ),
    "eds_qual": CourseKind(
        "eds_qual",
        "essential_digital_skills",
        "essential_skills",
        ("eds_foundations", "eds_foundations", "online_safety"),
        ("E3", "L1"),
        ("weeks", 6, 12),
        (30, 60),
        ("classroom", "classroom", "blended"),
        ("part_time",),
        ("daytime", "daytime", "evening"),
        ("fully_funded",),
        (8, 20),
        (19, None),
        "terms",
        (
            "City & Guilds",
            "NCFE",
            "Pearson",
            "Open Awards",
            "Gateway Qualifications",
            "Highfield Qualifications",
        ),
    ),
    "aeb_eds": CourseKind(
        "aeb_eds",
        "aeb_digital",
        "essential_skills",
        ("eds_foundations", "online_safety"),
        ("E3", "L1"),
        ("weeks", 6, 12),
        (30, 60),
        ("classroom", "blended"),
        ("part_time",),
        ("daytime", "evening"),
        ("fully_funded",),
        (8, 20),
        (19, None),
        "terms",
        ("City & Guilds", "NCFE", "Open Awards", "Gateway Qualifications"),
    ),
    "aeb_short": CourseKind(
        "aeb_short",
        "aeb_digital",
        "other",
        (
            "office_productivity",
            "office_productivity",
            "spreadsheet_data",
            "online_collaboration",
            "business_systems",
            "social_media_business",
            "eds_foundations",
        ),
        ("E3", "L1", "L1", "L2", "L2"),
        ("weeks", 5, 12),
        (12, 60),
        ("classroom", "classroom", "blended", "online"),
        ("part_time",),
        ("daytime", "evening", "daytime"),
        ("fully_funded",),
        (8, 20),
        (19, None),
        "terms",
        (None, "NCFE", "City & Guilds", "Open Awards"),
    ),
    "fcj": CourseKind(
        "fcj",
        "aeb_digital",
        "free_courses_for_jobs",
        (
            "data_analytics",
            "cyber_security",
            "software_development",
            "digital_marketing",
            "it_support_networking",
            "cad_manufacturing",
            "spreadsheet_data",
        ),
        ("L3",),
        ("weeks", 20, 36),
        (120, 360),
        ("blended", "online", "classroom"),
        ("part_time",),
        ("evening", "daytime", "flexible"),
        ("fully_funded",),
        (12, 24),
        (19, None),
        "terms",
        ("NCFE", "Pearson", "City & Guilds", "Open Awards"),
    ),
    "apprenticeship": CourseKind(
        "apprenticeship",
        "apprenticeship",
        "apprenticeship",
        (),
        ("L3",),
        ("months", 12, 24),
        (300, 650),
        ("work_based",),
        ("full_time",),
        ("day_block", "daytime", "flexible"),
        ("employer_funded",),
        (5, 25),
        (16, None),
        "rolling",
        ("BCS, The Chartered Institute for IT", "City & Guilds", "NCFE", "Pearson", "Open Awards"),
    ),
    "community": CourseKind(
        "community",
        "community",
        "other",
        (),
        ("E1", "E2", "E3"),
        ("hours", 2, 12),
        (2, 18),
        ("classroom",),
        ("part_time", "flexible"),
        ("daytime", "daytime", "evening", "flexible"),
        ("fully_funded",),
        (6, 15),
        (None, None),
        "drop_in",
    ),
    "multiply": CourseKind(
        "multiply",
        "community",
        "multiply",
        ("everyday_spreadsheets",),
        ("E3", "L1"),
        ("weeks", 4, 8),
        (12, 30),
        ("classroom",),
        ("part_time",),
        ("daytime", "evening"),
        ("fully_funded",),
        (8, 15),
        (19, None),
        "terms",
    ),
    "htq": CourseKind(
        "htq",
        "other",
        "htq",
        (
            "software_development",
            "cyber_security",
            "data_analytics",
            "cloud_infrastructure",
            "it_support_networking",
            "ai_machine_learning",
            "games_immersive",
        ),
        ("L4", "L5"),
        ("years", 1, 2),
        (480, 960),
        ("classroom", "blended"),
        ("full_time", "part_time"),
        ("daytime", "day_block"),
        ("loan",),
        (15, 40),
        (18, None),
        "academic",
        ("Pearson",),
        (5500, 9250),
    ),
    "paid_short": CourseKind(
        "paid_short",
        "other",
        "other",
        # Essential skills are free by entitlement, so nobody sells them as paid courses.
        tuple(
            n for n, t in THEMES.items() if t.level != "essential" and n != "everyday_spreadsheets"
        ),
        ("L1", "L2", "L2", "L3", "L3", "L4"),
        ("weeks", 1, 12),
        (6, 60),
        ("classroom", "online", "online", "blended"),
        ("part_time", "flexible"),
        ("evening", "evening", "weekend", "daytime", "day_block"),
        ("self_funded", "self_funded", "co_funded"),
        (8, 24),
        (19, None),
        "cohorts",
    ),
}

# Short-course fees: a rate per guided hour by the theme's intended level, rounded to the
# nearest usual price point (GBP).
RATE_PER_HOUR = {"essential": 3, "general": 6, "specialist": 22, "fusion": 16}
PRICE_POINTS = (29, 49, 65, 95, 149, 195, 249, 295, 395, 495, 695, 895, 995, 1195, 1495)

# Kinds taught only on the provider's main campus (never at outreach venues).
CAMPUS_ONLY = ("t_level", "htq")

# How often each provider type offers each kind (relative weights).
KIND_MIX: dict[str, dict[str, float]] = {
    "fe_college": {
        "t_level": 2.6,
        "eds_qual": 1.6,
        "aeb_eds": 0.6,
        "aeb_short": 2.0,
        "fcj": 1.6,
        "apprenticeship": 1.8,
        "bootcamp": 1.2,
        "htq": 1.0,
        "paid_short": 1.6,
        "community": 0.3,
        "multiply": 0.3,
    },
    "independent_training_provider": {
        "apprenticeship": 5.0,
        "bootcamp": 2.0,
        "fcj": 1.0,
        "aeb_short": 1.4,
        "aeb_eds": 0.6,
        "paid_short": 1.2,
    },
    "bootcamp_supplier": {"bootcamp": 6.0, "paid_short": 2.0},
    "community_organisation": {
        "community": 5.0,
        "eds_qual": 2.0,
        "aeb_eds": 1.0,
        "aeb_short": 1.0,
        "multiply": 0.5,
    },
    "university": {"htq": 2.0, "bootcamp": 2.0, "paid_short": 2.0, "apprenticeship": 1.0},
    "local_authority": {
        "aeb_short": 3.0,
        "eds_qual": 2.5,
        "aeb_eds": 1.5,
        "community": 2.5,
        "multiply": 1.0,
    },
    "employer": {"apprenticeship": 1.0},
}

T_LEVEL_ROUTES: tuple[tuple[str, str, str], ...] = (
    # route, theme taught, the route's occupational specialisms (for descriptions)
    (
        "Digital Production, Design and Development",
        "software_development",
        "software development, testing and design",
    ),
    (
        "Digital Business Services",
        "data_analytics",
        "data technician work and digital business support",
    ),
    (
        "Digital Support Services",
        "it_support_networking",
        "digital infrastructure, network cabling and digital support",
    ),
)

T_LEVEL_DETAIL = {route: detail for route, _, detail in T_LEVEL_ROUTES}

# Apprenticeship standards: (title, level, theme, min months, max months).
APPRENTICESHIPS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Digital Marketer", "L3", "digital_marketing", 15, 18),
    ("Information Communications Technician", "L3", "it_support_networking", 18, 20),
    ("Data Analyst", "L4", "data_analytics", 15, 24),
    ("Software Developer", "L4", "software_development", 18, 24),
    ("Cyber Security Technician", "L3", "cyber_security", 18, 20),
    ("Network Engineer", "L4", "it_support_networking", 18, 24),
    ("Data Technician", "L3", "spreadsheet_data", 15, 18),
    ("Software Development Technician", "L3", "software_development", 15, 18),
    ("Business Administrator", "L3", "office_productivity", 15, 18),
    ("Engineering Technician", "L3", "cad_manufacturing", 18, 24),
    ("Supply Chain Warehouse Operative", "L2", "logistics_systems", 12, 15),
)

# Community sessions: (title, theme).
COMMUNITY_SESSIONS: tuple[tuple[str, str], ...] = (
    ("Get Online Drop-in", "get_online"),
    ("Digital Champions: One-to-One Help", "get_online"),
    ("Become a Digital Champion (Volunteer Training)", "eds_foundations"),
    ("Smartphone and Tablet Basics", "get_online"),
    ("Stay Safe Online", "online_safety"),
    ("Video Calls and Keeping in Touch", "get_online"),
    ("Online Shopping and Banking Made Simple", "get_online"),
    ("Using Public Services Online", "eds_foundations"),
    ("Computer Confidence for Beginners", "eds_foundations"),
    ("Job Search Online", "eds_foundations"),
    ("Spotting Scams and Fake News", "online_safety"),
)

MULTIPLY_TITLES = (
    "Multiply: Everyday Maths with Spreadsheets",
    "Multiply: Budgeting Online and Money Maths",
    "Multiply: Numbers for Work Using Spreadsheets",
)

# ======================================================================================
# Occupations for demand: (ESCO label, relative volume, sector profile, job-title variants)
# Title variants must be alt labels of that occupation in data/reference/esco_occupations.csv.
# ======================================================================================

SECTOR_PROFILES: dict[str, dict[str, int]] = {
    "ict": {"J": 55, "M": 12, "K": 8, "G": 5, "O": 5, "Q": 5, "C": 5, "P": 3, "N": 2},
    "ict_support": {"J": 30, "P": 15, "Q": 12, "O": 10, "N": 10, "M": 8, "G": 8, "C": 7},
    "telecom": {"J": 80, "F": 20},
    "repair": {"S": 70, "G": 30},
    "education": {"P": 100},
    "marketing": {"M": 45, "G": 20, "J": 15, "I": 5, "K": 5, "C": 5, "R": 5},
    "logistics": {"H": 65, "G": 25, "C": 10},
    "manufacturing": {"C": 85, "M": 15},
    "construction": {"F": 60, "M": 40},
    "energy_install": {"F": 70, "D": 30},
    "health": {"Q": 100},
    "finance": {"K": 80, "M": 20},
    "accounts": {"M": 45, "K": 20, "N": 15, "O": 10, "G": 10},
    "admin": {"N": 25, "O": 15, "Q": 15, "P": 10, "M": 15, "K": 10, "F": 5, "C": 5},
    "contact_centre": {"N": 50, "K": 20, "G": 15, "J": 10, "D": 5},
    "public": {"O": 100},
    "business": {"M": 50, "K": 20, "O": 15, "J": 15},
    "hr": {"N": 50, "O": 20, "Q": 15, "M": 15},
    "retail": {"G": 100},
    "hospitality": {"I": 100},
    "travel_events": {"N": 100},
    "library": {"R": 70, "P": 30},
    "creative": {"M": 50, "J": 50},
    "science": {"M": 60, "Q": 20, "O": 20},
    "agri": {"A": 100},
    "data_protection": {"M": 30, "O": 25, "Q": 20, "K": 25},
}

OCCUPATIONS: tuple[tuple[str, float, str, tuple[str, ...]], ...] = (
    # ICT professionals and technicians (ISCO 25xx, 35xx and ICT managers/teachers)
    ("software developer", 10, "ict", ("programmer", "software engineer")),
    ("web developer", 6, "ict", ("web application developer", "web programmer")),
    ("user interface developer", 2, "ict", ("front end developer",)),
    ("mobile application developer", 2.5, "ict", ("mobile app developer",)),
    ("ICT application developer", 2.5, "ict", ("application developer",)),
    ("cloud engineer", 3, "ict", ()),
    ("cloud DevOps engineer", 2, "ict", ("devops engineer",)),
    ("data analyst", 7, "ict", ("business data analyst",)),
    ("data scientist", 2.5, "ict", ()),
    ("data engineer", 2.5, "ict", ()),
    ("artificial intelligence engineer", 1.5, "ict", ("machine learning engineer",)),
    ("ICT business analyst", 3, "ict", ("IT business analyst",)),
    ("ICT system analyst", 1.5, "ict", ("systems analyst",)),
    ("ICT consultant", 2, "ict", ("IT consultant",)),
    ("software tester", 3.5, "ict", ()),
    ("ICT test analyst", 1.5, "ict", ("IT test analyst",)),
    ("digital games developer", 1.5, "ict", ("games programmer",)),
    ("digital games tester", 1, "ict", ("computer games tester",)),
    ("user interface designer", 1.5, "ict", ("UI designer",)),
    ("user experience analyst", 1.5, "ict", ()),
    ("database administrator", 2, "ict", ()),
    ("database developer", 1, "ict", ()),
    (
        "ICT network administrator",
        2.5,
        "ict_support",
        ("networks administrator", "network support"),
    ),
    ("ICT system administrator", 2.5, "ict_support", ("IT systems administrator",)),
    ("ICT network engineer", 2.5, "ict", ()),
    ("ICT security administrator", 1.5, "ict", ("information security administrator",)),
    ("cyber incident responder", 1.5, "ict", ()),
    ("ethical hacker", 1, "ict", ("penetration tester",)),
    ("cybersecurity risk manager", 1, "ict", ()),
    ("ICT project manager", 2.5, "ict", ("IT project manager", "scrum master")),
    ("software manager", 1, "ict", ()),
    ("ICT help desk agent", 7, "ict_support", ("IT help desk agent",)),
    ("ICT technician", 5, "ict_support", ("IT technician", "IT officer")),
    ("ICT security technician", 1.5, "ict", ("IT security officer",)),
    ("ICT network technician", 2.5, "ict_support", ("IT network technician",)),
    ("data centre operator", 1, "ict", ()),
    ("webmaster", 1, "ict", ("website administrator",)),
    ("telecommunications engineering technician", 1.5, "telecom", ()),
    ("telecommunications technician", 2, "telecom", ("telecoms technician",)),
    ("computer hardware repair technician", 1, "repair", ()),
    ("mobile phone repair technician", 1, "repair", ()),
    ("ICT trainer", 1, "education", ("ICT instructor",)),
    ("digital literacy teacher", 1, "education", ("digital literacy trainer",)),
    ("e-learning developer", 1, "education", ()),
    (
        "ICT teacher secondary school",
        1.2,
        "education",
        ("ICT teacher", "secondary school computing teacher", "computing teacher"),
    ),
    ("ICT account manager", 1, "ict", ("IT account manager",)),
    ("ICT presales engineer", 0.8, "ict", ()),
    (
        "search engine optimisation expert",
        1.5,
        "marketing",
        ("search engine optimisation specialist",),
    ),
    ("web content manager", 1.5, "marketing", ()),
    ("IT auditor", 0.8, "finance", ()),
    ("data protection officer", 1, "data_protection", ("data compliance officer",)),
    ("digital transformation manager", 1, "public", ("digital transformation officer",)),
    # Marketing, sales and creative (fusion)
    ("digital marketing manager", 3, "marketing", ("digital marketing specialist",)),
    ("online marketer", 4, "marketing", ("online marketing specialist",)),
    ("marketing assistant", 5, "marketing", ()),
    ("marketing manager", 2, "marketing", ()),
    ("online community manager", 2, "marketing", ("social media manager",)),
    ("eBusiness manager", 1, "retail", ("eCommerce manager",)),
    ("market research analyst", 1.5, "marketing", ()),
    ("online sales channel manager", 1.5, "retail", ("digital sales manager",)),
    ("advertising copywriter", 1, "marketing", ("copywriter", "content writer")),
    ("public relations officer", 1, "marketing", ()),
    ("graphic designer", 2, "creative", ()),
    ("video and motion picture editor", 0.8, "creative", ()),
    ("technical communicator", 0.8, "creative", ("technical author",)),
    # Logistics (fusion: stock and warehouse systems, handhelds)
    ("warehouse manager", 2, "logistics", ()),
    ("warehouse worker", 6, "logistics", ("warehouse operator",)),
    ("warehouse order picker", 4, "logistics", ()),
    ("logistics analyst", 2, "logistics", ()),
    ("supply chain manager", 1.5, "logistics", ()),
    ("supply chain assistant", 2, "logistics", ()),
    ("distribution centre dispatcher", 1.5, "logistics", ()),
    ("freight transport dispatcher", 1, "logistics", ()),
    ("car and van delivery driver", 3, "logistics", ("delivery van driver", "delivery car driver")),
    ("forklift operator", 2, "logistics", ("warehouse forklift driver",)),
    ("inventory coordinator", 2, "logistics", ("inventory controller",)),
    ("logistics and distribution manager", 1, "logistics", ()),
    # Manufacturing and engineering (fusion: CAD/CAM, automation)
    ("computer-aided design operator", 2.5, "manufacturing", ("CAD design technician",)),
    ("drafter", 1.5, "manufacturing", ("draughtsperson",)),
    (
        "computer numerical control machine operator",
        3.5,
        "manufacturing",
        ("CNC machinist", "CNC machine operator"),
    ),
    ("mechanical engineer", 2, "manufacturing", ()),
    ("manufacturing engineer", 2, "manufacturing", ()),
    ("automation engineer", 1, "manufacturing", ()),
    ("mechatronics engineering technician", 1.5, "manufacturing", ("mechatronics technician",)),
    ("electronics engineering technician", 1.5, "manufacturing", ()),
    ("robotics engineering technician", 1, "manufacturing", ()),
    ("industrial engineer", 1, "manufacturing", ()),
    ("manufacturing manager", 1, "manufacturing", ()),
    ("3D printing technician", 0.6, "manufacturing", ()),
    ("quality engineering technician", 1.5, "manufacturing", ("quality technician",)),
    ("industrial robot controller", 0.6, "manufacturing", ()),
    ("automation engineering technician", 1, "manufacturing", ()),
    # Construction and energy (fusion: BIM, smart buildings)
    ("building information modelling consultant", 0.8, "construction", ("BIM specialist",)),
    ("civil engineer", 1.5, "construction", ()),
    ("architectural drafter", 1, "construction", ()),
    ("surveying technician", 1, "construction", ("geomatics technician",)),
    ("civil engineering technician", 1, "construction", ()),
    ("smart home installer", 0.8, "energy_install", ("home automation installer",)),
    ("building electrician", 2, "construction", ("installation electrician",)),
    ("solar energy technician", 1, "energy_install", ()),
    # Health (fusion: digital records, informatics)
    ("clinical informatics manager", 0.8, "health", ()),
    ("medical records clerk", 2.5, "health", ("health records clerk",)),
    ("medical records manager", 0.8, "health", ("health records manager",)),
    ("medical administrative assistant", 3.5, "health", ()),
    ("clinical coder", 1.5, "health", ("medical coder",)),
    (
        "picture archiving and communication systems administrator",
        0.6,
        "health",
        ("PACS administrator", "PACS manager"),
    ),
    (
        "nurse responsible for general care",
        3,
        "health",
        ("community staff nurse", "adult nurse", "practice nurse", "district nurse"),
    ),
    ("pharmacist", 1, "health", ()),
    ("radiographer", 1, "health", ()),
    ("biomedical scientist", 1, "health", ()),
    (
        "front line medical receptionist",
        2,
        "health",
        ("medical receptionist", "GP surgery receptionist"),
    ),
    ("medical transcriptionist", 0.8, "health", ()),
    ("healthcare assistant", 3, "health", ()),
    # Finance (fusion: finance data, banking systems)
    ("financial analyst", 2, "finance", ()),
    ("credit risk analyst", 1, "finance", ()),
    ("bank account manager", 1, "finance", ()),
    ("insurance claims handler", 2, "finance", ("claims handler",)),
    ("payroll clerk", 1.5, "accounts", ("payroll administrator",)),
    ("statistical assistant", 0.8, "science", ()),
    ("actuarial assistant", 0.6, "finance", ()),
    ("financial risk manager", 0.8, "finance", ()),
    ("accounting assistant", 1.2, "accounts", ("assistant accountant",)),
    ("bookkeeper", 0.8, "accounts", ("accounts clerk",)),
    # Administration, customer service, public sector (general digital skills)
    ("administrative assistant", 6, "admin", ("administrative office assistant",)),
    ("office clerk", 3, "admin", ("clerical assistant",)),
    ("data entry clerk", 2.5, "admin", ("data entry officer",)),
    ("secretary", 2, "admin", ("secretarial assistant",)),
    ("office manager", 2, "admin", ("office coordinator",)),
    ("executive assistant", 1, "admin", ()),
    ("project support officer", 2, "admin", ("project management officer",)),
    ("customer service representative", 5, "contact_centre", ("customer service officer",)),
    ("call centre agent", 3.5, "contact_centre", ()),
    ("contact centre supervisor", 1, "contact_centre", ("customer service supervisor",)),
    ("receptionist", 2, "admin", ("office receptionist",)),
    (
        "civil service administrative officer",
        3,
        "public",
        ("local authority administrator", "public administrative officer"),
    ),
    ("monitoring and evaluation officer", 1, "public", ()),
    ("business analyst", 2, "business", ()),
    ("recruitment consultant", 1.5, "hr", ()),
    ("human resources officer", 1, "hr", ()),
    # Retail, hospitality, education, other services
    ("sales processor", 1, "retail", ("order processor",)),
    (
        "specialised seller",
        1.5,
        "retail",
        ("specialised sales advisor", "specialised sales assistant"),
    ),
    (
        "computer and accessories specialised seller",
        1,
        "retail",
        ("IT salesperson", "computer salesperson"),
    ),
    ("shop manager", 2, "retail", ("store manager",)),
    ("supermarket manager", 1, "retail", ()),
    ("sales support assistant", 2, "retail", ()),
    ("commercial sales representative", 2, "business", ()),
    ("secondary school teacher", 1.5, "education", ()),
    ("further education teacher", 1, "education", ("further education lecturer",)),
    ("instructional designer", 1, "education", ()),
    ("education administrator", 1, "education", ()),
    ("librarian", 0.8, "library", ()),
    (
        "hospitality establishment receptionist",
        2,
        "hospitality",
        ("hotel receptionist", "reception assistant"),
    ),
    ("restaurant manager", 1, "hospitality", ()),
    ("accommodation manager", 1, "hospitality", ("hotel general manager",)),
    ("travel agent", 1, "travel_events", ("travel booking agent",)),
    ("event manager", 1, "travel_events", ("event organizer",)),
    ("statistician", 0.6, "science", ()),
    ("drone pilot", 0.5, "agri", ("drone operator",)),
    ("agricultural technician", 0.5, "agri", ()),
    ("remote sensing technician", 0.5, "science", ()),
)

# ESCO labels that read badly as a job title: adverts always use one of the variants.
ALWAYS_VARIANT = (
    "nurse responsible for general care",
    "picture archiving and communication systems administrator",
    "ICT teacher secondary school",
    "specialised seller",
    "computer numerical control machine operator",
    "hospitality establishment receptionist",
    "front line medical receptionist",
    "civil service administrative officer",
    "computer and accessories specialised seller",
    "car and van delivery driver",
)

# An advert for an occupation whose ESCO profile has no digital skill still usually asks for
# one everyday tool. We add this one general skill (as optional) to such adverts, and only to
# them, so they are not skill-less; it is the only skill not taken from the ESCO profile.
FALLBACK_DIGITAL_SKILL = "use spreadsheets software"

MAX_DEMAND_SKILLS = 40  # schema allows 200; real adverts list far fewer
MAX_NON_DIGITAL = 4
MAX_OPTIONAL_DIGITAL = 8

# Monthly posting volume: calendar seasonality (January and autumn peaks, August and
# December lulls) times a mild upward trend across the window.
SEASONALITY = {
    1: 1.15,
    2: 1.1,
    3: 1.08,
    4: 1.0,
    5: 1.0,
    6: 0.95,
    7: 0.85,
    8: 0.8,
    9: 1.05,
    10: 1.06,
    11: 0.95,
    12: 0.66,
}
MONTHLY_GROWTH = 0.012

# Salary bands by ISCO major group (GBP a year; illustrative).
SALARY_BANDS = {
    "1": (38000, 65000),
    "2": (30000, 58000),
    "3": (24000, 40000),
    "4": (21500, 27000),
    "5": (21000, 25500),
    "6": (21000, 26000),
    "7": (24000, 36000),
    "8": (22500, 31000),
    "9": (21000, 24500),
}

EMPLOYER_PATTERNS: dict[str, tuple[str, ...]] = {
    "A": ("{w} Farms Ltd", "{w} Agritech", "{w} Growers"),
    "C": (
        "{w} Precision Engineering Ltd",
        "{w} Manufacturing Ltd",
        "{w} Components",
        "{w} Fabrications Ltd",
        "{w} Composites",
    ),
    "D": ("{w} Energy Ltd", "{w} Renewables"),
    "F": (
        "{w} Construction Ltd",
        "{w} Civil Engineering Ltd",
        "{w} Homes",
        "{w} Building Services",
    ),
    "G": (
        "{w} Retail Ltd",
        "{w} Home Stores",
        "{w} Trading Co.",
        "{w} Outdoor Ltd",
        "{w} Wholesale",
    ),
    "H": ("{w} Logistics Ltd", "{w} Freight", "{w} Distribution Ltd", "{w} Transport Group"),
    "I": ("{w} Hotel", "The {w} Inn", "{w} Hospitality Group", "{w} Leisure"),
    "J": (
        "{w} Digital Ltd",
        "{w} Software",
        "{w} Systems Ltd",
        "{w} Data Solutions",
        "{w} Tech Ltd",
        "{w} Cloud Services",
        "{w} Networks",
    ),
    "K": (
        "{w} Financial Services",
        "{w} Insurance Services Ltd",
        "{w} Wealth Management",
        "{w} Credit Union",
        "{w} Mutual",
    ),
    "M": (
        "{w} Associates",
        "{w} Consulting",
        "{w} Marketing Agency",
        "{w} Design Studio",
        "{w} & Partners",
        "{w} Research",
    ),
    "N": (
        "{w} Recruitment",
        "{w} Business Services",
        "{w} Contact Centre Ltd",
        "{w} Support Services",
        "{w} Facilities Management",
    ),
    "O": ("{w} Shared Services", "{w} Regional Agency", "{w} Public Services Partnership"),
    "P": ("{w} Academy Trust", "{w} High School", "{w} Learning Trust", "{w} Sixth Form College"),
    "Q": (
        "{w} Care Group",
        "{w} Health Partnership",
        "{w} Medical Centre",
        "{w} Healthcare Ltd",
        "{w} Community Care",
    ),
    "R": ("{w} Libraries Trust", "{w} Arts Centre", "{w} Leisure Trust"),
    "S": ("{w} Repairs", "{w} Tech Repair", "{w} Device Doctors"),
}

SECTOR_BLURBS: dict[str, tuple[str, ...]] = {
    "A": ("We farm and supply produce across the North West.",),
    "C": (
        "We design and make engineered products for customers in the UK and abroad.",
        "Our manufacturing site runs modern, automated production lines.",
    ),
    "D": ("We install and maintain low-carbon energy systems.",),
    "F": ("We deliver construction and refurbishment projects across the region.",),
    "G": (
        "We sell to customers in store and online.",
        "Our retail business is growing fast, both on the high street and online.",
    ),
    "H": (
        "We move goods for retailers and manufacturers from our distribution centres.",
        "Our logistics operation serves customers across the North of England.",
    ),
    "I": ("We welcome guests all year round and pride ourselves on service.",),
    "J": (
        "We build digital products and services for clients across the UK.",
        "We are a growing technology business working with public and private sector clients.",
    ),
    "K": ("We provide financial services to households and businesses.",),
    "M": ("We are a professional services firm working with clients across the North West.",),
    "N": ("We provide business support services to organisations of every size.",),
    "O": ("We deliver public services to residents and businesses.",),
    "P": ("We are a successful, inclusive place of learning.",),
    "Q": ("We provide health and care services to the local community.",),
    "R": ("We run cultural and leisure services for the community.",),
    "S": ("We repair phones, tablets and computers for local customers.",),
}

# ======================================================================================
# Reference data (the only input)
# ======================================================================================


@dataclass
class SkillInfo:
    """One ESCO skill from esco_skills.csv."""

    id: str
    label: str
    is_action: bool  # label reads as a verb phrase (see is_action_label)
    is_digital: bool
    alts: list[str] = field(default_factory=list)


@dataclass
class Occupation:
    """One curated ESCO occupation with its skills split by importance and digital flag."""

    id: str
    label: str
    isco_code: str
    weight: float
    sectors: dict[str, int]
    titles: tuple[str, ...]
    digital_essential: list[str]
    digital_optional: list[str]
    other_essential: list[str]


@dataclass
class Reference:
    """Everything read from data/reference/."""

    skills: dict[str, SkillInfo]
    by_label: dict[str, list[SkillInfo]]
    eds_areas: list[dict[str, str]]
    areas: dict[str, dict[str, str]]  # GSS -> row of local_authorities.csv
    occupations: dict[str, dict[str, str]]  # casefolded label -> row
    sic: dict[str, str]  # SIC 2007 section -> title
    verbs: frozenset[str]  # opening words of action labels ("use", "manage", ...)


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV as dicts; a clear error if the file is missing."""
    if not path.exists():
        raise SeedDataError(f"{path} not found: run scripts/derive_data.py first")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split_cell(cell: str) -> list[str]:
    """Split a ` | `-joined reference cell into items."""
    return [x.strip() for x in (cell or "").split(LIST_SEP) if x.strip()]


def load_reference(ref_dir: Path) -> Reference:
    """Read skills, labels, EDS areas, local authorities and occupations from ref_dir."""
    skills: dict[str, SkillInfo] = {}
    by_label: dict[str, list[SkillInfo]] = {}
    rows = read_csv(ref_dir / "esco_skills.csv")
    # Where two concepts share a preferred label, prefer the one in ESCO v1.2.0, then the
    # digital one, then the lowest id (the same rule derive_data.py uses for profiles).
    rows.sort(key=lambda r: (r["in_esco_v1_2_0"] != "1", r["is_digital"] != "1", r["id"]))
    for row in rows:
        action = is_action_label(row["preferred_label"], row["skill_type"], row["hierarchy_codes"])
        info = SkillInfo(row["id"], row["preferred_label"], action, row["is_digital"] == "1")
        skills[info.id] = info
        by_label.setdefault(info.label.casefold(), []).append(info)
    for row in read_csv(ref_dir / "esco_skill_labels.csv"):
        if row["label_type"] == "alt" and row["skill_id"] in skills:
            skills[row["skill_id"]].alts.append(row["label"])
    areas = {r["gss_code"]: r for r in read_csv(ref_dir / "local_authorities.csv")}
    occupations: dict[str, dict[str, str]] = {}
    for row in read_csv(ref_dir / "esco_occupations.csv"):
        occupations.setdefault(row["label"].casefold(), row)
    eds = sorted(read_csv(ref_dir / "eds_areas.csv"), key=lambda r: r["id"])
    sic = {r["section"]: r["label"] for r in read_csv(ref_dir / "sic_sections.csv")}
    verbs = frozenset(s.label.split()[0].casefold() for s in skills.values() if s.is_action)
    return Reference(skills, by_label, eds, areas, occupations, sic, verbs)


def resolve_label(ref: Reference, label: str) -> str:
    """UUID of the skill whose preferred label is `label` (case-insensitive); fail loudly."""
    found = ref.by_label.get(label.casefold())
    if not found:
        raise SeedDataError(f"skill label not in esco_skills.csv: {label!r}")
    return found[0].id


@dataclass
class ResolvedTheme:
    """A theme with its labels turned into skill ids."""

    name: str
    theme: Theme
    core: list[str]
    extra: list[str]


def resolve_themes(ref: Reference) -> dict[str, ResolvedTheme]:
    """Resolve every theme label to an id (fails on the first unknown label)."""
    resolved = {}
    for name, theme in THEMES.items():
        core = list(dict.fromkeys(resolve_label(ref, x) for x in theme.core))
        extra = [
            i for i in dict.fromkeys(resolve_label(ref, x) for x in theme.extra) if i not in core
        ]
        resolved[name] = ResolvedTheme(name, theme, core, extra)
    return resolved


def check_areas(ref: Reference) -> None:
    """Every area the generator uses must exist in local_authorities.csv with a population."""
    for gss in AREA_TOWNS:
        row = ref.areas.get(gss)
        if row is None or not row.get("population"):
            raise SeedDataError(f"{gss} missing (or no population) in local_authorities.csv")


def resolve_occupations(ref: Reference) -> list[Occupation]:
    """Curated occupations with their profile skills split into digital / other."""
    out = []
    for label, weight, profile, titles in OCCUPATIONS:
        row = ref.occupations.get(label.casefold())
        if row is None:
            raise SeedDataError(f"occupation not in esco_occupations.csv: {label!r}")
        alts = {a.casefold() for a in split_cell(row["alt_labels"])}
        for title in titles:
            if title.casefold() not in alts:
                raise SeedDataError(f"{title!r} is not an alt label of occupation {label!r}")
        essential = [s for s in split_cell(row["essential_skills"]) if s in ref.skills]
        optional = [
            s for s in split_cell(row["optional_skills"]) if s in ref.skills and s not in essential
        ]
        out.append(
            Occupation(
                id=row["id"],
                label=row["label"],
                isco_code=row["isco_code"],
                weight=weight,
                sectors=SECTOR_PROFILES[profile],
                titles=titles,
                digital_essential=[s for s in essential if ref.skills[s].is_digital],
                digital_optional=[s for s in optional if ref.skills[s].is_digital],
                other_essential=[s for s in essential if not ref.skills[s].is_digital],
            )
        )
    return out


# ======================================================================================
# Small helpers
# ======================================================================================


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    """One key of `options`, chosen with probability proportional to its value."""
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integer parts proportional to weights (largest remainder)."""
    s = sum(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


ACRONYMS = {
    "ict": "ICT",
    "it": "IT",
    "cad": "CAD",
    "cam": "CAM",
    "sql": "SQL",
    "css": "CSS",
    "php": "PHP",
    "gps": "GPS",
    "erp": "ERP",
    "ui": "UI",
    "3d": "3D",
    "seo": "SEO",
    "cnc": "CNC",
    "bim": "BIM",
    "pacs": "PACS",
    "hr": "HR",
    "devops": "DevOps",
    "ebusiness": "eBusiness",
    "ecommerce": "eCommerce",
}
SMALL_WORDS = {"and", "or", "of", "in", "for", "the", "a", "an", "to", "with", "on"}


def title_case(text: str) -> str:
    """Job-title casing that keeps acronyms: 'ICT help desk agent' -> 'ICT Help Desk Agent'."""
    words = []
    for i, word in enumerate(text.split()):
        key = word.casefold()
        if key in ACRONYMS:
            words.append(ACRONYMS[key])
        elif i and key in SMALL_WORDS:
            words.append(key)
        elif word[:1].islower():
            words.append(word[:1].upper() + word[1:])
        else:
            words.append(word)
    return " ".join(words)


# ESCO skills/competences are labelled as actions ("use spreadsheets software"), knowledge as
# topics ("cloud technologies"). Most v1.1.1 concepts carry no skill_type, but their hierarchy
# codes say which pillar they sit in (S/T: skills and transversal; K: knowledge). A handful of
# skill labels still open with a noun; these first words mark them.
NOUN_OPENERS = frozenset({"ict", "digital", "clinical", "data", "web", "cloud", "software"})


def is_action_label(label: str, skill_type: str, hierarchy_codes: str) -> bool:
    """True if the label reads as something you do, so 'the ability to <label>' works."""
    if not skill_type:
        codes = split_cell(hierarchy_codes)
        skill_type = (
            "knowledge"
            if codes and all(c.startswith("K") for c in codes)
            else ("skill/competence" if codes else "")
        )
    words = label.split()
    return (
        skill_type == "skill/competence"
        and bool(words)
        and (words[0].casefold() not in NOUN_OPENERS)
    )


def display(label: str) -> str:
    """A skill label as it reads in prose: drop ESCO's '(computer programming)' qualifiers."""
    return re.sub(r"\s*\([^)]*\)$", "", label)


KEEP_CAPITALS = {
    "Python",
    "Excel",
    "Microsoft",
    "Office",
    "CompTIA",
    "Network+",
    "A+",
    "AI",
    "VR",
    "CRM",
    "BIM",
    "CAD",
    "CAD/CAM",
    "SEO",
    "DevOps",
    "IT",
    "4.0",
    "Industry",
}


def in_sentence(topic: str) -> str:
    """A title-cased topic as it reads mid-sentence: 'Cloud and DevOps' -> 'cloud and DevOps'."""

    def word(w: str) -> str:
        """One word, lower-cased unless it is an acronym or a name."""
        if w in KEEP_CAPITALS or w[1:] != w[1:].lower():
            return w  # acronyms and names: CompTIA, SEO, Python
        return w.lower()

    return " ".join("-".join(word(part) for part in w.split("-")) for w in topic.split())


def with_article(text: str) -> str:
    """'a Data Analyst', 'an ICT Technician', 'an Apprentice Web Developer'."""
    return ("an " if text[:1].upper() in "AEIO" else "a ") + text


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def slug(text: str) -> str:
    """URL-safe lower-case slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def mondays_between(start: date, end: date) -> list[date]:
    """Every Monday from start to end inclusive."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]


def shift_to_weekday(day: date, weekday: int) -> date:
    """The first date on or after `day` that falls on `weekday` (Monday = 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def avoid_holidays(day: date) -> date:
    """Nobody starts a course over Christmas: move 18 Dec - 4 Jan starts to 5 January."""
    if (day.month == 12 and day.day >= 18) or (day.month == 1 and day.day <= 4):
        return date(day.year + (day.month == 12), 1, 5)
    return day


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) pairs from start's month to end's month inclusive."""
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ======================================================================================
# Providers
# ======================================================================================


@dataclass
class Provider:
    """A generated provider record plus what the course generator needs to know about it."""

    spec: ProviderSpec
    ukprn: str
    website: str
    venues: dict[str, list[str]]  # GSS -> venue names in that area

    def record(self) -> dict[str, Any]:
        """The ProviderSchema object."""
        return {
            "ukprn": self.ukprn,
            "name": self.spec.name,
            "provider_type": self.spec.provider_type,
            "local_authority": self.spec.home,
            "website": self.website,
        }


def venue_name(rng: random.Random, town: str, used: list[str]) -> str:
    """A fictional community venue in `town`, unique within this run."""
    while True:
        name = f"{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)} {rng.choice(VENUE_KINDS)}, {town}"
        if name not in used:
            used.append(name)
            return name


def build_providers(rng: random.Random) -> list[Provider]:
    """UKPRNs, websites and venues for every ProviderSpec."""
    ukprns = rng.sample(range(UKPRN_RANGE[0], UKPRN_RANGE[1] + 1), len(PROVIDERS))
    used: list[str] = []
    providers = []
    for spec, ukprn in zip(PROVIDERS, ukprns, strict=True):
        home_town = AREA_TOWNS[spec.home][0]
        venues = {spec.home: [f"{spec.name}, {spec.campus}, {home_town}"]}
        for gss in (spec.home, *spec.areas):
            # Outreach venues: libraries and community centres in the area's other towns.
            for town in AREA_TOWNS[gss][:3]:
                venues.setdefault(gss, []).append(venue_name(rng, town, used))
        website = f"https://www.{slug(spec.name)}.example"
        providers.append(Provider(spec, str(ukprn), website, venues))
    return providers


# ======================================================================================
# Courses
# ======================================================================================


@dataclass
class CourseContext:
    """Everything one course's text and fields are built from."""

    provider: Provider
    kind: CourseKind
    gss: str | None
    national: bool
    theme: ResolvedTheme
    title: str
    level: str
    topic: str


class CourseBuilder:
    """Builds course rows for providers; holds the resolved themes and reference data."""

    def __init__(self, rng: random.Random, ref: Reference, themes: dict[str, ResolvedTheme]):
        self.rng = rng
        self.ref = ref
        self.themes = themes
        self.eds_ids = {
            prefix: [r["id"] for r in ref.eds_areas if r["id"].startswith(prefix)]
            for prefix in (EDS_QUAL_FRAMEWORK, EDS_COMMUNITY_FRAMEWORK)
        }
        for prefix, ids in self.eds_ids.items():
            if not ids:
                raise SeedDataError(f"no EDS areas with ids starting {prefix!r} in eds_areas.csv")

    # ---- choosing what to build -------------------------------------------------------

    def plan(self, providers: list[Provider], total: int) -> list[tuple[Provider, str, str]]:
        """(provider, kind, GSS) for every course: every kind a provider offers and every
        area it teaches in appear at least once, the rest are drawn by weight. `total` is a
        target: a small one is topped up so that this coverage still holds."""
        quotas = allocate(total, [p.spec.size for p in providers])
        plan = []
        for provider, quota in zip(providers, quotas, strict=True):
            home = provider.spec.home
            mix = KIND_MIX[provider.spec.provider_type]
            areas = [home, *provider.spec.areas]
            pending = list(areas)  # areas still without a course from this provider
            must_kinds = [k for k, w in mix.items() if w >= 1.0]
            local_kinds = {k: w for k, w in mix.items() if k not in CAMPUS_ONLY}
            i = 0
            while i < max(quota, len(must_kinds)) or pending:
                if i < len(must_kinds):
                    kind = must_kinds[i]
                elif i >= quota:  # topping up an area not yet covered
                    kind = weighted(self.rng, local_kinds)
                else:
                    kind = weighted(self.rng, mix)
                if kind in CAMPUS_ONLY:
                    gss = home
                elif pending:
                    gss = pending.pop(0)
                else:  # the home area hosts most courses
                    gss = weighted(self.rng, {a: (3.0 if a == home else 1.0) for a in areas})
                plan.append((provider, kind, gss))
                i += 1
        return plan

    def pick_theme(self, provider: Provider, options: Sequence[str]) -> ResolvedTheme:
        """A theme from `options`, favouring the provider's focus themes."""
        weights = {t: (4.0 if t in provider.spec.focus else 1.0) for t in options}
        return self.themes[weighted(self.rng, weights)]

    def context(self, provider: Provider, kind_key: str, gss: str) -> CourseContext:
        """Choose theme, title and level for one course."""
        rng = self.rng
        kind = KINDS[kind_key]
        national = (
            provider.spec.national
            and kind_key in ("bootcamp", "paid_short")
            and rng.random() < 0.35
        )
        if kind_key == "t_level":
            route, theme_name, _ = rng.choice(T_LEVEL_ROUTES)
            theme = self.themes[theme_name]
            return CourseContext(
                provider, kind, gss, False, theme, f"T Level in {route}", "L3", route
            )
        if kind_key == "apprenticeship":
            options = [
                a
                for a in APPRENTICESHIPS
                if provider.spec.provider_type != "employer" or a[2] in provider.spec.focus
            ]
            name, level, theme_name, _, _ = rng.choice(options)
            return CourseContext(
                provider,
                kind,
                gss,
                False,
                self.themes[theme_name],
                f"Level {level[1]} {name} Apprenticeship",
                level,
                name,
            )
        if kind_key == "community":
            title, theme_name = rng.choice(COMMUNITY_SESSIONS)
            return CourseContext(
                provider,
                kind,
                gss,
                False,
                self.themes[theme_name],
                title,
                rng.choice(kind.levels),
                title,
            )
        if kind_key == "multiply":
            return CourseContext(
                provider,
                kind,
                gss,
                False,
                self.themes["everyday_spreadsheets"],
                rng.choice(MULTIPLY_TITLES),
                rng.choice(kind.levels),
                "everyday maths",
            )
        theme = self.pick_theme(provider, kind.themes)
        topic = rng.choice(theme.theme.topics)
        level = self.level_for(kind, theme)
        title = self.title_for(kind_key, topic, level)
        return CourseContext(provider, kind, gss, national, theme, title, level, topic)

    def level_for(self, kind: CourseKind, theme: ResolvedTheme) -> str:
        """Qualification level: the kind's range, nudged by the theme's intended level."""
        if kind.key != "paid_short":
            return self.rng.choice(kind.levels)
        by_level = {
            "essential": ("E3", "L1"),
            "general": ("L1", "L2", "L2"),
            "specialist": ("L2", "L3", "L3", "L4"),
            "fusion": ("L2", "L3", "L3", "L4"),
        }
        return self.rng.choice(by_level[theme.theme.level])

    def title_for(self, kind_key: str, topic: str, level: str) -> str:
        """A provider-style course title."""
        rng = self.rng
        lv = {"E1": "Entry 1", "E2": "Entry 2", "E3": "Entry 3"}.get(level, f"Level {level[1:]}")
        templates = {
            "bootcamp": (
                "Skills Bootcamp in {t}",
                "{t} Skills Bootcamp",
                "Skills Bootcamp: {t}",
                "{t} Bootcamp ({lv})",
            ),
            "eds_qual": (
                "Essential Digital Skills Qualification ({lv})",
                "Essential Digital Skills ({lv})",
                "Digital Skills for Life and Work ({lv})",
            ),
            "aeb_eds": (
                "Digital Confidence: Essential Digital Skills ({lv})",
                "Essential Digital Skills Pilot ({lv})",
                "Test and Learn: Essential Digital Skills ({lv})",
            ),
            "aeb_short": (
                "{t} ({lv})",
                "{lv} Award in {t}",
                "{t} for Beginners",
                "Introduction to {t}",
                "{t}: Getting Ready for Work",
            ),
            "fcj": (
                "{lv} Certificate in {t}",
                "{lv} Diploma in {t}",
                "Free Courses for Jobs: {lv} {t}",
            ),
            "htq": (
                "HTQ: Higher National {hn} in Digital Technologies ({t})",
                "Higher National {hn} in Digital Technologies: {t} (HTQ)",
            ),
            "paid_short": (
                "Introduction to {t}",
                "{t} for Beginners",
                "{t} Essentials",
                "{t} for Small Businesses",
            )
            if level in ("E3", "L1", "L2")
            else (
                "{t}: Intermediate",
                "Professional Certificate in {t}",
                "{t} Masterclass",
                "Advanced {t}",
                "{t} for Professionals",
            ),
        }[kind_key]
        hn = "Certificate" if level == "L4" else "Diploma"
        return rng.choice(templates).format(t=topic, lv=lv, hn=hn)

    # ---- building a row ---------------------------------------------------------------

    def build(self, ctx: CourseContext, seq: int) -> dict[str, Any]:
        """One CourseImportRow object."""
        rng, kind = self.rng, ctx.kind
        spec = ctx.provider.spec
        unit, lo, hi = kind.duration
        duration: float
        if ctx.kind.key == "apprenticeship":
            lo, hi = next((a[3], a[4]) for a in APPRENTICESHIPS if a[0] == ctx.topic)
        if unit == "years":
            # HNCs (L4) take a year full-time or two part-time; HNDs and T Levels two years.
            duration = 1 if kind.key == "htq" and ctx.level == "L4" and rng.random() < 0.6 else 2
        elif kind.key == "community" and rng.random() < 0.5:
            unit, duration = "weeks", rng.randint(1, 6)
        elif kind.key == "paid_short":
            unit = rng.choice(("hours", "days", "weeks", "weeks"))
            duration = {
                "hours": rng.choice((6, 9, 12, 18, 24, 30)),
                "days": rng.randint(1, 5),
                "weeks": rng.randint(4, 12),
            }[unit]
        else:
            duration = rng.randint(int(lo), int(hi))
        glh = self.guided_hours(kind, unit, duration)
        delivery = "online" if ctx.national else rng.choice(kind.delivery)
        study = rng.choice(kind.study)
        if kind.key == "htq":
            study = "full_time" if duration == 1 or ctx.level == "L5" else "part_time"
        attendance = rng.choice(kind.attendance)
        if study == "full_time" and kind.key == "bootcamp":
            attendance = "daytime"  # an intensive full-time cohort runs in the day
        if delivery == "online" and attendance == "day_block":
            attendance = "flexible"
        funding = rng.choice(kind.funding)
        cost, cost_description = self.cost(ctx, funding, glh)
        places = rng.randint(*kind.places)
        flexible, starts = self.start_dates(ctx, unit, duration, attendance)
        gss = ctx.gss
        if ctx.national:
            gss = spec.home if rng.random() < 0.5 else None
        venue = None
        if delivery in ("classroom", "blended") and ctx.gss:
            venue = self.venue(ctx)
        skills = self.skills_for(ctx)
        ref_code = f"{spec.code}-{seq:04d}"
        row: dict[str, Any] = {
            "provider_ukprn": ctx.provider.ukprn,
            "provider_ref": ref_code,
            "title": ctx.title,
            "course_type": kind.course_type,
            "programme_type": kind.programme_type,
            "qualification_level": ctx.level,
            "awarding_body": self.awarding(ctx),
            "sector": ctx.theme.theme.sector,
            "who_for": self.who_for(ctx),
            "entry_requirements": self.entry_requirements(ctx),
            "description": self.description(
                ctx, skills, (unit, duration), delivery, attendance, venue
            ),
            "how_you_learn": self.how_you_learn(ctx, delivery, attendance),
            "how_assessed": self.how_assessed(ctx),
            "where_next": self.where_next(ctx),
            "delivery_mode": delivery,
            "study_mode": study,
            "attendance_pattern": attendance,
            "venue": venue,
            "national_delivery": ctx.national,
            "local_authority": gss,
            "flexible_start": flexible,
            # Rolling intakes have run all through the seed's window (supply counts from it).
            **({"available_from": COURSE_WINDOW[0].isoformat()} if flexible else {}),
            "start_dates": [d.isoformat() for d in starts],
            "duration_value": duration,
            "duration_unit": unit,
            "guided_learning_hours": glh,
            "cost": cost,
            "cost_description": cost_description,
            "funding": funding,
            "places": places,
            "age_min": kind.ages[0],
            "age_max": kind.ages[1],
            "employment_statuses": self.employment_statuses(kind),
            "eligibility_notes": self.eligibility(ctx),
            "completion_rate": None,
            "positive_outcome_rate": None,
            "outcomes_year": None,
            "url": f"{ctx.provider.website}/courses/{slug(ctx.title)}-{ref_code.lower()}",
            "status": "withdrawn" if rng.random() < 0.02 else "active",
            "skills": [{"skill_id": s} for s in skills],
        }
        if kind.key == "bootcamp" and rng.random() < 0.5:
            # Published outcomes for an earlier cohort (DfE wave 3: 65% completed, 37% positive).
            row["completion_rate"] = round(rng.uniform(0.55, 0.75), 2)
            row["positive_outcome_rate"] = round(rng.uniform(0.30, 0.45), 2)
            row["outcomes_year"] = OUTCOMES_YEAR
        return row

    def venue(self, ctx: CourseContext) -> str:
        """Where a classroom course meets: community-type courses in outreach venues (libraries,
        community centres), others mostly on the provider's campus in its home area."""
        venues = ctx.provider.venues[ctx.gss]  # type: ignore[index]
        has_campus = ctx.gss == ctx.provider.spec.home
        outreach = venues[1:] if has_campus else venues
        community = ctx.kind.key in ("community", "eds_qual", "aeb_eds", "multiply")
        if has_campus and not (community and ctx.provider.spec.provider_type != "fe_college"):
            if self.rng.random() < 0.85 or not outreach:
                return venues[0]
            return self.rng.choice(outreach)
        return self.rng.choice(outreach or venues)

    def guided_hours(self, kind: CourseKind, unit: str, duration: float) -> int | None:
        """Guided learning hours consistent with the duration (bootcamps at least 60)."""
        if kind.glh is None:
            return None
        lo, hi = kind.glh
        if unit == "hours":
            return int(duration)
        if unit == "days":
            return int(duration * 6)
        if unit == "weeks" and kind.key not in ("bootcamp",):
            return max(lo, min(hi, int(duration * self.rng.choice((2, 3, 4, 5)))))
        return self.rng.randint(lo, hi) // 5 * 5 or lo

    def cost(self, ctx: CourseContext, funding: str, glh: int | None) -> tuple[int, str]:
        """(cost in pounds, cost description) for the kind and funding."""
        rng, key = self.rng, ctx.kind.key
        if key == "htq":
            fee = rng.randrange(ctx.kind.cost[0], ctx.kind.cost[1] + 1, 250)  # type: ignore[index]
            return fee, (
                f"£{fee:,} a year. Eligible students can apply for a tuition fee loan "
                "from Student Finance England, repaid only once you earn over the "
                "threshold."
            )
        if key == "paid_short":
            target = (glh or 10) * RATE_PER_HOUR[ctx.theme.theme.level] * rng.uniform(0.8, 1.25)
            price = min(PRICE_POINTS, key=lambda p: (abs(p - target), p))
            if funding == "co_funded":
                share = rng.choice((50, 60, 70))
                pay = round(price * share / 100)
                return pay, (
                    f"You pay £{pay:,} ({share}% of the £{price:,} course fee); the "
                    "rest is met from a local skills fund for residents and employees "
                    "of small businesses in the area."
                )
            return price, rng.choice(
                (
                    f"£{price:,} including all materials. Pay in full or in three instalments.",
                    f"£{price:,}. Discounts for groups of three or more from the same employer.",
                    f"£{price:,}, payable on enrolment. Exam fee included.",
                )
            )
        if key == "apprenticeship":
            return 0, (
                "No cost to the apprentice: training is paid for by the employer through "
                "the apprenticeship levy, with government co-investment for smaller "
                "employers."
            )
        if key == "bootcamp":
            return 0, (
                "Free to learners. Employers who put existing staff on the bootcamp "
                "contribute 10% (small and medium businesses) or 30% (large employers) of "
                "the cost."
            )
        if key == "t_level":
            return 0, "Free for 16 to 19 year olds."
        if key == "fcj":
            return 0, (
                "Free for adults aged 19 or over who do not already have a full Level 3 "
                "qualification, or who earn under the National Living Wage annual "
                "threshold, or who are unemployed."
            )
        if key in ("eds_qual", "aeb_eds"):
            return 0, (
                "Free for adults aged 19 or over who do not yet have essential digital "
                "skills (the national digital entitlement)."
            )
        if key == "community":
            return 0, rng.choice(
                (
                    "Free. No need to book: just drop in. Tablets and laptops can be borrowed.",
                    "Free. Booking helps us plan, but you are welcome to just turn up.",
                    "Free, with free tea and coffee. Devices provided if you do not have one.",
                )
            )
        return 0, rng.choice(
            (
                "Free if you are 19 or over, live locally and are unemployed or on a low income. "
                "Otherwise please ask about fees.",
                "Free for eligible adults through the Adult Education Budget.",
                "Fully funded for residents aged 19 or over who meet the eligibility rules.",
            )
        )

    def start_dates(
        self, ctx: CourseContext, unit: str, duration: float, attendance: str
    ) -> tuple[bool, list[date]]:
        """(flexible_start, start dates) following the kind's intake pattern."""
        rng, pattern = self.rng, ctx.kind.starts
        lo, hi = COURSE_WINDOW
        if pattern == "september":
            septembers = [date(2025, 9, 8), date(2026, 9, 7)]  # Mondays of the first full week
            return False, rng.choice(([septembers[0]], [septembers[1]], septembers))
        if pattern == "academic":
            intakes = [date(2025, 9, 22), date(2026, 1, 12), date(2026, 9, 21), date(2027, 1, 11)]
            firsts = rng.choice(
                ([intakes[0], intakes[2]], [intakes[2]], [intakes[0]], [intakes[2], intakes[3]])
            )
            return False, sorted(firsts)
        if pattern == "rolling" and rng.random() < 0.6:
            return True, []
        if pattern == "drop_in" and rng.random() < 0.5:
            return True, []
        weekday = {"weekend": 5, "evening": rng.choice((1, 2))}.get(attendance, 0)
        mondays = mondays_between(lo, hi)
        if pattern in ("terms", "drop_in"):
            # Adult learning intakes: the second Monday of a term or half-term month.
            pool = [d for d in mondays if d.month in (9, 10, 1, 2, 4, 5) and 8 <= d.day <= 14]
            picks = sorted(rng.sample(pool, rng.randint(1, 4)))
        else:  # cohorts: spaced by at least the course length
            gap = max(6, int(duration if unit == "weeks" else 8) + rng.choice((0, 2, 4, 8)))
            first = rng.choice(mondays[: len(mondays) // 2])
            count = rng.randint(1, 4)
            picks = [first + timedelta(weeks=gap * i) for i in range(count)]
            picks = [d for d in picks if d <= hi - timedelta(days=6)] or [first]
        return False, sorted({shift_to_weekday(avoid_holidays(d), weekday) for d in picks})

    def employment_statuses(self, kind: CourseKind) -> list[str]:
        """Who the funding allows: bootcamps and adult courses name employment statuses."""
        rng = self.rng
        if kind.key == "bootcamp":
            return rng.choice(
                (
                    ["employed", "self_employed", "unemployed", "economically_inactive"],
                    ["employed", "self_employed", "unemployed"],
                    ["unemployed", "economically_inactive"],
                    ["employed", "self_employed"],
                )
            )
        if kind.key == "apprenticeship":
            return ["employed"]
        if kind.key in ("aeb_short", "aeb_eds", "fcj"):
            return rng.choice(
                (
                    ["unemployed", "economically_inactive"],
                    ["employed", "unemployed", "economically_inactive"],
                    [],
                )
            )
        return []

    def awarding(self, ctx: CourseContext) -> str | None:
        """Awarding (or end-point assessment) organisation; universities award their own HTQs."""
        if ctx.kind.key == "htq" and ctx.provider.spec.provider_type == "university":
            return ctx.provider.spec.name
        if ctx.kind.key == "apprenticeship":
            # End-point assessment organisations: IT bodies for digital standards only.
            digital = ctx.theme.theme.sector in ("J", "M")
            return self.rng.choice(
                ("BCS, The Chartered Institute for IT", "City & Guilds", "NCFE")
                if digital
                else ("City & Guilds", "NCFE", "Pearson", "EAL")
            )
        if ctx.kind.key in ("bootcamp", "paid_short"):
            # Often unaccredited; otherwise a certification body that fits the subject.
            options: list[str | None] = [None, None]
            if ctx.theme.name in (
                "it_support_networking",
                "cyber_security",
                "cloud_infrastructure",
            ):
                options.append("CompTIA")
            if ctx.theme.theme.sector == "J":
                options.append("BCS, The Chartered Institute for IT")
            if ctx.kind.key == "paid_short" and ctx.level in ("L1", "L2", "L3"):
                options.append("City & Guilds")
            return self.rng.choice(options)
        return self.rng.choice(ctx.kind.awarding)

    def skills_for(self, ctx: CourseContext) -> list[str]:
        """4-12 skill ids: the theme's core skills plus a sample of the rest (EDS areas for
        EDS courses)."""
        rng, theme, key = self.rng, ctx.theme, ctx.kind.key
        areas: list[str] = []
        if key in ("eds_qual", "aeb_eds"):
            areas = list(self.eds_ids[EDS_QUAL_FRAMEWORK])  # a qualification covers all five
        elif key == "community" and rng.random() < 0.6:
            ids = self.eds_ids[EDS_COMMUNITY_FRAMEWORK]
            areas = sorted(rng.sample(ids, rng.randint(1, 3)))
        # Short community sessions cover fewer skills than qualifications do.
        room = (8 if key in ("community", "multiply") else 12) - len(areas)
        n = rng.randint(
            max(4 - len(areas), len(theme.core), 3), min(room, len(theme.core) + len(theme.extra))
        )
        extra = rng.sample(theme.extra, n - len(theme.core))
        # Keep the theme's own order so rows read naturally (core first).
        return areas + theme.core + [s for s in theme.extra if s in extra]

    # ---- text -------------------------------------------------------------------------

    def skill_phrases(self, skills: Iterable[str]) -> tuple[list[str], list[str]]:
        """Skill labels split into verb phrases ('use spreadsheets software') and topics."""
        verbs, topics = [], []
        for sid in skills:
            info = self.ref.skills.get(sid)
            if info is None:  # an EDS area id: described elsewhere
                continue
            text = display(info.label)
            (verbs if info.is_action else topics).append(text)
        return verbs, topics

    def description(
        self,
        ctx: CourseContext,
        skills: list[str],
        length: tuple[str, float],
        delivery: str,
        attendance: str,
        venue: str | None,
    ) -> str:
        """60-200 words: why, what you learn (skills in plain words), how it runs, outcome."""
        rng = self.rng
        key = ctx.kind.key
        unit, duration = length
        if venue:
            place = venue.rsplit(", ", 1)[-1]  # the venue's town
        else:
            place = AREA_TOWNS[ctx.gss][0] if ctx.gss and not ctx.national else "the North West"
        verbs, topics = self.skill_phrases(skills)
        options: dict[str, str | tuple[str, ...]] = {
            "bootcamp": (
                f"This free Skills Bootcamp is a fast track into {in_sentence(ctx.topic)} roles.",
                f"Our {ctx.topic} Skills Bootcamp is designed with local employers to fill real "
                f"vacancies in and around {place}.",
                f"Want a career in {in_sentence(ctx.topic)}? This intensive, free bootcamp gets "
                "you job-ready in weeks, not years.",
            ),
            "t_level": (
                f"The T Level in {ctx.topic} is a two-year technical qualification equal to three "
                f"A levels, covering {T_LEVEL_DETAIL.get(ctx.topic, 'digital skills')}.",
                f"Study the {ctx.topic} T Level and spend at least 315 hours (about 45 days) on "
                "an industry placement with a local employer.",
            ),
            "eds_qual": (
                "Build the everyday digital skills you need for life and work, at your own pace, "
                "in a friendly group.",
                "This nationally recognised qualification gives you the confidence to use a "
                "computer, tablet or phone for everyday tasks.",
            ),
            "aeb_eds": (
                "Part of a 'test and learn' pilot funded through the Adult Education Budget to "
                "help adults get started with essential digital skills.",
                "A friendly, funded course for adults who want to feel confident online.",
            ),
            "aeb_short": (
                f"A practical course in {in_sentence(ctx.topic)} for adults returning to work, "
                "changing jobs or wanting to do more at work.",
                f"Get to grips with {in_sentence(ctx.topic)} in a small, supportive class.",
            ),
            "fcj": (
                f"A free Level 3 qualification in {in_sentence(ctx.topic)} through Free Courses "
                "for Jobs, aimed at adults looking to move into a better-paid role.",
                f"Gain a recognised Level 3 qualification in {in_sentence(ctx.topic)} for free and "
                "open up new job opportunities.",
            ),
            "apprenticeship": (
                f"Earn while you learn as a {ctx.topic} apprentice with a local employer.",
                f"The {ctx.topic} apprenticeship combines a paid job with structured training, "
                "with at least 20% of your working hours spent on off-the-job learning.",
            ),
            "community": (
                "Friendly, informal sessions for anyone who wants help getting online, run by "
                "trained digital champions.",
                "Relaxed, patient help with devices and the internet. No question is too basic.",
                "Come along with your phone, tablet or laptop, or borrow one of ours.",
            ),
            "multiply": "Part of the Multiply programme: free maths for adults, using "
            "spreadsheets and everyday examples such as budgeting and bills.",
            "htq": (
                f"A Higher Technical Qualification in {in_sentence(ctx.topic)}, approved against "
                "employer-led occupational standards.",
                f"This HTQ gives you higher-level technical skills in {in_sentence(ctx.topic)} and "
                "a route into skilled jobs or a top-up degree.",
            ),
            "paid_short": (
                f"A practical short course in {in_sentence(ctx.topic)} for people who want results "
                "they can use at work straight away.",
                f"Whether you are starting out or brushing up, this course builds real "
                f"confidence in {in_sentence(ctx.topic)}.",
            ),
        }
        choice = options[key]
        intro = choice if isinstance(choice, str) else rng.choice(choice)
        parts = [intro, ctx.theme.theme.blurb]
        if verbs:
            lead = rng.choice(
                (
                    "You will learn to",
                    "On the course you will learn how to",
                    "By the end you will be able to",
                )
            )
            parts.append(f"{lead} {join_words(verbs[:6])}.")
        if topics:
            lead = rng.choice(("Topics include", "You will also cover", "We cover"))
            parts.append(f"{lead} {join_words(topics[:5])}.")
        if any(s.startswith(EDS_QUAL_FRAMEWORK) for s in skills):
            parts.append(
                "The course follows the national standards for essential digital "
                "skills: using devices and handling information, creating and editing, "
                "communicating, transacting, and being safe and responsible online."
            )
        elif any(s.startswith(EDS_COMMUNITY_FRAMEWORK) for s in skills):
            parts.append(
                "Sessions are mapped to the Essential Digital Skills framework, so you "
                "can see your progress."
            )
        when = {
            "evening": "in the evenings",
            "weekend": "at weekends",
            "daytime": "during the day",
            "day_block": "in day-release blocks",
            "flexible": "at times that suit you",
        }
        span = f"{duration:g} {unit if duration != 1 else unit.rstrip('s')}"
        if unit == "hours":
            span = f"{span} of sessions"
        where = (
            "online"
            if delivery == "online"
            else (f"in {place}" if delivery != "work_based" else "in your workplace")
        )
        parts.append(
            rng.choice(
                (
                    f"The course runs over {span} {when[attendance]}, {where}.",
                    f"It lasts {span}, with sessions {when[attendance]} {where}.",
                )
            )
        )
        text = " ".join(parts)
        words = text.split()
        if len(words) > 200:
            text = " ".join(words[:199]).rstrip(",;") + "."
        if word_count(text) < 60:
            text += (
                " Small groups mean plenty of one-to-one support from tutors who understand "
                "how adults learn, and you can ask questions at any point."
            )
        return text

    def who_for(self, ctx: CourseContext) -> str:
        """Who the course is for, in the provider's voice."""
        rng, key = self.rng, ctx.kind.key
        options = {
            "bootcamp": (
                "Adults aged 19 or over who are employed, self-employed, unemployed or "
                "returning to work and want to move into a new role or get promoted.",
                "Career changers and people returning to work who want a fast route "
                f"into {in_sentence(ctx.topic)}.",
            ),
            "t_level": (
                "Young people aged 16 to 19 who have finished their GCSEs and want a "
                "career in digital.",
            ),
            "eds_qual": (
                "Adults who want to use a computer, phone or the internet with more "
                "confidence, for example to find work, manage money or keep in touch.",
                "Beginners and anyone who finds technology daunting.",
            ),
            "aeb_eds": (
                "Adults with little or no experience of using the internet.",
                "Adults who want to build basic digital confidence for work or home.",
            ),
            "aeb_short": (
                "Adults aged 19 or over who want to improve their digital skills for work.",
                "Job seekers and people returning to work.",
            ),
            "fcj": (
                "Adults aged 19 or over who want a Level 3 qualification to change career or "
                "progress at work.",
            ),
            "apprenticeship": (
                "School and college leavers and adults of any age who want to "
                "earn while they learn.",
                "Existing employees who want to develop their career.",
            ),
            "community": (
                "Anyone who wants help getting online. Older people, carers and "
                "people who have never used a computer are especially welcome.",
                "Residents who want friendly, patient help with technology.",
            ),
            "multiply": (
                "Adults aged 19 or over who do not have a GCSE maths at grade C/4 or "
                "above and want to feel more confident with numbers.",
            ),
            "htq": (
                "Students with a Level 3 qualification and people already working in tech "
                "who want higher-level skills.",
            ),
            "paid_short": (
                "Professionals and business owners who want practical skills in "
                f"{in_sentence(ctx.topic)}.",
                "Anyone curious about "
                f"{in_sentence(ctx.topic)} who wants a structured introduction.",
            ),
        }[key]
        return rng.choice(options)

    def entry_requirements(self, ctx: CourseContext) -> str:
        """Entry requirements, varied by kind and level."""
        rng, key = self.rng, ctx.kind.key
        if key == "t_level":
            return (
                "Five GCSEs at grade 4 or above, including English and maths, or equivalent. "
                "You will be invited to an informal interview."
            )
        if key == "apprenticeship":
            return rng.choice(
                (
                    "You must be employed in a relevant role for at least 30 hours a week. Level 2 "
                    "English and maths, or the willingness to achieve them during the programme.",
                    "An apprenticeship vacancy with a participating employer. GCSE English and maths "
                    "at grade 4 or above are preferred; support is available if you do not have them.",
                )
            )
        if key in ("community", "eds_qual", "aeb_eds", "multiply"):
            return rng.choice(
                (
                    "None. Everyone is welcome.",
                    "No previous experience needed.",
                    "None: just bring yourself (and your device if you have one).",
                )
            )
        if key == "htq":
            return (
                "A relevant Level 3 qualification (for example a T Level, BTEC or A levels) "
                "or relevant work experience. GCSE English and maths at grade 4 or above."
            )
        if ctx.level in ("L3", "L4", "L5"):
            return rng.choice(
                (
                    "Some experience of the subject, or a Level 2 qualification. You will complete a "
                    "short online assessment before joining.",
                    "No formal qualifications needed, but you should be comfortable using a computer. "
                    "We will check your suitability in an informal chat.",
                )
            )
        return rng.choice(
            ("None.", "Basic computer skills.", "You should be able to use a keyboard and mouse.")
        )

    def how_you_learn(self, ctx: CourseContext, delivery: str, attendance: str) -> str:
        """How the course is taught."""
        rng = self.rng
        base = {
            "online": (
                "Live online classes with recorded sessions to catch up, plus a tutor you "
                "can message between classes.",
                "Online, through our virtual learning platform, with weekly live tutorials.",
            ),
            "classroom": (
                "In a classroom with computers provided, in small groups with a tutor.",
                "Face-to-face sessions with plenty of hands-on practice.",
            ),
            "blended": (
                "A mix of classroom sessions and online learning you can do at home.",
                "Blended: weekly workshops plus guided online study.",
            ),
            "work_based": (
                "Mostly in your workplace, with off-the-job training sessions and "
                "regular reviews with your tutor and employer.",
            ),
        }[delivery]
        text = rng.choice(base)
        if ctx.kind.key == "bootcamp":
            text += " Includes an employer project and a guaranteed job interview at the end."
        if ctx.kind.key == "t_level":
            text += " Includes an industry placement of at least 315 hours."
        return text

    def pick(self, choice: str | tuple[str, ...]) -> str:
        """A fixed text, or one of several phrasings."""
        return choice if isinstance(choice, str) else self.rng.choice(choice)

    def how_assessed(self, ctx: CourseContext) -> str:
        """Assessment method."""
        key = ctx.kind.key
        return self.pick(
            {
                "bootcamp": (
                    "A portfolio of project work and a final showcase to employers.",
                    "Practical assignments and an employer-set project.",
                ),
                "t_level": "Written exams, an employer-set project and an occupational specialism "
                "assessment.",
                "eds_qual": "Short practical tasks on a computer, completed in class.",
                "aeb_eds": "Practical tasks in class and an optional qualification test.",
                "aeb_short": ("A portfolio of practical tasks.", "Short practical tests."),
                "fcj": "Coursework assignments and an online test.",
                "apprenticeship": "End-point assessment: a project and a professional discussion "
                "with an independent assessor.",
                "community": "No tests or exams.",
                "multiply": "No exams; you can take a short online check of your progress.",
                "htq": "Assignments, projects and practical work set against employer standards.",
                "paid_short": (
                    "No formal assessment; certificate of attendance.",
                    "An online multiple-choice test at the end.",
                    "A short practical project.",
                ),
            }[key]
        )

    def where_next(self, ctx: CourseContext) -> str:
        """Progression routes."""
        key = ctx.kind.key
        return self.pick(
            {
                "bootcamp": (
                    f"Job interviews with our employer partners, or an apprenticeship in "
                    f"{in_sentence(ctx.topic)}.",
                    "Entry-level roles such as junior analyst, developer or technician, or further "
                    "study at Level 4.",
                ),
                "t_level": "Skilled employment, a higher or degree apprenticeship, or university.",
                "eds_qual": "The next level of Essential Digital Skills, IT user skills courses, "
                "or a vocational course.",
                "aeb_eds": "Essential Digital Skills Level 1 or IT user skills courses.",
                "aeb_short": "A Level 2 or Level 3 digital course, or an apprenticeship.",
                "fcj": "A Skills Bootcamp, a Level 4 apprenticeship or a Higher Technical "
                "Qualification.",
                "apprenticeship": "A higher-level apprenticeship or a permanent role with your "
                "employer.",
                "community": (
                    "An Essential Digital Skills course.",
                    "Our next-step courses, or volunteering as a digital champion.",
                ),
                "multiply": "Functional Skills maths or an Essential Digital Skills course.",
                "htq": "A top-up degree, a degree apprenticeship or a skilled technical role.",
                "paid_short": "More advanced courses in the same subject, or a Skills Bootcamp.",
            }[key]
        )

    def eligibility(self, ctx: CourseContext) -> str:
        """Eligibility notes for funded programmes."""
        key = ctx.kind.key
        region = (
            "the Liverpool City Region"
            if (ctx.gss or ctx.provider.spec.home) in LCR
            else "Lancashire"
        )
        if key == "bootcamp":
            return (
                f"You must be aged 19 or over and live in {region} or work for an employer "
                "there. You must have the right to work in the UK."
            )
        if key in ("aeb_short", "aeb_eds", "fcj"):
            return (
                f"Funded by the Adult Education Budget for residents of {region} aged 19 or "
                "over who meet the residency rules."
            )
        if key == "t_level":
            return "For students aged 16 to 18 on 31 August in the year they start."
        return ""

    def build_all(self, providers: list[Provider], total: int) -> list[dict[str, Any]]:
        """Every course row, ordered by provider then reference."""
        seqs: Counter[str] = Counter()
        rows = []
        for provider, kind, gss in self.plan(providers, total):
            seqs[provider.spec.code] += 1
            ctx = self.context(provider, kind, gss)
            rows.append(self.build(ctx, seqs[provider.spec.code]))
        return rows


# ======================================================================================
# Demand
# ======================================================================================


class DemandBuilder:
    """Builds illustrative job adverts from real ESCO occupation profiles."""

    def __init__(self, rng: random.Random, ref: Reference, occupations: list[Occupation]):
        self.rng = rng
        self.ref = ref
        self.occupations = occupations
        self.fallback = resolve_label(ref, FALLBACK_DIGITAL_SKILL)
        self.area_codes = list(AREA_TOWNS)
        self.area_weights = [int(ref.areas[g]["population"]) for g in self.area_codes]
        self.employers: dict[tuple[str, str], list[str]] = {}
        self.used_names: set[str] = set()  # membership checks only, never iterated

    def monthly_counts(self, total: int) -> list[tuple[int, int, int]]:
        """(year, month, adverts) across the window, with seasonality and a growth trend."""
        months = months_between(*DEMAND_WINDOW)
        weights = [SEASONALITY[m] * (1 + MONTHLY_GROWTH * i) for i, (_, m) in enumerate(months)]
        return [(y, m, n) for (y, m), n in zip(months, allocate(total, weights), strict=True)]

    def posted_dates(self, total: int) -> list[date]:
        """Sorted posting dates: weekdays mostly, within each month's share."""
        rng, out = self.rng, []
        for year, month, n in self.monthly_counts(total):
            days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
            weights = [1.0 if d.weekday() < 5 else 0.12 for d in days]
            out.extend(rng.choices(days, weights=weights, k=n))
        return sorted(out)

    def employer(self, sector: str, gss: str) -> str:
        """A fictional employer in `sector` based in `gss` (a few per area post repeatedly)."""
        key = (sector, gss)
        if key not in self.employers:
            size = 2 + int(self.ref.areas[gss]["population"]) // 45000
            names = []
            patterns = EMPLOYER_PATTERNS.get(sector, EMPLOYER_PATTERNS["N"])
            while len(names) < size:
                word = f"{self.rng.choice(NAME_HEADS)}{self.rng.choice(NAME_TAILS)}"
                name = self.rng.choice(patterns).format(w=word)
                if name not in self.used_names:
                    self.used_names.add(name)
                    names.append(name)
            self.employers[key] = names
        names = self.employers[key]
        # A few employers in each area account for many adverts (Zipf-like).
        return self.rng.choices(names, weights=[1 / (i + 1) for i in range(len(names))])[0]

    def skills_for(self, occ: Occupation) -> list[dict[str, str]]:
        """Required skills from the ESCO profile: every essential digital skill, a share of
        the optional digital ones, and one to four non-digital essential skills."""
        rng = self.rng
        others = rng.sample(
            occ.other_essential, min(len(occ.other_essential), rng.randint(1, MAX_NON_DIGITAL))
        )
        room = MAX_DEMAND_SKILLS - len(others)
        essential = occ.digital_essential[:room]
        room -= len(essential)
        # Adverts name only some of the nice-to-haves: a random 20-50% of the profile's optional
        # digital skills (at most MAX_OPTIONAL_DIGITAL). Listing all of them (up to 90 for some
        # ICT occupations) would make every advert for an occupation identical and the file
        # too big to commit.
        share = round(len(occ.digital_optional) * rng.uniform(0.2, 0.5))
        k = min(len(occ.digital_optional), max(1, share), MAX_OPTIONAL_DIGITAL, room)
        keep = rng.sample(occ.digital_optional, k)
        optional = [s for s in occ.digital_optional if s in keep]
        skills = [{"skill_id": s, "importance": "essential"} for s in essential]
        skills += [{"skill_id": s, "importance": "essential"} for s in others]
        skills += [{"skill_id": s, "importance": "optional"} for s in optional]
        if not essential and not optional:
            # No digital skill in the ESCO profile: see FALLBACK_DIGITAL_SKILL.
            skills.append({"skill_id": self.fallback, "importance": "optional"})
        return skills

    def phrase(self, sid: str) -> str:
        """How an advert names a skill: usually its label, sometimes a natural alt label."""
        info = self.ref.skills[sid]
        # Only short, plain alt labels; for action skills only those that still open with a
        # verb, since many ESCO alt labels are inverted or garbled ("drift existing data").
        alts = [
            a
            for a in info.alts
            if 3 <= len(a) <= 45
            and "(" not in a
            and not any(c.isdigit() for c in a)
            and len(a.split()) <= 6
            and (not info.is_action or a.split()[0].casefold() in self.ref.verbs)
        ]
        if alts and self.rng.random() < 0.3:
            return self.rng.choice(alts)
        return display(info.label)

    def job_title(self, occ: Occupation) -> str:
        """The occupation label or one of its curated alt labels, sometimes with seniority."""
        rng = self.rng
        use_variant = occ.titles and (occ.label in ALWAYS_VARIANT or rng.random() < 0.4)
        base = rng.choice(occ.titles) if use_variant else occ.label
        title = title_case(base)
        roll = rng.random()
        if occ.isco_code[:1] in ("2", "3") and roll < 0.12:
            title = f"Senior {title}"
        elif roll < 0.22:
            title = f"{rng.choice(('Junior', 'Trainee', 'Apprentice'))} {title}"
        return title

    def description(
        self,
        occ: Occupation,
        title: str,
        employer: str,
        sector: str,
        gss: str,
        skills: list[dict[str, str]],
        closing: date,
    ) -> str:
        """An 80-300 word advert naming the employer, place and several required skills."""
        rng = self.rng
        town = rng.choice(AREA_TOWNS[gss])
        area = self.ref.areas[gss]["name"]
        place = town if town == area else f"{town}, {area}"
        essential = [s["skill_id"] for s in skills if s["importance"] == "essential"]
        optional = [s["skill_id"] for s in skills if s["importance"] == "optional"]
        must = rng.sample(essential, min(len(essential), rng.randint(4, 8)))
        nice = rng.sample(optional, min(len(optional), rng.randint(1, 3)))
        lo, hi = SALARY_BANDS.get(occ.isco_code[:1], (22000, 30000))
        if title.startswith(("Apprentice", "Trainee", "Junior")):
            # Entry-level adverts pay less than the occupation's usual band.
            lo, hi = (14000, 19000) if title.startswith("Apprentice") else (lo * 4 // 5, lo)
        pay_lo = rng.randrange(lo, (lo + hi) // 2, 500)
        pay_hi = pay_lo + rng.randrange(2000, 9000, 500)
        contract = rng.choice(
            (
                "Full-time, permanent",
                "Full-time, permanent",
                "Part-time (22.5 hours a week), permanent",
                "Full-time, 12-month fixed term",
            )
        )
        working = rng.choice(
            (
                "on site",
                "hybrid, with two days a week in the office",
                "on site, Monday to Friday",
                "hybrid",
            )
        )
        intro = rng.choice(
            (
                f"{employer} is looking for {with_article(title)} to join our team in {place}.",
                f"We are recruiting {with_article(title)} at our {town} site.",
                f"{title} wanted: {employer}, {place}.",
                f"Join {employer} as {with_article(title)}, based in {place}.",
            )
        )
        blurb = rng.choice(SECTOR_BLURBS.get(sector, SECTOR_BLURBS["N"]))
        paras = [f"{intro} {blurb}"]
        if rng.random() < 0.5:
            lines = [f"- {self.bullet(s)}" for s in must]
            paras.append("What you will bring:\n" + "\n".join(lines))
        else:
            paras.append(
                rng.choice(
                    (
                        "You will need",
                        "The successful candidate will have",
                        "We are looking for someone with",
                    )
                )
                + " "
                + join_words([self.prose(s) for s in must])
                + "."
            )
        if nice:
            paras.append(
                rng.choice(("It would be great if you also have", "Desirable:", "Nice to have:"))
                + " "
                + join_words([self.phrase(s) for s in nice])
                + "."
            )
        paras.append(
            rng.choice(
                (
                    "Full training on our systems is provided, and we support staff to gain "
                    "qualifications.",
                    "You will be part of a friendly team that values development and wellbeing.",
                    "We offer a structured induction and ongoing training.",
                )
            )
        )
        paras.append(
            f"{contract}, {working}. Salary £{pay_lo:,} to £{pay_hi:,} a year, plus "
            f"{rng.choice(('28', '30', '33'))} days' holiday including bank holidays "
            f"and a workplace pension. Closing date: {closing:%d %B %Y}."
        )
        text = "\n\n".join(paras)
        if word_count(text) < 80:
            text += (
                "\n\nWe welcome applications from everyone and are happy to talk about "
                "flexible working and any adjustments you need at interview."
            )
        return text

    def bullet(self, sid: str) -> str:
        """A skill as an advert bullet."""
        text = self.phrase(sid)
        return text[:1].upper() + text[1:]

    def prose(self, sid: str) -> str:
        """A skill inside a sentence: 'the ability to X' for skills, 'knowledge of X' else."""
        info = self.ref.skills[sid]
        text = self.phrase(sid)
        # An alt label of an action skill may be a verb phrase or a noun ("email marketing
        # execution"): the opening word decides the frame.
        if info.is_action and text.split()[0].casefold() in self.ref.verbs:
            return (
                self.rng.choice(("the ability to ", "the confidence to ", "a proven ability to "))
                + text
            )
        return self.rng.choice(("knowledge of ", "experience of ", "familiarity with ")) + text

    def build_all(self, total: int) -> list[dict[str, Any]]:
        """`total` adverts in date order with sequential source references."""
        rng = self.rng
        occ_weights = [o.weight for o in self.occupations]
        rows = []
        for i, posted in enumerate(self.posted_dates(total), start=1):
            occ = rng.choices(self.occupations, weights=occ_weights)[0]
            gss = rng.choices(self.area_codes, weights=self.area_weights)[0]
            sector = weighted(rng, dict(occ.sectors))
            employer = self.employer(sector, gss)
            closing = posted + timedelta(weeks=rng.randint(2, 6))
            title = self.job_title(occ)
            skills = self.skills_for(occ)
            roll = rng.random()
            vacancies = (
                1 if roll < 0.8 else (rng.randint(2, 5) if roll < 0.97 else rng.randint(6, 20))
            )
            rows.append(
                {
                    "source": SOURCE,
                    "source_ref": f"SEED-D-{i:06d}",
                    "employer": employer,
                    "job_title": title,
                    "description": self.description(
                        occ, title, employer, sector, gss, skills, closing
                    ),
                    "soc_code": None,  # no sound ISCO-08 -> SOC 2020 unit-group mapping to hand
                    "occupation_id": occ.id,
                    "isco_code": occ.isco_code,
                    "sector": sector,
                    "local_authority": gss,
                    "vacancies": vacancies,
                    "posted_date": posted.isoformat(),
                    "closing_date": closing.isoformat(),
                    "skills": skills,
                }
            )
        return rows


# ======================================================================================
# Output
# ======================================================================================


def dump_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """One compact JSON object per line, UTF-8, LF endings."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def count_table(title: str, counts: Counter[str] | dict[str, int], names: dict[str, str]) -> str:
    """A small markdown table of counts."""
    lines = [f"### {title}", "", "| | count |", "|---|---:|"]
    for key, n in counts.items():
        label = f"{names[key]} ({key})" if key in names else key
        lines.append(f"| {label} | {n:,} |")
    return "\n".join(lines) + "\n"


# Kept on one line so the notice can be found with grep.
NOTICE = (
    "**ILLUSTRATIVE DATA — generated by scripts/generate_seed.py (seed {seed}); not real "
    "courses, providers or vacancies; skills and occupations are real ESCO concepts.**"
)


def write_readme(
    out: Path,
    seed: int,
    ref: Reference,
    providers: list[Provider],
    courses: list[dict[str, Any]],
    demand: list[dict[str, Any]],
) -> None:
    """README.md with the illustrative-data notice and coverage counts."""
    names = {g: ref.areas[g]["name"] for g in AREA_TOWNS}
    by_programme = Counter(sorted(c["programme_type"] for c in courses))
    by_course_type = Counter(sorted(c["course_type"] for c in courses))
    by_level = Counter(
        sorted(
            (c["qualification_level"] for c in courses),
            key=["E1", "E2", "E3", "L1", "L2", "L3", "L4", "L5"].index,
        )
    )
    by_area_c: Counter[str] = Counter()
    for gss in AREA_TOWNS:
        by_area_c[gss] = sum(1 for c in courses if c["local_authority"] == gss)
    by_area_c["national online (no area)"] = sum(1 for c in courses if not c["local_authority"])
    by_area_d: Counter[str] = Counter()
    for gss in AREA_TOWNS:
        by_area_d[gss] = sum(1 for d in demand if d["local_authority"] == gss)
    by_month = Counter(sorted(d["posted_date"][:7] for d in demand))
    by_sector = Counter(sorted(d["sector"] for d in demand))
    by_ptype = Counter(sorted(p.spec.provider_type for p in providers))
    theme_lines = "\n".join(
        f"| {n} | {t.level} | {len(t.core) + len(t.extra)} |" for n, t in THEMES.items()
    )
    text = f"""# Seed data

{NOTICE.format(seed=seed)}

Provider names, UKPRNs (drawn from {UKPRN_RANGE[0]}-{UKPRN_RANGE[1]}), venues, employers,
adverts, places and outcome rates are invented. Skill ids are ESCO skill UUIDs (and, on
Essential Digital Skills courses, the EDS area ids of `data/reference/eds_areas.csv`);
occupation ids and ISCO codes are real ESCO occupations. Each advert's skills come from its
occupation's ESCO profile, with the profile's importance: all of its essential digital skills,
a random 20-50% (at most {MAX_OPTIONAL_DIGITAL}) of its optional digital skills and one to
{MAX_NON_DIGITAL} of its non-digital essential skills, at most {MAX_DEMAND_SKILLS} in all. The
only exception: adverts for the few occupations whose profile has no digital skill get
"{FALLBACK_DIGITAL_SKILL}" as an optional skill. Course skills carry no level (the taxonomy
assigns levels); courses teach 4-12 skills drawn from hand-curated themes. `soc_code` is left
empty (no sound ISCO-08 to SOC 2020 unit-group mapping). Advert descriptions name several of
the required skills by ESCO label or alt label, so skill extraction can be tested on them.

Regenerate (byte-identical for the same arguments):

    .venv/bin/python scripts/generate_seed.py --seed {seed}

| file | rows |
|---|---:|
| providers.json | {len(providers)} |
| courses.jsonl | {len(courses):,} |
| demand.jsonl | {len(demand):,} |

## Course themes (intended digital-skill level)

| theme | intended level | ESCO skills |
|---|---|---:|
{theme_lines}

## Counts

{count_table("Providers by type", by_ptype, {})}
{count_table("Courses by programme type", by_programme, {})}
{count_table("Courses by course type", by_course_type, {})}
{count_table("Courses by qualification level", by_level, {})}
{count_table("Courses by local authority", by_area_c, names)}
{count_table("Demand records by local authority", by_area_d, names)}
{count_table("Demand records by month posted", by_month, {})}
{count_table("Demand records by SIC section", by_sector, ref.sic)}"""
    (out / "README.md").write_text(text.rstrip() + "\n", encoding="utf-8")


def generate(
    seed: int, out: Path, n_courses: int, n_demand: int, ref_dir: Path = REFERENCE_DIR
) -> dict[str, int]:
    """Write the four seed files into `out`; returns row counts."""
    ref = load_reference(ref_dir)
    check_areas(ref)
    themes = resolve_themes(ref)
    occupations = resolve_occupations(ref)
    # Separate streams so changing the number of courses does not reshuffle the adverts.
    providers = build_providers(random.Random(f"{seed}:providers"))
    courses = CourseBuilder(random.Random(f"{seed}:courses"), ref, themes).build_all(
        providers, n_courses
    )
    demand = DemandBuilder(random.Random(f"{seed}:demand"), ref, occupations).build_all(n_demand)

    missing = [g for g in AREA_TOWNS if not any(c["local_authority"] == g for c in courses)]
    if missing:
        raise SeedDataError(f"no course in {missing}: give those areas a provider")

    out.mkdir(parents=True, exist_ok=True)
    (out / "providers.json").write_text(
        json.dumps([p.record() for p in providers], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    dump_jsonl(out / "courses.jsonl", courses)
    dump_jsonl(out / "demand.jsonl", demand)
    write_readme(out, seed, ref, providers, courses, demand)
    return {"providers": len(providers), "courses": len(courses), "demand": len(demand)}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--courses",
        type=int,
        default=DEFAULT_COURSES,
        help="number of courses (at least one per provider kind and area)",
    )
    parser.add_argument(
        "--demand", type=int, default=DEFAULT_DEMAND, help="number of demand records"
    )
    parser.add_argument(
        "--reference", type=Path, default=REFERENCE_DIR, help="derived reference data directory"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        counts = generate(args.seed, args.out, args.courses, args.demand, args.reference)
    except SeedDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()), f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
