"""English labels (msgids) of the catalogue's vocabularies, translated where shown."""

from __future__ import annotations

from lifelong.web.templating import N_

TYPES = {
    "course": N_("Course"),
    "micro_course": N_("Micro-course"),
    "video": N_("Video"),
    "ebook": N_("E-book"),
    "live_session": N_("Live session"),
    "assessment": N_("Assessment"),
    "document": N_("Document"),
}
LEVELS = {
    "bachelor": N_("Bachelor"),
    "associate": N_("Associate degree"),
    "vocational_certificate": N_("Vocational certificate"),
    "community": N_("Community education"),
    "elderly": N_("Education for older adults"),
    "general_interest": N_("General interest"),
}
FORMATS = {
    "video": N_("Video"),
    "audio": N_("Audio"),
    "text": N_("Text"),
    "interactive": N_("Interactive"),
    "live": N_("Live"),
    "blended": N_("Blended"),
}
LANGUAGES = {"zh": N_("Chinese"), "en": N_("English")}
STATUSES = {"draft": N_("Draft"), "published": N_("Published"), "retired": N_("Retired")}
CREDIT = {"1": N_("Credit-bearing"), "0": N_("No credit")}
FACETS = {
    "type": N_("Type"),
    "level": N_("Level"),
    "format": N_("Format"),
    "subject": N_("Subject"),
    "provider": N_("Provider"),
    "language": N_("Language"),
    "credit_bearing": N_("Credit"),
}
SORTS = {"relevance": N_("Relevance"), "popularity": N_("Most popular"), "newest": N_("Newest")}
VALUE_LABELS = {
    "type": TYPES,
    "level": LEVELS,
    "format": FORMATS,
    "language": LANGUAGES,
    "credit_bearing": CREDIT,
}
