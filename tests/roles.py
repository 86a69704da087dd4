"""Users in each role of the bureau, for the staff page tests."""

from django.core.management import call_command

from leads.models import TaskTeam
from tests.factories import UserFactory


class RolesMixin:
    """Load the reference data and make one user per role.

    Team A (信息研判组) owns 接洽, so new leads belong to it; team B
    (考察接待组) owns 考察.
    """

    @classmethod
    def make_roles(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.team_a = TaskTeam.objects.get(name="信息研判组")
        cls.team_b = TaskTeam.objects.get(name="考察接待组")
        cls.director = UserFactory(username="juzhang", groups=["局领导"])
        cls.a_leader = UserFactory(username="zuzhang_a", groups=["小分队组长"])
        cls.a_member = UserFactory(username="duiyuan_a", groups=["小分队队员"])
        cls.b_member = UserFactory(username="duiyuan_b", groups=["小分队队员"])
        cls.reader = UserFactory(username="chakan", groups=["只读"])
        cls.no_role = UserFactory(username="xinren")
        cls.team_a.leader = cls.a_leader
        cls.team_a.save()
        cls.team_a.members.add(cls.a_member)
        cls.team_b.members.add(cls.b_member)
