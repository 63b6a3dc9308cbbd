"""A question next to the FAQ that its answer does not cover (bot/answers/not_covered.py: credit for a
badge, ACTS membership, what a training costs) is out of scope, whatever FAQ topic its words resemble:
the assistant declines with the contact rather than give a fact that does not answer it. Runs before
the confidence gate, which never replaces an out_of_scope prediction.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.answers.faq import load_faq
from bot.answers.not_covered import not_covered
from rasa_plugins.nlu.intent_classifier import OUT_OF_SCOPE


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
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not_covered(message.get(TEXT) or "", predicted, faq) is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE]
            chosen = {INTENT_NAME_KEY: OUT_OF_SCOPE, "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
