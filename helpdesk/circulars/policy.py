"""Who may do what with circulars, on the access rule (registry/access.py).

- the Region's staff with the permission (administrators) compose, send and remind;
  administrators and reviewers read every sent circular, its read status and replies;
- every active member of a recipient entity reads the circulars addressed to it and replies
  for it; nobody else learns that a circular exists."""

from registry import access


def is_regional_reader(user) -> bool:
    return access.is_regional(user) and user.has_perm("circulars.view_circular")


def can_send(user) -> bool:
    return access.is_regional(user) and user.has_perm("circulars.send_circular")


def can_remind(user) -> bool:
    return access.is_regional(user) and user.has_perm("circulars.remind_circular")


def reader_entity_ids(user) -> frozenset:
    """The entities on whose behalf the user reads circulars: their own ARCA or Comuni
    (never the Comuni an ARCA covers: a circular is for the body it names)."""
    own = access.access_for(user).own_entity_ids
    return frozenset(own)


def can_read_as(user, recipient) -> bool:
    return recipient.entity_id in reader_entity_ids(user)


def can_reply_as(user, recipient) -> bool:
    return can_read_as(user, recipient)
