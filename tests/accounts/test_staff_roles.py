import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal

from storefront.accounts import services
from tests.factories import UserFactory


def codenames(group_name):
    return set(
        Group.objects.get(name=group_name).permissions.values_list("content_type__app_label", "codename")
    )


def aftersales_permission(model="case"):
    content_type, _ = ContentType.objects.get_or_create(app_label="aftersales", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=f"change_{model}", defaults={"name": f"Can change {model}"}
    )
    return permission


@pytest.mark.django_db
class TestStaffRoles:
    def test_the_migrate_made_both_groups(self):
        agents = codenames(services.SUPPORT_AGENTS_GROUP)
        assert {("accounts", "view_user"), ("accounts", "view_address"), ("orders", "view_order"),
                ("orders", "view_shipment"), ("catalog", "view_product")} <= agents
        assert ("orders", "change_order") not in agents
        assert ("catalog", "delete_product") not in agents
        assert Group.objects.get(name=services.ADMINS_GROUP).permissions.count() == Permission.objects.count()

    def test_agents_get_every_permission_of_the_aftersales_app_by_its_label(self):
        permission = aftersales_permission()

        services.staff_roles_ensure()

        assert ("aftersales", permission.codename) in codenames(services.SUPPORT_AGENTS_GROUP)

    def test_a_migrate_brings_the_groups_up_to_date(self):
        permission = aftersales_permission("visit")

        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

        assert ("aftersales", permission.codename) in codenames(services.SUPPORT_AGENTS_GROUP)
        assert Group.objects.get(name=services.ADMINS_GROUP).permissions.filter(pk=permission.pk).exists()

    def test_ensuring_twice_changes_nothing(self):
        services.staff_roles_ensure()
        before = {name: codenames(name) for name in (services.SUPPORT_AGENTS_GROUP, services.ADMINS_GROUP)}

        services.staff_roles_ensure()

        assert Group.objects.filter(name__in=before).count() == 2
        assert {name: codenames(name) for name in before} == before

    def test_make_support_agent_and_admin(self):
        agent = services.user_make_support_agent(user=UserFactory())
        admin = services.user_make_admin(user=UserFactory())

        agent.refresh_from_db()
        admin.refresh_from_db()
        assert agent.is_staff and not agent.is_superuser
        assert agent.has_perm("orders.view_order") and not agent.has_perm("orders.change_order")
        assert admin.is_staff and admin.has_perm("catalog.change_product") and admin.has_perm("auth.change_group")
        assert list(agent.groups.values_list("name", flat=True)) == [services.SUPPORT_AGENTS_GROUP]
