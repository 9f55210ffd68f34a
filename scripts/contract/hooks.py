"""What schemathesis cannot read from the API document's schemas: how to write a value of
the document's own formats (a phone number, a person's name, a social handle, a street line)
and the range of an event's time (1970 to a year from now). Everything else it generates
from the document alone."""

from datetime import datetime, timezone

import schemathesis
from hypothesis import strategies as st

GIVEN = ["Ana", "Maria", "John", "Wei", "Fatima", "Olusegun", "Zoë", "Siobhán", "José", "Ingrid"]
FAMILY = ["Lopez", "Smith", "O'Brien", "Nguyen", "Kowalski", "Müller", "Okafor", "Smith-Jones"]

# A number the tenant's region (US in the demo data) reads, written the ways people write it.
schemathesis.openapi.format(
    "phone",
    st.from_regex(r"\A(\+1 ?)?\(?(212|305|415|646)\)? ?[2-9][0-9]{2}[ -]?[0-9]{4}\Z"),
)
schemathesis.openapi.format(
    "person-name",
    st.tuples(st.sampled_from(GIVEN), st.sampled_from(FAMILY + [""])).map(
        lambda parts: " ".join(p for p in parts if p)
    ),
)
# Digits are a valid handle on every platform (WhatsApp's are only digits).
schemathesis.openapi.format("social-handle", st.from_regex(r"\A[0-9]{1,15}\Z"))
schemathesis.openapi.format(
    "street-line", st.from_regex(r"\A[1-9][0-9]{0,3} (Main|Oak|Elm|Harbor) (St|Ave|Road)\Z")
)
schemathesis.openapi.format(
    "email",
    st.from_regex(r"\A[a-z0-9]{1,12}([._+-][a-z0-9]{1,8})?@[a-z0-9]{1,12}\.(com|org|net|io)\Z"),
)
schemathesis.openapi.format(
    "date-time",
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2026, 1, 1),
        timezones=st.just(timezone.utc),
    ).map(lambda t: t.isoformat()),
)


def _sets_custom_fields(body) -> bool:
    """Whether a body sets custom fields: an event, a batch of events or a profile change."""
    if not isinstance(body, dict):
        return False
    if body.get("custom"):
        return True
    events = body.get("events")
    return isinstance(events, list) and any(
        isinstance(e, dict) and e.get("custom") for e in events
    )


# A tenant's custom fields are defined by its admins, not by the document: their keys and kinds
# are not in it, so a generated `custom` names fields that do not exist (and is refused, as it
# should be). Their checks are tested against defined fields in the Rust tests.
@schemathesis.hook
def filter_body(context, body):
    return not _sets_custom_fields(body)
