"""When the assistant is not sure enough to act on the intent: Rasa's FallbackClassifier, with two additions.

- Conversation intents (goodbye, stop, yes, no, ...) make the assistant *do* something, so a wrong one
  derails the conversation ("tell me something fun" must never get "Goodbye"): they need a higher
  confidence, `dialogue_threshold`.
- A message that asks several things (the classifier marks its parts as "question" entities) is not one
  intent: it goes to the fallback intent with those entities, and a rule answers each part.
An out_of_scope prediction is never replaced: declining honestly is already the careful answer.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.intent_classifier import OUT_OF_SCOPE, QUESTION_ENTITY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ConfidenceGate(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), "dialogue_threshold": 0.6, "dialogue_intents": []}

    def _should_fallback(self, message: Message) -> bool:
        intent = message.data[INTENT].get(INTENT_NAME_KEY)
        if any(e.get("entity") == QUESTION_ENTITY for e in message.get(ENTITIES) or []):
            return True
        if intent == OUT_OF_SCOPE:
            return False
        confidence = message.data[INTENT].get(PREDICTED_CONFIDENCE_KEY) or 0.0
        if (
            intent in self.component_config["dialogue_intents"]
            and confidence < self.component_config["dialogue_threshold"]
        ):
            return True
        return super()._should_fallback(message)
