"""Rasa custom actions, run by the rasa-sdk action server: `python -m rasa_sdk --actions handlers.actions`.

Small actions that call our code (bot.intake, classifier) and refer to responses of domain.yml by name. Importing
them does nothing else: models, database and jurisdiction are loaded on first use.
"""

from handlers.actions import complaint, form, handoff, recap, status  # noqa: F401  (importing registers the actions)
