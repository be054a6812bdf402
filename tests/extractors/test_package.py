"""Importing the extractors package (every command imports extractors.errors) must not load spaCy."""
import subprocess
import sys


def test_commands_start_without_loading_spacy():
    probe = "import sys, kg.cli, extractors.errors; print('spacy' in sys.modules, 'pyoxigraph' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False", "importing kg.cli loads spaCy: `ccakg --help` and small commands start slowly"


def test_the_pipeline_still_registers_its_components():
    from kg.nlp import make_nlp

    assert make_nlp().pipe_names == ["kg_dictionary", "kg_regex", "kg_relations"]
