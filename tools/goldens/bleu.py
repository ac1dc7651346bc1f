"""Golden fixtures for corpusBleu (packages/text/src/nmt/bleu.ts): NLTK's corpus_bleu with its defaults.

Several corpora of random token sequences over small vocabularies (so that n-grams overlap), each
hypothesis a noisy copy of a reference (tokens dropped, replaced, inserted, spans shuffled), plus the
edge cases: hypotheses shorter than 4 tokens, empty hypotheses, several references of different
lengths (ties in the closest length), a corpus with no 4-gram match (NLTK's method0: the precision
becomes sys.float_info.min), one with no unigram match (0), and other weights (BLEU-2, uneven).

Run:   /usr/bin/python3 tools/goldens/bleu.py      (Debian's python3-nltk)
Writes packages/text/fixtures/bleu/corpora.json: a list of cases, each with `name`, `weights`,
`references` (per hypothesis a list of token lists), `hypotheses`, and NLTK's results: `bleu`
(corpus_bleu), `precisions` (per order the summed numerator and denominator of modified_precision,
as corpus_bleu sums them), `hyp_length`, `ref_length` (summed closest_ref_length) and
`brevity_penalty`.
"""
import json
import os
import random
import warnings

import nltk
from nltk.translate.bleu_score import brevity_penalty, closest_ref_length, corpus_bleu, modified_precision

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'text', 'fixtures', 'bleu')
SEED = 20260416


def noisy_copy(rng, ref, vocab, p):
    """A hypothesis made from `ref`: each token dropped, replaced or followed by an insertion with probability p."""
    out = []
    for tok in ref:
        r = rng.random()
        if r < p:
            continue
        if r < 2 * p:
            out.append(rng.choice(vocab))
        else:
            out.append(tok)
        if rng.random() < p / 2:
            out.append(rng.choice(vocab))
    if len(out) > 3 and rng.random() < p:  # move a span
        i = rng.randrange(len(out) - 2)
        span = out[i:i + 2]
        del out[i:i + 2]
        j = rng.randrange(len(out) + 1)
        out[j:j] = span
    return out


def random_corpus(rng, sentences, vocab_size, min_len, max_len, refs_per, p):
    vocab = [f'w{i}' for i in range(vocab_size)]
    references, hypotheses = [], []
    for _ in range(sentences):
        base = [rng.choice(vocab) for _ in range(rng.randint(min_len, max_len))]
        refs = [base] + [noisy_copy(rng, base, vocab, 0.15) for _ in range(refs_per - 1)]
        references.append(refs)
        hypotheses.append(noisy_copy(rng, base, vocab, p))
    return references, hypotheses


def case(name, references, hypotheses, weights=(0.25, 0.25, 0.25, 0.25)):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # method0's warning about zero counts: that is the case under test
        bleu = corpus_bleu(references, hypotheses, weights=weights)
    precisions = []
    for n in range(1, len(weights) + 1):
        num = den = 0
        for refs, hyp in zip(references, hypotheses):
            p = modified_precision(refs, hyp, n)
            num += p.numerator
            den += p.denominator
        precisions.append([num, den])
    hyp_length = sum(len(h) for h in hypotheses)
    ref_length = sum(closest_ref_length(refs, len(h)) for refs, h in zip(references, hypotheses))
    return {
        'name': name,
        'weights': list(weights),
        'references': references,
        'hypotheses': hypotheses,
        'bleu': float(bleu),
        'precisions': precisions,
        'hyp_length': hyp_length,
        'ref_length': ref_length,
        'brevity_penalty': float(brevity_penalty(ref_length, hyp_length)),
    }


def main():
    rng = random.Random(SEED)
    cases = []
    for i, (sentences, vocab, lo, hi, refs_per, p) in enumerate([
        (40, 30, 5, 25, 1, 0.1),
        (40, 30, 5, 25, 1, 0.3),
        (30, 12, 3, 12, 3, 0.2),
        (25, 50, 10, 40, 4, 0.25),
        (60, 8, 1, 6, 2, 0.3),
    ]):
        refs, hyps = random_corpus(rng, sentences, vocab, lo, hi, refs_per, p)
        cases.append(case(f'random-{i}', refs, hyps))
    refs, hyps = random_corpus(rng, 30, 20, 4, 15, 2, 0.2)
    cases.append(case('random-bleu2', refs, hyps, weights=(0.5, 0.5)))
    cases.append(case('random-uneven-weights', refs, hyps, weights=(0.4, 0.3, 0.2, 0.1)))
    cases.append(case('random-bleu5', refs, hyps, weights=(0.2, 0.2, 0.2, 0.2, 0.2)))
    # short hypotheses (fewer tokens than the order: NLTK counts 0 matches over 1 n-gram) and an empty one
    cases.append(case('short-hypotheses', [[['a', 'b', 'c', 'd', 'e']], [['a', 'b', 'c']], [['x', 'y']], [['a', 'b', 'c', 'd']]],
                      [['a', 'b', 'c', 'd', 'e'], ['a', 'b'], ['x'], []]))
    # the brevity penalty's closest reference: a tie goes to the shorter one
    cases.append(case('closest-reference-tie', [[['a', 'b', 'c', 'd', 'e', 'f'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']]],
                      [['a', 'b', 'c', 'd', 'e']]))
    cases.append(case('longer-than-references', [[['a', 'b', 'c', 'd']], [['e', 'f', 'g', 'h', 'i']]],
                      [['a', 'b', 'c', 'd', 'x', 'y'], ['e', 'f', 'g', 'h', 'i', 'z']]))
    # clipping: a hypothesis repeating a reference token (Papineni et al. 2002's "the the the …")
    cases.append(case('clipping', [[['the', 'cat', 'is', 'on', 'the', 'mat'], ['there', 'is', 'a', 'cat', 'on', 'the', 'mat']]],
                      [['the', 'the', 'the', 'the', 'the', 'the', 'the']]))
    # unigram and bigram matches but no trigram or 4-gram: method0's sys.float_info.min (a tiny, non-zero BLEU)
    cases.append(case('no-higher-order-match', [[['a', 'b', 'c', 'd', 'e', 'f']], [['g', 'h', 'i', 'j']]],
                      [['a', 'b', 'x', 'c', 'd', 'y'], ['g', 'h', 'z', 'i']]))
    # no unigram match at all: 0
    cases.append(case('no-match', [[['a', 'b', 'c']], [['d', 'e']]], [['x', 'y', 'z'], ['w']]))
    cases.append(case('identical', [[['a', 'b', 'c', 'd', 'e']], [['f', 'g', 'h', 'i']]], [['a', 'b', 'c', 'd', 'e'], ['f', 'g', 'h', 'i']]))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'corpora.json')
    with open(path, 'w') as f:
        json.dump({'generator': 'tools/goldens/bleu.py', 'nltk': nltk.__version__, 'seed': SEED, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)}: {len(cases)} corpora (NLTK {nltk.__version__})')


if __name__ == '__main__':
    main()
