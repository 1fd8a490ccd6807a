"""Onboarding: the checklist every new ambassador works through.

- `steps`: what a checklist and a ticked step look like, and `complete_in`, the tick inside the
  caller's unit of work (used by the profile save, which ticks the profile step).
- `service`: `OnboardingService`, who may tick which step (a button, the bot seeing it happen, or
  a moderator), the checklist itself, and who is stuck.
"""
