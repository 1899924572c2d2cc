"""Facet extraction for Arabic news: countries, organizations, troop numbers.

>>> ex = extract_facets("أرسلت بريطانيا 500 جندي إلى العراق")
>>> ex.country_codes, ex.max_troops
(['GB', 'IQ'], 500)
"""
from .corrections import Corrections, CorrectionsError, load_corrections
from .labels import country_label
from .model import CountryFacet, Extraction, Mention, OrgFacet, Troop
from .pipeline import extract_facets

__all__ = [
    "extract_facets", "Extraction", "load_corrections", "country_label", "Corrections",
    "CorrectionsError", "CountryFacet", "OrgFacet", "Troop", "Mention",
]
