"""The ambassador directory: profiles, `find`, and the "get help and support" page.

- `search`: the words, tags and scoring of `find` (pure rules, stated in its docstring).
- `profiles`: the profile form's fields, its validation, and the values a form is prefilled with.
- `page`: the Markdown "get help and support" page.
- `service`: `ProfileService`, which saves profiles (ticking the onboarding profile step), finds
  ambassadors and builds the page.
"""
