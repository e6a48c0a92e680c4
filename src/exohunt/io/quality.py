"""Kepler/K2 and TESS ``QUALITY`` bitmasks, the same values lightkurve uses.

The named masks match lightkurve's ``KeplerQualityFlags`` and ``TessQualityFlags`` (its
``utils.py``), so ``quality_bitmask="default"`` drops the same cadences as
``lightkurve.read(...)`` without needing lightkurve:

- Kepler/K2 ``default`` = AttitudeTweak | SafeMode | CoarsePoint | EarthPoint | Desat |
  ManualExclude | DetectorAnomaly | NoData | ThrusterFiring = 1130799; ``hard`` adds
  SensitivityDropout | ApertureCosmic | CollateralCosmic | PossibleThrusterFiring = 1664431;
  ``hardest`` = 2096639 (every flag).
- TESS ``default`` = AttitudeTweak | SafeMode | CoarsePoint | EarthPoint | Argabrightening |
  Desat | ManualExclude | ImpulsiveOutlier | BadCalibrationExclude = 17087 (lightkurve 2.6;
  175 before it); ``hard`` adds ApertureCosmic | CollateralCosmic | Straylight | Straylight2
  = 24319; ``hardest`` = 65535.
"""

from __future__ import annotations

from exohunt.errors import InputError

__all__ = ["KEPLER_BITMASKS", "TESS_BITMASKS", "check_bitmask", "resolve_bitmask"]

_K = {"AttitudeTweak": 1, "SafeMode": 2, "CoarsePoint": 4, "EarthPoint": 8, "Desat": 32,
      "ApertureCosmic": 128, "ManualExclude": 256, "SensitivityDropout": 1024,
      "CollateralCosmic": 8192, "DetectorAnomaly": 16384, "NoData": 65536,
      "PossibleThrusterFiring": 524288, "ThrusterFiring": 1048576}
_KEPLER_DEFAULT = (_K["AttitudeTweak"] | _K["SafeMode"] | _K["CoarsePoint"] | _K["EarthPoint"]
                   | _K["Desat"] | _K["ManualExclude"] | _K["DetectorAnomaly"] | _K["NoData"]
                   | _K["ThrusterFiring"])
_KEPLER_HARD = (_KEPLER_DEFAULT | _K["SensitivityDropout"] | _K["ApertureCosmic"]
                | _K["CollateralCosmic"] | _K["PossibleThrusterFiring"])

_T = {"AttitudeTweak": 1, "SafeMode": 2, "CoarsePoint": 4, "EarthPoint": 8,
      "Argabrightening": 16, "Desat": 32, "ApertureCosmic": 64, "ManualExclude": 128,
      "ImpulsiveOutlier": 512, "CollateralCosmic": 1024, "Straylight": 2048,
      "Straylight2": 4096, "BadCalibrationExclude": 16384}
# lightkurve 2.6 added Argabrightening, ImpulsiveOutlier and BadCalibrationExclude to TESS's
# default (175 -> 17087): SPOC flags cadences it already knows to be bad there.
_TESS_DEFAULT = (_T["AttitudeTweak"] | _T["SafeMode"] | _T["CoarsePoint"] | _T["EarthPoint"]
                 | _T["Argabrightening"] | _T["Desat"] | _T["ManualExclude"]
                 | _T["ImpulsiveOutlier"] | _T["BadCalibrationExclude"])
_TESS_HARD = (_TESS_DEFAULT | _T["ApertureCosmic"] | _T["CollateralCosmic"] | _T["Straylight"]
              | _T["Straylight2"])

KEPLER_BITMASKS = {"none": 0, "default": _KEPLER_DEFAULT, "hard": _KEPLER_HARD,
                   "hardest": 2096639}
TESS_BITMASKS = {"none": 0, "default": _TESS_DEFAULT, "hard": _TESS_HARD, "hardest": 65535}

_NAMES = tuple(KEPLER_BITMASKS)


def check_bitmask(bitmask: str | int | None) -> str | int | None:
    """Validate a user-given bitmask (name, int, numeric string or ``None``) early."""
    if bitmask is None or isinstance(bitmask, bool):
        return None if bitmask is None else int(bitmask)
    if isinstance(bitmask, int):
        if bitmask < 0:
            raise InputError(f"quality_bitmask must be >= 0, got {bitmask}")
        return bitmask
    text = str(bitmask).strip().lower()
    if text in _NAMES:
        return text
    try:
        return check_bitmask(int(text, 0))
    except ValueError:
        raise InputError(f"quality_bitmask {bitmask!r} is not understood; expected one of "
                         f"{', '.join(_NAMES)} or a non-negative integer") from None


def resolve_bitmask(bitmask: str | int | None, mission: str | None) -> int:
    """The integer bitmask to apply to ``QUALITY`` for ``mission`` (Kepler, K2, TESS, other).

    A name (``"default"`` …) depends on the mission; for a mission that is neither Kepler/K2
    nor TESS a name other than ``"none"`` resolves to 0 (no quality filtering), since the
    meaning of that product's flags is unknown.
    """
    bitmask = check_bitmask(bitmask)
    if bitmask is None:
        return 0
    if isinstance(bitmask, int):
        return bitmask
    family = (mission or "").upper()
    if family in ("KEPLER", "K2"):
        return KEPLER_BITMASKS[bitmask]
    if family == "TESS":
        return TESS_BITMASKS[bitmask]
    return 0
