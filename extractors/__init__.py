"""Rule and dictionary extractors as spaCy components (registered by importing ``extractors.components``).

Importing the package itself loads nothing else: ``extractors.errors`` is imported by every command, and
spaCy is only needed where texts are read (``kg.nlp``).
"""

PIPELINE = ("kg_dictionary", "kg_regex", "kg_relations")
