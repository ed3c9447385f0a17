"""The circulars' demo: one already read by Bari, one asking for a reply, one to every Comune of
Puglia read by Bari's mayor; loading it again changes nothing."""

from helpdesk.circulars import demo
from helpdesk.circulars.models import Acknowledgement, Circular, Recipient
from registry import demo as registry_demo
from registry.models import Entity, EntityKind
from tests.conftest import BARI


def test_the_demo_circulars(entities):
    registry_demo.load()
    demo.load()
    demo.load()
    first, second = Circular.objects.get(subject=demo.FIRST), Circular.objects.get(subject=demo.SECOND)
    to_all = Circular.objects.get(subject=demo.THIRD)
    assert all(circular.is_sent and circular.protocol_entry for circular in (first, second, to_all))
    assert first.reply_by is None and second.reply_by is not None and to_all.reply_by is None
    assert set(second.recipients.values_list("entity__province", flat=True)) == {"LE"}
    comuni = Entity.objects.filter(kind=EntityKind.COMUNE).count()
    assert set(to_all.recipients.values_list("entity__kind", flat=True)) == {EntityKind.COMUNE}
    assert Recipient.objects.count() == 52 + 97 + comuni
    read = {
        (ack.recipient.circular.subject, ack.recipient.entity.code, ack.read_by.username)
        for ack in Acknowledgement.objects.select_related("recipient__circular", "recipient__entity", "read_by")
    }
    assert read == {(demo.FIRST, BARI, "bari.referente"), (demo.THIRD, BARI, "bari.sindaco")}
