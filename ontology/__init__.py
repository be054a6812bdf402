"""The ccakg ontology (ccakg.ttl), SHACL shapes and saved queries, shipped as package data."""
from pathlib import Path

ONTOLOGY_DIR = Path(__file__).parent
ONTOLOGY_FILE = ONTOLOGY_DIR / "ccakg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
QUERIES_DIR = ONTOLOGY_DIR / "queries"
