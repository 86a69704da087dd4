"""Demo people and organisations: users in their groups, chambers, entrepreneurs."""

import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from leads.demo.names import COMPANY_KINDS, COMPANY_WORDS, GIVEN, SURNAMES
from leads.models import Lead, TaskTeam

# Chambers and entrepreneurs are reached through the lead's foreign keys (and
# their kinds by value): leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model

DEMO_PASSWORD = "zhaoshang2026"

CHAMBERS = [
    ("深圳市本市商会", "hometown", "深圳"),
    ("上海市本市商会", "hometown", "上海"),
    ("北京本市企业商会", "hometown", "北京"),
    ("杭州本市商会", "hometown", "杭州"),
    ("区浙江商会", "local", "本区"),
    ("区广东商会", "local", "本区"),
    ("区福建商会", "local", "本区"),
    ("区智能制造行业协会", "trade", "本区"),
    ("区电子商务协会", "trade", "本区"),
    ("区台商投资企业协会", "foreign", "本区"),
]


def demo_person(rng: random.Random) -> str:
    """Return a random Chinese full name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _user(username, full_name, group, password_hash, *, staff=False):
    user = User(
        username=username,
        first_name=full_name[1:],
        last_name=full_name[0],
        is_staff=staff,
        password=password_hash,
    )
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def demo_users(rng: random.Random) -> dict:
    """Create the director, the read-only user, and a leader and two members per team."""
    # Hash the shared demo password once: each hash costs half a second.
    password_hash = make_password(DEMO_PASSWORD)
    users = {"demo": _user("demo", "演示局长", "局领导", password_hash, staff=True)}
    users["chakan"] = _user("chakan", "查看员", "只读", password_hash)
    members = []
    for index, team in enumerate(TaskTeam.objects.order_by("id"), start=1):
        leader = _user(f"zuzhang{index}", demo_person(rng), "小分队组长", password_hash)
        team.leader = leader
        team.save(update_fields=["leader"])
        team.members.add(leader)
        for offset in (0, 1):
            number = (index - 1) * 2 + offset + 1
            member = _user(f"duiyuan{number}", demo_person(rng), "小分队队员", password_hash)
            team.members.add(member)
            members.append(member)
    users["members"] = members
    return users


def demo_chambers(rng: random.Random, users: dict) -> list:
    """Create the demo chambers of commerce and associations, liaised by the director."""
    return [
        Chamber.objects.create(
            name=name,
            kind=kind,
            location=location,
            contact_person=demo_person(rng),
            phone=f"138{rng.randrange(10**8):08d}",
            liaison=users["demo"],
        )
        for name, kind, location in CHAMBERS
    ]


def demo_entrepreneurs(rng: random.Random, chambers: list) -> list:
    """Create 30 returning entrepreneurs, each in a hometown chamber."""
    hometown_chambers = [c for c in chambers if c.kind == "hometown"]
    result = []
    for index in range(30):
        chamber = rng.choice(hometown_chambers)
        # Draw in the order the seed's data has always been drawn in.
        name = demo_person(rng) + ("" if index < 20 else str(index))
        hometown = "本区" + rng.choice(["城关镇", "东关街道", "西湖乡", "南山镇"])
        word, kind = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_KINDS)
        result.append(
            Entrepreneur.objects.create(
                name=name,
                hometown=hometown,
                current_city=chamber.location,
                company=f"{chamber.location}{word}{kind}有限公司{index}",
                chamber=chamber,
                phone=f"139{rng.randrange(10**8):08d}",
            )
        )
    return result
