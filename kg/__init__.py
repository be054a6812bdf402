"""ccakg: a knowledge graph of China's certification-and-accreditation policy texts."""
__version__ = "0.1.0"
