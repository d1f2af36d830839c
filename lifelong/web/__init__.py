"""The web layer shared by every domain: templates, translations, dependencies, errors."""
