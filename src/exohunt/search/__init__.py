"""Transit search: detrending, a fast box-least-squares search, folded views, vetting.

``search(lc)`` finds signals in one light curve; ``extract_features(data)`` runs it on many
stars and returns the views and statistics the search-then-vet models read.
"""

from exohunt._callable import make_module_callable
from exohunt.search.bls import Periodogram, bls_periodogram
from exohunt.search.core import SearchResult, Signal, SingleEvent, search
from exohunt.search.detrend import detrend
from exohunt.search.features import FEATURE_VERSION, FeatureSet, extract_features
from exohunt.search.vetting import VETTING_THRESHOLDS
from exohunt.search.views import Views, make_views

__all__ = [
    "FEATURE_VERSION",
    "VETTING_THRESHOLDS",
    "FeatureSet",
    "Periodogram",
    "SearchResult",
    "Signal",
    "SingleEvent",
    "Views",
    "bls_periodogram",
    "detrend",
    "extract_features",
    "make_views",
    "search",
]


make_module_callable(__name__, search)
