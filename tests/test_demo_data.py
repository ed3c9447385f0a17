from django.contrib.auth import get_user_model
from django.core.management import call_command

from calls.models import Applicant, Call, Submission
from registry.models import AccreditationRequest, Entity, Membership, Unit


def counts():
    return (
        Entity.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        AccreditationRequest.objects.count(),
        Unit.objects.count(),
        Call.objects.count(),
        Submission.objects.count(),
        Applicant.objects.count(),
    )


def test_demo_data_loads_once_and_again_changes_nothing(db, capsys, settings):
    settings.PUSH_PRINT_DEMO_PASSWORDS = True
    call_command("load_demo_data", stock_scale=0.005)
    first = counts()
    output = capsys.readouterr().out
    for username in (
        "regione.admin",
        "regione.istruttore",
        "regione.redattore",
        "bari.referente",
        "sudsalento.referente",
    ):
        assert username in output
    assert "password: push-demo-2026" in output

    call_command("load_demo_data", stock_scale=0.005)

    assert counts() == first
    assert first[0] == 263
    last_year = Call.objects.get(state="allocated")
    assert (
        last_year.riparto_published_at
        and sum(a.total for a in last_year.allocations.all()) + last_year.riparto_residual == last_year.fund_total
    )
    assert Submission.objects.get(state="draft").applicant_count == 120
    # Last year's submissions are in the protocol register, each with its receipt as issued.
    for submission in last_year.submissions.all():
        entry = submission.protocol_entries.get()
        assert (entry.number, entry.registered_at) == (submission.protocol_number, submission.submitted_at)
        assert entry.receipt_pdf and len(entry.receipt_sha256) == 64
    assert "password unchanged" in capsys.readouterr().out


def test_passwords_are_not_printed_outside_development(db, capsys, settings):
    settings.PUSH_PRINT_DEMO_PASSWORDS = False
    call_command("load_demo_data", stock_scale=0.005)
    output = capsys.readouterr().out
    assert "push-demo-2026" not in output and "password: " not in output


def test_each_app_brings_its_own_demo_hook_in_the_order_it_asks_for():
    # core's command names no app: the hooks are on the apps' configs.
    from core.management.commands.load_demo_data import demo_apps

    assert [config.label for config in demo_apps()] == [
        "registry",
        "calls",
        "cms",
        "programmes",
        "dashboards",
        "helpdesk",
        "circulars",
        "sales",
    ]
