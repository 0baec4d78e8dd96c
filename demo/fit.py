"""What each demo commission is for: the council outcome it serves, the need behind it, the outcome it
seeks and how success is counted.

A council trying the demo reads befriending against "More local people in good jobs" as carelessness,
so every demo commission names its own outcome here instead of taking the next one on the list.
`demo/tests/test_coherence.py` checks every demo commission is in this table and tied to its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from councils.models import Council, Outcome

# The demo councils' outcomes (demo.councils.PRIORITIES), named once for the table below.
JOBS = "More local people in good jobs"
TOWN_CENTRE = "A thriving town centre and visitor economy"
ISOLATION = "Fewer older people isolated and lonely"
YOUNG_PEOPLE = "Children and young people are active and healthy"
PARKS = "Parks and open spaces are improved and well used"
SAFE = "People feel safe in their neighbourhoods"
VCFS = "A strong and independent voluntary, community and faith sector"
VOICE = "Residents take part in decisions about their area"


@dataclass(frozen=True)
class Fit:
    outcome: str  # the council outcome (its title)
    need: str  # the summary of need the officer writes in Understand
    sought: str  # the outcome the commission seeks
    measure: str  # how it is counted, with a whole-number target
    target: int
    unit: str

    @property
    def target_amount(self) -> Decimal:
        return Decimal(self.target)


SERVICES: dict[str, Fit] = {
    # demo.commissions.DEMO_COMMISSIONS
    "Befriending for older people living alone": Fit(
        ISOLATION,
        "Older people who live alone need regular contact and ways to join in.",
        "Older people living alone have someone to talk to every week",
        "Older people matched with a befriender",
        120,
        "people",
    ),
    "Youth work in the rural wards": Fit(
        YOUNG_PEOPLE,
        "Young people in the rural wards have nowhere to go in the evenings and no bus home.",
        "Young people in the rural wards take part in active, supervised activities",
        "Young people attending youth sessions regularly",
        150,
        "young people",
    ),
    "Parks and open spaces volunteering": Fit(
        PARKS,
        "Smaller parks are neglected and residents want to help look after them.",
        "Neighbourhood parks are cared for by local volunteers",
        "Volunteer hours in parks",
        2000,
        "hours",
    ),
    "Town centre events programme": Fit(
        TOWN_CENTRE,
        "Footfall in the town centre has fallen since 2019, most of all at weekends.",
        "More visitors come into the town centre",
        "Town centre events held",
        24,
        "events",
    ),
    "Independent advice services": Fit(
        VCFS,
        "Residents wait weeks for advice on benefits, debt and housing.",
        "Residents get independent advice from local voluntary organisations",
        "Residents helped with advice",
        3000,
        "people",
    ),
    "Community arts commissioning round": Fit(
        VCFS,
        "Local arts groups are small and depend on one-off grants.",
        "Local arts groups run a year-round programme",
        "Community arts sessions delivered",
        200,
        "sessions",
    ),
    "Leisure centre management": Fit(
        YOUNG_PEOPLE,
        "The leisure centre is the only swimming pool in the district.",
        "Children and young people use the leisure centre more",
        "Junior swims and classes",
        20000,
        "visits",
    ),
    "Community transport scheme": Fit(
        ISOLATION,
        "Older people in villages without a bus cannot reach shops or appointments.",
        "Older people in the villages can get out and about",
        "Passenger journeys",
        5000,
        "journeys",
    ),
    "Street festival fund": Fit(
        TOWN_CENTRE,
        "Residents' groups want to hold street festivals but cannot meet the upfront costs.",
        "Neighbourhood festivals bring people into the town",
        "Street festivals funded",
        10,
        "festivals",
    ),
    "Healthy holidays activity programme": Fit(
        YOUNG_PEOPLE,
        "Children on free school meals go hungry and inactive in the school holidays.",
        "Children on free school meals eat well and stay active in the holidays",
        "Children attending holiday clubs",
        600,
        "children",
    ),
    "Debt and money advice": Fit(
        VCFS,
        "Problem debt has risen with the cost of living; the advice agencies are full.",
        "Residents in debt get timely, independent money advice",
        "Residents given debt advice",
        1200,
        "people",
    ),
    "Food poverty partnership": Fit(
        VCFS,
        "Food banks and pantries work apart and some areas have none.",
        "Food projects work together so no area is without help",
        "Households supported with food",
        2500,
        "households",
    ),
    "Tackling anti-social behaviour": Fit(
        SAFE,
        "Reports of anti-social behaviour in the town centre have doubled in two years.",
        "Residents feel safe in their neighbourhoods",
        "Reports of anti-social behaviour dealt with in 10 working days",
        400,
        "reports",
    ),
    "Shared waste education service": Fit(
        PARKS,
        "Recycling rates are below the regional average and fly-tipping is rising.",
        "Residents recycle more and keep open spaces clean",
        "School and community sessions on waste",
        80,
        "sessions",
    ),
    "Village hall improvement grants": Fit(
        VCFS,
        "Village halls need repairs to stay open for community groups.",
        "Village halls stay open and well used by local groups",
        "Village halls improved",
        12,
        "halls",
    ),
    "Volunteer centre": Fit(
        VCFS,
        "Voluntary groups struggle to find and keep volunteers.",
        "More residents volunteer with local groups",
        "New volunteers placed",
        300,
        "volunteers",
    ),
    "Rural broadband champions": Fit(
        VOICE,
        "Villages with poor broadband are cut off from online services and consultations.",
        "Rural residents get online and take part in local decisions",
        "Residents helped to get online",
        400,
        "people",
    ),
    "Homelessness prevention": Fit(
        SAFE,
        "More households are at risk of losing their home, and rough sleeping has risen.",
        "Households at risk keep a safe home",
        "Households prevented from becoming homeless",
        250,
        "households",
    ),
    # demo.opportunities (the closed opportunity)
    "Holiday activities and food programme": Fit(
        YOUNG_PEOPLE,
        "Children on free school meals go hungry and inactive in the school holidays.",
        "Children on free school meals eat well and stay active in the holidays",
        "Children attending holiday clubs",
        500,
        "children",
    ),
    # demo.evaluations
    "Social prescribing link workers": Fit(
        ISOLATION,
        "GPs see many older patients whose needs are social, not medical.",
        "Older people are connected to activities and support near them",
        "People referred by GPs and supported",
        400,
        "people",
    ),
    "Carers' breaks and respite grants": Fit(
        ISOLATION,
        "Older carers rarely get a break and many are isolated.",
        "Older carers get regular breaks and stay connected",
        "Carers given a break",
        250,
        "carers",
    ),
    "Employment support for young people": Fit(
        JOBS,
        "Youth unemployment is twice the county average.",
        "Young people move into good, lasting jobs",
        "Young people into work",
        80,
        "people",
    ),
    "Domestic abuse outreach": Fit(
        SAFE,
        "Domestic abuse is the most reported violent crime in the borough.",
        "People at risk of domestic abuse are safe at home",
        "People supported by outreach workers",
        180,
        "people",
    ),
    # demo.awards
    "Community led health walks": Fit(
        YOUNG_PEOPLE,
        "Families in the new estates take little exercise.",
        "Families walk together regularly",
        "Health walks led",
        150,
        "walks",
    ),
    "Housing-related floating support": Fit(
        ISOLATION,
        "Older tenants struggle to keep their tenancies and become isolated.",
        "Older tenants stay in their homes and connected",
        "Tenants supported",
        200,
        "people",
    ),
    "Welfare benefits advice in GP surgeries": Fit(
        VCFS,
        "Patients miss benefits they are owed and advice agencies cannot reach them.",
        "Patients get benefits advice where they already go",
        "Patients advised in surgeries",
        900,
        "people",
    ),
    "Community safety wardens": Fit(
        SAFE,
        "Residents say they avoid the town centre after dark.",
        "Residents feel safe in the town centre after dark",
        "Warden patrol hours",
        3000,
        "hours",
    ),
    "Domiciliary care reablement": Fit(
        ISOLATION,
        "Older people leave hospital without support to regain their independence.",
        "Older people regain their independence after hospital",
        "People living independently 91 days after reablement",
        300,
        "people",
    ),
    "Leisure and wellbeing hub management": Fit(
        YOUNG_PEOPLE,
        "The hub's sports hall and pool are under-used by children.",
        "Children and young people use the hub to stay active",
        "Junior visits",
        15000,
        "visits",
    ),
    # demo.invoices
    "Home support for older people": Fit(
        ISOLATION,
        "Older people want care at home so they can keep living independently.",
        "Older people live independently at home for longer",
        "Hours of home support delivered",
        9000,
        "hours",
    ),
    # demo.regimes
    "Highway verge and weed control": Fit(
        PARKS,
        "Verges and paths are overgrown and residents complain about weeds.",
        "Verges and green spaces are tidy and safe to use",
        "Verge cuts completed on schedule",
        12,
        "cuts",
    ),
    "Flood response pumping": Fit(
        SAFE,
        "The winter floods cut off homes in the low-lying wards.",
        "Homes at risk of flooding are protected",
        "Call-outs answered within four hours",
        40,
        "call-outs",
    ),
    "Stop smoking service": Fit(
        YOUNG_PEOPLE,
        "Smoking among young parents is above the national rate.",
        "Fewer young people and parents smoke",
        "Four-week quits",
        300,
        "people",
    ),
    "Village hall energy advice": Fit(
        VCFS,
        "Village halls' energy bills threaten their opening hours.",
        "Village halls cut their energy costs and stay open",
        "Halls given an energy survey",
        20,
        "halls",
    ),
    "Community chest grants": Fit(
        VCFS,
        "Small community groups cannot find funds for start-up costs.",
        "Small community groups start and keep going",
        "Community groups funded",
        60,
        "groups",
    ),
    # demo.reviews (the commission a review of existing services recommissioned)
    "Community transport for older and disabled people": Fit(
        ISOLATION,
        "Older and disabled people in the rural wards cannot get to shops, appointments and clubs.",
        "Older and disabled people can make the journeys they need",
        "Journeys made by older and disabled passengers",
        5000,
        "journeys",
    ),
}


def fit_for(title: str) -> Fit | None:
    return SERVICES.get(title)


def outcome_for(council: Council, title: str) -> Outcome | None:
    """The council's outcome a demo commission serves (see SERVICES)."""
    fit = SERVICES[title]
    outcomes = Outcome.objects.filter(priority__plan__council=council, title=fit.outcome)
    return outcomes.select_related("portfolio").first()
