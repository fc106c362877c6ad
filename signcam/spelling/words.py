"""Word suggestions from the letter evidence, not only from the letters committed.

Each letter of the word being spelled carries the probabilities the speller committed it from.
A dictionary word is scored by aligning it with those letters (a small edit-distance dynamic
programme whose substitution cost is -log P(letter) under that evidence, so a misread letter
whose right reading was second costs little), plus costs for a letter the signer did not mean
(a transition) or one the reader missed (cheap when it doubles the letter before: a doubled letter
needs a bounce the reader may not have seen), plus the word's frequency. Words longer than what
is spelled so far are completions, each letter still to come costing a little.

The list is English word frequencies from pyspellchecker (shipped in the wheel, used offline).
Suggestions are only offered: the text keeps exactly what was signed until the user picks one,
so names and words not in the list stay spellable.
"""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class WordCosts:
    floor: float = 1e-3  # the least probability a letter's evidence gives any letter
    extra: float = 4.0  # a committed letter the word does not have (a transition read as a letter)
    missed: float = 4.0  # a letter of the word that was not committed
    missed_double: float = 1.0  # ... when it repeats the letter before (a doubled letter)
    to_come: float = 1.5  # each letter of a longer word not spelled yet (a completion)
    frequency: float = 1.0  # weight of -log(relative frequency)
    max_words: int = 40000  # the most frequent words kept


@lru_cache(maxsize=1)
def english_words(max_words: int = 40000) -> tuple[tuple[str, ...], np.ndarray]:
    """(words A-Z, -log relative frequency), most frequent first, from pyspellchecker's list."""
    try:
        data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise RuntimeError("word suggestions need pyspellchecker (pip install pyspellchecker)") from exc
    counts = json.loads(gzip.decompress(data))
    items = sorted(((w.upper(), c) for w, c in counts.items() if w.isascii() and w.isalpha()),
                   key=lambda wc: -wc[1])
    # Single letters other than A and I are noise in a frequency list of running text.
    items = [(w, c) for w, c in items if len(w) > 1 or w in ("A", "I")][:max_words]
    total = sum(c for _, c in items)
    return tuple(w for w, _ in items), np.array([-math.log(c / total) for _, c in items])


@lru_cache(maxsize=1)
def shared_suggester() -> "Suggester":
    """One suggester per process (building it reads the word list: about a second)."""
    return Suggester()


class Suggester:
    def __init__(self, costs: WordCosts | None = None, words: list[str] | None = None,
                 neglog_freq: np.ndarray | None = None):
        self.costs = costs or WordCosts()
        if words is None:
            words, neglog_freq = english_words(self.costs.max_words)
        self.words = [w.upper() for w in words]
        freq = np.asarray(neglog_freq, dtype=np.float64) if neglog_freq is not None else np.zeros(len(self.words))
        self.known = set(self.words)
        bad = next((w for w in self.words if not (w.isascii() and w.isalpha())), None)
        if bad is not None:
            raise ValueError(f"word list entry {bad!r} is not letters A-Z")
        # Words grouped by length as letter-index arrays, so one length is scored in one numpy pass.
        self._by_len: dict[int, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        lengths = np.array([len(w) for w in self.words])
        for n in np.unique(lengths):
            idx = np.flatnonzero(lengths == n)
            ws = [self.words[i] for i in idx]
            codes = np.frombuffer("".join(ws).encode("ascii"), np.uint8).reshape(len(ws), n) - ord("A")
            self._by_len[int(n)] = (codes.astype(np.int64), freq[idx], ws)

    @staticmethod
    def letter_costs(evidence: list[np.ndarray], labels: list[str], floor: float) -> np.ndarray:
        """(n, 26): -log P(letter) for each committed letter, its evidence renormalised over A-Z."""
        cols = [labels.index(c) for c in LETTERS]
        out = []
        for p in evidence:
            q = np.asarray(p, dtype=np.float64)[cols]
            q = q / q.sum() if q.sum() > 0 else np.full(26, 1 / 26)
            out.append(-np.log(np.maximum(q, floor)))
        return np.array(out).reshape(len(evidence), 26)

    def score(self, cost: np.ndarray, n_word: int) -> tuple[np.ndarray, list[str]]:
        """Alignment cost of every word of length n_word against the letters' costs (n, 26)."""
        c = self.costs
        codes, freq, ws = self._by_len[n_word]
        n = cost.shape[0]
        m = len(ws)
        # d[j]: best cost of aligning the first i committed letters with the word's first j letters.
        missed = np.full((m, n_word), c.missed)
        if n_word > 1:
            missed[:, 1:][codes[:, 1:] == codes[:, :-1]] = c.missed_double
        prev = np.zeros((m, n_word + 1))
        prev[:, 1:] = np.cumsum(missed, axis=1)
        for i in range(n):
            cur = np.empty_like(prev)
            cur[:, 0] = prev[:, 0] + c.extra
            sub = cost[i][codes]  # (m, n_word)
            for j in range(1, n_word + 1):
                cur[:, j] = np.minimum(np.minimum(prev[:, j - 1] + sub[:, j - 1], prev[:, j] + c.extra),
                                       cur[:, j - 1] + missed[:, j - 1])
            prev = cur
        # The word may go on past what is spelled: its last letters are still to come.
        to_come = c.to_come * (n_word - np.arange(n_word + 1))
        best = (prev + to_come).min(axis=1)
        return best + c.frequency * freq, ws

    def for_speller(self, speller, k: int = 3) -> list[str]:
        """Suggestions for the word the speller is spelling (none before its first letter)."""
        if not speller.current_word():
            return []
        return [w for w, _ in self.suggest(speller.word_evidence(), speller.labels, k)]

    def corrected(self, speller) -> str:
        """The transcript with every word replaced by its best suggestion (for `read --words`)."""
        out = []
        for word, evidence in speller.words():
            best = self.suggest(evidence, speller.labels, 1) if len(evidence) == len(word) else []
            out.append(best[0][0] if best else word)
        return " ".join(out)

    def suggest(self, evidence: list[np.ndarray], labels: list[str], k: int = 3) -> list[tuple[str, float]]:
        """Up to k (word, cost) for the letters spelled so far, best first (lower cost is better)."""
        if not evidence:
            return []
        cost = self.letter_costs(evidence, labels, self.costs.floor)
        n = len(evidence)
        scored: list[tuple[float, str]] = []
        for n_word in self._by_len:
            if n_word < max(1, n - 2) or n_word > n + 6:
                continue
            costs, ws = self.score(cost, n_word)
            top = np.argsort(costs)[:k]
            scored.extend((float(costs[i]), ws[i]) for i in top)
        scored.sort()
        return [(w, s) for s, w in scored[:k]]
