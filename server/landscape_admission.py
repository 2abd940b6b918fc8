"""LandscapeLedger: live loss surfaces admitted by their share of the landscape threads.

A run's live surface is computed again and again while the run changes (server/stream.py), one
at a time, waiting between surfaces at least twice its own computing time. Seen from the
landscape threads, a stream whose surface takes s seconds and which is promised a new one at
least every G seconds (settings.landscape_admission_seconds) keeps a thread busy for a share
s / (s + max(G, 2 s)) of the time: under 1/3 always, a few per cent for a small run.

The ledger holds one claim per stream that shows a surface (however many of its viewers watch
it; the surface is the run's), for one key: the run's options on its current network (a
rebuild or new options claim again). It admits a new claim while the shares of all claims fit
in settings.landscape_threads, and the heavy ones' (a big network at a high resolution, which
the worker keeps off the last free thread) fit in max(1, landscape_threads - 1). A claim's
seconds are estimated from its cost until its first surface is measured (a stopped one counts
its time limit); a heavy one counts a full third until then (its set-up, e.g. the descent
path's plane, is not in the cost). A refused claim gets a LandscapeRefused saying what is
used, what the surface needs, and what would fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import Trainer

from .api_models import LandscapeOptions
from .settings import Settings

HEAVY_SHARE = 1.0 / 3.0   # a stream waits 2x its computing time between surfaces: at most 1/3


def landscape_cost(trainer: Trainer, options: LandscapeOptions) -> float:
    """Work of one landscape in parameter x example x grid-point units: each grid point is one
    forward pass over the training set; each field point a full gradient (~3 passes)."""
    passes = options.resolution ** 2 + 3 * options.field_resolution ** 2
    return float(passes) * trainer.n_train * trainer.net.n_params


class LandscapeRefused(Exception):
    """No room for this live surface now; the message says why and what to lower."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Claim:
    cost: float
    heavy: bool
    resolution: int
    key: object = None             # what the surface is of (the run's options and network)
    seconds: float | None = None   # measured on its last surface (or its time limit); None: not yet

    def share(self, settings: Settings) -> float:
        """The share of one landscape thread this stream's surfaces keep busy."""
        if self.seconds is None and self.heavy:
            return HEAVY_SHARE
        s = self.seconds if self.seconds is not None else self.cost / settings.landscape_rate
        return s / (s + max(settings.landscape_admission_seconds, 2 * s)) if s > 0 else 0.0


class LandscapeLedger:
    """The claims of every live surface of one app (LandscapeWorker.ledger)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.claims: dict[object, Claim] = {}

    def claim_for(self, trainer: Trainer, options: LandscapeOptions, key: object = None) -> Claim:
        cost = landscape_cost(trainer, options)
        return Claim(cost, cost > self.settings.landscape_heavy_cost, options.resolution, key)

    def used(self, without: object = None) -> tuple[float, float]:
        """(all shares, heavy shares) of the claims, leaving out `without`'s."""
        claims = [c for holder, c in self.claims.items() if holder is not without]
        s = self.settings
        return (sum(c.share(s) for c in claims), sum(c.share(s) for c in claims if c.heavy))

    def fits(self, claim: Claim, without: object = None) -> bool:
        total, heavy = self.used(without)
        share = claim.share(self.settings)
        threads = max(1, self.settings.landscape_threads)
        if claim.heavy and heavy + share > max(1, threads - 1) + 1e-9:
            return False
        return total + share <= threads + 1e-9

    def admit(self, holder: object, trainer: Trainer, options: LandscapeOptions,
              key: object = None) -> None:
        """Hold a claim for `holder`'s surface of `key` (these options on this network),
        replacing its earlier one, or raise LandscapeRefused (its earlier claim, if any, stays)."""
        if key is None:   # the options on this network's size
            key = (options.model_dump_json(), trainer.net.n_params, trainer.n_train)
        old = self.claims.get(holder)
        if old is not None and old.key == key:
            return   # the same surface: keep what was measured
        claim = self.claim_for(trainer, options, key)
        if not self.fits(claim, without=holder):
            raise self._refusal(claim, trainer, options, holder)
        self.claims[holder] = claim

    def claimed_key(self, holder: object) -> object:
        claim = self.claims.get(holder)
        return claim.key if claim is not None else None

    def measured(self, holder: object, seconds: float, key: object = None) -> None:
        """A surface of `key` took `seconds` (a stopped one: its time limit): its share from now
        on, if the holder's claim is still for that surface (not for options set since; None:
        whatever it is for)."""
        claim = self.claims.get(holder)
        if claim is not None and (key is None or claim.key == key):
            claim.seconds = max(0.0, seconds)

    def release(self, holder: object) -> None:
        self.claims.pop(holder, None)

    def holds(self, holder: object) -> bool:
        return holder in self.claims

    def _refusal(self, claim: Claim, trainer: Trainer, options: LandscapeOptions,
                 holder: object) -> LandscapeRefused:
        s = self.settings
        threads = max(1, s.landscape_threads)
        total, heavy = self.used(without=holder)
        others = len(self.claims) - (holder in self.claims)
        r = options.resolution
        what = (f"landscape: no room for another live surface: {others} live surface(s) keep "
                f"{total:.2f} of the {threads} landscape thread(s) busy")
        if claim.heavy:
            what += (f" ({heavy:.2f} of the {max(1, threads - 1)} that surfaces of big networks "
                     f"may take)")
        what += f", and this network's {r}x{r} surface needs {claim.share(s):.2f}"
        smaller = self._largest_fitting(trainer, options, holder)
        wait = "wait until a surface is given back (when its viewers close it)"
        advice = (f"lower the resolution (try {smaller}x{smaller}) or {wait}" if smaller is not None
                  else f"{wait}; a smaller network (hidden) or fewer points (n_samples) would "
                       "need less")
        retry = s.landscape_refused_retry_seconds
        return LandscapeRefused(f"{what}; {advice}; subscribe again after {retry:g} s",
                                retry_after=retry)

    def _largest_fitting(self, trainer: Trainer, options: LandscapeOptions,
                         holder: object) -> int | None:
        for r in range(options.resolution - 1 - options.resolution % 2, 2, -2):   # odd, below
            smaller = options.model_copy(update={"resolution": r})
            if self.fits(self.claim_for(trainer, smaller), without=holder):   # as if new
                return r
        return None
