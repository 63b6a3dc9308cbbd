"""A question next to the FAQ that its answer does not cover (bot/answers/not_covered.py: credit for a
badge, ACTS membership, what a training costs) is out of scope, whatever FAQ topic its words resemble:
the assistant declines with the contact rather than give a fact that does not answer it. So is such a
part of a message that asks several things. Runs before the confidence gate, which never replaces an
out_of_scope prediction.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.answers.faq import load_faq
from bot.answers.not_covered import not_covered
from rasa_plugins.nlu.intent_classifier import OUT_OF_SCOPE, QUESTION_ENTITY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NotCoveredIntent(GraphComponent):
    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, context: ExecutionContext
    ) -> NotCoveredIntent:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        faq = load_faq()
        for message in messages:
            text = message.get(TEXT) or ""
            # A message asking several things: each part on its own ("is it free, and does it count as CME?"
            # answers the first and declines the second).
            for part in message.get(ENTITIES) or []:
                if part.get(ENTITY_ATTRIBUTE_TYPE) == QUESTION_ENTITY and not_covered(
                    text[part["start"] : part["end"]], part.get(ENTITY_ATTRIBUTE_VALUE), faq
                ):
                    part[ENTITY_ATTRIBUTE_VALUE] = OUT_OF_SCOPE
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not_covered(text, predicted, faq) is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE]
            chosen = {INTENT_NAME_KEY: OUT_OF_SCOPE, "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
