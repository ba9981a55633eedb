"""Synthetic corpus generator: realistic goal tables and self-evaluations in the four seed
layouts (plus .xlsx and .docx) with planted defects and their ground truth.

`generate_corpus(out, counties, years, seed, projects_per_unit, formats)` writes the corpus and
returns a summary; `jixiao.synth.evaluate` matches a database's flags against the ground truth.
"""

from jixiao.synth.corpus import generate_corpus, parse_years

__all__ = ["generate_corpus", "parse_years"]
