"""Rule and dictionary extractors as spaCy components; importing this package registers the factories."""
from extractors import components  # noqa: F401  (registers kg_dictionary, kg_regex, kg_relations)

PIPELINE = ("kg_dictionary", "kg_regex", "kg_relations")
