"""A message that carries an application reference is about that application.

"status of ACTS-7KQ2-M9XD jane@uni.edu" is a status question, but the reference's random letters
and the email make it look like anything to character n-grams, so it sometimes fell to "Did you
mean ...?" or out of scope. The reference is a certain signal; it wins over the classifier, except
for the intents listed in `keep` (asking to delete one's data also names a reference).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.reading.references import parse_reference


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ApplicationReferenceIntent(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent": "check_status", "keep": ["delete_my_data"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self.intent, self.keep = config["intent"], set(config["keep"])

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, context: ExecutionContext
    ) -> ApplicationReferenceIntent:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            # A status question the classifier was unsure of is made sure too: at 0.4 the confidence
            # gate turned "what's the status of ACTS-... mallory@evil.example" into "Did you mean".
            if predicted in self.keep or not parse_reference(message.get(TEXT) or ""):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != self.intent]
            chosen = {INTENT_NAME_KEY: self.intent, "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages
