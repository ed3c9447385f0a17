"""The circulars' demo: two circulars, one already read by Bari, one asking for a reply; loading
it again changes nothing."""

from helpdesk.circulars import demo
from helpdesk.circulars.models import Acknowledgement, Circular, Recipient
from registry import demo as registry_demo
from tests.conftest import BARI


def test_the_demo_circulars(entities):
    registry_demo.load()
    demo.load()
    demo.load()
    first, second = Circular.objects.get(subject=demo.FIRST), Circular.objects.get(subject=demo.SECOND)
    assert first.is_sent and second.is_sent and first.protocol_entry and second.protocol_entry
    assert Acknowledgement.objects.get().recipient.entity.code == BARI
    assert first.reply_by is None and second.reply_by is not None
    assert set(second.recipients.values_list("entity__province", flat=True)) == {"LE"}
    assert Recipient.objects.count() == 52 + 97
