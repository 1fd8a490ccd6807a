"""Terms: stepping down (`retire`), renewal reminders and onboarding nudges (`reminders`), lapsed
terms (`lapses`), what both record and remove when a term ends (`ending`) and the typed messages
(`messages`)."""
