"""Typed parameter records for injected signals, and the orbital geometry they imply.

Units: periods, epochs and durations in days; angles in degrees; stellar density in g cm⁻³
(the Sun is 1.41). Radii are in units of the (primary) star's radius.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = [
    "BRIGHT_PLANET_SHARE",
    "BRIGHT_SNR_RANGE",
    "DAY_SIDE_ALBEDO",
    "SOLAR_DENSITY_GCC",
    "EclipsingBinaryParams",
    "PlanetParams",
    "a_over_rs",
    "inclination_deg",
    "t14_days",
]

SOLAR_DENSITY_GCC = 1.408
#: The day side's brightness relative to the star's, per unit area, as an effective albedo
#: (reflection plus thermal emission in the optical): occultation depth = A (Rp/a)².
#: Kepler hot Jupiters span A ≈ 0.05-0.6 (HAT-P-7 b ≈ 0.4; Esteves et al. 2015).
DAY_SIDE_ALBEDO = (0.05, 1.0)
#: A share of the planets can be bright (SNR log-uniform in BRIGHT_SNR_RANGE): real hot
#: Jupiters reach SNR ~1,000 (HAT-P-7 b in Kepler short cadence), where a model that saw
#: planets only up to SNR 150-400 has learnt that every such signal is an eclipsing binary.
BRIGHT_PLANET_SHARE = 0.15
BRIGHT_SNR_RANGE = (150.0, 2000.0)
_G_CGS = 6.674e-8
_DAY_S = 86400.0


def a_over_rs(period: float, stellar_density: float, mass_ratio: float = 0.0) -> float:
    """Scaled semi-major axis a/R* from Kepler's third law.

    Parameters
    ----------
    period : float
        Orbital period in days.
    stellar_density : float
        Mean density of the (primary) star in g cm⁻³.
    mass_ratio : float
        Companion mass over primary mass (0 for a planet).

    Returns
    -------
    float
        ``(G ρ* (1 + q) P² / 3π)^(1/3)``; about 215 for the Earth around the Sun.
    """
    p_s = period * _DAY_S
    return (_G_CGS * stellar_density * (1.0 + mass_ratio) * p_s**2 / (3.0 * math.pi)) ** (1 / 3)


def _orbit_factor(ecc: float, omega_deg: float) -> float:
    """``(1 - e²) / (1 + e sin ω)``: star-companion distance at conjunction over a."""
    return (1.0 - ecc**2) / (1.0 + ecc * math.sin(math.radians(omega_deg)))


def inclination_deg(impact: float, a_rs: float, ecc: float = 0.0, omega_deg: float = 90.0) -> float:
    """Orbital inclination (degrees) giving impact parameter ``impact`` at primary conjunction."""
    cos_i = impact / (a_rs * _orbit_factor(ecc, omega_deg))
    if not 0.0 <= cos_i < 1.0:
        raise ValueError(f"impact {impact} impossible for a/R* = {a_rs:.3g}")
    return math.degrees(math.acos(cos_i))


def t14_days(period: float, a_rs: float, k: float, impact: float, ecc: float = 0.0,
             omega_deg: float = 90.0) -> float:
    """Total transit duration T14 (first to fourth contact) in days (Winn 2010, eq. 14 and 16).

    Returns 0 when the companion misses the disc (``impact >= 1 + k``).
    """
    inc = math.radians(inclination_deg(impact, a_rs, ecc, omega_deg))
    chord = (1.0 + k) ** 2 - impact**2
    if chord <= 0:
        return 0.0
    arg = min(1.0, math.sqrt(chord) / (a_rs * math.sin(inc)))
    factor = math.sqrt(1.0 - ecc**2) / (1.0 + ecc * math.sin(math.radians(omega_deg)))
    return period / math.pi * math.asin(arg) * factor


@dataclass(frozen=True)
class PlanetParams:
    """A transiting planet.

    Parameters
    ----------
    period : float
        Orbital period, days.
    t0 : float
        A mid-transit time, days (same clock as the light curve).
    rp_rs : float
        Planet radius over stellar radius.
    impact : float
        Impact parameter b, stellar radii (0 = central transit).
    stellar_density : float
        Host density in g cm⁻³; sets a/R* through Kepler's law.
    u1, u2 : float
        Quadratic limb-darkening coefficients.
    ecc, omega_deg : float
        Eccentricity and argument of periastron (degrees).
    albedo : float
        Effective day-side albedo A (reflection plus thermal emission in the band): the
        planet's occultation (secondary eclipse) is A (Rp/a)² deep; 0 = none.
    """

    period: float
    t0: float
    rp_rs: float
    impact: float = 0.3
    stellar_density: float = SOLAR_DENSITY_GCC
    u1: float = 0.4
    u2: float = 0.25
    ecc: float = 0.0
    omega_deg: float = 90.0
    albedo: float = 0.0

    def __post_init__(self) -> None:
        if self.period <= 0 or self.rp_rs <= 0 or self.stellar_density <= 0:
            raise ValueError("period, rp_rs and stellar_density must be positive")
        if not self.albedo >= 0:
            raise ValueError(f"albedo must be >= 0, got {self.albedo}")
        if not 0.0 <= self.ecc < 1.0:
            raise ValueError(f"ecc must be in [0, 1), got {self.ecc}")

    @property
    def a_rs(self) -> float:
        """Scaled semi-major axis a/R*."""
        return a_over_rs(self.period, self.stellar_density)

    @property
    def inclination_deg(self) -> float:
        """Orbital inclination in degrees."""
        return inclination_deg(self.impact, self.a_rs, self.ecc, self.omega_deg)

    @property
    def t14(self) -> float:
        """Analytic total transit duration in days."""
        return t14_days(self.period, self.a_rs, self.rp_rs, self.impact, self.ecc, self.omega_deg)

    @property
    def occultation_depth(self) -> float:
        """Fractional depth of the occultation, A (Rp/a)² = A (Rp/R*)² / (a/R*)²."""
        return self.albedo * self.rp_rs**2 / self.a_rs**2

    def to_dict(self) -> dict[str, float]:
        """Fields as a plain dict (for truth tables and JSON)."""
        return asdict(self)


@dataclass(frozen=True)
class EclipsingBinaryParams:
    """An eclipsing binary, optionally diluted by a brighter foreground star.

    Star 1 (the primary, radius 1) is eclipsed at ``t0``; star 2 (radius ``radius_ratio`` ≤ 1) is
    eclipsed at the secondary conjunction, which eccentric orbits move away from phase 0.5.

    Parameters
    ----------
    period, t0 : float
        Orbital period and a primary mid-eclipse time, days.
    radius_ratio : float
        R2 / R1, in (0, 1].
    impact : float
        Impact parameter at primary conjunction; grazing (V-shaped) when > 1 - radius_ratio.
    surface_brightness_ratio : float
        Star 2's surface brightness over star 1's; the flux ratio is this times radius_ratio².
    mass_ratio : float
        M2 / M1; sets a/R1 (with the primary density) and the ellipsoidal amplitude.
    stellar_density : float
        Primary's density in g cm⁻³.
    ecc, omega_deg : float
        Eccentricity and argument of periastron (degrees).
    u1, u2 : float
        Primary's quadratic limb darkening (star 2 is a uniform disc).
    dilution : float
        ≥ 1: total flux over the binary's flux; observed depths are divided by it.
    ellipsoidal : bool
        Add ellipsoidal variation (amplitude ∝ q (R1/a)³, matters at short periods).
    """

    period: float
    t0: float
    radius_ratio: float
    impact: float = 0.2
    surface_brightness_ratio: float = 0.5
    mass_ratio: float = 0.8
    stellar_density: float = SOLAR_DENSITY_GCC
    ecc: float = 0.0
    omega_deg: float = 90.0
    u1: float = 0.4
    u2: float = 0.25
    dilution: float = 1.0
    ellipsoidal: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.radius_ratio <= 1.0:
            raise ValueError(f"radius_ratio must be in (0, 1], got {self.radius_ratio}")
        if self.dilution < 1.0:
            raise ValueError(f"dilution must be >= 1, got {self.dilution}")
        if not 0.0 <= self.ecc < 1.0:
            raise ValueError(f"ecc must be in [0, 1), got {self.ecc}")

    @property
    def a_rs(self) -> float:
        """Semi-major axis over the primary's radius."""
        return a_over_rs(self.period, self.stellar_density, self.mass_ratio)

    @property
    def inclination_deg(self) -> float:
        """Orbital inclination in degrees."""
        return inclination_deg(self.impact, self.a_rs, self.ecc, self.omega_deg)

    @property
    def flux_ratio(self) -> float:
        """Luminosity of star 2 over star 1 in the band."""
        return self.surface_brightness_ratio * self.radius_ratio**2

    @property
    def grazing(self) -> bool:
        """True when the primary eclipse is V-shaped (never total or annular)."""
        return self.impact > 1.0 - self.radius_ratio

    @property
    def t14(self) -> float:
        """Analytic primary-eclipse duration in days."""
        return t14_days(self.period, self.a_rs, self.radius_ratio, self.impact, self.ecc,
                        self.omega_deg)

    @property
    def ellipsoidal_amplitude(self) -> float:
        """Semi-amplitude of the ellipsoidal variation (fraction), 0 when disabled."""
        if not self.ellipsoidal:
            return 0.0
        sin_i = math.sin(math.radians(self.inclination_deg))
        return 1.4 * self.mass_ratio * self.a_rs**-3 * sin_i**2 / self.dilution

    def to_dict(self) -> dict[str, float]:
        """Fields as a plain dict (for truth tables and JSON)."""
        return asdict(self)
