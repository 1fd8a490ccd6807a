"""Terms: stepping down (`retire`), renewal reminders and onboarding nudges (`reminders`), lapsed
terms (`lapses`), the forum removals both end a term with (`forum`) and the typed messages
(`messages`)."""
