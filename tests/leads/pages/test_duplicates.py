"""The duplicate pages: the warning on create and edit (page and admin), the finder, merge, undo."""

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from leads.choices import Source
from leads.models import Industry, Lead, LeadMerge, NotDuplicate
from tests.factories import make_lead
from tests.roles import RolesMixin


class DuplicatePagesTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.industry = Industry.objects.first()
        # Held by team B: staff of team A must still see that it exists.
        cls.existing = make_lead(
            name="宇通新能源客车项目", investor="宇通客车股份有限公司", team=cls.team_b
        )

    def create_data(self, **extra):
        return {
            "name": "新能源客车",
            "investor": "郑州宇通客车",
            "industry": self.industry.pk,
            "source": Source.OWN,
            **extra,
        }

    def fresh(self, lead):
        return Lead.all_objects.get(pk=lead.pk)


class EntryWarningTests(DuplicatePagesTestCase):
    def test_create_shows_the_likely_duplicates_of_any_team_and_saves_only_when_confirmed(self):
        self.client.force_login(self.a_member)
        response = self.client.post(reverse("leads:create"), self.create_data())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "疑似重复")
        self.assertContains(response, self.existing.code)
        self.assertContains(response, self.team_b.name)
        self.assertContains(response, "仍然新建")
        self.assertFalse(Lead.objects.filter(investor="郑州宇通客车").exists())
        # The hidden list alone is no confirmation: the button must be pressed.
        unconfirmed = self.create_data(confirmed_duplicate=[self.existing.pk])
        self.assertEqual(self.client.post(reverse("leads:create"), unconfirmed).status_code, 200)
        confirmed = {**unconfirmed, "confirm_not_duplicate": "1"}
        response = self.client.post(reverse("leads:create"), confirmed)
        lead = Lead.objects.get(investor="郑州宇通客车")
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        self.assertTrue(NotDuplicate.objects.filter(second=lead, first=self.existing).exists())

    def test_edit_into_a_duplicate_asks_to_confirm_it_is_not_one(self):
        lead = make_lead(name="别的项目", investor="别的公司")
        self.client.force_login(self.a_member)
        data = {
            "name": "新能源客车",
            "investor": "宇通客车",
            "industry": lead.industry_id,
            "source": lead.source,
            "version": lead.version,
        }
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertContains(response, "确认不是重复")
        self.assertEqual(self.fresh(lead).name, "别的项目")
        data.update(confirm_not_duplicate="1", confirmed_duplicate=[self.existing.pk])
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        self.assertEqual(self.fresh(lead).name, "新能源客车")

    def test_admin_add_needs_the_confirmation_box(self):
        self.client.force_login(
            User.objects.create_superuser("root", "r@example.com", "pw-1234567")
        )
        data = {
            **self.create_data(),
            "origin": "",
            "origin_type": "",
            "leader": "",
            "notes": "",
            "expected_version": 0,
            "transitions-TOTAL_FORMS": 0,
            "transitions-INITIAL_FORMS": 0,
            "activities-TOTAL_FORMS": 0,
            "activities-INITIAL_FORMS": 0,
            # The lead admin's read-only list of instalments (到位资金).
            "paid_ins-TOTAL_FORMS": 0,
            "paid_ins-INITIAL_FORMS": 0,
        }
        response = self.client.post(reverse("admin:leads_lead_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.existing.code)
        self.assertFalse(Lead.objects.filter(investor="郑州宇通客车").exists())
        data["confirm_not_duplicate"] = "on"
        self.assertEqual(self.client.post(reverse("admin:leads_lead_add"), data).status_code, 302)
        self.assertTrue(Lead.objects.filter(investor="郑州宇通客车").exists())


class FinderPageTests(DuplicatePagesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.duplicate = make_lead(name="新能源客车", investor="郑州宇通客车")

    def test_directors_and_team_leaders_use_the_finder_others_not(self):
        for user, status in (
            (self.director, 200),
            (self.a_leader, 200),
            (self.a_member, 403),
            (self.reader, 403),
        ):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(reverse("leads:duplicates"))
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertContains(response, self.existing.code)
                    self.assertContains(response, self.duplicate.code)

    def test_only_a_director_is_offered_and_allowed_the_merge(self):
        self.client.force_login(self.a_leader)
        self.assertNotContains(self.client.get(reverse("leads:duplicates")), "合并到")
        url = f"{reverse('leads:merge')}?keep={self.existing.pk}&merged={self.duplicate.pk}"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.director)
        self.assertContains(self.client.get(reverse("leads:duplicates")), "合并到")
        self.assertContains(self.client.get(url), "确认合并")

    def test_not_a_duplicate_is_remembered(self):
        self.client.force_login(self.a_leader)
        response = self.client.post(
            reverse("leads:duplicates_dismiss"), {"lead": [self.existing.pk, self.duplicate.pk]}
        )
        self.assertRedirects(response, reverse("leads:duplicates"))
        self.assertContains(self.client.get(reverse("leads:duplicates")), "没有疑似重复的线索")

    def test_the_finder_reads_the_same_number_of_queries_at_two_sizes(self):
        self.client.force_login(self.director)
        # Session, user, permissions (2), then the finder's six.
        with self.assertNumQueries(10) as small:
            self.client.get(reverse("leads:duplicates"))
        for number in range(20):
            make_lead(name=f"园区{number}", investor=f"投资方{number}")
            make_lead(name=f"园区{number}项目", investor=f"投资方{number}有限公司")
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(reverse("leads:duplicates"))
        self.assertContains(response, "共 21 组")


class MergePageTests(DuplicatePagesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.duplicate = make_lead(name="新能源客车", investor="郑州宇通客车", leader="李副区长")

    def merge(self, **choices):
        keep, merged = self.fresh(self.existing), self.fresh(self.duplicate)
        data = {
            "keep": keep.pk,
            "merged": merged.pk,
            "keep_version": keep.version,
            "merged_version": merged.version,
            **choices,
        }
        return self.client.post(reverse("leads:merge"), data)

    def test_merge_takes_the_fields_chosen_and_the_old_address_leads_to_the_lead_kept(self):
        self.client.force_login(self.director)
        response = self.merge(name="merged", leader="merged")
        self.assertRedirects(response, reverse("leads:detail", args=[self.existing.pk]))
        keep = self.fresh(self.existing)
        self.assertEqual((keep.name, keep.leader), ("新能源客车", "李副区长"))
        self.assertEqual(self.fresh(self.duplicate).merged_into, keep)
        response = self.client.get(reverse("leads:detail", args=[self.duplicate.pk]))
        self.assertRedirects(response, reverse("leads:detail", args=[keep.pk]))
        listing = self.client.get(reverse("leads:list"))
        self.assertNotContains(listing, self.duplicate.code)
        found = self.client.get(reverse("leads:list"), {"q": self.duplicate.code})
        self.assertContains(found, keep.code)
        detail = self.client.get(reverse("leads:detail", args=[keep.pk]))
        self.assertContains(detail, "已并入的重复线索")
        self.assertContains(detail, f"已合并线索 {self.duplicate.code}")

    def test_a_stale_merge_form_is_refused_with_a_message(self):
        self.client.force_login(self.director)
        keep = self.fresh(self.existing)
        data = {
            "keep": keep.pk,
            "merged": self.duplicate.pk,
            "keep_version": keep.version - 1,
            "merged_version": self.duplicate.version,
        }
        response = self.client.post(reverse("leads:merge"), data, follow=True)
        self.assertContains(response, "已被他人修改")
        self.assertIsNone(self.fresh(self.duplicate).merged_into_id)

    def test_undo_from_the_kept_leads_page(self):
        self.client.force_login(self.director)
        self.merge()
        merge = LeadMerge.objects.get()
        self.client.force_login(self.a_leader)
        self.assertEqual(
            self.client.post(reverse("leads:merge_undo", args=[merge.pk])).status_code, 403
        )
        self.client.force_login(self.director)
        response = self.client.post(reverse("leads:merge_undo", args=[merge.pk]))
        self.assertRedirects(response, reverse("leads:detail", args=[self.duplicate.pk]))
        self.assertIsNone(self.fresh(self.duplicate).merged_into_id)
