"""Rasa's slot extraction after every message, skipped when no slot mapping can fill anything.

After every message Rasa runs `action_extract_slots`, which walks every slot's mappings (29 slots here)
through four checks each. Under load it was about a sixth of the Rasa server's own work per message
(docs/performance.md). Yet most messages are asked outside any form, where none of this domain's
mappings can fill anything:
- a `custom` mapping with no `action` fills nothing by itself (the form's validation action does, when
  the form runs), and Rasa's walk does nothing else with it;
- a `from_text` mapping with `conditions` fills only when one condition matches the active form and its
  requested slot, which Rasa's own `_verify_mapping_conditions` tells; with no match Rasa moves on
  before it reads the text.
When every mapping is one of those, and none of the `from_text` ones matches now, Rasa's walk returns no
event (this domain has no `action_validate_slot_mappings` to call). Then the result is that empty list
without the walk. Any other mapping, or a match, and Rasa's own extraction runs as always.

`tests/model/test_slot_extraction.py` checks the result equals Rasa's over every prefix of every training
conversation (forms included) and over states changed to every form and requested slot.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.constants import ACTION_VALIDATE_SLOT_MAPPINGS, DEFAULT_SLOT_NAMES
from rasa.shared.core.slot_mappings import SlotMappingType

_PLANS = "_acts_slot_extraction_plan"
_CUSTOM = str(SlotMappingType.CUSTOM)
_FROM_TEXT = str(SlotMappingType.FROM_TEXT)


def _plan(domain: Any) -> list[tuple[str, dict]] | None:
    """`_plan_for(domain)`, kept with the domain, which does not change while serving."""
    if _PLANS not in domain.__dict__:
        domain.__dict__[_PLANS] = _plan_for(domain)
    return domain.__dict__[_PLANS]


def _plan_for(domain: Any) -> list[tuple[str, dict]] | None:
    """The conditional text mappings to check, when every other mapping is one that fills nothing by itself;
    None when some mapping (or a slot-mapping validation action) needs Rasa's whole walk."""
    if ACTION_VALIDATE_SLOT_MAPPINGS in domain.user_actions:
        return None
    plan = []
    for slot in domain.slots:
        if slot.name in DEFAULT_SLOT_NAMES:
            continue
        for mapping in slot.mappings:
            kind = mapping.get("type")
            if kind == _FROM_TEXT and mapping.get("conditions"):
                plan.append((slot.name, mapping))
            elif kind != _CUSTOM or mapping.get("action"):
                return None
    return plan


def nothing_to_extract(tracker: Any, domain: Any) -> bool:
    """Whether Rasa's slot extraction would return no event for this tracker, by the reasons above."""
    plan = _plan(domain)
    if plan is None:
        return False
    return not any(
        ActionExtractSlots._verify_mapping_conditions(mapping, tracker, slot_name) for slot_name, mapping in plan
    )


def skipping_when_nothing_to_extract(rasas_run: Any) -> Any:
    async def run(self: ActionExtractSlots, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        if nothing_to_extract(tracker, domain):
            return []
        return await rasas_run(self, output_channel, nlg, tracker, domain)

    return run


def apply() -> None:
    ActionExtractSlots.run = skipping_when_nothing_to_extract(ActionExtractSlots.run)
