"""Decode the five heads into the most probable *valid* (year, mint) pair (numpy only, no torch).

Taking each head's argmax can give a pair that was never struck (2017 without P, 1965-D); instead the
joint log-probability of every valid pair is the sum of its digit and mint log-probabilities, and the
pair posterior is the softmax of that over the valid pairs. Field confidences are marginals of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from coinnet.infer.confidence import Doubt, doubts

#: How a photo's views are combined (:meth:`PairDecoder.vote`).
VOTE_RULES = ("sum", "max")


@dataclass(frozen=True)
class DecodedBatch:
    """Per-sample results: chosen pairs and their probabilities (arrays of length N)."""

    pairs: list[tuple[int, str]]
    confidence: np.ndarray
    year_confidence: np.ndarray
    mint_confidence: np.ndarray
    posterior: np.ndarray  # (N, P) probability of each valid pair, in ``PairDecoder.pairs`` order
    chosen: np.ndarray | None = None  # (N,) column of the chosen pair in ``posterior``
    doubts: list[Doubt] = field(default_factory=list)  # per sample, from :meth:`PairDecoder.vote` only


def log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class PairDecoder:
    """Joint decoding over the valid pairs of a label schema (``coinnet.labels.schema_dict()`` format).

    Raises:
        ValueError / KeyError / TypeError: if the schema is malformed (caller adds the file name).
    """

    def __init__(self, schema: dict) -> None:
        heads = list(schema["heads"])
        digit_classes, mints = int(schema["digit_classes"]), list(schema["mints"])
        self.digit_heads, self.mint_head = heads[:-1], heads[-1]
        self.head_classes = {**{h: digit_classes for h in self.digit_heads}, self.mint_head: len(mints)}
        self.pairs = [(int(y), str(m)) for y, m in schema["valid_pairs"]]
        if not self.pairs:
            raise ValueError("schema has no valid pairs")
        n_digits = len(self.digit_heads)
        digits = [f"{y:0{n_digits}d}" for y, _ in self.pairs]
        if any(len(d) != n_digits for d in digits) or any(m not in mints for _, m in self.pairs):
            raise ValueError("valid pairs do not fit the heads")
        self._digit_idx = np.array([[int(c) for c in d] for d in digits], dtype=np.int64)  # (P, n_digits)
        self._mint_idx = np.array([mints.index(m) for _, m in self.pairs], dtype=np.int64)  # (P,)
        # Per head (digits, then mint, as head_classes): the class each valid pair needs from it, (P,) each.
        self._head_of_pair = [self._digit_idx[:, i] for i in range(n_digits)] + [self._mint_idx]
        self.years = sorted({y for y, _ in self.pairs})
        self.mints = mints
        self._year_col = {y: i for i, y in enumerate(self.years)}
        # Each pair's year as an index: marginals sum the pairs sharing the chosen year. (A one-hot (P, years)
        # matrix grew quadratically: tens of thousands of pairs in a hostile schema made it gigabytes.)
        self._year_of_pair = np.array([self._year_col[y] for y, _ in self.pairs], dtype=np.int64)  # (P,)

    def head_log_probs(self, logits: dict[str, np.ndarray], temperature: float = 1.0) -> list[np.ndarray]:
        """Per head (digits, then mint), the (N, C) log-softmax of its logits over ``temperature``."""
        return [log_softmax(np.asarray(logits[h], np.float64) / temperature) for h in self.head_classes]

    def pair_log_probs(self, logits: dict[str, np.ndarray], temperature: float = 1.0) -> np.ndarray:
        """Unnormalised joint log-probability of every valid pair, (N, P)."""
        return self._joint(self.head_log_probs(logits, temperature))

    def _joint(self, head_log_probs: list[np.ndarray]) -> np.ndarray:
        """Sum, per valid pair, of the log-probabilities of the classes it needs from each head, (N, P)."""
        return sum(lp[:, idx] for lp, idx in zip(head_log_probs, self._head_of_pair))

    def vote(
        self, logits: dict[str, np.ndarray], counts: list[int], temperature: float = 1.0, rule: str = "sum"
    ) -> tuple[DecodedBatch, np.ndarray]:
        """One reading per photo from its views: ``counts[i]`` consecutive rows of ``logits`` are photo ``i``'s.

        ``rule="sum"``: the pair with the most posterior summed over the photo's views (a soft vote: a date read
        the same way in two overlapping crops outweighs one confident misreading of the bust). It suits models
        trained to be unsure where there is no date; ``rule="max"``, the most confident view's pair, suits the
        others. The confidence and field marginals are those of the view most sure of the pair, which is
        returned too (flat row index).
        """
        if rule not in VOTE_RULES:
            raise ValueError(f"vote rule must be one of {', '.join(VOTE_RULES)}, got {rule!r}")
        head_log_probs = self.head_log_probs(logits, temperature)
        posterior = np.exp(log_softmax(self._joint(head_log_probs)))
        chosen, rows, start = [], [], 0
        for n in counts:
            block = posterior[start : start + n]
            b = int((block.sum(axis=0) if rule == "sum" else block[block.max(axis=1).argmax()]).argmax())
            chosen.append(b)
            rows.append(start + int(block[:, b].argmax()))
            start += n
        rows, chosen = np.array(rows, dtype=np.int64), np.array(chosen, dtype=np.int64)
        best_view_probs = [np.exp(lp[rows]) for lp in head_log_probs]
        found = doubts(posterior, best_view_probs, self._head_of_pair, self.pairs, counts, chosen, rows)
        return replace(self._decoded(posterior[rows], chosen), doubts=found, chosen=chosen), rows

    def decode(self, logits: dict[str, np.ndarray], temperature: float = 1.0) -> DecodedBatch:
        """Best valid pair per sample with its probability and the year / mint marginals."""
        posterior = np.exp(log_softmax(self.pair_log_probs(logits, temperature)))
        return self._decoded(posterior, posterior.argmax(axis=1))

    def _decoded(self, posterior: np.ndarray, chosen: np.ndarray) -> DecodedBatch:
        """Pair ``chosen[i]`` of row ``i`` of ``posterior`` (N, P), with its probability and field marginals."""
        rows = np.arange(len(chosen))
        pairs = [self.pairs[b] for b in chosen]
        same_year = self._year_of_pair[None, :] == self._year_of_pair[chosen][:, None]  # (N, P)
        same_mint = self._mint_idx[None, :] == self._mint_idx[chosen][:, None]
        return DecodedBatch(
            pairs=pairs,
            confidence=posterior[rows, chosen],
            year_confidence=np.where(same_year, posterior, 0.0).sum(axis=1),
            mint_confidence=np.where(same_mint, posterior, 0.0).sum(axis=1),
            posterior=posterior,
        )
