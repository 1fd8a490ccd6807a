"""The periodic sweep: the core that decides each due reminder exactly once (`sweep`), what a
feature's due-finder yields (`due`) and the moderators' weekly digest (`digest`). The due-finders
of events, bookings, renewals, lapses and nudges live with their features."""
