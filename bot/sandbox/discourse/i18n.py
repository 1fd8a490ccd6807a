"""The stand-in's error messages, in the forum's locale.

Discourse renders every error message through ``I18n.t`` in the site's default locale
(discourse/discourse config/locales/server.<locale>.yml; ActiveRecord validation messages come
from the same files), so a German forum answers "… ist bereits Mitglied dieser Gruppe." where an
English one says "… is already a member of this group.". The keys below are Discourse's own
(``groups.errors.member_already_exist`` …); the English strings are the ones the stand-in has
always sent, the German and French ones were written for the stand-in in the same spirit (they are
not copied from Discourse's translations, which change with every release). Their job is to make
any client that matches on message text fail in tests, as it would on a real non-English forum.
"""

from __future__ import annotations

LOCALES = ("en", "de", "fr")

_MESSAGES: dict[str, dict[str, str]] = {
    "not_found": {
        "en": "The requested URL or resource could not be found.",
        "de": "Die angeforderte URL oder Ressource konnte nicht gefunden werden.",
        "fr": "L'URL ou la ressource demandée est introuvable.",
    },
    "invalid_access": {
        "en": ("You are not permitted to view the requested resource. The API username or key is invalid."),
        "de": "Du darfst die angeforderte Ressource nicht sehen. API-Benutzername oder -Schlüssel ungültig.",
        "fr": "Vous n'êtes pas autorisé à voir cette ressource. Nom d'utilisateur ou clé d'API invalide.",
    },
    "invalid_params": {
        "en": "You supplied invalid parameters to the request: %{message}",
        "de": "Du hast der Anfrage ungültige Parameter übergeben: %{message}",
        "fr": "Vous avez fourni des paramètres invalides à la requête : %{message}",
    },
    "param_missing": {
        "en": "param is missing or the value is empty: %{name}",
        "de": "Parameter fehlt oder ist leer: %{name}",
        "fr": "paramètre manquant ou vide : %{name}",
    },
    "rate_limiter.too_many_requests": {
        "en": "You’ve performed this action too many times. Please wait %{time_left} before trying again.",
        "de": "Du hast diese Aktion zu oft ausgeführt. Bitte warte %{time_left} und versuche es erneut.",
        "fr": "Vous avez effectué cette action trop souvent. Patientez %{time_left} avant de réessayer.",
    },
    "seconds": {"en": "%{count} seconds", "de": "%{count} Sekunden", "fr": "%{count} secondes"},
    "groups.errors.member_already_exist.one": {
        "en": "%{username} is already a member of this group.",
        "de": "%{username} ist bereits Mitglied dieser Gruppe.",
        "fr": "%{username} est déjà membre de ce groupe.",
    },
    "groups.errors.member_already_exist.other": {
        "en": "%{username} are already members of this group.",
        "de": "%{username} sind bereits Mitglieder dieser Gruppe.",
        "fr": "%{username} sont déjà membres de ce groupe.",
    },
    "groups.errors.usernames_or_emails_required": {
        "en": "Usernames or emails must be present",
        "de": "Benutzernamen oder E-Mail-Adressen müssen angegeben werden",
        "fr": "Des noms d'utilisateur ou des adresses e-mail doivent être fournis",
    },
    "groups.errors.can_not_modify_automatic": {
        "en": "You cannot modify an automatic group",
        "de": "Eine automatische Gruppe kann nicht geändert werden",
        "fr": "Vous ne pouvez pas modifier un groupe automatique",
    },
    "invalid_grant_badge_reason_link": {
        "en": "Reason must be a link to a post or topic",
        "de": "Der Grund muss ein Link zu einem Beitrag oder Thema sein",
        "fr": "La raison doit être un lien vers un message ou un sujet",
    },
    "title_blank": {
        "en": "Title can't be blank",
        "de": "Titel darf nicht leer sein",
        "fr": "Le titre doit être rempli",
    },
    "title_too_short": {
        "en": "Title is too short (minimum is %{count} characters)",
        "de": "Titel ist zu kurz (mindestens %{count} Zeichen)",
        "fr": "Le titre est trop court (au moins %{count} caractères)",
    },
    "body_too_short": {
        "en": "Body is too short (minimum is %{count} characters)",
        "de": "Inhalt ist zu kurz (mindestens %{count} Zeichen)",
        "fr": "Le message est trop court (au moins %{count} caractères)",
    },
    "body_too_long": {
        "en": "Body is limited to %{count} characters; you entered %{length}.",
        "de": "Inhalt ist auf %{count} Zeichen begrenzt; du hast %{length} eingegeben.",
        "fr": "Le message est limité à %{count} caractères ; vous en avez saisi %{length}.",
    },
    "edit_conflict": {
        "en": "This post was edited by someone else in the meantime.",
        "de": "Dieser Beitrag wurde inzwischen von jemand anderem bearbeitet.",
        "fr": "Ce message a été modifié par quelqu'un d'autre entre-temps.",
    },
    "pm_no_recipient": {
        "en": "You must select a valid user.",
        "de": "Du musst einen gültigen Benutzer auswählen.",
        "fr": "Vous devez choisir un utilisateur valide.",
    },
    "pm_unknown_recipient": {
        "en": "The user or group %{name} could not be found.",
        "de": "Der Benutzer oder die Gruppe %{name} wurde nicht gefunden.",
        "fr": "L'utilisateur ou le groupe %{name} est introuvable.",
    },
}


def translate(locale: str, key: str, **values: object) -> str:
    """``I18n.t(key, **values)`` for the stand-in's messages; unknown locales fall back to English
    (as Discourse falls back to ``en`` for a missing translation)."""
    if "count" in values and f"{key}.one" in _MESSAGES:
        key = f"{key}.one" if values["count"] == 1 else f"{key}.other"
    texts = _MESSAGES[key]
    text = texts.get(locale, texts["en"])
    for name, value in values.items():
        text = text.replace("%{" + name + "}", str(value))
    return text
