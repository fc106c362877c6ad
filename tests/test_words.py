"""Word suggestions: ranked from the letters' evidence, offered and never applied on their own."""
import numpy as np
import pytest

from scripted_hands import SHAPES, held
from signcam.config import SpellingConfig
from signcam.spelling.speller import Speller
from signcam.spelling.words import Suggester, english_words

LABELS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["del", "nothing", "space"]


@pytest.fixture(scope="module")
def suggester():
    return Suggester()


def evidence(word, misread=None):
    """One probability vector per letter; `misread` = (position, letter read instead, its probability)."""
    out = []
    for i, c in enumerate(word):
        p = np.full(len(LABELS), 0.02 / len(LABELS))
        if misread and misread[0] == i:
            p[LABELS.index(misread[1])], p[LABELS.index(c)] = misread[2], 0.98 - misread[2]
        else:
            p[LABELS.index(c)] = 0.98
        out.append(p / p.sum())
    return out


def test_the_word_list_is_a_real_frequency_list():
    words, cost = english_words()
    assert len(words) >= 30000 and words[:3] == ("THE", "YOU", "I")
    assert np.all(np.diff(cost) >= 0)  # most frequent first


@pytest.mark.parametrize("word,misread", [("HELLO", (1, "A", 0.6)), ("WATER", (0, "V", 0.7)),
                                          ("THANK", (2, "E", 0.6)), ("FRIEND", (4, "M", 0.6))])
def test_a_word_with_one_misread_letter_is_recovered(suggester, word, misread):
    assert suggester.suggest(evidence(word, misread), LABELS, 3)[0][0] == word


def test_a_missed_doubled_letter_and_completions_are_suggested(suggester):
    assert suggester.suggest(evidence("HELO"), LABELS)[0][0] == "HELLO"  # a double without a bounce
    assert "HELP" in [w for w, _ in suggester.suggest(evidence("HEL"), LABELS)]


def test_suggestions_never_change_the_letters_on_their_own():
    sp = Speller(SpellingConfig(), LABELS)
    t = 0.0
    for letter, shape in (("K", "V"), ("A", "A"), ("I", "I"), ("T", "B")):  # a name not in the list
        for lm in held(SHAPES[shape], 0.6):
            sp.update(t, np.eye(len(LABELS))[LABELS.index(letter)] * 0.95 + 0.05 / len(LABELS), lm)
            t += 1 / 30
    suggestions = Suggester().for_speller(sp)
    assert suggestions and "KAIT" not in suggestions
    assert sp.text == "KAIT"  # exactly as signed until the user picks a suggestion
    sp.accept(suggestions[0])
    assert sp.text == suggestions[0] + " "
