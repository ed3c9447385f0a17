"""Writing notifications (the outbox). Placeholder until the outbox lands: writes nothing."""


def notify(*, kind, recipients, context, url, dedupe_key) -> int:
    return 0
