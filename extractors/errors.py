"""Domain exceptions. The library raises these; only the CLI turns them into messages and exit codes."""
from __future__ import annotations


class KGError(Exception):
    """Base class of every error ccakg reports to a user."""


class CorpusError(KGError):
    """A corpus file cannot be read, decoded or parsed."""


class LexiconError(KGError):
    """A lexicon data file is malformed (names file:line and entry id)."""


class RuleError(KGError):
    """A rule data file is malformed or a rule fails its own examples."""


class OntologyError(KGError):
    """A term is missing from the ontology or the ontology file is broken."""


class StoreError(KGError):
    """The embedded store cannot be opened, written or queried."""


class QueryError(KGError):
    """A SPARQL query is malformed or fails."""


class ValidationError(KGError):
    """A built graph cannot be read for SHACL validation (names the file)."""
